"""MODEL_CARD.md is generated from measurements: every section is there, every figure matches
a fresh evaluation, and the committed card is what `trajectory card` writes today."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from pipeline.datafiles import default_model_path
from pipeline.extract.build import new_nlp
from pipeline.hashing import file_sha256
from pipeline.model.evaluate import evaluate, score_predictions
from pipeline.model.train import is_held_out, load_corpus
from pipeline.model.usage_card import GUARANTEES, SECTIONS, render_usage_card

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "evidence-dev.jsonl"


@pytest.fixture(scope="module")
def card() -> str:
    return render_usage_card(default_model_path(), ROOT / "rubrics")


def test_usage_card_has_every_section(card: str) -> None:
    for section in SECTIONS:
        assert f"\n## {section}\n" in card, section


def test_usage_card_committed_file_is_current(card: str) -> None:
    committed = (ROOT / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert committed == card, "MODEL_CARD.md is stale: run `trajectory card` and commit it"


def test_usage_card_guarantees_name_tests_that_exist() -> None:
    suite = (ROOT / "tests" / "test_metamorphic.py").read_text(encoding="utf-8")
    for _, test in GUARANTEES:
        assert f"def {test}(" in suite, test


def _line(card: str, title: str) -> str:
    match = re.search(rf"\*\*{re.escape(title)}\*\* \(n = \d+\):[^\n]*", card)
    assert match, title
    return match.group(0)


def _expected(title: str, evaluation) -> str:
    return (f"**{title}** (n = {evaluation.n}): macro-F1 over the four flags "
            f"{evaluation.macro_f1_flags:.3f}, over velocity/proactive/outcome "
            f"{evaluation.macro_f1_accomplishment:.3f}, micro-F1 over the pillars "
            f"{evaluation.micro_f1_pillars:.3f}.")


def test_usage_card_heldout_figures_match_a_fresh_evaluation(card: str, nlp) -> None:
    held = [u for u in load_corpus(ROOT / "models" / "training") if is_held_out(u.sid)]
    probs = []
    for doc in nlp.pipe([u.text for u in held]):
        probs.append([*doc._.evidence.values(), *doc._.pillars.values()])
    fresh = score_predictions(np.asarray([u.vector() for u in held]), np.asarray(probs),
                              extractor="model", gold_name="heldout", gold_sha256="")
    title = "Held-out split of the project's corpus, learned model"
    assert _line(card, title) == _expected(title, fresh)


@pytest.mark.skipif(not DEV.is_file(), reason="the shared dev set is not beside the project")
def test_usage_card_external_figures_match_a_fresh_evaluation(card: str) -> None:
    records = list((ROOT / "models" / "evaluations").glob("*.json"))
    recorded = [json.loads(p.read_text(encoding="utf-8")) for p in records]
    matching = [r for r in recorded if r["gold_sha256"] == file_sha256(DEV)]
    if not matching:
        pytest.skip("no recorded evaluation of this dev set")
    for extractor, title in (("model", "learned model"), ("rules", "rules alone")):
        fresh, _ = evaluate(new_nlp(classifier=extractor == "model"), DEV, extractor)
        full = f"External gold set `{DEV.name}`, {title}"
        assert _line(card, full) == _expected(full, fresh)
