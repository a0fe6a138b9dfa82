"""Migrations: the models and the migrations agree, on SQLite and PostgreSQL; old databases
are refused until `trajectory db upgrade`, which also adopts databases made before migrations."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from pipeline.errors import StoreError
from pipeline.store.db import engine_for, open_store
from pipeline.store.migrations import alembic_config, current_revision, head_revision, upgrade
from pipeline.store.models import Base

TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))
FIRST_SEEN = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def _diff(engine) -> list:
    with engine.connect() as connection:
        return compare_metadata(MigrationContext.configure(connection, opts={
            "compare_type": True, "compare_server_default": True}), Base.metadata)


def test_migrations_agree_with_the_models(database_url: str) -> None:
    engine = open_store(database_url)  # an empty database: migrated on first use
    try:
        assert _diff(engine) == []
        with engine.connect() as connection:
            assert current_revision(connection) == head_revision()
    finally:
        engine.dispose()


def test_migrations_downgrade_to_nothing_and_back(database_url: str) -> None:
    engine = open_store(database_url)
    try:
        with engine.begin() as connection:
            command.downgrade(alembic_config(connection), "base")
        with engine.connect() as connection:
            assert set(inspect(connection).get_table_names()) <= {"alembic_version"}
        upgrade(engine)
        assert _diff(engine) == []
    finally:
        engine.dispose()


def _initial_schema_with_a_row(engine) -> None:
    """A database at revision 0001 holding one resume and its extraction."""
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO resumes (id, candidate_id, content_hash, source, encoding, text, "
            "first_seen) VALUES (1, 'c1', 'h1', '/in/c1.txt', 'utf-8', 'Led it.', :at)"),
            {"at": FIRST_SEEN})
        connection.execute(text(
            "INSERT INTO extractions (resume_id, candidate_id, extractor_version, evidence) "
            "VALUES (1, 'c1', 'rules-1', '{}')"))


@pytest.mark.parametrize("adopted", [False, True], ids=["at-0001", "before-migrations"])
def test_migrations_old_database_is_refused_then_upgraded_keeping_its_rows(
        database_url: str, adopted: bool) -> None:
    engine = engine_for(database_url)
    try:
        _initial_schema_with_a_row(engine)
        if adopted:  # made by create_all before migrations existed: no alembic_version
            with engine.begin() as connection:
                connection.execute(text("DROP TABLE alembic_version"))
        with pytest.raises(StoreError, match="trajectory db upgrade"):
            open_store(database_url)
        assert upgrade(engine) == ("0001", head_revision())
        assert _diff(engine) == []
        with engine.connect() as connection:
            extracted_at = connection.execute(text("SELECT extracted_at FROM extractions"))
            stamp = extracted_at.scalar_one()
        if isinstance(stamp, str):  # SQLite hands back text in a raw query
            stamp = datetime.fromisoformat(stamp)
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=UTC)
        assert stamp == FIRST_SEEN, "an extraction's age starts at its resume's first_seen"
        open_store(database_url).dispose()
    finally:
        engine.dispose()


def test_migrations_cli_db_upgrade(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env["TRAJECTORY_DATA_DIR"] = str(tmp_path / "data")
    args = [TRAJECTORY, "db", "upgrade", "--database", database_url]
    first = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert first.returncode == 0, first.stderr
    assert f"empty → {head_revision()}" in first.stdout
    again = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert f"{head_revision()} → {head_revision()}" in again.stdout
    assert "@" not in again.stdout or ":***@" in again.stdout, "password printed"
