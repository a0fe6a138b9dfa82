"""What every ``trajectory`` command shares: consoles, exit codes, common options, quieting.

Library code raises :class:`~pipeline.errors.TrajectoryError`; only the CLI modules turn it
into an exit code, through :func:`fail`.
"""

from __future__ import annotations

import logging
import os
import signal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.segment import Segment

from pipeline.textsafe import printable

EXIT_ERROR = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3
#: How a run stopped by SIGTERM exits (128 + the signal's number, as a shell reports it).
EXIT_TERMINATED = 128 + signal.SIGTERM

class SafeConsole(Console):
    """A console that never writes a control character it was given: candidate ids, file
    names and resume phrases are data, so an ESC sequence or a carriage return in them is shown
    as ``\\x1b``/``\\x0d`` (:func:`pipeline.textsafe.printable`); newlines and tabs stay, and
    Rich's own styling is added after."""

    def _render_buffer(self, buffer: Iterable[Segment]) -> str:
        # Rich's one place where segments become text (rich 13-15); control segments are its
        # own cursor moves, not our text.
        return super()._render_buffer(
            segment if segment.control else Segment(printable(segment.text), segment.style)
            for segment in buffer)


console = SafeConsole()
err_console = SafeConsole(stderr=True)

DatabaseOption = Annotated[str | None, typer.Option(
    "--database", help="SQLAlchemy URL; default $TRAJECTORY_DATABASE_URL or a SQLite file in "
    "$TRAJECTORY_DATA_DIR.")]
ActorOption = Annotated[str | None, typer.Option(
    "--actor", help="Who or what started this, for the audit log (default: user@host).")]
ConfigOption = Annotated[Path | None, typer.Option(
    "--config", help="Configuration YAML (retention, nightly); default $TRAJECTORY_CONFIG or "
    "config.yaml in $TRAJECTORY_DATA_DIR, else the defaults.")]


class Terminated(KeyboardInterrupt):
    """SIGTERM arrived: unwind like Ctrl-C, so the run is recorded as failed and Prefect's
    temporary server (stopped at exit) goes with the process instead of being orphaned."""


@contextmanager
def sigterm_unwinds() -> Iterator[None]:
    """Within the block, SIGTERM raises :class:`Terminated` instead of killing the process
    outright (which skips ``finally`` blocks and the ``atexit`` hook that stops Prefect's
    temporary server). The caller turns it into :data:`EXIT_TERMINATED`."""

    def _raise(signum: int, _frame: object) -> None:
        raise Terminated(signal.Signals(signum).name)

    previous = signal.signal(signal.SIGTERM, _raise)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def terminated(err: Terminated) -> typer.Exit:
    """Say that the run was stopped; the caller raises the returned exit (143)."""
    err_console.print(f"[bold red]stopped:[/] {err}; the run is recorded as failed")
    return typer.Exit(EXIT_TERMINATED)


def fail(err: Exception) -> typer.Exit:
    """Print a domain error on stderr; the caller raises the returned exit (code 1)."""
    err_console.print(f"[bold red]error:[/] {err}")
    return typer.Exit(EXIT_ERROR)


def quiet_prefect(verbose: bool = False) -> None:
    """Run flows without a configured Prefect server and without its log noise.

    Prefect starts a temporary local server when none is configured. Its telemetry heartbeat
    logs an ERROR with a traceback on that server's SQLite database, so analytics are turned
    off; its start-up gets more time than Prefect's default; and its INFO logs are hidden
    unless ``--verbose``. An operator's own settings win.
    """
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("DO_NOT_TRACK", "1")
    # Prefect gives its temporary server 20 s to start; on a loaded machine (two runs at once,
    # a busy CI runner) that is not enough, and the whole run would fail before reading a file.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "120")
    if not verbose:
        os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
        # pypdf warns on every damaged PDF it repairs; the quarantine CSV already says why a
        # file was set aside, so its warnings only clutter the summary.
        logging.getLogger("pypdf").setLevel(logging.ERROR)
