"""Bias audit of a shortlist (NYC Local Law 144 style): rates and impact ratios by category.

shortlist CSV + demographics CSV → :class:`BiasReport`. The demographics file is read here and
nowhere else: ingestion and scoring never see it. Writers live in :mod:`pipeline.bias_report`.

For each dimension (``sex``, ``race_ethnicity`` and their intersection) every known category
gets its ``n``, how many were selected (selection mode) or scored strictly above the median of
the whole shortlist (scoring-rate mode), the rate, and the impact ratio = rate / highest rate
in that dimension, with a seeded bootstrap 95% percentile interval. Example (selection mode)::

    women 31 of 98 selected (0.316), men 45 of 102 (0.441) → women 0.316 / 0.441 = 0.717
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from pipeline import __version__
from pipeline.csvsafe import unneutralise
from pipeline.errors import TrajectoryError

logger = logging.getLogger(__name__)

DIMENSIONS: tuple[str, ...] = ("sex", "race_ethnicity")
INTERSECTION = "sex × race_ethnicity"
#: Demographic values that mean "not known" (compared stripped and case-folded).
UNKNOWN_VALUES = frozenset(
    {"", "unknown", "decline to state", "declined to state", "declined", "prefer not to say",
     "prefer not to answer", "not disclosed", "not stated", "n/a", "na", "nan"}
)
FOUR_FIFTHS = 0.80
SMALL_SHARE = 0.02
CI_LEVEL = 0.95
FLAG_BELOW_FOUR_FIFTHS = "below_four_fifths"
FLAG_SMALL_SHARE = "small_share"
FLAG_SMALL_N = "small_n"
FLAG_NO_RATIO = "ratio_undefined"
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})
_TEXT_COLUMNS = ("candidate_id", "rubric", "rubric_version", "model_version", "scored_at")
_CELLS_PER_CHUNK = 2_000_000  # bootstrap replicates × candidates held in memory at once

Mode = Literal["selection", "scoring"]


class BiasAuditError(TrajectoryError):
    """A shortlist or demographics input cannot be audited as asked."""


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


def load_shortlist(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a shortlist CSV → DataFrame with ``candidate_id`` as str; checks required columns."""
    df = _read_csv(path, "shortlist")
    _require(df, ("rank", "candidate_id", "score"), str(path), "shortlist")
    df.attrs["source"] = str(path)
    return df


def load_demographics(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a demographics CSV → DataFrame of str; blank cells stay "" (treated as unknown)."""
    df = _read_csv(path, "demographics")
    _require(df, ("candidate_id", *DIMENSIONS), str(path), "demographics")
    df.attrs["source"] = str(path)
    return df


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
    _check_options(selected_top, min_n, n_bootstrap)
    mode: Mode = "selection" if selected_top is not None or "selected" in shortlist else "scoring"
    needed: tuple[str, ...] = ("candidate_id", "score") if mode == "scoring" else ("candidate_id",)
    if selected_top is not None:
        needed += ("rank",)
    _require(shortlist, needed, s_src, "shortlist")
    _require(demographics, ("candidate_id", *DIMENSIONS), d_src, "demographics")
    ids = _ids(shortlist, s_src)
    demo = demographics.assign(candidate_id=_ids(demographics, d_src)).set_index("candidate_id")
    if len(ids) == 0:
        raise BiasAuditError(f"{s_src}: the shortlist is empty; expected at least one candidate")

    if selected_top is not None and "selected" in shortlist:
        logger.info("selected_top=%d given: ignoring the 'selected' column of %s",
                    selected_top, s_src)
    hit, threshold = _outcomes(shortlist, mode, selected_top, s_src)
    dims = (*DIMENSIONS, INTERSECTION)
    coded = {d: _codes(labels) for d, labels in _labels(demo, ids).items()}
    points = {d: _ratios(coded[d][0][None, :], len(coded[d][1]), hit[None, :]) for d in dims}
    rows = [
        (d, cat, int(points[d][0][0, j]), int(points[d][1][0, j]), float(points[d][2][0, j]))
        for d in dims
        for j, cat in enumerate(coded[d][1])
    ]
    _check_small(rows, min_n, allow_small)
    scores = shortlist["score"].to_numpy(dtype=float) if mode == "scoring" else None
    intervals = _bootstrap(coded, hit, scores, n_bootstrap, seed)
    known = {d: int((coded[d][0] >= 0).sum()) for d in dims}
    cis = {(d, cat): intervals[d][:, j] for d in dims for j, cat in enumerate(coded[d][1])}
    report_rows = tuple(
        BiasRow(d, cat, n, h, h / n, ratio, float(cis[d, cat][0]), float(cis[d, cat][1]),
                _flags(ratio, n, known[d], min_n))
        for d, cat, n, h, ratio in rows
    )

    matched = int(pd.Index(ids).isin(demo.index).sum())
    totals = AuditTotals(len(ids), int(hit.sum()), len(demo), matched, len(ids) - matched,
                         int((~demo.index.isin(ids)).sum()))
    return BiasReport(
        rows=report_rows,
        unknown={d: len(ids) - known[d] for d in dims},
        mode=mode, threshold=threshold, totals=totals,
        data_period=data_period or _period(shortlist),
        metadata={"rubric": _single(shortlist, "rubric", s_src),
                  "rubric_version": _single(shortlist, "rubric_version", s_src),
                  "model_version": _single(shortlist, "model_version", s_src),
                  "tool_version": __version__},
        dimensions=dims, min_n=min_n, n_bootstrap=n_bootstrap, seed=seed,
    )


# --- calculation -------------------------------------------------------------------------------


def _ratios(codes: np.ndarray, k: int, hit: np.ndarray) -> tuple[np.ndarray, ...]:
    """(replicates × candidates) codes and hits → per-replicate n, hits, impact ratios (r × k)."""
    r = codes.shape[0]
    if k == 0:  # nobody in this dimension has a known category
        return (np.zeros((r, 0), dtype=np.int64), np.zeros((r, 0)), np.zeros((r, 0)))
    known = codes >= 0
    flat = (codes + np.arange(r)[:, None] * k)[known]
    n = np.bincount(flat, minlength=r * k).reshape(r, k)
    h = np.bincount(flat, weights=hit[known], minlength=r * k).reshape(r, k)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(n > 0, h / np.maximum(n, 1), np.nan)
        best = np.max(np.where(np.isnan(rate), -1.0, rate), axis=1, keepdims=True)
        ratio = np.where(best > 0, rate / np.where(best > 0, best, 1.0), np.nan)
    return n, h, ratio


def _bootstrap(
    coded: dict[str, tuple[np.ndarray, list[str]]],
    hit: np.ndarray,
    scores: np.ndarray | None,
    n_bootstrap: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """Resample candidates from the whole shortlist → per dimension a (2 × k) [low; high] array.

    Each replicate recomputes the median (scoring mode) and the ratios; a replicate where a
    category is absent or the best rate is 0 does not count towards that category's interval.
    """
    draws: dict[str, list[np.ndarray]] = {d: [] for d in coded}
    rng = np.random.default_rng(seed)
    size = len(hit)
    chunk = max(1, _CELLS_PER_CHUNK // size)
    for start in range(0, n_bootstrap, chunk):
        idx = rng.integers(0, size, size=(min(chunk, n_bootstrap - start), size))
        if scores is not None:
            s = scores[idx]
            h = (s > np.median(s, axis=1, keepdims=True)).astype(float)
        else:
            h = hit[idx]
        for d, (codes, cats) in coded.items():
            draws[d].append(_ratios(codes[idx], len(cats), h)[2])
    tail = (1 - CI_LEVEL) / 2 * 100
    out = {}
    for d, (_, cats) in coded.items():
        if not draws[d] or not cats:
            out[d] = np.full((2, len(cats)), np.nan)
            continue
        all_draws = np.concatenate(draws[d])
        out[d] = np.full((2, len(cats)), np.nan)
        for j in range(len(cats)):
            col = all_draws[:, j][~np.isnan(all_draws[:, j])]
            if col.size:
                out[d][:, j] = np.percentile(col, [tail, 100 - tail])
    return out


def _outcomes(
    df: pd.DataFrame, mode: Mode, top: int | None, src: str
) -> tuple[np.ndarray, float]:
    """Shortlist → (1.0/0.0 per candidate for selected or strictly above median, threshold)."""
    if top is not None:
        rank = pd.to_numeric(df["rank"], errors="coerce")
        if rank.isna().any():
            raise BiasAuditError(f"{src}: column 'rank' has non-numeric or blank values; "
                                 "expected integers with 1 = best")
        return (rank <= top).to_numpy(dtype=float), float(top)
    if mode == "selection":
        return np.array([_flag_value(v, src) for v in df["selected"]], dtype=float), np.nan
    score = pd.to_numeric(df["score"], errors="coerce")
    if score.isna().any():
        raise BiasAuditError(f"{src}: column 'score' has non-numeric or blank values; "
                             "expected numbers 0-100")
    median = float(score.median())
    return (score > median).to_numpy(dtype=float), median


def _labels(demo: pd.DataFrame, ids: list[str]) -> dict[str, np.ndarray]:
    """Demographics indexed by id → per dimension (intersection last) one label or None per id.

    Example: sex "Female", race "Black" → "Female × Black"; either unknown → intersection None.
    """
    labels = {d: np.array([_category(v) for v in demo[d].reindex(ids)], dtype=object)
              for d in DIMENSIONS}
    sex, race = (labels[d] for d in DIMENSIONS)
    labels[INTERSECTION] = np.array(
        [None if a is None or b is None else f"{a} × {b}" for a, b in zip(sex, race, strict=True)],
        dtype=object,
    )
    return labels


def _codes(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Category labels (None = unknown) → (int codes with -1 for unknown, sorted categories)."""
    cats = sorted({x for x in labels if x is not None})
    index = {c: i for i, c in enumerate(cats)}
    return np.array([-1 if x is None else index[x] for x in labels], dtype=np.int64), cats


def _flags(ratio: float, n: int, known: int, min_n: int) -> tuple[str, ...]:
    flags = []
    if np.isnan(ratio):
        flags.append(FLAG_NO_RATIO)
    elif ratio < FOUR_FIFTHS:
        flags.append(FLAG_BELOW_FOUR_FIFTHS)
    if n / known < SMALL_SHARE:
        flags.append(FLAG_SMALL_SHARE)
    if n < min_n:
        flags.append(FLAG_SMALL_N)
    return tuple(flags)


def _check_small(rows: list[tuple[str, str, int, int, float]], min_n: int, allow: bool) -> None:
    """(dimension, category, n, hits, ratio) rows → BiasAuditError naming each n < min_n."""
    small = [f"{d} {cat!r} (n={n})" for d, cat, n, _, _ in rows if n < min_n]
    if small and not allow:
        raise BiasAuditError(
            f"categories with fewer than min_n={min_n} candidates: {', '.join(small)}; their "
            "impact ratios are unreliable. Expected every category to have n >= min_n; "
            "pass allow_small=True (--allow-small) to report them anyway, flagged small_n"
        )


# --- input checks ------------------------------------------------------------------------------


def _check_options(selected_top: int | None, min_n: int, n_bootstrap: int) -> None:
    if selected_top is not None and selected_top < 1:
        raise BiasAuditError(f"selected_top={selected_top}; expected an integer >= 1 or None")
    if min_n < 1:
        raise BiasAuditError(f"min_n={min_n}; expected an integer >= 1")
    if n_bootstrap < 0:
        raise BiasAuditError(f"n_bootstrap={n_bootstrap}; expected an integer >= 0")


def _read_csv(path: str | PathLike[str], what: str) -> pd.DataFrame:
    p = Path(path)
    try:
        # Ids and versions stay text ("1.10" must not become 1.1); demographics blanks stay "".
        return pd.read_csv(p, dtype=dict.fromkeys(_TEXT_COLUMNS, str) if what == "shortlist"
                           else str, keep_default_na=what == "shortlist")
    except FileNotFoundError as exc:
        raise BiasAuditError(f"{p}: {what} file not found; expected a CSV file") from exc
    except OSError as exc:
        raise BiasAuditError(f"{p}: cannot read {what} file ({exc.strerror})") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise BiasAuditError(f"{p}: cannot read {what} as CSV ({exc}); expected a UTF-8 "
                             "CSV with a header row") from exc


def _require(df: pd.DataFrame, cols: tuple[str, ...], src: str, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise BiasAuditError(f"{src}: {what} is missing column(s) {missing}; expected columns "
                             f"{list(cols)}, found {list(df.columns)}")


def _ids(df: pd.DataFrame, src: str) -> list[str]:
    """candidate_id column → stripped str ids; blank or duplicate ids are an error."""
    # The shortlist neutralises ids a spreadsheet would run as a formula ("'-x"); undo it so
    # they join the demographics file's plain ids.
    ids = ["" if pd.isna(v) else unneutralise(str(v).strip()) for v in df["candidate_id"]]
    if "" in ids:
        raise BiasAuditError(f"{src}: blank candidate_id in row {ids.index('') + 1}; "
                             "expected every row to have one")
    dup = pd.Index(ids)[pd.Index(ids).duplicated()]
    if len(dup):
        raise BiasAuditError(f"{src}: duplicate candidate_id(s) {sorted(set(dup))[:5]}; "
                             "expected one row per candidate")
    return ids


def _category(value: object) -> str | None:
    """A demographic cell → its category, or None when blank/unknown/declined."""
    if value is None or pd.isna(value):
        return None
    text = " ".join(str(value).split())
    return None if text.casefold() in UNKNOWN_VALUES else text


def _flag_value(value: object, src: str) -> bool:
    text = str(value).strip().casefold()
    if text in _TRUE or text in ("1.0",):
        return True
    if text in _FALSE or text in ("0.0",):
        return False
    raise BiasAuditError(f"{src}: column 'selected' has value {value!r}; expected 0/1 or "
                         "true/false")


def _single(df: pd.DataFrame, col: str, src: str) -> str | None:
    """The one value of a metadata column, None if absent/blank; several values are an error."""
    if col not in df:
        return None
    values = sorted({str(v).strip() for v in df[col].dropna()} - {""})
    if len(values) > 1:
        raise BiasAuditError(f"{src}: column {col!r} has several values {values}; expected one "
                             f"{col} per shortlist (audit each separately)")
    return values[0] if values else None


def _period(df: pd.DataFrame) -> str | None:
    """First to last ``scored_at`` date → "YYYY-MM-DD to YYYY-MM-DD", None if unavailable."""
    if "scored_at" not in df:
        return None
    when = pd.to_datetime(df["scored_at"], errors="coerce", utc=True, format="ISO8601").dropna()
    if when.empty:
        return None
    return f"{when.min():%Y-%m-%d} to {when.max():%Y-%m-%d}"
