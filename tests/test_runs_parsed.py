"""pipeline.runs.parsed: a resume parsed at ingestion is reused once, for exactly its text."""

from __future__ import annotations

from pipeline.parse.resume import parse_resume
from pipeline.runs.parsed import ParsedOnce

TEXT = "Jane Doe\n\nExperience\nEngineer, Acme, 2019 - 2023\n- Led the migration to Kafka\n"


def test_runs_parsed_reuses_the_kept_resume_once_then_parses() -> None:
    memo = ParsedOnce()
    kept = parse_resume("jane", TEXT)
    memo.keep("jane", TEXT, kept)
    assert memo.parse("jane", TEXT) is kept
    again = memo.parse("jane", TEXT)  # taken once: parsed afresh, equal
    assert again is not kept and again == kept


def test_runs_parsed_other_text_or_candidate_is_parsed_not_reused() -> None:
    memo = ParsedOnce()
    kept = parse_resume("jane", TEXT)
    memo.keep("jane", TEXT, kept)
    assert memo.parse("jane", TEXT + "- Cut costs 30%\n") != kept
    assert memo.parse("john", TEXT).candidate_id == "john"


def test_runs_parsed_holds_at_most_capacity() -> None:
    memo = ParsedOnce(capacity=1)
    first, second = parse_resume("a", TEXT), parse_resume("b", TEXT)
    memo.keep("a", TEXT, first)
    memo.keep("b", TEXT, second)
    assert memo.parse("a", TEXT) is first
    assert memo.parse("b", TEXT) is not second
