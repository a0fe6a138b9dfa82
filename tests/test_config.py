"""Configuration: the secret key for keyed hashes, and where the config file is found."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from pipeline.config import config_file, secret_key
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
