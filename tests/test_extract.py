"""The extract stage: units, forced skills listing, sentence splitting, records."""

from __future__ import annotations

import json
import os
from datetime import date

import pytest

from pipeline.extract import evidence as extract_stage
from pipeline.extract.build import build_nlp, extractor_version
from pipeline.extract.evidence import extract, extract_many
from pipeline.ingest.read import ingest_folder
from pipeline.parse.resume import parse_resume
from pipeline.records import ACCOMPLISHMENT_FLAGS, EVIDENCE_FLAGS, PILLARS, Resume, Role
from pipeline.store.jsonable import to_jsonable

RESUME = Resume(
    candidate_id="c1",
    summary=("Backend engineer moving into cloud architecture.",),
    roles=(
        Role(
            title="Senior Developer",
            employer="Shop",
            start=date(2020, 1, 1),
            end=None,
            current=True,
            bullets=(
                "Led the migration of payment modules to Lambda, SQS and DynamoDB, cutting p95 "
                "latency 30%.",
                "Initiated a proof of concept for DynamoDB Global Tables. "
                "Cut costs by $4,000 a month.",
            ),
        ),
        Role(
            title="Developer",
            employer=None,
            start=None,
            end=None,
            current=False,
            bullets=("Responsible for the build server.",),
        ),
    ),
    skills=("Led, migrated, reduced: AWS Lambda, SQS, DynamoDB, Terraform",),
    certifications=("AWS Certified Solutions Architect – Professional (2021)",),
    projects=("Built a Kafka-based order stream that halved checkout errors.",),
    education=("BSc Computer Science, 2015",),
)


@pytest.fixture(scope="module")
def evidence():
    return extract(RESUME, "hash-1")


def test_extract_units_in_reading_order_with_sections(evidence) -> None:
    assert [(s.section, s.role_index) for s in evidence.sentences] == [
        ("summary", None),
        ("experience", 0),
        ("experience", 0),
        ("experience", 0),
        ("experience", 1),
        ("projects", None),
        ("skills", None),
    ]
    assert evidence.sentences[2].text == "Initiated a proof of concept for DynamoDB Global Tables."


def test_extract_skills_lines_are_forced_listing(evidence) -> None:
    skills = evidence.sentences[-1]
    assert skills.flags["listing"] == 1.0
    assert all(skills.flags[f] == 0.0 for f in ACCOMPLISHMENT_FLAGS)
    assert skills.pillars["event_driven"] > 0.5


@pytest.mark.parametrize(
    ("index", "flag"),
    [(1, "velocity"), (1, "outcome"), (2, "proactive"), (3, "outcome"), (5, "outcome")],
)
def test_extract_accomplishments_found(evidence, index, flag) -> None:
    assert evidence.sentences[index].flags[flag] > 0.5


def test_extract_records_are_complete(evidence) -> None:
    assert evidence.content_hash == "hash-1"
    assert evidence.extractor_version == extractor_version(build_nlp())
    assert evidence.resume is RESUME
    for sentence in evidence.sentences:
        assert set(sentence.flags) == set(EVIDENCE_FLAGS)
        assert set(sentence.pillars) == set(PILLARS)
    first = evidence.sentences[1]
    assert {m.canonical for m in first.mentions} == {"AWS Lambda", "Amazon SQS", "Amazon DynamoDB"}
    assert [(q.value, q.unit, q.direction) for q in first.quantities] == [(30, "%", "down")]
    assert [(c.level, c.year) for c in evidence.certifications] == [("professional", 2021)]


def test_extract_empty_resume() -> None:
    result = extract(Resume(candidate_id="empty"), "h")
    assert result.sentences == () and result.certifications == ()


def test_extract_is_deterministic(evidence) -> None:
    assert extract(RESUME, "hash-1") == evidence


def test_extract_many_two_processes_give_identical_records(nlp, sample_profiles,
                                                           monkeypatch) -> None:
    documents = ingest_folder(sample_profiles).documents
    batch = [(parse_resume(d.candidate_id, d.text), d.content_hash) for d in documents]
    one = extract_many(batch, nlp)

    # Small chunks so 18 resumes make several worker tasks; _sentences refuses to run in this
    # process, so the records below really come from the two workers.
    monkeypatch.setattr(extract_stage, "_CHUNK", 4)
    parent, real = os.getpid(), extract_stage._sentences

    def in_workers_only(resumes, nlp, *limits):
        assert os.getpid() != parent, "n_process=2 extracted in the parent process"
        return real(resumes, nlp, *limits)

    monkeypatch.setattr(extract_stage, "_sentences", in_workers_only)
    two = extract_many(batch, nlp, n_process=2)

    assert len(one) == len(batch) > 2 * extract_stage._CHUNK
    assert [json.dumps(to_jsonable(e)) for e in two] == [json.dumps(to_jsonable(e)) for e in one]
    assert two == one


def test_extract_many_rejects_zero_processes() -> None:
    with pytest.raises(ValueError, match="n_process=0"):
        extract_many([], n_process=0)
