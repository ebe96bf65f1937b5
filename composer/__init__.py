"""Newsdigest's pure core: news items, digests, importers, rendering and export.

Nothing in this package imports Qt, TinyDB or the ``store`` package, with one
exception: :mod:`composer.cli.main`, the composition root that wires the store and
the core together for the ``newsdigest`` command.

``composer.__version__`` is looked up on first use (see :mod:`composer.version`).
"""


def __getattr__(name: str) -> str:
    if name == "__version__":
        from composer.version import version

        return version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
