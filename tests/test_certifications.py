"""Certifications: lines mapped to the AWS ladder of the sourcing article."""

from __future__ import annotations

import pytest

from pipeline.extract.certifications import parse_certification, parse_certifications


@pytest.mark.parametrize(
    ("line", "level", "year"),
    [
        ("AWS Certified Cloud Practitioner", "foundational", None),
        ("AWS Certified Solutions Architect – Associate", "associate", None),
        ("SAA-C03", "associate", None),
        ("AWS Certified Developer - Associate 2020", "associate", 2020),
        ("AWS Certified SysOps Administrator – Associate", "associate", None),
        ("AWS Certified Data Engineer – Associate", "associate", None),
        ("AWS Certified Machine Learning Engineer - Associate", "associate", None),
        ("AWS Certified Solutions Architect – Professional (2021)", "professional", 2021),
        ("AWS SA Pro", "professional", None),
        ("AWS Certified DevOps Engineer – Professional, 2023", "professional", 2023),
        ("DOP-C02", "professional", None),
        ("AWS Certified Security – Specialty", "specialty", None),
        ("AWS Certified Advanced Networking - Speciality (2022)", "specialty", 2022),
        ("AWS Certified Machine Learning – Specialty", "specialty", None),
        ("CKA (2022)", "other", 2022),
        ("Certified Kubernetes Administrator", "other", None),
        ("Microsoft Certified: Azure Solutions Architect Expert", "other", None),
        ("Google Professional Cloud Architect", "other", None),
        ("CISSP", "other", None),
    ],
)
def test_certifications_levels_and_years(line, level, year) -> None:
    cert = parse_certification(line)
    assert cert is not None
    assert (cert.level, cert.year) == (level, year)


def test_certifications_canonical_name() -> None:
    cert = parse_certification("aws certified solutions architect professional")
    assert cert is not None and cert.name == "AWS Certified Solutions Architect – Professional"


def test_certifications_split_and_skip_empty_lines() -> None:
    certs = parse_certifications(["AWS SAA; CKA", "", "   "])
    assert [c.level for c in certs] == ["associate", "other"]
