"""Shared fixtures: paths, rubrics, a blank-English nlp, a temporary SQLite store, Prefect."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"
SAMPLE_PROFILES = ROOT / "sample_profiles"
#: A fixed "today" so that roles running to "present" give the same tenure in every run.
AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="session")
def rubric_dir() -> Path:
    return RUBRICS


@pytest.fixture(scope="session")
def gpa_rubric():
    """The global principal architect rubric (the article's case-study role)."""
    from pipeline.rubric import load_rubric

    return load_rubric(RUBRICS / "global-principal-architect.yaml")


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline on spacy.blank("en"): no model download."""
    from pipeline.nlp.build import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def sample_profiles() -> Path:
    return SAMPLE_PROFILES


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'trajectory.db'}"


@pytest.fixture()
def engine(sqlite_url: str) -> Iterator[Engine]:
    from pipeline.store import open_store

    eng = open_store(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API for flow tests (no server configured, nothing left behind)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


@pytest.fixture(scope="session")
def score_text(nlp):
    """Score one resume's text against a rubric without Prefect: parse → extract → score."""
    from pipeline.extract import extract
    from pipeline.ingest import content_hash, normalise_text
    from pipeline.parse import parse_resume
    from pipeline.score import score_candidate

    def _score(text: str, rubric, candidate_id: str = "candidate"):
        text = normalise_text(text)
        resume = parse_resume(candidate_id, text)
        return score_candidate(extract(resume, content_hash(text), nlp), rubric, AS_OF)

    return _score
