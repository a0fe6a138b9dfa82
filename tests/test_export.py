"""Export: the shortlist CSV's columns, order, and formula-injection safety."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest

from pipeline.export.csvsafe import neutralise
from pipeline.export.shortlist import (
    SHORTLIST_COLUMNS,
    export_shortlist,
)
from pipeline.records import PILLARS, Quarantined, ScoredCandidate, SentenceEvidence

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=UTC)


def scored(cid: str, value: float, quote: str = "Led the migration to SQS.") -> ScoredCandidate:
    ev = SentenceEvidence(quote, "experience", 0,
                          {"velocity": 0.9, "proactive": 0.1, "outcome": 0.6, "listing": 0.0},
                          {p: (0.9 if p == "event_driven" else 0.0) for p in PILLARS})
    return ScoredCandidate(cid, "h", value, 50.0, 10.0, 40.0, {p: 1.0 for p in PILLARS}, 6.0,
                           ("AWS Certified Solutions Architect - Associate",),
                           ("Multi-region",), (ev,), rubric="r", rubric_version="1")


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-2", "@SUM(A1)", "\tx", "\rx",
                                  '=HYPERLINK("http://x","y")'])
def test_export_neutralises_formula_cells(cell: str) -> None:
    assert neutralise(cell) == "'" + cell


def test_export_writes_ranked_shortlist_and_quarantine(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "shortlist.csv"
    planted = '=HYPERLINK("http://x","y") led the cut-over.'
    shortlist, quarantine = export_shortlist(
        [scored("best", 80.0, planted), scored("next", 60.0)],
        [Quarantined("=cmd", "/in/=cmd.pdf", "unsupported format (.pdf)", "unsupported_format")],
        out, NOW,
    )
    frame = pd.read_csv(shortlist)
    assert tuple(frame.columns) == SHORTLIST_COLUMNS
    assert list(frame["rank"]) == [1, 2]
    assert list(frame["candidate_id"]) == ["best", "next"]
    assert frame.loc[0, "top_evidence"].startswith('"\'=HYPERLINK("http://x","y")')
    assert "velocity 0.90" in frame.loc[1, "top_evidence"]
    assert "event_driven" in frame.loc[1, "top_evidence"]
    assert frame.loc[0, "scored_at"] == "2026-11-27T02:00:00+00:00"
    q = pd.read_csv(quarantine)
    assert list(q.columns) == ["candidate_id", "source", "code", "reason"]
    assert q.loc[0, "code"] == "unsupported_format"
    assert q.loc[0, "candidate_id"] == "'=cmd"
    assert quarantine.name == "shortlist.quarantine.csv"
    assert not list(tmp_path.glob("sub/.*.tmp")), "no temporary file left behind"


def test_export_no_cell_starts_with_a_formula_character(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    export_shortlist([scored("-dash", 1.0, "@mention =x")], [], out, NOW)
    frame = pd.read_csv(out, dtype=str, keep_default_na=False)
    for column in frame.columns:
        for cell in frame[column]:
            if column not in ("score", "velocity", "proactive", "outcome", *PILLARS,
                              "tenure_years", "rank"):
                assert not cell.startswith(("=", "+", "-", "@")), (column, cell)


def test_export_top_keeps_best_n(tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    export_shortlist([scored("a", 3.0), scored("b", 2.0), scored("c", 1.0)], [], out, NOW, top=2)
    assert list(pd.read_csv(out)["candidate_id"]) == ["a", "b"]


# --- ids are data when read back (issue 16): every reader keeps "NA", "None", "null", "" -----

#: Ids that pandas' default NA parsing turns into missing values.
NA_LIKE = ["NA", "NaN", "None", "null", "", "N/A", "nan", "#N/A"]


def test_export_shortlist_round_trips_na_like_ids_and_the_diff_sees_no_change(
        tmp_path: Path) -> None:
    from pipeline.export.shortlist import export_with_diff, previous_path, read_shortlist

    ranked = [scored(cid, 90.0 - i) for i, cid in enumerate(NA_LIKE)]
    out = tmp_path / "role.csv"
    export_with_diff(ranked, [], out, NOW, None)
    assert list(read_shortlist(out)["candidate_id"]) == NA_LIKE
    sha = __import__("hashlib").sha256(out.read_bytes()).hexdigest()
    _, _, diff = export_with_diff(ranked, [], out, NOW, sha)  # the same night again
    assert list(read_shortlist(previous_path(out))["candidate_id"]) == NA_LIKE
    assert read_shortlist(diff).empty, "no phantom new or dropped rows"


def test_export_nightly_outcome_reads_na_like_ids_as_text(tmp_path: Path) -> None:
    from pipeline.export.shortlist import export_with_diff
    from pipeline.runs.nightly_export import outcome

    ranked = [scored(cid, 90.0 - i) for i, cid in enumerate(NA_LIKE)]
    paths = export_with_diff(ranked, [], tmp_path / "role.csv", NOW, None)
    result = outcome("r", "1", paths, len(ranked), top=len(ranked))
    assert [c for _, c, _ in result.top] == NA_LIKE
    assert result.diff_counts == {"new": len(NA_LIKE)}


def test_export_a_carriage_return_in_a_file_name_cannot_split_a_row(tmp_path: Path) -> None:
    """Issue 16: ``'\\r=1+1.txt`` is quarantined as bad_id under an escaped id, so the
    quarantine CSV has one row for it and no cell a spreadsheet would run."""
    import csv

    from pipeline.ingest.read import ingest_folder

    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "'\r=1+1.txt").write_text("Led the migration to SQS.", encoding="utf-8")
    result = ingest_folder(folder)
    _, q_path = export_shortlist([], result.quarantined, tmp_path / "role.csv", NOW)
    with q_path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 2 and rows[1][rows[0].index("code")] == "bad_id"
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in rows[1])
    assert "\r" not in q_path.read_text(encoding="utf-8")
