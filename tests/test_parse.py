"""Tests for pipeline.parse.resume (and the layout helpers in pipeline.parse.sections)."""

from __future__ import annotations

import codecs
import itertools
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.errors import ResumeFormatError
from pipeline.parse.resume import parse_resume
from pipeline.records import Resume, Role

SAMPLE_DIR = Path(__file__).resolve().parent.parent / "sample_profiles"
MALFORMED = {"empty-file", "binary-blob"}

# --- one resume, many ways of writing it ------------------------------------------------------

SUMMARY = "Cloud engineer who likes measurable results."
LONG_BULLET = (
    "Led the migration of payment modules to Lambda, SQS and DynamoDB, cutting latency by 30%."
)
WRAPPED_BULLET = (
    "Led the migration of payment modules to Lambda, SQS and",
    "DynamoDB, cutting latency by 30%.",
)
SKILLS = "AWS Lambda, SQS, DynamoDB, Terraform"
CERT = "AWS Certified Solutions Architect – Associate (2021)"
EDUCATION = "BSc Computer Science, 2014 - 2017"

EXPECTED = Resume(
    candidate_id="c1",
    summary=(SUMMARY,),
    roles=(
        Role("Senior Developer", "Acme Corp", date(2022, 3, 1), None, True,
             (LONG_BULLET, "Initiated a proof of concept for Global Tables.")),
        Role("Developer", "Globex", date(2018, 1, 1), date(2022, 2, 1), False,
             ("Built the order API.",)),
    ),
    skills=(SKILLS,),
    certifications=(CERT,),
    education=(EDUCATION,),
)  # fmt: skip


def _render(
    heading: str, bullet: str, header: str, order: tuple[str, ...] = ("s", "x", "k", "c", "e")
) -> str:
    """The EXPECTED resume written in one layout: heading style, bullet style, role header."""
    headings = {"s": "Summary", "x": "Work Experience", "k": "Skills", "c": "Certifications",
                "e": "Education"}  # fmt: skip

    def head(name: str) -> str:
        return {
            "caps": name.upper(),
            "colon": f"{name}:",
            "markdown": f"## {name}",
            "setext": f"{name}\n{'-' * len(name)}",
        }[heading]

    def bullets(lines: list[str], wrap: tuple[str, ...] | None = None) -> list[str]:
        out = []
        for text in lines:
            if wrap and text == LONG_BULLET:
                out += [f"{bullet}{wrap[0]}", f"{' ' * len(bullet)}{wrap[1]}"]
            else:
                out.append(f"{bullet}{text}")
        return out

    roles = {
        "one-line": ["Senior Developer, Acme Corp — Mar 2022 - Present",
                     *bullets([LONG_BULLET, EXPECTED.roles[0].bullets[1]], WRAPPED_BULLET),
                     "Developer, Globex — Jan 2018 - Feb 2022", *bullets(["Built the order API."])],
        "pipes": ["Acme Corp | Senior Developer | 03/2022 - Present",
                  *bullets([LONG_BULLET, EXPECTED.roles[0].bullets[1]]),
                  "Globex | Developer | 01/2018 - 02/2022", *bullets(["Built the order API."])],
        "two-line": ["Senior Developer", "Acme Corp    Mar 2022 – Present",
                     *bullets([LONG_BULLET, EXPECTED.roles[0].bullets[1]], WRAPPED_BULLET),
                     "Developer", "Globex    Jan 2018 – Feb 2022",
                     *bullets(["Built the order API."])],
        "date-above": ["2022-03 – Present", "Senior Developer at Acme Corp",
                       *bullets([LONG_BULLET, EXPECTED.roles[0].bullets[1]]),
                       "2018-01 – 2022-02", "Developer at Globex",
                       *bullets(["Built the order API."])],
    }[header]  # fmt: skip
    blocks = {
        "s": [head(headings["s"]), SUMMARY],
        "x": [head(headings["x"]), *roles],
        "k": [head(headings["k"]), SKILLS],
        "c": [head(headings["c"]), *bullets([CERT])],
        "e": [head(headings["e"]), EDUCATION],
    }
    return "\n".join(line for key in order for line in blocks[key]) + "\n"


LAYOUTS = [
    ("caps", "• ", "one-line"),
    ("colon", "- ", "pipes"),
    ("markdown", "* ", "two-line"),
    ("setext", "", "date-above"),
    ("caps", "▪ ", "two-line"),
    ("markdown", "1. ", "one-line"),
    ("colon", "o ", "date-above"),
    ("setext", "● ", "pipes"),
]


@pytest.mark.parametrize(("heading", "bullet", "header"), LAYOUTS)
def test_parse_layouts_give_the_same_resume(heading: str, bullet: str, header: str) -> None:
    assert parse_resume("c1", _render(heading, bullet, header)) == EXPECTED


@pytest.mark.parametrize(
    "rewrite",
    [
        pytest.param(lambda t: t.replace("\n", "\r\n"), id="crlf"),
        pytest.param(lambda t: t.replace("\n", "\r"), id="cr"),
        pytest.param(lambda t: t.replace("\n", "\n\n\n"), id="blank-lines"),
        pytest.param(lambda t: t.replace("\n", "   \n"), id="trailing-spaces"),
        pytest.param(lambda t: t.replace("    ", "\t"), id="tabs"),
        pytest.param(lambda t: t.replace(" ", "\u00a0"), id="nbsp"),
        pytest.param(lambda t: "\ufeff" + t, id="bom"),
        pytest.param(lambda t: t.replace("• ", "–"), id="other-bullet"),
    ],
)
def test_parse_is_insensitive_to_whitespace_and_bullets(rewrite: Callable[[str], str]) -> None:
    text = _render("caps", "• ", "two-line")
    assert parse_resume("c1", rewrite(text)) == parse_resume("c1", text) == EXPECTED


@pytest.mark.parametrize("order", list(itertools.permutations("sxkce"))[::11])
def test_parse_is_insensitive_to_section_order(order: tuple[str, ...]) -> None:
    assert parse_resume("c1", _render("colon", "- ", "one-line", order)) == EXPECTED


# --- headings -----------------------------------------------------------------------------

HEADING_NAMES = [
    ("Summary", "summary"), ("Professional Summary", "summary"), ("Profile", "summary"),
    ("About Me", "summary"), ("Objective", "summary"),
    ("Skills", "skills"), ("Technical Skills", "skills"), ("Core Competencies", "skills"),
    ("Technologies", "skills"), ("Certifications", "certifications"),
    ("Certificates", "certifications"), ("Licenses & Certifications", "certifications"),
    ("Education", "education"), ("Projects", "projects"), ("Selected Projects", "projects"),
    ("Side Projects", "projects"), ("Languages", "other"),
]  # fmt: skip
HEADING_STYLES = {
    "caps": "{upper}",
    "title": "{name}",
    "colon": "{name}:",
    "caps-colon": "{upper}:",
    "md1": "# {name}",
    "md2": "## {name}",
    "md3": "### {name}",
    "setext-equals": "{name}\n{equals}",
    "setext-dashes": "{name}\n{dashes}",
    "bold": "**{name}**",
    "indented": "   {name}   ",
}


def _heading(style: str, name: str) -> str:
    return HEADING_STYLES[style].format(
        name=name, upper=name.upper(), equals="=" * len(name), dashes="-" * len(name)
    )


ROLE_BLOCK = "Developer, Globex — 2018 - 2022\n- Built the order API."


@pytest.mark.parametrize("style", HEADING_STYLES)
@pytest.mark.parametrize(("name", "field"), HEADING_NAMES)
def test_parse_heading_styles_open_their_section(style: str, name: str, field: str) -> None:
    text = f"{_heading(style, name)}\nContent for this section.\nEXPERIENCE\n{ROLE_BLOCK}\n"
    resume = parse_resume("c1", text)
    assert getattr(resume, field) == ("Content for this section.",)
    assert [role.bullets for role in resume.roles] == [("Built the order API.",)]


@pytest.mark.parametrize("style", HEADING_STYLES)
@pytest.mark.parametrize(
    "name", ["Experience", "Work Experience", "Work History", "Employment",
             "Professional Experience", "Career History", "Relevant AWS Experience"],
)  # fmt: skip
def test_parse_experience_headings_hold_roles(style: str, name: str) -> None:
    text = f"SUMMARY\nContent for this section.\n{_heading(style, name)}\n{ROLE_BLOCK}\n"
    resume = parse_resume("c1", text)
    assert resume.summary == ("Content for this section.",)
    assert resume.roles == (
        Role("Developer", "Globex", date(2018, 1, 1), date(2022, 12, 1), False,
             ("Built the order API.",)),
    )  # fmt: skip
    assert resume.other == ()


@pytest.mark.parametrize(
    "heading", ["VOLUNTEER WORK", "## Hobbies and Travel", "Miscellaneous\n============="]
)
def test_parse_unlisted_headings_open_other(heading: str) -> None:
    text = f"SKILLS\nAWS, Terraform\n{heading}\nRuns a chess club.\n"
    resume = parse_resume("c1", text)
    assert resume.skills == ("AWS, Terraform",)
    assert resume.other == ("Runs a chess club.",)


@pytest.mark.parametrize(
    ("text", "field", "expected"),
    [
        ("Skills: Python, Terraform\nEducation: BSc Physics", "skills", ("Python, Terraform",)),
        ("Skills: Python, Terraform\nEducation: BSc Physics", "education", ("BSc Physics",)),
        ("SKILLS\nCloud skills: AWS\nTools: Terraform", "skills", ("Cloud skills: AWS",
                                                                 "Tools: Terraform")),
        ("## Skills\n### Cloud\n- AWS\n### Databases\n- DynamoDB", "skills",
         ("Cloud", "AWS", "Databases", "DynamoDB")),
        ("SKILLS\nAWS LAMBDA\nIAM\nINTERESTS\nChess", "skills", ("AWS LAMBDA", "IAM")),
    ],
)  # fmt: skip
def test_parse_inline_and_sub_headings(text: str, field: str, expected: tuple[str, ...]) -> None:
    assert getattr(parse_resume("c1", text), field) == expected


# --- bullets and wrapped lines -------------------------------------------------------------


@pytest.mark.parametrize("marker", ["•", "-", "*", "●", "▪", "–", "o", "◦", "➤", "1.", ""])
def test_parse_bullet_styles_are_stripped(marker: str) -> None:
    second = "2." if marker == "1." else marker
    text = (
        "EXPERIENCE\nSenior Developer, Acme Corp — Mar 2022 - Present\n"
        f"{marker} Led the migration.\n{second} Built the pipeline.\n"
        f"SKILLS\n{marker} AWS, Terraform\n{second} Python\n"
    )
    resume = parse_resume("c1", text)
    assert resume.roles[0].bullets == ("Led the migration.", "Built the pipeline.")
    assert resume.skills == ("AWS, Terraform", "Python")


MOVE = ("Led the move to Lambda, SQS and DynamoDB.",)


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("• Led the move of payments\n  to Lambda.", ("Led the move of payments to Lambda.",)),
        ("- Led the move of payments\nto Lambda.", ("Led the move of payments to Lambda.",)),
        ("- Led the move to Lambda,\n  SQS and DynamoDB.", MOVE),
        ("Led the move to Lambda, SQS and\nDynamoDB.", MOVE),
        ("* Built an event-\n  driven pipeline.", ("Built an event-driven pipeline.",)),
        ("- Led X.\nBuilt Y.", ("Led X.", "Built Y.")),
        ("- Led X\n- and more", ("Led X", "and more")),
        ("Led X.\nBuilt Y.\nRan Z.", ("Led X.", "Built Y.", "Ran Z.")),
    ],
)  # fmt: skip
def test_parse_wrapped_lines_join_their_bullet(lines: str, expected: tuple[str, ...]) -> None:
    text = f"EXPERIENCE\nSenior Developer, Acme Corp — 2019 - 2022\n{lines}\n"
    assert parse_resume("c1", text).roles[0].bullets == expected


# --- role lines ------------------------------------------------------------------------------

def _month(text: str | None) -> date | None:
    """``"2022-03"`` → date(2022, 3, 1); None stays None."""
    return None if text is None else date(int(text[:4]), int(text[5:7]), 1)


SENIOR, ACME = "Senior Developer", "Acme Corp"


@pytest.mark.parametrize(
    ("header", "title", "employer", "start", "end"),
    [
        ("Senior Developer, Acme Corp — Mar 2022 - Present", SENIOR, ACME, "2022-03", None),
        ("Acme Corp | Senior Developer | 2019 – 2022", SENIOR, ACME, "2019-01", "2022-12"),
        ("**Senior Developer** at Acme Corp (2014 – present)", SENIOR, ACME, "2014-01", None),
        ("Senior Developer\nAcme Corp, Berlin    Jan 2019 - Dec 2020",
         SENIOR, ACME, "2019-01", "2020-12"),
        ("Senior Developer\nAcme Corp\tJan 2019 - Dec 2020", SENIOR, ACME, "2019-01", "2020-12"),
        ("Mar 2022 - Present\nSenior Developer, Acme Corp", SENIOR, ACME, "2022-03", None),
        ("Senior Developer, Acme Corp\nMar 2022 - Present", SENIOR, ACME, "2022-03", None),
        ("*Jan 2020 — Now*\n**Senior Developer** — Acme Corp", SENIOR, ACME, "2020-01", None),
        ("Acme Corp\nSenior Developer    2019 – 2022", SENIOR, ACME, "2019-01", "2022-12"),
        ("Senior Developer\nAcme Corp\n2019 - 2022", SENIOR, ACME, "2019-01", "2022-12"),
        ("Senior Developer @ Acme Corp, 01/2020 - 12/2021", SENIOR, ACME, "2020-01", "2021-12"),
        ("Acme Corp — Senior Developer — Sept. 2018 – Current", SENIOR, ACME, "2018-09", None),
        ("### Senior Developer | Acme Corp | 2019-03 – 2021-11",
         SENIOR, ACME, "2019-03", "2021-11"),
        ("| Senior Developer | Acme Corp | 2019 – 2022 |", SENIOR, ACME, "2019-01", "2022-12"),
        ("Senior Developer / Acme Corp / July 2019 to Feb 2022",
         SENIOR, ACME, "2019-07", "2022-02"),
        ("Senior Developer | Remote | Acme Corp | 2019 - 2022",
         SENIOR, ACME, "2019-01", "2022-12"),
        ("Senior Developer, Acme Corp (2009 - 2014)", SENIOR, ACME, "2009-01", "2014-12"),
        ("SENIOR DEVELOPER, ACME CORP, 2019 - 2022",
         "SENIOR DEVELOPER", "ACME CORP", "2019-01", "2022-12"),
        ("Charge Nurse, Intensive Care\nCity Hospital    Apr 2018 – Present",
         "Charge Nurse", "City Hospital", "2018-04", None),
        ("Head of Mathematics, Hill School, Sept 2020 until July 2024",
         "Head of Mathematics", "Hill School", "2020-09", "2024-07"),
        ("Cloud Engineer (contract) | Travel company | 01/2020 - 06/2021",
         "Cloud Engineer (contract)", "Travel company", "2020-01", "2021-06"),
        ("Senior Developer    2019 - 2022", SENIOR, None, "2019-01", "2022-12"),
    ],
)  # fmt: skip
def test_parse_role_headers_in_either_order(
    header: str, title: str, employer: str | None, start: str, end: str | None
) -> None:
    text = f"SUMMARY\nA short summary.\n\nEXPERIENCE\n{header}\n- Led the migration.\n"
    expected = Role(
        title, employer, _month(start), _month(end), end is None, ("Led the migration.",)
    )
    assert parse_resume("c1", text).roles == (expected,)


def test_parse_promotions_under_one_employer_share_it() -> None:
    text = (
        "EXPERIENCE\nACME CORP\nEngineer II   Jan 2023 - Present\n- Owned CI.\n"
        "Engineer I    Jun 2021 - Dec 2022\n- Built tests.\n"
        "GLOBEX LTD                    2016 - 2021\nSenior Developer  2019 - 2021\n"
        "Developer  2016 - 2019\n- Built Y.\n"
    )
    roles = parse_resume("c1", text).roles
    assert [(r.title, r.employer) for r in roles] == [
        ("Engineer II", "ACME CORP"), ("Engineer I", "ACME CORP"),
        ("Senior Developer", "GLOBEX LTD"), ("Developer", "GLOBEX LTD"),
    ]  # fmt: skip
    assert [r.bullets for r in roles] == [("Owned CI.",), ("Built tests.",), (), ("Built Y.",)]


@pytest.mark.parametrize(
    "line",
    [
        "- Cut hosting cost from 2019 to 2021 by 40%.",
        "Ran the 2019 - 2021 migration programme across fourteen countries and three data centres.",
        "• 2019 - 2021: moved every batch job to Step Functions",
        "Tools: Terraform, AWS, GitHub Actions",
    ],
)
def test_parse_sentences_with_dates_stay_bullets(line: str) -> None:
    text = f"EXPERIENCE\nSenior Developer, Acme Corp — 2019 - 2022\n{line}\n"
    resume = parse_resume("c1", text)
    assert len(resume.roles) == 1
    assert resume.roles[0].bullets == (line.lstrip("-• "),)


@pytest.mark.parametrize(
    ("heading", "line", "field"),
    [
        ("EDUCATION", "BSc Computing, City University, 2005 - 2009", "education"),
        ("PROJECTS", "Payments replatform lead developer, 2020 - 2021", "projects"),
        ("CERTIFICATIONS", "AWS Certified Developer – Associate, 2021 - 2024", "certifications"),
        ("SUMMARY", "Senior Developer, 2015 - present, mostly AWS", "summary"),
    ],
)
def test_parse_dates_outside_experience_are_not_roles(heading: str, line: str, field: str) -> None:
    resume = parse_resume("c1", f"EXPERIENCE\nDeveloper, Globex — 2012 - 2014\n{heading}\n{line}\n")
    assert [role.employer for role in resume.roles] == ["Globex"]
    assert getattr(resume, field) == (line,)


def test_parse_without_headings_keeps_roles_and_other() -> None:
    text = (
        "Cloud engineer with six years on AWS.\n\n"
        "Senior Developer at Acme Corp (Jan 2022 – present)\nLed the rebuild.\n\n"
        "Developer at Globex (June 2019 to Dec 2021)\nBuilt the API.\n"
        "AWS Certified Developer – Associate (2021)\nBSc Mathematics, 2015 - 2019\n"
    )
    resume = parse_resume("c1", text)
    assert resume.other == ("Cloud engineer with six years on AWS.",)
    assert [(r.title, r.employer, r.start, r.current) for r in resume.roles] == [
        ("Senior Developer", "Acme Corp", date(2022, 1, 1), True),
        ("Developer", "Globex", date(2019, 6, 1), False),
    ]
    assert resume.roles[0].bullets == ("Led the rebuild.",)


# --- odd input -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   ", "\n\r\n\r", "\x00\x01\x02", "\ufeff", "SKILLS\nEXPERIENCE\n", "-----\n•\n*\n"],
)
def test_parse_no_content_raises_format_error(text: str) -> None:
    with pytest.raises(ResumeFormatError) as error:
        parse_resume("cand-7", text)
    assert (error.value.source, error.value.reason) == ("cand-7", "no text content")


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=400) | st.lists(
    st.sampled_from(["EXPERIENCE", "## Skills", "- Led X", "Dev, Acme — 2019 - 2021", "o",
                     "2019 - 2021", "Engineer", "=====", "  and more", "Acme Corp", ""]),
    max_size=25).map("\n".join))  # fmt: skip
def test_parse_never_crashes_on_odd_input(text: str) -> None:
    try:
        resume = parse_resume("c1", text)
    except ResumeFormatError:
        return
    for role in resume.roles:
        if role.start is None:  # work written out under no dated header: one undated role
            assert role.title == "" and role.end is None and not role.current
            continue
        assert role.current == (role.end is None)
        assert role.end is None or role.end >= role.start


# --- sample profiles -------------------------------------------------------------------------


def _decode(data: bytes) -> str:
    """Test-local decoding (ingest owns the real one): BOM'd UTF-16, UTF-8, else cp1252."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


SAMPLES = sorted(
    path for path in SAMPLE_DIR.glob("*")
    if path.suffix in (".txt", ".md") and path.stem not in MALFORMED
)  # fmt: skip


def test_parse_sample_profiles_are_all_present() -> None:
    assert len(SAMPLES) >= 17
    assert not (SAMPLE_DIR / "README.md").exists()


@pytest.mark.parametrize("path", SAMPLES, ids=lambda path: path.name)
def test_parse_sample_profiles_have_dated_roles(path: Path) -> None:
    resume = parse_resume(path.stem, _decode(path.read_bytes()))
    assert resume.roles
    for role in resume.roles:
        assert role.title and role.start is not None
        assert role.current or role.end is not None
        assert role.bullets


@pytest.mark.parametrize(
    ("stem", "titles"),
    [
        ("senior-dev-event-driven-payments", ["Senior Developer", "Developer", "Junior Developer"]),
        ("principal-cloud-architect-long-tenure", ["Principal Cloud Architect",
         "Senior Infrastructure Architect", "Infrastructure Engineer", "Systems Administrator"]),
        ("nurse-icu-charge-nurse", ["Charge Nurse (Band 6)", "Staff Nurse", "Staff Nurse"]),
        ("junior-cloud-engineer-steep-trajectory", ["Cloud Engineer II", "Cloud Engineer I",
                                                    "Graduate Developer (rotation)"]),
        ("cp1252-devops-engineer-legacy-encoding", ["DevOps Engineer", "Systems Engineer",
                                                    "Senior DevOps Engineer"]),
        ("utf16-cloud-support-engineer", ["Cloud Support Engineer", "Service Desk Analyst"]),
    ],
)  # fmt: skip
def test_parse_sample_profiles_role_titles(stem: str, titles: list[str]) -> None:
    path = next(path for path in SAMPLES if path.stem == stem)
    resume = parse_resume(stem, _decode(path.read_bytes()))
    assert [role.title for role in resume.roles] == titles


def test_parse_case_study_profile_keeps_its_evidence() -> None:
    path = SAMPLE_DIR / "senior-dev-event-driven-payments.md"
    resume = parse_resume(path.stem, path.read_text(encoding="utf-8"))
    current = resume.roles[0]
    assert (current.start, current.current) == (date(2023, 3, 1), True)
    assert any("Global Tables" in bullet for bullet in current.bullets)
    assert any("3 days to 40 minutes" in bullet for bullet in current.bullets)
    assert len(resume.certifications) == 2


def test_parse_empty_sample_is_a_format_error() -> None:
    with pytest.raises(ResumeFormatError):
        parse_resume("empty-file", (SAMPLE_DIR / "empty-file.txt").read_text(encoding="utf-8"))
