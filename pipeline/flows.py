"""Prefect lives here and only here: thin tasks around the stage functions, and the flows.

The ``score_batch`` flow reads like the pipeline: ingest → parse → extract → score → store →
export. Each task only calls its stage; retries and caching are declared on the decorators.
Stage progress is logged on the ``pipeline.progress`` logger so a front end (the CLI's progress
bar) can follow a run without knowing Prefect.
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from prefect import flow, task
from prefect.cache_policies import NO_CACHE

from pipeline import __version__, audit_log
from pipeline import erase as erase_stage
from pipeline import export as export_stage
from pipeline import store as store_stage
from pipeline.config import secret_key
from pipeline.errors import ResumeFormatError
from pipeline.extract import extract_many
from pipeline.ingest import IngestResult, ingest_folder
from pipeline.nlp.build import build_nlp, extractor_version
from pipeline.parse import parse_resume
from pipeline.records import (
    CandidateEvidence,
    Quarantined,
    Resume,
    ScoredCandidate,
    SourceDocument,
)
from pipeline.rubric import Rubric, load_rubric
from pipeline.score import score_and_rank

progress = logging.getLogger("pipeline.progress")

STAGES: tuple[str, ...] = ("ingest", "parse", "extract", "score", "store", "export")


def _stage_done(name: str, detail: str) -> None:
    progress.info("%s: %s", name, detail, extra={"stage": name, "stage_index": STAGES.index(name)})


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

    @property
    def accounted(self) -> bool:
        return self.scored + self.quarantined + self.erased_skipped == self.inputs


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(source: Path, exclude: tuple[Path, ...]) -> IngestResult:
    result = ingest_folder(source, exclude=exclude)
    _stage_done("ingest", f"{result.inputs} inputs, {len(result.quarantined)} quarantined")
    return result


@task(name="parse", cache_policy=NO_CACHE)
def parse_task(
    documents: tuple[SourceDocument, ...],
) -> tuple[list[tuple[SourceDocument, Resume]], list[Quarantined]]:
    parsed: list[tuple[SourceDocument, Resume]] = []
    failed: list[Quarantined] = []
    for doc in documents:
        try:
            parsed.append((doc, parse_resume(doc.candidate_id, doc.text)))
        except ResumeFormatError as err:
            failed.append(Quarantined(doc.candidate_id, doc.source, err.reason))
    _stage_done("parse", f"{len(parsed)} parsed, {len(failed)} quarantined")
    return parsed, failed


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(parsed: list[tuple[SourceDocument, Resume]]) -> list[CandidateEvidence]:
    evidence = extract_many([(resume, doc.content_hash) for doc, resume in parsed], build_nlp())
    _stage_done("extract", f"{len(evidence)} resumes")
    return evidence


@task(name="score", cache_policy=NO_CACHE)
def score_task(
    evidence: list[CandidateEvidence], rubric: Rubric, as_of: date
) -> list[ScoredCandidate]:
    ranked = score_and_rank(evidence, rubric, as_of)
    _stage_done("score", f"{len(ranked)} scored against {rubric.name} {rubric.version}")
    return ranked


@task(name="store", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def store_task(
    database_url: str,
    run_id: str,
    documents: list[SourceDocument],
    evidence: list[CandidateEvidence],
    ranked: list[ScoredCandidate],
    quarantined: list[Quarantined],
    now: datetime,
) -> None:
    engine = store_stage.open_store(database_url)
    try:
        store_stage.save_batch(engine, run_id, documents, evidence, ranked, quarantined, now)
    finally:
        engine.dispose()
    _stage_done("store", f"{len(ranked)} scores saved")


@task(name="export", cache_policy=NO_CACHE)
def export_task(
    ranked: list[ScoredCandidate], quarantined: list[Quarantined], out: Path, now: datetime,
    top: int | None,
) -> tuple[Path, Path]:
    paths = export_stage.export_shortlist(ranked, quarantined, out, now, top)
    _stage_done("export", f"shortlist at {paths[0]}")
    return paths


@flow(name="score-batch", log_prints=False, validate_parameters=False)
def score_batch(
    source: Path,
    rubric_path: Path,
    out: Path,
    database_url: str,
    top: int | None = None,
    as_of: date | None = None,
    actor: str | None = None,
) -> RunSummary:
    """Score a folder of resumes against one rubric and write the ranked shortlist CSV.

    The rubric is validated before any resume is read. ``as_of`` (default: today, UTC) ends
    roles that run to "present". Erased candidates are skipped (and counted); the run and its
    export are recorded in the audit log as ``actor`` (default: the OS user).
    """
    rubric = load_rubric(rubric_path)
    now = datetime.now(UTC)
    as_of = as_of or now.date()
    run_id = uuid.uuid4().hex
    engine = store_stage.open_store(database_url)
    erased = erase_stage.tombstone_check(engine, secret_key)
    extractor = extractor_version(build_nlp())
    store_stage.start_run(engine, run_id, source=str(source), rubric=rubric.name,
                          rubric_version=rubric.version, extractor_version=extractor,
                          started_at=now)

    outputs = (out, export_stage.quarantine_path(out))
    ingested, erased_skipped = erase_stage.skip_erased(ingest_task(source, outputs), erased)
    parsed, unparsed = parse_task(ingested.documents)
    evidence = extract_task(parsed)
    ranked = score_task(evidence, rubric, as_of)
    quarantined = [*ingested.quarantined, *unparsed]
    store_task(database_url, run_id, [doc for doc, _ in parsed], evidence, ranked,
               quarantined, now)
    shortlist, quarantine_file = export_task(ranked, quarantined, out, now, top)

    summary = RunSummary(
        run_id=run_id, inputs=ingested.inputs + erased_skipped, scored=len(ranked),
        quarantined=len(quarantined),
        shortlist=shortlist, quarantine_file=quarantine_file, rubric=rubric.name,
        rubric_version=rubric.version,
        top=tuple((c.candidate_id, c.score) for c in ranked[:5]),
        erased_skipped=erased_skipped,
    )
    status = "complete" if summary.accounted else "inconsistent"
    finished = datetime.now(UTC)
    store_stage.finish_run(engine, run_id, inputs=summary.inputs, scored=summary.scored,
                           quarantined=summary.quarantined, erased_skipped=erased_skipped,
                           shortlist_path=str(shortlist.resolve()), finished_at=finished,
                           status=status)
    audit_log.record_run(
        engine, actor=actor or audit_log.default_actor(), now=finished, run_id=run_id,
        started_at=now, source=str(source), rubric=rubric.name, rubric_version=rubric.version,
        extractor_version=extractor, code_version=__version__,
        input_hashes=[doc.content_hash for doc in ingested.documents],
        counts={"inputs": summary.inputs, "scored": summary.scored,
                "quarantined": summary.quarantined, "erased_skipped": erased_skipped},
        status=status, exports=[shortlist.resolve(), quarantine_file.resolve()])
    engine.dispose()
    return summary
