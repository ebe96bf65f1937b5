"""Logging to a file in the user log folder, so unexpected errors are kept, not shown raw."""

from __future__ import annotations

import logging
import logging.handlers
import os
from pathlib import Path

import platformdirs

ENV_LOG_DIR = "NEWSDIGEST_LOG_DIR"
LOG_NAME = "newsdigest.log"


def log_dir() -> Path:
    """``$NEWSDIGEST_LOG_DIR``, else the per-user log folder of the platform."""
    override = os.environ.get(ENV_LOG_DIR)
    if override:
        return Path(override)
    return platformdirs.user_log_path("Newsdigest", appauthor=False)


def setup_logging(level: int = logging.INFO) -> Path | None:
    """Log to a rotating file (1 MB x 3); returns its path, or ``None`` if it cannot be created."""
    root = logging.getLogger()
    for handler in root.handlers:
        if isinstance(handler, logging.handlers.RotatingFileHandler):
            return Path(handler.baseFilename)
    path = log_dir() / LOG_NAME
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        return None
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(min(root.level, level) if root.level else level)
    return path
