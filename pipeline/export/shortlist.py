"""Export stage: ranked candidates → the shortlist CSV a recruiter opens, and its quarantine CSV.

Both files are written atomically (a temporary file in the same folder, then a rename), so a
reader never sees half a shortlist. Every text cell is neutralised against spreadsheet formula
injection: a resume is untrusted input and its sentences are quoted in the CSV. Both come from
:mod:`pipeline.export.csvsafe`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from pipeline.export.csvsafe import copy_atomic, neutralise, truncate, write_csv_atomic
from pipeline.records import (
    PILLARS,
    Quarantined,
    ScoredCandidate,
    SentenceEvidence,
    evidence_tags,
)

SHORTLIST_COLUMNS: tuple[str, ...] = (
    "rank", "candidate_id", "score", "confidence", "velocity", "proactive", "outcome",
    "trajectory", *PILLARS,
    "tenure_years", "certifications", "must_haves_missing", "top_evidence",
    "rubric", "rubric_version", "model_version", "scored_at",
)
QUARANTINE_COLUMNS: tuple[str, ...] = ("candidate_id", "source", "code", "reason")
#: The longest quote of one sentence in ``top_evidence`` (three fit in a spreadsheet cell).
MAX_QUOTE_CHARS = 10_000

def describe_evidence(sentence: SentenceEvidence) -> str:
    """One quoted sentence with its flags, confidences and pillars.

    e.g. ``"Led the migration to SQS." [velocity 0.91; event_driven]``
    """
    tags = evidence_tags(sentence.flags, sentence.pillars)
    # The quote already stops a spreadsheet reading the cell as a formula; neutralising the
    # sentence too keeps it safe when a reader copies it out of the quotes.
    quoted = f'"{neutralise(truncate(sentence.text, MAX_QUOTE_CHARS))}"'
    return f"{quoted} [{tags}]" if tags else quoted


def shortlist_frame(
    ranked: Sequence[ScoredCandidate], scored_at: datetime, top: int | None = None
) -> pd.DataFrame:
    """The shortlist table, best first, optionally cut to the ``top`` candidates."""
    rows = []
    for position, c in enumerate(ranked[:top] if top else ranked, start=1):
        rows.append({
            "rank": position,
            "candidate_id": c.candidate_id,
            "score": c.score,
            "confidence": c.confidence,
            "velocity": c.velocity,
            "proactive": c.proactive,
            "outcome": c.outcome,
            "trajectory": c.trajectory,
            **{p: c.pillars.get(p, 0.0) for p in PILLARS},
            "tenure_years": c.tenure_years,
            "certifications": "; ".join(c.certifications),
            "must_haves_missing": "; ".join(c.must_haves_missing),
            "top_evidence": " | ".join(describe_evidence(s) for s in c.top_evidence),
            "rubric": c.rubric,
            "rubric_version": c.rubric_version,
            "model_version": c.explanation.extractor_version if c.explanation else "",
            "scored_at": scored_at.isoformat(timespec="seconds"),
        })
    return _safe(pd.DataFrame(rows, columns=list(SHORTLIST_COLUMNS)))


def quarantine_frame(quarantined: Sequence[Quarantined]) -> pd.DataFrame:
    """The quarantine table, one row per input that was not scored, sorted by source."""
    rows = [
        {"candidate_id": q.candidate_id, "source": q.source, "code": q.code or "",
         "reason": q.reason}
        for q in sorted(quarantined, key=lambda q: q.source)
    ]
    return _safe(pd.DataFrame(rows, columns=list(QUARANTINE_COLUMNS)))


def _safe(frame: pd.DataFrame) -> pd.DataFrame:
    """Every text cell neutralised and at most ``MAX_CELL_CHARS`` characters long."""
    for column in frame.columns:
        frame[column] = frame[column].map(
            lambda v: truncate(neutralise(v)) if isinstance(v, str) else v)
    return frame


def quarantine_path(shortlist: Path) -> Path:
    """``SHORTLIST.quarantine.csv`` beside ``SHORTLIST.csv``."""
    return shortlist.with_name(f"{shortlist.stem}.quarantine.csv")


def export_shortlist(
    ranked: Sequence[ScoredCandidate],
    quarantined: Sequence[Quarantined],
    out: Path,
    scored_at: datetime,
    top: int | None = None,
) -> tuple[Path, Path]:
    """Write the shortlist and its quarantine CSV; returns both paths."""
    write_csv_atomic(shortlist_frame(ranked, scored_at, top), out)
    q_path = quarantine_path(out)
    write_csv_atomic(quarantine_frame(quarantined), q_path)
    return out, q_path


DIFF_COLUMNS: tuple[str, ...] = (
    "change", "candidate_id", "old_rank", "new_rank", "old_score", "new_score",
)


NUMERIC_COLUMNS = ("rank", "score", "old_rank", "new_rank", "old_score", "new_score")
#: Candidate ids and other text read back from our CSVs stay text: "NA", "NaN", "None",
#: "null" and "" are ids like any other, never missing values.
ID_DTYPES: dict[str, type] = {"candidate_id": str}


def read_shortlist(path: Path, **options: Any) -> pd.DataFrame:
    """A shortlist (or diff, previous) CSV this project wrote → a DataFrame whose
    ``candidate_id`` is the text written: no NA parsing of ids (``keep_default_na=False``);
    blank numbers (``rank``, ``score``) still read as missing. ``options`` go to read_csv."""
    return pd.read_csv(path, dtype=ID_DTYPES, keep_default_na=False,
                       na_values={c: [""] for c in NUMERIC_COLUMNS}, **options)


def diff_path(shortlist: Path) -> Path:
    """``SHORTLIST.diff.csv`` beside ``SHORTLIST.csv``."""
    return shortlist.with_name(f"{shortlist.stem}.diff.csv")


def previous_path(shortlist: Path) -> Path:
    """``SHORTLIST.previous.csv``: the last complete run's shortlist, kept for the diff."""
    return shortlist.with_name(f"{shortlist.stem}.previous.csv")


def shortlist_diff(previous: pd.DataFrame | None, current: pd.DataFrame) -> pd.DataFrame:
    """Two shortlist tables → who is ``new``, who ``moved`` (old → new rank) and who was
    ``dropped``; candidates at the same rank are left out. ``previous`` None: all are new.

    >>> old = pd.DataFrame({"rank": [1, 2], "candidate_id": ["a", "b"], "score": [9.0, 8.0]})
    >>> new = pd.DataFrame({"rank": [1, 2], "candidate_id": ["b", "c"], "score": [9.5, 7.0]})
    >>> list(shortlist_diff(old, new)["change"])
    ['moved', 'new', 'dropped']
    """
    empty = pd.DataFrame(columns=["rank", "candidate_id", "score"])
    old = {r.candidate_id: r for r in (previous if previous is not None else empty)
           .itertuples(index=False)}
    rows: list[tuple[object, ...]] = []
    for r in current.itertuples(index=False):
        before = old.pop(r.candidate_id, None)
        if before is None:
            rows.append(("new", r.candidate_id, None, r.rank, None, r.score))
        elif int(before.rank) != int(r.rank):
            rows.append(("moved", r.candidate_id, int(before.rank), r.rank, before.score,
                         r.score))
    for before in sorted(old.values(), key=lambda b: int(b.rank)):
        rows.append(("dropped", before.candidate_id, int(before.rank), None, before.score,
                     None))
    frame = pd.DataFrame(rows, columns=list(DIFF_COLUMNS))
    for column in ("old_rank", "new_rank"):
        frame[column] = frame[column].astype("Int64")
    return frame


def export_with_diff(
    ranked: Sequence[ScoredCandidate], quarantined: Sequence[Quarantined], out: Path,
    scored_at: datetime, last_complete_sha256: str | None,
) -> tuple[Path, Path, Path]:
    """Write the shortlist, its quarantine CSV and ``SHORTLIST.diff.csv`` against the shortlist
    of the last complete run; returns (shortlist, quarantine, diff).

    ``last_complete_sha256`` is the SHA-256 the last complete run recorded for ``out``: if
    ``out`` still holds exactly that, it is kept as ``SHORTLIST.previous.csv`` first. A run
    killed after writing ``out`` leaves ``previous`` as it was, so its re-run diffs against
    the same night as a clean run would.
    """
    import hashlib

    previous = previous_path(out)
    if last_complete_sha256 and out.is_file() and (
            hashlib.sha256(out.read_bytes()).hexdigest() == last_complete_sha256):
        copy_atomic(out, previous)
    old = read_shortlist(previous) if previous.is_file() else None
    current = shortlist_frame(ranked, scored_at)
    write_csv_atomic(shortlist_diff(old, current), diff_path(out))
    write_csv_atomic(current, out)
    q_path = quarantine_path(out)
    write_csv_atomic(quarantine_frame(quarantined), q_path)
    return out, q_path, diff_path(out)
