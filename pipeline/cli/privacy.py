"""``trajectory erase`` (one candidate, everywhere) and ``trajectory purge`` (retention)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from pipeline.cli.common import (
    EXIT_ERROR,
    ActorOption,
    DatabaseOption,
    console,
    err_console,
    fail,
)
from pipeline.errors import TrajectoryError


def erase(
    candidate_id: Annotated[str, typer.Argument(help="The candidate id (the resume's file "
                                                     "name without its extension).")],
    database: DatabaseOption = None,
    actor: ActorOption = None,
) -> None:
    """Erase a candidate from every table and every shortlist written, and keep them out.

    Leaves a tombstone (a keyed hash of the id, never the id) so later runs skip the
    candidate's resume even if the source still holds it; prints what was removed.
    """
    from datetime import UTC, datetime

    from pipeline.audit.log import default_actor
    from pipeline.config import database_url, secret_key
    from pipeline.privacy.erase import erase_candidate
    from pipeline.store.db import open_store

    try:
        engine = open_store(database_url(database))
        report = erase_candidate(engine, candidate_id, key=secret_key(),
                                 actor=actor or default_actor(), now=datetime.now(UTC))
        engine.dispose()
    except TrajectoryError as err:
        raise fail(err) from err
    table = Table(title=f"erased {candidate_id}", show_header=False)
    for name, count in report.rows.items():
        table.add_row(name, f"{count} row" + ("" if count == 1 else "s"))
    table.add_row("tombstone", report.subject[:16] + ("… (already there)"
                                                       if report.already_erased else "…"))
    console.print(table)
    for path in report.files:  # whole paths, never cut to the table's width
        console.print(f"rewritten: {path}", soft_wrap=True, highlight=False)
    if not report.total_rows and not report.files:
        console.print("nothing of this candidate was stored; the tombstone keeps them out")
    for path, reason in report.failed_files:
        err_console.print(f"[bold red]error:[/] {path}: not rewritten ({reason}); "
                          "fix it and run erase again")
    if report.failed_files:
        raise typer.Exit(EXIT_ERROR)



def purge(
    database: DatabaseOption = None,
    config: Annotated[Path | None, typer.Option(
        "--config", help="Configuration YAML; default $TRAJECTORY_CONFIG or config.yaml in "
        "$TRAJECTORY_DATA_DIR, else the built-in retention periods.")] = None,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="Count what would be deleted; delete nothing.")] = False,
    actor: ActorOption = None,
) -> None:
    """Delete stored data older than the retention period of its class."""
    from datetime import UTC, datetime

    from pipeline.audit.log import default_actor
    from pipeline.config import config_file, database_url
    from pipeline.privacy.retention import load_settings
    from pipeline.privacy.retention import purge as run_purge
    from pipeline.store.db import open_store

    try:
        settings = load_settings(config_file(config))
        engine = open_store(database_url(database))
        report = run_purge(engine, settings.retention, datetime.now(UTC),
                           actor=actor or default_actor(), dry_run=dry_run)
        engine.dispose()
    except TrajectoryError as err:
        raise fail(err) from err
    table = Table(title="purge (dry run: nothing deleted)" if dry_run else "purge")
    for column in ("data class", "older than", "removed"):
        table.add_column(column)
    for name, cutoff in report.cutoffs.items():
        table.add_row(name, cutoff.isoformat(timespec="seconds") if cutoff else "kept",
                      str(report.removed.get(name, 0)))
    table.add_row("resume versions left empty", "", str(report.removed["resume_versions"]))
    console.print(table)
