"""pipeline.runs.api: Prefect's temporary API started early, or not at all when configured."""

from __future__ import annotations

import pytest
from prefect import flow
from prefect.settings import PREFECT_API_URL, temporary_settings

from pipeline.errors import OrchestrationError
from pipeline.runs.api import EarlyApi, start_api_early


def test_runs_api_does_nothing_when_a_server_is_configured() -> None:
    with temporary_settings(updates={PREFECT_API_URL: "http://127.0.0.1:1/api"}):
        handle = start_api_early()
        assert handle.process is None
        with handle.ready():
            assert PREFECT_API_URL.value() == "http://127.0.0.1:1/api"


def test_runs_api_starts_a_server_that_the_flow_reports_to() -> None:
    @flow
    def where() -> str:
        from prefect.context import get_run_context

        return str(get_run_context().client.api_url)

    with temporary_settings(restore_defaults={PREFECT_API_URL}):
        handle = start_api_early()
        assert handle.process is not None and handle.url.startswith("http://127.0.0.1:")
        try:
            with handle.ready():
                assert PREFECT_API_URL.value() == handle.url
                assert where().rstrip("/") == handle.url
        finally:
            from prefect.events.worker import EventsWorker
            from prefect.logging.handlers import APILogWorker

            APILogWorker.drain_all()  # before the server goes: what the flow sent arrives
            EventsWorker.drain_all()
            handle.process.terminate()
            handle.process.wait(timeout=10)


def test_runs_api_a_server_that_exits_is_an_error_naming_it() -> None:
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "raise SystemExit(3)"])
    dead.wait()
    with pytest.raises(OrchestrationError, match="exited with code 3"):
        with EarlyApi(dead, "http://127.0.0.1:9/api", timeout=5).ready():
            pass  # pragma: no cover
