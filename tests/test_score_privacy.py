"""`trajectory score`, run as a user runs it, keeps planted contact details out of everything it
writes: the database, the CSVs, its output and Prefect's own storage. And an unchanged folder
scored again is not extracted again."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import SAMPLE_PROFILES

TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))

#: Planted values, each of a kind the PII guard redacts (pipeline/ingest/pii.py).
PLANTED = {
    "email": "jane.planted@example.org",
    "phone": "+1 415 555 0199",
    "profile": "linkedin.com/in/jane-planted-9x",
    "address": "1234 Planted Street",
}


def _score(folder: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env |= {"TRAJECTORY_DATA_DIR": str(tmp_path / "data"),
            "PREFECT_HOME": str(tmp_path / "prefect")}  # Prefect's database and logs
    return subprocess.run(
        [TRAJECTORY, "score", str(folder), "--rubric", "global-principal-architect", "--out",
         str(tmp_path / "out" / "shortlist.csv"), "--verbose"],
        capture_output=True, text=True, env=env, timeout=300, check=False)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    source = tmp_path / "resumes"
    source.mkdir()
    case = (SAMPLE_PROFILES / "senior-dev-event-driven-payments.md").read_text(encoding="utf-8")
    header = (f"Jane Planted\n{PLANTED['email']} | {PLANTED['phone']} | "
              f"{PLANTED['profile']}\n{PLANTED['address']}, Springfield, IL 62704\n\n")
    (source / "planted.md").write_text(header + case, encoding="utf-8")
    (source / "plain.md").write_text(case.replace("payment", "billing"), encoding="utf-8")
    return source


@pytest.mark.slow
def test_score_stores_and_writes_no_planted_pii(folder: Path, tmp_path: Path) -> None:
    first = _score(folder, tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    assert (tmp_path / "data" / "trajectory.db").is_file()
    assert any((tmp_path / "prefect").rglob("*")), "Prefect's storage is searched too"
    written = [p for p in tmp_path.rglob("*") if p.is_file() and folder not in p.parents]
    assert len(written) >= 3  # the database, the shortlist, the quarantine CSV, Prefect's files
    for kind, value in PLANTED.items():
        needle = value.encode()
        assert value not in first.stdout + first.stderr, f"{kind} in the command's output"
        leaks = [p for p in written if needle in p.read_bytes()]
        assert leaks == [], f"{kind} {value!r} found in {leaks}"
    redacted = re.search(r"redacted\s*│\s*([^│]+)│", first.stdout)
    assert redacted, first.stdout
    for kind in ("address", "email", "phone", "profile_url"):  # counted, never shown
        assert re.search(rf"\b\d+ {kind}\b", redacted.group(1)), redacted.group(1)


@pytest.mark.slow
def test_score_again_on_an_unchanged_folder_extracts_nothing(folder: Path,
                                                            tmp_path: Path) -> None:
    first = _score(folder, tmp_path)
    assert first.returncode == 0, first.stderr
    assert re.search(r"extracted\s*│\s*2\b", first.stdout), first.stdout
    again = _score(folder, tmp_path)
    assert again.returncode == 0, again.stderr
    assert re.search(r"inputs\s*│\s*2 \(0 new, 0 changed, 2 unchanged\)", again.stdout), (
        again.stdout)
    assert re.search(r"extracted\s*│\s*0\b", again.stdout), again.stdout
    assert re.search(r"scored\s*│\s*2\b", again.stdout), again.stdout
