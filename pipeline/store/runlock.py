"""A named lock in the database, so two runs over one database cannot interleave.

One row per lock name in ``run_locks``: whoever inserts it holds the lock until it deletes it
or ``expires_at`` passes. Taking it is one transaction (delete the expired row, insert ours if
none, read who holds it), which works the same on SQLite (one writer at a time) and
PostgreSQL (the primary key makes a second insert wait, then do nothing). A holder on this
host whose process has died is taken over at once rather than after the timeout, so a run that
was killed can be re-run straight away.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.errors import TrajectoryError
from pipeline.store.db import upsert
from pipeline.store.models import RunLockRow


class RunLockedError(TrajectoryError):
    """Another run holds the lock."""


def owner_id(run_id: str) -> str:
    """``host:pid:run`` — enough to tell whether the holder is alive on this host."""
    return f"{socket.gethostname()[:32]}:{os.getpid()}:{run_id[:16]}"


def dead_here(owner: str) -> bool:
    """Whether ``owner`` (``host:pid:…``) names a process on this host that no longer exists."""
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname()[:32] or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def acquire(engine: Engine, name: str, owner: str, timeout: timedelta) -> None:
    """Take the lock ``name`` for ``owner`` or raise :class:`RunLockedError` naming the
    holder and when its claim expires."""
    now = datetime.now(UTC)
    with Session(engine) as session, session.begin():
        holder = session.get(RunLockRow, name)
        if holder is not None and (dead_here(holder.owner)
                                   or aware(holder.expires_at) < now):
            session.execute(delete(RunLockRow).where(RunLockRow.name == name,
                                                     RunLockRow.owner == holder.owner))
        upsert(session, RunLockRow, {"name": name, "owner": owner, "acquired_at": now,
                                     "expires_at": now + timeout}, keys=("name",))
        row = session.execute(select(RunLockRow.owner, RunLockRow.expires_at)
                              .where(RunLockRow.name == name)).one()
    if row.owner != owner:
        raise RunLockedError(f"another {name} run holds the lock ({row.owner}, until "
                             f"{aware(row.expires_at).isoformat()}); wait for it to finish")


def release(engine: Engine, name: str, owner: str) -> None:
    """Give the lock back (a no-op if ``owner`` no longer holds it)."""
    with Session(engine) as session, session.begin():
        session.execute(delete(RunLockRow).where(RunLockRow.name == name,
                                                 RunLockRow.owner == owner))


@contextmanager
def held(engine: Engine, name: str, owner: str, timeout: timedelta) -> Iterator[None]:
    """``acquire`` … ``release``, also when the body raises."""
    acquire(engine, name, owner, timeout)
    try:
        yield
    finally:
        release(engine, name, owner)


def aware(moment: datetime) -> datetime:
    """``moment`` with its zone: SQLite hands timestamps back naive; they were written in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
