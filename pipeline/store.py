"""Store stage: resumes, extractions, scores, quarantine and runs in SQL (SQLAlchemy 2).

Every table carries ``candidate_id`` so erasing a candidate is one delete per table. Writes are
idempotent upserts keyed by content hashes: scoring the same input again updates rows in place
and never duplicates them. Works on SQLite (the default) and PostgreSQL.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    create_engine,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from pipeline.records import (
    CandidateEvidence,
    Quarantined,
    ScoredCandidate,
    SourceDocument,
)


class Base(DeclarativeBase):
    pass


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
    shortlist_path: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="running")


class ResumeRow(Base):
    """One version of one candidate's resume, keyed by its normalised-content hash."""

    __tablename__ = "resumes"
    __table_args__ = (UniqueConstraint("candidate_id", "content_hash"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    candidate_id: Mapped[str] = mapped_column(String(255), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    encoding: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ExtractionRow(Base):
    """The evidence one extractor version found in one resume version."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("resume_id", "extractor_version"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resume_id: Mapped[int] = mapped_column(ForeignKey("resumes.id", ondelete="CASCADE"))
    candidate_id: Mapped[str] = mapped_column(String(255), index=True)
    extractor_version: Mapped[str] = mapped_column(String(64))
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)


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
    run_id: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


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


def open_store(url: str) -> Engine:
    """An engine for ``url`` with the schema in place (a SQLite file's folder is created)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url)
    Base.metadata.create_all(engine)
    return engine


def _upsert(
    session: Session, model: type[Base], values: dict[str, Any], keys: Sequence[str],
    update: Sequence[str] = (),
) -> None:
    """INSERT … ON CONFLICT (keys) DO UPDATE/NOTHING on SQLite and PostgreSQL."""
    dialect = session.get_bind().dialect.name
    insert = {"sqlite": sqlite.insert, "postgresql": postgresql.insert}.get(dialect)
    if insert is None:
        raise NotImplementedError(f"unsupported database {dialect!r}; use sqlite or postgresql")
    stmt = insert(model).values(**values)
    if update:
        stmt = stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: stmt.excluded[c] for c in update}
        )
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(keys))
    session.execute(stmt)


def start_run(engine: Engine, run_id: str, *, source: str, rubric: str, rubric_version: str,
              extractor_version: str, started_at: datetime) -> None:
    """Record that a run began."""
    with Session(engine) as session, session.begin():
        session.add(RunRow(run_id=run_id, started_at=started_at, source=source, rubric=rubric,
                           rubric_version=rubric_version, extractor_version=extractor_version))


def finish_run(engine: Engine, run_id: str, *, inputs: int, scored: int, quarantined: int,
               shortlist_path: str | None, finished_at: datetime, status: str) -> None:
    """Record a run's counts and outcome."""
    with Session(engine) as session, session.begin():
        row = session.get(RunRow, run_id)
        if row is None:
            raise KeyError(f"run {run_id!r} was never started")
        row.inputs, row.scored, row.quarantined = inputs, scored, quarantined
        row.shortlist_path, row.finished_at, row.status = shortlist_path, finished_at, status


def save_batch(
    engine: Engine,
    run_id: str,
    documents: Iterable[SourceDocument],
    evidence: Iterable[CandidateEvidence],
    scored: Iterable[ScoredCandidate],
    quarantined: Iterable[Quarantined],
    now: datetime,
) -> None:
    """Upsert one run's resumes, extractions, scores and quarantine entries in one transaction."""
    by_hash = {(e.resume.candidate_id, e.content_hash): e for e in evidence}
    with Session(engine) as session, session.begin():
        resume_ids: dict[tuple[str, str], int] = {}
        for doc in documents:
            key = (doc.candidate_id, doc.content_hash)
            _upsert(session, ResumeRow, {
                "candidate_id": doc.candidate_id, "content_hash": doc.content_hash,
                "source": doc.source, "encoding": doc.encoding, "text": doc.text,
                "first_seen": now,
            }, keys=("candidate_id", "content_hash"))
            resume_ids[key] = session.execute(
                select(ResumeRow.id).where(ResumeRow.candidate_id == doc.candidate_id,
                                           ResumeRow.content_hash == doc.content_hash)
            ).scalar_one()
            found = by_hash.get(key)
            if found is not None:
                _upsert(session, ExtractionRow, {
                    "resume_id": resume_ids[key], "candidate_id": doc.candidate_id,
                    "extractor_version": found.extractor_version,
                    "evidence": to_jsonable(found),
                }, keys=("resume_id", "extractor_version"), update=("evidence",))
        for s in scored:
            _upsert(session, ScoreRow, {
                "resume_id": resume_ids[(s.candidate_id, s.content_hash)],
                "candidate_id": s.candidate_id, "rubric": s.rubric,
                "rubric_version": s.rubric_version, "score": s.score,
                "explanation": to_jsonable(s), "run_id": run_id, "scored_at": now,
            }, keys=("resume_id", "rubric", "rubric_version"),
                update=("score", "explanation", "run_id", "scored_at"))
        for q in quarantined:
            _upsert(session, QuarantineRow, {
                "candidate_id": q.candidate_id, "source": q.source, "reason": q.reason,
                "run_id": run_id, "seen_at": now,
            }, keys=("candidate_id", "source", "reason"), update=("run_id", "seen_at"))


def dump_json(record: Any) -> str:
    """A record as canonical JSON text (sorted keys), for hashing and golden files."""
    return json.dumps(to_jsonable(record), sort_keys=True, ensure_ascii=False)
