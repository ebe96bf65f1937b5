"""The library of news items: the item model, dates, search, the sample, and the importers.

``item`` is the one model of a story (its canonical id, and :func:`same_story`);
``rules`` holds what every backend agrees on: the canonical item order and which
items are one story (duplicates); ``dates`` and ``date_names`` read dates
in any language; ``importers/`` turn listings, pages, feeds, spreadsheets and
clipboards into items with a report of what was rejected and why.

May import: ``composer`` top-level modules (errors, text, urls, repository).
Not: Qt, TinyDB, ``store``, ``ui``, nor the other subpackages (digest, email,
send, cli) — the library knows nothing of digests or email.
"""
