"""Runs whose process died are ``abandoned``, never ``running`` for ever.

A run holds the lock ``run:<run_id>`` (:mod:`pipeline.store.runlock`) from before its row is
written until after it is finished; the lock's owner is ``host:pid:run`` and it expires after
the age limit (:data:`DEFAULT_AGE_LIMIT`, the ``limits.run_age_limit_hours`` setting).
:func:`reap` — called when a run starts and by ``trajectory runs`` — marks ``abandoned``
every ``running`` run whose process is gone:

- its lock's owner is a process on this host that no longer exists (killed, crashed);
- its lock has expired (a run on another host is only judged by its age);
- it holds no lock at all and started longer ago than the age limit (a run recorded before
  runs held locks).

Each gets ``finished_at``, the error ``abandoned: …`` saying which, and a ``run`` audit entry
with status ``abandoned``; its lock row is removed.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline import __version__
from pipeline.audit import log as audit_log
from pipeline.store import runlock
from pipeline.store.models import RunLockRow, RunRow

__all__ = ["DEFAULT_AGE_LIMIT", "lock_name", "reap"]

log = logging.getLogger(__name__)

#: How long a run may hold its lock before another process may call it abandoned.
DEFAULT_AGE_LIMIT = timedelta(hours=24)


def lock_name(run_id: str) -> str:
    """The name of the lock a run holds while it is alive."""
    return f"run:{run_id[:32]}"


def _why_dead(row: RunRow, lock: RunLockRow | None, now: datetime,
              age_limit: timedelta) -> str | None:
    if lock is None:
        if runlock.aware(row.started_at) + age_limit < now:
            return f"no live process, started over {age_limit} ago"
        return None
    if runlock.dead_here(lock.owner):
        return f"its process ({lock.owner.rsplit(':', 1)[0]}) is gone"
    if runlock.aware(lock.expires_at) < now:
        return f"no sign of life since {runlock.aware(lock.expires_at).isoformat()} (age limit)"
    return None


def reap(engine: Engine, *, actor: str, now: datetime | None = None,
         age_limit: timedelta = DEFAULT_AGE_LIMIT) -> list[str]:
    """Mark every dead ``running`` run ``abandoned`` (see the module docstring); returns their
    ids. Each is updated only if it is still ``running``, so two reapers agree."""
    now = now or datetime.now(UTC)
    with Session(engine) as session:
        running = session.scalars(select(RunRow).where(RunRow.status == "running")).all()
        locks = {row.name: row for row in session.scalars(
            select(RunLockRow).where(RunLockRow.name.like("run:%")))}
        dead = [(row, why) for row in running
                if (why := _why_dead(row, locks.get(lock_name(row.run_id)), now, age_limit))]
        session.expunge_all()
    reaped: list[str] = []
    for row, why in dead:
        error = f"abandoned: {why}"
        with Session(engine) as session, session.begin():
            updated = session.execute(
                update(RunRow)
                .where(RunRow.run_id == row.run_id, RunRow.status == "running")
                .values(status="abandoned", finished_at=now, error=error))
            session.execute(delete(RunLockRow).where(RunLockRow.name == lock_name(row.run_id)))
        if not updated.rowcount:  # type: ignore[attr-defined]  # another reaper was first
            continue
        audit_log.record_run(
            engine, actor=actor, now=now, run_id=row.run_id, started_at=row.started_at,
            source=row.source, rubric=row.rubric, rubric_version=row.rubric_version,
            extractor_version=row.extractor_version, code_version=__version__,
            input_hashes=[], counts={}, status="abandoned", exports=None, error=error)
        log.warning("run %s marked abandoned: %s", row.run_id, why)
        reaped.append(row.run_id)
    return reaped
