"""Newsdigest's pure core: news items, digests, importers, rendering and export.

Nothing in this package imports Qt, TinyDB or the ``store`` package, with one
exception: :mod:`composer.cli`, the composition root that wires the store and
the core together for the ``newsdigest`` command.
"""

from importlib import metadata as _metadata

try:
    __version__ = _metadata.version("newsdigest")
except _metadata.PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+unknown"
