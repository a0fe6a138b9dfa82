"""Resume file formats: bytes + file name → text, or a :class:`ResumeFormatError` with a code.

The suffix of the file name picks the reader:

- ``.txt``, ``.md``: decoded by :func:`pipeline.ingest.decoding.decode_resume` (BOM, UTF-8, cp1252;
  ingest re-exports it).
- ``.pdf``: the text layer, page by page (pypdf). A PDF without one (a scan) is ``no_text_pdf``;
  one that needs a password is ``encrypted_pdf`` (a PDF encrypted with an *empty* user
  password, i.e. only restricted against editing, opens like any other).
- ``.docx``: paragraphs and table rows in document order (python-docx); list paragraphs get a
  ``• `` so the parser sees bullets. The zip's central directory is checked *before* anything
  is expanded: too many members, too much declared uncompressed data or a too-high compression
  ratio is ``zip_bomb``. (Python's zipfile stops at the declared size, so a member that lies
  about it fails its CRC instead of expanding further.) Headers and footers are not read.
- ``.json``: one object, :data:`JSON_TEXT_KEY` (``"text"``, a non-empty string) required;
  every other key (``"id"``, names, e-mails an ATS adds) is ignored and never kept. The
  candidate id of a ``.json`` file is its file name, like any other file; the JSON Lines
  source (``pipeline.ingest.sources``) reads :data:`JSON_ID_KEY` (``"id"``) from each line instead.

Every file larger than :attr:`FormatLimits.max_bytes` is ``too_large`` before it is parsed.

>>> bytes_to_text(b"Led the migration\\r\\n", "cv.txt").text
'Led the migration'
>>> bytes_to_text(b'{"id": 7, "text": "Led it"}', "cv.json")
ResumeText(text='Led it', encoding='json')
"""

from __future__ import annotations

import io
import json
import logging
import struct
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import PurePath

import docx
from docx.opc.exceptions import OpcError
from docx.table import Table
from lxml.etree import LxmlError
from pypdf import PasswordType, PdfReader
from pypdf.errors import PdfReadError, PyPdfError

from pipeline.errors import ResumeFormatError
from pipeline.ingest.decoding import decode_resume, normalise_text

log = logging.getLogger(__name__)

SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".md", ".pdf", ".docx", ".json")
JSON_TEXT_KEY = "text"
JSON_ID_KEY = "id"
DEFAULT_MAX_BYTES = 5 * 1024 * 1024

# pypdf reports malformed input with its own errors but also, from deep inside its parsers,
# with these built-in ones. Caught only around pypdf's own calls (``_damaged_pdf``), where they
# mean "this file is damaged"; raised by our code around them they are bugs, and propagate.
_PDF_ERRORS: tuple[type[BaseException], ...] = (
    PyPdfError, ValueError, KeyError, IndexError, TypeError, AttributeError, AssertionError,
    RecursionError, OSError, zlib.error, struct.error,
)  # fmt: skip
# python-docx: a missing part is a KeyError; bad XML is lxml's XMLSyntaxError, which is a
# SyntaxError, not a ValueError (an undefined namespace prefix stopped whole runs: issue 15).
_DOCX_ERRORS: tuple[type[BaseException], ...] = (
    OpcError, LxmlError, ValueError, KeyError, IndexError, TypeError, AttributeError, OSError,
    zlib.error, zipfile.BadZipFile, NotImplementedError, EOFError,
)  # fmt: skip


@dataclass(frozen=True)
class FormatLimits:
    """Limits that keep one hostile file from exhausting memory or time.

    ``max_bytes`` applies to every file as stored; the ``docx_*`` limits to what a ``.docx``
    declares it expands to; ``max_pdf_pages`` to the page count of a PDF. The compression ratio
    is only checked for members declaring at least ``docx_ratio_floor`` bytes, because tiny
    members (an empty XML part) have meaningless ratios.
    """

    max_bytes: int = DEFAULT_MAX_BYTES
    max_pdf_pages: int = 50
    docx_max_uncompressed: int = 50 * 1024 * 1024
    docx_max_ratio: float = 100.0
    docx_ratio_floor: int = 64 * 1024
    docx_max_members: int = 1000


DEFAULT_LIMITS = FormatLimits()


@dataclass(frozen=True)
class ResumeText:
    """Normalised resume text and how it was obtained (a text encoding, ``pdf``, ``docx``,
    ``json``)."""

    text: str
    encoding: str


def check_supported(name: str) -> str:
    """The lower-case suffix of ``name`` if trajectory reads that format, else a
    :class:`ResumeFormatError` with code ``unsupported_format``. Sources call it before
    reading a file, so a file that is not a resume (a demographics CSV) is never opened."""
    suffix = PurePath(name).suffix.lower()
    if suffix not in _READERS:
        shown = suffix or "no extension"
        raise ResumeFormatError(
            name,
            f"unsupported format ({shown}); supported: {', '.join(SUPPORTED_SUFFIXES)}",
            code="unsupported_format",
        )
    return suffix


def bytes_to_text(data: bytes, name: str, limits: FormatLimits = DEFAULT_LIMITS) -> ResumeText:
    """Bytes of one resume file named ``name`` → its normalised text.

    ``name`` is used for the suffix and in error messages. Raises :class:`ResumeFormatError`
    whose ``code`` is one of ``unsupported_format``, ``empty``, ``too_large``, ``binary``,
    ``no_text``, ``corrupt``, ``encrypted_pdf``, ``no_text_pdf``, ``zip_bomb``, ``bad_record``.
    """
    reader = _READERS[check_supported(name)]
    if not data:
        raise ResumeFormatError(name, "empty file", code="empty")
    check_size(len(data), name, limits)
    text, encoding = reader(data, name, limits)
    return ResumeText(normalise_text(text), encoding)


def check_size(size: int, name: str, limits: FormatLimits = DEFAULT_LIMITS) -> None:
    """Raise :func:`too_large` when ``size`` bytes exceed ``limits.max_bytes``."""
    if size > limits.max_bytes:
        raise too_large(name, size, limits.max_bytes)


def too_large(name: str, size: int, max_bytes: int) -> ResumeFormatError:
    """The ``too_large`` error for an input of ``size`` bytes over the ``max_bytes`` limit;
    sources build it from the size they list, before reading.

    >>> str(too_large("cv.pdf", 6_000_000, 5_242_880))
    'cv.pdf: file too large (6,000,000 bytes; the limit is 5,242,880)'
    """
    return ResumeFormatError(
        name, f"file too large ({size:,} bytes; the limit is {max_bytes:,})", code="too_large"
    )


def parse_json_resume(obj: object, name: str) -> str:
    """A decoded JSON value → its resume text, or ``bad_record`` naming the key expected.

    >>> parse_json_resume({"id": "c1", "text": "Led it", "email": "x@y.z"}, "a.json")
    'Led it'
    """
    if not isinstance(obj, dict):
        raise ResumeFormatError(
            name,
            f"expected a JSON object with a {JSON_TEXT_KEY!r} string, got {type(obj).__name__}",
            code="bad_record",
        )
    text = obj.get(JSON_TEXT_KEY)
    if not isinstance(text, str):
        got = "no such key" if text is None else type(text).__name__
        raise ResumeFormatError(
            name, f"expected {JSON_TEXT_KEY!r} to be a string ({got})", code="bad_record"
        )
    # Re-use the text checks (NUL bytes, control characters, whitespace only).
    decoded, _ = decode_resume(text.encode("utf-8"), name)
    return decoded


def _read_text(data: bytes, name: str, limits: FormatLimits) -> tuple[str, str]:
    return decode_resume(data, name)


def _read_json(data: bytes, name: str, limits: FormatLimits) -> tuple[str, str]:
    raw, _ = decode_resume(data, name)
    try:
        obj = json.loads(raw)
    except (json.JSONDecodeError, RecursionError) as err:
        raise ResumeFormatError(name, f"invalid JSON ({err})", code="corrupt") from err
    return parse_json_resume(obj, name), "json"


def _read_pdf(data: bytes, name: str, limits: FormatLimits) -> tuple[str, str]:
    if b"%PDF-" not in data[:1024]:  # where the PDF spec allows the header to start
        raise ResumeFormatError(name, "damaged PDF (no %PDF- header)", code="corrupt")
    with _damaged_pdf(name):
        reader = _open_pdf(data)
        encrypted = reader.is_encrypted
    if encrypted:
        _decrypt(reader, name)
    with _damaged_pdf(name):
        pages = len(reader.pages)
    if pages == 0:
        raise ResumeFormatError(name, "damaged PDF (no pages)", code="corrupt")
    if pages > limits.max_pdf_pages:
        raise ResumeFormatError(
            name, f"PDF has {pages} pages; the limit is {limits.max_pdf_pages}", code="too_large"
        )
    with _damaged_pdf(name):
        page_texts = [page.extract_text() or "" for page in reader.pages]
    # A page's text ends in a line break; joining them as they are would put a blank line at
    # every page break, which reads as a paragraph break in the middle of a role.
    text = "\n".join(page_text.rstrip("\n") for page_text in page_texts)
    if not any(ch.isalnum() for ch in text):
        raise ResumeFormatError(
            name, f"PDF has no text layer ({pages} page(s); a scan?)", code="no_text_pdf"
        )
    return text, "pdf"


@contextmanager
def _damaged_pdf(name: str) -> Iterator[None]:
    """Turn what pypdf raises on a malformed file into a ``corrupt`` ResumeFormatError; wrap
    pypdf's calls only, so the same exceptions from our own code still propagate."""
    try:
        yield
    except _PDF_ERRORS as err:
        raise ResumeFormatError(name, f"damaged PDF ({err})", code="corrupt") from err


def _open_pdf(data: bytes) -> PdfReader:
    """A PdfReader over ``data``, repairing a missing ``startxref`` once.

    pypdf rebuilds a damaged cross-reference table by scanning the objects when the trailing
    ``startxref`` pointer is wrong, but gives up when the pointer is missing (a file cut short,
    or written by hand); desktop readers open those, so point it at offset 0 and let it rebuild.
    """
    try:
        return PdfReader(io.BytesIO(data))
    except PdfReadError as err:
        if "startxref" not in str(err):
            raise
        log.debug("PDF without a startxref pointer; rebuilding its cross-reference table")
        return PdfReader(io.BytesIO(data + b"\nstartxref\n0\n%%EOF\n"))


def _decrypt(reader: PdfReader, name: str) -> None:
    """Open a PDF encrypted with an empty user password; any other is ``encrypted_pdf``."""
    try:
        opened = reader.decrypt("") != PasswordType.NOT_DECRYPTED
    except _PDF_ERRORS as err:  # unknown or unsupported encryption scheme
        raise ResumeFormatError(
            name, f"encrypted PDF that cannot be opened ({err})", code="encrypted_pdf"
        ) from err
    if not opened:
        raise ResumeFormatError(
            name, "encrypted PDF: it needs a password to read", code="encrypted_pdf"
        )


def check_zip(data: bytes, name: str, limits: FormatLimits = DEFAULT_LIMITS) -> None:
    """Reject a zip whose central directory promises too much, without expanding anything.

    Raises ``zip_bomb`` (too many members, too much declared uncompressed data, or a member
    compressed more than ``limits.docx_max_ratio`` times) or ``corrupt`` (not a zip).
    """
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError,
            NotImplementedError) as err:  # an unsupported zip version or compression
        raise ResumeFormatError(name, f"damaged DOCX, not a zip ({err})", code="corrupt") from err
    if len(members) > limits.docx_max_members:
        raise ResumeFormatError(
            name, f"DOCX has {len(members)} zip members; the limit is {limits.docx_max_members}",
            code="zip_bomb",
        )
    total = sum(m.file_size for m in members)
    if total > limits.docx_max_uncompressed:
        raise ResumeFormatError(
            name, f"DOCX expands to {total:,} bytes; the limit is {limits.docx_max_uncompressed:,}",
            code="zip_bomb",
        )
    for member in members:
        if member.file_size < limits.docx_ratio_floor:
            continue
        ratio = member.file_size / max(member.compress_size, 1)
        if ratio > limits.docx_max_ratio:
            raise ResumeFormatError(
                name,
                f"DOCX member {member.filename} is compressed {ratio:,.0f}:1; "
                f"the limit is {limits.docx_max_ratio:,.0f}:1",
                code="zip_bomb",
            )


def _read_docx(data: bytes, name: str, limits: FormatLimits) -> tuple[str, str]:
    check_zip(data, name, limits)
    try:
        document = docx.Document(io.BytesIO(data))
        lines: list[str] = []
        for block in document.iter_inner_content():
            if isinstance(block, Table):
                lines.extend(_table_lines(block))
            else:
                # python-docx exposes no public "is a list item" test; numPr is the numbering.
                listed = block._p.pPr is not None and block._p.pPr.numPr is not None
                style = block.style.name if block.style is not None else ""
                bullet = listed or (style or "").lower().startswith("list")
                lines.append(f"• {block.text}" if bullet and block.text.strip() else block.text)
    except _DOCX_ERRORS as err:
        raise ResumeFormatError(name, f"damaged DOCX ({err})", code="corrupt") from err
    text = "\n".join(lines)
    if not text.strip():
        raise ResumeFormatError(name, "no text content (only whitespace)", code="no_text")
    return text, "docx"


def _table_lines(table: Table) -> list[str]:
    """Table rows → one line each, cells joined by `` | `` (merged cells counted once)."""
    lines = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            text = " ".join(cell.text.split())
            if text and (not cells or cells[-1] != text):
                cells.append(text)
        lines.append(" | ".join(cells))
    return lines


_READERS: dict[str, Callable[[bytes, str, FormatLimits], tuple[str, str]]] = {
    ".txt": _read_text,
    ".md": _read_text,
    ".pdf": _read_pdf,
    ".docx": _read_docx,
    ".json": _read_json,
}
