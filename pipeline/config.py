"""Where trajectory keeps its data, read from the environment at call time (never at import).

``TRAJECTORY_DATABASE_URL`` wins; otherwise a SQLite file ``trajectory.db`` in
``TRAJECTORY_DATA_DIR`` (default: ``$XDG_DATA_HOME/trajectory`` or ``~/.local/share/trajectory``).
The configuration file (retention, the nightly run) is ``TRAJECTORY_CONFIG`` or ``config.yaml``
in the data dir; the secret key for keyed hashes of candidate ids is ``TRAJECTORY_SECRET_KEY``,
else the file ``TRAJECTORY_SECRET_KEY_FILE``, else ``secret.key`` in the data dir (created on
first use).

Private by default: the data dir is made 0700 and every file trajectory writes there (the
database, the key) 0600, whatever the umask (:func:`private_dir`, :func:`private_file`).
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.datafiles import shipped_rubrics_dir
from pipeline.errors import ConfigError
from pipeline.limits import ResumeLimits

DATABASE_URL_ENV = "TRAJECTORY_DATABASE_URL"
DATA_DIR_ENV = "TRAJECTORY_DATA_DIR"
CONFIG_ENV = "TRAJECTORY_CONFIG"
SECRET_KEY_ENV = "TRAJECTORY_SECRET_KEY"
SECRET_KEY_FILE_ENV = "TRAJECTORY_SECRET_KEY_FILE"
MIN_KEY_CHARS = 32


def data_dir() -> Path:
    """The directory for the default SQLite database (not created here)."""
    explicit = os.environ.get(DATA_DIR_ENV)
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_DATA_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".local" / "share"
    return base / "trajectory"


PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def private_dir(path: Path) -> Path:
    """Create ``path`` (and its parents) if missing and make it 0700: only its owner may list
    or enter it. An existing folder of another owner is left as it is. Returns ``path``."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    _tighten(path, PRIVATE_DIR_MODE)
    return path


def private_file(path: Path) -> Path:
    """Create ``path`` empty if missing (0600 from the start: no moment when another user could
    open it) or take group and other bits off an existing file. Returns ``path``."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0),
                         PRIVATE_FILE_MODE))
    except OSError as err:
        raise ConfigError(f"{path}: cannot create the file ({err.strerror})") from err
    _tighten(path, PRIVATE_FILE_MODE)
    return path


def _tighten(path: Path, mode: int) -> None:
    try:
        info = path.stat()
        if info.st_uid == os.getuid() and stat.S_IMODE(info.st_mode) != mode:
            path.chmod(mode)
    except OSError:  # not ours to change (a shared folder): the caller's choice stands
        pass


def database_url(explicit: str | None = None) -> str:
    """The database URL to use: ``explicit``, else the environment, else the SQLite default."""
    if explicit:
        return explicit
    from_env = os.environ.get(DATABASE_URL_ENV)
    if from_env:
        return from_env
    return f"sqlite:///{data_dir() / 'trajectory.db'}"


def config_file(explicit: Path | None = None) -> Path | None:
    """The configuration file to read: ``explicit``, else ``$TRAJECTORY_CONFIG``, else
    ``config.yaml`` in the data dir if it exists, else None (built-in defaults)."""
    if explicit is not None:
        return explicit
    from_env = os.environ.get(CONFIG_ENV)
    if from_env:
        return Path(from_env).expanduser()
    default = data_dir() / "config.yaml"
    return default if default.is_file() else None


def secret_key() -> bytes:
    """The key of the keyed hashes (HMAC) that stand for candidate ids in tombstones and the
    audit log.

    ``$TRAJECTORY_SECRET_KEY`` (at least 32 characters), else the contents of
    ``$TRAJECTORY_SECRET_KEY_FILE``, else ``secret.key`` in the data dir, which is created with
    0600 permissions and 32 random bytes the first time a key is needed. Every process that
    shares a database must use the same key: tombstones written under another key are refused
    (see ``pipeline.privacy.erase``), never silently ignored.
    """
    from_env = os.environ.get(SECRET_KEY_ENV)
    if from_env:
        if len(from_env) < MIN_KEY_CHARS:
            raise ConfigError(f"${SECRET_KEY_ENV} is {len(from_env)} characters; "
                              f"use at least {MIN_KEY_CHARS} (e.g. 64 random hex digits)")
        return from_env.encode("utf-8")
    key_file = os.environ.get(SECRET_KEY_FILE_ENV)
    if key_file:
        return _read_key_file(Path(key_file).expanduser())
    path = private_dir(data_dir()) / "secret.key"
    try:
        # O_EXCL: two processes starting at once cannot both write a different key.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return _read_key_file(path)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return _read_key_file(path)


def _read_key_file(path: Path) -> bytes:
    try:
        mode = path.stat().st_mode
        key = path.read_text(encoding="utf-8").strip()
    except OSError as err:
        raise ConfigError(f"{path}: cannot read the secret key ({err.strerror})") from err
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path}: secret key file is accessible to other users "
                          f"(mode {stat.S_IMODE(mode):04o}); run chmod 600 {path}")
    if len(key) < MIN_KEY_CHARS:
        raise ConfigError(f"{path}: secret key is {len(key)} characters; "
                          f"use at least {MIN_KEY_CHARS}")
    return key.encode("utf-8")


# --- the nightly run's settings (the ``nightly:`` section of the configuration file) -------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class FolderSourceSettings(_Strict):
    """The regular, non-hidden files directly in ``path``."""

    kind: Literal["folder"] = "folder"
    path: Path


class S3SourceSettings(_Strict):
    """The objects under ``prefix`` in ``bucket``; ``endpoint_url`` for MinIO, moto, etc."""

    kind: Literal["s3"]
    bucket: str = Field(min_length=3)
    prefix: str = ""
    endpoint_url: str | None = None
    region: str | None = None


class JsonLinesSourceSettings(_Strict):
    """An applicant-tracking-system export: one ``{"id": …, "text": …}`` object per line."""

    kind: Literal["jsonl"]
    path: Path


SourceSettings = Annotated[
    FolderSourceSettings | S3SourceSettings | JsonLinesSourceSettings,
    Field(discriminator="kind"),
]


class ScheduleSettings(_Strict):
    """When ``trajectory serve`` runs the nightly flow: a cron line in a time zone (IANA)."""

    cron: str = "0 2 * * *"
    timezone: str = "UTC"


class LimitSettings(_Strict):
    """The ``limits:`` section: the work one resume may cost (``pipeline.limits``) and how
    long a run may go without finishing before another process may call it abandoned."""

    max_chars: int = Field(default=200_000, ge=1)
    max_units: int = Field(default=2_000, ge=1)
    max_unit_chars: int = Field(default=10_000, ge=2)
    max_token_chars: int = Field(default=200, ge=1)
    max_repeat: int = Field(default=32, ge=1)
    run_age_limit_hours: float = Field(default=24.0, gt=0)

    @model_validator(mode="after")
    def _token_below_unit(self) -> LimitSettings:
        if self.max_token_chars >= self.max_unit_chars:
            raise ValueError(f"max_token_chars ({self.max_token_chars}) must be below "
                             f"max_unit_chars ({self.max_unit_chars})")
        return self

    def resume_limits(self) -> ResumeLimits:
        """These limits as the record the stages take."""
        return ResumeLimits(max_chars=self.max_chars, max_units=self.max_units,
                            max_unit_chars=self.max_unit_chars,
                            max_token_chars=self.max_token_chars, max_repeat=self.max_repeat)


class NightlySettings(_Strict):
    """What the nightly run reads, which rubrics it scores and where it writes.

    ``sources`` defaults to the folder ``inbox`` in the data dir; ``rubrics`` to every
    ``*.yaml`` in the shipped ``rubrics/``; ``out_dir`` to ``shortlists`` in the data dir.
    """

    sources: tuple[SourceSettings, ...] = ()
    rubrics: tuple[Path, ...] = ()
    out_dir: Path | None = None
    top: int = Field(default=10, ge=1, description="rows of each shortlist in the artifact")
    max_file_mb: float = Field(default=5.0, gt=0)
    lock_timeout_minutes: int = Field(default=240, ge=1)
    schedule: ScheduleSettings = ScheduleSettings()

    def resolved_sources(self) -> tuple[SourceSettings, ...]:
        return self.sources or (FolderSourceSettings(path=data_dir() / "inbox"),)

    def resolved_rubrics(self) -> tuple[Path, ...]:
        if self.rubrics:
            return self.rubrics
        return tuple(sorted(shipped_rubrics_dir().glob("*.yaml")))

    def resolved_out_dir(self) -> Path:
        return self.out_dir if self.out_dir is not None else data_dir() / "shortlists"
