"""Configuration: the secret key for keyed hashes, and where the config file is found."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.config import config_file, database_url, secret_key
from pipeline.errors import ConfigError


def test_config_secret_key_file_is_created_private_once(tmp_path: Path) -> None:
    key = secret_key()  # the autouse fixture points TRAJECTORY_DATA_DIR at tmp_path
    path = tmp_path / "trajectory-data" / "secret.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(key) == 64 and secret_key() == key


def test_config_secret_key_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY", "s" * 40)
    assert secret_key() == b"s" * 40
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY", "short")
    with pytest.raises(ConfigError, match="at least 32"):
        secret_key()


def test_config_secret_key_file_readable_by_others_is_refused(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "shared.key"
    path.write_text("k" * 64, encoding="utf-8")
    path.chmod(0o644)
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY_FILE", str(path))
    with pytest.raises(ConfigError, match="chmod 600"):
        secret_key()
    path.chmod(0o600)
    assert secret_key() == b"k" * 64


def test_config_file_lookup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert config_file() is None
    default = tmp_path / "trajectory-data" / "config.yaml"
    default.parent.mkdir(parents=True)
    default.write_text("retention: {}\n", encoding="utf-8")
    assert config_file() == default
    monkeypatch.setenv("TRAJECTORY_CONFIG", str(tmp_path / "other.yaml"))
    assert config_file() == tmp_path / "other.yaml"
    assert config_file(Path("explicit.yaml")) == Path("explicit.yaml")


@pytest.fixture()
def open_umask() -> Iterator[None]:
    """A umask that takes no permission away (0000), as a careless service manager sets."""
    import os

    previous = os.umask(0)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_config_data_dir_database_and_key_are_private_whatever_the_umask(
        tmp_path: Path, open_umask: None) -> None:
    from pipeline.store.db import open_store

    engine = open_store(database_url())
    try:
        with engine.begin() as connection:  # a write, so SQLite has made its journal files
            connection.exec_driver_sql("CREATE TABLE probe (x INTEGER)")
            connection.exec_driver_sql("INSERT INTO probe VALUES (1)")
        secret_key()
    finally:
        engine.dispose()
    folder = tmp_path / "trajectory-data"
    assert _mode(folder) == 0o700
    assert {p.name: _mode(p) for p in folder.iterdir()} == {
        "trajectory.db": 0o600, "secret.key": 0o600}


def test_config_existing_data_dir_and_database_are_made_private(tmp_path: Path) -> None:
    from pipeline.store.db import engine_for

    folder = tmp_path / "trajectory-data"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    database = folder / "trajectory.db"
    database.touch()
    database.chmod(0o644)  # as a version before issue 16 created it
    engine_for(database_url()).dispose()
    assert (_mode(folder), _mode(database)) == (0o700, 0o600)


def test_config_csv_exports_are_private_whatever_the_umask(tmp_path: Path,
                                                           open_umask: None) -> None:
    import pandas as pd

    from pipeline.export.csvsafe import write_csv_atomic

    out = tmp_path / "shortlists" / "role.csv"
    write_csv_atomic(pd.DataFrame({"candidate_id": ["a"]}), out)
    assert _mode(out) == 0o600
