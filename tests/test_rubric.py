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


# --- strict rubrics (issue 16) ---------------------------------------------------------------


def _edited(tmp_path: Path, edit, name: str = "edited.yaml") -> Path:
    raw = yaml.safe_load(SHIPPED[0].read_text(encoding="utf-8"))
    edit(raw)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


@pytest.mark.parametrize("value", [float("inf"), float("-inf"), float("nan"), "0.20", True])
def test_rubric_numbers_must_be_finite_numbers(tmp_path: Path, value: object) -> None:
    path = _edited(tmp_path, lambda r: r["pillar_weights"].update(data=value))
    with pytest.raises(RubricError, match=r"edited\.yaml: pillar_weights\.data"):
        load_rubric(path)


def test_rubric_yaml_inf_literal_is_refused(tmp_path: Path) -> None:
    text = SHIPPED[0].read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    path = tmp_path / "inf.yaml"
    raw["evidence_weights"]["outcome"] = "INF"
    path.write_text(yaml.safe_dump(raw).replace("outcome: INF", "outcome: .inf"),
                    encoding="utf-8")
    with pytest.raises(RubricError, match="finite number"):
        load_rubric(path)


def test_rubric_files_over_one_megabyte_are_refused_unparsed(tmp_path: Path) -> None:
    path = tmp_path / "huge.yaml"
    path.write_text(SHIPPED[0].read_text(encoding="utf-8") + "#" * 1_100_000 + "\n",
                    encoding="utf-8")
    with pytest.raises(RubricError, match=r"huge\.yaml: rubric is 1,1\d\d,\d{3} bytes"):
        load_rubric(path)


@pytest.mark.parametrize("encoding", ["latin-1", "utf-16"])
def test_rubric_not_utf8_is_a_clear_error_naming_the_file(tmp_path: Path,
                                                          encoding: str) -> None:
    path = tmp_path / f"{encoding}.yaml"
    path.write_bytes(SHIPPED[0].read_text(encoding="utf-8").replace(
        "description:", "# Ünïcödé\ndescription:", 1).encode(encoding))
    with pytest.raises(RubricError, match=rf"{encoding}\.yaml: rubric is not UTF-8 text"):
        load_rubric(path)


def test_rubric_content_hash_follows_content_not_layout(tmp_path: Path) -> None:
    original = load_rubric(SHIPPED[0])
    relaid = tmp_path / "relaid.yaml"
    relaid.write_text("# a comment\n" + yaml.safe_dump(
        yaml.safe_load(SHIPPED[0].read_text(encoding="utf-8")), sort_keys=False, indent=4),
        encoding="utf-8")
    changed = _edited(tmp_path, lambda r: r["pillar_weights"].update(data=0.99))
    assert load_rubric(relaid).content_hash == original.content_hash
    assert load_rubric(changed).content_hash != original.content_hash


def test_rubric_changed_under_the_same_name_and_version_is_refused_until_bumped(
        prefect_harness, tmp_path: Path, database_url: str) -> None:
    """A rubric edited (here: a huge weight on one pillar) that keeps
    the real rubric's name and version must not overwrite the scores stored under that label."""
    import shutil

    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from pipeline.runs.flows import score_batch
    from pipeline.store.db import open_store
    from pipeline.store.models import ScoreRow

    from .conftest import AS_OF, SAMPLE_PROFILES

    source = tmp_path / "resumes"
    source.mkdir()
    for name in ("senior-dev-event-driven-payments.md", "sre-operations-observability.txt"):
        shutil.copy(SAMPLE_PROFILES / name, source / name)
    real = SHIPPED[0]
    score_batch(source, real, tmp_path / "a.csv", database_url, as_of=AS_OF)
    engine = open_store(database_url)
    try:
        with Session(engine) as session:
            before = dict(session.execute(select(ScoreRow.candidate_id, ScoreRow.score)).all())
            hashes = set(session.scalars(select(ScoreRow.rubric_hash)))
        assert hashes == {load_rubric(real).content_hash}

        forged = _edited(tmp_path, lambda r: r["pillar_weights"].update(data=1e9),
                         name=real.name)
        with pytest.raises(RubricError, match="has changed since scores were stored.*bump"):
            score_batch(source, forged, tmp_path / "b.csv", database_url, as_of=AS_OF)
        with Session(engine) as session:
            after = dict(session.execute(select(ScoreRow.candidate_id, ScoreRow.score)).all())
        assert after == before

        bumped = _edited(tmp_path, lambda r: r.update(version=r["version"] + "-b")
                         or r["pillar_weights"].update(data=1e9), name="bumped.yaml")
        score_batch(source, bumped, tmp_path / "c.csv", database_url, as_of=AS_OF)
        with Session(engine) as session:
            versions = set(session.scalars(select(ScoreRow.rubric_version)))
        assert len(versions) == 2
    finally:
        engine.dispose()
