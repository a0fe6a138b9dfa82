"""Prefect lives here and only here: thin tasks around the stage functions, and the flows.

The ``score_batch`` flow reads like the pipeline: ingest (decode, redact, store new versions)
→ extract (what is new or changed) → score (and store) → export. Each task only calls its
stage; retries and caching are declared on the decorators.
Stage progress is logged on the ``pipeline.progress`` logger so a front end (the CLI's progress
bar) can follow a run without knowing Prefect.
"""

from __future__ import annotations

import logging
import re
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from prefect import flow, task
from prefect.artifacts import create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.schedules import Cron, Schedule
from prefect.states import State
from prefect.tasks import exponential_backoff

from pipeline.audit import log as audit_log
from pipeline.config import NightlySettings, config_file, secret_key
from pipeline.config import database_url as resolve_database_url
from pipeline.errors import TransientSourceError
from pipeline.export import shortlist as export_stage
from pipeline.extract.build import build_nlp, extractor_version
from pipeline.ingest.read import ingest_folder
from pipeline.isolation import internal_failures
from pipeline.limits import ResumeLimits
from pipeline.privacy import erase as erase_stage
from pipeline.privacy import retention
from pipeline.privacy.retention import RetentionPolicy
from pipeline.records import (
    Quarantined,
    ScoredCandidate,
)
from pipeline.runs import history as runs
from pipeline.runs import nightly as nightly_stage
from pipeline.runs import nightly_export
from pipeline.runs.history import NightlySummary, RunSummary
from pipeline.runs.nightly import Staged
from pipeline.runs.nightly_export import RubricOutcome
from pipeline.score.rubric import Rubric, load_rubric
from pipeline.store import db as store_stage
from pipeline.store import runlock

progress = logging.getLogger("pipeline.progress")

#: The score run's stages, in order, as the progress bar shows them.
STAGES: tuple[str, ...] = ("ingest", "extract", "score", "export")


def _stage_done(name: str, detail: str) -> None:
    progress.info("%s: %s", name, detail, extra={"stage": name, "stage_index": STAGES.index(name)})


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(database_url: str, source: Path, exclude: tuple[Path, ...], run_id: str,
                now: datetime, limits: ResumeLimits) -> Staged:
    # The nightly run's ingest: the PII guard before anything is stored, content-hash
    # versions (an unchanged resume is only counted), reason codes, batched writes.
    engine = store_stage.open_store(database_url)
    try:
        staged = nightly_stage.stage_inputs(
            engine, ingest_folder(source, exclude=exclude, resume_limits=limits), run_id, now)
    finally:
        engine.dispose()
    _stage_done("ingest", f"{staged.inputs} inputs, {staged.new} new, {staged.changed} "
                f"changed, {staged.unchanged} unchanged, {len(staged.quarantined)} quarantined")
    return staged


@task(name="extract", cache_policy=NO_CACHE)
def extract_task(database_url: str, run_id: str, candidates: frozenset[str], now: datetime,
                 limits: ResumeLimits, workers: int = 1) -> tuple[int, tuple[Quarantined, ...]]:
    engine = store_stage.open_store(database_url)
    failed: list[Quarantined] = []
    try:
        done = nightly_stage.extract_pending(engine, build_nlp(), now, candidates=candidates,
                                             limits=limits, failed=failed, workers=workers)
        nightly_stage.store_quarantined(engine, run_id, failed, now)
    finally:
        engine.dispose()
    _stage_done("extract", f"{done} resumes extracted, {len(failed)} quarantined")
    return done, tuple(failed)


@task(name="extract-chunk", cache_policy=NO_CACHE, retries=1)
def extract_chunk_task(rows: list[nightly_stage.PendingVersion], limits: ResumeLimits
                       ) -> tuple[list[tuple[int, str, str, dict[str, Any]]],
                                  list[Quarantined]]:
    # Runs on a Dask worker: no database, only the rows it is handed (redacted text).
    return nightly_stage.extract_chunk(rows, build_nlp(), limits)


def _extract_on_cluster(database_url: str, run_id: str, candidates: frozenset[str],
                        now: datetime, limits: ResumeLimits) -> tuple[int, tuple[Quarantined, ...]]:
    """The extract stage with its chunks as tasks on the flow's (Dask) task runner; this
    process reads the pending versions and stores each chunk's evidence as it comes back."""
    engine = store_stage.open_store(database_url)
    failed: list[Quarantined] = []
    done = 0
    try:
        version = extractor_version(build_nlp())
        pending = nightly_stage.pending_versions(engine, version, candidates)
        size = nightly_stage.EXTRACT_BATCH
        futures = [extract_chunk_task.submit(pending[i:i + size], limits)
                   for i in range(0, len(pending), size)]
        for future in futures:
            extracted, lost = future.result()
            failed.extend(lost)
            done += nightly_stage.store_extractions(engine, version, extracted, now)
        nightly_stage.store_quarantined(engine, run_id, failed, now)
    finally:
        engine.dispose()
    _stage_done("extract", f"{done} resumes extracted, {len(failed)} quarantined")
    return done, tuple(failed)


def score_batch_on(dask_scheduler: str | None) -> Any:
    """``score_batch``, with its extraction chunks run on the Dask cluster whose scheduler is
    at ``dask_scheduler`` (``tcp://HOST:8786``) when given; call it with the same address."""
    if not dask_scheduler:
        return score_batch
    from prefect_dask import DaskTaskRunner

    return score_batch.with_options(  # prefect-dask types its runner loosely
        task_runner=DaskTaskRunner(address=dask_scheduler))  # type: ignore[arg-type]


@task(name="score", cache_policy=NO_CACHE, retries=2, retry_delay_seconds=2)
def score_task(database_url: str, run_id: str, candidates: frozenset[str], rubric: Rubric,
               as_of: date, now: datetime) -> tuple[list[ScoredCandidate], tuple[Quarantined, ...]]:
    # Scores are stored in the same transaction that checks the tombstones.
    engine = store_stage.open_store(database_url)
    failed: list[Quarantined] = []
    try:
        evidence = nightly_stage.latest_evidence(engine, extractor_version(build_nlp()),
                                                 candidates)
        ranked = nightly_stage.score_rubric(engine, run_id, evidence, rubric, as_of, now,
                                            failed=failed)
        nightly_stage.store_quarantined(engine, run_id, failed, now)
    finally:
        engine.dispose()
    _stage_done("score", f"{len(ranked)} scored against {rubric.name} {rubric.version}")
    return ranked, tuple(failed)


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
    workers: int = 1,
    dask_scheduler: str | None = None,
) -> RunSummary:
    """Score a folder of resumes against one rubric and write the ranked shortlist CSV.

    The nightly run's machinery applied to one source and one rubric: the same ingest behind
    the PII guard, the same content-hash versions (an unchanged resume is not extracted
    again), the same reason codes, batched writes, run record and audit entries. The
    shortlist holds this folder's candidates only. The rubric is validated before any resume
    is read. ``as_of`` (default: today, UTC) ends roles that run to "present". Erased
    candidates are skipped (and counted); the run and its export are recorded in the audit
    log as ``actor`` (default: the OS user). ``workers`` > 1 extracts in that many local
    worker processes (started with forkserver: safe beside the flow's threads); the
    shortlist is the same. ``dask_scheduler`` (run the flow from ``score_batch_on(address)``)
    sends the extraction chunks to that Dask cluster instead; the shortlist is the same.
    """
    rubric = load_rubric(rubric_path)
    limit_settings = retention.load_settings(config_file()).limits
    limits = limit_settings.resume_limits()
    now = datetime.now(UTC)
    as_of = as_of or now.date()
    actor = actor or audit_log.default_actor()
    run_id = uuid.uuid4().hex
    engine = store_stage.open_store(database_url)
    try:
        extractor = extractor_version(build_nlp())
        # A task that raises ends the run as failed, with an audit entry, and is re-raised.
        with runs.recorded(engine, run_id, actor=actor, kind="score", source=str(source),
                           rubric=rubric.name, rubric_version=rubric.version,
                           extractor_version=extractor, started_at=now,
                           age_limit=timedelta(hours=limit_settings.run_age_limit_hours)):
            outputs = (out, export_stage.quarantine_path(out))
            staged = ingest_task(database_url, source, outputs, run_id, now, limits)
            candidates = frozenset(cid for cid, _, _ in staged.documents)
            if dask_scheduler:
                extracted, unextracted = _extract_on_cluster(database_url, run_id, candidates,
                                                             now, limits)
            else:
                extracted, unextracted = extract_task(database_url, run_id, candidates, now,
                                                      limits, workers)
            ranked, unscored = score_task(database_url, run_id, candidates, rubric, as_of, now)
            staged = replace(staged, quarantined=(*staged.quarantined, *unextracted, *unscored))
            # An erasure since ingestion wins: the store left the candidate out, and so does
            # the export; their inputs count as erased, skipped.
            erased = erase_stage.tombstone_check(engine, secret_key)
            staged = nightly_stage.without_erased(staged, erased)
            ranked, _, _ = erase_stage.drop_erased(ranked, [], erased)
            shortlist, quarantine_file = export_task(ranked, list(staged.quarantined), out,
                                                     now, top)
            summary = RunSummary(
                run_id=run_id, inputs=staged.inputs, scored=len(ranked),
                quarantined=len(staged.quarantined),
                shortlist=shortlist, quarantine_file=quarantine_file, rubric=rubric.name,
                rubric_version=rubric.version,
                top=tuple((c.candidate_id, c.score) for c in ranked[:5]),
                erased_skipped=staged.erased_skipped, new=staged.new, changed=staged.changed,
                unchanged=staged.unchanged, extracted=extracted,
                redactions=dict(staged.redactions),
                failed=internal_failures(staged.quarantined),
            )
            runs.finish_score(engine, summary, actor=actor, started=now, source=str(source),
                              extractor=extractor, input_hashes=list(staged.input_hashes))
    finally:
        engine.dispose()
    return summary


# --- the nightly flow ----------------------------------------------------------------------

#: The run lock's name: one nightly run per database at a time.
NIGHTLY_LOCK = "nightly"


def _transient(_task: object, _run: object, state: State) -> bool:
    """Retry only what may work next time (S3 timeouts, throttling), not a bad config."""
    return isinstance(state.data, TransientSourceError)


@task(name="nightly-ingest", cache_policy=NO_CACHE, retries=3,
      retry_delay_seconds=exponential_backoff(backoff_factor=2), retry_condition_fn=_transient)
def nightly_ingest_task(database_url: str, settings: NightlySettings, run_id: str,
                        now: datetime, limits: ResumeLimits) -> Staged:
    engine = store_stage.open_store(database_url)
    try:
        staged = nightly_stage.stage_inputs(engine, nightly_stage.read_sources(settings, limits),
                                            run_id, now)
    finally:
        engine.dispose()
    progress.info("ingest: %d inputs, %d new, %d changed, %d unchanged, %d quarantined",
                  staged.inputs, staged.new, staged.changed, staged.unchanged,
                  len(staged.quarantined))
    return staged


@task(name="nightly-extract", cache_policy=NO_CACHE)
def nightly_extract_task(database_url: str, run_id: str, now: datetime,
                         limits: ResumeLimits) -> tuple[int, tuple[Quarantined, ...]]:
    engine = store_stage.open_store(database_url)
    failed: list[Quarantined] = []
    try:
        done = nightly_stage.extract_pending(engine, build_nlp(), now, limits=limits,
                                             failed=failed)
        nightly_stage.store_quarantined(engine, run_id, failed, now)
    finally:
        engine.dispose()
    progress.info("extract: %d resumes, %d quarantined", done, len(failed))
    return done, tuple(failed)


@task(name="nightly-score-export", cache_policy=NO_CACHE)
def nightly_score_task(database_url: str, run_id: str, rubric_paths: tuple[Path, ...],
                       out_dir: Path, quarantined: tuple[Quarantined, ...], as_of: date,
                       now: datetime, last_exports: dict[str, str],
                       top: int) -> tuple[RubricOutcome, ...]:
    # The evidence is loaded and scored inside this task; only outcomes leave it.
    engine = store_stage.open_store(database_url)
    try:
        return nightly_export.score_and_export(
            engine, run_id, extractor_version(build_nlp()), rubric_paths, out_dir,
            quarantined, as_of, now, last_exports, top)
    finally:
        engine.dispose()


@task(name="nightly-reuse", cache_policy=NO_CACHE)
def nightly_reuse_task(database_url: str, rubric_paths: tuple[Path, ...], out_dir: Path,
                       quarantined: tuple[Quarantined, ...], as_of: date,
                       top: int) -> tuple[RubricOutcome, ...] | None:
    engine = store_stage.open_store(database_url)
    try:
        return nightly_export.reusable_outcomes(engine, extractor_version(build_nlp()),
                                                rubric_paths, out_dir, quarantined, as_of, top)
    finally:
        engine.dispose()


@task(name="nightly-purge", cache_policy=NO_CACHE)
def nightly_purge_task(database_url: str, policy: RetentionPolicy, now: datetime,
                       actor: str) -> dict[str, int]:
    engine = store_stage.open_store(database_url)
    try:
        return retention.purge(engine, policy, now, actor=actor).removed
    finally:
        engine.dispose()


@flow(name="nightly", log_prints=False, validate_parameters=False)
def nightly(config: str | None = None, database_url: str | None = None,
            actor: str | None = None, as_of: date | None = None) -> NightlySummary:
    """Ingest every configured source, extract what is new or changed, rescore every active
    rubric, write each shortlist with its diff against the last complete run, purge what
    retention allows, and publish the top of each shortlist as a table artifact.

    ``config`` is the configuration file (default: ``pipeline.config.config_file()``);
    ``database_url`` defaults to ``pipeline.config.database_url()``; ``as_of`` (default:
    today, UTC) ends roles that run to "present". Holds the ``nightly`` run lock throughout.
    Tasks hand each other ids, paths and counts, never resume text. A re-run the same day
    that finds nothing new, changed or to extract, with the same rubrics and extractor,
    reuses the last complete run's files, which are exactly what it would write.
    """
    settings_all = retention.load_settings(config_file(Path(config) if config else None))
    settings = settings_all.nightly
    limits = settings_all.limits.resume_limits()
    rubric_paths = settings.resolved_rubrics()
    for path in rubric_paths:
        load_rubric(path)  # a bad rubric fails the run before any resume is read
    url = resolve_database_url(database_url)
    actor = actor or audit_log.default_actor()
    now = datetime.now(UTC)
    as_of = as_of or now.date()
    run_id = uuid.uuid4().hex
    engine = store_stage.open_store(url)
    owner = runlock.owner_id(run_id)
    try:
        with runlock.held(engine, NIGHTLY_LOCK, owner,
                          timedelta(minutes=settings.lock_timeout_minutes)):
            extractor = extractor_version(build_nlp())
            # A task that raises ends the run as failed, with an audit entry, and is re-raised.
            with runs.recorded(engine, run_id, actor=actor, kind="nightly",
                               source=runs.describe_sources(settings), rubric="nightly",
                               rubric_version="", extractor_version=extractor,
                               started_at=now, age_limit=timedelta(
                                   hours=settings_all.limits.run_age_limit_hours)):
                last_exports = store_stage.last_complete_exports(engine, "nightly")
                staged = nightly_ingest_task(url, settings, run_id, now, limits)
                extracted, unextracted = nightly_extract_task(url, run_id, now, limits)
                staged = replace(staged, quarantined=staged.quarantined + unextracted)
                out_dir = settings.resolved_out_dir()
                outcomes = None
                if staged.new == staged.changed == extracted == 0:
                    outcomes = nightly_reuse_task(url, rubric_paths, out_dir,
                                                  staged.quarantined, as_of, settings.top)
                if outcomes is None:
                    outcomes = nightly_score_task(url, run_id, rubric_paths, out_dir,
                                                  staged.quarantined, as_of, now,
                                                  last_exports, settings.top)
                purged = nightly_purge_task(url, settings_all.retention, now, actor)
                # Inputs of candidates erased during the run count as erased, skipped.
                staged = nightly_stage.without_erased(
                    staged, erase_stage.tombstone_check(engine, secret_key))
                status = "partial" if staged.quarantined else "complete"
                summary = NightlySummary(run_id, staged, extracted, outcomes, purged, status)
                runs.finish_nightly(engine, summary, actor, now, extractor, as_of)
    finally:
        engine.dispose()
    for outcome in outcomes:
        create_table_artifact(
            key=f"shortlist-{_artifact_key(outcome.rubric)}",
            table=[{"rank": r, "candidate_id": c, "score": round(s, 1)}
                   for r, c, s in outcome.top],
            description=f"Top {len(outcome.top)} of {outcome.scored} for {outcome.rubric} "
                        f"{outcome.rubric_version} (run {run_id[:12]}, {status}); diff: "
                        + ", ".join(f"{k} {v}" for k, v in sorted(outcome.diff_counts.items())))
    return summary


def _artifact_key(name: str) -> str:
    # Artifact keys: lowercase letters, digits and dashes only.
    return re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-") or "rubric"


def nightly_schedule(cron: str, timezone: str) -> Schedule:
    """A Prefect cron schedule; ValueError names what is wrong with ``cron``."""
    return Cron(cron, timezone=timezone)


def serve_nightly(name: str, schedule: Schedule, parameters: dict[str, Any]) -> None:
    """Serve the nightly flow on ``schedule`` until interrupted (KeyboardInterrupt)."""
    nightly.serve(name=name, schedules=[schedule], parameters=parameters)
