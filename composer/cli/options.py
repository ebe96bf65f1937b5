"""argparse pieces the command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

from composer.theme.model import LAYOUTS

#: The shipped layouts ``--theme`` offers.
THEME_CHOICES = tuple(LAYOUTS)


def add_theme_option(parser: argparse.ArgumentParser) -> None:
    """``--theme NAME``: render in another shipped layout for this run."""
    parser.add_argument(
        "--theme",
        metavar="NAME",
        choices=THEME_CHOICES,
        help=f"the layout: {', '.join(THEME_CHOICES)} (default: the digest's, else the theme "
        "settings')",
    )


class ShowAction(argparse.Action):
    """``--show``: only reads, so the library is opened without its lock."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=False, **kwargs)

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        setattr(namespace, self.dest, True)
        namespace.library_read_only = True
