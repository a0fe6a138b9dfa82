"""How a run is recorded when it fails: its row in the runs table and its audit entry.

:func:`recorded` wraps a run's body: it starts the run's row, and if the body raises, it ends
the run as ``failed`` with the error (:func:`describe_error`: the class and a redacted first
line of the message, never resume text) and appends a ``run`` audit entry saying so, then
re-raises. A run that ends normally records itself (its counts and exports are its own).
No Prefect here: the flows call it around their tasks.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError, StatementError

from pipeline import __version__, audit_log
from pipeline import store as store_stage
from pipeline.pii import redact

log = logging.getLogger(__name__)

#: The longest error text stored for a failed run.
MAX_ERROR_CHARS = 300
# Where Python and the database drivers put data in a message: keys, file names, literals.
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


def describe_error(err: BaseException) -> str:
    """``Class: message`` of an error, fit for the runs table and the audit log.

    Only the first line of the message is kept; quoted values (where Python and the drivers
    put data: dictionary keys, file names, literals) become ``'…'``; e-mail addresses, phone
    numbers and the other kinds the PII guard knows are redacted; a database error keeps the
    driver's message, never the SQL statement or its parameters; an ``OSError`` keeps its
    reason, not the file name. At most :data:`MAX_ERROR_CHARS` characters.

    >>> describe_error(KeyError("jane-doe"))
    "KeyError: '…'"
    >>> describe_error(RuntimeError("disk full writing 'jane.pdf' for jane@example.com"))
    "RuntimeError: disk full writing '…' for [EMAIL]"
    """
    kind = type(err)
    name = kind.__qualname__ if kind.__module__ == "builtins" else (
        f"{kind.__module__}.{kind.__qualname__}")
    if isinstance(err, StatementError) and err.orig is not None:
        message = f"{type(err.orig).__name__}: {err.orig}"
    elif isinstance(err, OSError) and err.strerror:
        message = err.strerror
    else:
        message = str(err)
    lines = message.strip().splitlines()
    first = _QUOTED.sub("'…'", lines[0] if lines else "")
    text = f"{name}: {redact(first).text}" if first else name
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 1] + "…"


@contextmanager
def recorded(engine: Engine, run_id: str, *, actor: str, kind: str, source: str, rubric: str,
             rubric_version: str, extractor_version: str,
             started_at: datetime) -> Iterator[None]:
    """Start run ``run_id``'s row; if the body raises, end it as failed and re-raise.

    The failure is recorded as status ``failed`` with :func:`describe_error` in the runs
    table and in a ``run`` audit entry (no export entry). Should recording fail too (the
    database is gone), that is logged and the body's error is the one raised.
    """
    store_stage.start_run(engine, run_id, source=source, rubric=rubric,
                          rubric_version=rubric_version, extractor_version=extractor_version,
                          started_at=started_at, kind=kind)
    try:
        yield
    except BaseException as err:
        error = describe_error(err)
        finished = datetime.now(UTC)
        try:
            store_stage.finish_run(engine, run_id, inputs=0, scored=0, quarantined=0,
                                   shortlist_path=None, finished_at=finished, status="failed",
                                   error=error)
            audit_log.record_run(
                engine, actor=actor, now=finished, run_id=run_id, started_at=started_at,
                source=source, rubric=rubric, rubric_version=rubric_version,
                extractor_version=extractor_version, code_version=__version__,
                input_hashes=[], counts={}, status="failed", exports=None, error=error)
        except (SQLAlchemyError, OSError) as record_err:
            log.error("run %s failed (%s) and could not be recorded as failed: %s", run_id,
                      error, describe_error(record_err))
        raise
