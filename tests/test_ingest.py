"""Ingest: decoding legacy encodings, and quarantining what is not a resume."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.errors import ResumeFormatError, SourceError
from pipeline.ingest.decoding import normalised_hash
from pipeline.ingest.read import content_hash, decode_resume, ingest_folder, normalise_text

TEXT = "Senior Developer — Café Systems, 2019 – present\n• Led the “payments” migration\n"


@pytest.mark.parametrize(
    "encoding, expected",
    [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("cp1252", "cp1252"),
     ("utf-16", "utf-16-le"), ("utf-16-be", "utf-16-be")],
)
def test_ingest_decodes_legacy_encodings(encoding: str, expected: str) -> None:
    data = TEXT.encode(encoding)
    if encoding == "utf-16-be":
        data = b"\xfe\xff" + data
    text, used = decode_resume(data, "r.txt")
    assert text == TEXT
    assert used == expected


@pytest.mark.parametrize(
    "data, reason",
    [
        (b"", "empty file"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary content"),
        (bytes(range(1, 32)) * 4, "binary content"),
        (b"   \n\t\n  ", "no text content"),
        (b"\xff\xfe\x00\xd8", "invalid utf-16-le"),
    ],
)
def test_ingest_rejects_non_text_with_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ResumeFormatError) as info:
        decode_resume(data, "bad.txt")
    assert reason in info.value.reason
    assert "bad.txt" in str(info.value)


def test_ingest_folder_accounts_for_every_input(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(TEXT, encoding="utf-8")
    (tmp_path / "legacy.md").write_bytes(TEXT.encode("cp1252"))
    (tmp_path / "wide.txt").write_bytes(TEXT.encode("utf-16"))
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blob.txt").write_bytes(b"\x00\x01\x02" * 50)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    (tmp_path / "good.md").write_text(TEXT, encoding="utf-8")
    (tmp_path / ".DS_Store").write_bytes(b"\x00")
    (tmp_path / "nested").mkdir()

    result = ingest_folder(tmp_path)

    assert sorted(d.candidate_id for d in result.documents) == ["good", "legacy", "wide"]
    reasons = {q.source.rsplit("/", 1)[-1]: q.reason for q in result.quarantined}
    assert reasons["empty.txt"] == "empty file"
    assert "binary" in reasons["blob.txt"]
    assert reasons["scan.pdf"].startswith("damaged PDF")
    assert "duplicate candidate id" in reasons["good.txt"]
    codes = {q.source.rsplit("/", 1)[-1]: q.code for q in result.quarantined}
    assert codes == {"empty.txt": "empty", "blob.txt": "binary", "scan.pdf": "corrupt",
                     "good.txt": "duplicate_id"}
    assert result.inputs == 7
    # The three decodings of the same text hash the same.
    assert len({d.content_hash for d in result.documents}) == 1


def test_ingest_excludes_the_outputs_written_into_the_folder(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    out = tmp_path / "shortlist.csv"
    out.write_text("rank,candidate_id\n", encoding="utf-8")
    result = ingest_folder(tmp_path, exclude=[out])
    assert result.inputs == 1


def test_ingest_missing_folder_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a folder"):
        ingest_folder(tmp_path / "nope")


def test_ingest_hash_ignores_line_endings_and_trailing_space() -> None:
    assert content_hash("a  \r\nb\r\n") == content_hash("a\nb")
    assert normalise_text("\n\nx\n\n") == "x"


@given(st.text(alphabet=st.sampled_from("ab \t\r\n\u00e9e\u0301\u2028\x0b")))
def test_ingest_normalising_twice_changes_nothing(text: str) -> None:
    """Why ingest hashes the formats' normalised text without normalising it again."""
    once = normalise_text(text)
    assert normalise_text(once) == once
    assert normalised_hash(once) == content_hash(text)


def test_ingest_a_corrupt_twin_does_not_block_the_readable_resume(tmp_path: Path) -> None:
    (tmp_path / "a.docx").write_bytes(b"PK\x03\x04 not a docx")
    (tmp_path / "a.txt").write_text(TEXT, encoding="utf-8")
    result = ingest_folder(tmp_path)
    assert [d.source for d in result.documents] == [str(tmp_path / "a.txt")]
    assert [q.code for q in result.quarantined] == ["corrupt"]
