"""The fixed words of the email templates, in the languages shipped, and the web-safe font stacks.

:data:`DEFAULT_LABELS` holds the English words and the placeholders each may
use; :data:`LOCALE_LABELS` the same words in other languages, by language code.
A theme's own ``labels`` override these (:meth:`composer.theme.model.Theme.label`).
"""

from __future__ import annotations

#: Fixed words of the templates (English), with the ``{placeholders}`` each may use.
DEFAULT_LABELS: dict[str, str] = {
    "read_more": "Read more",
    "read_more_aria": "Read more: {title}",
    "web_version": "View this email in your browser",
    "unsubscribe": "Unsubscribe",
    "unsubscribe_note": (
        "You receive this digest because you subscribed to news from {organisation}."
    ),
    "unsubscribe_note_plain": "You receive this digest because you subscribed to it.",
    "in_this_issue": "In this issue",
    "and_more": "and {count} more",
    "digest_title": "{organisation} news digest: {period}",
    "digest_title_plain": "News digest: {period}",
    "back_to_contents": "Back to contents",
    "lead_story": "Top story",
}

#: The same words in other languages (missing words fall back to English).
LOCALE_LABELS: dict[str, dict[str, str]] = {
    "de": {
        "read_more": "Weiterlesen",
        "read_more_aria": "Weiterlesen: {title}",
        "web_version": "Diese E-Mail im Browser ansehen",
        "unsubscribe": "Abmelden",
        "unsubscribe_note": (
            "Sie erhalten diesen Newsletter, weil Sie Nachrichten von {organisation} "
            "abonniert haben."
        ),
        "unsubscribe_note_plain": "Sie erhalten diesen Newsletter, weil Sie ihn abonniert haben.",
        "in_this_issue": "In dieser Ausgabe",
        "and_more": "und {count} weitere",
        "digest_title": "{organisation} Nachrichten: {period}",
        "digest_title_plain": "Nachrichten: {period}",
        "back_to_contents": "Zurück zum Inhalt",
        "lead_story": "Aufmacher",
    },
    "fr": {
        "read_more": "Lire la suite",
        "read_more_aria": "Lire la suite : {title}",
        "web_version": "Voir cet e-mail dans votre navigateur",
        "unsubscribe": "Se désabonner",
        "unsubscribe_note": (
            "Vous recevez cette lettre parce que vous êtes abonné aux actualités de {organisation}."
        ),
        "unsubscribe_note_plain": "Vous recevez cette lettre parce que vous y êtes abonné.",
        "in_this_issue": "Dans ce numéro",
        "and_more": "et {count} autres",
        "digest_title": "Actualités {organisation} : {period}",
        "digest_title_plain": "Actualités : {period}",
        "back_to_contents": "Retour au sommaire",
        "lead_story": "À la une",
    },
    "es": {
        "read_more": "Leer más",
        "read_more_aria": "Leer más: {title}",
        "web_version": "Ver este correo en el navegador",
        "unsubscribe": "Darse de baja",
        "unsubscribe_note": (
            "Recibe este boletín porque se suscribió a las noticias de {organisation}."
        ),
        "unsubscribe_note_plain": "Recibe este boletín porque se suscribió a él.",
        "in_this_issue": "En este número",
        "and_more": "y {count} más",
        "digest_title": "Noticias de {organisation}: {period}",
        "digest_title_plain": "Noticias: {period}",
        "back_to_contents": "Volver al índice",
        "lead_story": "Destacado",
    },
    "it": {
        "read_more": "Continua a leggere",
        "read_more_aria": "Continua a leggere: {title}",
        "web_version": "Visualizza questa email nel browser",
        "unsubscribe": "Annulla l'iscrizione",
        "unsubscribe_note": (
            "Ricevi questa newsletter perché ti sei iscritto alle notizie di {organisation}."
        ),
        "unsubscribe_note_plain": "Ricevi questa newsletter perché ti sei iscritto.",
        "in_this_issue": "In questo numero",
        "and_more": "e altri {count}",
        "digest_title": "Notizie {organisation}: {period}",
        "digest_title_plain": "Notizie: {period}",
        "back_to_contents": "Torna al sommario",
        "lead_story": "In primo piano",
    },
    "nl": {
        "read_more": "Lees verder",
        "read_more_aria": "Lees verder: {title}",
        "web_version": "Bekijk deze e-mail in je browser",
        "unsubscribe": "Afmelden",
        "unsubscribe_note": (
            "Je ontvangt deze nieuwsbrief omdat je je hebt aangemeld voor nieuws van "
            "{organisation}."
        ),
        "unsubscribe_note_plain": "Je ontvangt deze nieuwsbrief omdat je je hebt aangemeld.",
        "in_this_issue": "In dit nummer",
        "and_more": "en nog {count}",
        "digest_title": "Nieuws van {organisation}: {period}",
        "digest_title_plain": "Nieuws: {period}",
        "back_to_contents": "Terug naar de inhoud",
        "lead_story": "Uitgelicht",
    },
    "pt": {
        "read_more": "Ler mais",
        "read_more_aria": "Ler mais: {title}",
        "web_version": "Ver este e-mail no navegador",
        "unsubscribe": "Cancelar a subscrição",
        "unsubscribe_note": (
            "Recebe este boletim porque subscreveu as notícias de {organisation}."
        ),
        "unsubscribe_note_plain": "Recebe este boletim porque o subscreveu.",
        "in_this_issue": "Nesta edição",
        "and_more": "e mais {count}",
        "digest_title": "Notícias {organisation}: {period}",
        "digest_title_plain": "Notícias: {period}",
        "back_to_contents": "Voltar ao índice",
        "lead_story": "Destaque",
    },
    "ar": {
        "read_more": "اقرأ المزيد",
        "read_more_aria": "اقرأ المزيد: {title}",
        "web_version": "اعرض هذه الرسالة في المتصفح",
        "unsubscribe": "إلغاء الاشتراك",
        "unsubscribe_note": "تصلك هذه النشرة لأنك اشتركت في أخبار {organisation}.",
        "unsubscribe_note_plain": "تصلك هذه النشرة لأنك اشتركت فيها.",
        "in_this_issue": "في هذا العدد",
        "and_more": "و{count} أخرى",
        "digest_title": "نشرة أخبار {organisation}: {period}",
        "digest_title_plain": "نشرة الأخبار: {period}",
        "back_to_contents": "العودة إلى المحتويات",
        "lead_story": "الخبر الرئيسي",
    },
    "he": {
        "read_more": "להמשך קריאה",
        "read_more_aria": "להמשך קריאה: {title}",
        "web_version": "לצפייה בדפדפן",
        "unsubscribe": "הסרה מרשימת התפוצה",
        "unsubscribe_note": "קיבלת את העלון כי נרשמת לחדשות של {organisation}.",
        "unsubscribe_note_plain": "קיבלת את העלון כי נרשמת אליו.",
        "in_this_issue": "בגיליון זה",
        "and_more": "ועוד {count}",
        "digest_title": "חדשות {organisation}: {period}",
        "digest_title_plain": "חדשות: {period}",
        "back_to_contents": "חזרה לתוכן העניינים",
        "lead_story": "הכתבה הראשית",
    },
}

#: Web-safe font stacks, by the name a theme chooses them with.
FONT_STACKS: dict[str, str] = {
    "system": (
        "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"
    ),
    "arial": "Arial, 'Helvetica Neue', Helvetica, sans-serif",
    "helvetica": "'Helvetica Neue', Helvetica, Arial, sans-serif",
    "verdana": "Verdana, Geneva, Tahoma, sans-serif",
    "trebuchet": "'Trebuchet MS', 'Lucida Grande', 'Lucida Sans Unicode', Tahoma, sans-serif",
    "tahoma": "Tahoma, Verdana, Geneva, sans-serif",
    "georgia": "Georgia, 'Times New Roman', Times, serif",
    "times": "'Times New Roman', Times, Georgia, serif",
    "palatino": "'Palatino Linotype', Palatino, 'Book Antiqua', Georgia, serif",
}

#: The font classic Outlook for Windows uses when a stack's first font is not installed.
MSO_FALLBACK_FONTS: dict[str, str] = {
    "system": "Arial, sans-serif",
    "georgia": "Georgia, serif",
    "times": "'Times New Roman', serif",
    "palatino": "Georgia, serif",
}


def locale_labels(locale: str) -> dict[str, str]:
    """The fixed words for ``locale`` (``de_AT`` uses ``de``), English where none are shipped."""
    language = locale.replace("-", "_").split("_")[0].lower()
    return {**DEFAULT_LABELS, **LOCALE_LABELS.get(language, {})}
