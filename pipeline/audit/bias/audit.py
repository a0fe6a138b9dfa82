"""Bias audit of a shortlist (NYC Local Law 144 style): rates and impact ratios by category.

shortlist CSV + demographics CSV → :class:`BiasReport`. The demographics file is read by the
audit (:mod:`pipeline.audit.bias.inputs` reads and checks both files) and nowhere else: ingestion
and
scoring never see it. The statistics live in :mod:`pipeline.audit.bias.stats`, the writers in
:mod:`pipeline.audit.bias.report`.

For each dimension (``sex``, ``race_ethnicity`` and their intersection) every known category
gets its ``n``, how many were selected (selection mode) or scored strictly above the median of
the whole shortlist (scoring-rate mode), the rate, and the impact ratio = rate / highest rate
in that dimension, with a seeded bootstrap 95% percentile interval. Example (selection mode)::

    women 31 of 98 selected (0.316), men 45 of 102 (0.441) → women 0.316 / 0.441 = 0.717
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import pandas as pd

from pipeline import __version__
from pipeline.audit.bias.inputs import (
    DIMENSIONS,
    INTERSECTION,
    UNKNOWN_VALUES,
    Mode,
    candidate_ids,
    category_labels,
    check_options,
    check_small,
    load_demographics,
    load_shortlist,
    outcomes,
    require_columns,
    scored_period,
    single_value,
)
from pipeline.audit.bias.stats import (
    bootstrap_intervals,
    category_codes,
    category_flags,
    impact_ratios,
)
from pipeline.errors import BiasAuditError

__all__ = [
    "DIMENSIONS", "INTERSECTION", "UNKNOWN_VALUES", "AuditTotals", "BiasAuditError",
    "BiasReport", "BiasRow", "Mode", "audit_bias", "load_demographics", "load_shortlist",
]  # fmt: skip

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class BiasRow:
    """One category's figures; ``impact_ratio``/``ci_*`` are NaN when undefined."""

    dimension: str
    category: str
    n: int
    selected_or_above: int
    rate: float
    impact_ratio: float
    ci_low: float
    ci_high: float
    flags: tuple[str, ...]


@dataclass(frozen=True)
class AuditTotals:
    """How every candidate in both inputs was accounted for."""

    shortlisted: int
    selected_or_above: int
    demographics_rows: int
    matched: int
    no_demographics: int
    not_in_shortlist: int


@dataclass(frozen=True)
class BiasReport:
    """The audit result: category rows, unknown counts per dimension, and what produced them.

    ``threshold`` is the whole-shortlist median score (scoring mode) or N of top-N (selection
    mode with ``selected_top``); NaN when selection came from a ``selected`` column.
    """

    rows: tuple[BiasRow, ...]
    unknown: dict[str, int]
    mode: Mode
    threshold: float
    totals: AuditTotals
    data_period: str | None
    metadata: dict[str, str | None]
    dimensions: tuple[str, ...]
    min_n: int
    n_bootstrap: int
    seed: int

    def rows_for(self, dimension: str) -> tuple[BiasRow, ...]:
        """The rows of one dimension, in report order."""
        return tuple(r for r in self.rows if r.dimension == dimension)


def audit_bias(
    shortlist: pd.DataFrame,
    demographics: pd.DataFrame,
    *,
    selected_top: int | None = None,
    min_n: int = 30,
    allow_small: bool = False,
    n_bootstrap: int = 2000,
    seed: int = 0,
    data_period: str | None = None,
) -> BiasReport:
    """Shortlist + demographics → :class:`BiasReport` (see the module docstring).

    Mode: ``selected_top=N`` selects ``rank <= N``; otherwise a ``selected`` column (0/1,
    true/false) if present; otherwise scoring-rate mode (score strictly above the median of the
    whole shortlist, unknowns included). Unknown categories are counted, never imputed, and left
    out of the rates. Raises :class:`BiasAuditError` on bad input, or when a category has
    ``n < min_n`` unless ``allow_small``. ``n_bootstrap=0`` skips the intervals (NaN).
    """
    s_src = shortlist.attrs.get("source", "shortlist")
    d_src = demographics.attrs.get("source", "demographics")
    check_options(selected_top, min_n, n_bootstrap)
    mode: Mode = "selection" if selected_top is not None or "selected" in shortlist else "scoring"
    needed: tuple[str, ...] = ("candidate_id", "score") if mode == "scoring" else ("candidate_id",)
    if selected_top is not None:
        needed += ("rank",)
    require_columns(shortlist, needed, s_src, "shortlist")
    require_columns(demographics, ("candidate_id", *DIMENSIONS), d_src, "demographics")
    ids = candidate_ids(shortlist, s_src)
    demo = demographics.assign(
        candidate_id=candidate_ids(demographics, d_src)).set_index("candidate_id")
    if len(ids) == 0:
        raise BiasAuditError(f"{s_src}: the shortlist is empty; expected at least one candidate")

    if selected_top is not None and "selected" in shortlist:
        logger.info("selected_top=%d given: ignoring the 'selected' column of %s",
                    selected_top, s_src)
    hit, threshold = outcomes(shortlist, mode, selected_top, s_src)
    dims = (*DIMENSIONS, INTERSECTION)
    coded = {d: category_codes(labels) for d, labels in category_labels(demo, ids).items()}
    points = {d: impact_ratios(coded[d][0][None, :], len(coded[d][1]), hit[None, :]) for d in dims}
    rows = [
        (d, cat, int(points[d][0][0, j]), int(points[d][1][0, j]), float(points[d][2][0, j]))
        for d in dims
        for j, cat in enumerate(coded[d][1])
    ]
    check_small(rows, min_n, allow_small)
    scores = shortlist["score"].to_numpy(dtype=float) if mode == "scoring" else None
    intervals = bootstrap_intervals(coded, hit, scores, n_bootstrap, seed)
    known = {d: int((coded[d][0] >= 0).sum()) for d in dims}
    cis = {(d, cat): intervals[d][:, j] for d in dims for j, cat in enumerate(coded[d][1])}
    report_rows = tuple(
        BiasRow(d, cat, n, h, h / n, ratio, float(cis[d, cat][0]), float(cis[d, cat][1]),
                category_flags(ratio, n, known[d], min_n))
        for d, cat, n, h, ratio in rows
    )

    matched = int(pd.Index(ids).isin(demo.index).sum())
    totals = AuditTotals(len(ids), int(hit.sum()), len(demo), matched, len(ids) - matched,
                         int((~demo.index.isin(ids)).sum()))
    return BiasReport(
        rows=report_rows,
        unknown={d: len(ids) - known[d] for d in dims},
        mode=mode, threshold=threshold, totals=totals,
        data_period=data_period or scored_period(shortlist),
        metadata={"rubric": single_value(shortlist, "rubric", s_src),
                  "rubric_version": single_value(shortlist, "rubric_version", s_src),
                  "model_version": single_value(shortlist, "model_version", s_src),
                  "tool_version": __version__},
        dimensions=dims, min_n=min_n, n_bootstrap=n_bootstrap, seed=seed,
    )


