"""Digests: the model (sections of items, overrides), its undoable operations, drafting.

``model`` holds :class:`Digest` and the rules on it (ordering, overrides and the
one rule of what an item shows, ``shown_text``; counts); ``operations`` are the
edits, each with its inverse (the window's undo stack replays them) and the rows
it changes; ``events`` is the open digest as an evented document that applies
them and says which rows appear, go, move or change (the window's tree listens);
``editing`` plans gestures as operations; ``drafting`` builds a month's digest
from the library; ``listing`` lists and loads the digests a library saved.

May import: ``composer`` top-level modules, ``composer.library`` and ``composer.theme``.
Not: Qt, TinyDB, ``store``, ``ui``, ``composer.email``, ``composer.send``, ``composer.cli``.
"""
