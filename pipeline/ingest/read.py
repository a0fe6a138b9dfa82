"""Ingest stage: a source of resume files → decoded documents, and the inputs that were not.

Every input a source yields (``pipeline.ingest.sources``; by default the regular, non-hidden files
directly inside a folder) ends up either as a :class:`SourceDocument` or as a
:class:`Quarantined` with a reason a reviewer can act on and a stable reason code
(``pipeline.errors.REASON_CODES``); one bad input never stops the batch. Formats are read by
``pipeline.ingest.formats``.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path

from pipeline.errors import ResumeFormatError
from pipeline.ingest.decoding import content_hash, decode_resume, normalise_text, normalised_hash
from pipeline.ingest.formats import (
    DEFAULT_LIMITS,
    SUPPORTED_SUFFIXES,
    FormatLimits,
    ResumeText,
    bytes_to_text,
)
from pipeline.ingest.sources import (
    FolderSource,
    Source,
    SourceFailure,
    candidate_id_of,
    list_inputs,
)
from pipeline.isolation import failure
from pipeline.limits import DEFAULT_RESUME_LIMITS, ResumeLimits
from pipeline.records import IngestResult, Quarantined, SourceDocument
from pipeline.textsafe import escape_controls, has_controls

__all__ = [
    "SUPPORTED_SUFFIXES", "IngestResult", "content_hash", "decode_resume", "ingest_folder",
    "ingest_source", "list_inputs", "normalise_text",
]  # fmt: skip

log = logging.getLogger(__name__)


def ingest_source(source: Source, limits: FormatLimits = DEFAULT_LIMITS,
                  resume_limits: ResumeLimits = DEFAULT_RESUME_LIMITS) -> IngestResult:
    """Read every input of ``source`` into documents or quarantine entries.

    Decoded text over ``resume_limits.max_chars`` is ``too_long``. Any other exception while
    one input is read is that input's quarantine (``pipeline.isolation``), never the batch's.

    The candidate id is the item name without its suffix; a name or source with a control
    character is quarantined as ``bad_id`` under its escaped id
    (:func:`pipeline.textsafe.escape_controls`: ``"a\\r=1"`` → ``"a\\x0d=1"``). Two inputs
    with the same candidate id (``a.txt`` and ``a.md``) cannot both be scored: the second
    readable one, in source order, is quarantined as ``duplicate_id``. Raises
    :class:`SourceError` (or its :class:`TransientSourceError`) only when the source as a
    whole cannot be read.
    """
    documents: list[SourceDocument] = []
    quarantined: list[Quarantined] = []
    seen: dict[str, str] = {}
    for entry in source.items(max_bytes=limits.max_bytes):
        candidate_id = candidate_id_of(entry.name)
        if has_controls(entry.name) or has_controls(entry.source_id):
            # Ids are data: a CR would split a CSV row, an ESC rewrite a terminal. The entry
            # keeps the id with its control characters made visible, and is not parsed.
            candidate_id = escape_controls(candidate_id)
            reason = (f"candidate id {candidate_id!r} holds control characters (shown as \\xNN); "
                      "rename the file")
            quarantined.append(Quarantined(candidate_id, escape_controls(entry.source_id),
                                           reason, "bad_id"))
            continue
        try:
            if isinstance(entry, SourceFailure):
                raise entry.error
            text = read_text(entry.data, entry.name, limits, resume_limits)
        except Exception as err:  # noqa: BLE001  (per-resume isolation; see pipeline.isolation)
            quarantined.append(failure(err, "read", candidate_id, entry.source_id))
            continue
        # Only a readable input claims its id, so a corrupt a.docx never blocks a good a.txt.
        if candidate_id in seen:
            reason = f"duplicate candidate id: {seen[candidate_id]} has the same id"
            quarantined.append(Quarantined(candidate_id, entry.source_id, reason, "duplicate_id"))
            continue
        seen[candidate_id] = entry.source_id
        documents.append(SourceDocument(
            candidate_id=candidate_id,
            source=entry.source_id,
            text=text.text,
            content_hash=normalised_hash(text.text),  # bytes_to_text normalised it
            encoding=text.encoding,
        ))
    return IngestResult(tuple(documents), tuple(quarantined))


def read_text(data: bytes, name: str, limits: FormatLimits = DEFAULT_LIMITS,
              resume_limits: ResumeLimits = DEFAULT_RESUME_LIMITS) -> ResumeText:
    """One input's bytes → its text (``bytes_to_text``), or ``too_long`` over
    ``resume_limits.max_chars`` characters; raises :class:`ResumeFormatError`.

    No text encoding spends more than 4 bytes on a character, so a ``.txt`` or ``.md`` file
    of more bytes than that is ``too_long`` without being decoded: a 1 MB line costs no more
    than a 1 KB one.
    """
    plain = name.lower().endswith((".txt", ".md"))
    if plain and 4 * resume_limits.max_chars < len(data) <= limits.max_bytes:
        raise ResumeFormatError(
            name, f"text too long ({len(data):,} bytes: over {resume_limits.max_chars:,} "
            "characters in any encoding)", code="too_long")
    text = bytes_to_text(data, name, limits)
    check_length(text.text, name, resume_limits)
    return text


def check_length(text: str, name: str, limits: ResumeLimits = DEFAULT_RESUME_LIMITS) -> None:
    """Raise ``too_long`` when decoded ``text`` has more than ``limits.max_chars`` characters.

    >>> check_length("x" * 11, "cv.txt", ResumeLimits(max_chars=10))
    Traceback (most recent call last):
    pipeline.errors.ResumeFormatError: cv.txt: text too long (11 characters; the limit is 10)
    """
    if len(text) > limits.max_chars:
        raise ResumeFormatError(
            name, f"text too long ({len(text):,} characters; the limit is {limits.max_chars:,})",
            code="too_long")


def ingest_folder(
    folder: Path, exclude: Iterable[Path] = (), limits: FormatLimits = DEFAULT_LIMITS,
    resume_limits: ResumeLimits = DEFAULT_RESUME_LIMITS,
) -> IngestResult:
    """Read every input file of ``folder`` into documents or quarantine entries.

    ``exclude`` names files that are not resumes even if they sit in the folder (for example
    the shortlist being written into it). Same rules as :func:`ingest_source` over a
    :class:`~pipeline.ingest.sources.FolderSource`.
    """
    return ingest_source(FolderSource(folder, exclude), limits, resume_limits)
