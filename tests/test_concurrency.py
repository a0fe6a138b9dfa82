"""Concurrency: processes writing to one database at once lose nothing and duplicate nothing."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from pipeline.audit.log import append, entries, verify
from pipeline.records import PILLARS, CandidateEvidence, Resume, ScoredCandidate, SourceDocument
from pipeline.store.db import open_store
from pipeline.store.models import ExtractionRow, QuarantineRow, ResumeRow, RunRow, ScoreRow
from tests.store_seed import save_batch

from .conftest import RUBRICS, SAMPLE_PROFILES

TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))
GPA = RUBRICS / "global-principal-architect.yaml"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def _count(session: Session, model) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def test_concurrency_two_trajectory_score_processes_at_once(
        database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two `trajectory score` processes on overlapping folders, started together on one empty
    database: the schema is created once, every resume is stored once, both runs complete."""
    files = sorted(p for p in SAMPLE_PROFILES.iterdir() if not p.name.startswith("."))
    halves = {"a": files[: len(files) * 2 // 3], "b": files[len(files) // 3:]}
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env["TRAJECTORY_DATA_DIR"] = str(tmp_path / "data")
    # One key for both runs and for this test's verify: the audit chain is keyed (HMAC).
    env["TRAJECTORY_SECRET_KEY"] = "concurrency-test-key-of-at-least-32-chars"
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY", env["TRAJECTORY_SECRET_KEY"])
    processes = {}
    for name, chosen in halves.items():
        folder = tmp_path / name
        folder.mkdir()
        for path in chosen:
            shutil.copy(path, folder / path.name)
        processes[name] = subprocess.Popen(
            [TRAJECTORY, "score", str(folder), "--rubric", str(GPA), "--out",
             str(tmp_path / f"{name}.csv"), "--database", database_url, "--quiet",
             "--actor", f"worker-{name}", "--strict"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    for name, process in processes.items():
        out, err = process.communicate(timeout=300)
        # 3 is "partial": the run completed but quarantined some of its inputs.
        partial = not pd.read_csv(tmp_path / f"{name}.quarantine.csv").empty
        assert process.returncode == (3 if partial else 0), f"{name}: {out}\n{err}"

    scored = set().union(*(pd.read_csv(tmp_path / f"{n}.csv")["candidate_id"] for n in "ab"))
    quarantine_rows = [pd.read_csv(tmp_path / f"{n}.quarantine.csv") for n in "ab"]
    quarantined = set().union(*(q["candidate_id"] for q in quarantine_rows))
    assert len(scored) + len(quarantined) == len(files)
    engine = open_store(database_url)
    try:
        with Session(engine) as s:
            assert set(s.scalars(select(ResumeRow.candidate_id))) == scored
            assert _count(s, ResumeRow) == _count(s, ScoreRow) == _count(s, ExtractionRow)
            assert _count(s, ResumeRow) == len(scored)
            # Keyed by (candidate, source path, reason): the same file in two folders is two.
            assert _count(s, QuarantineRow) == sum(len(q) for q in quarantine_rows)
            assert set(s.scalars(select(QuarantineRow.candidate_id))) == quarantined
            assert list(s.scalars(select(RunRow.status))) == ["complete", "complete"]
        log = entries(engine)
        assert sorted(e.action for e in log) == ["export", "export", "run", "run"]
        assert {e.actor for e in log} == {"worker-a", "worker-b"}
        assert verify(engine).ok
    finally:
        engine.dispose()


WORKERS, ROUNDS, CANDIDATES = 4, 5, 24


def _worker(url: str, worker: int, barrier) -> None:  # type: ignore[no-untyped-def]
    """Save an overlapping batch several times and append to the audit log, all at once."""
    engine = open_store(url)
    ids = [f"cand-{i:02d}" for i in range(worker * 4, worker * 4 + CANDIDATES // 2)]
    docs = [SourceDocument(c, f"/in/{c}.txt", "Led it.", f"hash-{c}", "utf-8") for c in ids]
    evidence = [CandidateEvidence(Resume(c), f"hash-{c}", (), (), "rules-1") for c in ids]
    scores = [ScoredCandidate(c, f"hash-{c}", float(worker), 1, 2, 3, {p: 0.0 for p in PILLARS},
                              1.0, (), (), (), "r", "1") for c in ids]
    barrier.wait(timeout=60)
    for round_ in range(ROUNDS):
        save_batch(engine, f"w{worker}-r{round_}", docs, evidence, scores, [], NOW)
        append(engine, "run", f"worker-{worker}", {"round": round_}, NOW)
    engine.dispose()


def test_concurrency_parallel_upserts_and_audit_appends(database_url: str) -> None:
    open_store(database_url).dispose()  # the schema, so the workers race on rows only
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    workers = [context.Process(target=_worker, args=(database_url, w, barrier))
               for w in range(WORKERS)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
        assert process.exitcode == 0
    expected = {f"cand-{i:02d}" for w in range(WORKERS)
                for i in range(w * 4, w * 4 + CANDIDATES // 2)}
    engine = open_store(database_url)
    try:
        with Session(engine) as s:
            assert set(s.scalars(select(ResumeRow.candidate_id))) == expected
            assert _count(s, ResumeRow) == _count(s, ScoreRow) == len(expected)
            assert _count(s, ExtractionRow) == len(expected)
        report = verify(engine)
        assert report.ok and report.entries == WORKERS * ROUNDS
    finally:
        engine.dispose()
