"""Digests: the model (sections of items, overrides), its undoable operations, drafting.

``model`` holds :class:`Digest` and the rules on it (ordering, overrides, counts);
``operations`` are the edits, each with its inverse (the window's undo stack
replays them); ``editing`` applies them; ``drafting`` builds a month's digest
from the library.

May import: ``composer`` top-level modules, ``composer.library`` and ``composer.theme``.
Not: Qt, TinyDB, ``store``, ``ui``, ``composer.email``, ``composer.send``, ``composer.cli``.
"""
