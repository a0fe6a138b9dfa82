"""Rubrics are validated on load, with errors naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipeline.errors import RubricError
from pipeline.score.rubric import load_rubric

SHIPPED = sorted((Path(__file__).resolve().parent.parent / "rubrics").glob("*.yaml"))


def test_rubric_ships_at_least_three_valid_rubrics() -> None:
    names = {load_rubric(p).name for p in SHIPPED}
    assert {"global-principal-architect", "cloud-security-specialist",
            "data-platform-architect"} <= names


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.stem)
def test_rubric_name_matches_file_and_tenure_saturates(path: Path) -> None:
    rubric = load_rubric(path)
    assert rubric.name == path.stem
    assert rubric.tenure.max_points <= 5, "potential over tenure: tenure adds little"


def _broken(tmp_path: Path, edit) -> Path:
    raw = yaml.safe_load(SHIPPED[0].read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / "broken.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "edit, field, message",
    [
        (lambda r: r["pillar_weights"].update(networking=0.3), "pillar_weights.networking",
         "Extra inputs"),
        (lambda r: r["pillar_weights"].update(data=-0.1), "pillar_weights.data",
         "greater than or equal to 0"),
        (lambda r: r.pop("tenure"), "tenure", "Field required"),
        (lambda r: r["evidence_weights"].pop("outcome"), "evidence_weights.outcome",
         "Field required"),
        (lambda r: r["must_haves"].append({"id": "x", "description": "d", "pillar": "ml"}),
         "must_haves", "unknown pillar 'ml'"),
        (lambda r: r["mix"].update(evidence=90), "<rubric>", "must sum to 100"),
    ],
)
def test_rubric_errors_name_file_and_field(tmp_path: Path, edit, field: str, message: str) -> None:
    path = _broken(tmp_path, edit)
    with pytest.raises(RubricError) as info:
        load_rubric(path)
    text = str(info.value)
    assert str(path) in text
    assert field in text
    assert message in text


@pytest.mark.parametrize("content, message", [("a: [", "not valid YAML"),
                                              ("- just\n- a list\n", "expected a mapping")])
def test_rubric_rejects_malformed_yaml(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RubricError, match=message):
        load_rubric(path)


def test_rubric_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(RubricError, match="nope.yaml"):
        load_rubric(tmp_path / "nope.yaml")
