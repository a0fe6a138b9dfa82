"""Seeding a test database with records, through the store's own upserts.

Production writes go through the run stages (``pipeline.runs.nightly``: ``stage_inputs``,
``extract_pending``, ``score_rubric``); tests that need stored rows without running the NLP
use this helper, which writes the same rows the same way (one transaction, erased candidates
left out).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.config import secret_key
from pipeline.privacy.erase import drop_erased, tombstone_check
from pipeline.records import CandidateEvidence, Quarantined, ScoredCandidate, SourceDocument
from pipeline.store.db import upsert
from pipeline.store.jsonable import to_jsonable
from pipeline.store.models import ExtractionRow, QuarantineRow, ResumeRow, ScoreRow


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
    tombstones first (``pipeline.privacy.erase.tombstone_check``, under ``key``), and holds them
    until
    it commits, so an erasure that commits before it wins and one that comes after deletes
    what it stored.
    """
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
