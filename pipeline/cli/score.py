"""``trajectory score`` (a folder → a ranked shortlist) and ``trajectory explain`` (one
candidate's stored explanation)."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy.engine import make_url

from pipeline.cli.common import (
    EXIT_ERROR,
    EXIT_PARTIAL,
    ActorOption,
    Terminated,
    console,
    err_console,
    fail,
    quiet_prefect,
    sigterm_unwinds,
    terminated,
)
from pipeline.errors import TrajectoryError


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



def score(
    source: Annotated[Path, typer.Argument(
        help="Folder of resumes (.txt, .md, .pdf, .docx, .json).")],
    rubric: Annotated[str, typer.Option("--rubric", "-r", help="Rubric YAML file, or the name "
                                        "of a shipped rubric (global-principal-architect).")],
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
    workers: Annotated[int, typer.Option(
        "--workers", min=1, help="Local worker processes for extraction (default 1: this "
        "process). The shortlist is the same.")] = 1,
    dask_scheduler: Annotated[str | None, typer.Option(
        "--dask-scheduler", envvar="TRAJECTORY_DASK_SCHEDULER", help="Run extraction on the "
        "Dask cluster whose scheduler is at this address (tcp://HOST:8786); default "
        "$TRAJECTORY_DASK_SCHEDULER, else this machine.")] = None,
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
    from pipeline.score.rubric import load_rubric, resolve_rubric

    try:
        rubric_file = resolve_rubric(rubric)
        load_rubric(rubric_file)  # fail on a bad rubric before Prefect or any resume is touched
    except TrajectoryError as err:
        raise fail(err) from err
    if not source.is_dir():
        err_console.print(f"[bold red]error:[/] {source}: not a folder of resumes")
        raise typer.Exit(EXIT_ERROR)

    quiet_prefect(verbose)
    from pipeline.runs.api import start_api_early

    # Prefect's temporary API (when no server is configured) starts while the pipeline is
    # imported and the model loaded, instead of after.
    early_api = start_api_early()
    from pipeline.extract.build import build_nlp
    from pipeline.runs.flows import STAGES, score_batch_on

    build_nlp()  # cached: the flow's tasks reuse it

    url = database_url(database)
    progress_log = logging.getLogger("pipeline.progress")
    progress_log.setLevel(logging.INFO)
    progress_log.propagate = False  # the bar shows progress; keep it off the console log
    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=err_console, disable=quiet, transient=True) as bar:
        handler = _ProgressHandler(bar, bar.add_task("starting", total=len(STAGES)))
        progress_log.addHandler(handler)
        try:
            with sigterm_unwinds(), early_api.ready():
                summary = score_batch_on(dask_scheduler)(
                    source, rubric_file, out, url, top, actor=actor, workers=workers,
                    dask_scheduler=dask_scheduler)
        except TrajectoryError as err:
            raise fail(err) from err
        except Terminated as err:
            raise terminated(err) from err
        finally:
            progress_log.removeHandler(handler)

    table = Table(title=f"trajectory run {summary.run_id[:12]}", show_header=False)
    table.add_row("rubric", f"{summary.rubric} {summary.rubric_version}")
    table.add_row("inputs", f"{summary.inputs} ({summary.new} new, {summary.changed} changed, "
                  f"{summary.unchanged} unchanged)")
    table.add_row("extracted", str(summary.extracted))
    table.add_row("scored", str(summary.scored))
    table.add_row("quarantined", str(summary.quarantined))
    table.add_row("erased, skipped", str(summary.erased_skipped))
    redacted = ", ".join(f"{n} {kind}" for kind, n in sorted(summary.redactions.items()) if n)
    table.add_row("redacted", redacted or "none")
    table.add_row("shortlist", str(summary.shortlist))
    table.add_row("quarantine", str(summary.quarantine_file))
    table.add_row("database", make_url(url).render_as_string(hide_password=True))
    for position, (candidate, value) in enumerate(summary.top, start=1):
        table.add_row(f"#{position}", f"{candidate}  {value:.1f}")
    console.print(table)
    if summary.quarantined:
        err_console.print(f"partial: {summary.quarantined} input(s) quarantined; see "
                          f"{summary.quarantine_file}")
        if summary.failed:
            # Not the input's format: a stage raised on it (a bug of ours or a library's),
            # logged at ERROR with its traceback. Always exit 3 so it cannot go unnoticed.
            err_console.print(f"{summary.failed} input(s) failed inside trajectory (codes "
                              "*_failed; see the log): please report it")
        if strict or summary.failed:
            raise typer.Exit(EXIT_PARTIAL)



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
    from pipeline.score.explain import load_stored, render
    from pipeline.score.rubric import load_rubric

    try:
        name = load_rubric(rubric).name if Path(rubric).is_file() or _is_shipped(rubric) \
            else rubric
        stored = load_stored(database_url(database), candidate_id, name)
    except TrajectoryError as err:
        raise fail(err) from err
    console.print(render(stored), markup=False, highlight=False, soft_wrap=True)


def _is_shipped(name: str) -> bool:
    """Whether ``name`` is the file stem of a shipped rubric."""
    from pipeline.datafiles import shipped_rubrics_dir

    return (shipped_rubrics_dir() / f"{name}.yaml").is_file()
