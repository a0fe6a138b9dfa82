"""The trajectory command as a user runs it: a real process, no Prefect server configured."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import click
import pytest
import typer.main

from pipeline.cli.main import app

from .conftest import RUBRICS, SAMPLE_PROFILES

ROOT = Path(__file__).resolve().parent.parent
TRAJECTORY = str(Path(sys.executable).with_name("trajectory"))


def run(args: list[str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PREFECT_", "TRAJECTORY_"))}
    env["TRAJECTORY_DATA_DIR"] = str(tmp_path / "data")
    return subprocess.run([TRAJECTORY, *args], capture_output=True, text=True, env=env,
                          timeout=300, check=False)


def test_cli_score_runs_quietly_and_accounts_for_every_file(tmp_path: Path,
                                                            database_url: str) -> None:
    out = tmp_path / "shortlist.csv"
    sqlite_default = database_url.startswith("sqlite")  # else --database: PostgreSQL
    result = run(["score", str(SAMPLE_PROFILES), "--rubric",
                  str(RUBRICS / "global-principal-architect.yaml"), "--out", str(out),
                  *([] if sqlite_default else ["--database", database_url])], tmp_path)
    output = result.stdout + result.stderr
    # sample_profiles/ holds three deliberately malformed files: the run is partial, which
    # the summary says; only --strict turns it into exit 3 (see the next test).
    assert result.returncode == 0, output
    assert "partial: 3 input(s) quarantined" in output, output
    assert "ERROR" not in output and "Traceback" not in output, output
    assert "WARNING" not in output, output
    inputs = len([p for p in SAMPLE_PROFILES.iterdir() if not p.name.startswith(".")])
    assert re.search(rf"inputs\s*│\s*{inputs}\b", output), output
    assert out.exists() and out.with_name("shortlist.quarantine.csv").exists()
    assert re.search(r"erased, skipped\s*│\s*0\b", output), output
    if sqlite_default:
        assert (tmp_path / "data" / "trajectory.db").exists(), "default SQLite in the data dir"

    database = [] if sqlite_default else ["--database", database_url]
    listed = run(["runs", *database], tmp_path)
    assert listed.returncode == 0, listed.stderr
    run_id = re.search(r"^([0-9a-f]{12}) +score ", listed.stdout, re.MULTILINE)
    assert run_id and "score" in listed.stdout and "partial" not in listed.stdout
    shown = run(["runs", "show", run_id.group(1), *database], tmp_path)
    assert shown.returncode == 0, shown.stderr
    assert '"kind": "score"' in shown.stdout and f'"inputs": {inputs}' in shown.stdout
    assert run(["runs", "show", "nope", *database], tmp_path).returncode == 1


def test_cli_score_strict_exits_3_when_partial(tmp_path: Path) -> None:
    result = run(["score", str(SAMPLE_PROFILES), "--rubric",
                  str(RUBRICS / "global-principal-architect.yaml"), "--out",
                  str(tmp_path / "s.csv"), "--strict", "--quiet"], tmp_path)
    assert result.returncode == 3, result.stdout + result.stderr
    assert "partial: 3 input(s) quarantined" in result.stderr


def test_cli_bad_rubric_exits_1_naming_file_and_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (RUBRICS / "global-principal-architect.yaml").read_text(encoding="utf-8")
    bad.write_text(text.replace("event_driven: 0.20", "event_driven: 0.20\n  quantum: 0.1"),
                   encoding="utf-8")
    result = run(["score", str(SAMPLE_PROFILES), "--rubric", str(bad), "--out",
                  str(tmp_path / "s.csv")], tmp_path)
    assert result.returncode == 1
    assert "bad.yaml" in result.stderr and "pillar_weights.quantum" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "data").exists(), "nothing was read or written"


def test_cli_help_documents_the_partial_exit_code(tmp_path: Path) -> None:
    for command in ("score", "nightly"):
        result = run([command, "--help"], tmp_path)
        assert "3 partial" in " ".join(result.stdout.split()), result.stdout


def _commands(group: click.Group, prefix: str = "trajectory") -> list[tuple[str, click.Command]]:
    found = []
    for name, command in group.commands.items():
        if isinstance(command, click.Group):
            found += _commands(command, f"{prefix} {name}")
        else:
            found.append((f"{prefix} {name}", command))
    return found


COMMANDS = _commands(typer.main.get_command(app))  # type: ignore[arg-type]


@pytest.mark.parametrize("name, command", COMMANDS, ids=[n for n, _ in COMMANDS])
def test_cli_every_command_has_help_and_is_in_the_readme(name: str, command) -> None:
    assert command.help and command.help.strip(), f"{name} has no help text"
    assert f"`{name}" in (ROOT / "README.md").read_text(encoding="utf-8"), (
        f"{name} is not documented in README.md")


def test_cli_nightly_summary_and_partial_exit(tmp_path: Path, database_url: str) -> None:
    import yaml

    config = tmp_path / "config.yaml"
    config.write_text(yaml.safe_dump({"nightly": {
        "sources": [{"kind": "folder", "path": str(SAMPLE_PROFILES)}],
        "rubrics": [str(RUBRICS / "global-principal-architect.yaml")],
        "out_dir": str(tmp_path / "shortlists")}}), encoding="utf-8")
    args = ["nightly", "--config", str(config), "--database", database_url]
    result = run(args, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert "partial: 3 input(s) quarantined" in output and "Traceback" not in output
    assert re.search(r"new\s*│\s*18\b", output), output
    assert (tmp_path / "shortlists" / "global-principal-architect.diff.csv").exists()
    listed = run(["runs", "--database", database_url], tmp_path)
    assert re.search(r"^[0-9a-f]{12} +nightly +partial ", listed.stdout, re.MULTILINE)


@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_cli_console_never_writes_a_control_character_it_was_given(terminal: bool) -> None:
    """Issue 16: ids and phrases are data; an ESC sequence or CR in them reaches the terminal
    escaped (\\x1b), in plain text and in tables, while the CLI's own styling still works."""
    import io

    from rich.table import Table

    from pipeline.cli.common import SafeConsole

    out = io.StringIO()
    console = SafeConsole(file=out, force_terminal=terminal, width=120)
    console.print("[bold]top:[/] evil\x1b[2J\x1b]0;owned\x07 and\rsplit")
    table = Table("candidate")
    table.add_row("row\x1b[31m\x9b1m")
    console.print(table)
    written = out.getvalue()
    ours = re.sub(r"\x1b\[[0-9;]*m", "", written) if terminal else written  # Rich's styles
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", ours), repr(written)
    assert "evil\\x1b[2J" in ours and "\\x9b1m" in ours


def test_cli_commands_print_through_the_safe_console() -> None:
    """Every command module prints with common's consoles (no console of its own)."""
    import pipeline.cli as package

    for path in Path(package.__file__).parent.glob("*.py"):
        source = path.read_text(encoding="utf-8")
        assert "Console(" not in source or path.name == "common.py", path.name
        assert not re.search(r"(?<![.\w])print\(", source), path.name
