"""Retention: `purge` deletes exactly what is older than its class allows, at a frozen `now`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from pipeline.audit.log import entries, verify
from pipeline.errors import ConfigError
from pipeline.privacy.retention import RetentionPolicy, load_settings, purge
from pipeline.records import PILLARS, CandidateEvidence, Quarantined, Resume, ScoredCandidate
from pipeline.records import SourceDocument as Doc
from pipeline.store.db import start_run
from pipeline.store.models import ExtractionRow, QuarantineRow, ResumeRow, RunRow, ScoreRow
from tests.store_seed import save_batch

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
POLICY = RetentionPolicy(resume_text=180, extractions=365, scores=365, quarantine=90,
                         run_records=730)
#: candidate → age in days of everything stored for them
AGES = {"ancient": 800, "old": 400, "edge": 365, "mid": 200, "recent": 100, "fresh": 1}


def _seed(engine) -> None:
    for candidate, days in AGES.items():
        at = NOW - timedelta(days=days)
        doc = Doc(candidate, f"/in/{candidate}.txt", "Led it.", f"hash-{candidate}", "utf-8")
        evidence = CandidateEvidence(Resume(candidate), doc.content_hash, (), (), "rules-1")
        score = ScoredCandidate(candidate, doc.content_hash, 50.0, 1, 2, 3,
                                {p: 0.0 for p in PILLARS}, 1.0, (), (), (), "r", "1")
        bad = Quarantined(f"{candidate}-bad", f"/in/{candidate}-bad.pdf", "unsupported")
        save_batch(engine, f"run-{candidate}", [doc], [evidence], [score], [bad], at)
        start_run(engine, f"run-{candidate}", source="/in", rubric="r", rubric_version="1",
                  extractor_version="rules-1", started_at=at)


def _state(engine) -> dict[str, set[str]]:
    with Session(engine) as s:
        return {
            "text": set(s.scalars(select(ResumeRow.candidate_id)
                                  .where(ResumeRow.text.is_not(None)))),
            "resumes": set(s.scalars(select(ResumeRow.candidate_id))),
            "extractions": set(s.scalars(select(ExtractionRow.candidate_id))),
            "scores": set(s.scalars(select(ScoreRow.candidate_id))),
            "quarantine": {c.removesuffix("-bad")
                           for c in s.scalars(select(QuarantineRow.candidate_id))},
            "runs": {r.removeprefix("run-") for r in s.scalars(select(RunRow.run_id))},
        }


def _younger_than(days: int) -> set[str]:
    """Candidates whose data is not older than ``days`` (exactly ``days`` old stays)."""
    return {c for c, age in AGES.items() if age <= days}


def test_retention_purge_deletes_exactly_what_is_older(engine) -> None:
    _seed(engine)
    report = purge(engine, POLICY, NOW, actor="cron")
    state = _state(engine)
    assert state["text"] == _younger_than(180)
    assert state["extractions"] == state["scores"] == _younger_than(365)  # "edge" stays
    assert state["quarantine"] == _younger_than(90)
    assert state["runs"] == _younger_than(730)
    # A version whose text is gone and that nothing refers to any more goes too.
    assert state["resumes"] == _younger_than(365)
    assert report.removed == {"resume_text": 4, "extractions": 2, "scores": 2,
                              "quarantine": 5, "run_records": 1, "resume_versions": 2}
    assert report.cutoffs["scores"] == NOW - timedelta(days=365)

    again = purge(engine, POLICY, NOW, actor="cron")
    assert set(again.removed.values()) == {0}
    log = entries(engine)
    assert [e.action for e in log] == ["purge", "purge"] and log[0].actor == "cron"
    assert log[0].details["removed"] == report.removed
    assert verify(engine).ok


def test_retention_dry_run_counts_and_deletes_nothing(engine) -> None:
    _seed(engine)
    before = _state(engine)
    dry = purge(engine, POLICY, NOW, actor="cron", dry_run=True)
    assert _state(engine) == before and entries(engine) == []
    assert dry.removed == purge(engine, POLICY, NOW, actor="cron").removed


def test_retention_a_class_without_a_limit_is_kept(engine) -> None:
    _seed(engine)
    keep_all = RetentionPolicy(resume_text=None, extractions=None, scores=None,
                               quarantine=None, run_records=None)
    before = _state(engine)
    assert set(purge(engine, keep_all, NOW, actor="cron").removed.values()) == {0}
    assert _state(engine) == before
    one_year_later = purge(engine, replace_policy(keep_all, scores=30), NOW + timedelta(days=365),
                           actor="cron")
    assert one_year_later.removed["scores"] == len(AGES)
    assert _state(engine)["extractions"] == set(AGES)


def replace_policy(policy: RetentionPolicy, **changes: int | None) -> RetentionPolicy:
    return policy.model_copy(update=changes)


def test_retention_now_must_be_timezone_aware(engine) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        purge(engine, POLICY, NOW.replace(tzinfo=None), actor="cron")


def test_retention_config_file_is_validated(tmp_path: Path) -> None:
    good = tmp_path / "trajectory.yaml"
    good.write_text("retention:\n  scores: 30\n  quarantine: null\n", encoding="utf-8")
    policy = load_settings(good).retention
    assert (policy.scores, policy.quarantine, policy.resume_text) == (30, None, 180)
    assert load_settings(None).retention == RetentionPolicy()

    for body, field in (("retention:\n  score: 30\n", "retention.score"),
                        ("retention:\n  scores: 0\n", "retention.scores"),
                        ("retention:\n  scores: soon\n", "retention.scores"),
                        ("retain: {}\n", "retain")):
        bad = tmp_path / "bad.yaml"
        bad.write_text(body, encoding="utf-8")
        with pytest.raises(ConfigError, match=rf"bad\.yaml: {field}"):
            load_settings(bad)


def test_retention_extraction_age_is_refreshed_by_re_extraction(engine) -> None:
    _seed(engine)
    doc = Doc("old", "/in/old.txt", "Led it.", "hash-old", "utf-8")
    evidence = CandidateEvidence(Resume("old"), "hash-old", (), (), "rules-1")
    save_batch(engine, "run-again", [doc], [evidence], [], [], NOW - timedelta(days=1))
    purge(engine, POLICY, NOW, actor="cron")
    state = _state(engine)
    assert "old" in state["extractions"] and "old" not in state["scores"]
    assert "old" in state["resumes"] and "old" not in state["text"]
