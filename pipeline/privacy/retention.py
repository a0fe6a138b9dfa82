"""Retention: how long each class of data may be kept, and ``purge`` to delete what is older.

The policy is data, validated on load (a YAML file, see ``load_settings``)::

    retention:            # maximum age in days; null keeps that class until it is erased
      resume_text: 180    # the raw text of each resume version, from when it was first seen
      extractions: 365    # the evidence found in a resume, from when it was extracted
      scores: 365         # scores and their explanations, from when they were scored
      quarantine: 90      # quarantine entries, from when the input was last seen
      run_records: 730    # the runs table, from when the run started

"Older" is strict: with ``scores: 365`` a score made exactly 365 days before ``now`` stays. A
resume version whose text is gone and that no extraction or score refers to any more is deleted
with the text's class. The audit log is not purged: it holds no personal data, and the chain is
its point.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError
from sqlalchemy import delete, exists, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.audit import log as audit_log
from pipeline.config import LimitSettings, NightlySettings
from pipeline.datafiles import describe_validation_error, read_yaml_mapping
from pipeline.errors import ConfigError
from pipeline.store.models import ExtractionRow, QuarantineRow, ResumeRow, RunRow, ScoreRow

Days = int | None


class RetentionPolicy(BaseModel):
    """Maximum age in days per data class (None: keep until erased)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    resume_text: Days = Field(default=180, ge=1)
    extractions: Days = Field(default=365, ge=1)
    scores: Days = Field(default=365, ge=1)
    quarantine: Days = Field(default=90, ge=1)
    run_records: Days = Field(default=730, ge=1)


class Settings(BaseModel):
    """The configuration file: ``retention`` and ``nightly`` (see ``pipeline.config``)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    retention: RetentionPolicy = RetentionPolicy()
    nightly: NightlySettings = NightlySettings()
    limits: LimitSettings = LimitSettings()


def load_settings(path: Path | None) -> Settings:
    """Read and validate a configuration file; None gives the defaults.

    Raises ``ConfigError`` naming the file and each failing field, e.g.
    ``trajectory.yaml: retention.scores: Input should be greater than or equal to 1``.
    """
    if path is None:
        return Settings()
    raw = read_yaml_mapping(path, ConfigError, "configuration",
                            "a mapping (e.g. `retention:`)")
    if raw is None:
        return Settings()
    try:
        return Settings.model_validate(raw)
    except ValidationError as err:
        raise ConfigError(f"{path}: {describe_validation_error(err, '<config>')}") from err


@dataclass(frozen=True)
class PurgeReport:
    """What a purge removed (or would remove, for a dry run), per data class."""

    now: datetime
    cutoffs: dict[str, datetime | None]
    removed: dict[str, int]
    dry_run: bool


def purge(engine: Engine, policy: RetentionPolicy, now: datetime, *, actor: str,
          dry_run: bool = False) -> PurgeReport:
    """Delete every row older than its class allows at ``now`` (timezone-aware), in one
    transaction with its audit entry; ``dry_run`` counts and rolls back."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware (UTC), e.g. datetime.now(UTC)")
    now = now.astimezone(UTC)
    cutoffs = {name: (now - timedelta(days=days) if days is not None else None)
               for name, days in policy.model_dump().items()}
    with Session(engine) as session:
        session.begin()
        try:
            removed = _purge_in(session, cutoffs)
            if dry_run:
                session.rollback()
            else:
                audit_log.append_in(session, "purge", actor, {
                    "cutoffs": {k: v.isoformat() if v else None for k, v in cutoffs.items()},
                    "removed": removed,
                }, now)
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return PurgeReport(now, cutoffs, removed, dry_run)


def _purge_in(session: Session, cutoffs: dict[str, datetime | None]) -> dict[str, int]:
    removed: dict[str, int] = {}

    def count(statement) -> int:  # type: ignore[no-untyped-def]
        return int(session.execute(statement).rowcount)  # type: ignore[attr-defined]

    if (cut := cutoffs["resume_text"]) is not None:
        removed["resume_text"] = count(update(ResumeRow).where(
            ResumeRow.first_seen < cut, ResumeRow.text.is_not(None)).values(text=None))
    for name, model, column in (
        ("extractions", ExtractionRow, ExtractionRow.extracted_at),
        ("scores", ScoreRow, ScoreRow.scored_at),
        ("quarantine", QuarantineRow, QuarantineRow.seen_at),
        ("run_records", RunRow, RunRow.started_at),
    ):
        if (cut := cutoffs[name]) is not None:
            removed[name] = count(delete(model).where(column < cut))
    # A version with no text and nothing derived from it left is only an id and a path.
    removed["resume_versions"] = count(delete(ResumeRow).where(
        ResumeRow.text.is_(None),
        ~exists(select(ExtractionRow.id).where(ExtractionRow.resume_id == ResumeRow.id)),
        ~exists(select(ScoreRow.id).where(ScoreRow.resume_id == ResumeRow.id)),
    ))
    return removed
