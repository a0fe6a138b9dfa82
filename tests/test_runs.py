"""How a failed run's error is described for the runs table and the audit log: the class and
the first line of the message, with nothing of a resume or a candidate in it."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from pipeline.runs.history import MAX_ERROR_CHARS, describe_error

RESUME_LINE = "Led the migration of 40 services to EKS; contact jane@example.com"


@pytest.mark.parametrize(("error", "expected"), [
    (KeyError("jane-doe"), "KeyError: '…'"),
    (RuntimeError("killed at ingest"), "RuntimeError: killed at ingest"),
    (ValueError('cannot parse "March 2019" in jane-doe.pdf'),
     "ValueError: cannot parse '…' in jane-doe.pdf"),
    (RuntimeError("mail jane@example.com or +44 20 7946 0958"),
     "RuntimeError: mail [EMAIL] or [PHONE]"),
    (RuntimeError("first line\n" + RESUME_LINE), "RuntimeError: first line"),
    (FileNotFoundError(2, "No such file or directory", "/srv/resumes/jane-doe.pdf"),
     "FileNotFoundError: No such file or directory"),
    (IntegrityError("INSERT INTO resumes (text) VALUES (?)", (RESUME_LINE,),
                    Exception("UNIQUE constraint failed: resumes.candidate_id")),
     "sqlalchemy.exc.IntegrityError: Exception: UNIQUE constraint failed: "
     "resumes.candidate_id"),
    (KeyboardInterrupt(), "KeyboardInterrupt"),
])
def test_runs_describe_error_keeps_class_and_redacted_first_line(error: BaseException,
                                                                 expected: str) -> None:
    assert describe_error(error) == expected


def test_runs_describe_error_is_bounded() -> None:
    text = describe_error(RuntimeError("x" * 10_000))
    assert len(text) == MAX_ERROR_CHARS and text.endswith("…")
