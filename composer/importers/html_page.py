"""Reading news items from HTML: a saved listing page, a clipboard fragment, an article page.

(Placeholder while the HTML importer is written: it refuses every page.)
"""

from __future__ import annotations

from composer.errors import SourceError
from composer.importers.base import DEFAULT_CATEGORY, ImportReport


def parse_html(
    data: str | bytes,
    *,
    source: str,
    item_source: str | None = None,
    default_category: str = DEFAULT_CATEGORY,
    base_url: str | None = None,
    page_url: str | None = None,
    content_type: str | None = None,
) -> ImportReport:
    """Read the stories of an HTML page or fragment (see the module's docstring)."""
    raise SourceError(source, "HTML pages cannot be read yet")
