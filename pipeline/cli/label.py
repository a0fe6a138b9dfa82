"""``trajectory label suggest``: the units to label next (registered in cli/main.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import EXIT_ERROR, console, err_console
from pipeline.datafiles import shipped_models_dir
from pipeline.errors import TrajectoryError

label_app = typer.Typer(help="Pick real resume units for the next labelling round.",
                        no_args_is_help=True)


@label_app.command("suggest")
def suggest(
    corpus: Annotated[Path, typer.Option("--corpus", help="Folder of real resumes to pick from.")],
    out: Annotated[Path, typer.Option("--out", help="JSON Lines file to write (must not "
                                      "exist yet).")],
    n: Annotated[int, typer.Option("--n", help="How many units to suggest.")] = 300,
    exclude: Annotated[list[Path] | None, typer.Option(
        "--exclude", help="Labelled files whose sentences are not suggested again, repeatable "
        "(default: the real set `trajectory train` would read).")] = None,
) -> None:
    """Write the N units the model is least sure of, spread over resumes, in the labelling
    guide's format with every label blank, for a reviewer to label and `train --real` to read.
    """
    from pipeline.model.realset import default_real_sets, load_real_sets
    from pipeline.model.suggest import candidates, pick, write_suggestions

    if not corpus.is_dir():
        err_console.print(f"[bold red]error:[/] --corpus {corpus}: not a folder")
        raise typer.Exit(EXIT_ERROR)
    try:
        known = [u.text for r in load_real_sets(
            list(exclude or default_real_sets(shipped_models_dir().parent))) for u in r.units]
        per_resume = candidates(corpus, known=known)
        chosen = pick(per_resume, n)
        write_suggestions(chosen, out)
    except (TrajectoryError, ValueError, FileExistsError) as err:
        err_console.print(f"[bold red]error:[/] {err}")
        raise typer.Exit(EXIT_ERROR) from err
    resumes = len({s.resume for s in chosen})
    console.print(f"written: {out} ({len(chosen)} units from {resumes} resumes, labels blank; "
                  f"{len(known)} already-labelled sentences left out)")
