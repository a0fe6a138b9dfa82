"""Store stage: resumes, extractions, scores, quarantine and runs in SQL (SQLAlchemy 2).

Every table carries ``candidate_id`` so erasing a candidate is one delete per table. Writes are
idempotent upserts keyed by content hashes: scoring the same input again updates rows in place
and never duplicates them, even when two processes write the same rows at once. Works on SQLite
(the default) and PostgreSQL (psycopg 3). The schema is owned by the Alembic migrations in
``pipeline/migrations``: ``open_store`` creates it in an empty database and refuses a database
at another revision until ``trajectory db upgrade`` has run.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    exists,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pipeline.config import secret_key
from pipeline.errors import StoreError
from pipeline.records import (
    CandidateEvidence,
    Quarantined,
    ScoredCandidate,
    SourceDocument,
)


class Base(DeclarativeBase):
    # Named constraints, so migrations can address them on every backend.
    metadata = MetaData(naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    })


class RunRow(Base):
    """One scoring run: what went in, what came out, where the shortlist went."""

    __tablename__ = "runs"
    run_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    source: Mapped[str] = mapped_column(Text)
    rubric: Mapped[str] = mapped_column(String(128))
    rubric_version: Mapped[str] = mapped_column(String(64))
    extractor_version: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    quarantined: Mapped[int] = mapped_column(Integer, default=0)
    erased_skipped: Mapped[int] = mapped_column(Integer, default=0)
    shortlist_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="running")
    # Nightly runs (revision 0003): incremental counts, PII totals, versions, exports.
    kind: Mapped[str] = mapped_column(String(16), default="score")
    new: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    #: Redactions per PII kind over the run (counts only, never values).
    redactions: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Every rubric scored, as {name: version}.
    rubrics: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: Every file written, as {absolute path: SHA-256}.
    exports: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: The day roles running to "present" were ended at.
    as_of: Mapped[date | None] = mapped_column(Date)
    #: A failed run's error: its class and redacted message (revision 0004; never resume text).
    error: Mapped[str | None] = mapped_column(Text)


class ResumeRow(Base):
    """One version of one candidate's resume, keyed by its normalised-content hash."""

    __tablename__ = "resumes"
    __table_args__ = (UniqueConstraint("candidate_id", "content_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str] = mapped_column(String(255), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(32))
    #: None once retention has purged the raw text; the hash and the derived rows stay.
    text: Mapped[str | None] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    #: Values the PII guard redacted from ``text``, per kind (counts only; revision 0003).
    redactions: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ExtractionRow(Base):
    """The evidence one extractor version found in one resume version."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("resume_id", "extractor_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(String(255), index=True)
    extractor_version: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    extracted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ScoreRow(Base):
    """One resume version's score against one rubric version, with its explanation."""

    __tablename__ = "scores"
    __table_args__ = (UniqueConstraint("resume_id", "rubric", "rubric_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(String(255), index=True)
    rubric: Mapped[str] = mapped_column(String(128))
    rubric_version: Mapped[str] = mapped_column(String(64))
    score: Mapped[float] = mapped_column(Float)
    explanation: Mapped[dict[str, Any]] = mapped_column(JSON)
    run_id: Mapped[str] = mapped_column(String(64))
    scored_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class QuarantineRow(Base):
    """An input that could not be scored, with its reason; kept for review."""

    __tablename__ = "quarantine"
    __table_args__ = (UniqueConstraint("candidate_id", "source", "reason"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str] = mapped_column(String(255), index=True)
    source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    #: The stable reason code (``pipeline.errors.REASON_CODES``; revision 0003).
    code: Mapped[str | None] = mapped_column(String(32))
    run_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RunLockRow(Base):
    """A named lock held by one run until it finishes or ``expires_at`` passes."""

    __tablename__ = "run_locks"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner: Mapped[str] = mapped_column(String(64))
    acquired_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TombstoneRow(Base):
    """An erased candidate: a keyed hash of the id (never the id) so ingestion can skip it."""

    __tablename__ = "tombstones"
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)
    #: Which secret key made ``subject``; a process holding another key must not ingest.
    key_id: Mapped[str] = mapped_column(String(16))
    erased_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AuditRow(Base):
    """One hash-chained audit entry (see ``pipeline.audit_log``); holds no personal data."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    # Unique: two writers that read the same head cannot both append after it.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))


def to_jsonable(record: Any) -> Any:
    """A record (dataclass, tuple, dict, date) as plain JSON values."""
    if dataclasses.is_dataclass(record) and not isinstance(record, type):
        return {f.name: to_jsonable(getattr(record, f.name)) for f in dataclasses.fields(record)}
    if isinstance(record, dict):
        return {str(k): to_jsonable(v) for k, v in record.items()}
    if isinstance(record, list | tuple):
        return [to_jsonable(v) for v in record]
    if isinstance(record, date):
        return record.isoformat()
    return record


def engine_for(url: str) -> Engine:
    """An engine for ``url``, without touching the schema.

    ``postgresql://`` means psycopg 3 (the driver trajectory installs); a SQLite file's folder
    is created.
    """
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(f"{parsed.render_as_string(hide_password=True)}: unsupported database "
                         f"{backend!r}; use sqlite:///PATH or postgresql://USER@HOST/DB")
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if backend == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return create_engine(parsed)


def open_store(url: str) -> Engine:
    """An engine for ``url`` with the schema in place.

    An empty database is migrated to the current revision (safe when several processes start
    at once); a database at another revision raises ``StoreError`` naming
    ``trajectory db upgrade``.
    """
    from pipeline.migrations import ensure_schema

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
        raise NotImplementedError(f"unsupported database {dialect!r}; use sqlite or postgresql")
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
            raise KeyError(f"run {run_id!r} was never started")


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


def save_batch(
    engine: Engine,
    run_id: str,
    documents: Iterable[SourceDocument],
    evidence: Iterable[CandidateEvidence],
    scored: Iterable[ScoredCandidate],
    quarantined: Iterable[Quarantined],
    now: datetime,
    key: Callable[[], bytes] = secret_key,
) -> None:
    """Upsert one run's resumes, extractions, scores and quarantine entries in one transaction.

    Candidates erased since the run ingested them are left out: the transaction checks the
    tombstones first (``pipeline.erase.tombstone_check``, under ``key``), and holds them until
    it commits, so an erasure that commits before it wins and one that comes after deletes
    what it stored.
    """
    from pipeline.erase import drop_erased, tombstone_check  # erase builds on this module

    by_hash = {(e.resume.candidate_id, e.content_hash): e for e in evidence}
    with Session(engine) as session, session.begin():
        erased = tombstone_check(session, key)
        documents = [d for d in documents if not erased(d.candidate_id, d.content_hash)]
        scored, quarantined, _ = drop_erased(list(scored), list(quarantined), erased)
        resume_ids: dict[tuple[str, str], int] = {}
        for doc in documents:
            version = (doc.candidate_id, doc.content_hash)
            upsert(session, ResumeRow, {
                "candidate_id": doc.candidate_id, "content_hash": doc.content_hash,
                "source": doc.source, "encoding": doc.encoding, "text": doc.text,
                "first_seen": now,
            }, keys=("candidate_id", "content_hash"))
            resume_ids[version] = session.execute(
                select(ResumeRow.id).where(ResumeRow.candidate_id == doc.candidate_id,
                                           ResumeRow.content_hash == doc.content_hash)
            ).scalar_one()
            found = by_hash.get(version)
            if found is not None:
                upsert(session, ExtractionRow, {
                    "resume_id": resume_ids[version], "candidate_id": doc.candidate_id,
                    "extractor_version": found.extractor_version,
                    "evidence": to_jsonable(found), "extracted_at": now,
                }, keys=("resume_id", "extractor_version"), update=("evidence", "extracted_at"))
        for s in scored:
            upsert(session, ScoreRow, {
                "resume_id": resume_ids[(s.candidate_id, s.content_hash)],
                "candidate_id": s.candidate_id, "rubric": s.rubric,
                "rubric_version": s.rubric_version, "score": s.score,
                "explanation": to_jsonable(s), "run_id": run_id, "scored_at": now,
            }, keys=("resume_id", "rubric", "rubric_version"),
                update=("score", "explanation", "run_id", "scored_at"))
        for q in quarantined:
            upsert(session, QuarantineRow, {
                "candidate_id": q.candidate_id, "source": q.source, "reason": q.reason,
                "code": q.code, "run_id": run_id, "seen_at": now,
            }, keys=("candidate_id", "source", "reason"), update=("code", "run_id", "seen_at"))



def from_jsonable(cls: type[Any], data: dict[str, Any]) -> Any:
    """The inverse of :func:`to_jsonable` for a record class: JSON values → ``cls(...)``.

    >>> from pipeline.records import Role
    >>> from_jsonable(Role, {"title": "SRE", "employer": None, "start": "2020-01-01",
    ...                      "end": None, "current": True, "bullets": ["Led it"]}).start
    datetime.date(2020, 1, 1)
    """
    hints = _hints(cls)  # type: ignore[arg-type]  # classes are hashable
    return cls(**{f.name: _from_json_value(hints[f.name], data[f.name])
                  for f in dataclasses.fields(cls) if f.name in data})


@functools.cache
def _hints(cls: type[Any]) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _from_json_value(kind: Any, value: Any) -> Any:
    if value is None:
        return None
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(kind) if a is not type(None)]
        return _from_json_value(options[0], value)
    if origin is tuple:
        item = typing.get_args(kind)[0]
        return tuple(_from_json_value(item, v) for v in value)
    if dataclasses.is_dataclass(kind) and isinstance(kind, type):
        return from_jsonable(kind, value)
    if kind is date:
        return date.fromisoformat(value)
    return value
