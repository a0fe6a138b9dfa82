"""The learned evidence classifier: its component contract, safe loading, reproducible
training, and hard cases written from the labelling guide's definitions."""

from __future__ import annotations

import json
import re
import shutil
import socket
from pathlib import Path

import pytest

from pipeline.datafiles import default_model_path
from pipeline.errors import ModelError
from pipeline.extract.build import new_nlp
from pipeline.extract.classifier import LABELS, ModelFiles, doc_signals, load_model
from pipeline.model.evaluate import load_labelled
from pipeline.model.train import is_held_out, load_corpus, train
from pipeline.records import EVIDENCE_FLAGS, PILLARS

CORPUS = Path(__file__).resolve().parent.parent / "models" / "training"


def test_nlp_classifier_sets_every_flag_and_pillar_on_every_doc(nlp) -> None:
    texts = ["Led the migration of 40 services to EKS, cutting cost 30%.",
             "Skills: EC2, S3, IAM", "", "Attended meetings.", "Ünïcödé ✓ 12 %"]
    for doc in nlp.pipe(texts):
        assert set(doc._.evidence) == set(EVIDENCE_FLAGS)
        assert set(doc._.pillars) == set(PILLARS)
        assert all(0.0 <= p <= 1.0 for p in [*doc._.evidence.values(), *doc._.pillars.values()])
        assert set(doc._.rule_evidence) == set(EVIDENCE_FLAGS)


def test_nlp_classifier_is_a_declared_component_that_loads_offline(monkeypatch) -> None:
    def no_network(*args, **kwargs):
        raise AssertionError("loading the extractor must not open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    nlp = new_nlp()
    assert nlp.pipe_names[-2:] == ["evidence_classifier", "pillar_grounding"]
    meta = nlp.get_pipe_meta("evidence_classifier")
    assert {"doc._.evidence", "doc._.pillars"} <= set(meta.assigns)
    assert "doc._.evidence" in meta.requires
    assert nlp.meta["extractor_version"].startswith("rules-")
    assert "+model-" in nlp.meta["extractor_version"]


@pytest.fixture()
def model_copy(tmp_path: Path) -> Path:
    source = default_model_path()
    target = tmp_path / source.name
    shutil.copy(source, target)
    shutil.copy(source.with_suffix(".json"), target.with_suffix(".json"))
    return target


def test_nlp_classifier_missing_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="missing; run `trajectory train`"):
        new_nlp(model_path=tmp_path / "evidence-classifier.joblib")


def test_nlp_classifier_tampered_model_is_refused(model_copy: Path) -> None:
    data = bytearray(model_copy.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model_copy.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="does not match"):
        load_model(ModelFiles(model_copy))


def test_nlp_classifier_swapped_sidecar_is_refused(model_copy: Path) -> None:
    sidecar = model_copy.with_suffix(".json")
    card = json.loads(sidecar.read_text(encoding="utf-8"))
    card["sha256"] = "0" * 64
    sidecar.write_text(json.dumps(card), encoding="utf-8")
    with pytest.raises(ModelError, match="modified or replaced"):
        new_nlp(model_path=model_copy)


def test_nlp_classifier_shipped_model_matches_its_corpus() -> None:
    """The committed model was trained from the committed corpus (retrain after editing it)."""
    from pipeline.model.train import corpus_sha256

    card = json.loads(default_model_path().with_suffix(".json").read_text(encoding="utf-8"))
    assert card["corpus"]["sha256"] == corpus_sha256(CORPUS)
    assert card["labels"] == list(LABELS)


def test_nlp_classifier_training_is_reproducible(tmp_path: Path) -> None:
    """Same data and seed → byte-identical model file and identical metrics."""
    subset = tmp_path / "corpus"
    subset.mkdir()
    lines = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        lines += path.read_text(encoding="utf-8").splitlines()[:120]
    (subset / "part.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    first = train(subset, ModelFiles(tmp_path / "one" / "m.joblib"), seed=7)
    second = train(subset, ModelFiles(tmp_path / "two" / "m.joblib"), seed=7)
    assert first.sha256 == second.sha256
    assert first.heldout_model == second.heldout_model
    card = (tmp_path / "one" / "m.md").read_text(encoding="utf-8")
    assert first.sha256 in card and "Held-out split" in card


def test_nlp_classifier_heldout_split_is_stable_and_disjoint() -> None:
    units = load_corpus(CORPUS)
    held = [u for u in units if is_held_out(u.sid)]
    assert 0.15 < len(held) / len(units) < 0.25
    assert is_held_out("a0001") == is_held_out("a0001")


# Hard cases, each read against docs/evidence-labelling-guide.md. (flag, expected) pairs.
HARD_CASES = [
    ("Cut p95 latency 30% by moving payments to Lambda.", "outcome", True),
    ("Responsible for the migration to AWS.", "velocity", False),
    ("Participated in the data-centre migration.", "velocity", False),
    ("Goal was to reduce cost by 20%.", "outcome", False),
    ("Managed 12 servers.", "outcome", False),
    ("Skills: EC2, S3, VPC, RDS, DynamoDB", "listing", True),
    ("Experience with EC2, S3, VPC and RDS.", "listing", True),
    ("Experience with EC2, S3, VPC and RDS.", "velocity", False),
    ("Led the migration of payment modules to Lambda, SQS and DynamoDB.", "velocity", True),
    ("Initiated a proof of concept for cross-region replication nobody had asked for.",
     "proactive", True),
    ("Was assigned to build the reporting module.", "proactive", False),
    ("Passed the PCI DSS audit with zero major findings.", "outcome", True),
    ("Reduced provisioning time from 3 days to 40 minutes.", "outcome", True),
    ("Maintained nightly batch jobs.", "velocity", False),
    ("Spotted a misconfigured S3 bucket policy and fixed it before the audit.", "proactive",
     True),
]


@pytest.mark.parametrize("text, flag, expected", HARD_CASES,
                         ids=[f"{f}-{'yes' if e else 'no'}-{t[:30]}" for t, f, e in HARD_CASES])
def test_nlp_classifier_hard_cases(nlp, text: str, flag: str, expected: bool) -> None:
    probability = nlp(text)._.evidence[flag]
    assert (probability >= 0.5) == expected, f"{flag} p={probability:.2f}"


@pytest.mark.parametrize("text, pillar", [
    ("Moved the order events onto SQS and SNS fan-out.", "event_driven"),
    ("Rotated KMS keys and enforced least privilege in IAM.", "security_compliance"),
    ("Tuned Aurora PostgreSQL read replicas.", "data"),
    ("Wrote the Terraform modules for the VPC and subnets.", "compute_network_iac"),
    ("Built CloudWatch dashboards and X-Ray tracing for checkout.", "operations"),
])
def test_nlp_classifier_pillar_cases(nlp, text: str, pillar: str) -> None:
    assert nlp(text)._.pillars[pillar] >= 0.5


def _guide_examples() -> list[tuple[str, str, bool]]:
    """The labelling guide's own "- Yes:"/"- No:" examples under each evidence flag."""
    guide = Path(__file__).resolve().parents[1] / "docs" / "evidence-labelling-guide.md"
    examples, flag = [], None
    for line in guide.read_text(encoding="utf-8").splitlines():
        heading = re.match(r"\*\*(\w+)\*\* —", line)
        flag = heading.group(1) if heading else flag
        example = re.match(r'- (Yes|No): "(?:\.\.\.)?(.+?)"', line)
        if example and flag in EVIDENCE_FLAGS:
            examples.append((example.group(2), flag, example.group(1) == "Yes"))
    return examples


GUIDE_EXAMPLES = _guide_examples()


def test_nlp_classifier_guide_examples_are_found() -> None:
    assert len(GUIDE_EXAMPLES) >= 12
    assert {flag for _, flag, _ in GUIDE_EXAMPLES} == {"velocity", "proactive", "outcome"}


@pytest.mark.parametrize("flag", ["velocity", "proactive", "outcome"])
def test_nlp_classifier_ranks_the_guides_yes_examples_above_its_no_examples(nlp,
                                                                           flag: str) -> None:
    """The definitions are the guide's: for each flag, every sentence the guide calls "Yes" gets
    a higher probability than every sentence it calls "No" (the scorer weighs evidence by this
    probability, so the order is what a recruiter sees)."""
    yes = {t: nlp(t)._.evidence[flag] for t, f, e in GUIDE_EXAMPLES if f == flag and e}
    no = {t: nlp(t)._.evidence[flag] for t, f, e in GUIDE_EXAMPLES if f == flag and not e}
    assert min(yes.values()) > max(no.values()), (yes, no)
    assert all(p < 0.5 for p in no.values()), no


@pytest.mark.parametrize("text, signal", [
    ("Led the migration of the billing system to ECS.", "obj_vel_change"),
    ("Led the daily stand-up for the platform team.", "obj_vel_routine"),
    ("Initiated change requests in ServiceNow.", "obj_pro_routine"),
    ("Proposed a proof of concept for Kafka.", "obj_pro_change"),
])
def test_nlp_classifier_signals_say_what_a_cue_verb_acts_on(text: str, signal: str) -> None:
    signals = doc_signals(new_nlp(classifier=False)(text)).split()
    assert signal in signals
    opposite = signal.replace("change", "routine") if "change" in signal else \
        signal.replace("routine", "change")
    assert opposite not in signals


def test_nlp_classifier_gold_loader_names_line_and_field(tmp_path: Path) -> None:
    from pipeline.model.evaluate import GoldError

    bad = tmp_path / "gold.jsonl"
    bad.write_text('{"sid": "x", "text": "t", "velocity": 2}\n', encoding="utf-8")
    with pytest.raises(GoldError, match=r"gold.jsonl:1: velocity"):
        load_labelled(bad)
