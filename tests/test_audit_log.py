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
from pipeline.config import secret_key

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
                                              {"run_id": "r1", "input_hashes": ["a" * 64]},
                                              secret_key())
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
    env["TRAJECTORY_DATA_DIR"] = os.environ["TRAJECTORY_DATA_DIR"]  # the key the log is under
    args = [TRAJECTORY, "audit", "verify", "--database", database_url]
    intact = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert intact.returncode == 0, intact.stderr
    assert "intact: 3 entries" in intact.stdout
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2"))
    broken = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    assert broken.returncode == 1
    assert "entry 2 (export)" in broken.stderr and "BROKEN" in broken.stdout


# --- a log you can trust (issue 16): keyed, anchored, and damage reported, never raised ------


def _run(engine, run_id: str, at: datetime) -> None:
    """A run as the runs record it: its row, then its run and export entries and anchor."""
    from pipeline.audit.log import record_run
    from pipeline.store.db import start_run

    start_run(engine, run_id, source="s", rubric="r", rubric_version="1",
              extractor_version="e", started_at=at)
    record_run(engine, actor="cron", now=at, run_id=run_id, started_at=at, source="s",
               rubric="r", rubric_version="1", extractor_version="e", code_version="c",
               input_hashes=[], counts={"inputs": 0}, status="complete", exports=[])


def _two_runs(engine) -> None:
    _run(engine, "r1", NOW)
    _run(engine, "r2", NOW + timedelta(minutes=1))


@pytest.mark.parametrize("statement, expected", [
    ("DELETE FROM audit_log", "run r1 anchored entry 2, which is missing"),
    ("DELETE FROM audit_log WHERE seq > 2", "run r2 anchored entry 4, which is missing"),
    ("DELETE FROM audit_log WHERE seq = 4", "run r2 anchored entry 4, which is missing"),
], ids=["emptied", "newest-two-cut", "newest-cut"])
def test_audit_log_emptying_or_cutting_the_newest_entries_shows(engine, statement: str,
                                                                 expected: str) -> None:
    _two_runs(engine)
    assert verify(engine).ok and verify(engine).entries == 4
    with engine.begin() as connection:
        connection.execute(text(statement))
    report = verify(engine)
    assert not report.ok
    assert any(expected in problem for problem in report.problems), report.problems


def test_audit_log_cutting_the_newest_erasure_entry_shows(engine) -> None:
    from pipeline.privacy.erase import erase_candidate

    _run(engine, "r1", NOW)
    erase_candidate(engine, "c-17", key=secret_key(), actor="dpo", now=NOW)
    assert verify(engine).ok
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log WHERE action = 'erase'"))
    report = verify(engine)
    assert any("an erasure anchored entry 3, which is missing" in p for p in report.problems), (
        report.problems)


def test_audit_log_emptied_with_tombstones_shows(engine) -> None:
    from pipeline.privacy.erase import erase_candidate

    erase_candidate(engine, "c-17", key=secret_key(), actor="dpo", now=NOW)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_log"))
    report = verify(engine)
    assert not report.ok
    assert any("tombstone(s) but no erase entry" in p for p in report.problems)


def test_audit_log_rechained_without_the_key_is_broken(engine) -> None:
    """A forger edits an entry and recomputes every hash after it, as the unkeyed chain
    allowed: without the key the new hashes are not the HMACs verify expects."""
    _three(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
        prev = GENESIS
        for row in connection.execute(text("SELECT * FROM audit_log ORDER BY seq")).all():
            at = row.at if isinstance(row.at, datetime) else datetime.fromisoformat(row.at)
            digest = entry_hash(prev, row.seq, at, row.action, row.actor,
                                json.loads(row.details))
            connection.execute(text("UPDATE audit_log SET prev_hash = :p, entry_hash = :h "
                                    "WHERE seq = :s"), {"p": prev, "h": digest, "s": row.seq})
            prev = digest
    report = verify(engine)
    assert len(report.problems) == 3
    assert all("do not match its hash" in problem for problem in report.problems)


def test_audit_log_malformed_rows_are_problems_naming_the_entry(engine) -> None:
    _three(engine)
    if engine.dialect.name == "sqlite":  # PostgreSQL's types refuse such values on write
        with engine.begin() as connection:
            connection.execute(text("UPDATE audit_log SET at = 'yesterday-ish' WHERE seq = 2"))
            connection.execute(text("UPDATE audit_log SET details = '{not json' WHERE seq = 3"))
        report = verify(engine)
        assert any("entry 2 (export): 'at' is not a timestamp" in p for p in report.problems)
        assert any("entry 3 (purge): 'details' is not JSON" in p for p in report.problems)


def test_audit_log_cli_verify_names_a_dropped_table_without_a_traceback(
        engine, database_url: str) -> None:
    _three(engine)
    with engine.begin() as connection:
        connection.execute(text("DROP TABLE audit_log"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    done = subprocess.run([TRAJECTORY, "audit", "verify", "--database", database_url],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode != 0
    assert "audit_log table" in done.stderr and "Traceback" not in done.stderr + done.stdout


def test_audit_log_migration_rekeys_an_intact_legacy_chain(tmp_path: Path) -> None:
    """A database at revision 0004 holds entries chained with plain SHA-256; upgrading to 0005
    re-keys them (their chain verified first), so verify passes under the key."""
    from pipeline.store.db import engine_for
    from pipeline.store.migrations import upgrade

    engine = engine_for(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        upgrade(engine, "0004")
        prev = GENESIS
        with engine.begin() as connection:
            for seq in (1, 2):
                at = NOW + timedelta(seconds=seq)
                digest = entry_hash(prev, seq, at, "purge", "cron", {"n": seq})
                connection.execute(text(
                    "INSERT INTO audit_log (seq, at, action, actor, details, prev_hash, "
                    "entry_hash) VALUES (:s, :at, 'purge', 'cron', :d, :p, :h)"),
                    {"s": seq, "at": at, "d": json.dumps({"n": seq}), "p": prev, "h": digest})
                prev = digest
        upgrade(engine)
        report = verify(engine)
        assert report.ok and report.entries == 2, report.problems
    finally:
        engine.dispose()
