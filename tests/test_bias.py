"""Tests of pipeline.audit.bias.audit (calculation) and pipeline.audit.bias.report (CSV, Markdown,
rich table)."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from fairlearn.metrics import MetricFrame, selection_rate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.table import Table

import pipeline
from pipeline.audit.bias.audit import (
    INTERSECTION,
    BiasAuditError,
    BiasReport,
    audit_bias,
    load_demographics,
    load_shortlist,
)
from pipeline.audit.bias.report import (
    CSV_COLUMNS,
    render_bias_table,
    write_bias_csv,
    write_bias_markdown,
)
from pipeline.audit.bias.stats import (
    FLAG_BELOW_FOUR_FIFTHS,
    FLAG_NO_RATIO,
    FLAG_SMALL_N,
    FLAG_SMALL_SHARE,
)
from pipeline.errors import TrajectoryError

# (sex, race_ethnicity, n, selected) → women 31/98, men 45/102; every intersection has n >= 30.
WOMEN_MEN = [
    ("Female", "Black", 49, 16), ("Female", "White", 49, 15),
    ("Male", "Black", 51, 23), ("Male", "White", 51, 22),
]


def make_inputs(
    groups: list[tuple[str, str, int, int]], **shortlist_extra: object
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Groups of (sex, race, n, selected) → (shortlist, demographics).

    Selected candidates rank above every unselected one (so ``selected_top`` = number selected
    reproduces the ``selected`` column) and score 90 - rank/1000; the rest score 10.
    """
    people = [(s, r, i < k) for s, r, n, k in groups for i in range(n)]
    order = sorted(range(len(people)), key=lambda i: not people[i][2])  # selected first, stable
    rank = {idx: pos + 1 for pos, idx in enumerate(order)}
    ids = [f"cand-{i:04d}" for i in range(len(people))]
    shortlist = pd.DataFrame({
        "rank": [rank[i] for i in range(len(people))],
        "candidate_id": ids,
        "score": [90 - rank[i] / 1000 if p[2] else 10.0 for i, p in enumerate(people)],
        "selected": [int(p[2]) for p in people],
        "rubric": "cloud-architect", "rubric_version": "2025.1",
        "scored_at": "2025-03-01T09:00:00+00:00",
        **shortlist_extra,
    }).sort_values("rank", ignore_index=True)
    demographics = pd.DataFrame(
        {"candidate_id": ids, "sex": [p[0] for p in people],
         "race_ethnicity": [p[1] for p in people]}
    )
    return shortlist, demographics


def row(report: BiasReport, dimension: str, category: str):
    (found,) = [r for r in report.rows if r.dimension == dimension and r.category == category]
    return found


@pytest.fixture
def women_men() -> tuple[pd.DataFrame, pd.DataFrame]:
    return make_inputs(WOMEN_MEN)


# --- impact ratios -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how", ["selected_int", "selected_text", "selected_bool", "selected_top"]
)
def test_bias_women_impact_ratio_is_0717(women_men, how: str) -> None:
    shortlist, demographics = women_men
    kwargs: dict[str, object] = {}
    if how == "selected_text":
        shortlist["selected"] = shortlist["selected"].map({1: "True", 0: "false"})
    elif how == "selected_bool":
        shortlist["selected"] = shortlist["selected"].astype(bool)
    elif how == "selected_top":
        shortlist = shortlist.drop(columns="selected")
        kwargs["selected_top"] = 76
    report = audit_bias(shortlist, demographics, n_bootstrap=200, **kwargs)

    women, men = row(report, "sex", "Female"), row(report, "sex", "Male")
    assert (women.n, women.selected_or_above, men.n, men.selected_or_above) == (98, 31, 102, 45)
    assert round(women.impact_ratio, 3) == 0.717
    assert men.impact_ratio == 1.0
    assert FLAG_BELOW_FOUR_FIFTHS in women.flags and FLAG_BELOW_FOUR_FIFTHS not in men.flags
    assert report.mode == "selection"
    assert report.totals.selected_or_above == 76
    if how == "selected_top":
        assert report.threshold == 76
    else:
        assert math.isnan(report.threshold)


def test_bias_forty_person_category_ratio_is_040() -> None:
    shortlist, demographics = make_inputs(
        [("Female", "Asian", 40, 8), ("Male", "Asian", 40, 20), ("Male", "White", 40, 20)]
    )
    report = audit_bias(shortlist, demographics, n_bootstrap=0)

    assert row(report, "sex", "Female").impact_ratio == pytest.approx(0.40)
    assert row(report, "sex", "Female").rate == pytest.approx(0.2)
    assert row(report, "sex", "Male").rate == 0.5
    assert row(report, INTERSECTION, "Female × Asian").impact_ratio == pytest.approx(0.40)
    # Asian 28 of 80 = 0.35 against White 20 of 40 = 0.5
    assert row(report, "race_ethnicity", "Asian").impact_ratio == pytest.approx(0.7)


@pytest.mark.parametrize("dimension", ["sex", "race_ethnicity", INTERSECTION])
def test_bias_reference_category_has_ratio_one(women_men, dimension: str) -> None:
    report = audit_bias(*women_men, n_bootstrap=0)
    ratios = [r.impact_ratio for r in report.rows_for(dimension)]
    assert max(ratios) == 1.0 and all(0 <= x <= 1 for x in ratios)


def test_bias_zero_best_rate_gives_undefined_ratio() -> None:
    shortlist, demographics = make_inputs([("Female", "Black", 30, 0), ("Male", "Black", 30, 0)])
    report = audit_bias(shortlist, demographics, n_bootstrap=0)
    assert all(math.isnan(r.impact_ratio) and FLAG_NO_RATIO in r.flags for r in report.rows)


# --- scoring-rate mode: strict median ----------------------------------------------------------


def test_bias_scoring_mode_counts_only_scores_strictly_above_median() -> None:
    # 60 scores: 10 × 30, 35 × 50, 15 × 70 → median 50; a score of exactly 50 is not "above".
    women = [70.0] * 10 + [50.0] * 20
    men = [70.0] * 5 + [50.0] * 15 + [30.0] * 10
    scores = women + men
    ids = [f"c{i}" for i in range(60)]
    shortlist = pd.DataFrame({"rank": pd.Series(scores).rank(ascending=False, method="min"),
                              "candidate_id": ids, "score": scores})
    demographics = pd.DataFrame({"candidate_id": ids, "sex": ["F"] * 30 + ["M"] * 30,
                                 "race_ethnicity": "Hispanic or Latino"})
    report = audit_bias(shortlist, demographics, n_bootstrap=0)

    assert report.mode == "scoring" and report.threshold == 50.0
    f, m = row(report, "sex", "F"), row(report, "sex", "M")
    assert (f.selected_or_above, m.selected_or_above) == (10, 5)  # ties at 50 excluded
    assert m.impact_ratio == pytest.approx(0.5)
    assert report.totals.selected_or_above == 15


def test_bias_scoring_mode_median_includes_unknown_candidates() -> None:
    # Known: F scores 60, 60 | M scores 40, 40; 3 unknowns at 100 lift the median to 60.
    ids = [f"c{i}" for i in range(7)]
    shortlist = pd.DataFrame({"rank": range(1, 8), "candidate_id": ids,
                              "score": [100, 100, 100, 60, 60, 40, 40]})
    demographics = pd.DataFrame({"candidate_id": ids[3:], "sex": ["F", "F", "M", "M"],
                                 "race_ethnicity": ""})
    report = audit_bias(shortlist, demographics, n_bootstrap=0, allow_small=True)
    assert report.threshold == 60
    assert row(report, "sex", "F").selected_or_above == 0
    assert report.unknown["sex"] == 3


# --- unknowns, small categories, min_n -------------------------------------------------------


@pytest.mark.parametrize("unknown_value", ["", "unknown", "Decline to State", "  ", None])
def test_bias_unknowns_are_counted_not_imputed(women_men, unknown_value: object) -> None:
    shortlist, demographics = women_men
    base = audit_bias(shortlist, demographics, n_bootstrap=0)
    extra_ids = [f"unk-{i}" for i in range(12)]
    extra = pd.DataFrame({"rank": range(1000, 1012), "candidate_id": extra_ids, "score": 99.0,
                          "selected": 1})  # all selected: imputing them would move the rates
    shortlist2 = pd.concat([shortlist, extra], ignore_index=True)
    declared = pd.DataFrame({"candidate_id": extra_ids[:7], "sex": unknown_value,
                             "race_ethnicity": "Black"})  # the other 5 have no record at all
    stray = pd.DataFrame({"candidate_id": ["not-shortlisted"], "sex": "Female",
                          "race_ethnicity": "White"})
    report = audit_bias(shortlist2, pd.concat([demographics, declared, stray]), n_bootstrap=0)

    assert report.unknown == {"sex": 12, "race_ethnicity": 5, INTERSECTION: 12}
    for r in base.rows_for("sex"):
        got = row(report, "sex", r.category)
        assert (got.n, got.selected_or_above, got.rate, got.impact_ratio) == (
            r.n, r.selected_or_above, r.rate, r.impact_ratio)
    assert sum(r.n for r in report.rows_for("sex")) == 200
    assert row(report, "race_ethnicity", "Black").n == 100 + 7
    assert report.totals.no_demographics == 5
    assert report.totals.not_in_shortlist == 1
    assert report.totals.matched == 207
    assert report.totals.shortlisted == 212


def test_bias_small_share_category_is_flagged_but_shown() -> None:
    shortlist, demographics = make_inputs(WOMEN_MEN + [("Nonbinary", "White", 3, 1)])
    report = audit_bias(shortlist, demographics, n_bootstrap=0, allow_small=True)

    small = row(report, "sex", "Nonbinary")  # 3 of 203 = 1.5%
    assert small.n == 3 and FLAG_SMALL_SHARE in small.flags and FLAG_SMALL_N in small.flags
    assert FLAG_SMALL_SHARE not in row(report, "sex", "Female").flags
    assert FLAG_SMALL_N not in row(report, "sex", "Female").flags


@pytest.mark.parametrize(
    ("groups", "named"),
    [
        (WOMEN_MEN + [("Female", "Asian", 12, 3)], "race_ethnicity 'Asian' (n=12)"),
        ([("Female", "Black", 31, 5), ("Female", "White", 29, 5), ("Male", "White", 40, 5)],
         "sex × race_ethnicity 'Female × White' (n=29)"),
    ],
)
def test_bias_min_n_error_names_category_and_allow_small_lets_it_through(
    groups: list[tuple[str, str, int, int]], named: str
) -> None:
    shortlist, demographics = make_inputs(groups)
    with pytest.raises(BiasAuditError, match=re.escape(named)) as exc:
        audit_bias(shortlist, demographics, n_bootstrap=0)
    assert isinstance(exc.value, TrajectoryError) and "min_n=30" in str(exc.value)

    report = audit_bias(shortlist, demographics, n_bootstrap=0, allow_small=True)
    assert any(FLAG_SMALL_N in r.flags for r in report.rows)


def test_bias_min_n_is_configurable(women_men) -> None:
    with pytest.raises(BiasAuditError, match="n=49"):
        audit_bias(*women_men, n_bootstrap=0, min_n=50)


# --- agreement with fairlearn ----------------------------------------------------------------

_people = st.lists(
    st.tuples(st.sampled_from(["F", "M", "X", ""]), st.sampled_from(["A", "B", "unknown"]),
              st.booleans()),
    min_size=1, max_size=80,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(people=_people)
def test_bias_impact_ratios_match_fairlearn(people: list[tuple[str, str, bool]]) -> None:
    ids = [f"p{i}" for i in range(len(people))]
    sex, race, chosen = (list(x) for x in zip(*people, strict=True))
    shortlist = pd.DataFrame({"rank": range(1, len(ids) + 1), "candidate_id": ids,
                              "score": 50.0, "selected": [int(c) for c in chosen]})
    demographics = pd.DataFrame({"candidate_id": ids, "sex": sex, "race_ethnicity": race})
    report = audit_bias(shortlist, demographics, n_bootstrap=0, allow_small=True)

    frame = pd.DataFrame({"sex": sex, "race_ethnicity": race, "selected": chosen})
    frame["sex × race_ethnicity"] = frame["sex"] + " × " + frame["race_ethnicity"]
    known = {"sex": frame["sex"] != "", "race_ethnicity": frame["race_ethnicity"] != "unknown"}
    known[INTERSECTION] = known["sex"] & known["race_ethnicity"]
    for dim, mask in known.items():
        ours = {r.category: r.impact_ratio for r in report.rows_for(dim)}
        if not mask.any():
            assert ours == {} and report.unknown[dim] == len(people)
            continue
        y = frame.loc[mask, "selected"].astype(int)
        mf = MetricFrame(metrics=selection_rate, y_true=y, y_pred=y,
                         sensitive_features=frame.loc[mask, dim])
        with np.errstate(invalid="ignore", divide="ignore"):
            theirs = (mf.by_group / mf.by_group.max()).to_dict()
        assert ours.keys() == theirs.keys()
        np.testing.assert_allclose([ours[k] for k in theirs], list(theirs.values()),
                                   equal_nan=True)


# --- bootstrap intervals ---------------------------------------------------------------------


@pytest.mark.parametrize("scoring", [False, True])
def test_bias_bootstrap_interval_contains_estimate_and_is_deterministic(
    women_men, scoring: bool
) -> None:
    shortlist, demographics = women_men
    if scoring:
        shortlist = shortlist.drop(columns="selected")
    first = audit_bias(shortlist, demographics, n_bootstrap=500, seed=7)
    again = audit_bias(shortlist, demographics, n_bootstrap=500, seed=7)
    other = audit_bias(shortlist, demographics, n_bootstrap=500, seed=8)

    assert first.rows == again.rows
    assert [(r.ci_low, r.ci_high) for r in first.rows] != [
        (r.ci_low, r.ci_high) for r in other.rows
    ]
    for r in first.rows:
        assert 0 <= r.ci_low <= r.impact_ratio <= r.ci_high <= 1, r
    women = row(first, "sex", "Female")
    assert women.ci_high - women.ci_low > 0.05  # a real interval, not a point


def test_bias_no_bootstrap_leaves_intervals_undefined(women_men) -> None:
    report = audit_bias(*women_men, n_bootstrap=0)
    assert all(math.isnan(r.ci_low) and math.isnan(r.ci_high) for r in report.rows)


# --- inputs ----------------------------------------------------------------------------------


def test_bias_metadata_comes_from_the_shortlist(women_men) -> None:
    shortlist, demographics = women_men
    shortlist["model_version"] = "evidence-clf 3"
    report = audit_bias(shortlist, demographics, n_bootstrap=0)
    assert report.metadata == {"rubric": "cloud-architect", "rubric_version": "2025.1",
                               "model_version": "evidence-clf 3",
                               "tool_version": pipeline.__version__}
    assert report.data_period == "2025-03-01 to 2025-03-01"
    stated = audit_bias(shortlist, demographics, n_bootstrap=0, data_period="2025-Q1")
    assert stated.data_period == "2025-Q1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s, d: (s.drop(columns="score").drop(columns="selected"), d), "'score'"),
        (lambda s, d: (s, d.drop(columns="race_ethnicity")), "'race_ethnicity'"),
        (lambda s, d: (pd.concat([s, s.head(1)]), d), "duplicate candidate_id"),
        (lambda s, d: (s.assign(selected="maybe"), d), "'maybe'"),
        (lambda s, d: (s.assign(rubric_version=["1", "2"] * 100), d), "rubric_version"),
        (lambda s, d: (s.head(0), d), "empty"),
    ],
)
def test_bias_bad_input_raises_bias_audit_error(women_men, change, message: str) -> None:
    shortlist, demographics = change(*women_men)
    with pytest.raises(BiasAuditError, match=re.escape(message)):
        audit_bias(shortlist, demographics, n_bootstrap=0)


@pytest.mark.parametrize("top", [0, -3])
def test_bias_selected_top_must_be_positive(women_men, top: int) -> None:
    with pytest.raises(BiasAuditError, match=f"selected_top={top}"):
        audit_bias(*women_men, selected_top=top)


def test_bias_loaders_read_csv_and_keep_blank_as_unknown(women_men, tmp_path: Path) -> None:
    shortlist, demographics = women_men
    shortlist["rubric_version"] = "1.10"
    demographics.loc[0, "sex"] = ""
    s_path, d_path = tmp_path / "shortlist.csv", tmp_path / "demo.csv"
    shortlist.to_csv(s_path, index=False)
    demographics.to_csv(d_path, index=False)

    report = audit_bias(load_shortlist(s_path), load_demographics(d_path), n_bootstrap=0,
                        allow_small=True)
    assert report.metadata["rubric_version"] == "1.10"  # read as text, not the number 1.1
    assert report.unknown["sex"] == 1
    assert row(report, "sex", "Female").n + row(report, "sex", "Male").n == 199


@pytest.mark.parametrize(
    ("loader", "content", "expected"),
    [
        (load_shortlist, "candidate_id,score\nc1,50\n", "'rank'"),
        (load_demographics, "candidate_id,sex\nc1,F\n", "'race_ethnicity'"),
        (load_demographics, "", "cannot read demographics"),
    ],
)
def test_bias_loader_errors_name_the_file(tmp_path: Path, loader, content, expected) -> None:
    path = tmp_path / "input.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BiasAuditError, match=re.escape(expected)) as exc:
        loader(path)
    assert str(path) in str(exc.value)


def test_bias_loader_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(BiasAuditError, match="not found"):
        load_shortlist(tmp_path / "nope.csv")


def test_bias_errors_after_loading_name_the_file(women_men, tmp_path: Path) -> None:
    shortlist, demographics = women_men
    d_path = tmp_path / "demo.csv"
    pd.concat([demographics, demographics.head(1)]).to_csv(d_path, index=False)
    with pytest.raises(BiasAuditError, match=re.escape(str(d_path))):
        audit_bias(shortlist, load_demographics(d_path), n_bootstrap=0)


def test_bias_demographics_not_used_outside_the_audit() -> None:
    # Demographics must never reach ingestion or scoring: only the audit and the CLI touch them.
    root = Path(pipeline.__file__).parent
    pattern = re.compile(r"pipeline\.audit\.bias\b|from \.bias|import bias\b|load_demographics")
    offenders = [rel for p in root.rglob("*.py")
                 if not (rel := p.relative_to(root).as_posix()).startswith("audit/bias/")
                 and rel != "cli/audit.py" and pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


# --- reports ---------------------------------------------------------------------------------


@pytest.fixture
def report_with_unknowns(women_men) -> BiasReport:
    shortlist, demographics = women_men
    demographics.loc[demographics.index[:4], "race_ethnicity"] = "decline to state"
    return audit_bias(shortlist, demographics, n_bootstrap=300, seed=3, data_period="2025-Q1")


def test_bias_csv_carries_the_published_fields(report_with_unknowns, tmp_path: Path) -> None:
    path = write_bias_csv(report_with_unknowns, tmp_path / "out" / "bias_audit.csv")
    df = pd.read_csv(path)

    assert tuple(df.columns) == CSV_COLUMNS
    women = df[(df.dimension == "sex") & (df.category == "Female")].iloc[0]
    assert (women.n, women.selected_or_above) == (98, 31)
    assert round(women.rate, 3) == 0.316 and round(women.impact_ratio, 3) == 0.717
    assert women.ci_low <= women.impact_ratio <= women.ci_high
    assert women["flags"] == FLAG_BELOW_FOUR_FIFTHS
    unknown = df[(df.row_type == "unknown") & (df.dimension == "race_ethnicity")].iloc[0]
    assert unknown.n == 4 and pd.isna(unknown.rate) and pd.isna(unknown.impact_ratio)
    assert set(df.data_period) == {"2025-Q1"} and set(df["mode"]) == {"selection"}
    assert set(df.rubric) == {"cloud-architect"} and set(df.rubric_version.astype(str)) == {
        "2025.1"}
    assert set(df.tool_version) == {pipeline.__version__}
    assert set(df.shortlisted) == {200} and set(df.not_in_shortlist) == {0}
    assert all("unreliable" in n and "interval" in n for n in df.note)
    assert len(df) == len(report_with_unknowns.rows) + 3


def test_bias_csv_neutralises_formula_like_categories(tmp_path: Path) -> None:
    shortlist, demographics = make_inputs(
        [("=HYPERLINK(\"http://x\")", "Black", 30, 5), ("Male", "Black", 30, 5)]
    )
    report = audit_bias(shortlist, demographics, n_bootstrap=0)
    df = pd.read_csv(write_bias_csv(report, tmp_path / "b.csv"))
    assert "'=HYPERLINK(\"http://x\")" in set(df.category)
    assert not any(str(c).startswith("=") for c in df.category)


def test_bias_markdown_carries_the_published_fields(
    report_with_unknowns, tmp_path: Path
) -> None:
    r = report_with_unknowns
    women = row(r, "sex", "Female")
    text = write_bias_markdown(r, tmp_path / "bias_audit.md").read_text(encoding="utf-8")

    assert "| Data period | 2025-Q1 |" in text
    assert "| Mode | selection rate" in text
    assert "| Rubric | cloud-architect (version 2025.1) |" in text
    assert f"| Tool version | trajectory {pipeline.__version__} |" in text
    assert "| Candidates in shortlist | 200 |" in text
    assert (f"| Female | 98 | 31 | 0.316 | 0.717 | {women.ci_low:.3f}–{women.ci_high:.3f} "
            f"| {FLAG_BELOW_FOUR_FIFTHS} |") in text
    assert "| Unknown (not imputed, excluded from rates) | 4 |" in text
    for dim in ("sex", "race_ethnicity", INTERSECTION):
        assert f"## {dim}" in text
    assert "four-fifths" in text and "unreliable" in text and "wide interval" in text


def test_bias_markdown_states_scoring_threshold(women_men, tmp_path: Path) -> None:
    shortlist, demographics = women_men
    report = audit_bias(shortlist.drop(columns="selected"), demographics, n_bootstrap=0)
    text = write_bias_markdown(report, tmp_path / "a.md").read_text(encoding="utf-8")
    assert f"| Threshold | median score {report.threshold:g} |" in text
    women = row(report, "sex", "Female")
    assert "Scored above median" in text
    assert (f"| Female | 98 | {women.selected_or_above} | {women.rate:.3f} "
            f"| {women.impact_ratio:.3f} | n/a |") in text  # no bootstrap → no interval


def test_bias_rich_table_has_a_row_per_category_and_unknown(report_with_unknowns) -> None:
    table = render_bias_table(report_with_unknowns)
    assert isinstance(table, Table)
    assert table.row_count == len(report_with_unknowns.rows) + 3
    categories = list(table.columns[1].cells)
    assert categories.count("Unknown") == 3 and "Female × Black" in categories


def test_bias_neutralised_shortlist_ids_join_plain_demographics(tmp_path) -> None:
    """The export writes "-x" as "'-x"; the audit must still find that candidate's category."""
    shortlist = pd.DataFrame({"rank": [1, 2], "candidate_id": ["'-dash", "plain"],
                              "score": [80.0, 20.0]})
    demographics = pd.DataFrame({"candidate_id": ["-dash", "plain"], "sex": ["female", "male"],
                                 "race_ethnicity": ["Asian", "White"]})
    report = audit_bias(shortlist, demographics, allow_small=True, n_bootstrap=10)
    assert report.unknown["sex"] == 0
    assert {row.category for row in report.rows_for("sex")} >= {"female", "male"}


def test_bias_load_shortlist_reads_na_like_ids_as_text(tmp_path: Path) -> None:
    """Issue 16: ids NA, NaN, None, null (and a blank) are ids, not missing values, so the
    audit does not refuse the shortlist."""
    path = tmp_path / "s.csv"
    path.write_text("rank,candidate_id,score\n1,NA,9\n2,NaN,8\n3,None,7\n4,null,6\n5,,5\n",
                    encoding="utf-8")
    df = load_shortlist(path)
    assert list(df["candidate_id"]) == ["NA", "NaN", "None", "null", ""]
    assert list(df["rank"]) == [1, 2, 3, 4, 5] and df["score"].dtype.kind in "if"
