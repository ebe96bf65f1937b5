"""The import formats and the default category, without loading the importers.

``composer.library.importers`` brings feedparser, urllib.request, csv and more (about
0.2 s at start-up); the command line's argument parser and the window only need
these names. The importers take them from here too.
"""

from __future__ import annotations

#: The formats an importer exists for ("rss" covers RSS 2.0, RSS 1.0 and Atom; "html" a
#: saved listing page, a clipboard fragment or a single article page).
FORMATS = ("listing", "html", "rss", "csv", "json")

#: The category of entries that name none, unless the user gives another.
DEFAULT_CATEGORY = "News"
