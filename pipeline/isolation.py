"""Per-resume isolation: an exception while one resume is read, parsed, extracted or scored
quarantines that resume, and the batch goes on.

The stages call :func:`failure` from the one ``except`` around the work on a single resume:

- a :class:`~pipeline.errors.ResumeFormatError` is the input's fault; it keeps its own code
  (``corrupt``, ``too_long``, …) and is logged at INFO;
- any other exception is *not* the input's fault in a way we foresaw: a library failing on it
  or a bug of ours. It is quarantined with the stage's code (:data:`STAGE_CODES`:
  ``read_failed``, ``parse_failed``, ``extract_failed``, ``score_failed``) and the reason
  ``"<stage> failed: <ExceptionClass>: <first line>"``, logged at ERROR with its traceback,
  and counted: :func:`internal_failures` tells the flows and the CLI, which mark the run
  ``partial`` and exit 3 even without ``--strict``. The hostile-input tests assert that no
  such code appears, so a bug of ours reached by any input fails them.

Only failures of the infrastructure (the database, the output folder) stop a run; they are
never raised per resume and are not caught here.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Literal

from pipeline.errors import ReasonCode, ResumeFormatError
from pipeline.records import Quarantined

__all__ = ["STAGE_CODES", "Stage", "failure", "internal_failures"]

log = logging.getLogger(__name__)

Stage = Literal["read", "parse", "extract", "score"]
STAGE_CODES: dict[Stage, ReasonCode] = {
    "read": "read_failed", "parse": "parse_failed", "extract": "extract_failed",
    "score": "score_failed",
}  # fmt: skip
_MAX_REASON = 300


def failure(err: Exception, stage: Stage, candidate_id: str, source: str) -> Quarantined:
    """The quarantine entry for ``err``, raised by ``stage`` on one resume (logged here)."""
    if isinstance(err, ResumeFormatError):
        log.info("quarantined %s: %s", source, err.reason)
        return Quarantined(candidate_id, source, err.reason, err.code)
    lines = str(err).strip().splitlines()
    detail = f"{type(err).__name__}: {lines[0]}" if lines else type(err).__name__
    reason = f"{stage} failed: {detail}"
    if len(reason) > _MAX_REASON:
        reason = reason[:_MAX_REASON - 1] + "…"
    log.error("%s: %s failed on this resume; it is quarantined (%s) and the batch goes on",
              source, stage, STAGE_CODES[stage], exc_info=err)
    return Quarantined(candidate_id, source, reason, STAGE_CODES[stage])


def internal_failures(quarantined: Iterable[Quarantined]) -> int:
    """How many entries of ``quarantined`` are failures of a stage, not of the input."""
    codes = set(STAGE_CODES.values())
    return sum(1 for q in quarantined if q.code in codes)
