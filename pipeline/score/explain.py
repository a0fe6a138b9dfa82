"""Explain a stored score: read the explanation saved with it and render it for a recruiter.

The explanation is written with the score (``ScoreRow.explanation``, with the rubric, scorer and
extractor versions inside), so it shows why a rank was given at the time, even after the rubric
or the extractor has changed. :func:`load_stored` finds the latest resume version of a candidate
scored against a rubric; :func:`render` turns it into plain text.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from pipeline.errors import TrajectoryError
from pipeline.records import evidence_tags
from pipeline.store.db import StoreError, engine_for
from pipeline.store.models import QuarantineRow, ResumeRow, ScoreRow

#: Quoted evidence sentences shown (the best first); the stored explanation keeps them all.
SHOWN_EVIDENCE = 8


class ExplainError(TrajectoryError):
    """No stored score (or quarantine entry) answers the question asked."""


@dataclass(frozen=True)
class StoredScore:
    """One stored score row: a candidate's resume version against a rubric version."""

    candidate_id: str
    rubric: str
    rubric_version: str
    score: float
    run_id: str
    scored_at: datetime
    content_hash: str
    record: dict[str, Any]


@dataclass(frozen=True)
class StoredQuarantine:
    """A candidate whose input was never scored, and why."""

    candidate_id: str
    source: str
    reason: str


def load_stored(url: str, candidate_id: str, rubric: str) -> StoredScore | StoredQuarantine:
    """The latest resume version of ``candidate_id`` scored against rubric ``rubric`` (its name).

    Falls back to the candidate's quarantine entry. Raises ExplainError naming the database and
    the candidates it holds for that rubric when there is neither.
    """
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:") \
            and not Path(parsed.database).expanduser().exists():
        raise ExplainError(f"{shown}: no database there; run `trajectory score` first")
    try:
        engine = engine_for(url)
    except StoreError as err:
        raise ExplainError(str(err)) from err
    try:
        with Session(engine) as session:
            row = session.execute(
                select(ScoreRow, ResumeRow.content_hash)
                .join(ResumeRow, ResumeRow.id == ScoreRow.resume_id)
                .where(ScoreRow.candidate_id == candidate_id, ScoreRow.rubric == rubric)
                .order_by(ResumeRow.first_seen.desc(), ResumeRow.id.desc(),
                          ScoreRow.scored_at.desc())
                .limit(1)
            ).first()
            if row is not None:
                score, content_hash = row
                return StoredScore(score.candidate_id, score.rubric, score.rubric_version,
                                   score.score, score.run_id, score.scored_at, content_hash,
                                   dict(score.explanation))
            quarantined = session.execute(
                select(QuarantineRow).where(QuarantineRow.candidate_id == candidate_id)
                .order_by(QuarantineRow.seen_at.desc()).limit(1)
            ).scalar_one_or_none()
            if quarantined is not None:
                return StoredQuarantine(quarantined.candidate_id, quarantined.source,
                                        quarantined.reason)
            known = sorted(session.execute(
                select(ScoreRow.candidate_id).where(ScoreRow.rubric == rubric).distinct()
            ).scalars())
    except SQLAlchemyError as err:
        raise ExplainError(f"{shown}: cannot read scores ({err.__class__.__name__}); "
                           "is this a trajectory database?") from err
    finally:
        engine.dispose()
    hint = (f"candidates scored against it: {', '.join(known[:10])}"
            + (" …" if len(known) > 10 else "")) if known else "no candidate is scored against it"
    raise ExplainError(f"{shown}: no score for {candidate_id!r} against rubric {rubric!r}; {hint}")


def _role_line(role: dict[str, Any]) -> str:
    when = f"{role['start'] or '?':>7} – {'present' if role['present'] else role['end'] or '?':7}"
    where = f"{role['title']}" + (f", {role['employer']}" if role["employer"] else "")
    return (f"  {when}  {where}\n"
            f"  {'':19}{role['seniority_label']} (level {role['seniority']}), "
            f"{role['ownership_label']}, {role['months']} months, "
            f"{role['age_years']:.1f} career-years ago")


def render(stored: StoredScore | StoredQuarantine) -> str:
    """The explanation as plain text: points, timeline, features, evidence, missing must-haves."""
    if isinstance(stored, StoredQuarantine):
        return (f"{stored.candidate_id}: not scored — quarantined ({stored.reason})\n"
                f"  source: {stored.source}")
    record = stored.record
    why = record.get("explanation")
    if not why:
        return (f"{stored.candidate_id}: {stored.score:.2f} against {stored.rubric} "
                f"{stored.rubric_version}; scored before explanations were stored — score the "
                "folder again to record one.")
    parts = why["components"]
    lines = [
        f"{stored.candidate_id}: {stored.score:.2f} / 100 against {why['rubric']} "
        f"{why['rubric_version']} — confidence {record['confidence']:.2f} "
        f"({why.get('confidence_reason', '')})",
        f"scored {stored.scored_at:%Y-%m-%d %H:%M} UTC in run {stored.run_id[:12]}, resume "
        f"{stored.content_hash[:12]}; scorer {why['scorer_version']}, extractor "
        f"{why['extractor_version']}; roles to 'present' end {why['as_of']}",
        "",
        "Where the points come from",
        f"  evidence           {parts['evidence']:6.2f}  velocity {record['velocity']:.0f}, "
        f"proactive {record['proactive']:.0f}, outcome {record['outcome']:.0f} (0–100 each)",
        f"  pillar fit         {parts['pillar_fit']:6.2f}  "
        + ", ".join(f"{p} {v:.0f}" for p, v in record["pillars"].items()),
        f"  trajectory         {parts.get('trajectory', 0.0):6.2f}  trajectory sub-score "
        f"{record['trajectory']:.0f} (features below)",
        f"  certifications     {parts['certifications']:6.2f}  "
        + ("; ".join(record["certifications"]) or "none"),
        f"  tenure             {parts['tenure']:6.2f}  {record['tenure_years']:.1f} years "
        "(saturating)",
        f"  must-have penalty  {parts['must_have_penalty']:6.2f}",
        "",
        "Timeline (career-years = years worked, gaps excluded)",
    ]
    timeline = why["timeline"]
    lines += [_role_line(r) for r in timeline["roles"]] or ["  no dated roles"]
    lines.append("  gaps: " + (", ".join(f"{g['start']} – {g['end']} ({g['months']} months)"
                                          for g in timeline["gaps"]) or "none")
                 + "; overlaps: " + (", ".join(f"roles {o['first']} and {o['second']} "
                                               f"({o['months']} months)"
                                               for o in timeline["overlaps"]) or "none"))
    lines += ["", "Trajectory features (value 0–1, points)"]
    for f in why["features"]:
        lines.append(f"  {f['name']:<19}{f['value']:5.2f} {f['points']:+6.2f}  {f['detail']}")
        lines.append(f"  {'':19}= {f['formula']}")
    lines += ["", "Top contributions (quoted evidence, points earned)"]
    for n, e in enumerate(why["evidence"][:SHOWN_EVIDENCE], start=1):
        where = e["role"] or e["section"]
        lines.append(f"  {n}. {e['points']:+6.2f}  \"{e['text']}\"")
        lines.append(f"     [{evidence_tags(e['flags'], e['pillars']) or 'weak signal'}] {where}, "
                     f"recency {e['recency']:.2f}")
    if not why["evidence"]:
        lines.append("  none: no sentence shows an accomplishment")
    lines += ["", "Missing must-haves"]
    lines += [f"  - {m}" for m in why["must_haves_missing"]] or ["  none"]
    return "\n".join(lines)
