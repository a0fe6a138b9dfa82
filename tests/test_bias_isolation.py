"""Demographics never reach the scorer; the audit runs on the sample profiles' shortlist."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from pipeline.audit.bias.audit import audit_bias, load_demographics, load_shortlist
from pipeline.runs.flows import score_batch

from .conftest import AS_OF, RUBRICS, SAMPLE_PROFILES

FIXTURE = Path(__file__).parent / "fixtures" / "demographics-sample.csv"
GOLDEN = Path(__file__).parent / "golden" / "shortlist-global-principal-architect.csv"
GPA = RUBRICS / "global-principal-architect.yaml"


def test_bias_isolation_demographics_beside_resumes_change_nothing_and_are_never_read(
    prefect_harness, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "resumes"
    shutil.copytree(SAMPLE_PROFILES, folder)
    without = score_batch(folder, GPA, tmp_path / "a.csv", f"sqlite:///{tmp_path}/a.db",
                          as_of=AS_OF)

    planted = folder / "demographics.csv"
    shutil.copy(FIXTURE, planted)
    opened: list[Path] = []
    real_read_bytes = Path.read_bytes

    def spy(self: Path) -> bytes:
        opened.append(self)
        return real_read_bytes(self)

    monkeypatch.setattr(Path, "read_bytes", spy)
    with_demo = score_batch(folder, GPA, tmp_path / "b.csv", f"sqlite:///{tmp_path}/b.db",
                            as_of=AS_OF)

    assert planted not in opened, "ingestion opened the demographics file"
    a = pd.read_csv(tmp_path / "a.csv").drop(columns="scored_at")
    b = pd.read_csv(tmp_path / "b.csv").drop(columns="scored_at")
    pd.testing.assert_frame_equal(a, b)
    assert with_demo.scored == without.scored
    quarantine = pd.read_csv(with_demo.quarantine_file)
    reason = quarantine.loc[quarantine["candidate_id"] == "demographics", "reason"].item()
    assert reason.startswith("unsupported format (.csv)")


def test_bias_isolation_audit_runs_on_the_sample_shortlist() -> None:
    report = audit_bias(load_shortlist(GOLDEN), load_demographics(FIXTURE), allow_small=True,
                        n_bootstrap=200)
    sexes = {row.category: row for row in report.rows_for("sex")}
    assert sexes["female"].n == 7 and sexes["male"].n == 9
    assert report.unknown["sex"] == 2
    assert report.metadata["model_version"].startswith("rules-")
    assert report.metadata["rubric_version"]
    assert max(row.impact_ratio for row in sexes.values() if row.impact_ratio is not None) == 1.0
    from pipeline.audit.bias.audit import BiasAuditError

    with pytest.raises(BiasAuditError, match=r"sex 'female' \(n=7\)"):
        audit_bias(load_shortlist(GOLDEN), load_demographics(FIXTURE))
