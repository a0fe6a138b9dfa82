"""Evidence rules: hard cases written from the labelling guide's definitions."""

from __future__ import annotations

import pytest

from pipeline.extract.build import RULE_PIPES, build_rules_nlp, new_nlp
from pipeline.extract.inflect import inflections
from pipeline.records import EVIDENCE_FLAGS, PILLARS

YES, NO = 0.5, 0.5  # a flag is "on" above YES and "off" below NO


@pytest.fixture(scope="module")
def nlp():
    return build_rules_nlp()


@pytest.mark.parametrize(
    ("text", "on", "off"),
    [
        ("Cut p95 latency 30% by moving payments to Lambda", {"outcome"}, {"listing", "proactive"}),
        ("Responsible for the migration", set(), {"velocity", "outcome", "listing"}),
        ("Responsible for AWS architecture.", set(), {"velocity"}),
        ("Participated in the data-centre migration.", set(), {"velocity"}),
        ("Helped migrate the billing service to ECS.", set(), {"velocity"}),
        ("Will migrate the monolith to ECS next quarter.", set(), {"velocity", "outcome"}),
        ("Maintained batch jobs.", set(), {"velocity", "outcome"}),
        ("Goal was to reduce cost", set(), {"outcome"}),
        ("Goal was to reduce cost by 30%", set(), {"outcome"}),
        ("Managed 12 servers", set(), {"outcome", "velocity"}),
        ("Skills: EC2, S3, VPC, RDS", {"listing"}, {"velocity", "proactive", "outcome"}),
        ("Experience with EC2, S3, VPC, RDS", {"listing"}, {"velocity", "proactive", "outcome"}),
        ("Knowledge of IAM", {"listing"}, {"velocity", "outcome"}),
        ("Terraform, Kubernetes, Kafka, PostgreSQL, Datadog", {"listing"}, {"velocity"}),
        (
            "Led the migration of payment modules to Lambda, SQS and DynamoDB.",
            {"velocity"},
            {"listing"},
        ),
        (
            "Planned and executed the Active Directory domain migration to 2012 R2.",
            {"velocity"},
            set(),
        ),
        ("Shipped the new checkout in 6 weeks.", {"velocity"}, set()),
        ("Promoted twice in three years.", {"velocity"}, set()),
        (
            "Initiated a proof of concept for cross-region replication ahead of expected "
            "residency rules.",
            {"proactive"},
            {"listing"},
        ),
        ("Identified duplicate obligations and built a tool to remove them.", {"proactive"}, set()),
        ("Was assigned to build the reporting module.", set(), {"proactive", "velocity"}),
        (
            "Implemented the design provided by the architecture team.",
            set(),
            {"proactive", "velocity"},
        ),
        ("...cutting provisioning from 3 days to 40 minutes.", {"outcome"}, set()),
        (
            "Championed an IaC-first approach, drastically reducing provisioning times and "
            "improving auditability.",
            {"outcome", "proactive"},
            set(),
        ),
        ("Added value to the business.", set(), {"outcome"}),
        ("Improved processes.", set(), {"outcome"}),
        ("Passed the HIPAA audit with zero major findings.", {"outcome"}, set()),
        ("Made the EU launch possible by moving data to eu-west-1.", {"outcome"}, set()),
    ],
)
def test_rules_flags_follow_the_guide(nlp, text, on, off) -> None:
    evidence = nlp(text)._.evidence
    assert {f for f in on if evidence[f] <= YES} == set(), evidence
    assert {f for f in off if evidence[f] >= NO} == set(), evidence


@pytest.mark.parametrize(
    ("text", "pillars"),
    [
        ("Cut p95 latency 30% by moving payments to Lambda", {"compute_network_iac"}),
        ("Skills: EC2, S3, VPC, RDS", {"compute_network_iac", "data"}),
        (
            "Fan-out with SNS and SQS, audited with CloudTrail",
            {"event_driven", "security_compliance"},
        ),
        ("Set up CloudWatch alarms and X-Ray tracing", {"operations"}),
        ("Moved everything to the cloud", set()),
    ],
)
def test_rules_pillars_from_tech_spans(nlp, text, pillars) -> None:
    probs = nlp(text)._.pillars
    assert {p for p, v in probs.items() if v > YES} == pillars


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "Led.",
        "Skills:",
        "30%",
        "AWS",
        "!!!",
        "Led the migration. Cut costs 20%.",
        "Python, Java, Go",
        "x" * 500,
    ],
)
def test_rules_contract_every_doc_gets_all_flags_in_range(nlp, text) -> None:
    doc = nlp(text)
    assert set(doc._.evidence) == set(EVIDENCE_FLAGS)
    assert set(doc._.pillars) == set(PILLARS)
    assert all(0.0 <= v <= 1.0 for v in (*doc._.evidence.values(), *doc._.pillars.values()))


def test_rules_listing_caps_accomplishment_flags(nlp) -> None:
    evidence = nlp("Experience with migrating, leading and reducing costs on EC2")._.evidence
    assert evidence["listing"] > YES
    assert max(evidence["velocity"], evidence["proactive"], evidence["outcome"]) <= 0.1


def test_rules_pipeline_loads_offline_with_declared_components(monkeypatch) -> None:
    import socket

    def no_network(*args, **kwargs):
        raise AssertionError("the extract pipeline must not open a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    nlp = new_nlp(classifier=False)
    assert tuple(nlp.pipe_names) == RULE_PIPES
    meta = nlp.get_pipe_meta("evidence_rules")
    assert set(meta.assigns) == {"doc._.evidence", "doc._.pillars"}
    assert nlp("Led the rollout")._.evidence["velocity"] > YES


def test_rules_build_rules_nlp_is_cached() -> None:
    assert build_rules_nlp() is build_rules_nlp()


@pytest.mark.parametrize(
    ("verb", "forms"),
    [
        ("lead", {"lead", "leads", "led", "leading"}),
        ("migrate", {"migrated", "migrating"}),
        ("ship", {"shipped", "shipping"}),
        ("roll out", {"rolled out", "rolling out"}),
        ("re-architect", {"re-architected"}),
        ("build from scratch", {"built from scratch"}),
        ("identify", {"identified", "identifies"}),
    ],
)
def test_rules_inflections_of_cue_verbs(verb, forms) -> None:
    assert forms <= inflections(verb)
