"""Training on real labelled sentences (found, fingerprinted, weighted; a notice when absent)
and the active-learning batch of ``trajectory label suggest``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pipeline.cli.main import app
from pipeline.errors import CorpusError
from pipeline.extract.classifier import ModelFiles
from pipeline.hashing import file_sha256
from pipeline.model.evaluate import LABELS
from pipeline.model.realset import (
    DEFAULT_REAL_SET,
    REAL_SET_ENV,
    default_real_sets,
    load_real_set,
    load_real_sets,
)
from pipeline.model.suggest import Suggestion, candidates, pick, uncertainty, write_suggestions
from pipeline.model.train import NO_REAL_SET_NOTICE, train

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "models" / "training"


def _written_subset(folder: Path, lines_per_part: int) -> tuple[Path, list[str]]:
    """A small written corpus (the first lines of each part) and the lines after them."""
    folder.mkdir()
    kept, rest = [], []
    for path in sorted(CORPUS.glob("*.jsonl")):
        lines = path.read_text(encoding="utf-8").splitlines()
        kept += lines[:lines_per_part]
        rest += lines[lines_per_part:lines_per_part + 15]
    (folder / "part.jsonl").write_text("\n".join(kept) + "\n", encoding="utf-8")
    return folder, rest


def _as_real(lines: list[str], path: Path) -> Path:
    """Stand-in real set in the shared file's format: guide keys + ``resume``, new ids.
    (Built from the project's own written corpus: real sentences never enter the tests.)"""
    out = []
    for i, line in enumerate(lines):
        record = json.loads(line)
        record["sid"] = f"real-{i:04d}"
        record["resume"] = f"resume-{i // 3}"
        out.append(json.dumps(record))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return path


def test_model_realset_training_reads_it_and_records_its_hash(tmp_path: Path) -> None:
    written, rest = _written_subset(tmp_path / "corpus", 120)
    real_path = _as_real(rest, tmp_path / "real.jsonl")
    real = load_real_sets([real_path])
    result = train(written, ModelFiles(tmp_path / "m" / "m.joblib"), seed=3, real=real)
    assert result.n_real == len(rest) and result.notices == ()
    sidecar = json.loads((tmp_path / "m" / "m.json").read_text(encoding="utf-8"))
    [entry] = sidecar["real"]["sets"]
    assert entry["sha256"] == file_sha256(real_path)
    assert entry["bytes"] == real_path.stat().st_size
    assert entry["sentences"] == len(rest) and entry["resumes"] == -(-len(rest) // 3)
    assert not any(json.loads(line)["text"] in json.dumps(sidecar) for line in rest)
    card = (tmp_path / "m" / "m.md").read_text(encoding="utf-8")
    assert file_sha256(real_path) in card
    # Same inputs → the same file; the real sentences change the model.
    again = train(written, ModelFiles(tmp_path / "m2" / "m.joblib"), seed=3, real=real)
    assert again.sha256 == result.sha256
    alone = train(written, ModelFiles(tmp_path / "m3" / "m.joblib"), seed=3)
    assert alone.sha256 != result.sha256
    assert alone.n_real == 0 and alone.notices == (NO_REAL_SET_NOTICE,)
    alone_card = json.loads((tmp_path / "m3" / "m.json").read_text(encoding="utf-8"))
    assert alone_card["real"] is None
    assert "No real labelled sentences" in (tmp_path / "m3" / "m.md").read_text(encoding="utf-8")


def test_model_realset_cli_without_real_set_trains_with_a_notice(tmp_path: Path,
                                                                 monkeypatch) -> None:
    written, _ = _written_subset(tmp_path / "corpus", 120)
    monkeypatch.chdir(tmp_path)  # no ../shared from here
    monkeypatch.setattr("pipeline.cli.model.shipped_models_dir", lambda: tmp_path / "models")
    done = CliRunner().invoke(app, ["train", "--corpus", str(written), "--out",
                                    str(tmp_path / "out" / "m.joblib")])
    assert done.exit_code == 0, done.output
    assert "notice:" in done.output and "written corpus alone" in done.output
    assert (tmp_path / "out" / "m.joblib").is_file()


def test_model_realset_default_is_the_shared_file_when_present(monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    found = default_real_sets(ROOT)
    beside = [base / DEFAULT_REAL_SET for base in (ROOT, ROOT.parent)]
    if not any(p.is_file() for p in beside):
        assert found == []
        pytest.skip("../shared/data/evidence-train-real.jsonl is not beside this checkout")
    assert found == [next(p for p in beside if p.is_file()).resolve()]
    real = load_real_set(found[0])
    assert len(set(real.resumes)) > 1 and real.fingerprint()["sha256"] == file_sha256(found[0])


def test_model_realset_environment_names_the_sets(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv(REAL_SET_ENV, str(tmp_path / "a.jsonl"))
    assert default_real_sets(ROOT) == [tmp_path / "a.jsonl"]


@pytest.mark.parametrize("line, message", [
    ('{"sid": "x", "resume": "r", "text": "t", ' + ", ".join(f'"{k}": null' for k in LABELS)
     + "}", r"real.jsonl:1: velocity: label is blank"),
    ('{"sid": "x", "text": "t", "velocity": 2}', r"real.jsonl:1: velocity"),
    ("not json", r"real.jsonl:1: not valid JSON"),
])
def test_model_realset_loader_names_file_line_and_field(tmp_path: Path, line: str,
                                                       message: str) -> None:
    bad = tmp_path / "real.jsonl"
    bad.write_text(line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        load_real_set(bad)


def test_model_realset_suggest_writes_blank_guide_lines_spread_over_resumes(
        sample_profiles: Path, tmp_path: Path) -> None:
    per_resume = candidates(sample_profiles)
    assert len(per_resume) >= 5
    chosen = pick(per_resume, len(per_resume))
    # one round: the most uncertain unit of every resume, most uncertain first
    assert sorted(s.resume for s in chosen) == sorted(per_resume)
    assert [s.uncertainty for s in chosen] == sorted((s.uncertainty for s in chosen),
                                                     reverse=True)
    assert all(s.uncertainty == units[0].uncertainty
               for s in chosen for units in [per_resume[s.resume]])
    more = pick(per_resume, len(per_resume) + 3)
    assert more[:len(chosen)] == chosen and len(more) == len(chosen) + 3
    out = write_suggestions(more, tmp_path / "next.jsonl")
    lines = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [list(line) for line in lines] == [["sid", "resume", "text", *LABELS]] * len(more)
    assert all(line[label] is None for line in lines for label in LABELS)
    assert len({line["sid"] for line in lines}) == len(lines)
    # a reviewer's file is never overwritten; an unreviewed one is refused by training
    with pytest.raises(FileExistsError, match="already exists"):
        write_suggestions(more, out)
    with pytest.raises(CorpusError, match="label is blank"):
        load_real_set(out)


def test_model_realset_suggest_skips_known_sentences(sample_profiles: Path) -> None:
    first = candidates(sample_profiles)
    known = [units[0].text for units in first.values()]
    again = candidates(sample_profiles, known=known)
    assert not {s.text for units in again.values() for s in units} & set(known)


@pytest.mark.parametrize("flags, expected", [
    ({"velocity": 0.5}, 1.0), ({"velocity": 0.0, "outcome": 1.0}, 0.0),
    ({"velocity": 0.9, "proactive": 0.3}, 0.6),
])
def test_model_realset_uncertainty_is_nearness_to_a_coin_toss(flags, expected) -> None:
    assert uncertainty(flags) == pytest.approx(expected)
    assert Suggestion("r", "t", 0.5).sid == Suggestion("r", "t", 0.9).sid
