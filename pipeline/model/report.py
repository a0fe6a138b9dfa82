"""Screen rendering of evaluation figures for the CLI (rich tables, no computation)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from pipeline.model.evaluate import LABELS, Evaluation, Mistake
from pipeline.records import EVIDENCE_FLAGS


def print_evaluation(console: Console, result: Evaluation) -> None:
    """Per-label precision/recall/F1, the summary F1s and the flag confusion table."""
    table = Table(title=f"{result.extractor} on {result.gold} (n = {result.n})")
    for column in ("label", "precision", "recall", "F1", "support", "TP", "FP", "FN"):
        table.add_column(column, justify="left" if column == "label" else "right")
    for label in LABELS:
        s = result.labels[label]
        table.add_row(label, f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}",
                      str(s.support), str(s.tp), str(s.fp), str(s.fn))
    console.print(table)
    console.print(f"macro-F1 (4 flags) {result.macro_f1_flags:.3f} · macro-F1 (velocity, "
                  f"proactive, outcome) {result.macro_f1_accomplishment:.3f} · micro-F1 "
                  f"(pillars) {result.micro_f1_pillars:.3f}")
    confusion = Table(title="gold flag (rows) × predicted flag (columns)")
    confusion.add_column("gold \\ predicted")
    for flag in EVIDENCE_FLAGS:
        confusion.add_column(flag, justify="right")
    for gold in EVIDENCE_FLAGS:
        confusion.add_row(gold, *(str(result.flag_confusion[gold][p]) for p in EVIDENCE_FLAGS))
    console.print(confusion)


def print_mistakes(console: Console, mistakes: list[Mistake]) -> None:
    """Each sentence got wrong, with the labels it got wrong: gold bit and probability."""
    console.print(f"{len(mistakes)} sentences with at least one wrong label:")
    for m in mistakes:
        wrong = ", ".join(f"{label} gold {g} p={p:.2f}" for label, (g, p) in m.wrong.items())
        console.print(f"  {m.sid}: {m.text}\n      {wrong}", highlight=False)
