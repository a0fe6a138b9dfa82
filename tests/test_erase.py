"""Erasure end to end: a candidate erased after a run is gone from every table and every
shortlist, stays gone when the nightly run sees their file again, and the audit log names no
one."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from sqlalchemy import event, func, inspect, select, text
from sqlalchemy.orm import Session

from pipeline.audit.log import entries, verify
from pipeline.errors import ConfigError
from pipeline.ingest.read import content_hash, normalise_text
from pipeline.privacy.erase import (
    erase_candidate,
    key_id,
    skip_erased,
    subject_hash,
    tombstone_check,
)
from pipeline.records import IngestResult, Quarantined, SourceDocument
from pipeline.runs.flows import score_batch
from pipeline.store.db import open_store
from pipeline.store.models import ResumeRow, TombstoneRow

from .conftest import AS_OF, RUBRICS, SAMPLE_PROFILES

GPA = RUBRICS / "global-principal-architect.yaml"
KEY = b"k" * 32
NOW = datetime(2026, 11, 27, tzinfo=UTC)
ERASED = "senior-dev-event-driven-payments"  # scored, near the top
QUARANTINED = "binary-blob"                  # quarantined: lives in the quarantine CSV
TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))


def _rows_mentioning(engine, candidate_id: str) -> dict[str, int]:
    """Rows of any table whose any text column contains the id."""
    found: dict[str, int] = {}
    with engine.connect() as connection:
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                if any(candidate_id in str(value) for value in row):
                    found[table] = found.get(table, 0) + 1
    return found


@pytest.fixture()
def source(tmp_path: Path) -> Path:
    folder = tmp_path / "resumes"
    shutil.copytree(SAMPLE_PROFILES, folder)
    return folder


def test_erase_removes_candidate_everywhere_and_the_next_run_skips_them(
        prefect_harness, source: Path, tmp_path: Path, database_url: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    out = tmp_path / "out" / "shortlist.csv"
    # One key for the whole test: tombstones and the keyed audit chain are both under it.
    monkeypatch.setenv("TRAJECTORY_SECRET_KEY", KEY.decode())
    first = score_batch(source, GPA, out, database_url, as_of=AS_OF, actor="nightly")
    before = pd.read_csv(out)
    quarantine_before = pd.read_csv(first.quarantine_file)
    assert ERASED in set(before["candidate_id"])
    assert QUARANTINED in set(quarantine_before["candidate_id"])
    case_text = (source / f"{ERASED}.md").read_text(encoding="utf-8")

    engine = open_store(database_url)
    try:
        reports = [erase_candidate(engine, c, key=KEY, actor="dpo", now=NOW)
                   for c in (ERASED, QUARANTINED)]
        assert reports[0].rows == {"scores": 1, "extractions": 1, "quarantine": 0,
                                   "resumes": 1}
        assert reports[1].rows["quarantine"] == 1
        assert reports[0].files == (out.resolve(),)
        assert reports[1].files == (first.quarantine_file.resolve(),)
        assert _rows_mentioning(engine, ERASED) == {}
        assert _rows_mentioning(engine, QUARANTINED) == {}

        # The shortlist lost exactly one row; the others are unchanged, ranks re-numbered.
        after = pd.read_csv(out)
        expected = before[before["candidate_id"] != ERASED].reset_index(drop=True)
        expected["rank"] = range(1, len(expected) + 1)
        pd.testing.assert_frame_equal(after, expected)
        assert list(pd.read_csv(first.quarantine_file)["candidate_id"]) == [
            c for c in quarantine_before["candidate_id"] if c != QUARANTINED]
        assert oct(out.stat().st_mode & 0o777) == oct(0o600), "permissions kept"

        # The nightly run sees the files again (and a renamed copy of the erased resume).
        (source / "renamed-copy.md").write_text(case_text, encoding="utf-8")
        second = score_batch(source, GPA, tmp_path / "again.csv", database_url, as_of=AS_OF)
        assert second.erased_skipped == 3
        assert second.scored + second.quarantined + second.erased_skipped == second.inputs
        assert second.inputs == first.inputs + 1 and second.accounted
        for csv_file in (tmp_path / "again.csv", second.quarantine_file):
            content = csv_file.read_text(encoding="utf-8")
            assert ERASED not in content and QUARANTINED not in content
            assert "renamed-copy" not in content
        assert _rows_mentioning(engine, ERASED) == {}
        assert _rows_mentioning(engine, QUARANTINED) == {}
        assert _rows_mentioning(engine, "renamed-copy") == {}

        # The audit log: every run, export and erasure, chained, naming no one.
        log = entries(engine)
        assert [e.action for e in log] == ["run", "export", "erase", "erase", "run", "export"]
        assert log[0].actor == "nightly" and log[2].actor == "dpo"
        assert log[2].details["subject"] == subject_hash(KEY, ERASED)
        assert log[4].details["erased_skipped"] == 3
        assert verify(engine).ok
        dumped = _rows_mentioning(engine, "Global Tables")  # a phrase from the erased resume
        assert "audit_log" not in dumped
        sentences = [line for line in case_text.splitlines() if len(line) > 40]
        assert not any(_rows_mentioning(engine, s[:40]).get("audit_log") for s in sentences)
    finally:
        engine.dispose()


def test_erase_again_is_idempotent_and_never_stores_the_id(engine) -> None:
    first = erase_candidate(engine, "nobody-yet", key=KEY, actor="dpo", now=NOW)
    again = erase_candidate(engine, "nobody-yet", key=KEY, actor="dpo", now=NOW)
    assert first.total_rows == 0 and not first.already_erased and again.already_erased
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(TombstoneRow)) == 1
        tomb = s.scalars(select(TombstoneRow)).one()
        assert tomb.subject == subject_hash(KEY, "nobody-yet") and tomb.key_id == key_id(KEY)
    assert _rows_mentioning(engine, "nobody-yet") == {}


def test_erase_tombstones_under_another_key_are_refused(engine) -> None:
    erase_candidate(engine, "c1", key=KEY, actor="dpo", now=NOW)
    with pytest.raises(ConfigError, match="different secret key"):
        tombstone_check(engine, lambda: b"x" * 32)
    with pytest.raises(ConfigError, match="different secret key"):
        erase_candidate(engine, "c2", key=b"x" * 32, actor="dpo", now=NOW)


def test_erase_without_tombstones_never_asks_for_the_key(engine) -> None:
    def no_key() -> bytes:
        raise AssertionError("the key was read")

    erased = tombstone_check(engine, no_key)
    assert not erased("anyone", "hash")


def test_erase_skip_erased_accounts_for_every_input() -> None:
    docs = tuple(SourceDocument(c, f"/in/{c}.txt", "t", f"h-{c}", "utf-8") for c in "abc")
    bad = (Quarantined("b", "/in/b.md", "duplicate candidate id"),
           Quarantined("z", "/in/z.pdf", "unsupported format (.pdf)"))
    kept, skipped = skip_erased(IngestResult(docs, bad), lambda c, _h: c == "b")
    assert [d.candidate_id for d in kept.documents] == ["a", "c"]
    assert [q.candidate_id for q in kept.quarantined] == ["z"]
    assert skipped == 2 and kept.inputs + skipped == 5


def test_erase_cli_prints_what_it_removed_and_creates_a_private_key(
        prefect_harness, database_url: str, tmp_path: Path) -> None:
    out = tmp_path / "s.csv"
    score_batch(SAMPLE_PROFILES, GPA, out, database_url, as_of=AS_OF)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env["TRAJECTORY_DATA_DIR"] = str(tmp_path / "data")
    result = subprocess.run([TRAJECTORY, "erase", ERASED, "--database", database_url,
                             "--actor", "dpo@example"], capture_output=True, text=True,
                            env=env, check=False)
    assert result.returncode == 0, result.stderr
    for expected in ("scores", "extractions", "resumes", "1 row", f"rewritten: {out.resolve()}"):
        assert expected in result.stdout, result.stdout
    key_file = tmp_path / "data" / "secret.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert ERASED not in out.read_text(encoding="utf-8")


# --- an erasure that commits while a run is under way wins over the run ----------------------


def test_erase_waits_for_a_store_transaction_that_checked_the_tombstones(engine) -> None:
    """The check a run makes in its store transaction holds until it commits: an erasure
    that starts meanwhile waits, then deletes what the transaction stored."""
    from concurrent.futures import ThreadPoolExecutor, wait

    from pipeline.store.db import upsert
    from pipeline.store.models import ResumeRow

    with ThreadPoolExecutor(max_workers=1) as pool:
        with Session(engine) as session, session.begin():
            assert not tombstone_check(session, lambda: KEY)(ERASED, "h")
            erasure = pool.submit(erase_candidate, engine, ERASED, key=KEY, actor="dpo",
                                  now=NOW)
            wait([erasure], timeout=1.5)
            assert not erasure.done(), "the erasure did not wait for the store transaction"
            upsert(session, ResumeRow, {
                "candidate_id": ERASED, "content_hash": "h", "source": "s",
                "encoding": "utf-8", "text": "t", "first_seen": NOW,
            }, keys=("candidate_id", "content_hash"))
        report = erasure.result(timeout=30)
    assert report.rows["resumes"] == 1
    assert _rows_mentioning(engine, ERASED) == {}
    assert tombstone_check(engine, lambda: KEY)(ERASED, "")


def _erasing(monkeypatch: pytest.MonkeyPatch, target: str, database_url: str,
             when: str) -> list[str]:
    """Replace ``target`` (``module.attr``) by a wrapper that erases ERASED and QUARANTINED
    with the real ``erase_candidate``, ``before`` or ``after`` the real call, once; returns the
    list the wrapper records its erasures in."""
    import importlib

    from pipeline.config import secret_key

    module_name, attr = target.rsplit(".", 1)
    module = importlib.import_module(module_name)
    real, done = getattr(module, attr), []

    def erase_now() -> None:
        if not done:
            engine = open_store(database_url)
            try:
                for candidate in (ERASED, QUARANTINED):
                    erase_candidate(engine, candidate, key=secret_key(), actor="dpo", now=NOW)
            finally:
                engine.dispose()
            done.append(target)

    def wrapper(*args, **kwargs):
        if when == "before":
            erase_now()
        result = real(*args, **kwargs)
        if when == "after":
            erase_now()
        return result

    monkeypatch.setattr(module, attr, wrapper)
    return done


def _assert_erased_everywhere(database_url: str, csv_files: list[Path]) -> None:
    """Neither erased candidate is in any table (their tombstones hold keyed hashes only) nor
    in any CSV the run wrote."""
    engine = open_store(database_url)
    try:
        assert _rows_mentioning(engine, ERASED) == {}
        assert _rows_mentioning(engine, QUARANTINED) == {}
        with Session(engine) as s:
            assert s.scalar(select(func.count()).select_from(TombstoneRow)) >= 2
    finally:
        engine.dispose()
    assert csv_files
    for csv_file in csv_files:
        content = csv_file.read_text(encoding="utf-8")
        assert ERASED not in content and QUARANTINED not in content, csv_file.name


@pytest.mark.parametrize(("target", "when"), [
    ("pipeline.runs.nightly.score_each", "before"),  # after ingestion, before the store
    ("pipeline.runs.nightly.score_rubric", "after"),     # after the store, before the export
], ids=["before-store", "before-export"])
def test_erase_during_score_batch_wins_over_the_run(
        prefect_harness, source: Path, tmp_path: Path, database_url: str, target: str,
        when: str, monkeypatch: pytest.MonkeyPatch) -> None:
    done = _erasing(monkeypatch, target, database_url, when)
    out = tmp_path / "out" / "shortlist.csv"
    summary = score_batch(source, GPA, out, database_url, as_of=AS_OF, actor="nightly")
    assert done, "the erasure ran during the run"

    _assert_erased_everywhere(database_url, sorted(out.parent.glob("*.csv")))
    files = [p for p in source.iterdir() if p.is_file()]
    assert summary.erased_skipped == 2 and summary.inputs == len(files) and summary.accounted
    shortlist = pd.read_csv(out)
    assert len(shortlist) == summary.scored
    assert list(shortlist["rank"]) == list(range(1, summary.scored + 1))
    assert len(pd.read_csv(summary.quarantine_file)) == summary.quarantined
    engine = open_store(database_url)
    try:
        run = [e for e in entries(engine) if e.action == "run"][-1].details
    finally:
        engine.dispose()
    assert run["status"] == "complete" and run["erased_skipped"] == 2
    erased_text = normalise_text((source / f"{ERASED}.md").read_text(encoding="utf-8"))
    assert len(run["input_hashes"]) == summary.scored  # the quarantined were never read
    assert content_hash(erased_text) not in run["input_hashes"]


@pytest.mark.parametrize(("target", "when"), [
    ("pipeline.runs.nightly.read_sources", "after"),  # sources read, before the versions stored
    ("pipeline.runs.nightly.extract_each", "before"),  # before the evidence is stored
    ("pipeline.runs.nightly.score_rubric", "before"),  # before the scores are stored
    ("pipeline.runs.nightly.score_rubric", "after"),   # scores stored, before the CSVs
], ids=["ingest", "extract", "score", "export"])
def test_erase_during_nightly_wins_over_the_run(
        prefect_harness, source: Path, tmp_path: Path, database_url: str, target: str,
        when: str, monkeypatch: pytest.MonkeyPatch) -> None:
    import yaml

    from pipeline.runs.flows import nightly
    from pipeline.store.models import RunRow

    out_dir = tmp_path / "shortlists"
    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"nightly": {
        "sources": [{"kind": "folder", "path": str(source)}], "rubrics": [str(GPA)],
        "out_dir": str(out_dir)}}), encoding="utf-8")
    done = _erasing(monkeypatch, target, database_url, when)
    summary = nightly(str(config), database_url, as_of=AS_OF)
    assert done, "the erasure ran during the run"

    written = sorted(out_dir.glob("*.csv"))
    assert {p.name for p in written} >= {"global-principal-architect.csv",
                                         "global-principal-architect.diff.csv",
                                         "global-principal-architect.quarantine.csv"}
    _assert_erased_everywhere(database_url, written)
    staged = summary.staged
    files = [p for p in source.iterdir() if p.is_file()]
    assert staged.inputs == len(files) and staged.erased_skipped == 2
    assert (staged.new + staged.changed + staged.unchanged + len(staged.quarantined)
            + staged.erased_skipped) == staged.inputs
    shortlist = pd.read_csv(out_dir / "global-principal-architect.csv")
    assert len(shortlist) == staged.new == summary.rubrics[0].scored
    assert list(shortlist["rank"]) == list(range(1, len(shortlist) + 1))
    engine = open_store(database_url)
    try:
        with Session(engine) as s:
            run = s.get(RunRow, summary.run_id)
            assert run is not None and run.status == "partial" and run.erased_skipped == 2
    finally:
        engine.dispose()


def _force_secure_delete_off(engine: Any, *, first: bool) -> None:
    """As a SQLite built with SQLite's own default (secure_delete off): ``first`` before
    trajectory's own connect hook runs, else after it (the control that grep can see)."""
    def _off(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA secure_delete=OFF")

    event.listen(engine, "connect", _off, insert=first)


@pytest.mark.parametrize("trajectory_sets_it", [True, False],
                         ids=["forced-off-then-trajectory", "forced-off-last-control"])
def test_erase_leaves_no_erased_text_in_the_sqlite_file(tmp_path: Path,
                                                         trajectory_sets_it: bool) -> None:
    """The erased resume's unique phrase is not in the database file's bytes afterwards, even
    on a SQLite whose default is secure_delete off; the control (forced off after trajectory's
    hook) shows the grep would see the phrase if it were left in free pages."""
    path = tmp_path / "erase.db"
    engine = open_store(f"sqlite:///{path}")
    engine.dispose()
    _force_secure_delete_off(engine, first=trajectory_sets_it)
    phrase = "quetzal-umbrella-" + "7" * 20
    text_ = (f"Led the {phrase} migration.\n" * 300)  # overflow pages of its own
    try:
        with Session(engine) as session, session.begin():
            session.add(ResumeRow(candidate_id="gone", content_hash="h" * 64, source="x",
                                  encoding="utf-8", text=text_, first_seen=NOW))
            session.add(ResumeRow(candidate_id="stays", content_hash="s" * 64, source="y",
                                  encoding="utf-8", text="Kept.", first_seen=NOW))
        erase_candidate(engine, "gone", key=KEY, actor="dpo", now=NOW)
    finally:
        engine.dispose()
    leftover = b"".join(p.read_bytes() for p in tmp_path.glob("erase.db*"))
    assert (phrase.encode() in leftover) is (not trajectory_sets_it)


def test_erase_rewrite_keeps_na_like_ids_byte_for_byte(tmp_path: Path) -> None:
    from pipeline.privacy.erase import _rewrite_without

    path = tmp_path / "role.csv"
    path.write_text("rank,candidate_id,score\n1,NA,9.0\n2,None,8.0\n3,null,7.0\n4,,6.0\n"
                    "5,NaN,5.0\n", encoding="utf-8")
    assert _rewrite_without(path, "None", renumber=True)
    assert path.read_text(encoding="utf-8") == (
        "rank,candidate_id,score\n1,NA,9.0\n2,null,7.0\n3,,6.0\n4,NaN,5.0\n")
