"""Verifying the audit log: the keyed chain, its anchors, and rows that are not what was written.

In: an engine and the secret key. Out: a :class:`~pipeline.audit.log.ChainReport` with every
problem found, each naming the entry (or table) it is about; a damaged row is a problem, never a
traceback. The checks:

- each entry follows the one before (``seq`` without gaps, ``prev_hash`` = the previous
  ``entry_hash``) and its ``entry_hash`` is the HMAC of its contents under the key (revision
  0005 re-keyed the entries written before, after checking their plain SHA-256 chain);
- every run that anchored the head it left (``runs.audit_head``/``audit_seq``, revision 0005)
  finds that entry, with that hash, and every erasure its entry (``tombstones.audit_seq``):
  cutting off the newest entries, or emptying the log, shows;
- tombstones with no erasure entry at all mean erasure entries were removed.

A missing ``audit_log`` table raises :class:`~pipeline.errors.StoreError` naming it.
"""

from __future__ import annotations

import hmac
import json
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from pipeline.audit.log import GENESIS, ChainReport, entry_hash
from pipeline.errors import StoreError
from pipeline.store.models import RunRow, TombstoneRow

__all__ = ["verify_chain"]

_COLUMNS = "seq, at, action, actor, details, prev_hash, entry_hash"


def verify_chain(engine: Engine, key: bytes) -> ChainReport:
    """Recompute the chain under ``key`` and check every anchor; see the module docstring."""
    rows = _rows(engine)
    problems: list[str] = []
    hashes: dict[int, str] = {}
    prev, expected = GENESIS, 1
    erasures = 0
    for raw in rows:
        seq, at, action, actor, details, prev_hash, digest = raw
        label = f"entry {seq} ({action})"
        if not isinstance(seq, int):
            problems.append(f"entry with seq {seq!r}: seq is not an integer (malformed row)")
            continue
        if seq != expected:
            problems.append(f"entries {expected}–{seq - 1} are missing")
        if prev_hash != prev:
            problems.append(f"{label}: does not follow the entry before it (an entry was "
                            "removed, inserted or re-hashed)")
        parsed = _parse(at, details)
        if isinstance(parsed, str):
            problems.append(f"{label}: {parsed} (malformed row)")
        else:
            moment, body = parsed
            fields = (str(prev_hash), seq, moment, str(action), str(actor), body)
            if not hmac.compare_digest(entry_hash(*fields, key=key), str(digest)):
                problems.append(f"{label}: its contents do not match its hash (edited, "
                                "re-chained without the key, or written under another key)")
        erasures += action == "erase"
        hashes[seq] = str(digest)
        prev, expected = str(digest), seq + 1
    problems += _anchor_problems(engine, hashes, erasures)
    return ChainReport(len(rows), prev, tuple(problems))


def _rows(engine: Engine) -> list[tuple[Any, ...]]:
    """Every audit row as stored (no type conversion: a garbage value must not raise here)."""
    try:
        with engine.connect() as connection:
            return [tuple(r) for r in connection.exec_driver_sql(
                f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")]
    except SQLAlchemyError as err:
        cause = getattr(err, "orig", None) or err
        first = (str(cause).splitlines() or [""])[0]
        raise StoreError(f"cannot read the audit_log table ({type(cause).__name__}: {first}); "
                         "was it dropped? Restore it from a backup: the chain cannot be "
                         "verified without it") from err


def _parse(at: Any, details: Any) -> tuple[datetime, Any] | str:
    """(timestamp, details) of a stored row, or what is wrong with it."""
    if isinstance(at, str):
        try:
            at = datetime.fromisoformat(at)
        except ValueError:
            return f"'at' is not a timestamp ({at[:40]!r})"
    if not isinstance(at, datetime):
        return f"'at' is not a timestamp ({at!r})"
    try:
        return at, json.loads(details)
    except (TypeError, json.JSONDecodeError):
        return "'details' is not JSON"


def _anchor_problems(engine: Engine, hashes: dict[int, str], erasures: int) -> list[str]:
    problems: list[str] = []
    try:
        with engine.connect() as connection:
            anchors = connection.execute(
                select(RunRow.run_id, RunRow.audit_seq, RunRow.audit_head)
                .where(RunRow.audit_seq.is_not(None)).order_by(RunRow.audit_seq)).all()
            tombstones = connection.execute(
                select(func.count()).select_from(TombstoneRow)).scalar_one()
            erased = connection.execute(
                select(TombstoneRow.audit_seq).where(TombstoneRow.audit_seq.is_not(None))
                .order_by(TombstoneRow.audit_seq)).scalars().all()
    except SQLAlchemyError as err:
        cause = getattr(err, "orig", None) or err
        return [f"cannot read the runs or tombstones table to check the anchors ({cause})"]
    last = max(hashes, default=0)
    for run_id, seq, head in anchors:
        if seq not in hashes:
            problems.append(f"run {run_id} anchored entry {seq}, which is missing (the log "
                            f"ends at entry {last}: its newest entries were removed)")
        elif hashes[seq] != head:
            problems.append(f"run {run_id} anchored entry {seq} with another hash (the entry "
                            "was replaced)")
    for seq in erased:
        if seq not in hashes:
            problems.append(f"an erasure anchored entry {seq}, which is missing (the log ends "
                            f"at entry {last}: its newest entries were removed)")
    if tombstones and not erasures:
        problems.append(f"{tombstones} tombstone(s) but no erase entry (erasure entries were "
                        "removed)")
    return problems
