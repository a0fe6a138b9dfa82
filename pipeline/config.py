"""Where trajectory keeps its data, read from the environment at call time (never at import).

``TRAJECTORY_DATABASE_URL`` wins; otherwise a SQLite file ``trajectory.db`` in
``TRAJECTORY_DATA_DIR`` (default: ``$XDG_DATA_HOME/trajectory`` or ``~/.local/share/trajectory``).
"""

from __future__ import annotations

import os
from pathlib import Path

DATABASE_URL_ENV = "TRAJECTORY_DATABASE_URL"
DATA_DIR_ENV = "TRAJECTORY_DATA_DIR"


def data_dir() -> Path:
    """The directory for the default SQLite database (not created here)."""
    explicit = os.environ.get(DATA_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "trajectory"


def database_url(explicit: str | None = None) -> str:
    """The database URL to use: ``explicit``, else the environment, else the SQLite default."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_URL_ENV)
    if from_env:
        return from_env
    return f"sqlite:///{data_dir() / 'trajectory.db'}"
