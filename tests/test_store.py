"""Store: idempotent upserts on SQLite and PostgreSQL; records round-trip as JSON."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.records import (
    PILLARS,
    CandidateEvidence,
    Quarantined,
    Resume,
    Role,
    ScoredCandidate,
    SourceDocument,
)
from pipeline.store.db import finish_run, start_run
from pipeline.store.jsonable import to_jsonable
from pipeline.store.models import ExtractionRow, QuarantineRow, ResumeRow, RunRow, ScoreRow
from tests.store_seed import save_batch

NOW = datetime(2026, 11, 27, tzinfo=UTC)
DOC = SourceDocument("cand-1", "/in/cand-1.txt", "Led it.", "hash-1", "utf-8")
RESUME = Resume("cand-1", roles=(Role("Dev", "Shop", date(2020, 1, 1), None, True, ("Led it.",)),))
EVIDENCE = CandidateEvidence(RESUME, "hash-1", (), (), "rules-1")
SCORE = ScoredCandidate("cand-1", "hash-1", 42.0, 1, 2, 3, {p: 0.0 for p in PILLARS}, 6.0, (),
                        (), (), rubric="r", rubric_version="1")
BAD = Quarantined("blob", "/in/blob.txt", "binary content, not text")


def _counts(engine) -> dict[str, int]:
    with Session(engine) as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (ResumeRow, ExtractionRow, ScoreRow, QuarantineRow)}


def test_store_rerun_of_same_input_does_not_duplicate(engine) -> None:
    for run in ("run-1", "run-2"):
        save_batch(engine, run, [DOC], [EVIDENCE], [SCORE], [BAD], NOW)
    assert _counts(engine) == {"resumes": 1, "extractions": 1, "scores": 1, "quarantine": 1}
    with Session(engine) as s:
        assert s.scalar(select(ScoreRow.run_id)) == "run-2"


def test_store_changed_resume_is_a_new_version_and_rescore_updates(engine) -> None:
    save_batch(engine, "run-1", [DOC], [EVIDENCE], [SCORE], [], NOW)
    changed = replace(DOC, text="Led it faster.", content_hash="hash-2")
    save_batch(engine, "run-2", [changed], [replace(EVIDENCE, content_hash="hash-2")],
               [replace(SCORE, content_hash="hash-2", score=50.0)], [], NOW)
    save_batch(engine, "run-3", [changed], [replace(EVIDENCE, content_hash="hash-2")],
               [replace(SCORE, content_hash="hash-2", score=55.0)], [], NOW)
    assert _counts(engine)["resumes"] == 2
    with Session(engine) as s:
        assert sorted(s.scalars(select(ScoreRow.score))) == [42.0, 55.0]


def test_store_run_record_round_trip(engine) -> None:
    start_run(engine, "run-1", source="/in", rubric="r", rubric_version="1",
              extractor_version="x", started_at=NOW)
    finish_run(engine, "run-1", inputs=3, scored=2, quarantined=1, shortlist_path="/o.csv",
               finished_at=NOW, status="complete")
    with Session(engine) as s:
        row = s.get(RunRow, "run-1")
        assert (row.inputs, row.scored, row.quarantined, row.status) == (3, 2, 1, "complete")


def test_store_explanation_json_keeps_the_record() -> None:
    data = to_jsonable(EVIDENCE)
    assert data["resume"]["roles"][0]["start"] == "2020-01-01"
    assert data["resume"]["roles"][0]["bullets"] == ["Led it."]
