"""CSV safety: formula neutralisation and atomic replacement of a file."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.export.csvsafe import FORMULA_PREFIXES, neutralise, replacing, unneutralise


@pytest.mark.parametrize("cell", [f"{p}cmd" for p in FORMULA_PREFIXES] + ["Led it", "", "'x"])
def test_csvsafe_unneutralise_undoes_neutralise(cell: str) -> None:
    assert unneutralise(neutralise(cell)) == cell


def test_csvsafe_replacing_keeps_the_old_file_on_error(tmp_path: Path) -> None:
    target = tmp_path / "shortlist.csv"
    target.write_text("old\n", encoding="utf-8")
    with pytest.raises(RuntimeError), replacing(target) as handle:
        handle.write("half a fi")
        raise RuntimeError("disk full")
    assert target.read_text(encoding="utf-8") == "old\n"
    assert [p.name for p in tmp_path.iterdir()] == ["shortlist.csv"]


def test_csvsafe_replacing_takes_the_mode_asked_for(tmp_path: Path) -> None:
    target = tmp_path / "shortlist.csv"
    target.write_text("old\n", encoding="utf-8")
    target.chmod(0o640)
    with replacing(target, mode_of=target) as handle:
        handle.write("new\n")
    assert target.read_text(encoding="utf-8") == "new\n"
    assert target.stat().st_mode & 0o777 == 0o640
