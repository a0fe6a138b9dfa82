"""The ``trajectory`` command: a thin shell around the flows and stage functions.

Each command parses its arguments, calls one function and turns domain errors into exit codes:
0 success, 1 a domain error (bad rubric, unreadable source, bad model), 2 bad usage, 3 partial
(a run that finished but quarantined some input).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url

from pipeline import __version__
from pipeline.cli_common import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    ActorOption,
    DatabaseOption,
    console,
    err_console,
    fail,
    quiet_prefect,
)
from pipeline.cli_model import card, evaluate, train
from pipeline.cli_nightly import nightly, runs_app, serve
from pipeline.errors import TrajectoryError

app = typer.Typer(
    help="trajectory: rank cloud-architect candidates by the evidence in their resumes.",
    no_args_is_help=True,
    add_completion=False,
)




class _ProgressHandler(logging.Handler):
    """Advances a rich progress bar on each stage the flow reports."""

    def __init__(self, progress: Progress, task_id: TaskID) -> None:
        super().__init__(logging.INFO)
        self.progress, self.task_id = progress, task_id

    def emit(self, record: logging.LogRecord) -> None:
        stage = getattr(record, "stage", None)
        if stage is not None:
            self.progress.update(
                self.task_id, completed=getattr(record, "stage_index", 0) + 1,
                description=f"{stage}: {record.getMessage().split(': ', 1)[-1]}",
            )






@app.command()
def score(
    source: Annotated[Path, typer.Argument(
        help="Folder of resumes (.txt, .md, .pdf, .docx, .json).")],
    rubric: Annotated[Path, typer.Option("--rubric", "-r", help="Rubric YAML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Shortlist CSV to write.")],
    database: Annotated[str | None, typer.Option(
        "--database", help="SQLAlchemy URL; default $TRAJECTORY_DATABASE_URL or a SQLite file "
        "in $TRAJECTORY_DATA_DIR.")] = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="Keep only the best N rows.")]
    = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Show Prefect's logs.")]
    = False,
    actor: ActorOption = None,
    strict: Annotated[bool, typer.Option(
        "--strict", help="Exit 3 (partial) when any input was quarantined.")] = False,
) -> None:
    """Score a folder of resumes against a rubric and write a ranked shortlist CSV.

    Unreadable inputs go to SHORTLIST.quarantine.csv beside the shortlist, with a reason code
    and a reason; erased candidates are skipped and counted. Exit codes: 0 done (the summary
    says "partial" when some input was quarantined), 1 error, 2 bad usage, 3 partial with
    --strict (the nightly run always exits 3 when partial).
    """
    from pipeline.config import database_url
    from pipeline.rubric import load_rubric

    try:
        load_rubric(rubric)  # fail on a bad rubric before Prefect or any resume is touched
    except TrajectoryError as err:
        raise fail(err) from err
    if not source.is_dir():
        err_console.print(f"[bold red]error:[/] {source}: not a folder of resumes")
        raise typer.Exit(EXIT_ERROR)

    quiet_prefect(verbose)
    from pipeline.flows import STAGES, score_batch

    url = database_url(database)
    progress_log = logging.getLogger("pipeline.progress")
    progress_log.setLevel(logging.INFO)
    progress_log.propagate = False  # the bar shows progress; keep it off the console log
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, disable=quiet, transient=True) as bar:
        handler = _ProgressHandler(bar, bar.add_task("starting", total=len(STAGES)))
        progress_log.addHandler(handler)
        try:
            summary = score_batch(source, rubric, out, url, top, actor=actor)
        except TrajectoryError as err:
            raise fail(err) from err
        finally:
            progress_log.removeHandler(handler)

    table = Table(title=f"trajectory run {summary.run_id[:12]}", show_header=False)
    table.add_row("rubric", f"{summary.rubric} {summary.rubric_version}")
    table.add_row("inputs", str(summary.inputs))
    table.add_row("scored", str(summary.scored))
    table.add_row("quarantined", str(summary.quarantined))
    table.add_row("erased, skipped", str(summary.erased_skipped))
    table.add_row("shortlist", str(summary.shortlist))
    table.add_row("quarantine", str(summary.quarantine_file))
    table.add_row("database", make_url(url).render_as_string(hide_password=True))
    for position, (candidate, value) in enumerate(summary.top, start=1):
        table.add_row(f"#{position}", f"{candidate}  {value:.1f}")
    console.print(table)
    if summary.quarantined:
        err_console.print(f"partial: {summary.quarantined} input(s) quarantined; see "
                          f"{summary.quarantine_file}")
        if strict:
            raise typer.Exit(EXIT_PARTIAL)



audit_app = typer.Typer(help="Audit shortlists (bias: impact ratios) and the audit log "
                        "(verify: its hash chain).", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


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
    from pipeline.bias import audit_bias as run_audit
    from pipeline.bias import load_demographics, load_shortlist
    from pipeline.bias_report import render_bias_table, write_bias_csv, write_bias_markdown

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
    from pipeline.audit_log import verify
    from pipeline.config import database_url
    from pipeline.store import open_store

    try:
        engine = open_store(database_url(database))
        report = verify(engine)
        engine.dispose()
    except TrajectoryError as err:
        raise fail(err) from err
    for problem in report.problems:
        err_console.print(f"[bold red]broken:[/] {problem}")
    state = "intact" if report.ok else "BROKEN"
    console.print(f"audit log {state}: {report.entries} entries, head {report.head}")
    if not report.ok:
        raise typer.Exit(EXIT_ERROR)


db_app = typer.Typer(help="The database schema (Alembic migrations).", no_args_is_help=True)
app.add_typer(db_app, name="db")


@db_app.command("upgrade")
def db_upgrade(
    database: DatabaseOption = None,
    revision: Annotated[str, typer.Option("--revision", help="Target revision.")] = "head",
) -> None:
    """Migrate the database schema to the newest revision (back the database up first).

    Also adopts a database created before migrations existed.
    """
    from pipeline.config import database_url
    from pipeline.migrations import upgrade
    from pipeline.store import engine_for

    url = database_url(database)
    try:
        engine = engine_for(url)
        before, after = upgrade(engine, revision)
        engine.dispose()
    except TrajectoryError as err:
        raise fail(err) from err
    console.print(f"{engine.url.render_as_string(hide_password=True)}: "
                  f"{before or 'empty'} → {after}")


@app.command()
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

    from pipeline.audit_log import default_actor
    from pipeline.config import database_url, secret_key
    from pipeline.erase import erase_candidate
    from pipeline.store import open_store

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


@app.command()
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

    from pipeline.audit_log import default_actor
    from pipeline.config import config_file, database_url
    from pipeline.retention import load_settings
    from pipeline.retention import purge as run_purge
    from pipeline.store import open_store

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


@app.command()
def explain(
    candidate_id: Annotated[str, typer.Argument(help="Candidate id (the resume's file name "
                                                     "without extension).")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="Rubric YAML file, or a rubric "
                                                              "name.")],
    database: Annotated[str | None, typer.Option(
        "--database", help="SQLAlchemy URL; default $TRAJECTORY_DATABASE_URL or a SQLite file "
        "in $TRAJECTORY_DATA_DIR.")] = None,
) -> None:
    """Explain a stored score: timeline, feature points, quoted evidence, missing must-haves.

    Reads the explanation stored with the latest resume version of CANDIDATE_ID scored against
    the rubric, so it shows why the rank was given then.
    """
    from pipeline.config import database_url
    from pipeline.explain import load_stored, render
    from pipeline.rubric import load_rubric

    try:
        name = load_rubric(rubric).name if Path(rubric).is_file() else rubric
        stored = load_stored(database_url(database), candidate_id, name)
    except TrajectoryError as err:
        raise fail(err) from err
    console.print(render(stored), markup=False, highlight=False, soft_wrap=True)


@app.command()
def version() -> None:
    """Print trajectory's version."""
    console.print(__version__)


app.command()(train)
app.command()(evaluate)
app.command()(card)
app.command()(nightly)
app.command()(serve)
app.add_typer(runs_app, name="runs")


def main() -> None:
    """Console-script entry point."""
    app()
