"""trajectory explain: the explanation stored with each score, read back from the database."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from pipeline.cli.main import app
from pipeline.runs.flows import score_batch
from pipeline.score.explain import ExplainError, load_stored, render

from .conftest import AS_OF, RUBRICS, SAMPLE_PROFILES

GPA = RUBRICS / "global-principal-architect.yaml"
FILES = sorted(p for p in SAMPLE_PROFILES.iterdir() if not p.name.startswith("."))


@pytest.fixture(scope="module")
def scored_db(prefect_harness, tmp_path_factory, module_database_url: str) -> str:
    folder = tmp_path_factory.mktemp("explain")
    url = module_database_url
    score_batch(SAMPLE_PROFILES, GPA, folder / "shortlist.csv", url, as_of=AS_OF)
    return url


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_explain_works_for_every_sample_profile(scored_db: str, path) -> None:
    result = CliRunner().invoke(app, ["explain", path.stem, "--rubric", str(GPA),
                                      "--database", scored_db])
    assert result.exit_code == 0, result.output
    assert path.stem in result.output
    if "quarantined" not in result.output:
        for part in ("Where the points come from", "Timeline", "Trajectory features",
                     "Top contributions", "Missing must-haves", "global-principal-architect"):
            assert part in result.output, part


def test_explain_case_study_names_migration_poc_and_iac_as_top_contributions(
        scored_db: str) -> None:
    stored = load_stored(scored_db, "senior-dev-event-driven-payments",
                         "global-principal-architect")
    why = stored.record["explanation"]
    top = [e["text"] for e in why["evidence"][:3]]
    # The case study's three contributions are the top three; the migration leads, and the
    # order of the proof of concept and the IaC result is the model's call.
    assert "migration" in top[0]
    assert any("proof of concept" in t for t in top[1:])
    assert any("Terraform" in t and "provisioning" in t for t in top[1:])
    assert why["scorer_version"] and why["extractor_version"] and why["rubric_version"]
    text = render(stored)
    assert text.index("Led the migration") < text.index("proof of concept")
    assert text.index("Led the migration") < text.index("IaC-first")


def test_explain_unknown_candidate_is_a_domain_error_naming_the_database(
        scored_db: str) -> None:
    with pytest.raises(ExplainError, match="no score for 'nobody'"):
        load_stored(scored_db, "nobody", "global-principal-architect")
    result = CliRunner().invoke(app, ["explain", "nobody", "--rubric", "global-principal-architect",
                                      "--database", scored_db])
    assert result.exit_code == 1


def test_explain_errors_never_show_the_database_password() -> None:
    from pipeline.score.explain import ExplainError, load_stored

    with pytest.raises(ExplainError) as info:
        load_stored("postgresql://reader:s3cret-pw@127.0.0.1:1/trajectory", "x", "r")
    assert "s3cret-pw" not in str(info.value)
    assert "***" in str(info.value)
