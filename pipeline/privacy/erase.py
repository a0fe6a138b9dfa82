"""Erasure: forget a candidate everywhere, and keep them forgotten.

``erase_candidate`` deletes the candidate's rows from every table (resume versions with their
text, extractions, scores with their explanations, quarantine entries), rewrites every shortlist
the runs table records without the candidate's row (ranks re-numbered) together with its
quarantine CSV, and records tombstones: keyed hashes (HMAC-SHA256 with the configured secret
key) of the candidate id and of each erased resume version's content hash, never the id itself.
``skip_erased`` is what ingestion does with them: an input whose id, or whose exact text, was
erased is skipped and counted, so the next run over a folder that still holds the file does not
bring the candidate back. A run already under way checks again where it stores (with
``tombstone_check`` on its transaction's session, which holds erasures off until it commits) and
before it exports (``drop_erased``), so an erasure that commits first wins over it too.

Erasing is idempotent: erasing again (say, after fixing a shortlist's permissions) finds no rows
and retries the files.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, false, func, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.audit import log as audit_log
from pipeline.errors import ConfigError
from pipeline.export.csvsafe import csv_reader, neutralise, replacing
from pipeline.export.shortlist import diff_path, previous_path, quarantine_path
from pipeline.hashing import file_sha256
from pipeline.records import IngestResult, Quarantined, ScoredCandidate
from pipeline.store.db import upsert
from pipeline.store.models import (
    ExtractionRow,
    QuarantineRow,
    ResumeRow,
    RunRow,
    ScoreRow,
    TombstoneRow,
)

#: Children before parents, so foreign keys hold on every backend.
ERASED_TABLES = (ScoreRow, ExtractionRow, QuarantineRow, ResumeRow)


def subject_hash(key: bytes, candidate_id: str) -> str:
    """The keyed hash that stands for a candidate id in tombstones and the audit log."""
    return hmac.new(key, candidate_id.encode("utf-8"), hashlib.sha256).hexdigest()


def content_subject(key: bytes, content_hash: str) -> str:
    """The keyed hash that stands for one erased resume text."""
    return hmac.new(key, b"content:" + content_hash.encode("ascii"), hashlib.sha256).hexdigest()


def key_id(key: bytes) -> str:
    """A short fingerprint of the key, stored with each tombstone (not enough to recover it)."""
    return hmac.new(key, b"trajectory key id", hashlib.sha256).hexdigest()[:16]


@dataclass(frozen=True)
class ErasureReport:
    """What one erasure removed: rows per table and the files rewritten."""

    subject: str
    rows: dict[str, int]
    files: tuple[Path, ...]
    failed_files: tuple[tuple[Path, str], ...]
    already_erased: bool

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def erase_candidate(engine: Engine, candidate_id: str, *, key: bytes, actor: str,
                    now: datetime) -> ErasureReport:
    """Delete ``candidate_id`` from every table and every recorded shortlist; tombstone it.

    The database part (rows, tombstones, audit entry) commits in one transaction before the
    files are rewritten; a file that cannot be rewritten is reported in ``failed_files`` (and
    in the audit entry) rather than raised, so the caller can fix it and erase again.
    """
    subject = subject_hash(key, candidate_id)
    rows: dict[str, int] = {}
    with Session(engine) as session, session.begin():
        _refuse_foreign_tombstones(session, key)
        already = session.get(TombstoneRow, subject) is not None
        # The tombstone first: a run's store transaction that has checked the tombstones holds
        # them until it commits, so this waits for it and then deletes what it stored.
        tomb = {"key_id": key_id(key), "erased_at": now}
        upsert(session, TombstoneRow, {"subject": subject, **tomb}, keys=("subject",))
        hashes = session.scalars(select(ResumeRow.content_hash)
                                 .where(ResumeRow.candidate_id == candidate_id)).all()
        for model in ERASED_TABLES:
            result = session.execute(delete(model).where(model.candidate_id == candidate_id))
            rows[model.__tablename__] = result.rowcount  # type: ignore[attr-defined]
        for content in hashes:
            upsert(session, TombstoneRow, {"subject": content_subject(key, content), **tomb},
                   keys=("subject",))
        shortlists = list(session.scalars(select(RunRow.shortlist_path).distinct()
                                          .where(RunRow.shortlist_path.is_not(None))).all())
        # Nightly runs record every file they wrote (shortlist, quarantine, diff).
        for exports in session.scalars(select(RunRow.exports)
                                       .where(RunRow.exports.is_not(None))).all():
            shortlists += [p for p in exports or {} if _is_shortlist(Path(p))]

    _vacuum(engine)
    rewritten: list[Path] = []
    failed: list[tuple[Path, str]] = []
    for shortlist in sorted({Path(p) for p in shortlists if p}):
        for path, renumber in ((shortlist, True), (quarantine_path(shortlist), False),
                               (diff_path(shortlist), False),
                               (previous_path(shortlist), True)):
            try:
                if path.is_file() and _rewrite_without(path, candidate_id, renumber=renumber):
                    rewritten.append(path)
            except (OSError, csv.Error, ValueError) as err:
                failed.append((path, str(err)))

    with Session(engine) as session, session.begin():
        entry = audit_log.append_in(session, "erase", actor, {
            "subject": subject, "rows": rows, "already_erased": already,
            "files": [{"path": str(p), "sha256": file_sha256(p)} for p in rewritten],
            "failed_files": [str(p) for p, _ in failed],
        }, now, key)
        # The anchor: removing this entry later shows in ``audit verify``.
        session.execute(update(TombstoneRow).where(TombstoneRow.subject == subject)
                        .values(audit_seq=entry.seq))
    return ErasureReport(subject, rows, tuple(rewritten), tuple(failed), already)


def _vacuum(engine: Engine) -> None:
    """On PostgreSQL, VACUUM the tables an erasure deleted from: the dead rows are pruned and
    their space marked for reuse, so no new snapshot or ``pageinspect`` of live pages shows
    them. It does not scrub the disk, the WAL or backups (README, "Security model"); SQLite
    needs nothing here, as every connection runs with ``secure_delete`` on."""
    if engine.dialect.name != "postgresql":
        return
    tables = ", ".join(model.__tablename__ for model in ERASED_TABLES)
    # VACUUM cannot run in a transaction; a role that does not own a table gets a warning.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(f"VACUUM {tables}")


def tombstone_check(bind: Engine | Session,
                    key: Callable[[], bytes]) -> Callable[[str, str], bool]:
    """A predicate ``erased(candidate_id, content_hash)`` over the stored tombstones.

    Given an engine, the tombstones as they are now. Given the session of a transaction that
    is about to store a run's rows, the tombstones are locked first, until that transaction
    ends: an erasure that commits before the lock is seen, one that starts after it waits (it
    writes its tombstone first) and then deletes what the transaction stored. ``key`` is called
    only if tombstones exist, so scoring never needs the secret key until someone has been
    erased. Raises ``ConfigError`` if they were written under another key: checking them with
    the wrong key would silently bring erased candidates back.
    """
    if isinstance(bind, Session):
        _hold_tombstones(bind)
        return _erased_predicate(bind, key)
    with Session(bind) as session:
        return _erased_predicate(session, key)


def _hold_tombstones(session: Session) -> None:
    """Keep new tombstones out until ``session``'s transaction ends."""
    if session.get_bind().dialect.name == "postgresql":
        # SHARE blocks the erasure's insert but not other runs' store transactions.
        session.execute(text("LOCK TABLE tombstones IN SHARE MODE"))
    else:
        # SQLite has one write lock per database; any write takes it (this one changes nothing).
        session.execute(update(TombstoneRow).where(false()).values(key_id=TombstoneRow.key_id),
                        execution_options={"synchronize_session": False})


def _erased_predicate(session: Session, key: Callable[[], bytes]) -> Callable[[str, str], bool]:
    if not session.scalar(select(func.count()).select_from(TombstoneRow)):
        return lambda _candidate_id, _content_hash: False
    secret = key()
    _refuse_foreign_tombstones(session, secret)
    subjects = frozenset(session.scalars(select(TombstoneRow.subject)))

    def erased(candidate_id: str, content_hash: str) -> bool:
        return (subject_hash(secret, candidate_id) in subjects
                or bool(content_hash) and content_subject(secret, content_hash) in subjects)

    return erased


def skip_erased(ingested: IngestResult,
                erased: Callable[[str, str], bool]) -> tuple[IngestResult, int]:
    """Drop erased candidates' inputs; returns what remains and how many inputs were dropped."""
    documents = tuple(d for d in ingested.documents if not erased(d.candidate_id, d.content_hash))
    quarantined = tuple(q for q in ingested.quarantined if not erased(q.candidate_id, ""))
    kept = replace(ingested, documents=documents, quarantined=quarantined)
    return kept, ingested.inputs - kept.inputs


def drop_erased(scored: Sequence[ScoredCandidate], quarantined: Sequence[Quarantined],
                erased: Callable[[str, str], bool],
                ) -> tuple[list[ScoredCandidate], list[Quarantined], int]:
    """A run's results without the candidates erased since it ingested them, and how many
    inputs that drops (each scored candidate and each quarantine entry is one input)."""
    kept = [s for s in scored if not erased(s.candidate_id, s.content_hash)]
    kept_quarantined = [q for q in quarantined if not erased(q.candidate_id, "")]
    dropped = len(scored) - len(kept) + len(quarantined) - len(kept_quarantined)
    return kept, kept_quarantined, dropped


def _refuse_foreign_tombstones(session: Session, key: bytes) -> None:
    foreign = session.scalar(select(func.count()).select_from(TombstoneRow)
                             .where(TombstoneRow.key_id != key_id(key)))
    if foreign:
        raise ConfigError(
            f"{foreign} tombstone(s) in this database were written with a different secret key "
            f"(this key's id is {key_id(key)}); set TRAJECTORY_SECRET_KEY or "
            "TRAJECTORY_SECRET_KEY_FILE to the key used for erasure, or erased candidates "
            "would be ingested again")


def _is_shortlist(path: Path) -> bool:
    return not path.name.endswith((".quarantine.csv", ".diff.csv", ".previous.csv"))


def _rewrite_without(path: Path, candidate_id: str, *, renumber: bool) -> bool:
    """Rewrite a CSV without ``candidate_id``'s rows, atomically; False if it had none.

    Other rows are kept byte for byte (the csv module, not pandas, so numbers are not
    re-formatted); ``rank`` is re-numbered 1..n in file order when ``renumber``.
    """
    with path.open(encoding="utf-8", newline="") as handle:
        header, *body = list(csv_reader(handle))
    column = header.index("candidate_id")  # ValueError if this is not one of our CSVs
    # The export neutralises cells a spreadsheet would run, so the id may carry a quote.
    ids = {candidate_id, neutralise(candidate_id)}
    kept = [row for row in body if row[column] not in ids]
    if len(kept) == len(body):
        return False
    if renumber and "rank" in header:
        rank = header.index("rank")
        for position, row in enumerate(kept, start=1):
            row[rank] = str(position)
    with replacing(path, mode_of=path) as handle:
        writer = csv.writer(handle, lineterminator="\n")  # as pandas wrote it
        writer.writerow(header)
        writer.writerows(kept)
    return True
