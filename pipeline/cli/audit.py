"""``trajectory audit``: ``bias`` (impact ratios of a shortlist) and ``verify`` (the audit log's
hash chain)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import (
    EXIT_ERROR,
    DatabaseOption,
    console,
    err_console,
    fail,
)
from pipeline.errors import TrajectoryError

audit_app = typer.Typer(help="Audit shortlists (bias: impact ratios) and the audit log "
                        "(verify: its hash chain).", no_args_is_help=True)


@audit_app.command("bias")
def audit_bias(
    shortlist: Annotated[Path, typer.Option("--shortlist", help="Shortlist CSV to audit.")],
    demographics: Annotated[Path, typer.Option(
        "--demographics", help="Self-reported demographics CSV keyed by candidate_id.")],
    selected_top: Annotated[int | None, typer.Option(
        "--selected-top", min=1, help="Treat the best N as selected (selection-rate form).")]
    = None,
    min_n: Annotated[int, typer.Option("--min-n", min=1, help="Smallest category size shown.")]
    = 30,
    allow_small: Annotated[bool, typer.Option(
        "--allow-small", help="Report categories smaller than --min-n instead of failing.")]
    = False,
    out_dir: Annotated[Path | None, typer.Option(
        "--out-dir", help="Where to write bias_audit.csv and bias_audit.md "
        "(default: beside the shortlist).")] = None,
) -> None:
    """Impact ratios by sex, race/ethnicity and both (NYC LL144 style), with 95% intervals.

    Default: scoring-rate form (share of each category scoring above the whole shortlist's
    median). With --selected-top N or a `selected` column: selection-rate form.
    """
    from pipeline.audit.bias.audit import audit_bias as run_audit
    from pipeline.audit.bias.audit import load_demographics, load_shortlist
    from pipeline.audit.bias.report import render_bias_table, write_bias_csv, write_bias_markdown

    try:
        report = run_audit(load_shortlist(shortlist), load_demographics(demographics),
                           selected_top=selected_top, min_n=min_n, allow_small=allow_small)
    except TrajectoryError as err:
        raise fail(err) from err
    folder = out_dir or shortlist.parent
    folder.mkdir(parents=True, exist_ok=True)
    csv_path = write_bias_csv(report, folder / "bias_audit.csv")
    md_path = write_bias_markdown(report, folder / "bias_audit.md")
    console.print(render_bias_table(report))
    console.print(f"written: {csv_path}, {md_path}")


@audit_app.command("verify")
def audit_verify(database: DatabaseOption = None) -> None:
    """Check the audit log's hash chain: exit 0 if intact, 1 if an entry was edited or removed.

    Prints the head hash: keep it elsewhere to detect later removal of the newest entries.
    """
    from pipeline.audit.log import verify
    from pipeline.config import database_url
    from pipeline.store.db import open_store

    try:
        engine = open_store(database_url(database))
        report = verify(engine)
        engine.dispose()
    except TrajectoryError as err:
        raise fail(err) from err
    from rich.markup import escape

    for problem in report.problems:  # problems quote stored values: never markup
        err_console.print(f"[bold red]broken:[/] {escape(problem)}")
    state = "intact" if report.ok else "BROKEN"
    console.print(f"audit log {state}: {report.entries} entries, head {report.head}")
    if not report.ok:
        raise typer.Exit(EXIT_ERROR)
