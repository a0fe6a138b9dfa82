"""Sources: where resumes come from → ``(source_id, name, bytes)`` items, one per input.

A :class:`Source` yields a :class:`SourceItem` for every input it could read and a
:class:`SourceFailure` for every input it knows is bad before any format is parsed (over the
size limit, unreadable, a bad line of an export), so that each input is accounted for and one
bad input never stops the rest. ``name`` is a file name (no directories) whose stem is the
candidate id and whose suffix picks the format (``pipeline.ingest.formats``); ``source_id`` says
where
the input is (a path, ``s3://bucket/key``, ``export.jsonl:12``).

A source that cannot be read at all raises :class:`SourceError`; one that may work if retried
(S3 timeouts, throttling, 5xx) raises :class:`TransientSourceError`, which a flow can retry.

Three sources:

- :class:`FolderSource`: the regular, non-hidden files directly in a folder, by name.
- :class:`~pipeline.ingest.s3.S3Source` (in :mod:`pipeline.ingest.s3`, so that only an S3
  source loads botocore): the objects under a bucket prefix (boto3, paginated
  ``list_objects_v2``); ``endpoint_url`` points it at another S3 implementation (moto, MinIO).
- :class:`JsonLinesSource`: an applicant-tracking-system export, one JSON object per line with
  an ``"id"`` (string or integer) and a ``"text"``; other keys are ignored. Blank lines are
  skipped. Each line becomes ``SourceItem("export.jsonl:12", "<id>.json", <line bytes>)``.
"""

from __future__ import annotations

import json
import logging
import re
import stat
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, NamedTuple, Protocol

from pipeline.errors import ResumeFormatError, SourceError
from pipeline.ingest.boundary import TooLarge, read_entry
from pipeline.ingest.formats import (
    JSON_ID_KEY,
    SUPPORTED_SUFFIXES,
    check_supported,
    parse_json_resume,
    too_large,
)

log = logging.getLogger(__name__)

#: A candidate id from an export: it becomes a file name stem, so no separators, no dot first.
_EXPORT_ID_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.@+-]{0,127}")


class SourceItem(NamedTuple):
    """One input read from a source: where it is, its file name, its bytes."""

    source_id: str
    name: str
    data: bytes


class SourceFailure(NamedTuple):
    """One input the source could not hand over, with the error to quarantine it with."""

    source_id: str
    name: str
    error: ResumeFormatError


class Source(Protocol):
    """Anything that yields the inputs of one batch."""

    def items(self, max_bytes: int | None = None) -> Iterator[SourceItem | SourceFailure]:
        """Every input, in a stable order. Inputs over ``max_bytes`` are ``too_large``
        failures and are not read."""
        ...


def candidate_id_of(name: str) -> str:
    """A source item's name → its candidate id: the name without its last suffix.

    >>> candidate_id_of("jane.doe.pdf"), candidate_id_of("README")
    ('jane.doe', 'README')
    """
    stem, dot, _ = name.rpartition(".")
    return stem if dot and stem else name


def too_large_failure(source_id: str, name: str, size: int, max_bytes: int) -> SourceFailure:
    """The failure of an input over the size limit, found before it is read."""
    return SourceFailure(source_id, name, too_large(name, size, max_bytes))


def unreadable_failure(source_id: str, name: str, why: str) -> SourceFailure:
    """The failure of an input the source listed but could not hand over (``why``)."""
    error = ResumeFormatError(name, f"unreadable file ({why})", code="unreadable")
    return SourceFailure(source_id, name, error)


# --- a local folder -----------------------------------------------------------------------


def list_inputs(folder: Path) -> list[Path]:
    """The entries of a folder that may be inputs, sorted by name: every entry not starting
    with a dot (directories included; :func:`~pipeline.ingest.boundary.read_entry` decides)."""
    if not folder.is_dir():
        raise SourceError(
            f"{folder}: not a folder (expected a folder of {', '.join(SUPPORTED_SUFFIXES)} "
            "resumes)"
        )
    return sorted((p for p in folder.iterdir() if not p.name.startswith(".")),
                  key=lambda p: p.name)


class FolderSource:
    """The regular, non-hidden files directly in ``folder``, by name; ``exclude`` names files
    that are not inputs even if they sit there (the shortlist being written into it).

    Symlinks out of the folder, FIFOs, sockets and devices are failures
    (``outside_source``, ``not_regular``: see :mod:`pipeline.ingest.boundary`), never read."""

    def __init__(self, folder: Path, exclude: Iterable[Path] = ()) -> None:
        self.folder = folder
        self.exclude = tuple(exclude)

    def items(self, max_bytes: int | None = None) -> Iterator[SourceItem | SourceFailure]:
        skipped = {p.resolve() for p in self.exclude}
        root = self.folder.resolve()
        for path in list_inputs(self.folder):
            if path.resolve() in skipped:
                continue
            if path.is_dir():
                continue  # not an input
            source_id = str(path)
            try:
                check_supported(path.name)
            except ResumeFormatError as err:
                yield SourceFailure(source_id, path.name, err)
                continue
            data = read_entry(root, path, max_bytes)
            if data is None:
                continue  # it became a folder since the listing
            if isinstance(data, ResumeFormatError):
                yield SourceFailure(source_id, path.name, data)
                continue
            if isinstance(data, TooLarge) or (max_bytes is not None and len(data) > max_bytes):
                size = int(data) if isinstance(data, TooLarge) else len(data)
                yield too_large_failure(source_id, path.name, size, max_bytes or 0)
                continue
            yield SourceItem(source_id, path.name, data)


# --- a JSON Lines export ------------------------------------------------------------------


class JsonLinesSource:
    """One resume per line of a JSON Lines export: ``{"id": "c-17", "text": "..."}``.

    A line that is not JSON (``corrupt``), lacks a usable ``id`` or ``text`` (``bad_record``)
    or is over the size limit (``too_large``, never read whole) is a failure whose source is
    ``path:line``; the other lines carry on.
    """

    def __init__(self, path: Path) -> None:
        self.path = path

    def items(self, max_bytes: int | None = None) -> Iterator[SourceItem | SourceFailure]:
        try:
            if not stat.S_ISREG(self.path.stat().st_mode):  # a FIFO or device: never opened
                raise SourceError(f"{self.path}: not a regular file; expected a JSON Lines "
                                  "export file")
            handle = self.path.open("rb")
        except OSError as err:
            raise SourceError(
                f"{self.path}: cannot open the JSON Lines export ({err.strerror})"
            ) from err
        with handle:
            for number, line, size in _lines(handle, max_bytes):
                where = f"{self.path}:{number}"
                if line is None:
                    yield too_large_failure(where, f"line {number}", size, max_bytes or 0)
                elif line.strip():
                    yield _line_item(where, number, line)


def _lines(handle: IO[bytes], max_bytes: int | None) -> Iterator[tuple[int, bytes | None, int]]:
    """``(line number, line or None when over max_bytes, size)``; never holds a long line."""
    number = 0
    while True:
        number += 1
        line = handle.readline() if max_bytes is None else handle.readline(max_bytes + 1)
        if not line:
            return
        if max_bytes is None or len(line.rstrip(b"\r\n")) <= max_bytes:
            yield number, line, len(line)
            continue
        size = len(line)
        while not line.endswith(b"\n"):  # skip the rest of the long line in bounded chunks
            line = handle.readline(max_bytes + 1)
            if not line:
                break
            size += len(line)
        yield number, None, size


def _line_item(where: str, number: int, line: bytes) -> SourceItem | SourceFailure:
    label = f"line {number}"
    try:
        obj = json.loads(line.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as err:
        reason = f"line {number} is not JSON ({err})"
        return SourceFailure(where, label, ResumeFormatError(where, reason, code="corrupt"))
    raw_id = obj.get(JSON_ID_KEY) if isinstance(obj, dict) else None
    if isinstance(raw_id, bool) or not isinstance(raw_id, str | int):
        reason = f"line {number}: expected {JSON_ID_KEY!r} to be a string or an integer"
        return SourceFailure(where, label, ResumeFormatError(where, reason, code="bad_record"))
    candidate_id = str(raw_id)
    if not _EXPORT_ID_RE.fullmatch(candidate_id):
        reason = (f"line {number}: {JSON_ID_KEY!r} must be 1-128 letters, digits or _.@+- "
                  "and not start with a dot")
        return SourceFailure(where, label, ResumeFormatError(where, reason, code="bad_record"))
    name = f"{candidate_id}.json"
    try:
        parse_json_resume(obj, where)
    except ResumeFormatError as err:
        return SourceFailure(where, name, err)
    return SourceItem(where, name, line)
