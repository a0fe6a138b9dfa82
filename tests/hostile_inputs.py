"""A folder of hostile inputs, made at test time from the sample profiles (nothing binary is
committed): damaged and mutated text, broken DOCX and PDF files, odd encodings, very long
lines, awkward names, symlinks and FIFOs.

``make_fuzz_folder(folder, count, seed)`` writes ``count`` inputs (the same ones for the same
seed) and returns how many of them are FIFOs, so a test can account for every input. The
files are built with the standard library and pypdf only.
"""

from __future__ import annotations

import io
import os
import random
import zipfile
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from pypdf import PdfWriter

SAMPLES = Path(__file__).resolve().parents[1] / "sample_profiles"

_W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.wordprocessingml.document.main+xml"/></Types>'
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def document_xml(lines: list[str], *, namespace: bool = True, doctype: str = "") -> str:
    """A ``word/document.xml`` with one paragraph per line; ``namespace=False`` leaves the
    ``w`` prefix undefined (the XML error of issue 15)."""
    ns = f' xmlns:w="{_W}"' if namespace else ""
    body = "".join(f"<w:p><w:r><w:t>{_escape(line)}</w:t></w:r></w:p>" for line in lines)
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>{doctype}'
            f"<w:document{ns}><w:body>{body}</w:body></w:document>")


def docx_bytes(document: str, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal .docx (content types, relationships, the document part)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("word/document.xml", document)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


def huge_declared_docx(lines: list[str]) -> bytes:
    """A .docx whose central directory claims its document part expands to ~4 GB."""
    data = bytearray(docx_bytes(document_xml(lines)))
    start = data.rfind(b"PK\x01\x02")  # the last central directory entry: word/document.xml
    data[start + 24:start + 28] = (0xFFFFFFF0).to_bytes(4, "little")
    return bytes(data)


def pdf_bytes(lines: list[str]) -> bytes:
    """A one-page PDF whose text layer holds ``lines`` (hand-written content stream)."""
    ops = "BT /F1 10 Tf 40 800 Td 12 TL " + " ".join(
        "(" + line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)") + ") '"
        for line in lines) + " ET"
    stream = ops.encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>stream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def encrypted_pdf() -> bytes:
    """A blank PDF that needs a user password (RC4, no extra dependency)."""
    writer = PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def image_only_pdf() -> bytes:
    """A PDF page without a text layer (what a scan looks like to a text reader)."""
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


# --- the kinds of input ----------------------------------------------------------------

Maker = Callable[[random.Random, str], tuple[str, bytes]]


@lru_cache(maxsize=1)
def _samples() -> tuple[str, ...]:
    paths = sorted(SAMPLES.glob("*.txt")) + sorted(SAMPLES.glob("*.md"))
    texts = (p.read_text(encoding="utf-8") for p in paths if _is_utf8(p))
    return tuple(t for t in texts if t.strip())


def _sample(rng: random.Random) -> str:
    return rng.choice(_samples())


def _is_utf8(path: Path) -> bool:
    try:
        path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _flip_bytes(rng: random.Random, text: str) -> tuple[str, bytes]:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 40)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return ".txt", bytes(data)


def _truncated(rng: random.Random, text: str) -> tuple[str, bytes]:
    data = text.encode("utf-8")
    return rng.choice([".txt", ".md"]), data[:rng.randrange(1, len(data))]


def _nul_bytes(rng: random.Random, text: str) -> tuple[str, bytes]:
    data = bytearray(text.encode("utf-8"))
    for _ in range(rng.randint(1, 5)):
        data.insert(rng.randrange(len(data)), 0)
    return ".txt", bytes(data)


def _mixed_encodings(rng: random.Random, text: str) -> tuple[str, bytes]:
    half = len(text) // 2
    kind = rng.randrange(4)
    if kind == 0:
        return ".txt", text[:half].encode("utf-8") + "Zoë – café".encode("cp1252") + text[
            half:].encode("utf-8")
    if kind == 1:
        return ".txt", text.encode("utf-16-le")  # no BOM
    if kind == 2:
        return ".txt", b"\xff\xfe" + text.encode("utf-16-le")[:-1]  # odd byte after a BOM
    return ".txt", b"\xef\xbb\xbf" + text.encode("utf-8") + bytes(rng.randrange(128, 256)
                                                                    for _ in range(20))


def _long_line(rng: random.Random, text: str) -> tuple[str, bytes]:
    size = rng.choice([20_000, 100_000, 1_000_000])
    unit = rng.choice(["a", ")", "!", "%", "\U0001F600", "x1", "Kubernetes" * 3 + ")"])
    body = (unit * (size // len(unit)))[:size]
    if rng.random() < 0.5:
        body += " 42"  # a bare number after a long run without spaces
    return ".txt", f"SUMMARY\n{body}\n\n{text}".encode()


def _repeated(rng: random.Random, text: str) -> tuple[str, bytes]:
    times = rng.choice([5, 50, 400])
    return ".txt", "\n\n".join([text] * times).encode("utf-8")


def _near_duplicates(rng: random.Random, text: str) -> tuple[str, bytes]:
    lines = text.splitlines()
    extra = [f"{line} {rng.choice(['again', 'also', 'too'])}" for line in lines
             if line.startswith(("•", "-", "*"))]
    return ".md", "\n".join(lines + extra * rng.randint(2, 30)).encode("utf-8")


def _docx_good(rng: random.Random, text: str) -> tuple[str, bytes]:
    return ".docx", docx_bytes(document_xml(text.splitlines()))


def _docx_broken(rng: random.Random, text: str) -> tuple[str, bytes]:
    lines = text.splitlines()
    kind = rng.randrange(6)
    if kind == 0:
        return ".docx", docx_bytes(document_xml(lines, namespace=False))
    if kind == 1:
        return ".docx", docx_bytes(document_xml(lines)[:-rng.randint(5, 200)])
    if kind == 2:
        entities = ('<!DOCTYPE w:document [<!ENTITY a "aaaaaaaaaa">'
                    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
                    '<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>')
        return ".docx", docx_bytes(document_xml([*lines, "&c;"], doctype=entities).replace(
            "&amp;c;", "&c;"))
    if kind == 3:
        return ".docx", huge_declared_docx(lines)
    if kind == 4:
        data = bytearray(docx_bytes(document_xml(lines)))
        for _ in range(rng.randint(1, 30)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return ".docx", bytes(data)
    return ".docx", docx_bytes(document_xml(lines))[:rng.randrange(10, 400)]


def _pdf(rng: random.Random, text: str) -> tuple[str, bytes]:
    kind = rng.randrange(5)
    lines = text.splitlines()[:60]
    if kind == 0:
        return ".pdf", pdf_bytes(lines)
    if kind == 1:
        return ".pdf", encrypted_pdf()
    if kind == 2:
        data = pdf_bytes(lines)
        return ".pdf", data[:rng.randrange(20, len(data))]
    if kind == 3:
        return ".pdf", image_only_pdf()
    data = bytearray(pdf_bytes(lines))
    for _ in range(rng.randint(1, 20)):
        data[rng.randrange(len(data))] = rng.randrange(256)
    return ".pdf", bytes(data)


def _json(rng: random.Random, text: str) -> tuple[str, bytes]:
    kind = rng.randrange(4)
    if kind == 0:
        return ".json", ('{"id": 7, "text": ' + _json_string(text) + "}").encode()
    if kind == 1:
        return ".json", b'{"text": 12}'
    if kind == 2:
        return ".json", b"[" * 100_000
    return ".json", ('{"text": ' + _json_string(text))[:rng.randrange(5, 200)].encode()


def _json_string(text: str) -> str:
    import json
    return json.dumps(text)


def _plain(rng: random.Random, text: str) -> tuple[str, bytes]:
    return rng.choice([".txt", ".md"]), text.encode("utf-8")


def _empty_or_binary(rng: random.Random, text: str) -> tuple[str, bytes]:
    kind = rng.randrange(3)
    if kind == 0:
        return ".txt", b""
    if kind == 1:
        return ".txt", bytes(rng.randrange(256) for _ in range(2000))
    return rng.choice([".csv", ".exe", ""]), text.encode("utf-8")


KINDS: tuple[Maker, ...] = (
    _plain, _plain, _flip_bytes, _flip_bytes, _truncated, _nul_bytes, _mixed_encodings,
    _long_line, _repeated, _near_duplicates, _docx_good, _docx_broken, _docx_broken, _pdf,
    _pdf, _json, _empty_or_binary,
)  # fmt: skip
_PREFIXES = ("", "", "", "-", "=", "+", "@", "-- ", "=cmd|' ")


def make_fuzz_folder(folder: Path, count: int, seed: int = 0) -> int:
    """Write ``count`` inputs into ``folder`` (created): files of every kind above, a few
    symlinks to files and folders outside it and FIFOs. Returns the number of FIFOs."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    outside = folder.parent / f"{folder.name}-outside"
    outside.mkdir(exist_ok=True)
    (outside / "secret.txt").write_text("SUMMARY\nLed the secret migration to AWS.\n")
    fifos = 0
    for index in range(count):
        prefix = rng.choice(_PREFIXES)
        roll = rng.random()
        if roll < 0.01 and hasattr(os, "mkfifo"):
            os.mkfifo(folder / f"{prefix}fifo-{index}.txt")
            fifos += 1
            continue
        if roll < 0.02:
            target = rng.choice([outside / "secret.txt", outside, outside / "missing.txt"])
            (folder / f"{prefix}link-{index}.txt").symlink_to(target)
            continue
        suffix, data = rng.choice(KINDS)(rng, _sample(rng))
        (folder / f"{prefix}cv-{index}{suffix}").write_bytes(data)
    return fifos
