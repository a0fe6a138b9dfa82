"""Issue 15, failure 5: a run whose process died is ``abandoned``, never ``running`` for ever;
SIGTERM stops Prefect's temporary server with the run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from pipeline.audit import log as audit_log
from pipeline.cli.main import app
from pipeline.runs import liveness
from pipeline.store import runlock
from pipeline.store.db import open_store
from pipeline.store.models import RunLockRow, RunRow

from .conftest import RUBRICS, SAMPLE_PROFILES

TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))

_KILLED_RUN = """
import os, signal, sys
from datetime import UTC, datetime
from pipeline.runs import history as runs
from pipeline.store.db import open_store
engine = open_store(sys.argv[1])
with runs.recorded(engine, "deadbeef" * 4, actor="test", kind="score", source="in",
                   rubric="r", rubric_version="1", extractor_version="e",
                   started_at=datetime.now(UTC)):
    os.kill(os.getpid(), signal.SIGKILL)
"""


def _status(url: str, run_id: str) -> RunRow:
    engine = open_store(url)
    try:
        with Session(engine) as session:
            return session.scalars(select(RunRow).where(RunRow.run_id == run_id)).one()
    finally:
        engine.dispose()


def test_runs_a_killed_run_is_abandoned_with_an_audit_entry(sqlite_url: str) -> None:
    killed = subprocess.run([sys.executable, "-c", _KILLED_RUN, sqlite_url], check=False)
    assert killed.returncode == -signal.SIGKILL
    assert _status(sqlite_url, "deadbeef" * 4).status == "running"

    result = CliRunner().invoke(app, ["runs", "--database", sqlite_url])
    assert result.exit_code == 0, result.output
    assert "abandoned" in result.output and "running" not in result.output
    run = _status(sqlite_url, "deadbeef" * 4)
    assert run.status == "abandoned" and run.finished_at is not None
    assert "its process" in (run.error or "") and "is gone" in (run.error or "")
    engine = open_store(sqlite_url)
    try:
        [entry] = [e for e in audit_log.entries(engine) if e.action == "run"]
        assert entry.details["status"] == "abandoned"
        assert entry.details["run_id"] == "deadbeef" * 4
        with Session(engine) as session:
            assert session.scalars(select(RunLockRow)).all() == []
    finally:
        engine.dispose()


def _running(engine, run_id: str, started: datetime) -> None:
    with Session(engine) as session, session.begin():
        session.add(RunRow(run_id=run_id, started_at=started, source="s", rubric="r",
                           rubric_version="1", extractor_version="e", kind="nightly", new=0,
                           changed=0, unchanged=0))


def test_liveness_other_hosts_and_lockless_runs_are_judged_by_age(engine) -> None:
    now = datetime.now(UTC)
    _running(engine, "old-no-lock", now - timedelta(hours=30))
    _running(engine, "new-no-lock", now - timedelta(minutes=5))
    _running(engine, "elsewhere-expired", now - timedelta(hours=2))
    _running(engine, "elsewhere-alive", now - timedelta(hours=2))
    with Session(engine) as session, session.begin():
        for run_id, expires in (("elsewhere-expired", now - timedelta(minutes=1)),
                                ("elsewhere-alive", now + timedelta(hours=3))):
            session.add(RunLockRow(name=liveness.lock_name(run_id),
                                   owner=f"another-host:4242:{run_id[:16]}",
                                   acquired_at=now - timedelta(hours=2), expires_at=expires))
    reaped = liveness.reap(engine, actor="test", now=now)
    assert sorted(reaped) == ["elsewhere-expired", "old-no-lock"]
    with Session(engine) as session:
        status = {r: s for r, s in session.execute(select(RunRow.run_id, RunRow.status))}
    assert status == {"old-no-lock": "abandoned", "new-no-lock": "running",
                      "elsewhere-expired": "abandoned", "elsewhere-alive": "running"}
    assert liveness.reap(engine, actor="test", now=now) == []  # once only


def test_runlock_a_finished_run_leaves_no_liveness_lock(engine) -> None:
    from pipeline.runs import history as runs

    with runs.recorded(engine, "f" * 32, actor="t", kind="score", source="s", rubric="r",
                       rubric_version="1", extractor_version="e", started_at=datetime.now(UTC)):
        with Session(engine) as session:
            [lock] = session.scalars(select(RunLockRow)).all()
        assert lock.owner == runlock.owner_id("f" * 32)
    with Session(engine) as session:
        assert session.scalars(select(RunLockRow)).all() == []


def _children(pid: int) -> set[int]:
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads child processes from /proc")
def test_cli_sigterm_stops_prefects_server_and_records_the_run_failed(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'db.sqlite'}"
    folder = tmp_path / "in"  # enough resumes that the run is still going when signalled
    folder.mkdir()
    for copy in range(30):
        for path in SAMPLE_PROFILES.glob("*.txt"):
            (folder / f"{copy}-{path.name}").write_bytes(path.read_bytes())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env["TRAJECTORY_DATA_DIR"] = str(tmp_path / "data")
    process = subprocess.Popen(
        [TRAJECTORY, "score", str(folder), "--rubric",
         str(RUBRICS / "global-principal-architect.yaml"), "--out", str(tmp_path / "s.csv"),
         "--quiet", "--database", db],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    deadline = time.monotonic() + 600  # a loaded machine starts Prefect slowly
    children: set[int] = set()
    while time.monotonic() < deadline and process.poll() is None:
        children = _children(process.pid)  # Prefect's temporary server, once it is up
        if children and _running_run(db):
            break
        time.sleep(0.2)
    assert children, "no Prefect server process appeared"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=600)
    assert process.returncode == 128 + signal.SIGTERM, stderr[-2000:]
    assert "Traceback" not in stderr, stderr[-2000:]
    for _ in range(100):
        if not any(_alive(pid) for pid in children):
            break
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in children), "Prefect's server outlived the run"
    engine = open_store(db)
    try:
        with Session(engine) as session:
            [run] = session.scalars(select(RunRow)).all()
    finally:
        engine.dispose()
    assert run.status == "failed" and "SIGTERM" in (run.error or "")


def _running_run(url: str) -> bool:
    path = Path(url.removeprefix("sqlite:///"))
    if not path.exists():
        return False
    engine = open_store(url)
    try:
        with Session(engine) as session:
            return session.scalars(select(RunRow).where(RunRow.status == "running")).first() \
                is not None
    except Exception:  # noqa: BLE001  (the run may be creating the schema right now)
        return False
    finally:
        engine.dispose()
