"""The command line: argparse and printing only; ``main`` is the composition root.

``main`` is the one module of ``composer`` that opens the store (``store``) and
hands the library to the commands or to the window (``ui``, imported lazily).
The other modules declare a command's arguments and print its results; the work
is done by the core packages.

May import: everything in ``composer``; only ``main`` imports ``store`` and ``ui``.
"""
