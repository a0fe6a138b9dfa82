"""The score-batch Prefect flow end to end: real files, a real database (SQLite and PostgreSQL),
a real flow run."""

from __future__ import annotations

import csv
import os
import shutil
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from pipeline.runs.flows import score_batch
from pipeline.store.models import QuarantineRow, ResumeRow, RunRow, ScoreRow

from .conftest import AS_OF, RUBRICS, SAMPLE_PROFILES

GOLDEN = Path(__file__).parent / "golden" / "shortlist-global-principal-architect.csv"
GPA = RUBRICS / "global-principal-architect.yaml"


@pytest.fixture()
def batch(tmp_path: Path) -> Path:
    """sample_profiles/ plus the awkward inputs a recruiter's folder really holds."""
    folder = tmp_path / "resumes"
    shutil.copytree(SAMPLE_PROFILES, folder)
    case = (SAMPLE_PROFILES / "senior-dev-event-driven-payments.md").read_text(encoding="utf-8")
    (folder / "legacy-cp1252.txt").write_bytes(case.replace("→", "->").encode("cp1252"))
    (folder / "legacy-utf16.txt").write_bytes(case.encode("utf-16"))
    (folder / "whitespace-only.txt").write_bytes(b" \r\n\t\r\n")
    (folder / "punctuation-only.md").write_text("-- * --\n## Experience\n\n## Skills\n",
                                               encoding="utf-8")  # headings only
    (folder / "resume.docx").write_bytes(b"PK\x03\x04 not really a docx")
    # Planted in the strongest bullet, so the formula is sure to be quoted in top_evidence.
    planted = case.replace("- Led the migration", '- =HYPERLINK("http://x","y") Led the migration')
    (folder / "planted-formula.md").write_text(planted, encoding="utf-8")
    return folder


def test_flows_score_batch_accounts_for_every_input(prefect_harness, batch: Path,
                                                    tmp_path: Path, database_url: str) -> None:
    out = tmp_path / "out" / "shortlist.csv"
    url = database_url
    summary = score_batch(batch, GPA, out, url, as_of=AS_OF)

    inputs = len([p for p in batch.iterdir() if not p.name.startswith(".")])
    assert summary.inputs == inputs
    assert summary.scored + summary.quarantined == inputs
    shortlist = pd.read_csv(out)
    quarantine = pd.read_csv(summary.quarantine_file)
    assert len(shortlist) == summary.scored and len(quarantine) == summary.quarantined
    reasons = dict(zip(quarantine["candidate_id"], quarantine["reason"], strict=True))
    assert reasons["empty-file"] == "empty file"
    assert "binary" in reasons["binary-blob"]
    assert "no text content" in reasons["whitespace-only"]
    assert reasons["resume"].startswith("damaged DOCX")
    assert reasons["scanned-resume"].startswith("PDF has no text layer")
    # Every quarantined input has its stable code, parse failures included (they had none).
    codes = dict(zip(quarantine["candidate_id"], quarantine["code"], strict=True))
    assert all(isinstance(c, str) and c for c in codes.values()), codes
    assert codes["punctuation-only"] == "no_text" and codes["resume"] == "corrupt"

    ids = list(shortlist["candidate_id"])
    assert {"legacy-cp1252", "legacy-utf16"} <= set(ids)
    assert ids.index("senior-dev-event-driven-payments") < ids.index(
        "principal-cloud-architect-long-tenure") < ids.index("keyword-stuffer-cloud-buzzwords")
    planted = shortlist.loc[shortlist["candidate_id"] == "planted-formula", "top_evidence"].item()
    assert "=HYPERLINK" in planted and '"=HYPERLINK' not in planted
    assert '"\'=HYPERLINK' in planted

    engine = create_engine(url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ResumeRow)) == summary.scored
        assert s.scalar(select(func.count()).select_from(ScoreRow)) == summary.scored
        assert s.scalar(select(func.count()).select_from(QuarantineRow)) == summary.quarantined
        run = s.get(RunRow, summary.run_id)
        assert run is not None and run.status == "complete" and run.inputs == inputs
        assert run.erased_skipped == 0 and Path(run.shortlist_path or "").is_absolute()
    engine.dispose()


def test_flows_rerun_is_identical_and_does_not_duplicate(prefect_harness, tmp_path: Path,
                                                         database_url: str) -> None:
    url = database_url
    first = score_batch(SAMPLE_PROFILES, GPA, tmp_path / "a.csv", url, as_of=AS_OF)
    second = score_batch(SAMPLE_PROFILES, GPA, tmp_path / "b.csv", url, as_of=AS_OF)
    a = pd.read_csv(tmp_path / "a.csv").drop(columns="scored_at")
    b = pd.read_csv(tmp_path / "b.csv").drop(columns="scored_at")
    pd.testing.assert_frame_equal(a, b)
    engine = create_engine(url)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(ResumeRow)) == first.scored
        assert s.scalar(select(func.count()).select_from(RunRow)) == 2
    engine.dispose()
    assert first.run_id != second.run_id


@pytest.mark.parametrize("workers", [1, 2])
def test_flows_shortlist_of_sample_profiles_matches_golden(prefect_harness, tmp_path: Path,
                                                           database_url: str,
                                                           workers: int) -> None:
    """The CSV a recruiter reads; regenerate with UPDATE_GOLDEN=1 after a deliberate change.
    Two worker processes (forkserver, beside the flow's threads) give the same cells."""
    out = tmp_path / "shortlist.csv"
    score_batch(SAMPLE_PROFILES, GPA, out, database_url, as_of=AS_OF, workers=workers)
    produced = _cells_without_scored_at(out)
    if os.environ.get("UPDATE_GOLDEN"):
        GOLDEN.parent.mkdir(exist_ok=True)
        with GOLDEN.open("w", encoding="utf-8", newline="") as handle:
            csv.writer(handle, lineterminator="\n").writerows(produced)
    # Cell text, not parsed values: "81.0" vs "81" or a lost quote is a change a recruiter sees.
    assert produced == _cells_without_scored_at(GOLDEN)


def _cells_without_scored_at(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    drop = rows[0].index("scored_at") if "scored_at" in rows[0] else None
    return [[c for i, c in enumerate(row) if i != drop] for row in rows]


def test_flows_bad_rubric_fails_before_reading_resumes(prefect_harness, tmp_path: Path) -> None:
    from pipeline.errors import RubricError

    bad = tmp_path / "bad.yaml"
    bad.write_text(GPA.read_text(encoding="utf-8").replace("data: 0.20", "data: -0.20"),
                   encoding="utf-8")
    with pytest.raises(RubricError, match="pillar_weights.data"):
        score_batch(tmp_path / "does-not-exist", bad, tmp_path / "s.csv",
                    f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert not (tmp_path / "db.sqlite").exists()


# --- a stage that raises: the run ends as failed, with an audit entry ------------------------

#: The injected error names a candidate and an e-mail: neither may reach the runs table or log.
PLANTED_ERROR = "disk gone writing 'senior-dev-event-driven-payments' for jane@example.com"


@pytest.mark.parametrize("target", ["pipeline.runs.nightly.score_each",
                                    "pipeline.export.shortlist.export_shortlist"])
def test_flows_score_batch_failed_stage_ends_run_failed_with_audit_entry(
        prefect_harness, tmp_path: Path, database_url: str, target: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.audit import log as audit_log
    from pipeline.store.db import open_store

    def dying(*_args, **_kwargs):
        raise RuntimeError(PLANTED_ERROR)

    monkeypatch.setattr(target, dying)
    with pytest.raises(RuntimeError, match="disk gone"):
        score_batch(SAMPLE_PROFILES, GPA, tmp_path / "s.csv", database_url, as_of=AS_OF,
                    actor="tester")

    engine = open_store(database_url)
    with Session(engine) as s:
        (run,) = s.scalars(select(RunRow)).all()
        assert run.status == "failed" and run.finished_at is not None
        assert run.error == "RuntimeError: disk gone writing '…' for [EMAIL]"
    entries = audit_log.entries(engine)
    assert audit_log.verify(engine).ok
    engine.dispose()
    assert [e.action for e in entries] == ["run"]
    details = entries[0].details
    assert entries[0].actor == "tester"
    assert details["run_id"] == run.run_id and details["status"] == "failed"
    assert details["error"] == run.error and details["rubric"] == "global-principal-architect"
    assert "senior-dev" not in repr(details) and "jane@" not in repr(details)


def test_flows_dask_cluster_gives_the_single_process_shortlist(
        prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Extraction chunks on a two-worker Dask cluster (loopback): the same cells."""
    distributed = pytest.importorskip("distributed")
    from pipeline.runs import nightly
    from pipeline.runs.flows import score_batch_on

    single = tmp_path / "single.csv"
    score_batch(SAMPLE_PROFILES, GPA, single, f"sqlite:///{tmp_path / 'single.db'}", as_of=AS_OF)
    monkeypatch.setattr(nightly, "EXTRACT_BATCH", 4)  # several chunks, so both workers work
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=None) as cluster:
        address = cluster.scheduler_address
        clustered = tmp_path / "dask.csv"
        summary = score_batch_on(address)(SAMPLE_PROFILES, GPA, clustered,
                                          f"sqlite:///{tmp_path / 'dask.db'}", as_of=AS_OF,
                                          dask_scheduler=address)
    assert summary.extracted > 4
    assert _cells_without_scored_at(clustered) == _cells_without_scored_at(single)
