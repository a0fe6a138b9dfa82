"""Real-shaped resume text: repair and units (pipeline.parse.reflow, through parse_resume).

Every fixture here is written for these tests in the shapes real extracted text takes (PDF text
layers, web pages); none is copied from a real resume.
"""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.parse.reflow import MAX_UNIT_WORDS, repair_text, split_units
from pipeline.parse.resume import parse_resume


def _bullets(text: str) -> list[str]:
    return [b for role in parse_resume("c1", text).roles for b in role.bullets]


@pytest.mark.parametrize(("broken", "fixed"), [
    ("Skills â€¢ Terraform â€¢ Kubernetes", "Skills\n• Terraform\n• Kubernetes"),
    ("Worked at CafÃ© Lumière on the POS", "Worked at Café Lumière on the POS"),
    ("\ufffd?? Rebuilt the billing database", "• Rebuilt the billing database"),
    ("\uf0b7 Patched the mail servers", "• Patched the mail servers"),
    ("Tools * Jenkins * Ansible * Git", "Tools\n• Jenkins\n• Ansible\n• Git"),
])
def test_reflow_repairs_mojibake_and_lost_bullets(broken: str, fixed: str) -> None:
    assert repair_text(broken) == fixed


def test_reflow_joins_a_date_range_wrapped_over_two_lines() -> None:
    text = ("Experience\nSystems Engineer 04/2015 to\nCurrent Northwind Traders | Dayton , OH\n"
            "Moved the file servers to a new SAN with no downtime.\n"
            "Help Desk Technician 06/2012 to\n03/2015 Northwind Traders | Dayton , OH\n"
            "Reset passwords and imaged laptops for 300 staff.\n")
    roles = parse_resume("c1", text).roles
    assert [(r.title, r.start, r.current) for r in roles] == [
        ("Systems Engineer", date(2015, 4, 1), True),
        ("Help Desk Technician", date(2012, 6, 1), False),
    ]
    assert roles[0].bullets == ("Moved the file servers to a new SAN with no downtime.",)


def test_reflow_cuts_a_role_header_that_runs_into_its_first_sentence() -> None:
    text = ("Experience\nNetwork Administrator 01/2016 to\nCurrent Contoso Ltd | Tulsa , OK "
            "Responsibilities Replaced the core switches across four sites.\n")
    role = parse_resume("c1", text).roles[0]
    assert role.title == "Network Administrator" and role.start == date(2016, 1, 1)
    assert role.bullets == ("Replaced the core switches across four sites.",)


def test_reflow_splits_bullets_run_together_without_glyphs() -> None:
    text = ("Experience\nOffice Manager Jan 2010 - Dec 2014 Fabrikam\n"
            "Ordered supplies for three clinics Negotiated a new copier lease saving $4,000 "
            "Trained two receptionists on the scheduling system\n")
    assert _bullets(text) == [
        "Ordered supplies for three clinics",
        "Negotiated a new copier lease saving $4,000",
        "Trained two receptionists on the scheduling system",
    ]


def test_reflow_drops_inline_sub_headings_inside_a_role() -> None:
    text = ("Experience\nStore Supervisor 2015 - 2019 Tailspin Toys\nAccomplishments\n"
            "Cut stock shrinkage by 12% in one year.\nResponsibilities\n"
            "Opened and closed the store.\n")
    assert _bullets(text) == ["Cut stock shrinkage by 12% in one year.",
                              "Opened and closed the store."]


def test_reflow_rejoins_lines_a_pdf_wrapped_mid_sentence() -> None:
    text = ("Experience\nDatabase Administrator 2011 - 2018 Woodgrove Bank\n"
            "Designed the nightly backup rotation for the Oracle and SQL Server estate, "
            "which cut restore\ntimes from six hours to forty minutes.\n")
    assert _bullets(text) == [
        "Designed the nightly backup rotation for the Oracle and SQL Server estate, which cut "
        "restore times from six hours to forty minutes."]


def test_reflow_reads_company_description_forms_as_undated_work() -> None:
    text = ("Company Details\ncompany - Litware Inc\n"
            "description - Migrated the build farm to containers on EC2 and cut build time by "
            "half.\n")
    roles = parse_resume("c1", text).roles
    assert len(roles) == 1 and roles[0].start is None and roles[0].title == ""
    assert roles[0].bullets[-1] == ("Migrated the build farm to containers on EC2 and cut build "
                                    "time by half.")


def test_reflow_keeps_every_unit_short() -> None:
    listing = ", ".join(f"skill {n}" for n in range(80))
    units = split_units(listing)
    assert all(len(u.split()) <= MAX_UNIT_WORDS for u in units)
    assert " ".join(units).replace(" ,", ",") == listing


def test_reflow_does_not_cut_an_ordinary_sentence() -> None:
    sentence = "Led the move of the payroll system to Azure and trained the support team on it."
    assert split_units(sentence) == [sentence]
