"""Audit log: a keyed hash chain recording every run, export, erasure and purge.

Each entry says what happened (``action``), who or what started it (``actor``: an OS user, or
``--actor`` for a scheduler), when, and details that identify what went in and came out by
hash: the inputs' content hashes, the rubric and extractor versions, the SHA-256 of every
exported file, the rows an erasure or a purge removed. It never holds resume text, and never a
candidate id in clear: an erased candidate appears only as the keyed hash of the tombstone.

Entries are chained with HMAC-SHA256 under trajectory's secret key (``pipeline.config``)::

    entry_hash = HMAC(key, prev_hash + canonical JSON of {seq, at, action, actor, details})

with ``prev_hash`` of the first entry 64 zeros. Editing an entry changes its hash, and without
the key nobody can compute the hashes of a re-chained log; deleting one breaks the next entry's
``prev_hash`` and leaves a gap in ``seq``. Removing the newest entries (or all of them) shows
against the anchors: each run records the head it left (``runs.audit_head``/``audit_seq``), and
:func:`pipeline.audit.verify.verify_chain` checks every anchor. Entries written before the
chain was keyed (plain SHA-256) were re-keyed by revision 0005 if their chain was intact.
Appending locks the log (a PostgreSQL advisory lock, SQLite's write lock) so concurrent
writers extend one chain; ``prev_hash`` is unique as a last line of defence.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import json
import socket
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.config import secret_key
from pipeline.hashing import file_sha256
from pipeline.store.models import AuditRow, RunRow

ACTIONS: tuple[str, ...] = ("run", "export", "erase", "purge")
GENESIS = "0" * 64
_PG_LOCK_KEY = 0x61756474  # "audt": arbitrary, fixed


@dataclass(frozen=True)
class AuditEntry:
    """One entry of the chain, as stored."""

    seq: int
    at: datetime
    action: str
    actor: str
    details: dict[str, Any]
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class ChainReport:
    """What ``verify`` found: the number of entries, the head hash, and every break."""

    entries: int
    head: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


def default_actor() -> str:
    """``user@host`` of the process, for entries that no ``--actor`` names."""
    try:
        user = getpass.getuser()
    except (OSError, KeyError):  # no login name and no passwd entry (some containers)
        user = "unknown"
    return f"{user}@{socket.gethostname()}"


def canonical_json(value: Any) -> str:
    """Sorted keys, no spaces, UTF-8 kept: the same value always gives the same text."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False)


def entry_hash(prev_hash: str, seq: int, at: datetime, action: str, actor: str,
               details: dict[str, Any], key: bytes | None = None) -> str:
    """The hash of one entry, covering the previous entry's hash: HMAC-SHA256 under ``key``,
    or (``key`` None) the plain SHA-256 that entries had before revision 0005 keyed them."""
    body = canonical_json({"seq": seq, "at": stamp(at), "action": action, "actor": actor,
                           "details": details})
    message = (prev_hash + body).encode("utf-8")
    if key is None:
        return hashlib.sha256(message).hexdigest()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def append_in(session: Session, action: str, actor: str, details: dict[str, Any],
              now: datetime, key: bytes | None = None) -> AuditEntry:
    """Append an entry inside the caller's transaction (so the action and its entry commit
    together), chained under ``key`` (default: the configured secret key). ``details`` must be
    JSON values and hold no personal data."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; expected one of {ACTIONS}")
    _lock(session)
    head = session.execute(
        select(AuditRow.seq, AuditRow.entry_hash).order_by(AuditRow.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq + 1, head.entry_hash) if head else (1, GENESIS)
    details = json.loads(canonical_json(details))  # exactly what is stored and re-hashed
    digest = entry_hash(prev, seq, now, action, actor, details, key or secret_key())
    session.add(AuditRow(seq=seq, at=now, action=action, actor=actor,
                         details=canonical_json(details), prev_hash=prev, entry_hash=digest))
    session.flush()
    return AuditEntry(seq, now, action, actor, details, prev, digest)


def append(engine: Engine, action: str, actor: str, details: dict[str, Any],
           now: datetime, key: bytes | None = None) -> AuditEntry:
    """Append an entry in a transaction of its own."""
    with Session(engine) as session, session.begin():
        return append_in(session, action, actor, details, now, key)


def entries(engine: Engine) -> list[AuditEntry]:
    """Every entry, oldest first."""
    with Session(engine) as session:
        return [AuditEntry(r.seq, r.at, r.action, r.actor, json.loads(r.details), r.prev_hash,
                           r.entry_hash)
                for r in session.scalars(select(AuditRow).order_by(AuditRow.seq))]


def verify(engine: Engine, key: bytes | None = None) -> ChainReport:
    """Recompute the chain and check its anchors (see :mod:`pipeline.audit.verify`)."""
    from pipeline.audit.verify import verify_chain

    return verify_chain(engine, key or secret_key())


def stamp(at: datetime) -> str:
    """UTC, microseconds, ``Z``: the same text whichever backend returned the datetime
    (SQLite gives it back naive, PostgreSQL in the session's time zone)."""
    at = at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _lock(session: Session) -> None:
    """Serialise appenders until the caller's transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_LOCK_KEY})
    else:
        # A write that changes nothing still takes SQLite's write lock, before the head is read.
        session.execute(update(AuditRow).where(AuditRow.seq < 0).values(seq=AuditRow.seq))


def record_run(engine: Engine, *, actor: str, now: datetime, run_id: str, started_at: datetime,
               source: str, rubric: str, rubric_version: str, extractor_version: str,
               code_version: str, input_hashes: list[str], counts: dict[str, int], status: str,
               exports: list[Path] | None, error: str | None = None) -> None:
    """Append a run's entry and its export's entry, together, and anchor the new head in the
    run's row (``runs.audit_head``/``audit_seq``).

    A failed run passes ``exports=None`` (no export entry) and its ``error`` (class and
    redacted message, see ``pipeline.runs.history.describe_error``).
    """
    with Session(engine) as session, session.begin():
        head = append_in(session, "run", actor, {
            "run_id": run_id, "started_at": stamp(started_at), "source": source,
            "rubric": rubric, "rubric_version": rubric_version,
            "extractor_version": extractor_version, "code_version": code_version,
            "input_hashes": sorted(input_hashes), **counts, "status": status,
            **({"error": error} if error is not None else {}),
        }, now)
        if exports is not None:
            head = append_in(session, "export", actor, {
                "run_id": run_id,
                "files": [{"path": str(p), "sha256": file_sha256(p)} for p in exports],
            }, now)
        # The anchor: cutting this entry off (or emptying the log) now shows in verify.
        session.execute(update(RunRow).where(RunRow.run_id == run_id)
                        .values(audit_head=head.entry_hash, audit_seq=head.seq))
