"""argparse pieces the command modules share."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any


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
