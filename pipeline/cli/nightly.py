"""The nightly commands of the ``trajectory`` shell: ``nightly``, ``serve`` and ``runs``.

Registered on the main app by ``pipeline.cli.main``. Exit codes, as for every command: 0 done,
1 a domain error, 2 bad usage, 3 partial (the run finished but quarantined some input).
"""

from __future__ import annotations

import json
import os
import signal
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from pipeline.cli.common import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    ConfigOption,
    DatabaseOption,
    Terminated,
    console,
    err_console,
    fail,
    quiet_prefect,
    sigterm_unwinds,
    terminated,
)
from pipeline.errors import TrajectoryError

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

EXIT_CODES_HELP = ("Exit codes: 0 done, 1 error, 2 bad usage, 3 partial (some input was "
                   "quarantined; see the .quarantine.csv files).")








def nightly(config: ConfigOption = None, database: DatabaseOption = None,
            actor: Annotated[str | None, typer.Option(
                "--actor", help="Who or what started this, for the audit log.")] = None,
            ) -> None:
    """Run the nightly flow once, now: ingest, extract what is new or changed, rescore every
    rubric, write shortlists and diffs, purge.

    Exit codes: 0 done, 1 error, 2 bad usage, 3 partial (some input was quarantined; see the
    .quarantine.csv files).
    """
    quiet_prefect(verbose=True)  # a service: keep Prefect's run logs
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    from pipeline.runs.flows import nightly as nightly_flow

    try:
        with sigterm_unwinds():
            summary = nightly_flow(str(config) if config else None, database, actor)
    except Terminated as err:
        raise terminated(err) from err
    except TrajectoryError as err:
        raise fail(err) from err
    staged = summary.staged
    table = Table(title=f"nightly run {summary.run_id[:12]}: {summary.status}",
                  show_header=False)
    for label, value in (("inputs", staged.inputs), ("new", staged.new),
                         ("changed", staged.changed), ("unchanged", staged.unchanged),
                         ("quarantined", len(staged.quarantined)),
                         ("erased, skipped", staged.erased_skipped),
                         ("extracted", summary.extracted),
                         ("redactions", sum(staged.redactions.values()))):
        table.add_row(label, str(value))
    for outcome in summary.rubrics:
        changes = ", ".join(f"{k} {v}" for k, v in sorted(outcome.diff_counts.items()))
        table.add_row(outcome.rubric, f"{outcome.shortlist} ({changes or 'no change'})")
    console.print(table)
    if summary.partial:
        err_console.print(f"partial: {len(staged.quarantined)} input(s) quarantined; "
                          "see the .quarantine.csv beside each shortlist")
        raise typer.Exit(EXIT_PARTIAL)


def serve(config: ConfigOption = None, database: DatabaseOption = None,
          cron: Annotated[str | None, typer.Option(
              "--cron", help="Cron line; default the config's nightly.schedule.cron, "
              "'0 2 * * *'.")] = None,
          timezone: Annotated[str | None, typer.Option(
              "--timezone", help="IANA time zone of the cron line; default the config's "
              "nightly.schedule.timezone, UTC.")] = None,
          name: Annotated[str, typer.Option("--name", help="Deployment name.")]
          = "trajectory-nightly",
          ) -> None:
    """Serve the nightly flow on its cron schedule with Prefect until SIGINT or SIGTERM.

    Prefect creates the scheduled runs only while a Prefect server runs (`prefect server
    start --host 127.0.0.1`, with PREFECT_API_URL pointing at it). Exit codes: 0 stopped by
    SIGINT/SIGTERM, 1 error (bad configuration, cron line or time zone), 2 bad usage.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from pipeline.config import config_file
    from pipeline.privacy.retention import load_settings

    try:
        path = config_file(config)
        schedule = load_settings(path).nightly.schedule
    except TrajectoryError as err:
        raise fail(err) from err
    cron = cron or schedule.cron
    timezone = timezone or schedule.timezone
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as err:
        raise fail(ValueError(f"--timezone {timezone!r}: not an IANA time zone "
                               "(e.g. Europe/Madrid)")) from err
    quiet_prefect(verbose=True)  # a service: keep Prefect's run logs
    from pipeline.runs.flows import nightly_schedule, serve_nightly

    try:
        schedule_ = nightly_schedule(cron, timezone)
    except ValueError as err:
        raise fail(ValueError(f"--cron {cron!r}: {err}")) from err
    parameters: dict[str, Any] = {"config": str(path.resolve()) if path else None,
                                  "database_url": database}

    def _stop(signum: int, _frame: object) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    # Both explicitly: a process started in the background by a non-interactive shell inherits
    # SIGINT as *ignored*, and Python keeps ignoring it unless a handler is installed.
    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    err_console.print(f"serving nightly as {name!r} on {cron!r} ({timezone}); "
                      "stop with Ctrl-C or SIGTERM")
    try:
        serve_nightly(name, schedule_, parameters)
    except KeyboardInterrupt:
        pass
    err_console.print("stopped")


runs_app = typer.Typer(help="The run history: `trajectory runs`, `trajectory runs show ID`.",
                       invoke_without_command=True)


def _reap_dead_runs(engine: Engine) -> None:
    """Mark runs whose process died ``abandoned`` (``pipeline.runs.liveness``) before any is
    shown."""
    from datetime import timedelta

    from pipeline.audit import log as audit_log
    from pipeline.config import config_file
    from pipeline.privacy.retention import load_settings
    from pipeline.runs import liveness

    hours = load_settings(config_file()).limits.run_age_limit_hours
    liveness.reap(engine, actor=audit_log.default_actor(), age_limit=timedelta(hours=hours))


@runs_app.callback()
def runs(ctx: typer.Context, database: DatabaseOption = None,
         limit: Annotated[int, typer.Option("--limit", min=1, help="Newest N runs.")] = 20,
         ) -> None:
    """List runs, newest first: kind, status, start, counts. A run whose process died is
    marked ``abandoned`` first (on this host at once, elsewhere after the age limit)."""
    if ctx.invoked_subcommand is not None:
        return
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline.config import database_url
    from pipeline.store.db import open_store
    from pipeline.store.models import RunRow

    try:
        engine = open_store(database_url(database))
        _reap_dead_runs(engine)
    except TrajectoryError as err:
        raise fail(err) from err
    with Session(engine) as session:
        rows = session.scalars(select(RunRow).order_by(RunRow.started_at.desc())
                               .limit(limit)).all()
    engine.dispose()
    # Plain columns, not a rich table: a narrow terminal must not cut run ids.
    typer.echo(f"{'run id':<12}  {'kind':<7}  {'status':<12}  {'started (UTC)':<25}  "
               "inputs  new  changed  unchanged  quarantined")
    for r in rows:
        typer.echo(f"{r.run_id[:12]:<12}  {r.kind:<7}  {r.status:<12}  "
                   f"{r.started_at.isoformat(timespec='seconds'):<25}  {r.inputs:>6}  "
                   f"{r.new:>3}  {r.changed:>7}  {r.unchanged:>9}  {r.quarantined:>11}")


@runs_app.command("show")
def runs_show(
    run_id: Annotated[str, typer.Argument(help="A run id, or a unique prefix of one.")],
    database: DatabaseOption = None,
) -> None:
    """Show one run: start and end, counts, redactions, rubric and extractor versions,
    exports with their SHA-256, and a failed run's error."""
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline.config import database_url
    from pipeline.store.db import open_store
    from pipeline.store.models import RunRow

    try:
        engine = open_store(database_url(database))
        _reap_dead_runs(engine)
    except TrajectoryError as err:
        raise fail(err) from err
    with Session(engine) as session:
        found = session.scalars(select(RunRow).where(RunRow.run_id.startswith(run_id))
                                .limit(2)).all()
    engine.dispose()
    if len(found) != 1:
        err_console.print(f"[bold red]error:[/] run {run_id!r}: "
                          + ("no such run" if not found else "prefix matches several runs"))
        raise typer.Exit(EXIT_ERROR)
    r = found[0]
    fields = {
        "run_id": r.run_id, "kind": r.kind, "status": r.status,
        "started_at": r.started_at.isoformat(),
        "finished_at": r.finished_at.isoformat() if r.finished_at else None,
        "source": r.source, "inputs": r.inputs, "new": r.new, "changed": r.changed,
        "unchanged": r.unchanged, "quarantined": r.quarantined,
        "erased_skipped": r.erased_skipped, "scored": r.scored,
        "redactions": r.redactions,
        "rubrics": r.rubrics or ({r.rubric: r.rubric_version} if r.kind == "score" else {}),
        "extractor_version": r.extractor_version,
        "exports": r.exports or ({r.shortlist_path: None} if r.shortlist_path else {}),
        "error": r.error,
    }
    console.print_json(json.dumps(fields))
