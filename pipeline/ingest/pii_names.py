"""The candidate's name for the PII guard: the first line of the header block when it reads as
a person's name, and any value after ``Name:``.

In: resume text (other kinds already redacted). Out: the text with the name replaced and how
many were.

A first line (of a text with more lines) is a name when it has two to five words, each
capitalised (or a particle such as ``van``, ``de``, ``al``), after an optional honorific
(``Dr.``) and before an optional credential (``, MSc``) or a separator (``Jane Doe | Cloud
Architect``), and no word is one that job titles and section headings use (``CHIEF OPERATING
OFFICER``, ``Professional Summary`` stay).

>>> redact_names("Jane Doe\\nCloud Architect", "[NAME]")
('[NAME]\\nCloud Architect', 1)
>>> redact_names("SENIOR CLOUD ARCHITECT\\nBerlin", "[NAME]")
('SENIOR CLOUD ARCHITECT\\nBerlin', 0)
"""

from __future__ import annotations

import re

__all__ = ["redact_names"]

_PARTICLES = frozenset({
    "van", "der", "den", "de", "del", "della", "da", "das", "do", "dos", "di", "du", "la", "le",
    "von", "zu", "bin", "binti", "ibn", "al", "el", "y", "e", "ter", "ten", "st.",
})  # fmt: skip
#: Words of job titles, section headings and document titles: a first line with one of them
#: is not a name.
_NOT_NAME_WORDS = frozenset("""
resume résumé curriculum vitae cv profile summary objective overview experience skills
education contact details personal information professional career executive highlights
qualifications competencies core key focus accomplishments achievements statement about me
chief officer operating executive senior junior lead principal staff head director manager
management engineer engineering developer development designer design architect architecture
consultant analyst specialist scientist administrator admin technician coordinator assistant
associate representative accountant auditor clerk teacher nurse registered physician doctor
therapist pharmacist attorney lawyer paralegal officer agent advisor adviser counselor
supervisor superintendent foreman operator driver mechanic electrician plumber carpenter chef
cook baker server cashier sales marketing finance financial accounts payable receivable
business partner human resources hr it information technology data software hardware network
security cloud systems system devops site reliability solutions solution product project
program programme quality assurance qa test tester support service services customer client
help desk intern internship trainee apprentice graduate student volunteer president vice
founder co-founder owner ceo cto cfo coo cio vp svp evp general operations operation
logistics supply chain procurement purchasing buyer planner scheduler estimator inspector
researcher research lecturer professor instructor tutor trainer coach editor writer author
journalist producer artist photographer apparel fashion retail store branch office
administrative executive secretary receptionist banker bank teller underwriter broker
investment healthcare medical clinical dental health care legal public relations
communications media digital content social community account accounting payroll tax
credit risk compliance governance strategy strategic planning technical technology
machine learning ai web mobile frontend backend full stack fullstack database dba
specialist generalist expert practitioner leader team member worker laborer
aviation construction manufacturing production maintenance facilities hospitality
tech techs controller comptroller entrepreneur storekeeper monitor control traffic air
corporate bakery pest lean six sigma belt black green certified licensed ii iii iv
instructor welder machinist warehouse shipping receiving inventory clerk nanny caregiver
housekeeper janitor custodian guard firefighter police paramedic emt lifeguard pilot
captain sergeant lieutenant commander officer soldier veteran military army navy
""".split())
_WORD = re.compile(r"^(?:[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]+)*\.?|[A-Z]\.)$")
_HONORIFIC = re.compile(r"^(?i:dr|mr|mrs|ms|miss|prof|mx|sir|dame|ing|dipl\.-ing)\.?[ \t]+")
_CREDENTIAL = re.compile(r",[ \t]*(?:[A-Z][A-Za-z.]{1,7}(?:,[ \t]*)?)+$")
_SPLIT = re.compile(r"[ \t]+(?:[|–—•·]|-{1,2})[ \t]+|[ \t]*\|[ \t]*")
_LABELLED = re.compile(
    r"(?im)^[ \t]*(?:full[ \t]+)?(?:name|nombre|nom|vorname[ \t]+und[ \t]+nachname|nome)"
    r"[ \t]*[:\-–][ \t]*([^\n|,]*[^\s|,])"
)


def is_name(line: str) -> bool:
    """Whether one line (no separators) reads as a person's name."""
    line = _CREDENTIAL.sub("", _HONORIFIC.sub("", line.strip()))
    words = line.split()
    if not 2 <= len(words) <= 5 or not all(_WORD.match(w) for w in words):
        return False
    lowered = [w.lower().strip(".") for w in words]
    if any(w in _NOT_NAME_WORDS for w in lowered):
        return False
    named = [w for w in words if w not in _PARTICLES]  # "van der", not "Das"
    return len(named) >= 2 and all(w[0].isupper() for w in named)


def redact_names(text: str, placeholder: str) -> tuple[str, int]:
    """Text → (text with the header name and labelled names replaced, how many)."""
    text, count = _LABELLED.subn(lambda m: m.group(0)[: m.start(1) - m.start()] + placeholder,
                                 text)
    match = re.match(r"\s*", text)
    start = match.end() if match else 0
    end = text.find("\n", start)
    end = len(text) if end < 0 else end
    first = text[start:end]
    head = _SPLIT.split(first, maxsplit=1)[0]
    # A header block has lines after the name; a one-line text (an error message) has none.
    if head and text[end:].strip() and is_name(head):
        lead = first.find(head)
        text = text[: start + lead] + placeholder + text[start + lead + len(head):]
        count += 1
    return text, count
