"""`trajectory serve` as an operator runs it: a real process, stopped by a signal; and a real
Prefect server on loopback whose scheduler starts the served nightly flow on its cron."""

from __future__ import annotations

import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from .conftest import RUBRICS, SAMPLE_PROFILES

BIN = Path(sys.executable).parent
TRAJECTORY = str(BIN / "trajectory")
GPA = RUBRICS / "global-principal-architect.yaml"
ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.serve


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env.update({"PREFECT_HOME": str(tmp / "prefect-home"), "TRAJECTORY_DATA_DIR": str(tmp / "data"),
                "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1",
                # the tests run this tree, wherever pytest was started
                "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                            env.get("PYTHONPATH")])),
                **extra})
    return env


def _config(tmp: Path) -> Path:
    config = tmp / "config.yaml"
    config.write_text(yaml.safe_dump({"nightly": {
        "sources": [{"kind": "folder", "path": str(SAMPLE_PROFILES)}],
        "rubrics": [str(GPA)], "out_dir": str(tmp / "shortlists"),
        "schedule": {"cron": "30 1 * * *", "timezone": "Europe/Madrid"}}}), encoding="utf-8")
    return config


def _wait_for(path: Path, text: str, process: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if text in path.read_text(encoding="utf-8", errors="replace"):
            return
        if process.poll() is not None:
            break
        time.sleep(0.5)
    process.kill()
    pytest.fail(f"{text!r} not seen in {seconds}s:\n{path.read_text(errors='replace')}")


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_serve_registers_its_schedule_and_stops_cleanly(tmp_path: Path, stop: int) -> None:
    log = tmp_path / "serve.log"
    with log.open("w") as handle:
        process = subprocess.Popen([TRAJECTORY, "serve", "--config", str(_config(tmp_path))],
                                   stdout=handle, stderr=subprocess.STDOUT,
                                   env=_env(tmp_path))
    try:
        _wait_for(log, "is being served", process, 90)
        process.send_signal(stop)
        assert process.wait(timeout=120) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
    text = log.read_text()
    assert "Traceback" not in text, text  # the whole log, to see whose traceback it is
    with sqlite3.connect(tmp_path / "prefect-home" / "prefect.db") as db:
        schedules = [json.loads(s) for (s,) in db.execute(
            "SELECT schedule FROM deployment_schedule")]
        (name, parameters), = db.execute("SELECT name, parameters FROM deployment").fetchall()
    assert schedules == [{"cron": "30 1 * * *", "timezone": "Europe/Madrid", "day_or": True}]
    assert name == "trajectory-nightly"
    assert json.loads(parameters)["config"] == str(tmp_path / "config.yaml")


def test_serve_rejects_a_bad_time_zone(tmp_path: Path) -> None:
    result = subprocess.run([TRAJECTORY, "serve", "--config", str(_config(tmp_path)),
                             "--timezone", "Mars/Olympus"], capture_output=True, text=True,
                            env=_env(tmp_path), timeout=120, check=False)
    assert result.returncode == 1 and "Mars/Olympus" in result.stderr


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture()
def prefect_server(tmp_path: Path) -> Iterator[str]:
    """`prefect server start` on 127.0.0.1 on a free port with its own PREFECT_HOME; its API
    URL. Killed at the end."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = _env(tmp_path, PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS="2",
               PREFECT_UI_ENABLED="false")
    with log.open("w") as handle:
        server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host",
                                   "127.0.0.1", "--port", str(port)], stdout=handle,
                                  stderr=subprocess.STDOUT, env=env, start_new_session=True)
    url = f"http://127.0.0.1:{port}/api"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                pytest.fail(f"Prefect server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.5)
        yield url
    finally:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(timeout=30)


def test_serve_scheduled_run_completes_and_writes_shortlists(tmp_path: Path,
                                                             prefect_server: str) -> None:
    log = tmp_path / "serve.log"
    env = _env(tmp_path, PREFECT_API_URL=prefect_server, PREFECT_RUNNER_POLL_FREQUENCY="2")
    shortlist = tmp_path / "shortlists" / "global-principal-architect.csv"
    with log.open("w") as handle:
        # Every minute: the next run is at most a minute away.
        process = subprocess.Popen([TRAJECTORY, "serve", "--config", str(_config(tmp_path)),
                                    "--cron", "* * * * *"], stdout=handle,
                                   stderr=subprocess.STDOUT, env=env)
    try:
        _wait_for(log, "is being served", process, 90)
        deadline = time.monotonic() + 150
        while not shortlist.exists() and time.monotonic() < deadline:
            assert process.poll() is None, log.read_text()
            time.sleep(1)
        assert shortlist.exists(), log.read_text()
        _wait_for(log, "Finished in state Completed", process, 180)
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
    assert shortlist.with_name("global-principal-architect.diff.csv").exists()
    assert len(shortlist.read_text().splitlines()) == 1 + 18


def test_serve_prefect_yaml_deploys_the_same_flow_on_the_same_schedule() -> None:
    from pipeline.config import ScheduleSettings
    from pipeline.runs.flows import nightly

    project = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
    (deployment,) = project["deployments"]
    path, _, name = deployment["entrypoint"].partition(":")
    assert (ROOT / path).is_file() and name == nightly.fn.__name__
    assert deployment["work_pool"]["name"]
    default = ScheduleSettings()
    assert deployment["schedules"] == [{"cron": default.cron, "timezone": default.timezone,
                                        "active": True}]
    assert set(deployment["parameters"]) <= set(nightly.parameters.properties)
