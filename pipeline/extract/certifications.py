"""Certification lines → the AWS certification ladder of the sourcing article.

foundational (Cloud Practitioner, AI Practitioner) < associate (Solutions Architect,
Developer, SysOps Administrator, Data Engineer, Machine Learning Engineer) < professional
(Solutions Architect, DevOps Engineer) and specialty (Security, Advanced Networking, Machine
Learning, ...). Anything not on the AWS ladder (CKA, Azure, GCP, CISSP) is ``other``.

>>> cert = parse_certification("AWS Certified Solutions Architect – Professional (2021)")
>>> cert.level, cert.year
('professional', 2021)
>>> parse_certification("SAA-C03").level
'associate'
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from pipeline.records import Certification

_YEAR = re.compile(r"\b(19[89]\d|20\d\d)\b")
_NOT_AWS = re.compile(
    r"\b(?:azure|microsoft|gcp|google|cisco|ccna|ccnp|kubernetes|cka|ckad|cks|cissp|cism|cisa|"
    r"comptia|hashicorp|terraform|oracle|red hat|rhce|pmp|scrum|itil|togaf|linux foundation)\b",
    re.IGNORECASE,
)
_AWS = re.compile(r"\b(?:aws|amazon)\b", re.IGNORECASE)
_CODE = re.compile(
    r"\b(?P<code>CLF|AIF|SAA|DVA|SOA|DEA|MLA|SAP|DOP|ANS|SCS|MLS|DBS|DAS|PAS)-C0\d\b", re.IGNORECASE
)
_BARE_CODE = re.compile(r"\b(?P<code>CLF|AIF|SAA|DVA|SOA|DEA|MLA|SAP|DOP|ANS|SCS|MLS|DBS|DAS)\b")
_CODE_ROLE = {
    "CLF": ("Cloud Practitioner", "foundational"),
    "AIF": ("AI Practitioner", "foundational"),
    "SAA": ("Solutions Architect", "associate"),
    "DVA": ("Developer", "associate"),
    "SOA": ("SysOps Administrator", "associate"),
    "DEA": ("Data Engineer", "associate"),
    "MLA": ("Machine Learning Engineer", "associate"),
    "SAP": ("Solutions Architect", "professional"),
    "DOP": ("DevOps Engineer", "professional"),
    "ANS": ("Advanced Networking", "specialty"),
    "SCS": ("Security", "specialty"),
    "MLS": ("Machine Learning", "specialty"),
    "DBS": ("Database", "specialty"),
    "DAS": ("Data Analytics", "specialty"),
    "PAS": ("SAP on AWS", "specialty"),
}
#: (role pattern, role name, level when the line names no level), most specific first.
_ROLES: tuple[tuple[re.Pattern[str], str, str], ...] = tuple(
    (re.compile(p, re.IGNORECASE), role, level)
    for p, role, level in (
        (r"\bcloud practitioner\b|\bccp\b", "Cloud Practitioner", "foundational"),
        (r"\bai practitioner\b", "AI Practitioner", "foundational"),
        (r"\bsolutions? architect\b|\bsa\b|\bcsa\b", "Solutions Architect", "associate"),
        (r"\bdevops\b", "DevOps Engineer", "professional"),
        (r"\bsys\s?ops\b", "SysOps Administrator", "associate"),
        (r"\bdata engineer\b", "Data Engineer", "associate"),
        (
            r"\bmachine learning engineer\b|\bml engineer\b",
            "Machine Learning Engineer",
            "associate",
        ),
        (r"\badvanced networking\b|\bnetworking\b", "Advanced Networking", "specialty"),
        (r"\bsecurity\b", "Security", "specialty"),
        (r"\bmachine learning\b", "Machine Learning", "specialty"),
        (r"\bdatabase\b", "Database", "specialty"),
        (r"\bdata analytics\b|\bbig data\b", "Data Analytics", "specialty"),
        (r"\bdeveloper\b", "Developer", "associate"),
    )
)
_LEVEL_WORDS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bpro(?:fessional)?\b", re.IGNORECASE), "professional"),
    (re.compile(r"\bspeciali?ty\b", re.IGNORECASE), "specialty"),
    (re.compile(r"\bassociate\b|\bassoc\b", re.IGNORECASE), "associate"),
    (re.compile(r"\bfoundational\b", re.IGNORECASE), "foundational"),
)
_LEVEL_TITLE = {
    "foundational": "Foundational",
    "associate": "Associate",
    "professional": "Professional",
    "specialty": "Specialty",
}


def _clean(line: str) -> str:
    text = re.sub(r"\(\s*(?:19|20)\d\d\s*\)|[,–—-]?\s*\b(?:19|20)\d\d\b", "", line)
    return re.sub(r"\s+", " ", text).strip(" -–—,;:|")


def parse_certification(line: str) -> Certification | None:
    """One certification line → Certification, or None for an empty line.

    Tolerant of spellings: "AWS SA Pro", "AWS Certified Solutions Architect – Professional
    (2021)", "SAA-C03", "AWS Certified Security - Speciality". The year is the first year
    written on the line (None if there is none).
    """
    text = line.strip()
    if not text:
        return None
    year_match = _YEAR.search(text)
    year = int(year_match.group(1)) if year_match else None
    # A bare exam code ("AWS SAA", "AWS SAP") only counts next to "AWS": "SAP" alone is an ERP.
    code = _CODE.search(text) or (_BARE_CODE.search(text) if _AWS.search(text) else None)
    role, level = None, None
    if code:
        role, level = _CODE_ROLE[code.group("code").upper()]
    elif _NOT_AWS.search(text) and not _AWS.search(text):
        return Certification(name=_clean(text), level="other", year=year)
    elif _AWS.search(text) or re.search(r"practitioner|sysops", text, re.IGNORECASE):
        for pattern, role_name, default_level in _ROLES:
            if pattern.search(text):
                role, level = role_name, default_level
                break
        for pattern, word_level in _LEVEL_WORDS:
            if role and pattern.search(text) and level != "foundational":
                level = word_level
                break
    if role is None or level is None:
        return Certification(name=_clean(text), level="other", year=year)
    name = f"AWS Certified {role} – {_LEVEL_TITLE[level]}"
    if level == "foundational":
        name = f"AWS Certified {role}"
    return Certification(name=name, level=level, year=year)  # type: ignore[arg-type]


def parse_certifications(lines: Iterable[str]) -> tuple[Certification, ...]:
    """Every non-empty line → Certification; "A; B" and "A | B" hold two certifications."""
    found = []
    for line in lines:
        for part in re.split(r"[;|•]", line):
            cert = parse_certification(part)
            if cert is not None:
                found.append(cert)
    return tuple(found)
