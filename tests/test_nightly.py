"""The nightly flow end to end on SQLite and PostgreSQL: incremental runs, versions, diffs,
the run lock, the PII guard, and a run killed at each stage then re-run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
import yaml
from sqlalchemy import MetaData, create_engine, func, select
from sqlalchemy.orm import Session

from pipeline.runs import nightly as nightly_stage
from pipeline.runs.flows import nightly
from pipeline.store.models import ResumeRow, RunRow, ScoreRow

from .conftest import RUBRICS, SAMPLE_PROFILES

GPA = RUBRICS / "global-principal-architect.yaml"
DPA = RUBRICS / "data-platform-architect.yaml"
BROKEN = ("binary-blob", "empty-file", "scanned-resume")


def write_config(tmp: Path, sources: list[dict], rubrics=(GPA,)) -> Path:
    config = tmp / "config.yaml"
    config.write_text(yaml.safe_dump({"nightly": {
        "sources": sources, "rubrics": [str(r) for r in rubrics],
        "out_dir": str(tmp / "shortlists")}}), encoding="utf-8")
    return config


def inbox(tmp: Path, broken: bool = False) -> Path:
    """The valid sample profiles (and with ``broken`` the three malformed files)."""
    folder = tmp / "inbox"
    folder.mkdir()
    for path in SAMPLE_PROFILES.iterdir():
        if broken or path.stem not in BROKEN:
            shutil.copy(path, folder / path.name)
    return folder


def edit(folder: Path, stem: str, line: str) -> None:
    path = next(folder.glob(f"{stem}.*"))
    path.write_text(path.read_text(encoding="utf-8") + f"\n- {line}\n", encoding="utf-8")


@pytest.fixture()
def extract_spy(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Candidate ids passed to extract_each, in call order."""
    seen: list[str] = []
    real = nightly_stage.extract_each

    def spy(batch, nlp=None, *args, **kwargs):
        seen.extend(resume.candidate_id for resume, _ in batch)
        return real(batch, nlp, *args, **kwargs)

    monkeypatch.setattr(nightly_stage, "extract_each", spy)
    return seen


def test_nightly_incremental_counts_versions_diff_and_no_reextraction(
        prefect_harness, tmp_path: Path, database_url: str, extract_spy: list[str]) -> None:
    folder = inbox(tmp_path, broken=True)
    config = write_config(tmp_path, [{"kind": "folder", "path": str(folder)}])
    valid = sorted(p.stem for p in folder.iterdir() if p.stem not in BROKEN)

    first = nightly(str(config), database_url)
    assert (first.staged.new, first.staged.changed, first.staged.unchanged) == (len(valid), 0, 0)
    assert first.status == "partial" and len(first.staged.quarantined) == 3
    assert sorted(extract_spy) == valid
    shortlist = tmp_path / "shortlists" / "global-principal-architect.csv"
    diff = pd.read_csv(shortlist.with_name("global-principal-architect.diff.csv"))
    assert set(diff["change"]) == {"new"} and len(diff) == len(valid)
    quarantine = pd.read_csv(shortlist.with_name("global-principal-architect.quarantine.csv"))
    assert dict(zip(quarantine["candidate_id"], quarantine["code"], strict=True)) == {
        "binary-blob": "binary", "empty-file": "empty", "scanned-resume": "no_text_pdf"}

    changed = ["junior-cloud-engineer-steep-trajectory", "keyword-stuffer-cloud-buzzwords"]
    edit(folder, changed[0], "Led the migration of 40 services to ECS with Terraform, "
                             "cutting deploy time from 2 hours to 9 minutes.")
    edit(folder, changed[1], "Attended a webinar.")
    shutil.copy(SAMPLE_PROFILES / "senior-dev-event-driven-payments.md",
                folder / "newcomer.md")
    extract_spy.clear()
    second = nightly(str(config), database_url)
    s = second.staged
    assert (s.inputs, s.new, s.changed, s.unchanged) == (len(valid) + 4, 1, 2, len(valid) - 2)
    assert sorted(extract_spy) == sorted([*changed, "newcomer"]), "unchanged not re-extracted"

    before = pd.read_csv(shortlist.with_name("global-principal-architect.previous.csv"))
    after = pd.read_csv(shortlist)
    diff = pd.read_csv(shortlist.with_name("global-principal-architect.diff.csv"))
    assert list(diff.loc[diff["change"] == "new", "candidate_id"]) == ["newcomer"]
    assert "dropped" not in set(diff["change"])
    old_rank = dict(zip(before["candidate_id"], before["rank"], strict=True))
    new_rank = dict(zip(after["candidate_id"], after["rank"], strict=True))
    moved = {r.candidate_id: (r.old_rank, r.new_rank)
             for r in diff[diff["change"] == "moved"].itertuples()}
    assert moved == {c: (old_rank[c], new_rank[c]) for c in old_rank if old_rank[c] != new_rank[c]}
    assert moved, "a new candidate above others moves them"

    engine = create_engine(database_url)
    with Session(engine) as session:
        versions = dict(session.execute(select(ResumeRow.candidate_id, func.count())
                                        .group_by(ResumeRow.candidate_id)).all())
        assert {c: versions[c] for c in changed} == dict.fromkeys(changed, 2)
        assert sum(versions.values()) == len(valid) + 3
        for candidate in changed:  # the shortlist's score is the latest version's
            latest = session.scalar(select(func.max(ResumeRow.id))
                                    .where(ResumeRow.candidate_id == candidate))
            assert session.scalar(select(ScoreRow.resume_id).where(
                ScoreRow.candidate_id == candidate, ScoreRow.run_id == second.run_id)) == latest
        run = session.get(RunRow, second.run_id)
        assert run is not None and run.kind == "nightly" and run.status == "partial"
        assert (run.new, run.changed, run.unchanged, run.quarantined) == (
            1, 2, len(valid) - 2, 3)
        assert run.rubrics == {"global-principal-architect": second.rubrics[0].rubric_version}
        assert set(run.redactions or {}) >= {"email", "phone", "address", "dob"}
        from pipeline.hashing import file_sha256

        assert run.exports and all(file_sha256(Path(p)) == h for p, h in run.exports.items())
    engine.dispose()


def test_nightly_lock_keeps_a_second_run_out(prefect_harness, tmp_path: Path,
                                             database_url: str) -> None:
    from datetime import timedelta

    from pipeline.store import runlock
    from pipeline.store.db import open_store

    config = write_config(tmp_path, [{"kind": "folder", "path": str(inbox(tmp_path))}])
    engine = open_store(database_url)
    runlock.acquire(engine, "nightly", "elsewhere:1:other-run", timedelta(minutes=5))
    with pytest.raises(runlock.RunLockedError, match="elsewhere:1:other-run"):
        nightly(str(config), database_url)
    runlock.release(engine, "nightly", "elsewhere:1:other-run")
    assert nightly(str(config), database_url).status == "complete"
    # an expired claim is taken over
    runlock.acquire(engine, "nightly", "elsewhere:1:stale", timedelta(seconds=-1))
    runlock.acquire(engine, "nightly", "here:2:fresh", timedelta(minutes=5))
    engine.dispose()


# --- a run killed at each stage, then re-run, ends as one clean run ---------------------------

STAGES = {
    "ingest": ("pipeline.runs.nightly.stage_inputs", 1),
    "extract": ("pipeline.runs.nightly.extract_pending", 1),
    "score-second-rubric": ("pipeline.runs.nightly.score_rubric", 2),
    "export-first-rubric": ("pipeline.export.shortlist.export_with_diff", 1),
    "purge": ("pipeline.privacy.retention.purge", 1),
}
#: Columns that differ between runs by design: ids, run ids and timestamps.
VOLATILE = {"id", "resume_id", "run_id", "scored_at", "extracted_at", "first_seen", "seen_at"}


def _snapshot(url: str, out_dir: Path) -> dict:
    engine = create_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    tables = {}
    with engine.connect() as connection:
        for name in ("resumes", "extractions", "scores", "quarantine", "tombstones"):
            table = meta.tables[name]
            columns = [c for c in table.columns if c.name not in VOLATILE]
            rows = connection.execute(select(*columns)).all()
            tables[name] = sorted(repr(tuple(r)) for r in rows)
        tables["run_locks"] = connection.execute(select(meta.tables["run_locks"])).all()
    engine.dispose()
    files = {p.name: pd.read_csv(p).drop(columns=["scored_at"], errors="ignore")
             for p in sorted(out_dir.glob("*.csv"))}
    return {"tables": tables, "files": files}


def _night(folder: Path) -> None:
    edit(folder, "junior-cloud-engineer-steep-trajectory", "Led the move to EKS, cutting "
                                                           "costs by 35%.")
    shutil.copy(SAMPLE_PROFILES / "principal-cloud-architect-long-tenure.txt",
                folder / "second-night.txt")


@pytest.mark.parametrize("stage", list(STAGES))
def test_nightly_killed_at_each_stage_then_rerun_equals_a_clean_run(
        prefect_harness, tmp_path: Path, database_url: str, stage: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    results = {}
    tmp = tmp_path / "run"  # the same paths for both variants: they are stored and exported
    for variant in ("clean", "killed"):
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir()
        folder = inbox(tmp, broken=True)
        config = write_config(tmp, [{"kind": "folder", "path": str(folder)}], (GPA, DPA))
        url = database_url if variant == "killed" else f"sqlite:///{tmp_path / 'clean.db'}"
        nightly(str(config), url)
        _night(folder)
        if variant == "killed":
            target, fail_on_call = STAGES[stage]
            module_name, attr = target.rsplit(".", 1)
            module = importlib.import_module(module_name)
            real, calls = getattr(module, attr), []

            def dying(*args, _real=real, _calls=calls, _n=fail_on_call, **kwargs):
                _calls.append(1)
                if len(_calls) == _n:
                    raise RuntimeError(f"killed at {stage}")
                return _real(*args, **kwargs)

            monkeypatch.setattr(module, attr, dying)
            with pytest.raises(RuntimeError, match="killed"):
                nightly(str(config), url)
            monkeypatch.setattr(module, attr, real)
        nightly(str(config), url)
        results[variant] = _snapshot(url, tmp / "shortlists")

    clean, killed = results["clean"], results["killed"]
    assert killed["tables"] == clean["tables"]
    assert sorted(killed["files"]) == sorted(clean["files"])
    for name, frame in clean["files"].items():
        pd.testing.assert_frame_equal(killed["files"][name], frame, obj=name)


# --- sources: S3 (moto on loopback), a JSON Lines export and a folder in one run -------------


def test_nightly_reads_s3_jsonl_and_folder_sources(prefect_harness, tmp_path: Path,
                                                   database_url: str, s3_endpoint: str) -> None:
    import json
    import uuid

    import boto3

    from .conftest import make_docx, make_pdf

    case = (SAMPLE_PROFILES / "senior-dev-event-driven-payments.md").read_text(encoding="utf-8")
    bucket = f"resumes-{uuid.uuid4().hex[:12]}"
    client = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1")
    client.create_bucket(Bucket=bucket)
    client.put_object(Bucket=bucket, Key="in/s3-pdf.pdf", Body=make_pdf(case))
    client.put_object(Bucket=bucket, Key="in/s3-docx.docx", Body=make_docx(case))
    client.put_object(Bucket=bucket, Key="in/s3-txt.md", Body=case.encode())
    client.put_object(Bucket=bucket, Key="elsewhere/ignored.md", Body=case.encode())
    export = tmp_path / "ats.jsonl"
    export.write_text(json.dumps({"id": "ats-1", "text": case}) + "\n{not json\n",
                      encoding="utf-8")
    folder = tmp_path / "inbox"
    folder.mkdir()
    shutil.copy(SAMPLE_PROFILES / "sre-operations-observability.txt", folder)
    config = write_config(tmp_path, [
        {"kind": "folder", "path": str(folder)},
        {"kind": "s3", "bucket": bucket, "prefix": "in/", "endpoint_url": s3_endpoint},
        {"kind": "jsonl", "path": str(export)},
    ])
    summary = nightly(str(config), database_url)
    assert (summary.staged.inputs, summary.staged.new) == (6, 5)
    assert [q.code for q in summary.staged.quarantined] == ["corrupt"]  # the bad line
    shortlist = pd.read_csv(summary.rubrics[0].shortlist).set_index("candidate_id")
    assert set(shortlist.index) == {"sre-operations-observability", "s3-pdf", "s3-docx",
                                    "s3-txt", "ats-1"}
    twin = shortlist.loc["s3-txt", "score"]
    for other in ("s3-pdf", "s3-docx", "ats-1"):
        assert abs(shortlist.loc[other, "score"] - twin) <= 1.0, other


def test_nightly_retries_a_transient_source_error(prefect_harness, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.errors import TransientSourceError

    config = write_config(tmp_path, [{"kind": "folder", "path": str(inbox(tmp_path))}])
    real, calls = nightly_stage.read_sources, []

    def flaky(settings, *limits):
        calls.append(1)
        if len(calls) == 1:
            raise TransientSourceError("s3://bucket: SlowDown (503); retry later")
        return real(settings, *limits)

    monkeypatch.setattr(nightly_stage, "read_sources", flaky)
    summary = nightly(str(config), f"sqlite:///{tmp_path / 'db.sqlite'}")
    assert len(calls) == 2 and summary.status == "complete"


# --- the PII guard: planted values never reach the database, exports, logs or Prefect --------

PLANTED = {
    "email": "jane.doe.planted@example.com",
    "phone": "+44 20 7946 0958",
    "profile_url": "linkedin.com/in/jane-planted-1234567",
    "handle": "@janeplanted99",
    "address": "742 Evergreen Terrace",
    "dob": "14 March 1988",
}


def test_nightly_planted_pii_appears_nowhere(prefect_harness, tmp_path: Path,
                                             database_url: str, caplog, capfd) -> None:
    import logging

    from prefect.settings import get_current_settings

    caplog.set_level(logging.DEBUG)
    folder = inbox(tmp_path)
    header = (f"Jane Planted\nEmail: {PLANTED['email']} | Phone: {PLANTED['phone']}\n"
              f"{PLANTED['profile_url']} | Twitter: {PLANTED['handle']}\n"
              f"Address: {PLANTED['address']}, Springfield\n"
              f"Date of birth: {PLANTED['dob']}\n\n")
    planted_in = [p for p in sorted(folder.iterdir()) if p.suffix == ".md"][:5]
    for path in planted_in:
        path.write_text(header + path.read_text(encoding="utf-8"), encoding="utf-8")
    config = write_config(tmp_path, [{"kind": "folder", "path": str(folder)}])
    summary = nightly(str(config), database_url)
    assert all(summary.staged.redactions[kind] >= len(planted_in) for kind in PLANTED), (
        summary.staged.redactions)

    haystacks: dict[str, str] = {}
    engine = create_engine(database_url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        for name, table in meta.tables.items():
            haystacks[f"table {name}"] = repr(connection.execute(select(table)).all())
    engine.dispose()
    for path in (tmp_path / "shortlists").iterdir():
        haystacks[str(path)] = path.read_text(encoding="utf-8")
    haystacks["logs"] = caplog.text
    out, err = capfd.readouterr()
    haystacks["stdout/stderr"] = out + err
    settings = get_current_settings()
    storage = Path(settings.results.local_storage_path)
    prefect_db = settings.server.database.connection_url
    for root in (storage, Path(settings.home)):
        for path in (root.rglob("*") if root.exists() else ()):
            if path.is_file():
                haystacks[str(path)] = path.read_bytes().decode("utf-8", "replace")
    if prefect_db and prefect_db.get_secret_value().startswith("sqlite"):
        db_file = Path(prefect_db.get_secret_value().split("///", 1)[1])
        haystacks[str(db_file)] = db_file.read_bytes().decode("utf-8", "replace")
    assert any("prefect" in k.lower() or k.endswith(".db") for k in haystacks), haystacks.keys()
    for kind, value in PLANTED.items():
        leaks = [where for where, text in haystacks.items() if value in text]
        assert not leaks, f"planted {kind} {value!r} found in {leaks}"


def test_nightly_same_day_rerun_is_a_no_op_next_day_rescores(
        prefect_harness, tmp_path: Path, database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from datetime import date, timedelta

    config = write_config(tmp_path, [{"kind": "folder", "path": str(inbox(tmp_path))}])
    day = date(2026, 11, 2)
    first = nightly(str(config), database_url, as_of=day)
    files = {p.name: p.read_bytes() for p in (tmp_path / "shortlists").iterdir()}
    scored: list[str] = []
    real = nightly_stage.score_rubric

    def spy(engine, run_id, evidence, rubric, *args):
        scored.append(rubric.name)
        return real(engine, run_id, evidence, rubric, *args)

    monkeypatch.setattr(nightly_stage, "score_rubric", spy)
    again = nightly(str(config), database_url, as_of=day)
    assert scored == [] and again.rubrics == first.rubrics
    assert {p.name: p.read_bytes() for p in (tmp_path / "shortlists").iterdir()} == files
    nightly(str(config), database_url, as_of=day + timedelta(days=1))
    assert scored == ["global-principal-architect"]


def test_nightly_erase_rewrites_every_nightly_file(prefect_harness, tmp_path: Path,
                                                   database_url: str) -> None:
    from datetime import UTC, datetime

    from pipeline.config import secret_key
    from pipeline.privacy.erase import erase_candidate
    from pipeline.store.db import open_store

    folder = inbox(tmp_path)
    config = write_config(tmp_path, [{"kind": "folder", "path": str(folder)}])
    nightly(str(config), database_url)
    nightly(str(config), database_url)  # nothing changed: a no-op, the same files
    edit(folder, "sre-operations-observability", "Cut alert noise by 60%.")
    nightly(str(config), database_url)  # writes previous.csv and a diff naming the SRE
    out = tmp_path / "shortlists"
    victim = "sre-operations-observability"
    assert any(victim in p.read_text() for p in out.glob("*.csv"))
    engine = open_store(database_url)
    report = erase_candidate(engine, victim, key=secret_key(), actor="test",
                             now=datetime.now(UTC))
    engine.dispose()
    assert {p.name for p in report.files} >= {"global-principal-architect.csv",
                                              "global-principal-architect.previous.csv"}
    assert not [p.name for p in out.glob("*.csv") if victim in p.read_text()]
    assert nightly(str(config), database_url).staged.erased_skipped == 1


def test_nightly_failed_stage_ends_run_failed_with_audit_entry(
        prefect_harness, tmp_path: Path, database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline.audit import log as audit_log
    from pipeline.store.db import open_store

    config = write_config(tmp_path, [{"kind": "folder", "path": str(inbox(tmp_path))}])

    def dying(*_args, **_kwargs):
        raise ValueError("bad evidence for 'junior-cloud-engineer-steep-trajectory'")

    monkeypatch.setattr(nightly_stage, "extract_pending", dying)
    with pytest.raises(ValueError, match="bad evidence"):
        nightly(str(config), database_url, actor="scheduler")

    engine = open_store(database_url)
    with Session(engine) as s:
        (run,) = s.scalars(select(RunRow)).all()
        assert run.kind == "nightly" and run.status == "failed"
        assert run.finished_at is not None
        assert run.error == "ValueError: bad evidence for '…'"
    entries = audit_log.entries(engine)
    assert audit_log.verify(engine).ok
    engine.dispose()
    assert [e.action for e in entries] == ["run"]
    assert entries[0].actor == "scheduler"
    assert {k: entries[0].details[k] for k in ("run_id", "status", "error")} == {
        "run_id": run.run_id, "status": "failed", "error": run.error}
