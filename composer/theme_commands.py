"""``newsdigest settings theme``: set and show the theme's fields (who sends, how it looks).

(Being written: registers nothing yet.)
"""

from __future__ import annotations

import argparse


def register(sections: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """Add ``theme`` to ``newsdigest settings``."""
