"""Generated PII test set: planted values of every kind, in international formats, placed in a
resume's header block, on labelled lines and inside sentences, plus benign look-alikes.

Every value is invented. A value is written with its secret parts in braces
(``"{41 Wallaby Way}, Sydney NSW {2000}"``): the braces are dropped in the planted text, and the
value counts as caught when none of its secret parts' tokens is left after redaction (a city may
stay). A value without braces is secret as a whole.

In: nothing (the set is fixed and deterministic). Out: :func:`positive_cases` and
:func:`benign_cases`, and :func:`evaluate` for a redaction function. Measured by
``scripts/evaluate_pii.py`` and held to its targets by ``tests/test_pii.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

__all__ = ["Case", "Evaluation", "benign_cases", "evaluate", "positive_cases"]

#: Groups the targets are set on, and the kinds of value in each.
GROUPS: tuple[str, ...] = ("email", "phone", "profile", "national_id", "dob", "address", "name")


@dataclass(frozen=True)
class Case:
    """One planted value: its group, the text it sits in, and the secret tokens."""

    group: str
    form: str
    text: str
    secrets: tuple[str, ...]


_BRACED = re.compile(r"\{([^{}]*)\}")
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)
#: Tokens that say nothing about a person when left over (``jane [at] [EMAIL]`` is caught by
#: "jane", not by "at").
_GENERIC = frozenset({
    "com", "org", "net", "www", "http", "https", "dot", "at", "the", "de", "la", "mailto",
    "in", "co", "uk", "io", "of", "no", "nr", "du", "des", "del", "di", "da", "van", "der",
})  # fmt: skip


def _secrets(value: str) -> tuple[str, str]:
    """``"{41 Wallaby Way}, Sydney"`` → (planted text, the secret text)."""
    parts = _BRACED.findall(value)
    plain = _BRACED.sub(lambda m: m.group(1), value)
    return plain, " ".join(parts) if parts else plain


def _tokens(secret: str) -> tuple[str, ...]:
    return tuple(t for t in _TOKEN.findall(secret)
                 if t.lower() not in _GENERIC and (len(t) >= 3 or t.isdigit() and len(t) >= 2))


# --- values -------------------------------------------------------------------------------

EMAILS = (
    "jane.doe@example.com", "j.doe+cv@mail.example.co.uk", "ana_garcia85@correo.es",
    "li.wei@163.com", "JOHN.SMITH@EXAMPLE.ORG", "priya-r@outlook.in", "m.mueller@web.de",
    "kenji.tanaka@example.co.jp", "o.adebayo@yahoo.com", "jd@sub.example.museum",
)
EMAILS_OBFUSCATED = (
    "jane [at] example [dot] com", "jane(at)example(dot)com", "jane at example dot com",
    "jane {at} example {dot} com", "jane AT example DOT com", "jane.doe at gmail.com",
    "jane[at]example.com", "jane -at- example -dot- com", "jane @ example . com",
    "jane.doe (at) gmail (dot) com", "jane_doe[@]example[.]org", "jane dot doe at gmail dot com",
)
PHONES = (
    "+44 20 7946 0958", "+44 7700 900123", "07700 900123", "+1 415-555-0132",
    "(415) 555-0132", "+49 176 12345678", "0176 12345671", "+49 (0)30 1234567",
    "030 1234567", "+33 1 23 45 67 89", "01 23 45 67 89", "+34 612 34 56 78", "612 345 678",
    "+39 06 1234 5678", "+39 347 123 4567", "+31 6 12345678", "06-12345678",
    "+91 98765 43210", "098765 43210", "+91-9876543210", "+61 2 9876 5432", "+61 412 345 678",
    "0412 345 678", "+81 3-1234-5678", "090-1234-5678", "+86 138 0013 8000",
    "+55 11 91234-5678", "(11) 91234-5678", "+27 21 123 4567", "+971 50 123 4567",
    "+65 6123 4567", "+7 495 123-45-67", "8 (495) 123-45-67", "+48 512 345 678",
    "+46 70 123 45 67", "+353 87 123 4567", "+52 55 1234 5678", "+1.415.555.0132",
    "+44(0)7700-900123", "0044 20 7946 0958", "00 49 176 12345678", "415.555.0132",
)
PROFILES = (
    "linkedin.com/in/jane-doe-1234567", "https://www.linkedin.com/in/janedoe/",
    "https://github.com/jdoe-dev", "gitlab.com/jdoe", "indeed.com/r/Jane-Doe/8baf379b705e37c6",
    "stackoverflow.com/users/1234567/jane-doe", "https://www.kaggle.com/janedoe",
    "xing.com/profile/Jane_Doe", "https://www.behance.net/janedoe", "t.me/janedoe",
    "https://twitter.com/jane_doe", "https://medium.com/@janedoe", "@janedoe@hachyderm.io",
    "https://wa.me/4917612345678",
)
#: Personal sites: a bare domain is someone's only in the header block or after a label.
PERSONAL_SITES = ("https://janedoe.dev", "http://www.jane-doe.com", "www.janedoe.io")
#: Profile values that need their label to be one (a bare "jdoe" is just a word).
PROFILE_LABELLED = (
    ("Twitter", "@jane_doe"), ("Telegram", "@janedoe"), ("Skype", "jane.doe42"),
    ("GitHub", "jdoe-dev"), ("Website", "janedoe.dev"), ("Portfolio", "https://jane.design"),
    ("Instagram", "@jane.doe"), ("LinkedIn", "jane-doe-1234567"),
)
#: (label, value): national identity, tax, social-security and passport numbers.
NATIONAL_IDS = (
    ("SSN", "123-45-6789"), ("Social Security No.", "123 45 6789"), ("SSN", "123456789"),
    ("NI number", "QQ 12 34 56 C"), ("National Insurance No", "AB123456C"),
    ("Aadhaar", "2345 6789 0124"), ("Aadhaar No.", "234567890124"), ("PAN", "ABCPE1234F"),
    ("Passport No", "123456789"), ("Passport number", "X1234567"),
    ("Reisepass-Nr.", "C01X00T47"), ("Steuer-ID", "12 345 678 903"),
    ("Personalausweis-Nr.", "L01X00T47"), ("N° de sécurité sociale", "1 85 05 78 006 084 36"),
    ("DNI", "12345678Z"), ("NIE", "X1234567L"), ("Codice fiscale", "RSSMRA85T10A562S"),
    ("BSN", "123456782"), ("SIN", "046 454 286"), ("TFN", "123 456 782"),
    ("CPF", "123.456.789-09"), ("ID card", "11010519491231002X"),
    ("Sozialversicherungsnummer", "12 150485 M 01 4"), ("PESEL", "85041512345"),
    ("Personnummer", "850415-1234"), ("Driving licence", "MORGA753116SM9IJ"),
)
#: National ids whose shape alone says what they are (no label needed).
NATIONAL_IDS_BARE = (
    "123-45-6789", "AB 12 34 56 C", "AB123456C", "RSSMRA85T10A562S", "123.456.789-09",
    "ABCPE1234F", "2345 6789 0124",
)
DOB_LABELS = (
    "DOB", "D.O.B.", "Date of birth", "Birth date", "Birthday", "Born", "Born on",
    "Geburtsdatum", "geb.", "Geboren am", "Date de naissance", "Né le", "Fecha de nacimiento",
    "Data di nascita", "Geboortedatum", "Data de nascimento", "Födelsedatum", "Date of Birth",
)
DOB_DATES = (
    "12/03/1988", "12.03.1988", "1988-03-12", "12 March 1988", "March 12, 1988",
    "12-Mar-1988", "12th March 1988", "03/12/88", "12. März 1988", "12 mars 1988",
    "12 de marzo de 1988", "1988",
)
ADDRESSES = (
    "{221B Baker Street}, London {NW1 6XE}",
    "{1600 Pennsylvania Avenue NW}, Washington, DC {20500}",
    "{41 Wallaby Way}, Sydney NSW {2000}", "{41 Wallaby way}, Sydney",
    "{350 Fifth Ave}, New York, NY {10118}",
    "{123 Main St, Apt 4B}, Springfield, IL {62704}", "{10 Downing Street}, London {SW1A 2AA}",
    "{Flat 2, 14 Church Lane}, Oxford {OX1 2AB}", "{Hauptstraße 12}, {10115} Berlin",
    "{Musterweg 5a}, {80331} München", "{Am Markt 3}, {20095} Hamburg",
    "{12 rue de la Paix}, {75002} Paris", "{5, avenue des Champs-Élysées}, {75008} Paris",
    "{Calle Mayor 5}, {28013} Madrid", "{C/ Alcalá 45, 3º B}, Madrid",
    "{Via Garibaldi 10}, {00184} Roma",
    "{Piazza Navona 1}, Roma", "{Keizersgracht 123}, {1015 CJ} Amsterdam",
    "{Rua Augusta 100}, São Paulo", "{Av. Paulista, 1578}, São Paulo",
    "{12, 3rd Cross}, Indiranagar, Bengaluru {560038}", "{100 Queen St W}, Toronto, ON {M5H 2N2}",
    "{1-2-3 Jingumae}, Shibuya-ku, Tokyo {150-0002}", "{742 Evergreen Terrace}, Springfield",
    "{Dorpsstraat 5}, {1234 AB} Ergens", "{PO Box 1234}, Dubai",
)
NAMES = (
    "Jane Doe", "JANE DOE", "Priya Raghunathan", "María José García López", "Jean-Luc Moreau",
    "Siobhán O'Connor", "Nguyễn Văn An", "Li Wei", "Oluwaseun Adebayo", "Dr. Hans-Peter Müller",
    "Ahmed Al-Farsi", "Kenji Tanaka", "{Anna-Lena Schmidt}, MSc", "John A. Smith",
    "Sarah van der Berg", "OLUWASEUN ADEBAYO", "Mei Ling Chen", "Rahul Kumar Sharma",
    "Zofia Kowalska", "Mateus Oliveira", "Fatima Zahra Benali", "Lars Eriksson",
    "Chiara Bianchi", "Tomasz Nowak", "Aiko Suzuki", "Carlos Eduardo Pereira", "Emily Clarke",
    "Dmitri Volkov", "Grace O'Brien", "Kwame Mensah",
)

# --- where values are planted -------------------------------------------------------------

HEADER = "{name}\nSenior Cloud Architect\nBerlin, Germany | {value}\n\nSUMMARY\nBuilt things."
LABELLED = "EXPERIENCE\nCloud Engineer, Acme 2019 - 2021\n\n{label}: {value}\n"
SENTENCES = (
    "You can reach me at {value} on weekdays.",
    "Contact: {value} (preferred).",
    "References available on request, write to {value} for details.",
)


def positive_cases() -> list[Case]:
    """Every planted value in every place it is planted, in a fixed order."""
    return list(_positive())


def _case(group: str, form: str, text: str, value: str) -> Case:
    plain, secret = _secrets(value)
    return Case(group, form, text.replace("\x00", plain), _tokens(secret))


def _placed(group: str, form: str, value: str, label: str) -> Iterator[Case]:
    yield _case(group, f"{form}/header", HEADER.format(name="Curriculum Vitae", value="\x00"),
                value)
    yield _case(group, f"{form}/labelled", LABELLED.format(label=label, value="\x00"), value)
    for i, sentence in enumerate(SENTENCES):
        yield _case(group, f"{form}/sentence{i}", sentence.format(value="\x00"), value)


def _positive() -> Iterator[Case]:
    for value in EMAILS:
        yield from _placed("email", "plain", value, "Email")
    for value in EMAILS_OBFUSCATED:
        yield from _placed("email", "obfuscated", value, "E-mail")
    for value in PHONES:
        yield from _placed("phone", "number", value, "Phone")
    for value in PROFILES:
        yield from _placed("profile", "url", value, "Profile")
    for value in PERSONAL_SITES:
        yield _case("profile", "site/header", HEADER.format(name="Jane Doe", value="\x00"), value)
        yield _case("profile", "site/labelled", LABELLED.format(label="Website", value="\x00"),
                    value)
    for label, value in PROFILE_LABELLED:
        yield _case("profile", "labelled", LABELLED.format(label=label, value="\x00"), value)
        yield _case("profile", "labelled/inline",
                    f"Senior Cloud Architect | {label}: \x00 | Berlin", value)
    for label, value in NATIONAL_IDS:
        yield _case("national_id", "labelled", LABELLED.format(label=label, value="\x00"), value)
        yield _case("national_id", "labelled/sentence",
                    f"Work permit held; my {label} is \x00, on request.", value)
    for value in NATIONAL_IDS_BARE:
        yield _case("national_id", "bare", "Personal details: \x00.", value)
    for i, label in enumerate(DOB_LABELS):
        for j, date in enumerate(DOB_DATES):
            if (i + j) % 3:  # a third of the pairs keeps the set small but every form in it
                continue
            yield _case("dob", "labelled", LABELLED.format(label=label, value="\x00"), date)
            yield _case("dob", "labelled/inline",
                        f"Nationality: German | {label} \x00 | Married", date)
    for date in DOB_DATES:
        yield _case("dob", "sentence", "I was born on \x00 in Leeds.", date)
    for value in ADDRESSES:
        yield from _placed("address", "street", value, "Address")
    for name in NAMES:
        plain, _ = _secrets(name)
        yield _case("name", "first-line", HEADER.format(name="\x00", value="Berlin"), name)
        yield _case("name", "labelled", "Name: \x00\nCloud Engineer\n\nSUMMARY\nBuilt things.",
                    name)
        yield _case("name", "blank-first", "\n\n  \x00  \nData Engineer | Berlin\n", name)


#: Benign look-alikes: text that must come out exactly as it went in.
BENIGN: tuple[str, ...] = (
    # versions, years, ranges
    "Python 3.11", "Node.js 18.17.0", "EKS 1.29 to 1.30", "v2.14.4", "version 1.2.3",
    "Kubernetes 1.28.3", "Terraform 1.5.7", "Java 17.0.8", "OpenSSL 3.0.2", "release 2024.03.1",
    "2019 - 2021", "2019–2021", "from 2019 to 2021", "01/2020 - Present", "04/2016 - 12/2019",
    "Sept. 2020 – Dec 2021", "2018 2019 2020 2021", "2023-03-01", "03/2019 – 11/2022",
    "Jan 2015 - Mar 2018 (3 years 2 months)", "Since 2016", "In 2012 I joined Acme.",
    "a startup born in 2016", "The project was born in 2019 from a hackathon.",
    "Born and raised in Leeds", "Windows Server 2019", "Office 2016", "SQL Server 2017",
    # percentages and big counts
    "99.95% availability", "99.9% @ p95", "p95@200ms", "cut p99 from 850 ms to 120 ms",
    "reduced cost by 20% (from $12,000 to $9,600)", "$4,000 a month", "€1.2M budget",
    "+1 200 000 000 requests per day", "1 000 000 events", "2,000 requests per second",
    "12 345 678 rows migrated", "120 VPCs across three regions", "3 Availability Zones",
    "5 Step Functions workflows", "grew traffic by +300%", "+25% conversion",
    "processed 1,234,567,890 records", "from 3 days to 40 minutes", "1 2 3 4 5 6 7 8 9",
    "served 10 000 000 users in 40 countries", "latency 0.250 s", "0.5 FTE",
    # standards, certificates, identifiers that are not people's
    "ISO 27001", "ISO/IEC 27001:2013", "ISO 9001:2015", "SOC 2 Type II", "SOC 1 Type 2",
    "PCI DSS 4.0", "HIPAA", "GDPR Art. 17", "CVE-2021-44228", "RFC 7231", "NIST SP 800-53",
    "AWS account 123456789012", "arn:aws:iam::123456789012:role/deploy", "10.0.0.0/16",
    "IPv6 2001:db8::1", "port 8080", "HTTP 503", "ticket JIRA-12345", "PR #4521",
    "order 1234-5678", "IATA code LHR", "AZ-104", "SAA-C03", "CKA certified 2021",
    "AWS Certified Solutions Architect – Professional (SAP-C02)", "ITIL v4", "TOGAF 9.2",
    # AWS events and at-signs that are not people
    "Spoke at @re:Invent 2022", "re:Invent 2023 speaker", "AWS re:Inforce", "@aws-sdk/client-s3",
    "@types/node", "@app.route('/health')", "@Override", "@Transactional", "email@domain",
    "99.9% @ 100 rps", "fix @ 2am on-call", "AWS Summit London",
    # places and words that look like addresses or labels
    "Route 53 health checks and failover routing", "S3 buckets with Object Lock",
    "Tel Aviv office", "Mobile app 2.0", "Mobile: React Native", "Phone screens for 40 hires",
    "5 Star Rating", "Main Street Bank (client)", "Wall Street clients", "Park Avenue Partners",
    "Senior Developer | Acme | 2019 - 2021", "GitHub Actions", "GitLab CI", "LinkedIn Learning",
    "aws.amazon.com/ec2", "docs.python.org/3/", "https://kubernetes.io/docs/",
    "Passport to Excellence award", "ID federation with SAML 2.0", "SSN-free onboarding flow",
    "Date of joining: 12/03/2018", "Age of Empires", "born-in-the-cloud architecture",
    "DNI-like validation", "PAN-European rollout", "Pan-India operations", "TFN lookup service",
    "CPF lookup microservice", "Team of 12 engineers",
    # job titles in the header block (not names)
    "CHIEF OPERATING OFFICER\nSummary of Skills\nStrategic Planning",
    "APPAREL TECHNICAL DESIGNER\nCareer Focus\nFit aesthetics",
    "Senior Cloud Architect\nBerlin, Germany\n\nSUMMARY",
    "CONSULTANT\nCareer Overview\nMacintosh Expert with 20 years",
    "Curriculum Vitae\n\nPROFILE\nCloud engineer",
    "Principal Solutions Architect\nAmazon Web Services\n",
    "SOFTWARE ENGINEER\nProfessional Summary\n",
    "Registered Nurse\nExecutive Profile\n",
    "Information Technology Manager\nHighlights\n",
    "Accounts Payable Specialist\nSkills\n",
    "Data Scientist | Machine Learning Engineer\n",
    "Professional Summary\nResults-driven engineer\n",
    "Network Security Engineer\nCisco Certified\n",
    "SALES ASSOCIATE\nCustomer Service\n",
    "HR Business Partner\nCore Competencies\n",
    "Project Manager\nAgile Delivery\n",
)


def benign_cases() -> list[str]:
    """The benign look-alikes, each a whole text that must come out unchanged: a header block
    as it is, a phrase on a line of its own under a heading (not as the first line, where a
    two-word phrase could be a name)."""
    return [text if "\n" in text else f"SUMMARY\n{text}\n" for text in BENIGN]


@dataclass(frozen=True)
class Evaluation:
    """Recall per group (caught / planted), the misses, and the benign texts that changed."""

    caught: dict[str, int]
    planted: dict[str, int]
    misses: list[tuple[Case, str]]
    false_positives: list[tuple[str, str]]
    benign: int

    def recall(self, group: str) -> float:
        return self.caught[group] / self.planted[group] if self.planted[group] else 1.0


def evaluate(redact: Callable[[str], str]) -> Evaluation:
    """Run ``redact`` (text → redacted text) over the set and measure it."""
    caught = dict.fromkeys(GROUPS, 0)
    planted = dict.fromkeys(GROUPS, 0)
    misses: list[tuple[Case, str]] = []
    for case in positive_cases():
        out = redact(case.text)
        planted[case.group] += 1
        left = [t for t in case.secrets if re.search(rf"(?<![^\W_]){re.escape(t)}(?![^\W_])", out)]
        if left:
            misses.append((case, out))
        else:
            caught[case.group] += 1
    fps = [(text, out) for text in benign_cases() if (out := redact(text)) != text]
    return Evaluation(caught, planted, misses, fps, len(BENIGN))
