"""Sources: a folder, an S3 bucket (moto's server on loopback) and a JSON Lines ATS export.

The S3 tests talk HTTP to a real moto server started on 127.0.0.1 on a free port by the
``s3_endpoint`` fixture and stopped after the module; credentials are dummies and no AWS
config file is read.
"""

from __future__ import annotations

import json
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from pipeline.errors import SourceError, TransientSourceError
from pipeline.ingest.formats import FormatLimits
from pipeline.ingest.read import ingest_folder, ingest_source
from pipeline.ingest.s3 import S3Source
from pipeline.ingest.sources import (
    FolderSource,
    JsonLinesSource,
    SourceFailure,
    SourceItem,
    candidate_id_of,
)

from .conftest import SAMPLE_PROFILES, make_docx, make_pdf

CASE = (SAMPLE_PROFILES / "senior-dev-event-driven-payments.md").read_text(encoding="utf-8")


def _client(endpoint: str) -> Any:
    return boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")


def _bucket(endpoint: str, objects: dict[str, bytes]) -> str:
    name = f"resumes-{uuid.uuid4().hex[:12]}"
    client = _client(endpoint)
    client.create_bucket(Bucket=name)
    for key, data in objects.items():
        client.put_object(Bucket=name, Key=key, Body=data)
    return name


def _calls(client: Any, operation: str) -> list[str]:
    """Record the ``Key`` (or bucket) of every ``operation`` request the client makes."""
    seen: list[str] = []
    client.meta.events.register(
        f"before-parameter-build.s3.{operation}",
        lambda params, **_: seen.append(params.get("Key", params.get("Bucket", ""))),
    )
    return seen


def test_sources_s3_ingests_every_object_under_the_prefix(s3_endpoint: str) -> None:
    bucket = _bucket(s3_endpoint, {
        "nightly/2026-11-01/case.md": CASE.encode("utf-8"),
        "nightly/2026-11-01/scanned/case-pdf.pdf": make_pdf(CASE),
        "nightly/2026-11-01/case-docx.docx": make_docx(CASE),
        "nightly/2026-11-01/empty.txt": b"",
        "nightly/2026-11-01/.keep": b"",
        "nightly/2026-11-01/folder/": b"",
        "nightly/2026-10-31/yesterday.txt": b"Led it",
    })  # fmt: skip
    result = ingest_source(S3Source(bucket, "nightly/2026-11-01/", endpoint_url=s3_endpoint))

    assert {d.candidate_id: d.source for d in result.documents} == {
        "case": f"s3://{bucket}/nightly/2026-11-01/case.md",
        "case-pdf": f"s3://{bucket}/nightly/2026-11-01/scanned/case-pdf.pdf",
        "case-docx": f"s3://{bucket}/nightly/2026-11-01/case-docx.docx",
    }
    assert all("payment-processing modules" in d.text for d in result.documents)
    assert [(q.candidate_id, q.code) for q in result.quarantined] == [("empty", "empty")]


@pytest.mark.parametrize("page_size, requests", [(2, 3), (1000, 1)])
def test_sources_s3_pages_through_the_listing(s3_endpoint: str, page_size: int,
                                              requests: int) -> None:
    bucket = _bucket(s3_endpoint, {f"in/r{i}.txt": f"Resume {i}".encode() for i in range(5)})
    client = _client(s3_endpoint)
    listed = _calls(client, "ListObjectsV2")
    items = list(S3Source(bucket, "in/", client=client, page_size=page_size).items())
    assert [item.name for item in items] == [f"r{i}.txt" for i in range(5)]
    assert all(isinstance(item, SourceItem) for item in items)
    assert len(listed) == requests


def test_sources_s3_oversized_object_is_never_downloaded(s3_endpoint: str) -> None:
    bucket = _bucket(s3_endpoint, {"big.txt": b"x" * 5000, "small.txt": b"Led it"})
    client = _client(s3_endpoint)
    fetched = _calls(client, "GetObject")
    result = ingest_source(S3Source(bucket, client=client), FormatLimits(max_bytes=1000))
    assert [d.candidate_id for d in result.documents] == ["small"]
    assert [(q.candidate_id, q.code) for q in result.quarantined] == [("big", "too_large")]
    assert fetched == ["small.txt"]


def test_sources_s3_missing_bucket_is_a_source_error(s3_endpoint: str) -> None:
    with pytest.raises(SourceError, match="NoSuchBucket") as info:
        list(S3Source("no-such-bucket-here", endpoint_url=s3_endpoint).items())
    assert not isinstance(info.value, TransientSourceError)


def test_sources_s3_unreachable_endpoint_is_transient(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    source = S3Source("b", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                      max_attempts=1, connect_timeout=1, read_timeout=1)
    with pytest.raises(TransientSourceError, match="cannot list objects"):
        list(source.items())


@pytest.mark.parametrize(
    "code, status, transient",
    [("SlowDown", 503, True), ("InternalError", 500, True), ("RequestTimeout", 400, True),
     ("AccessDenied", 403, False), ("NoSuchBucket", 404, False)],
)
def test_sources_s3_listing_errors_are_classified(code: str, status: int,
                                                  transient: bool) -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_client_error("list_objects_v2", service_error_code=code,
                              http_status_code=status)
        with pytest.raises(SourceError, match=code) as info:
            list(S3Source("b", client=client).items())
    assert isinstance(info.value, TransientSourceError) is transient


@pytest.mark.parametrize(
    "code, status, outcome",
    [("SlowDown", 503, "transient"), ("NoSuchKey", 404, "unreadable"),
     ("AccessDenied", 403, "unreadable")],
)
def test_sources_s3_object_errors_fail_the_item_or_the_run(code: str, status: int,
                                                           outcome: str) -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("list_objects_v2", {"Contents": [{"Key": "a.txt", "Size": 6}]})
        stub.add_client_error("get_object", service_error_code=code, http_status_code=status)
        source = S3Source("b", client=client)
        if outcome == "transient":
            with pytest.raises(TransientSourceError, match="s3://b/a.txt"):
                list(source.items())
            return
        (item,) = source.items()
    assert isinstance(item, SourceFailure)
    assert (item.source_id, item.error.code) == ("s3://b/a.txt", "unreadable")
    assert code in item.error.reason


def test_sources_jsonl_quarantines_bad_lines_with_their_number(tmp_path: Path) -> None:
    export = tmp_path / "ats-export.jsonl"
    lines = [
        json.dumps({"id": "c-1", "text": CASE, "email": "a@b.example"}),  # 1 good
        "",  # 2 blank: skipped
        '{"id": "c-2", "text": "Led it"',  # 3 not JSON
        json.dumps({"id": "c-3"}),  # 4 no text
        json.dumps({"id": "../etc/passwd", "text": "Led it"}),  # 5 id is a path
        json.dumps({"id": True, "text": "Led it"}),  # 6 id is not a string or integer
        json.dumps({"id": 42, "text": "Led the Kafka rollout"}),  # 7 good, integer id
        json.dumps({"id": "c-1", "text": "again"}),  # 8 duplicate id
        json.dumps({"id": "c-9", "text": "x" * 9000}),  # 9 over the limit
        json.dumps(["c-10", "Led it"]),  # 10 not an object
        json.dumps({"id": "c-11", "text": "   "}),  # 11 whitespace only
        "\udcff",  # 12 not UTF-8 (written with surrogateescape below)
        json.dumps({"id": "c-13", "text": "Shipped the migration"}),  # 13 good, no newline
    ]
    export.write_bytes("\r\n".join(lines).encode("utf-8", "surrogateescape"))

    result = ingest_source(JsonLinesSource(export), FormatLimits(max_bytes=8000))

    assert [(d.candidate_id, d.source) for d in result.documents] == [
        ("c-1", f"{export}:1"), ("42", f"{export}:7"), ("c-13", f"{export}:13")]
    assert result.documents[0].text.startswith("# Senior Developer")
    assert "a@b.example" not in repr(result)
    bad = {int(q.source.rsplit(":", 1)[1]): q.code for q in result.quarantined}
    assert bad == {3: "corrupt", 4: "bad_record", 5: "bad_record", 6: "bad_record",
                   8: "duplicate_id", 9: "too_large", 10: "bad_record", 11: "no_text",
                   12: "corrupt"}


def test_sources_jsonl_missing_export_is_a_source_error(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot open the JSON Lines export"):
        ingest_source(JsonLinesSource(tmp_path / "nope.jsonl"))


def test_sources_folder_yields_name_and_bytes_and_skips_oversized_reads(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_bytes(b"Led it")
    (tmp_path / "b.pdf").write_bytes(b"x" * 50)
    (tmp_path / ".hidden").write_bytes(b"x")
    items = list(FolderSource(tmp_path).items(max_bytes=10))
    assert items[0] == (str(tmp_path / "a.txt"), "a.txt", b"Led it")
    source_id, name, error = items[1]
    assert (source_id, name, error.code) == (str(tmp_path / "b.pdf"), "b.pdf", "too_large")
    assert len(items) == 2


def test_sources_ingest_folder_goes_through_the_folder_source(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(CASE, encoding="utf-8")
    (tmp_path / "b.pdf").write_bytes(make_pdf(CASE))
    assert ingest_folder(tmp_path) == ingest_source(FolderSource(tmp_path))


class _Memory:
    """A source held in memory: any object with ``items(max_bytes)`` is a Source."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    def items(self, max_bytes: int | None = None) -> Iterator[SourceItem | SourceFailure]:
        for name, data in self.files.items():
            yield SourceItem(f"mem://{name}", name, data)


def test_sources_any_source_with_items_is_ingested_and_ids_deduplicated() -> None:
    result = ingest_source(_Memory({"jane.doe.txt": b"Led it", "jane.doe.pdf": make_pdf("x")}))
    assert [d.candidate_id for d in result.documents] == ["jane.doe"]
    (dup,) = result.quarantined
    assert (dup.candidate_id, dup.source, dup.code) == ("jane.doe", "mem://jane.doe.pdf",
                                                         "duplicate_id")


@pytest.mark.parametrize(
    "name, expected",
    [("a.txt", "a"), ("jane.doe.pdf", "jane.doe"), ("README", "README"), (".env", ".env")],
)
def test_sources_candidate_id_is_the_name_without_its_suffix(name: str, expected: str) -> None:
    assert candidate_id_of(name) == expected


# --- the source boundary (issue 16): only regular files inside the folder are read ---------


def test_sources_folder_quarantines_symlinks_out_of_the_folder_unread(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "secret.key"
    secret.parent.mkdir()
    secret.write_text("0123456789abcdef-the-secret-key\n", encoding="utf-8")
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "cv.txt").write_text(CASE, encoding="utf-8")
    (folder / "passwd-link.txt").symlink_to("/etc/passwd")
    (folder / "key-link.txt").symlink_to(secret)
    (folder / "relative-link.txt").symlink_to(Path("..") / "elsewhere" / "secret.key")
    (folder / "inside-link.txt").symlink_to("cv.txt")  # resolves inside: an input like any
    (folder / "dangling.txt").symlink_to(tmp_path / "nothing.txt")

    result = ingest_folder(folder)

    assert sorted(d.candidate_id for d in result.documents) == ["cv", "inside-link"]
    assert sorted((q.candidate_id, q.code) for q in result.quarantined) == [
        ("dangling", "unreadable"), ("key-link", "outside_source"),
        ("passwd-link", "outside_source"), ("relative-link", "outside_source"),
    ]
    assert not any("the-secret-key" in d.text or "root:" in d.text for d in result.documents)


def test_sources_folder_quarantines_fifos_and_devices_without_opening_them(
        tmp_path: Path) -> None:
    import os

    (tmp_path / "cv.txt").write_text(CASE, encoding="utf-8")
    os.mkfifo(tmp_path / "pipe.txt")  # opening it for reading would block forever
    (tmp_path / "zero.txt").symlink_to("/dev/zero")  # a device (outside the folder too)
    (tmp_path / "null-inside.txt").symlink_to("pipe.txt")  # a link, inside, to the FIFO
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(tmp_path / "sock.txt"))
    try:
        result = ingest_folder(tmp_path)
    finally:
        server.close()
    assert [d.candidate_id for d in result.documents] == ["cv"]
    assert sorted((q.candidate_id, q.code) for q in result.quarantined) == [
        ("null-inside", "not_regular"), ("pipe", "not_regular"), ("sock", "not_regular"),
        ("zero", "outside_source"),
    ]


def test_sources_jsonl_export_that_is_not_a_regular_file_is_a_source_error(
        tmp_path: Path) -> None:
    import os

    os.mkfifo(tmp_path / "export.jsonl")
    with pytest.raises(SourceError, match="not a regular file"):
        list(JsonLinesSource(tmp_path / "export.jsonl").items())


def test_sources_s3_keys_outside_the_prefix_are_quarantined() -> None:
    client = boto3.client("s3", region_name="us-east-1", aws_access_key_id="x",
                          aws_secret_access_key="x")
    with Stubber(client) as stub:
        stub.add_response("list_objects_v2", {"Contents": [
            {"Key": "in/../secret/a.txt", "Size": 6}, {"Key": "other/b.txt", "Size": 6},
            {"Key": "in/./c.txt", "Size": 6}]})
        items = list(S3Source("b", "in/", client=client).items())
    assert [(i.name, i.error.code) for i in items if isinstance(i, SourceFailure)] == [
        ("a.txt", "outside_source"), ("b.txt", "outside_source"), ("c.txt", "outside_source")]


@pytest.mark.parametrize("name", [
    "evil\r=1+1.txt", "evil\n=1+1.txt", "\x1b[31mred.txt", "bell\x07.txt", "c1\x9b2J.txt",
    "rtl\u202egnp.txt",
])
def test_sources_ids_with_control_characters_are_quarantined_escaped(tmp_path: Path,
                                                                     name: str) -> None:
    (tmp_path / name).write_text(CASE, encoding="utf-8")
    (tmp_path / "good.txt").write_text(CASE, encoding="utf-8")
    result = ingest_folder(tmp_path)
    assert [d.candidate_id for d in result.documents] == ["good"]
    (entry,) = result.quarantined
    assert entry.code == "bad_id"
    assert "\\x" in entry.candidate_id or "\\u" in entry.candidate_id
    assert all(ch.isprintable() for ch in entry.candidate_id + entry.source + entry.reason)
