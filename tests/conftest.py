"""Shared fixtures: paths, rubrics, a blank-English nlp, a store on SQLite and PostgreSQL,
Prefect."""

from __future__ import annotations

import io
import os
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

ROOT = Path(__file__).resolve().parent.parent
RUBRICS = ROOT / "rubrics"
SAMPLE_PROFILES = ROOT / "sample_profiles"
#: A fixed "today" so that roles running to "present" give the same tenure in every run.
AS_OF = date(2026, 11, 1)


@pytest.fixture(scope="session")
def rubric_dir() -> Path:
    return RUBRICS


@pytest.fixture(scope="session")
def gpa_rubric():
    """The global principal architect rubric (the article's case-study role)."""
    from pipeline.score.rubric import load_rubric

    return load_rubric(RUBRICS / "global-principal-architect.yaml")


@pytest.fixture(scope="session")
def nlp():
    """The project's spaCy pipeline on spacy.blank("en"): no model download."""
    from pipeline.extract.build import build_nlp

    return build_nlp()


@pytest.fixture(scope="session")
def sample_profiles() -> Path:
    return SAMPLE_PROFILES


@pytest.fixture()
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'trajectory.db'}"


#: A superuser URL of a PostgreSQL server the tests may create databases on
#: (scripts/test-postgres starts a throwaway one and sets it).
POSTGRES_ENV = "TRAJECTORY_TEST_POSTGRES_URL"
#: Set (by .ci/run) to fail, not skip, the PostgreSQL half when no server is configured.
REQUIRE_POSTGRES_ENV = "TRAJECTORY_REQUIRE_POSTGRES"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the developer's data dir, database, config or secret key."""
    for name in ("TRAJECTORY_DATABASE_URL", "TRAJECTORY_CONFIG", "TRAJECTORY_SECRET_KEY",
                 "TRAJECTORY_SECRET_KEY_FILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TRAJECTORY_DATA_DIR", str(tmp_path / "trajectory-data"))


@pytest.fixture(scope="session")
def postgres_admin() -> Iterator[Engine | None]:
    """An AUTOCOMMIT engine on $TRAJECTORY_TEST_POSTGRES_URL, or None when it is unset."""
    url = os.environ.get(POSTGRES_ENV)
    if not url:
        yield None
        return
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    yield admin
    admin.dispose()


@contextmanager
def _empty_database(request: pytest.FixtureRequest, folder: Path) -> Iterator[str]:
    """An empty database on the backend ``request.param`` names (see ``database_url``)."""
    if request.param == "sqlite":
        yield f"sqlite:///{folder / 'trajectory.db'}"
        return
    admin: Engine | None = request.getfixturevalue("postgres_admin")
    if admin is None:
        reason = f"PostgreSQL: ${POSTGRES_ENV} is not set (scripts/test-postgres sets it)"
        if os.environ.get(REQUIRE_POSTGRES_ENV):
            pytest.fail(f"{reason}, and ${REQUIRE_POSTGRES_ENV} requires it")
        pytest.skip(reason)
    name = f"trajectory_test_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield admin.url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database on each backend: a SQLite file, or a fresh PostgreSQL database
    (created for the test, dropped after it). Without $TRAJECTORY_TEST_POSTGRES_URL the
    PostgreSQL half is skipped, unless $TRAJECTORY_REQUIRE_POSTGRES makes that a failure."""
    with _empty_database(request, tmp_path) as url:
        yield url


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def module_database_url(request: pytest.FixtureRequest,
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``database_url`` shared by a module's tests (for an expensive set-up, e.g. a flow run)."""
    with _empty_database(request, tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture()
def engine(database_url: str) -> Iterator[Engine]:
    """``open_store`` on an empty database of each backend."""
    from pipeline.store.db import open_store

    eng = open_store(database_url)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """A throwaway Prefect API for flow tests (no server configured, nothing left behind)."""
    import os

    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=120):  # a loaded CI machine is slow
        yield


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's S3 server on 127.0.0.1 on a free port, with dummy credentials; stopped after."""
    from moto.server import ThreadedMotoServer

    nowhere = tmp_path_factory.mktemp("aws") / "none"
    with pytest.MonkeyPatch.context() as patch:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(nowhere),
            "AWS_SHARED_CREDENTIALS_FILE": str(nowhere), "NO_PROXY": "127.0.0.1",
        }.items():  # fmt: skip
            patch.setenv(name, value)
        for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
            patch.delenv(name, raising=False)
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        try:
            yield f"http://{host}:{port}"
        finally:
            server.stop()


@pytest.fixture(scope="session")
def score_text(nlp):
    """Score one resume's text against a rubric without Prefect: parse → extract → score."""
    from pipeline.extract.evidence import extract
    from pipeline.ingest.read import content_hash, normalise_text
    from pipeline.parse.resume import parse_resume
    from pipeline.score.scoring import score_candidate

    def _score(text: str, rubric, candidate_id: str = "candidate"):
        text = normalise_text(text)
        resume = parse_resume(candidate_id, text)
        return score_candidate(extract(resume, content_hash(text), nlp), rubric, AS_OF)

    return _score


# --- documents in other formats, generated (nothing binary is committed) ---------------------


def make_pdf(text: str, lines_per_page: int = 60) -> bytes:
    """A minimal PDF with ``text`` as its text layer, one line per text line, ``lines_per_page``
    lines a page. Helvetica with WinAnsi encoding; up to five characters outside cp1252 (``●``,
    ``→``) are drawn with codes cp1252 leaves unused and mapped back by a ToUnicode CMap, as
    producers that subset fonts do; any others become ``?``."""
    spare = iter(b"\x81\x8d\x8f\x90\x9d")
    extra: dict[str, int] = {}

    def literal(line: str) -> bytes:
        raw = bytearray()
        for char in line:
            try:
                raw += char.encode("cp1252")
            except UnicodeEncodeError:
                code = extra.get(char) or extra.setdefault(char, next(spare, ord("?")))
                raw.append(code)
        escaped = bytes(raw).replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
        return b"(" + escaped + b")"

    lines = text.split("\n")
    pages = [lines[i:i + lines_per_page] for i in range(0, max(len(lines), 1), lines_per_page)]
    contents = [
        b"BT /F1 9 Tf 11 TL 40 760 Td " + b" ".join(literal(ln) + b" Tj T*" for ln in page)
        + b" ET"
        for page in pages
    ]
    pairs = b"".join(b"<%02X> <%04X>\n" % (code, ord(char)) for char, code in extra.items()
                     if code != ord("?"))
    cmap = (b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
            b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
            b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
            b"1 begincodespacerange <00> <FF> endcodespacerange\n"
            + b"%d beginbfchar\n%sendbfchar\n" % (pairs.count(b"\n"), pairs)
            + b"endcmap CMapName currentdict /defineresource pop end end")
    kids = " ".join(f"{5 + 2 * i} 0 R" for i in range(len(pages)))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding"
        + (b" /ToUnicode 4 0 R >>" if pairs else b" >>"),
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(cmap), cmap),
    ]
    for i, content in enumerate(contents):
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 "
            f"3 0 R >> >> /Contents {6 + 2 * i} 0 R >>".encode()
        )
        objects.append(b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1, xref)
    return bytes(out)


def make_docx(text: str) -> bytes:
    """A .docx rendering of a plain-text or Markdown resume, as a word processor would hold it:
    ``#`` lines become headings, ``-``/``•`` lines List Bullet paragraphs, indented wrapped
    lines join the paragraph above, blank lines separate paragraphs."""
    import docx

    document = docx.Document()
    paragraph = None
    for line in text.split("\n"):
        heading = re.match(r"(#{1,3})\s+(.*)", line)
        bullet = re.match(r"\s*[-•*]\s+(.*)", line)
        if not line.strip():
            paragraph = None
        elif heading:
            document.add_heading(heading.group(2), level=len(heading.group(1)))
            paragraph = None
        elif bullet:
            paragraph = document.add_paragraph(bullet.group(1), style="List Bullet")
        elif line.startswith((" ", "\t")) and paragraph is not None:
            paragraph.add_run(" " + line.strip())
        else:
            paragraph = document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
