"""The nightly run's stages: incremental ingest behind the PII guard, extraction of what is
new or changed, scoring of the latest version per candidate, shortlist diffs.

No Prefect here (``pipeline.runs.flows`` wraps these as tasks). The stages hand each other nothing
but the database: ``stage_inputs`` stores redacted text of new and changed resumes,
``extract_pending`` extracts every latest version that has no extraction for the current
extractor, ``score_rubric`` scores the latest extracted version of every candidate. So a run
killed at any point and re-run converges on what one clean run would have stored.

A resume is keyed by its candidate id and the SHA-256 of its normalised text: the same text
again is *unchanged* (nothing is redacted, parsed or extracted), another text for a known
candidate is *changed* (a new version; the shortlist uses the latest), an unknown candidate
is *new*.

Each stage that stores checks the tombstones in the transaction that stores
(``pipeline.privacy.erase.tombstone_check``), so a candidate erased while the run is under way is
not
stored again; ``without_erased`` then counts their inputs as erased, skipped.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from multiprocessing.pool import Pool
from typing import Any, NamedTuple

from spacy.language import Language
from sqlalchemy import Select, exists, func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from pipeline.config import (
    FolderSourceSettings,
    JsonLinesSourceSettings,
    NightlySettings,
    SourceSettings,
    secret_key,
)
from pipeline.errors import RubricError
from pipeline.extract.build import extractor_version
from pipeline.extract.evidence import extract_each
from pipeline.extract.workers import worker_pool
from pipeline.ingest.formats import FormatLimits
from pipeline.ingest.pii import PII_KINDS, redact
from pipeline.ingest.read import ingest_source
from pipeline.ingest.s3 import S3Source
from pipeline.ingest.sources import FolderSource, JsonLinesSource, Source
from pipeline.isolation import failure
from pipeline.limits import DEFAULT_RESUME_LIMITS, ResumeLimits
from pipeline.parse.resume import parse_resume
from pipeline.privacy.erase import skip_erased, tombstone_check
from pipeline.records import (
    CandidateEvidence,
    IngestResult,
    Quarantined,
    Resume,
    ScoredCandidate,
    SourceDocument,
)
from pipeline.runs.parsed import PARSED
from pipeline.score.rubric import Rubric
from pipeline.score.scoring import score_each
from pipeline.store.db import upsert
from pipeline.store.jsonable import from_jsonable, to_jsonable
from pipeline.store.models import ExtractionRow, QuarantineRow, ResumeRow, ScoreRow

log = logging.getLogger(__name__)

#: Resumes extracted per ``extract_many`` call and per transaction.
EXTRACT_BATCH = 500
#: Rows per multi-row upsert statement (well under SQLite's bound-parameter limit).
UPSERT_BATCH = 400


@dataclass(frozen=True)
class Staged:
    """What ``stage_inputs`` made of the sources: counts, quarantine, redaction totals."""

    inputs: int
    new: int
    changed: int
    unchanged: int
    erased_skipped: int
    quarantined: tuple[Quarantined, ...]
    redactions: dict[str, int] = field(default_factory=dict)
    input_hashes: tuple[str, ...] = ()
    #: (candidate id, content hash, "new" | "changed" | "unchanged") of each input not
    #: quarantined, so that an erasure during the run can be counted (``without_erased``).
    documents: tuple[tuple[str, str, str], ...] = ()


def build_source(settings: SourceSettings) -> Source:
    """The :class:`~pipeline.ingest.sources.Source` one ``sources:`` entry describes."""
    if isinstance(settings, FolderSourceSettings):
        return FolderSource(settings.path)
    if isinstance(settings, JsonLinesSourceSettings):
        return JsonLinesSource(settings.path)
    return S3Source(settings.bucket, settings.prefix, endpoint_url=settings.endpoint_url,
                    region_name=settings.region)


def read_sources(settings: NightlySettings,
                 resume_limits: ResumeLimits = DEFAULT_RESUME_LIMITS) -> IngestResult:
    """Every configured source, read in order; a candidate id already seen in an earlier
    source is quarantined as ``duplicate_id``."""
    limits = FormatLimits(max_bytes=int(settings.max_file_mb * 1024 * 1024))
    documents: list[SourceDocument] = []
    quarantined: list[Quarantined] = []
    seen: dict[str, str] = {}
    for source_settings in settings.resolved_sources():
        result = ingest_source(build_source(source_settings), limits, resume_limits)
        quarantined.extend(result.quarantined)
        for doc in result.documents:
            if doc.candidate_id in seen:
                quarantined.append(Quarantined(
                    doc.candidate_id, doc.source,
                    f"duplicate candidate id: {seen[doc.candidate_id]} has the same id",
                    "duplicate_id"))
                continue
            seen[doc.candidate_id] = doc.source
            documents.append(doc)
    return IngestResult(tuple(documents), tuple(quarantined))


def latest_versions(session: Session) -> dict[str, tuple[int, str]]:
    """candidate id → (resume id, content hash) of its latest version."""
    latest = select(func.max(ResumeRow.id)).group_by(ResumeRow.candidate_id)
    rows = session.execute(select(ResumeRow.candidate_id, ResumeRow.id, ResumeRow.content_hash)
                           .where(ResumeRow.id.in_(latest)))
    return {cid: (rid, digest) for cid, rid, digest in rows}


def stage_inputs(engine: Engine, ingested: IngestResult, run_id: str, now: datetime,
                 key: Callable[[], bytes] = secret_key) -> Staged:
    """Store the redacted text of every new or changed resume, and every quarantine entry,
    in one transaction; unchanged resumes are only counted. Inputs of erased candidates are
    skipped and counted, checked in this transaction (under ``key``), so an erasure that
    commits while the sources are read is seen.

    The PII guard (``pipeline.ingest.pii.redact``) runs before anything is stored; the counts of
    what it replaced are kept per resume version and summed per run, never the values.
    """
    totals = dict.fromkeys(PII_KINDS, 0)
    documents: list[tuple[str, str, str]] = []
    parsed: list[tuple[str, str, Resume]] = []
    rows: list[dict[str, Any]] = []  # resume versions, upserted UPSERT_BATCH at a time
    with Session(engine) as session, session.begin():
        kept, erased_skipped = skip_erased(ingested, tombstone_check(session, key))
        quarantined = list(kept.quarantined)
        latest = latest_versions(session)
        for doc in kept.documents:
            known = latest.get(doc.candidate_id)
            if known is not None and known[1] == doc.content_hash:
                documents.append((doc.candidate_id, doc.content_hash, "unchanged"))
                continue
            redaction = redact(doc.text)
            try:
                resume = parse_resume(doc.candidate_id, redaction.text)
            except Exception as err:  # noqa: BLE001  (per-resume isolation; pipeline.isolation)
                quarantined.append(failure(err, "parse", doc.candidate_id, doc.source))
                continue
            parsed.append((doc.candidate_id, redaction.text, resume))
            for kind, count in redaction.counts.items():
                totals[kind] += count
            rows.append({
                "candidate_id": doc.candidate_id, "content_hash": doc.content_hash,
                "source": doc.source, "encoding": doc.encoding, "text": redaction.text,
                "redactions": redaction.counts, "first_seen": now,
            })
            if len(rows) == UPSERT_BATCH:
                upsert(session, ResumeRow, rows, keys=("candidate_id", "content_hash"))
                rows = []
            documents.append((doc.candidate_id, doc.content_hash,
                              "new" if known is None else "changed"))
        if rows:
            upsert(session, ResumeRow, rows, keys=("candidate_id", "content_hash"))
        for q in quarantined:
            upsert(session, QuarantineRow, {
                "candidate_id": q.candidate_id, "source": q.source, "reason": q.reason,
                "code": q.code, "run_id": run_id, "seen_at": now,
            }, keys=("candidate_id", "source", "reason"), update=("code", "run_id", "seen_at"))
    for candidate_id, text, resume in parsed:  # committed: extraction may reuse the parse
        PARSED.keep(candidate_id, text, resume)
    kinds = Counter(kind for *_, kind in documents)
    return Staged(inputs=kept.inputs + erased_skipped, new=kinds["new"],
                  changed=kinds["changed"], unchanged=kinds["unchanged"],
                  erased_skipped=erased_skipped, quarantined=tuple(quarantined),
                  redactions=totals, input_hashes=tuple(d.content_hash for d in kept.documents),
                  documents=tuple(documents))


def without_erased(staged: Staged, erased: Callable[[str, str], bool]) -> Staged:
    """``staged`` with the inputs of candidates erased since it was made counted as erased,
    skipped (as ingestion counts them) instead of new, changed, unchanged or quarantined."""
    documents = tuple(d for d in staged.documents if not erased(d[0], d[1]))
    quarantined = tuple(q for q in staged.quarantined if not erased(q.candidate_id, ""))
    dropped = (len(staged.documents) - len(documents)
               + len(staged.quarantined) - len(quarantined))
    gone = {d[1] for d in staged.documents} - {d[1] for d in documents}
    kinds = Counter(kind for *_, kind in documents)
    return replace(staged, new=kinds["new"], changed=kinds["changed"],
                   unchanged=kinds["unchanged"], erased_skipped=staged.erased_skipped + dropped,
                   quarantined=quarantined, documents=documents,
                   input_hashes=tuple(h for h in staged.input_hashes if h not in gone))


#: Candidate ids per ``IN (...)`` list, well under SQLite's bound-parameter limit.
ID_CHUNK = 2000


def _latest_ids(candidates: Collection[str] | None) -> Iterator[Select[int]]:
    """Queries for the ids of the latest resume version per candidate: one over every
    candidate, or one per chunk of ``candidates`` when given."""
    query = select(func.max(ResumeRow.id)).group_by(ResumeRow.candidate_id)
    if candidates is None:
        yield query
        return
    ids = sorted(candidates)
    for start in range(0, len(ids), ID_CHUNK):
        yield query.where(ResumeRow.candidate_id.in_(ids[start:start + ID_CHUNK]))


def extract_pending(engine: Engine, nlp: Language, now: datetime,
                    key: Callable[[], bytes] = secret_key,
                    candidates: Collection[str] | None = None,
                    limits: ResumeLimits = DEFAULT_RESUME_LIMITS,
                    failed: list[Quarantined] | None = None, workers: int = 1) -> int:
    """Extract every latest resume version that has stored text and no extraction by this
    extractor; returns how many were stored (0 when nothing is new or changed). Evidence of a
    candidate erased meanwhile is not stored (checked in the transaction, under ``key``).
    ``candidates`` limits it to those ids (a score run's own inputs); None means all.

    A resume whose parse or extraction raises is not stored; its quarantine entry
    (``pipeline.isolation``) is appended to ``failed`` and the others go on. ``workers`` > 1
    extracts in that many worker processes (``pipeline.extract.workers``; ``nlp`` must then be
    ``build_nlp()``); the evidence is the same."""
    version = extractor_version(nlp)
    pending = pending_versions(engine, version, candidates)
    if not pending:
        return 0
    done = 0
    with worker_pool(workers, limits) as pool:
        for start in range(0, len(pending), EXTRACT_BATCH):
            extracted, lost = extract_chunk(pending[start:start + EXTRACT_BATCH], nlp, limits,
                                            pool)
            for entry in lost:
                _failed(failed, entry)
            done += store_extractions(engine, version, extracted, now, key)
    return done


class PendingVersion(NamedTuple):
    """A stored resume version waiting for extraction (plain data: travels to a worker)."""

    id: int
    candidate_id: str
    content_hash: str
    text: str | None
    source: str


def pending_versions(engine: Engine, version: str, candidates: Collection[str] | None = None
                     ) -> list[PendingVersion]:
    """Rows (id, candidate_id, content_hash, text, source) of the latest resume versions with
    stored text and no extraction by ``version``, in id order; ``candidates`` limits them."""
    pending: list[Any] = []
    with Session(engine) as session:
        for latest in _latest_ids(candidates):
            pending += session.execute(
                select(ResumeRow.id, ResumeRow.candidate_id, ResumeRow.content_hash,
                       ResumeRow.text, ResumeRow.source)
                .where(ResumeRow.id.in_(latest), ResumeRow.text.is_not(None),
                       ~exists(select(ExtractionRow.id).where(
                           ExtractionRow.resume_id == ResumeRow.id,
                           ExtractionRow.extractor_version == version)))).all()
    pending.sort(key=lambda row: row.id)
    return [PendingVersion(*row) for row in pending]


def extract_chunk(rows: Sequence[PendingVersion], nlp: Language,
                  limits: ResumeLimits = DEFAULT_RESUME_LIMITS, pool: Pool | None = None
                  ) -> tuple[list[tuple[int, str, str, dict[str, Any]]], list[Quarantined]]:
    """Rows of :func:`pending_versions` → ((resume id, candidate id, content hash, evidence as
    JSON) of each extracted, quarantine entries of those whose parse or extraction raised).
    Touches no database, so it can run anywhere (a Dask worker)."""
    kept, parsed, lost = [], [], []
    for row in rows:
        try:
            parsed.append((PARSED.parse(row.candidate_id, row.text or ""), row.content_hash))
            kept.append(row)
        except Exception as err:  # noqa: BLE001  (per-resume isolation)
            lost.append(failure(err, "parse", row.candidate_id, row.source))
    extracted = []
    for row, item in zip(kept, extract_each(parsed, nlp, limits=limits, pool=pool), strict=True):
        if isinstance(item, Exception):
            lost.append(failure(item, "extract", row.candidate_id, row.source))
        else:
            extracted.append((row.id, row.candidate_id, row.content_hash, to_jsonable(item)))
    return extracted, lost


def store_extractions(engine: Engine, version: str,
                      extracted: Iterable[tuple[int, str, str, dict[str, Any]]], now: datetime,
                      key: Callable[[], bytes] = secret_key) -> int:
    """Upsert :func:`extract_chunk`'s evidence in one transaction, leaving out candidates
    erased meanwhile (checked in it, under ``key``); returns how many were stored."""
    with Session(engine) as session, session.begin():
        erased = tombstone_check(session, key)
        rows = [{"resume_id": rid, "candidate_id": cid, "extractor_version": version,
                 "evidence": evidence, "extracted_at": now}
                for rid, cid, digest, evidence in extracted if not erased(cid, digest)]
        for start in range(0, len(rows), UPSERT_BATCH):
            upsert(session, ExtractionRow, rows[start:start + UPSERT_BATCH],
                   keys=("resume_id", "extractor_version"), update=("evidence", "extracted_at"))
    return len(rows)


def _failed(failed: list[Quarantined] | None, entry: Quarantined) -> None:
    if failed is not None:
        failed.append(entry)


def store_quarantined(engine: Engine, run_id: str, quarantined: Iterable[Quarantined],
                      now: datetime) -> None:
    """Upsert quarantine entries found after ingestion (extraction, scoring) for ``run_id``."""
    with Session(engine) as session, session.begin():
        for q in quarantined:
            upsert(session, QuarantineRow, {
                "candidate_id": q.candidate_id, "source": q.source, "reason": q.reason,
                "code": q.code, "run_id": run_id, "seen_at": now,
            }, keys=("candidate_id", "source", "reason"), update=("code", "run_id", "seen_at"))


def latest_evidence(engine: Engine, version: str, candidates: Collection[str] | None = None
                    ) -> list[tuple[int, CandidateEvidence]]:
    """(resume id, evidence) of every candidate's latest version extracted by ``version``,
    in candidate-id order; ``candidates`` limits it to those ids (None: all)."""
    rows: list[Any] = []
    with Session(engine) as session:
        for latest in _latest_ids(candidates):
            rows += session.execute(
                select(ExtractionRow.candidate_id, ExtractionRow.resume_id,
                       ExtractionRow.evidence)
                .where(ExtractionRow.resume_id.in_(latest),
                       ExtractionRow.extractor_version == version)).all()
    rows.sort(key=lambda row: row.candidate_id)
    return [(rid, from_jsonable(CandidateEvidence, data)) for _, rid, data in rows]


def refuse_changed_rubric(session: Session, rubric: Rubric) -> None:
    """Raise :class:`RubricError` when scores are stored under ``rubric``'s name and version
    from a rubric with other content: the stored scores would be overwritten by a different
    rubric under the same label. Scores from before revision 0005 (no hash) never block."""
    other = session.scalar(
        select(ScoreRow.rubric_hash).where(
            ScoreRow.rubric == rubric.name, ScoreRow.rubric_version == rubric.version,
            ScoreRow.rubric_hash.is_not(None), ScoreRow.rubric_hash != rubric.content_hash)
        .limit(1))
    if other is not None:
        raise RubricError(
            f"rubric {rubric.name!r} version {rubric.version!r} has changed since scores were "
            f"stored under that name and version (content hash {other[:12]}…, now "
            f"{rubric.content_hash[:12]}…); bump its 'version' to score with the new content")


def score_rubric(engine: Engine, run_id: str, evidence: Iterable[tuple[int, CandidateEvidence]],
                 rubric: Rubric, as_of: date, now: datetime,
                 key: Callable[[], bytes] = secret_key,
                 failed: list[Quarantined] | None = None) -> list[ScoredCandidate]:
    """Rank the candidates against ``rubric`` and store each score (one transaction); returns
    the ranking without candidates erased meanwhile (checked in the transaction, under
    ``key``), whose scores are not stored. A candidate whose scoring raises is left out and
    its quarantine entry appended to ``failed``."""
    pairs = list(evidence)
    resume_ids = {(e.resume.candidate_id, e.content_hash): rid for rid, e in pairs}
    ranked, errors = score_each([e for _, e in pairs], rubric, as_of)
    for e, err in errors:
        _failed(failed, failure(err, "score", e.resume.candidate_id, e.resume.candidate_id))
    digest = rubric.content_hash
    with Session(engine) as session, session.begin():
        refuse_changed_rubric(session, rubric)
        erased = tombstone_check(session, key)
        ranked = [s for s in ranked if not erased(s.candidate_id, s.content_hash)]
        rows = [{
            "resume_id": resume_ids[(s.candidate_id, s.content_hash)],
            "candidate_id": s.candidate_id, "rubric": s.rubric,
            "rubric_version": s.rubric_version, "rubric_hash": digest, "score": s.score,
            "explanation": to_jsonable(s), "run_id": run_id, "scored_at": now,
        } for s in ranked]
        for start in range(0, len(rows), UPSERT_BATCH):
            upsert(session, ScoreRow, rows[start:start + UPSERT_BATCH],
                   keys=("resume_id", "rubric", "rubric_version"),
                   update=("score", "rubric_hash", "explanation", "run_id", "scored_at"))
    return ranked
