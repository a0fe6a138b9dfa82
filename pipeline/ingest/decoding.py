"""Plain-text resume bytes → text: byte-order marks, UTF-8, cp1252; normalisation and hashing.

Shared by the formats (``.txt``, ``.md``, the text field of ``.json``) and by ingest, which
re-exports these names; nothing here knows about files or sources.
"""

from __future__ import annotations

import hashlib
import unicodedata

from pipeline.errors import ResumeFormatError

__all__ = ["content_hash", "decode_resume", "normalise_text", "normalised_hash"]

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


def normalise_text(text: str) -> str:
    """Unicode NFC, ``\\n`` line endings, no trailing spaces, no leading/trailing blank lines.

    >>> normalise_text("Led it\\r\\n\\r\\nShipped it  ")
    'Led it\\n\\nShipped it'
    """
    text = unicodedata.normalize("NFC", text).replace("\r\n", "\n").replace("\r", "\n")
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def content_hash(text: str) -> str:
    """SHA-256 hex digest of the normalised text."""
    return normalised_hash(normalise_text(text))


def normalised_hash(text: str) -> str:
    """:func:`content_hash` of text that :func:`normalise_text` has already normalised (what
    the formats return), without normalising it again."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def decode_resume(data: bytes, source: str) -> tuple[str, str]:
    """Decode resume bytes to ``(text, encoding)``.

    Tries a byte-order mark, then strict UTF-8, then cp1252 (what legacy Windows editors save).
    Raises :class:`ResumeFormatError` for an empty file (code ``empty``), binary data
    (``binary``), bad bytes after a BOM (``corrupt``), or bytes that decode to no text
    (``no_text``).
    """
    if not data:
        raise ResumeFormatError(source, "empty file", code="empty")
    text, encoding = _decode(data, source)
    if _control_share(text) > _MAX_CONTROL_SHARE:
        raise ResumeFormatError(source, "binary content, not text", code="binary")
    if not normalise_text(text).strip():
        raise ResumeFormatError(source, "no text content (only whitespace)", code="no_text")
    return text, encoding


def _decode(data: bytes, source: str) -> tuple[str, str]:
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(encoding), encoding
            except UnicodeDecodeError as err:
                raise ResumeFormatError(
                    source, f"invalid {encoding} after its BOM", code="corrupt"
                ) from err
    if b"\x00" in data:
        # NUL bytes without a BOM: binary, not a text encoding we can trust.
        raise ResumeFormatError(source, "binary content, not text", code="binary")
    for encoding in ("utf-8", "cp1252"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ResumeFormatError(
        source, "bytes are neither UTF-8, UTF-16 nor cp1252 text", code="binary"
    )


#: The whitespace controls text may hold, dropped before the fast check below.
_TEXT_CONTROLS = str.maketrans("", "", "\n\r\t\f")


def _control_share(text: str) -> float:
    if not text:
        return 0.0
    # Printable text (most resumes) holds no control, surrogate, private or unassigned
    # character: one C-speed check instead of a category lookup per character.
    if text.translate(_TEXT_CONTROLS).isprintable():
        return 0.0
    controls = sum(
        1 for ch in text if unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn")
        and ch not in "\n\r\t\f"
    )
    return controls / len(text)
