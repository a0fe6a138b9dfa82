"""Ingest stage: a folder of resume files → decoded documents, and the inputs that were not.

Every regular, non-hidden file directly inside the folder is an input. Each one ends up either
as a :class:`SourceDocument` or as a :class:`Quarantined` with a reason a reviewer can act on;
one bad file never stops the batch.
"""

from __future__ import annotations

import hashlib
import logging
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import ResumeFormatError, SourceError
from pipeline.records import Quarantined, SourceDocument

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md")

# Byte-order marks, longest first: a UTF-32 LE BOM starts with the UTF-16 LE one.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)

# Share of control characters above which decoded "text" is really binary data.
_MAX_CONTROL_SHARE = 0.05


@dataclass(frozen=True)
class IngestResult:
    """What ingest made of a source: the documents to score and the inputs set aside."""

    documents: tuple[SourceDocument, ...]
    quarantined: tuple[Quarantined, ...]

    @property
    def inputs(self) -> int:
        return len(self.documents) + len(self.quarantined)


def normalise_text(text: str) -> str:
    """Unicode NFC, ``\\n`` line endings, no trailing spaces, no leading/trailing blank lines.

    >>> normalise_text("Led it\\r\\n\\r\\nShipped it  ")
    'Led it\\n\\nShipped it'
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text."""
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


def decode_resume(data: bytes, source: str) -> tuple[str, str]:
    """Decode resume bytes to ``(text, encoding)``.

    Tries a byte-order mark, then strict UTF-8, then cp1252 (what legacy Windows editors save).
    Raises :class:`ResumeFormatError` for an empty file, binary data, or bytes that decode to
    no text.
    """
    if not data:
        raise ResumeFormatError(source, "empty file")
    text, encoding = _decode(data, source)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ResumeFormatError(source, "binary content, not text")
    if not normalise_text(text).strip():
        raise ResumeFormatError(source, "no text content (only whitespace)")
    return text, encoding


def _decode(data: bytes, source: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise ResumeFormatError(source, f"invalid {encoding} after its BOM") from err
    if b"\x00" in data:
        # NUL bytes without a BOM: binary, not a text encoding we can trust.
        raise ResumeFormatError(source, "binary content, not text")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ResumeFormatError(source, "bytes are neither UTF-8, UTF-16 nor cp1252 text")


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    controls = sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
        and ch not in "\n\r\t\f"
    )
    return controls / len(text)


def read_document(path: Path) -> SourceDocument:
    """Read and decode one resume file; raises :class:`ResumeFormatError` when it cannot."""
    source = str(path)
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = suffix or "no extension"
        raise ResumeFormatError(
            source,
            f"unsupported format ({shown}); supported: {', '.join(SUPPORTED_SUFFIXES)}",
        )
    try:
        data = path.read_bytes()
    except OSError as err:
        raise ResumeFormatError(source, f"unreadable file ({err.strerror})") from err
    text, encoding = decode_resume(data, source)
    text = normalise_text(text)
    return SourceDocument(
        candidate_id=path.stem,
        source=source,
        text=text,
        content_hash=content_hash(text),
        encoding=encoding,
    )


def list_inputs(folder: Path) -> list[Path]:
    """The input files of a folder, sorted by name: regular files not starting with a dot."""
    if not folder.is_dir():
        raise SourceError(f"{folder}: not a folder (expected a folder of .txt or .md resumes)")
    return sorted(
        (p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")),
        key=lambda p: p.name,
    )


def ingest_folder(folder: Path, exclude: Iterable[Path] = ()) -> IngestResult:
    """Read every input file of ``folder`` into documents or quarantine entries.

    ``exclude`` names files that are not resumes even if they sit in the folder (for example
    the shortlist being written into it). Two files with the same candidate id (``a.txt`` and
    ``a.md``) cannot both be scored: the second, by name order, is quarantined.
    """
    skipped = {p.resolve() for p in exclude}
    documents: list[SourceDocument] = []
    quarantined: list[Quarantined] = []
    seen: dict[str, str] = {}
    for path in list_inputs(folder):
        if path.resolve() in skipped:
            continue
        candidate_id = path.stem
        if candidate_id in seen:
            reason = f"duplicate candidate id: {seen[candidate_id]} has the same file name stem"
            quarantined.append(Quarantined(candidate_id, str(path), reason))
            continue
        seen[candidate_id] = str(path)
        try:
            documents.append(read_document(path))
        except ResumeFormatError as err:
            log.info("quarantined %s: %s", path, err.reason)
            quarantined.append(Quarantined(candidate_id, str(path), err.reason))
    return IngestResult(tuple(documents), tuple(quarantined))
