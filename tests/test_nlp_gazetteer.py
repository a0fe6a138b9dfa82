"""Gazetteer: the committed AWS service file, the curated terms and the tech_matcher spans."""

from __future__ import annotations

import json

import botocore
import pytest
import spacy

from pipeline.datafiles import DataFileError, data_path, load_model
from pipeline.extract.build import build_rules_nlp
from pipeline.extract.gazetteer import (
    AWS_SERVICES_FILE,
    TechTerms,
    build_aws_services_document,
    gazetteer_terms,
    load_aws_services,
    load_tech_terms,
    service_names,
)
from pipeline.records import PILLARS


@pytest.fixture(scope="module")
def nlp() -> spacy.language.Language:
    return build_rules_nlp()


def test_gazetteer_committed_file_equals_fresh_build() -> None:
    recorded, _ = load_aws_services()
    if recorded != botocore.__version__:
        pytest.skip(
            f"aws_services.json was built with botocore {recorded}, installed is "
            f"{botocore.__version__}: run scripts/build_gazetteer.py to refresh it"
        )
    committed = json.loads(data_path(AWS_SERVICES_FILE).read_text(encoding="utf-8"))
    assert committed == build_aws_services_document()


@pytest.mark.parametrize(
    ("full", "abbrev", "service_id", "expected"),
    [
        ("Amazon Simple Queue Service", "Amazon SQS", "SQS", {"SQS", "Simple Queue Service"}),
        (
            "Amazon Simple Systems Manager (SSM)",
            "Amazon SSM",
            "SSM",
            {"SSM", "Simple Systems Manager"},
        ),
        ("AWS Lambda", None, "Lambda", {"AWS Lambda", "Lambda"}),
        ("AWS WAFV2", "WAFV2", "WAFV2", {"WAF", "WAFV2"}),
        ("AmazonMQ", None, "mq", {"Amazon MQ", "MQ"}),
    ],
)
def test_gazetteer_service_names_variants(full, abbrev, service_id, expected) -> None:
    assert expected <= set(service_names(full, abbrev, service_id))


def test_gazetteer_curated_service_ids_exist_in_botocore() -> None:
    terms = gazetteer_terms()  # raises DataFileError on an unknown id
    assert {t.pillar for t in terms if t.pillar} == set(PILLARS)


def test_gazetteer_tech_terms_reject_unknown_field(tmp_path) -> None:
    bad = tmp_path / "tech_terms.yaml"
    bad.write_text(
        "version: 1\naws: {}\ntools:\n  - {canonical: X, pillar: data, names: [X], colour: red}\n"
    )
    with pytest.raises(DataFileError, match=r"tech_terms\.yaml: tools\.0\.colour"):
        load_model(bad, TechTerms)


def test_gazetteer_tech_terms_reject_unknown_pillar(tmp_path) -> None:
    bad = tmp_path / "tech_terms.yaml"
    bad.write_text("version: 1\naws: {Lambda: {pillar: compute}}\n")
    with pytest.raises(DataFileError, match=r"aws\.Lambda\.pillar"):
        load_model(bad, TechTerms)


def test_gazetteer_shipped_terms_load() -> None:
    assert load_tech_terms().aws["SQS"].pillar == "event_driven"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Moved payments to Lambda and SQS",
            {("Lambda", "compute_network_iac"), ("SQS", "event_driven")},
        ),
        ("Used Amazon DynamoDB Global Tables", {("Amazon DynamoDB Global Tables", "data")}),
        (
            "Kafka on MSK feeding Aurora PostgreSQL",
            {("Kafka", "event_driven"), ("MSK", "event_driven"), ("Aurora PostgreSQL", "data")},
        ),
        ("Enabled AWS Config across 40 accounts", {("AWS Config", "security_compliance")}),
        ("Rolled out Config rules to all accounts", {("Config rules", "security_compliance")}),
        ("Edited config files by hand", set()),
        ("Backup scripts were rewritten", set()),
        ("Nightly snapshots with AWS Backup", {("AWS Backup", "operations")}),
        ("Ran jobs on Glue and Athena", {("Glue", "data"), ("Athena", "data")}),
        ("Put glue code between services", set()),
        ("Added 16 GB RAM to the build hosts", set()),
        (
            "Azure SQL and Cosmos DB on AKS",
            {("Azure SQL", "data"), ("Cosmos DB", "data"), ("AKS", "compute_network_iac")},
        ),
        (
            "GDPR and data residency for the EU",
            {("GDPR", "security_compliance"), ("data residency", "security_compliance")},
        ),
        ("Multi-AZ with RTO/RPO targets", {("Multi-AZ", "operations"), ("RTO/RPO", "operations")}),
        ("Moved the cloud to a new vendor", set()),
    ],
)
def test_gazetteer_tech_matcher_spans(nlp, text, expected) -> None:
    doc = nlp(text)
    assert {(s.text, s.label_) for s in doc.spans["tech"]} == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # generic words out of a technical context name no technology ...
        ("Chose containers, vases and baskets for each arrangement", set()),
        ("Member of Alpha Lambda Delta honour society", set()),
        ("Zero accidents and zero compliance issues on the line", set()),
        ("Executive Chef for a 120-seat restaurant", set()),
        ("Tested the fire alarms and monitoring panels weekly", set()),
        ("Ordered Cisco phones for the sales floor", set()),
        ("Toured San Diego and San Jose stores", set()),
        # ... and do in one
        ("Moved the services into containers on EC2",
         {("containers", "compute_network_iac"), ("EC2", "compute_network_iac")}),
        ("Wrote a Lambda function to rotate the API keys", {("Lambda", "compute_network_iac")}),
        ("Kept the cloud platform in PCI compliance",
         {("PCI", "security_compliance"), ("compliance", "security_compliance")}),
        ("Set up monitoring for the web servers",
         {("monitoring", "operations"), ("servers", "compute_network_iac")}),
    ],
)
def test_gazetteer_generic_words_count_only_in_technical_context(nlp, text, expected) -> None:
    doc = nlp(text)
    assert {(s.text, s.label_) for s in doc.spans["tech"]} == expected


def test_gazetteer_tech_matcher_longest_match_and_canonical(nlp) -> None:
    doc = nlp("Replicated with DynamoDB Global Tables and Amazon Simple Queue Service")
    spans = {s.text: s._.canonical for s in doc.spans["tech"]}
    assert spans == {
        "DynamoDB Global Tables": "Amazon DynamoDB",
        "Amazon Simple Queue Service": "Amazon SQS",
    }
