"""Logging to a file in the user log folder, so unexpected errors are kept, not shown raw."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path
from typing import Any

import platformdirs

from composer.fileio import PRIVATE_FILE, make_private_folder, tighten

ENV_LOG_DIR = "NEWSDIGEST_LOG_DIR"
LOG_NAME = "newsdigest.log"


def log_dir() -> Path:
    """``$NEWSDIGEST_LOG_DIR``, else the per-user log folder of the platform."""
    override = os.environ.get(ENV_LOG_DIR)
    if override:
        return Path(override)
    return platformdirs.user_log_path("Newsdigest", appauthor=False)


def current_log_file() -> Path | None:
    """The file :func:`setup_logging` made the log go to, or ``None`` if there is none."""
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    return None


class _PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """Log files readable by their owner only: they name recipients and file paths."""

    def _open(self) -> Any:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
        fd = os.open(self.baseFilename, flags, PRIVATE_FILE)
        return open(fd, self.mode, encoding=self.encoding, errors=self.errors)  # noqa: PTH123


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file (1 MB x 3); returns its path, or ``None`` if it cannot be created.

    Called once more (the GUI calls it too), it keeps the file already set up.
    """
    current = current_log_file()
    if current is not None:
        return current
    root = logging.getLogger()
    path = log_dir() / LOG_NAME
    try:
        make_private_folder(path.parent)
        handler = _PrivateRotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
        tighten(path)
    except OSError:
        return None
    handler.setFormatter(
        logging.Formatter("%(asctime)s %(levelname)s %(name)s [%(threadName)s]: %(message)s")
    )
    root.addHandler(handler)
    root.setLevel(min(root.level, level) if root.level else level)
    return path
