"""Audit log: entries chain; editing, re-hashing or deleting one breaks the chain."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from pipeline.audit.log import GENESIS, append, entries, entry_hash, verify

TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))
NOW = datetime(2026, 11, 27, 9, 30, 0, 123456, tzinfo=UTC)


def _three(engine) -> None:
    append(engine, "run", "alice@host", {"run_id": "r1", "input_hashes": ["a" * 64]}, NOW)
    append(engine, "export", "alice@host", {"run_id": "r1", "files": []},
           NOW + timedelta(seconds=1))
    append(engine, "purge", "cron", {"removed": {"scores": 2}}, NOW + timedelta(seconds=2))


def test_audit_log_entries_chain_and_verify(engine) -> None:
    _three(engine)
    stored = entries(engine)
    assert [e.seq for e in stored] == [1, 2, 3]
    assert stored[0].prev_hash == GENESIS
    assert [e.prev_hash for e in stored[1:]] == [e.entry_hash for e in stored[:-1]]
    assert stored[0].entry_hash == entry_hash(GENESIS, 1, NOW, "run", "alice@host",
                                              {"run_id": "r1", "input_hashes": ["a" * 64]})
    report = verify(engine)
    assert report.ok and report.entries == 3 and report.head == stored[-1].entry_hash


def test_audit_log_empty_chain_is_intact(engine) -> None:
    report = verify(engine)
    assert report.ok and report.entries == 0 and report.head == GENESIS


def _rehash(connection, seq: int) -> None:
    """Recompute one entry's hash after editing it, as a careful forger would."""
    row = connection.execute(text("SELECT * FROM audit_log WHERE seq = :s"), {"s": seq}).one()
    at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
    digest = entry_hash(row.prev_hash, row.seq, at, row.action, row.actor,
                        json.loads(row.details))
    connection.execute(text("UPDATE audit_log SET entry_hash = :h WHERE seq = :s"),
                       {"h": digest, "s": seq})


@pytest.mark.parametrize("statement, rehash, expected", [
    ("UPDATE audit_log SET details = :forged WHERE seq = 3", None,
     "entry 3 (purge): its contents do not match its hash"),
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1", None,
     "entry 1 (run): its contents do not match its hash"),
    ("DELETE FROM audit_log WHERE seq = 2", None, "entries 2–2 are missing"),
    ("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2", 2,
     "entry 3 (purge): does not follow the entry before it"),
], ids=["edit-details", "edit-actor", "delete", "edit-and-rehash"])
def test_audit_log_tampering_breaks_the_chain(engine, statement: str, rehash: int | None,
                                              expected: str) -> None:
    _three(engine)
    with engine.begin() as connection:
        params = {"forged": '{"removed":{"scores":0}}'} if ":forged" in statement else {}
        connection.execute(text(statement), params)
        if rehash:
            _rehash(connection, rehash)
    report = verify(engine)
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems


def test_audit_log_unknown_action_is_refused(engine) -> None:
    with pytest.raises(ValueError, match="unknown audit action 'delete'"):
        append(engine, "delete", "x", {}, NOW)


def test_audit_log_cli_verify_exit_codes(engine, database_url: str, tmp_path: Path) -> None:
    _three(engine)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env["TRAJECTORY_DATA_DIR"] = str(tmp_path / "data")
    args = [TRAJECTORY, "audit", "verify", "--database", database_url]
    intact = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert intact.returncode == 0, intact.stderr
    assert "intact: 3 entries" in intact.stdout
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    broken = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert broken.returncode == 1
    assert "entry 2 (export)" in broken.stderr and "BROKEN" in broken.stdout
