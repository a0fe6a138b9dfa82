"""Bias audit statistics: impact ratios per category, bootstrap intervals and flags.

Pure numpy over integer category codes (``-1`` unknown) and one 1.0/0.0 outcome per candidate;
no files, no pandas. :mod:`pipeline.audit.bias.audit` reads and checks the inputs and builds the
report.

>>> codes, cats = category_codes(np.array(["F", "M", None, "M"], dtype=object))
>>> n, hits, ratio = impact_ratios(codes[None, :], len(cats), np.array([[1.0, 1.0, 0.0, 0.0]]))
>>> cats, n.tolist(), ratio.tolist()
(['F', 'M'], [[1, 2]], [[1.0, 0.5]])
"""

from __future__ import annotations

import numpy as np

#: An impact ratio below this is flagged (the EEOC four-fifths rule).
FOUR_FIFTHS = 0.80
#: A category under this share of the candidates with known data is flagged.
SMALL_SHARE = 0.02
#: The bootstrap interval's level.
CI_LEVEL = 0.95
FLAG_BELOW_FOUR_FIFTHS = "below_four_fifths"
FLAG_SMALL_SHARE = "small_share"
FLAG_SMALL_N = "small_n"
FLAG_NO_RATIO = "ratio_undefined"
_CELLS_PER_CHUNK = 2_000_000  # bootstrap replicates × candidates held in memory at once


def impact_ratios(codes: np.ndarray, k: int, hit: np.ndarray) -> tuple[np.ndarray, ...]:
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


def bootstrap_intervals(
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
            draws[d].append(impact_ratios(codes[idx], len(cats), h)[2])
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


def category_codes(labels: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """Category labels (None = unknown) → (int codes with -1 for unknown, sorted categories)."""
    cats = sorted({x for x in labels if x is not None})
    index = {c: i for i, c in enumerate(cats)}
    return np.array([-1 if x is None else index[x] for x in labels], dtype=np.int64), cats


def category_flags(ratio: float, n: int, known: int, min_n: int) -> tuple[str, ...]:
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
