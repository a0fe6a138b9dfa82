"""The model commands: ``trajectory train``, ``evaluate`` and ``card`` (registered in cli.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli.common import EXIT_ERROR, EXIT_USAGE, console, err_console, fail
from pipeline.datafiles import MODEL_FILE, shipped_models_dir, shipped_rubrics_dir
from pipeline.errors import TrajectoryError


def train(
    corpus: Annotated[Path | None, typer.Option(
        "--corpus", help="Folder of labelled *.jsonl files (default: the shipped corpus, "
        "models/training).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Model file to write, sidecar .json and card .md beside it (default: the "
        "shipped model, models/evidence-classifier.joblib).")] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for every random choice.")] = 0,
    real: Annotated[list[Path] | None, typer.Option(
        "--real", help="Real labelled sentences (guide format + 'resume'), repeatable; "
        "default $TRAJECTORY_REAL_SET, else ../shared/data/evidence-train-real.jsonl when "
        "present. Only their hash and size are recorded.")] = None,
    no_real: Annotated[bool, typer.Option(
        "--no-real", help="Train on the written corpus alone.")] = False,
) -> None:
    """Train the evidence classifier from the written corpus plus real labelled sentences,
    reproducibly.

    The same inputs and seed give the same metrics and the same file hash. Without a real set
    it still trains, on the written corpus alone, and says so.
    """
    from pipeline.extract.classifier import ModelFiles
    from pipeline.model.realset import default_real_sets, load_real_sets
    from pipeline.model.train import train as run_train

    repo = shipped_models_dir().parent
    paths = [] if no_real else list(real or default_real_sets(repo))
    try:
        result = run_train(corpus or shipped_models_dir() / "training",
                           ModelFiles(out or shipped_models_dir() / MODEL_FILE), seed=seed,
                           real=load_real_sets(paths))
    except (TrajectoryError, ValueError) as err:
        err_console.print(f"[bold red]error:[/] {err}")
        raise typer.Exit(EXIT_ERROR) from err
    for notice in result.notices:
        err_console.print(f"[bold yellow]notice:[/] {notice}")
    console.print(f"trained on {result.n_train} written sentences + {result.n_real} real "
                  f"({', '.join(str(p) for p in paths) or 'none'}), {result.n_heldout} written "
                  f"held out; near-duplicate share {result.near_duplicate_share:.2%}")
    for evaluation in (result.heldout_model, result.heldout_rules):
        console.print(f"held-out {evaluation.extractor}: macro-F1 (4 flags) "
                      f"{evaluation.macro_f1_flags:.3f}, micro-F1 (pillars) "
                      f"{evaluation.micro_f1_pillars:.3f}")
    console.print(f"model {out or shipped_models_dir() / MODEL_FILE} sha256 {result.sha256}")


def evaluate(
    gold: Annotated[Path, typer.Option("--gold", help="Labelled JSON Lines (labelling guide).")],
    extractor: Annotated[str, typer.Option(
        "--extractor", help="model, rules, or both.")] = "both",
    json_out: Annotated[Path | None, typer.Option(
        "--json", help="Where to write the figures as JSON (default: GOLD-STEM.evaluation.json "
        "in the current folder).")] = None,
    errors: Annotated[bool, typer.Option("--errors", help="List the sentences got wrong.")]
    = False,
    record: Annotated[bool, typer.Option(
        "--record", help="Store the figures (no sentences) in models/evaluations/ and "
        "re-render the model card.")] = False,
) -> None:
    """Precision, recall and F1 per flag and pillar, macro/micro-F1 and a confusion summary."""
    from pipeline.datafiles import default_model_path
    from pipeline.extract.build import new_nlp
    from pipeline.model.evaluate import evaluate as run_evaluate
    from pipeline.model.report import print_evaluation, print_mistakes

    choices = {"model": ("model",), "rules": ("rules",), "both": ("model", "rules")}
    if extractor not in choices:
        err_console.print(f"[bold red]error:[/] --extractor {extractor!r}: expected one of "
                          f"{sorted(choices)}")
        raise typer.Exit(EXIT_USAGE)
    figures = {}
    try:
        for name in choices[extractor]:
            nlp = new_nlp(classifier=name == "model")
            result, mistakes = run_evaluate(nlp, gold, name)
            print_evaluation(console, result)
            if errors:
                print_mistakes(console, mistakes)
            figures[name] = result.to_json()
    except TrajectoryError as err:
        raise fail(err) from err
    out = json_out or Path(f"{gold.stem}.evaluation.json")
    out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    console.print(f"written: {out}")
    if record:
        from pipeline.hashing import file_sha256
        from pipeline.model.card import record_evaluation

        path = record_evaluation(default_model_path(), gold.name, file_sha256(gold), figures)
        console.print(f"recorded: {path} (model card updated)")


def card(
    out: Annotated[Path, typer.Option("--out", help="Where to write the card.")]
    = Path("MODEL_CARD.md"),
    rubrics: Annotated[Path | None, typer.Option(
        "--rubrics", help="Folder of rubric YAML files (default: the shipped rubrics).")] = None,
) -> None:
    """Write MODEL_CARD.md (instructions for use) from the current model, rubrics and
    recorded evaluations."""
    from pipeline.datafiles import default_model_path
    from pipeline.model.usage_card import render_usage_card

    try:
        text = render_usage_card(default_model_path(), rubrics or shipped_rubrics_dir())
    except (TrajectoryError, OSError, KeyError) as err:
        err_console.print(f"[bold red]error:[/] cannot build the card: {err}")
        raise typer.Exit(EXIT_ERROR) from err
    out.write_text(text, encoding="utf-8")
    console.print(f"written: {out}")
