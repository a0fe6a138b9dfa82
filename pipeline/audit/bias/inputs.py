"""Bias audit inputs: the shortlist and demographics CSVs read and checked, and turned into
what the statistics need (one outcome per candidate, one category label per dimension).

Every problem is a :class:`~pipeline.errors.BiasAuditError` that names the file, the column and
what was expected. Shortlist ids that the export neutralised against formulas (``'-x``) are read
back as written in the demographics file (``-x``).
"""

from __future__ import annotations

from os import PathLike
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

from pipeline.errors import BiasAuditError
from pipeline.export.csvsafe import unneutralise

DIMENSIONS: tuple[str, ...] = ("sex", "race_ethnicity")
INTERSECTION = "sex × race_ethnicity"
#: Demographic values that mean "not known" (compared stripped and case-folded).
UNKNOWN_VALUES = frozenset(
    {"", "unknown", "decline to state", "declined to state", "declined", "prefer not to say",
     "prefer not to answer", "not disclosed", "not stated", "n/a", "na", "nan"}
)
_TRUE = frozenset({"1", "true", "yes", "y", "t"})
_FALSE = frozenset({"0", "false", "no", "n", "f"})
_TEXT_COLUMNS = ("candidate_id", "rubric", "rubric_version", "model_version", "scored_at")

#: Selected (top N or a ``selected`` column) or scoring strictly above the median.
Mode = Literal["selection", "scoring"]


def load_shortlist(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a shortlist CSV → DataFrame with ``candidate_id`` as str; checks required columns."""
    df = _read_csv(path, "shortlist")
    require_columns(df, ("rank", "candidate_id", "score"), str(path), "shortlist")
    df.attrs["source"] = str(path)
    return df


def load_demographics(path: str | PathLike[str]) -> pd.DataFrame:
    """Read a demographics CSV → DataFrame of str; blank cells stay "" (treated as unknown)."""
    df = _read_csv(path, "demographics")
    require_columns(df, ("candidate_id", *DIMENSIONS), str(path), "demographics")
    df.attrs["source"] = str(path)
    return df


def outcomes(
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


def category_labels(demo: pd.DataFrame, ids: list[str]) -> dict[str, np.ndarray]:
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


def check_small(rows: list[tuple[str, str, int, int, float]], min_n: int, allow: bool) -> None:
    """(dimension, category, n, hits, ratio) rows → BiasAuditError naming each n < min_n."""
    small = [f"{d} {cat!r} (n={n})" for d, cat, n, _, _ in rows if n < min_n]
    if small and not allow:
        raise BiasAuditError(
            f"categories with fewer than min_n={min_n} candidates: {', '.join(small)}; their "
            "impact ratios are unreliable. Expected every category to have n >= min_n; "
            "pass allow_small=True (--allow-small) to report them anyway, flagged small_n"
        )


def check_options(selected_top: int | None, min_n: int, n_bootstrap: int) -> None:
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
        # Ids and other text are read as written: "NA", "None" or "null" is an id, not a
        # missing value; only a blank rank or score is missing.
        return pd.read_csv(p, dtype=dict.fromkeys(_TEXT_COLUMNS, str) if what == "shortlist"
                           else str, keep_default_na=False,
                           na_values={"rank": [""], "score": [""]} if what == "shortlist"
                           else None)
    except FileNotFoundError as exc:
        raise BiasAuditError(f"{p}: {what} file not found; expected a CSV file") from exc
    except OSError as exc:
        raise BiasAuditError(f"{p}: cannot read {what} file ({exc.strerror})") from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise BiasAuditError(f"{p}: cannot read {what} as CSV ({exc}); expected a UTF-8 "
                             "CSV with a header row") from exc


def require_columns(df: pd.DataFrame, cols: tuple[str, ...], src: str, what: str) -> None:
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise BiasAuditError(f"{src}: {what} is missing column(s) {missing}; expected columns "
                             f"{list(cols)}, found {list(df.columns)}")


def candidate_ids(df: pd.DataFrame, src: str) -> list[str]:
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


def single_value(df: pd.DataFrame, col: str, src: str) -> str | None:
    """The one value of a metadata column, None if absent/blank; several values are an error."""
    if col not in df:
        return None
    values = sorted({str(v).strip() for v in df[col].dropna()} - {""})
    if len(values) > 1:
        raise BiasAuditError(f"{src}: column {col!r} has several values {values}; expected one "
                             f"{col} per shortlist (audit each separately)")
    return values[0] if values else None


def scored_period(df: pd.DataFrame) -> str | None:
    """First to last ``scored_at`` date → "YYYY-MM-DD to YYYY-MM-DD", None if unavailable."""
    if "scored_at" not in df:
        return None
    when = pd.to_datetime(df["scored_at"], errors="coerce", utc=True, format="ISO8601").dropna()
    if when.empty:
        return None
    return f"{when.min():%Y-%m-%d} to {when.max():%Y-%m-%d}"
