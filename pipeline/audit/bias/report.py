"""Publishing a :class:`~pipeline.audit.bias.audit.BiasReport`: CSV, Markdown and a rich table.

BiasReport → ``bias_audit.csv`` (one row per category plus one "Unknown" row per dimension,
every row carrying the run's metadata so it stands alone) and ``bias_audit.md`` (the summary a
Local Law 144 publication needs: data period, mode and threshold, counts, rates, impact ratios
with intervals, flags, unknown counts, rubric and versions, and the small-category note).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
from rich.console import JustifyMethod
from rich.table import Table

from pipeline.audit.bias.audit import BiasReport
from pipeline.audit.bias.stats import (
    CI_LEVEL,
    FLAG_BELOW_FOUR_FIFTHS,
    FLAG_NO_RATIO,
    FLAG_SMALL_N,
    FLAG_SMALL_SHARE,
    FOUR_FIFTHS,
    SMALL_SHARE,
)
from pipeline.export.csvsafe import neutralise, replacing, write_csv_atomic

UNKNOWN_LABEL = "Unknown"
SMALL_CATEGORY_NOTE = (
    "Impact ratios of small categories are unreliable: with few candidates, one more or one "
    "fewer selection moves the rate a lot, so the ratio can fall below or rise above 0.80 by "
    "chance. The 95% interval shows how far: it comes from resampling the candidates "
    "(bootstrap) and recomputing the ratio, and a wide interval (for example 0.40-1.00) means "
    "the data cannot tell whether the category is treated differently. Read a flagged ratio "
    "together with its interval and n, not on its own."
)
FLAG_TEXT = {
    FLAG_BELOW_FOUR_FIFTHS: f"impact ratio below {FOUR_FIFTHS:.2f} (four-fifths rule)",
    FLAG_SMALL_SHARE: f"category is under {SMALL_SHARE:.0%} of the candidates with known data",
    FLAG_SMALL_N: "fewer candidates than min_n; ratio unreliable",
    FLAG_NO_RATIO: "no ratio: the highest rate in this dimension is 0",
}
CSV_COLUMNS: tuple[str, ...] = (
    "row_type", "dimension", "category", "n", "selected_or_above", "rate", "impact_ratio",
    "ci_low", "ci_high", "flags", "mode", "threshold", "data_period", "rubric",
    "rubric_version", "model_version", "tool_version", "shortlisted", "selected_or_above_total",
    "no_demographics", "not_in_shortlist", "min_n", "n_bootstrap", "seed", "note",
)


def bias_frame(report: BiasReport) -> pd.DataFrame:
    """BiasReport → DataFrame with :data:`CSV_COLUMNS`: category rows, then an Unknown row per
    dimension (n = unknown count; rate and ratio blank because unknowns are not imputed).
    Text that a spreadsheet would run as a formula is prefixed with ``'``."""
    meta = {
        "mode": report.mode, "threshold": _blank_nan(report.threshold),
        "data_period": report.data_period or "", **{k: v or "" for k, v in report.metadata.items()},
        "shortlisted": report.totals.shortlisted,
        "selected_or_above_total": report.totals.selected_or_above,
        "no_demographics": report.totals.no_demographics,
        "not_in_shortlist": report.totals.not_in_shortlist,
        "min_n": report.min_n, "n_bootstrap": report.n_bootstrap, "seed": report.seed,
        "note": SMALL_CATEGORY_NOTE,
    }
    records = []
    for dim in report.dimensions:
        for r in report.rows_for(dim):
            records.append({
                "row_type": "category", "dimension": dim, "category": r.category, "n": r.n,
                "selected_or_above": r.selected_or_above, "rate": round(r.rate, 6),
                "impact_ratio": _blank_nan(r.impact_ratio), "ci_low": _blank_nan(r.ci_low),
                "ci_high": _blank_nan(r.ci_high), "flags": ";".join(r.flags), **meta,
            })
        records.append({"row_type": "unknown", "dimension": dim, "category": UNKNOWN_LABEL,
                        "n": report.unknown[dim], "selected_or_above": "", "rate": "",
                        "impact_ratio": "", "ci_low": "", "ci_high": "", "flags": "", **meta})
    frame = pd.DataFrame.from_records(records, columns=list(CSV_COLUMNS))
    # Category names come from a recruiter's file: keep a spreadsheet from running them.
    return frame.map(lambda v: neutralise(v) if isinstance(v, str) else v)


def write_bias_csv(report: BiasReport, path: str | Path) -> Path:
    """BiasReport → CSV at ``path`` (parents created; the file 0600, replaced atomically);
    returns the path written."""
    out = Path(path)
    write_csv_atomic(bias_frame(report), out)
    return out


def write_bias_markdown(report: BiasReport, path: str | Path) -> Path:
    """BiasReport → Markdown summary at ``path`` (parents created; the file 0600, replaced
    atomically); returns the path written."""
    out = Path(path)
    with replacing(out) as handle:
        handle.write(render_bias_markdown(report))
    return out


def render_bias_markdown(report: BiasReport) -> str:
    """BiasReport → the Markdown text :func:`write_bias_markdown` writes."""
    t, m = report.totals, report.metadata
    rubric = f"{m['rubric'] or 'not recorded'} (version {m['rubric_version'] or 'not recorded'})"
    lines = [
        "# Bias audit: impact ratios", "",
        "| Item | Value |", "| --- | --- |",
        f"| Data period | {report.data_period or 'not stated'} |",
        f"| Mode | {_mode_text(report)} |",
        f"| Threshold | {_threshold_text(report)} |",
        f"| Rubric | {_md(rubric)} |",
        f"| Model version | {_md(m['model_version'] or 'not recorded')} |",
        f"| Tool version | trajectory {m['tool_version']} |",
        f"| Candidates in shortlist | {t.shortlisted} |",
        f"| {_hits_label(report)} (all candidates) | {t.selected_or_above} |",
        f"| Shortlisted without a demographics record | {t.no_demographics} |",
        f"| In demographics file but not in shortlist (ignored) | {t.not_in_shortlist} |",
        f"| Intervals | {CI_LEVEL:.0%} bootstrap percentile, {report.n_bootstrap} resamples, "
        f"seed {report.seed} |",
        f"| Minimum category size (min_n) | {report.min_n} |", "",
    ]
    for dim in report.dimensions:
        lines += [f"## {dim}", "",
                  f"| Category | n | {_hits_label(report)} | Rate | Impact ratio "
                  f"| {CI_LEVEL:.0%} interval | Flags |",
                  "| --- | ---: | ---: | ---: | ---: | --- | --- |"]
        for r in report.rows_for(dim):
            lines.append(f"| {_md(r.category)} | {r.n} | {r.selected_or_above} | {r.rate:.3f} "
                         f"| {_num(r.impact_ratio)} | {_interval(r.ci_low, r.ci_high)} "
                         f"| {', '.join(r.flags)} |")
        lines += [f"| {UNKNOWN_LABEL} (not imputed, excluded from rates) | {report.unknown[dim]} "
                  "|  |  |  |  |  |", ""]
    lines += ["## Notes", "",
              f"Impact ratio = a category's rate / the highest category rate in the same "
              f"dimension. Under the four-fifths rule a ratio below {FOUR_FIFTHS:.2f} is flagged "
              "for review; it is evidence to investigate, not a finding of discrimination.", "",
              SMALL_CATEGORY_NOTE, "", "Flags:", ""]
    lines += [f"- `{code}`: {text}" for code, text in FLAG_TEXT.items()]
    return "\n".join(lines) + "\n"


def render_bias_table(report: BiasReport) -> Table:
    """BiasReport → rich Table for the terminal (one row per category and per Unknown)."""
    table = Table(title=f"Bias audit — {_mode_text(report)}; {_threshold_text(report)}",
                  caption=f"data period: {report.data_period or 'not stated'}; "
                          f"ratios < {FOUR_FIFTHS:.2f} in red")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("Dimension", "left"), ("Category", "left"), ("n", "right"),
        (_hits_label(report), "right"), ("Rate", "right"), ("Impact ratio", "right"),
        (f"{CI_LEVEL:.0%} interval", "left"), ("Flags", "left"),
    )
    for name, justify in columns:
        table.add_column(name, justify=justify)
    for dim in report.dimensions:
        for r in report.rows_for(dim):
            style = "red" if FLAG_BELOW_FOUR_FIFTHS in r.flags else None
            table.add_row(dim, r.category, str(r.n), str(r.selected_or_above), f"{r.rate:.3f}",
                          _num(r.impact_ratio), _interval(r.ci_low, r.ci_high),
                          ", ".join(r.flags), style=style)
        table.add_row(dim, UNKNOWN_LABEL, str(report.unknown[dim]), "", "", "", "",
                      "not imputed", style="dim", end_section=True)
    return table


def _mode_text(report: BiasReport) -> str:
    if report.mode == "scoring":
        return "scoring rate (share scoring strictly above the median of the whole shortlist)"
    return "selection rate (share selected)"


def _threshold_text(report: BiasReport) -> str:
    if report.mode == "scoring":
        return f"median score {report.threshold:g}"
    if math.isnan(report.threshold):
        return "selection from the shortlist's 'selected' column"
    return f"top {report.threshold:g} by rank selected"


def _hits_label(report: BiasReport) -> str:
    return "Scored above median" if report.mode == "scoring" else "Selected"


def _num(x: float) -> str:
    return "n/a" if math.isnan(x) else f"{x:.3f}"


def _interval(lo: float, hi: float) -> str:
    return "n/a" if math.isnan(lo) else f"{lo:.3f}–{hi:.3f}"


def _blank_nan(x: float) -> float | str:
    return "" if math.isnan(x) else round(x, 6)


def _md(text: str) -> str:
    """Escape the characters that would break a Markdown table cell."""
    return text.replace("|", "\\|").replace("\n", " ")
