"""The nightly run's shortlists: per rubric, score and export with a diff, or reuse the last
complete run's files when they are exactly what this run would write.

No Prefect here (``pipeline.runs.flows`` wraps these as tasks). Each rubric's part of a run is a
:class:`RubricOutcome`: the files it wrote with their SHA-256, and its top rows for the
Prefect artifact.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from pipeline.config import secret_key
from pipeline.export import shortlist as export_stage
from pipeline.hashing import file_sha256
from pipeline.privacy.erase import drop_erased, tombstone_check
from pipeline.records import Quarantined
from pipeline.runs import nightly as nightly_stage
from pipeline.score.rubric import load_rubric
from pipeline.store import db as store_stage

progress = logging.getLogger("pipeline.progress")


@dataclass(frozen=True)
class RubricOutcome:
    """One rubric's part of a nightly run: its files (path → SHA-256) and its top rows."""

    rubric: str
    rubric_version: str
    shortlist: Path
    files: dict[str, str]
    scored: int
    top: tuple[tuple[int, str, float], ...]
    diff_counts: dict[str, int]


def score_and_export(engine: Engine, run_id: str, extractor: str,
                     rubric_paths: tuple[Path, ...], out_dir: Path,
                     quarantined: tuple[Quarantined, ...], as_of: date, now: datetime,
                     last_exports: dict[str, str], top: int,
                     key: Callable[[], bytes] = secret_key) -> tuple[RubricOutcome, ...]:
    """Score the latest evidence of every candidate (by ``extractor``) against each rubric,
    store the scores and write ``out_dir/RUBRIC.csv`` with its quarantine CSV and its diff
    against the file the last complete run recorded in ``last_exports``. The tombstones
    (under ``key``) are checked again before each rubric's files are written: a candidate
    erased since the scores were stored is not exported."""
    outcomes = []
    # Loaded once for every rubric.
    evidence = nightly_stage.latest_evidence(engine, extractor)
    for rubric_path in rubric_paths:
        rubric = load_rubric(rubric_path)
        failed: list[Quarantined] = []
        ranked = nightly_stage.score_rubric(engine, run_id, evidence, rubric, as_of, now,
                                              key, failed)
        ranked, kept_quarantined, _ = drop_erased(ranked, (*quarantined, *failed),
                                                  tombstone_check(engine, key))
        out = (out_dir / f"{rubric_path.stem}.csv").resolve()
        paths = export_stage.export_with_diff(ranked, kept_quarantined, out, now,
                                              last_exports.get(str(out)))
        outcomes.append(outcome(rubric.name, rubric.version, paths, len(ranked), top))
        progress.info("score: %d scored against %s %s", len(ranked), rubric.name,
                      rubric.version)
    return tuple(outcomes)


def reusable_outcomes(engine: Engine, extractor: str, rubric_paths: tuple[Path, ...],
                      out_dir: Path, quarantined: tuple[Quarantined, ...], as_of: date,
                      top: int) -> tuple[RubricOutcome, ...] | None:
    """The last complete run's outcomes if this run would write exactly its files: nothing
    new, changed or extracted (checked by the caller), the same day, the same rubric and
    extractor versions, the same quarantine, and every file still as it recorded."""
    last = store_stage.last_complete_run(engine, "nightly")
    # A run killed after storing versions or evidence leaves rows newer than ``last``.
    touched = last is None or store_stage.stored_since(engine, last.started_at)
    rubrics = {r.name: r.version for r in map(load_rubric, rubric_paths)}
    if (last is None or touched or last.as_of != as_of or last.rubrics != rubrics
            or last.extractor_version != extractor):
        return None
    exports = dict(last.exports or {})
    quarantine_csv = export_stage.quarantine_frame(quarantined).to_csv(index=False)
    outcomes = []
    for path, (name, version) in zip(rubric_paths, rubrics.items(), strict=True):
        out = (out_dir / f"{path.stem}.csv").resolve()
        paths = (out, export_stage.quarantine_path(out), export_stage.diff_path(out))
        if any(not p.is_file() or exports.get(str(p)) != file_sha256(p)
               for p in paths):
            return None
        if paths[1].read_text(encoding="utf-8") != quarantine_csv:
            return None
        scored = sum(1 for _ in out.open(encoding="utf-8")) - 1
        outcomes.append(outcome(name, version, paths, scored, top))
    return tuple(outcomes)


def outcome(rubric: str, version: str, paths: tuple[Path, Path, Path], scored: int,
            top: int) -> RubricOutcome:
    """A rubric's outcome from the files written: (shortlist, quarantine, diff)."""
    head = export_stage.read_shortlist(paths[0], nrows=top,
                                       usecols=["rank", "candidate_id", "score"])
    diff = export_stage.read_shortlist(paths[2], usecols=["change"])
    return RubricOutcome(
        rubric=rubric, rubric_version=version, shortlist=paths[0],
        files={str(p): file_sha256(p) for p in paths}, scored=scored,
        top=tuple((int(r), c, float(v)) for r, c, v in head.itertuples(index=False)),
        diff_counts={str(k): int(v) for k, v in diff["change"].value_counts().items()})
