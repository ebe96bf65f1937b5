"""What each line of a pasted news listing is: a date line, a label, a link, furniture or text.

A *date line* is a short line holding a date (:func:`composer.library.dates.find_date`):
alone (``31 January 2023``), after a label (``Publishing date: 22 January 2025``),
in a CMS stamp of short parts (``IOM - News - Ven, 03/17/2017 - 10:33``,
``November 7, 2016 | Office of the Mayor``), before a title (``05.11.2018 Zahlen
zur Mittelmeerroute``) or inside a short line (``Comité de Bioéthique 4 juin 2019
Strasbourg``). A date inside a paragraph is not one. A date label ("Published on", "Publié le",
"Veröffentlicht am", "نشر في:") or a weekday ("Di,", "Wed") beside the date is
neither a title nor a category; a line whose label says it was updated ("Mis à
jour le 5 mars 2024") is marked so (:attr:`DateLine.updated`).

A *vague date line* (:func:`read_vague_date_line`) stands where a date line would
but gives no year or a relative date ("2 days ago", "Publié le 3 mars").

A *label* line is ``Label: value`` with a label we know ("Content type", "Tags",
"Where we are") or one that the paste repeats; "Content type", "Type",
"Category" and their translations give the story's category.
"""

from __future__ import annotations

import dataclasses
import re

from composer.library.dates import FoundDate, find_date, is_decoration, vague_date
from composer.text import fold

READ_MORE_WORDS = (
    r"read more|read the full (?:story|article)|read full (?:story|article)|continue reading"
    r"|learn more|find out more|more|lire la suite|en savoir plus|lire plus|weiterlesen"
    r"|mehr lesen|mehr erfahren|mehr|leer más|leer mas|seguir leyendo|ver más|leggi di più"
    r"|leggi tutto|lees meer|saiba mais|leia mais|czytaj więcej|devamını oku|подробнее"
    r"|читать далее|читати далі|докладніше|اقرأ المزيد|المزيد|阅读更多|了解更多|查看更多|閱讀更多"
)
_READ_MORE = re.compile(rf"^(?:{READ_MORE_WORDS})[\W_]*$", re.IGNORECASE)
# "Mehr: Externer Link: Zum Artikel ...", "Read more: the full report"
_READ_MORE_LEAD = re.compile(rf"^(?:{READ_MORE_WORDS})\s*[:：»›>→]", re.IGNORECASE)
URL_LINE = re.compile(rf"^(?:(?:{READ_MORE_WORDS})[\W_]*)?(https?://\S+)$", re.IGNORECASE)
# Carousel counters and pagers: "1 / 5", "2 of 10".
_COUNTER = re.compile(r"^\d{1,3}\s*(?:/|of|de|von|sur|di|из|من)\s*\d{1,3}$", re.IGNORECASE)
_LABEL = re.compile(r"^([^\W\d_][^:：]{0,40}?)\s*[:：]\s*(.*)$")
_SEPARATOR = re.compile(r"\s+[|·•–—\-/]\s+|\s*[|·•]\s*")
_SEPARATOR_CHARS = "|·•–—-/"
_READING_TIME = re.compile(
    r"(?:\d+\s*(?:min(?:ute)?s?|minuten|minutos?|minuti|dakika|мин(?:ут[аы]?)?|分钟|分)\.?"
    r"(?:\s+(?:read|reading|de lecture|de lectura|lesezeit|di lettura|de leitura|okuma))?"
    r"|(?:\d+\s*)?(?:من\s+)?(?:الدقائق|دقائق|دقيقة|دقيقتان)(?:\s+واحدة)?)",
    re.IGNORECASE,
)
# "at 10:30 am", "um 10:30 Uhr", "à 10h30": a clock time beside the date.
_CLOCK = re.compile(
    r"(?:\b(?:at|um|à|a las|alle|om|kl\.?)\s+)?\b\d{1,2}[:h.]\d{2}(?::\d{2})?"
    r"(?:\s*(?:[aApP]\.?\s?[mM]\.?|uhr|h)(?!\w))?",
    re.IGNORECASE,
)
# "by Jane Doe", "von Redaktion", "par la rédaction": an author beside the date.
_AUTHOR = re.compile(r"^(?:by|von|par|por|di|door|av|af|przez|автор)\s+\S", re.IGNORECASE)
_TRAILING_AUTHOR = re.compile(r"\s+(?:by|von|par|por|door|przez)\s+\S.*$", re.IGNORECASE)
# "3 comments", "No comments": a comment counter.
_COMMENTS = re.compile(
    r"^(?:\d+|no|keine|aucun|sin)\s+(?:comments?|kommentare?|commentaires?|comentarios?"
    r"|commenti|reacties|replies|responses?|réponses?)$",
    re.IGNORECASE,
)
_POSTED_BY = re.compile(
    r"^(?:submitted|posted|published|written|created|geschrieben|erstellt|veröffentlicht"
    r"|publié|rédigé|publicado|escrito|pubblicato|scritto|gepubliceerd|geplaatst)"
    r"\s+(?:by|von|par|por|da|di|door)\s",
    re.IGNORECASE,
)
# "in News", "Posted in Events": the category a date line names.
_IN_CATEGORY = re.compile(
    r"^(?:posted in|filed under|published in|in|en|im|dans|em|nel|w)\s+(?=\S)", re.IGNORECASE
)
_POSTED_WORDS = frozenset(
    [
        "posted",
        "published",
        "publishing",
        "updated",
        "last",
        "modified",
        "on",
        "date",
        "dated",
        "the",
        "at",
        "le",
        "publié",
        "publie",
        "mis",
        "à",
        "jour",
        "am",
        "veröffentlicht",
        "aktualisiert",
        "stand",
        "el",
        "publicado",
        "actualizado",
        "pubblicato",
        "il",
        "aggiornato",
        "em",
        "op",
        "gepubliceerd",
        "bijgewerkt",
        "modifié",
        "geändert",
        "modificado",
        "atualizado",
        "publicada",
        "publiée",
        "erschienen",
        "نشر",
        "نُشر",
        "في",
        "بتاريخ",
        "تاريخ",
        "النشر",
        "آخر",
        "تحديث",
        "تم",
    ]
)
# "Updated", "Mis à jour", "Aktualisiert": a second date line of a story, not a story's date.
_UPDATED = re.compile(
    r"(?<!\w)(?:updated|last updated|modified|last modified|mis à jour|mise à jour|modifié"
    r"|aktualisiert|geändert|stand|actualizado|modificado|aggiornato|modificato|atualizado"
    r"|bijgewerkt|gewijzigd|zaktualizowano|обновлено|оновлено|güncellendi|تحديث|更新)(?!\w)",
    re.IGNORECASE,
)

_DATE_STEMS = (
    "date",
    "datum",
    "fecha",
    "data",
    "publi",
    "posted",
    "updated",
    "stand",
    "дата",
    "опубл",
    "تاريخ",
    "日期",
    "发布",
    "日付",
    "veröffentlicht",
    "erschien",
    "opublik",
    "опублік",
    "yayın",
    "aktualis",
    "actualiz",
    "aggiorn",
    "atualiz",
    "mis à jour",
    "نشر",
    "发表",
    "公開",
    "投稿",
)
#: Labels whose value is the story's category.
CATEGORY_LABELS = frozenset(
    {
        "content type",
        "type",
        "category",
        "categories",
        "kategorie",
        "kategorien",
        "inhaltstyp",
        "catégorie",
        "catégories",
        "type de contenu",
        "rubrique",
        "rubrik",
        "categoría",
        "categorías",
        "categoria",
        "categorie",
        "tipo",
        "tipo de contenido",
        "typ",
        "section",
        "sección",
        "format",
        "genre",
    }
)
#: Labels that describe a story without being its text.
KNOWN_LABELS = CATEGORY_LABELS | frozenset(
    {
        "tags",
        "tag",
        "topics",
        "topic",
        "themes",
        "theme",
        "issues",
        "issue",
        "where we are",
        "what we do",
        "author",
        "authors",
        "by",
        "posted in",
        "filed under",
        "location",
        "region",
        "country",
        "countries",
        "keywords",
        "source",
        "schlagwörter",
        "schlagworte",
        "thema",
        "themen",
        "autor",
        "ort",
        "quelle",
        "étiquettes",
        "mots-clés",
        "mots clés",
        "sujets",
        "thèmes",
        "auteur",
        "lieu",
        "etiquetas",
        "temas",
        "tema",
        "lugar",
        "fuente",
        "palabras clave",
    }
)
_EDGE_PUNCTUATION = " ,;:-–—|·•"
_SHORT_WORD = re.compile(r"^[^\W\d_]{2}[.,]$")
_SEPARATORS = frozenset("|·•–—-/")
_TIME_WORD = re.compile(r"^[\W_]*\d{1,2}[:h.]\d{2}(?::\d{2})?[\W_]*$|^[\W_]+$|^[aApP]\.?[mM]\.?$")
_MAX_DATE_LINE = 160
_MAX_INNER_LINE = 80
_MAX_LEAD_WORDS = 12
_MIN_TITLE_PART_WORDS = 3
_MAX_META_WORDS = 8


def is_read_more(line: str) -> bool:
    """A "Read more" / "Leer más" / "Mehr: …" line: never a title, never story text."""
    return _READ_MORE.match(line) is not None or (
        _READ_MORE_LEAD.match(line) is not None and URL_LINE.match(line) is None
    )


def is_noise(line: str) -> bool:
    """Page furniture with nothing to read: "»", a counter "1 / 5", "3 comments"."""
    if not any(char.isalnum() for char in line):
        return True
    return _COUNTER.match(line) is not None or _COMMENTS.match(line) is not None


def label_of(line: str) -> tuple[str, str] | None:
    """``("content type", "News")`` for "Content type: News": a label and its value."""
    m = _LABEL.match(line)
    if m is None or len(m[1].split()) > 4:
        return None
    return fold(m[1]), m[2].strip()


@dataclasses.dataclass(frozen=True)
class DateLine:
    """A line that holds a story's date, and what else it says.

    ``kind``: "alone" (the date, maybe with a label, weekday or time), "stamp" (short
    parts between separators), "lead" (the date, then text: a title or a label),
    "trail" (text, then the date), "inner" (text on both sides).
    ``rest`` is the text beside the date for "lead" and "trail"; ``meta`` the short
    parts beside it that may name a category.
    """

    index: int
    line: str
    found: FoundDate
    kind: str
    rest: str = ""
    meta: tuple[str, ...] = ()
    #: The label before the date says the story was updated then ("Mis à jour le").
    updated: bool = False

    @property
    def strong(self) -> bool:
        """True for a line that is plainly a date line (alone or a CMS stamp)."""
        return self.kind in ("alone", "stamp")


def _strip_edge_decoration(text: str, *, at_end: bool) -> str:
    """``text`` without what goes with the date: a weekday before it, a time either side."""
    words = text.split()
    while words:
        edge = words[-1] if at_end else words[0]
        if not (is_decoration(edge) if at_end else _TIME_WORD.match(edge)):
            break
        if at_end and _SHORT_WORD.match(edge) and len(words) > 1 and words[-2] not in _SEPARATORS:
            break  # "Di," opens a line or a stamp's part; "… Besucher an, 28.08.2018" is text
        if at_end:
            words.pop()
        else:
            words.pop(0)
    return " ".join(words)


def _parts(text: str) -> list[str]:
    """The short parts beside a date, without reading times, clock times and authors."""
    parts = []
    for raw in _SEPARATOR.split(text):
        part = _CLOCK.sub("", _READING_TIME.sub("", raw)).strip(_EDGE_PUNCTUATION + ".")
        part = _TRAILING_AUTHOR.sub("", _IN_CATEGORY.sub("", part))
        if not part or is_decoration(part) or is_decoration(raw.strip(" |·•")):
            continue  # nothing left, or a weekday ("Di,")
        if not _AUTHOR.match(part) and not _is_date_label(part):
            parts.append(part)
    return parts


def _stands_apart(line: str, start: int, end: int) -> bool:
    """True when the date is set apart by spaces or a separator ("A,2023-01-31" is data)."""
    before = line[start - 1] if start > 0 else " "
    after = line[end] if end < len(line) else " "
    return (before.isspace() or before in "([|·•") and (
        after.isspace() or after in ")]|·•.,;:" or not after.isalnum()
    )


def _is_date_label(prefix: str) -> bool:
    """ "Publishing date:", "Posted on", "Fecha:", "Veröffentlichungsdatum:" before a date."""
    words = prefix.split()
    if _POSTED_BY.match(prefix) and len(words) <= 8:  # "Submitted by Jane Roe on"
        return True
    if not words or len(words) > 4:
        return False
    if all(fold(word) in _POSTED_WORDS for word in words):
        return True
    if not prefix.rstrip(" ,").endswith((":", "：")):
        return False
    folded = fold(prefix)
    return any(stem in folded for stem in _DATE_STEMS)


def read_date_line(index: int, line: str) -> DateLine | None:
    """The date line ``line`` is, or None when it holds no date or is a paragraph."""
    if len(line) > _MAX_DATE_LINE:
        return None
    found = find_date(line)
    if found is None or not _stands_apart(line, found.start, found.end):
        return None
    prefix = _strip_edge_decoration(line[: found.start], at_end=True)
    suffix = _strip_edge_decoration(line[found.end :], at_end=False)
    updated = _UPDATED.search(line[: found.start]) is not None
    if _is_date_label(prefix):
        prefix = ""
    # A stamp: a separator next to the date, or only a time between the two.
    pieces_before = _SEPARATOR.split(line[: found.start].rstrip())
    pieces_after = _SEPARATOR.split(line[found.end :].lstrip())
    stamp = (
        (len(pieces_before) > 1 or len(pieces_after) > 1)
        and not _parts(pieces_before[-1])
        and not _parts(pieces_after[0])
    )
    before, after = _parts(prefix), _parts(suffix)
    if not before and not after:
        return DateLine(index, line, found, "alone", updated=updated)
    if stamp:
        parts = (*before, *after)
        long = [p for p in parts if any(len(i.split()) > _MAX_META_WORDS for i in p.split(","))]
        if len(long) > 1:
            return None
        # A row copied from a table, "31 January 2023 | Title of the story | Press release":
        # the one long part may be the title.
        rest = long[0] if long else ""
        if not rest and len(parts) > 1:
            longest = max(parts, key=len)
            rest = longest if len(longest.split()) >= _MIN_TITLE_PART_WORDS else ""
        elif not rest and after and len(after[0].split()) > 1:
            rest = after[0]  # "05.11.2018 – Title", or "May 5, 2016 | Office of the Mayor"
        return DateLine(index, line, found, "stamp", rest=rest, meta=parts, updated=updated)
    if not before:
        rest = suffix.strip(_EDGE_PUNCTUATION)
        if len(rest.split()) > _MAX_LEAD_WORDS and rest.endswith((".", "!", "?", "…")):
            return None  # "5 May 2020 The ministry said that ...": a paragraph
        return DateLine(index, line, found, "lead", rest=rest, meta=tuple(after), updated=updated)
    if len(line) > _MAX_INNER_LINE:
        return None
    if not after:
        rest = prefix.strip(_EDGE_PUNCTUATION)
        return DateLine(index, line, found, "trail", rest=rest, meta=tuple(before), updated=updated)
    return DateLine(index, line, found, "inner", meta=(*before, *after), updated=updated)


def read_vague_date_line(line: str) -> str | None:
    """Why ``line`` is a date line that cannot be read ("relative", "no year"), or None.

    The whole line is the date, maybe after a label: "2 days ago", "Posted: March 3",
    "Publié le 3 mars", "Veröffentlicht vor 2 Tagen".
    """
    if len(line) > _MAX_INNER_LINE:
        return None
    reason = vague_date(line)
    if reason is not None:
        return reason
    label, colon, value = line.partition(":")
    if not colon:
        label, colon, value = line.partition("：")
    if colon and _is_date_label(label + colon):
        return vague_date(value)
    words = line.split()
    for count in range(1, min(4, len(words) - 1) + 1):
        if not all(fold(word) in _POSTED_WORDS for word in words[:count]):
            break
        reason = vague_date(" ".join(words[count:]))
        if reason is not None:
            return reason
    return None
