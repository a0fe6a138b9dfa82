"""Start Prefect's temporary local API early, so its start-up overlaps the run's own set-up.

When no Prefect server is configured (``PREFECT_API_URL`` unset) Prefect starts a temporary
one the first time a flow needs it and waits for it: measured here, 2.4 s of CPU importing
Prefect's server package in the CLI process only to start it, then ~3 s of CPU in the
server's own process, all after the CLI's ~2.5 s of imports and model loading. Most of a
one-resume ``trajectory score``.

:func:`start_api_early` starts the same server, with the same command and environment as
Prefect's ``SubprocessASGIServer`` (uvicorn serving ``prefect.server.api.server:create_app``
on 127.0.0.1, UI off, Prefect's database), before the CLI imports the pipeline;
:meth:`EarlyApi.ready` waits until it answers and points this process's Prefect settings at
it for the flow. The server is stopped when the process exits, as Prefect stops its own.

Nothing changes for a configured server or a deployment: with ``PREFECT_API_URL`` set, or
the temporary server disabled (``PREFECT_SERVER_EPHEMERAL_ENABLED=false``), the handle does
nothing and Prefect behaves as without it.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass

from pipeline.errors import OrchestrationError

_POLL_SECONDS = 0.05

@dataclass
class EarlyApi:
    """A temporary API being started, or nothing (``process`` None) when none is needed."""

    process: subprocess.Popen[bytes] | None = None
    url: str = ""
    timeout: float = 20.0

    @contextlib.contextmanager
    def ready(self) -> Iterator[None]:
        """Wait until the temporary API answers, and use it for the flows run inside.

        Raises OrchestrationError when the server exits or does not answer within Prefect's
        ``PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS``.
        """
        if self.process is None:
            yield
            return
        import httpx
        from prefect.settings import PREFECT_API_URL, temporary_settings

        deadline = time.monotonic() + self.timeout
        with httpx.Client() as client:
            while True:
                if self.process.poll() is not None:
                    raise OrchestrationError(f"Prefect's temporary API at {self.url} exited "
                                             f"with code {self.process.returncode}")
                with contextlib.suppress(httpx.TransportError):
                    if client.get(f"{self.url}/health").status_code == 200:
                        break
                if time.monotonic() > deadline:
                    raise OrchestrationError(f"Prefect's temporary API at {self.url} did not "
                                             f"answer within {self.timeout:.0f} s")
                time.sleep(_POLL_SECONDS)
        with temporary_settings(updates={PREFECT_API_URL: self.url}):
            yield


def start_api_early() -> EarlyApi:
    """Start Prefect's temporary local API now if a flow would start one later.

    Returns a handle; run the flows inside ``with handle.ready():``. The handle does nothing
    when ``PREFECT_API_URL`` is set or Prefect's temporary server is disabled.
    """
    import prefect
    from prefect.settings import (
        PREFECT_API_URL,
        PREFECT_SERVER_EPHEMERAL_ENABLED,
        PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS,
        get_current_settings,
    )

    if PREFECT_API_URL.value() or not PREFECT_SERVER_EPHEMERAL_ENABLED.value():
        return EarlyApi()
    port = _free_port()
    # What prefect.server.api.server.SubprocessASGIServer runs (Prefect 3.9).
    env = {**os.environ, "PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1",
           "PREFECT__SERVER_FINAL": "1",
           **get_current_settings().to_environment_variables(exclude_unset=True)}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--app-dir", str(prefect.__module_path__.parent),
         "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1",
         "--port", str(port), "--log-level", "error", "--lifespan", "on"],
        env=env)
    atexit.register(_stop, process)
    return EarlyApi(process, f"http://127.0.0.1:{port}/api",
                    float(PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS.value()))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
