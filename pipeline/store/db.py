"""Store stage: resumes, extractions, scores, quarantine and runs in SQL (SQLAlchemy 2).

Every table carries ``candidate_id`` so erasing a candidate is one delete per table. Writes are
idempotent upserts keyed by content hashes: scoring the same input again updates rows in place
and never duplicates them, even when two processes write the same rows at once. Works on SQLite
(the default) and PostgreSQL (psycopg 3). The schema is owned by the Alembic migrations in
``pipeline/migrations``: ``open_store`` creates it in an empty database and refuses a database
at another revision until ``trajectory db upgrade`` has run.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    create_engine,
    event,
    exists,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from pipeline.config import data_dir, private_dir, private_file
from pipeline.errors import StoreError
from pipeline.store.models import Base, ExtractionRow, ResumeRow, RunRow


def engine_for(url: str) -> Engine:
    """An engine for ``url``, without touching the schema.

    ``postgresql://`` means psycopg 3 (the driver trajectory installs). A SQLite file is
    private: its folder is created 0700 (the data dir is made 0700 even if it exists) and the
    file 0600 before SQLite first opens it (SQLite gives its journal and WAL files the
    database's mode). Every SQLite connection runs ``PRAGMA secure_delete=ON``, so deleted
    rows (an erased resume) are overwritten with zeros, not left in free pages.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"{parsed.render_as_string(hide_password=True)}: unsupported database "
                         f"{backend!r}; use sqlite:///PATH or postgresql://USER@HOST/DB")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).expanduser()
        if path.parent.resolve() == data_dir().expanduser().resolve() or not path.parent.exists():
            private_dir(path.parent)
        private_file(path)
    engine = create_engine(parsed)
    if backend == "sqlite":
        secure_delete(engine)
    return engine


def secure_delete(engine: Engine) -> None:
    """Run ``PRAGMA secure_delete=ON`` on every connection ``engine`` opens (SQLite)."""

    @event.listens_for(engine, "connect")
    def _secure_delete(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()


def open_store(url: str) -> Engine:
    """An engine for ``url`` with the schema in place.

    An empty database is migrated to the current revision (safe when several processes start
    at once); a database at another revision raises ``StoreError`` naming
    ``trajectory db upgrade``.
    """
    from pipeline.store.migrations import ensure_schema

    engine = engine_for(url)
    try:
        ensure_schema(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


def upsert(
    session: Session, model: type[Base], values: dict[str, Any] | list[dict[str, Any]],
    keys: Sequence[str], update: Sequence[str] = (),
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE/NOTHING on SQLite and PostgreSQL; ``values`` is
    one row or a list of rows (one statement: keep lists to a few hundred rows)."""
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise StoreError(f"unsupported database {dialect!r}; use sqlite or postgresql")
    stmt: Any = insert(model).values(values)  # the dialect's Insert, with ON CONFLICT
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt)


def start_run(engine: Engine, run_id: str, *, source: str, rubric: str, rubric_version: str,
              extractor_version: str, started_at: datetime, kind: str = "score") -> None:
    """Record that a run began (``kind``: ``score`` or ``nightly``)."""
    with Session(engine) as session, session.begin():
        session.add(RunRow(run_id=run_id, started_at=started_at, source=source, rubric=rubric,
                           rubric_version=rubric_version, extractor_version=extractor_version,
                           kind=kind, new=0, changed=0, unchanged=0))


def finish_run(engine: Engine, run_id: str, *, inputs: int, scored: int, quarantined: int,
               shortlist_path: str | None, finished_at: datetime, status: str,
               erased_skipped: int = 0, **history: Any) -> None:
    """Record a run's counts and outcome; ``history`` sets the nightly columns (``new``,
    ``changed``, ``unchanged``, ``redactions``, ``rubrics``, ``exports``) and ``error``."""
    with Session(engine) as session, session.begin():
        # One UPDATE, no read first: a reader upgrading to a writer can deadlock on SQLite.
        result = session.execute(update(RunRow).where(RunRow.run_id == run_id).values(
            inputs=inputs, scored=scored, quarantined=quarantined, erased_skipped=erased_skipped,
            shortlist_path=shortlist_path, finished_at=finished_at, status=status, **history))
        if not result.rowcount:  # type: ignore[attr-defined]
            raise StoreError(f"run {run_id!r} was never started")


def last_complete_run(engine: Engine, kind: str) -> RunRow | None:
    """The latest run of ``kind`` that finished (``complete`` or ``partial``)."""
    with Session(engine, expire_on_commit=False) as session:
        return session.scalars(
            select(RunRow).where(RunRow.kind == kind,
                                 RunRow.status.in_(("complete", "partial")))
            .order_by(RunRow.started_at.desc()).limit(1)).first()


def stored_since(engine: Engine, moment: datetime) -> bool:
    """Whether any resume version or extraction was stored after ``moment``."""
    with Session(engine) as session:
        return bool(session.scalar(select(
            exists().where(ResumeRow.first_seen > moment)
            | exists().where(ExtractionRow.extracted_at > moment))))


def last_complete_exports(engine: Engine, kind: str) -> dict[str, str]:
    """{path: SHA-256} of the files the latest complete (or partial) run of ``kind`` wrote."""
    last = last_complete_run(engine, kind)
    return dict(last.exports or {}) if last is not None else {}
