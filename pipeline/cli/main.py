"""The ``trajectory`` command: a thin shell around the flows and stage functions.

Each command parses its arguments, calls one function and turns domain errors into exit codes:
0 success, 1 a domain error (bad rubric, unreadable source, bad model), 2 bad usage, 3 partial
(a run that finished but quarantined some input).
"""

from __future__ import annotations

import typer

from pipeline import __version__
from pipeline.cli.audit import audit_app
from pipeline.cli.common import console
from pipeline.cli.db import db_app
from pipeline.cli.label import label_app
from pipeline.cli.model import card, evaluate, train
from pipeline.cli.nightly import nightly, runs_app, serve
from pipeline.cli.privacy import erase, purge
from pipeline.cli.score import explain, score

app = typer.Typer(
    help="trajectory: rank cloud-architect candidates by the evidence in their resumes.",
    no_args_is_help=True,
    add_completion=False,
)


def version() -> None:
    """Print trajectory's version."""
    console.print(__version__)


# Registration order is the order of ``trajectory --help``.
app.command()(score)
app.command()(explain)
app.command()(train)
app.command()(evaluate)
app.command()(card)
app.add_typer(label_app, name="label")
app.add_typer(audit_app, name="audit")
app.add_typer(db_app, name="db")
app.command()(erase)
app.command()(purge)
app.command()(nightly)
app.command()(serve)
app.add_typer(runs_app, name="runs")
app.command()(version)


def main() -> None:
    """Console-script entry point."""
    app()
