"""The store's schema: SQLAlchemy 2 typed declarative rows (the Alembic migrations own the DDL).

Every table carries ``candidate_id`` so erasing a candidate is one delete per table.
"""

from __future__ import annotations

from datetime import date, datetime
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
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


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
    #: The audit log's head (hash and seq) when the run finished: an anchor that shows when
    #: the newest entries were cut off (revision 0005; ``pipeline.audit.log.verify``).
    audit_head: Mapped[str | None] = mapped_column(String(64))
    audit_seq: Mapped[int | None] = mapped_column(Integer)


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
    #: The content hash of the rubric scored with (``Rubric.content_hash``; revision 0005).
    rubric_hash: Mapped[str | None] = mapped_column(String(64))
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
    #: The seq of the audit entry that recorded the erasure: an anchor, as ``runs.audit_seq``
    #: is for runs (revision 0005; NULL for content tombstones and older erasures).
    audit_seq: Mapped[int | None] = mapped_column(Integer)


class AuditRow(Base):
    """One hash-chained audit entry (see ``pipeline.audit.log``); holds no personal data."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str] = mapped_column(String(255))
    details: Mapped[str] = mapped_column(Text)  # canonical JSON, exactly as hashed
    # Unique: two writers that read the same head cannot both append after it.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    entry_hash: Mapped[str] = mapped_column(String(64))
