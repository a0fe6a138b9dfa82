"""The store's schema as Alembic migrations, shipped inside the package.

``ensure_schema`` is what ``open_store`` calls: an empty database is migrated to the head
revision, a database already at head is left alone, anything else raises ``StoreError`` naming
``trajectory db upgrade``. ``upgrade`` is that command. Migrating takes a lock first (a
PostgreSQL advisory lock, or an exclusive SQLite transaction), so two processes that open the
same empty database at once create the schema once.

A database created before migrations existed (tables, no ``alembic_version``) is recognised by
its tables: ``upgrade`` stamps it at the initial revision, then migrates it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, inspect, text
from sqlalchemy.engine import Connection, Engine

from pipeline.errors import StoreError
from pipeline.store.db import secure_delete

INITIAL = "0001"
#: The tables of the initial revision: a database holding them without ``alembic_version`` was
#: made by ``create_all`` before migrations existed.
INITIAL_TABLES = frozenset({"runs", "resumes", "extractions", "scores", "quarantine"})
#: Arbitrary, fixed: the PostgreSQL advisory lock that serialises migrations.
_PG_LOCK_KEY = 0x7472616A  # "traj"


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at this folder, handing ``connection`` to ``env.py``."""
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["connection"] = connection
    return config


@functools.cache
def head_revision() -> str:
    """The revision the code's models correspond to."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "pipeline/store/migrations/versions holds no migration"
    return head


def current_revision(connection: Connection) -> str | None:
    """The database's revision, or None when it has never been migrated."""
    return MigrationContext.configure(connection).get_current_revision()


def ensure_schema(engine: Engine) -> None:
    """Migrate an empty database to head; refuse one at another revision."""
    head = head_revision()
    with engine.connect() as connection:
        revision = current_revision(connection)
        if revision == head:
            return
        tables = set(inspect(connection).get_table_names())
    if revision is None and not tables & INITIAL_TABLES:
        upgrade(engine, only_if_empty=True)
        return
    raise _not_at_head(engine, revision, head)


def upgrade(engine: Engine, revision: str = "head", *,
            only_if_empty: bool = False) -> tuple[str | None, str | None]:
    """Migrate the database to ``revision``; returns (revision before, revision after).

    With ``only_if_empty``, a database that another process has migrated meanwhile is left as
    it is (and refused if that is not head).
    """
    with _locked(engine) as connection:
        before = current_revision(connection)
        tables = set(inspect(connection).get_table_names())
        if only_if_empty and (before is not None or tables & INITIAL_TABLES):
            if before != head_revision():
                raise _not_at_head(engine, before, head_revision())
            return before, before
        config = alembic_config(connection)
        if before is None and INITIAL_TABLES <= tables:
            command.stamp(config, INITIAL)
            before = INITIAL
        command.upgrade(config, revision)
        return before, current_revision(connection)


def _not_at_head(engine: Engine, revision: str | None, head: str) -> StoreError:
    where = engine.url.render_as_string(hide_password=True)
    found = f"revision {revision}" if revision else "tables made before migrations existed"
    return StoreError(f"{where}: the database schema is at {found}, this trajectory needs "
                      f"revision {head}; back it up, then run `trajectory db upgrade`")


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A connection in a transaction that no other process can migrate alongside."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as connection:
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
            yield connection
        return
    if engine.url.database in (None, "", ":memory:"):
        with engine.begin() as connection:  # private to this process: nothing to lock out
            yield connection
        return
    # pysqlite opens transactions lazily and never before DDL; take over and BEGIN EXCLUSIVE,
    # which waits (up to the busy timeout) for any other writer and then keeps it out.
    exclusive = create_engine(engine.url)
    secure_delete(exclusive)

    @event.listens_for(exclusive, "connect")
    def _manual(dbapi_connection, _record):  # type: ignore[no-untyped-def]
        dbapi_connection.isolation_level = None

    @event.listens_for(exclusive, "begin")
    def _begin(connection):  # type: ignore[no-untyped-def]
        connection.exec_driver_sql("BEGIN EXCLUSIVE")

    try:
        with exclusive.begin() as connection:
            yield connection
    finally:
        exclusive.dispose()


def new_revision(url: str, message: str) -> None:
    """Write a new migration by comparing the models with a database at head (developers)."""
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            command.revision(alembic_config(connection), message=message, autogenerate=True)
    finally:
        engine.dispose()
