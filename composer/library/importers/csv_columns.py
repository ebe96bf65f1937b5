"""Which item field each column of a CSV header fills: names, aliases and their ranks.

Headers are compared with case, accents, spacing and punctuation ignored, and
camelCase split (``Post Title``, ``post_title``, ``postTitle`` and ``POST-TITLE`` are
one name). A header is known by its exact name (the README's column names, the
columns of WordPress and Drupal Views exports, the usual names in the common
European languages), else by a word in it (``Publication date``, ``Titre de
l'article``). Each known name has a rank: when several columns could fill a field,
the best ranked is used (``post_excerpt`` before ``post_content``, ``Categories``
before ``Type``, ``post_date`` before ``post_modified``).

A full-text column (``post_content``, ``Body``) fills the summary only where no
excerpt column does; it is the internal field :data:`BODY`.

:func:`header_languages` tells the language a header row is written in (``Titre``,
``Résumé``: French), which hints at how its slash dates are ordered.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

#: The item fields a column can fill, in the order messages list them.
COLUMNS = ("category", "title", "date", "summary", "url", "image_url", "image_alt", "tags")

#: The internal field of a full-text column: the summary where the excerpt is empty.
BODY = "body"


def _words(text: str) -> list[str]:
    """The names in a space-separated list."""
    return text.split()


# Ranks: 0 the field's own name, 1 a usual alias (CMS exports, other languages), 2 a
# word in the header, 3 a weaker stand-in (a content type for the category, a
# modification date for the date): used only when nothing better names the field.
_NAMES: dict[str, tuple[str, str]] = {
    "title": (
        "title",
        "post_title headline heading news_title article_title titel titre titulo titolo "
        "tytul titulek otsikko overskrift uberschrift schlagzeile baslik kop cim naslov "
        "zaglavie zagolovok заголовок название nazev",
    ),
    "date": (
        "date",
        "post_date authored_on authored published published_at published_on publish_date "
        "publication_date "
        "date_published pub_date pubdate posted posted_on created date_created created_at "
        "created_on sort_date release_date datum fecha data dato datetime "
        "date_de_publication publie_le veroffentlicht veroffentlicht_am "
        "veroffentlichungsdatum erscheinungsdatum erstellt erstellt_am fecha_de_publicacion "
        "publicado data_di_pubblicazione pubblicato data_de_publicacao publicatiedatum "
        "gepubliceerd data_publikacji publiceringsdatum publiceret julkaistu tarih дата",
    ),
    "category": (
        "category",
        "categories post_category kategorie kategorien categorie categoria categorias "
        "kategoria kategori kategorier kategorija rubrique rubrik ressort section sektion "
        "seccion sezione secao sectie news_category категория рубрика",
    ),
    "summary": (
        "summary",
        "post_excerpt excerpt teaser description abstract lead intro introduction standfirst "
        "blurb resume chapeau chapo extrait accroche zusammenfassung kurzbeschreibung "
        "kurztext anriss beschreibung vorspann resumen extracto entradilla descripcion "
        "riassunto sommario estratto descrizione resumo descricao samenvatting beschrijving "
        "streszczenie opis sammanfattning beskrivning ingress ingressi tiivistelma аннотация "
        "описание",
    ),
    BODY: (
        "",
        "post_content content body text full_text inhalt texte contenu corps contenido "
        "cuerpo texto contenuto testo conteudo inhoud tekst tresc innehall brodtext sisalto "
        "текст",
    ),
    "url": (
        "url",
        "link permalink page_path page_url article_url news_url web_address href uri lien "
        "adresse enlace vinculo collegamento ligacao verweis adres odkaz lank linkki ссылка "
        "canonical_url",
    ),
    "image_url": (
        "image_url",
        "image picture photo thumbnail featured_image featured_image_url image_src img bild "
        "bild_url vorschaubild titelbild foto imagen immagine imagem afbeelding obraz "
        "zdjecie kuva изображение",
    ),
    "image_alt": (
        "image_alt image_alt_text alt_text alt",
        "image_caption caption legende texte_alternatif "
        "bildunterschrift alternativtext bildbeschreibung pie_de_foto texto_alternativo "
        "didascalia bijschrift",
    ),
    "tags": (
        "tags",
        "tag post_tags keywords topics schlagworter schlagworte stichworter mots_cles "
        "etiquettes etiquetas palabras_clave parole_chiave etichette trefwoorden tagi "
        "slowa_kluczowe nyckelord теги",
    ),
}
_WEAK: dict[str, str] = {
    "title": "name subject betreff objet asunto oggetto onderwerp",
    "category": "type content_type inhaltstyp type_de_contenu tipo tipo_de_contenido typ",
    "url": "guid path",
    "date": "post_modified modified updated changed date_modified last_modified updated_at "
    "post_date_gmt post_modified_gmt",
}

#: Columns of CMS exports that are no item field (ignored, and named in one warning).
KNOWN_OTHERS = frozenset(
    _words(
        "author comment_count comment_status id langcode language menu_order nid ping_status "
        "post_author post_id post_mime_type post_name post_parent post_password post_status "
        "post_type slug status uid uuid vid"
    )
)

# A word in the header, when the whole header is no known name (rank 2).
_WORDS_BY_FIELD: dict[str, str] = {
    "title": "title titel titre titulo titolo tytul headline uberschrift otsikko overskrift",
    "date": "date datum fecha data dato published publication veroffentlicht "
    "veroffentlichung publie publiee publicado pubblicato pubblicazione publicacion publicacao",
    "category": "category categories kategorie categorie categoria kategoria rubrique section",
    "summary": "summary excerpt teaser description abstract intro resume zusammenfassung "
    "resumen riassunto resumo samenvatting chapeau beschreibung descripcion",
    BODY: "content body text texte inhalt contenu contenido testo tekst",
    "url": "url link permalink lien enlace",
    "tags": "tags tag keywords schlagworter etiquetas",
}
_WORD_ORDER = ("date", "title", "url", "category", "tags", "summary", BODY)
_WORDS = {word: field for field, text in _WORDS_BY_FIELD.items() for word in _words(text)}
_IMAGE_WORDS = frozenset(
    _words(
        "image images img picture photo foto bild thumbnail thumb imagen immagine imagem "
        "afbeelding obraz zdjecie vorschaubild titelbild"
    )
)
_ALT_WORDS = frozenset(
    _words(
        "alt caption legende description beschreibung unterschrift bildunterschrift text "
        "title titel credit"
    )
)
_LATER_WORDS = frozenset(
    _words("modified updated changed geandert aktualisiert modifie modification gmt utc")
)

# Header names by the language they are written in: all of these languages write a slash
# date day first. Names shared by languages count for each ("Datum": German, Dutch,
# Swedish); English names and names common to many languages ("Data") are left out.
_LANGUAGES: dict[str, str] = {
    "French": "titre titre_de_l_article date_de_publication publie_le rubrique "
    "categorie resume chapeau chapo extrait accroche texte contenu corps lien adresse "
    "legende texte_alternatif mots_cles etiquettes auteur statut sous_titre",
    "German": "titel uberschrift schlagzeile datum veroffentlicht veroffentlicht_am "
    "veroffentlichungsdatum erscheinungsdatum erstellt erstellt_am kategorie kategorien "
    "rubrik ressort sektion zusammenfassung kurzbeschreibung kurztext anriss beschreibung "
    "vorspann inhalt verweis bild bild_url vorschaubild titelbild bildunterschrift "
    "alternativtext bildbeschreibung schlagworter schlagworte stichworter betreff autor",
    "Spanish": "titulo fecha fecha_de_publicacion publicado categoria categorias seccion "
    "resumen extracto entradilla descripcion contenido cuerpo texto enlace vinculo imagen "
    "pie_de_foto texto_alternativo etiquetas palabras_clave asunto autor",
    "Italian": "titolo data_di_pubblicazione pubblicato categoria sezione riassunto "
    "sommario estratto descrizione contenuto testo collegamento immagine didascalia "
    "parole_chiave etichette oggetto autore",
    "Portuguese": "titulo data_de_publicacao publicado categoria categorias secao resumo "
    "descricao conteudo texto ligacao imagem etiquetas autor",
    "Dutch": "titel kop datum publicatiedatum gepubliceerd categorie sectie samenvatting "
    "beschrijving inhoud tekst afbeelding bijschrift trefwoorden onderwerp auteur",
    "Polish": "tytul data_publikacji kategoria streszczenie opis tresc tekst obraz zdjecie "
    "tagi slowa_kluczowe autor",
    "Swedish": "titel rubrik datum publiceringsdatum kategori kategorier sammanfattning "
    "beskrivning ingress innehall brodtext lank nyckelord",
    "Danish or Norwegian": "overskrift dato publiceret kategori kategorier ingress",
    "Finnish": "otsikko julkaistu kategoria ingressi tiivistelma sisalto linkki kuva",
    "Turkish": "baslik tarih kategori",
    "Russian": "заголовок название дата категория рубрика аннотация описание текст ссылка "
    "изображение теги",
}

_CAMEL = re.compile(r"(?<=[a-z])(?=[A-Z])")
_NOT_WORD = re.compile(r"[\W_]+")
# Letters that no accent-stripping decomposes: "Tytuł", "Başlık", "Søgeord".
_LETTERS = str.maketrans({"ł": "l", "ı": "i", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "ð": "d"})
# Words that make a header another thing than the field its other word names: "Subtitle".
_NOT_THE_FIELD = frozenset(_words("sub sous unter untertitel"))


def header_key(header: str) -> str:
    """A header's name with case, accents, spacing and punctuation ignored: ``post_title``."""
    text = _CAMEL.sub(" ", header)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.translate(_LETTERS)
    return "_".join(word for word in _NOT_WORD.split(text) if word)


_LANGUAGE_OF: dict[str, set[str]] = {}
for _language, _text in _LANGUAGES.items():
    for _name in _words(_text):
        _LANGUAGE_OF.setdefault(header_key(_name), set()).add(_language)


def header_languages(headers: Sequence[str]) -> list[str]:
    """The languages (other than English) that most of ``headers`` are written in, or [].

    Each header counts for the languages its name, else a word of it, belongs to
    (``Titre de l'article``: French); the languages with the most headers are returned,
    in the order of :data:`_LANGUAGES` (``Titel;Datum``: German and Dutch, and Swedish).
    """
    counts: dict[str, int] = {}
    for header in headers:
        key = header_key(header)
        languages = _LANGUAGE_OF.get(key) or {
            language for word in key.split("_") for language in _LANGUAGE_OF.get(word, ())
        }
        for language in languages:
            counts[language] = counts.get(language, 0) + 1
    if not counts:
        return []
    best = max(counts.values())
    return [language for language in _LANGUAGES if counts.get(language) == best]


_RANKED: dict[str, tuple[str, int]] = {}
for _field, (_best, _usual) in _NAMES.items():
    for _rank, _text in ((0, _best), (1, _usual)):
        for _name in _words(_text):
            _RANKED.setdefault(header_key(_name), (_field, _rank))
for _field, _text in _WEAK.items():
    for _name in _words(_text):
        _RANKED.setdefault(header_key(_name), (_field, 3))


def ranked_field(header: str) -> tuple[str, int] | None:
    """The field a header names (an item field or :data:`BODY`) and its rank, or None."""
    key = header_key(header)
    if not key:
        return None
    if known := _RANKED.get(key):
        return known
    if key in KNOWN_OTHERS:
        return None
    words = key.split("_")
    later = any(word in _LATER_WORDS for word in words)
    if any(word in _IMAGE_WORDS for word in words):
        if any(word in _ALT_WORDS for word in words):
            return ("image_alt", 2)
        return ("image_url", 2)
    if any(word in _NOT_THE_FIELD for word in words):
        return None
    found = {_WORDS[word] for word in words if word in _WORDS}
    # "Content: Post date" is a date, "Body text" the full text: the most telling word wins
    field = next((f for f in _WORD_ORDER if f in found), None)
    if field is None:
        return None
    if (field == "date" and later) or "seo" in words or "meta" in words:
        return (field, 3)
    return (field, 2)


def column_field(header: str) -> str | None:
    """The item field a column header names ("Image URL" -> ``image_url``), or None."""
    known = ranked_field(header)
    if known is None:
        return None
    return "summary" if known[0] == BODY else known[0]


def mapping_key(header: str) -> str:
    """How a header and a ``--map`` column name are compared: case and spacing ignored."""
    return "".join(header.split()).casefold()
