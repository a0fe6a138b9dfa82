"""What a run did, and how it is recorded: its row in the runs table and its audit entries.

:func:`recorded` wraps a run's body: it starts the run's row, and if the body raises, it ends
the run as ``failed`` with the error (:func:`describe_error`: the class and a redacted first
line of the message, never resume text) and appends a ``run`` audit entry saying so, then
re-raises. A run that ends normally records its counts and exports itself (a nightly run with
:func:`finish_nightly`). The summaries the flows return (:class:`RunSummary`,
:class:`NightlySummary`) are here too. No Prefect here: the flows call these around their
tasks.
"""

from __future__ import annotations

import logging
import re
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError, StatementError

from pipeline import __version__
from pipeline.audit import log as audit_log
from pipeline.ingest.pii import redact
from pipeline.runs import liveness
from pipeline.store import db as store_stage
from pipeline.store import runlock

if TYPE_CHECKING:
    from pipeline.config import NightlySettings
    from pipeline.runs.nightly import Staged
    from pipeline.runs.nightly_export import RubricOutcome

log = logging.getLogger(__name__)

#: The longest error text stored for a failed run.
MAX_ERROR_CHARS = 300
# Where Python and the database drivers put data in a message: keys, file names, literals.
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")


@dataclass(frozen=True)
class RunSummary:
    """What one scoring run did: every input is scored, quarantined, or skipped as erased."""

    run_id: str
    inputs: int
    scored: int
    quarantined: int
    shortlist: Path
    quarantine_file: Path
    rubric: str
    rubric_version: str
    top: tuple[tuple[str, float], ...] = field(default=())
    erased_skipped: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    #: Resumes extracted by this run (0 when the folder is unchanged since the last run).
    extracted: int = 0
    #: PII kind → how many values the guard replaced in this run's new and changed resumes.
    redactions: dict[str, int] = field(default_factory=dict)
    #: Quarantined because a stage raised on them (``*_failed``: a library or a bug of ours).
    failed: int = 0

    @property
    def accounted(self) -> bool:
        return self.scored + self.quarantined + self.erased_skipped == self.inputs


@dataclass(frozen=True)
class NightlySummary:
    """What one nightly run did; ``partial`` when some input was quarantined."""

    run_id: str
    staged: Staged
    extracted: int
    rubrics: tuple[RubricOutcome, ...]
    purged: dict[str, int]
    status: str

    @property
    def partial(self) -> bool:
        return self.status == "partial"


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
    if not message.strip() and isinstance(getattr(err, "signal", None), int):
        message = _signal_name(err.signal)  # type: ignore[attr-defined]  # Prefect's
    lines = message.strip().splitlines()
    first = _QUOTED.sub("'…'", lines[0] if lines else "")
    text = f"{name}: {redact(first).text}" if first else name
    return text if len(text) <= MAX_ERROR_CHARS else text[:MAX_ERROR_CHARS - 1] + "…"


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@contextmanager
def recorded(engine: Engine, run_id: str, *, actor: str, kind: str, source: str, rubric: str,
             rubric_version: str, extractor_version: str, started_at: datetime,
             age_limit: timedelta = liveness.DEFAULT_AGE_LIMIT) -> Iterator[None]:
    """Start run ``run_id``'s row; if the body raises, end it as failed and re-raise.

    First, runs whose process died are marked ``abandoned`` (:func:`pipeline.runs.liveness.reap`);
    then this run takes its liveness lock (``run:<id>``, expiring after ``age_limit``) and
    holds it until the body is done, so that a later run can tell if this one dies.
    The failure is recorded as status ``failed`` with :func:`describe_error` in the runs
    table and in a ``run`` audit entry (no export entry). Should recording fail too (the
    database is gone), that is logged and the body's error is the one raised.
    """
    liveness.reap(engine, actor=actor, age_limit=age_limit)
    lock, owner = liveness.lock_name(run_id), runlock.owner_id(run_id)
    runlock.acquire(engine, lock, owner, age_limit)
    try:
        with _recording(engine, run_id, actor=actor, kind=kind, source=source, rubric=rubric,
                        rubric_version=rubric_version, extractor_version=extractor_version,
                        started_at=started_at):
            yield
    finally:
        try:
            runlock.release(engine, lock, owner)
        except SQLAlchemyError as err:  # the run's own outcome is already recorded
            log.error("run %s: could not release its liveness lock: %s", run_id,
                      describe_error(err))


@contextmanager
def _recording(engine: Engine, run_id: str, *, actor: str, kind: str, source: str,
               rubric: str, rubric_version: str, extractor_version: str,
               started_at: datetime) -> Iterator[None]:
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


def finish_score(engine: Engine, summary: RunSummary, *, actor: str, started: datetime,
                 source: str, extractor: str, input_hashes: list[str]) -> None:
    """Record a scoring run that ended normally: ``complete`` when every input is accounted
    for (``partial`` when a stage failed on some input, ``inconsistent`` when not all are
    accounted for), its counts and shortlist in the runs table, and its ``run`` and
    ``export`` audit entries."""
    status = ("inconsistent" if not summary.accounted
              else "partial" if summary.failed else "complete")
    finished = datetime.now(UTC)
    store_stage.finish_run(engine, summary.run_id, inputs=summary.inputs, scored=summary.scored,
                           quarantined=summary.quarantined,
                           erased_skipped=summary.erased_skipped,
                           shortlist_path=str(summary.shortlist.resolve()),
                           finished_at=finished, status=status, new=summary.new,
                           changed=summary.changed, unchanged=summary.unchanged,
                           redactions=summary.redactions)
    audit_log.record_run(
        engine, actor=actor, now=finished, run_id=summary.run_id, started_at=started,
        source=source, rubric=summary.rubric, rubric_version=summary.rubric_version,
        extractor_version=extractor, code_version=__version__, input_hashes=input_hashes,
        counts={"inputs": summary.inputs, "scored": summary.scored,
                "quarantined": summary.quarantined, "erased_skipped": summary.erased_skipped,
                "new": summary.new, "changed": summary.changed, "unchanged": summary.unchanged,
                "extracted": summary.extracted},
        status=status, exports=[summary.shortlist.resolve(), summary.quarantine_file.resolve()])


def finish_nightly(engine: Engine, summary: NightlySummary, actor: str, started: datetime,
                   extractor: str, as_of: date) -> None:
    """Record a nightly run that ended normally: its counts, versions and every file written
    in the runs table, and its ``run`` and ``export`` audit entries."""
    staged = summary.staged
    finished = datetime.now(UTC)
    exports = {p: h for o in summary.rubrics for p, h in o.files.items()}
    store_stage.finish_run(
        engine, summary.run_id, inputs=staged.inputs,
        scored=max((o.scored for o in summary.rubrics), default=0),
        quarantined=len(staged.quarantined), erased_skipped=staged.erased_skipped,
        shortlist_path=None, finished_at=finished, status=summary.status,
        new=staged.new, changed=staged.changed, unchanged=staged.unchanged,
        redactions=staged.redactions,
        rubrics={o.rubric: o.rubric_version for o in summary.rubrics}, exports=exports,
        as_of=as_of)
    audit_log.record_run(
        engine, actor=actor, now=finished, run_id=summary.run_id, started_at=started,
        source="nightly", rubric=",".join(o.rubric for o in summary.rubrics),
        rubric_version=",".join(o.rubric_version for o in summary.rubrics),
        extractor_version=extractor, code_version=__version__,
        input_hashes=list(staged.input_hashes),
        counts={"inputs": staged.inputs, "new": staged.new, "changed": staged.changed,
                "unchanged": staged.unchanged, "quarantined": len(staged.quarantined),
                "erased_skipped": staged.erased_skipped, "extracted": summary.extracted},
        status=summary.status, exports=[Path(p) for p in exports])


def describe_sources(settings: NightlySettings) -> str:
    """The configured sources as the runs table's ``source``: ``folder:/srv/resumes, s3:bucket``."""
    return ", ".join(f"{s.kind}:{getattr(s, 'path', None) or getattr(s, 'bucket', '')}"
                     for s in settings.resolved_sources())
