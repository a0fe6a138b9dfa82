"""Metamorphic tests: edit a real-looking resume in a way that must (or must not) move its score.

Every property is stated in its test's name and checked on the shipped sample profiles, edited
by hypothesis (which profile, where, how much). The edits live in ``tests/resume_edits.py``.
Examples are derandomised so the suite gives the same verdict on every run.
"""

from __future__ import annotations

import re
from functools import cache

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.extract.evidence import extract
from pipeline.ingest.read import ingest_folder
from pipeline.parse.resume import parse_resume
from pipeline.score.rubric import load_rubric
from pipeline.score.scoring import score_and_rank

from . import resume_edits as edit
from .conftest import AS_OF, RUBRICS, SAMPLE_PROFILES

PROFILES: dict[str, str] = {d.candidate_id: d.text
                            for d in ingest_folder(SAMPLE_PROFILES).documents}
RUBRIC_FILES = sorted(RUBRICS.glob("*.yaml"))
EXAMPLES = settings(max_examples=30, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


@cache
def _rubric(path: str):
    return load_rubric(path)


@pytest.fixture(scope="module")
def scored(score_text):
    """Score text against a rubric file, cached: the same text is never extracted twice."""
    @cache
    def _scored(text: str, rubric: str = str(RUBRICS / "global-principal-architect.yaml")):
        return score_text(text, _rubric(rubric))
    return _scored


def _editable(name: str) -> bool:
    text = PROFILES[name]
    roles = edit.roles_of(text)
    return bool(roles) and all(r.start for r in roles) and \
        len(edit.header_lines(text)) == len(roles)


EDITABLE = sorted(n for n in PROFILES if _editable(n))
profiles = st.sampled_from(EDITABLE)
rubrics = st.sampled_from([str(p) for p in RUBRIC_FILES])


def test_metamorphic_most_sample_profiles_are_editable() -> None:
    assert len(EDITABLE) >= 14, EDITABLE


# --- tenure alone -------------------------------------------------------------------------

@EXAMPLES
@given(profiles, st.integers(1, 15), st.booleans(),
       st.sampled_from(["Support Engineer", "Systems Administrator", "Intern",
                        "Senior Infrastructure Engineer", "Principal Architect"]))
def test_metamorphic_up_to_15_years_of_earlier_evidence_free_roles_move_score_at_most_5(
        scored, name, years, one_role, title) -> None:
    base = PROFILES[name]
    longer = edit.add_earlier_roles(base, years, title, one_role)
    assert len(edit.roles_of(longer)) == len(edit.roles_of(base)) + (1 if one_role else years)
    before, after = scored(base), scored(longer)
    assert after.tenure_years > before.tenure_years
    assert abs(after.score - before.score) <= 5, (name, years, before.score, after.score)


# --- proxies ------------------------------------------------------------------------------

GENDERED = [
    ("Captain of the women's five-a-side football team.", "summary"),
    ("Mentored new starters in the women's engineering network.", "bullet"),
    ("Volunteer coach for a women's rowing club.", "end"),
]
SWAPS = [("women's", "men's"), ("Women's", "Men's"), (" she ", " he "), (" her ", " his ")]


def _swap_gender(text: str) -> str:
    for a, b in SWAPS:
        text = text.replace(a, "\0").replace(b, a).replace("\0", b)
    return text


def _place(text: str, sentence: str, where: str) -> str:
    if where == "bullet":
        return edit.add_bullet(text, 0, sentence)
    if where == "summary":
        blocks = edit.sections(text)
        for n, (section, lines) in enumerate(blocks):
            if section == "summary":
                blocks[n] = (section, [lines[0], sentence, *lines[1:]])
                return edit.join(blocks)
    return text.rstrip("\n") + "\n\nInterests\n" + sentence + "\n"


@pytest.mark.parametrize("gendered", GENDERED, ids=[g[1] for g in GENDERED])
@pytest.mark.parametrize("name", EDITABLE)
def test_metamorphic_swapping_womens_and_mens_moves_score_at_most_2_and_evidence_not_at_all(
        scored, name, gendered) -> None:
    """Every profile × placement (a small, finite domain: no sampling needed).

    The sub-scores must not move at all: a leak of one sentence can hide inside the 2-point
    bound (a saturated sub-score, or the must-have penalty absorbing the points).
    """
    text = _place(PROFILES[name], *gendered)
    before, after = scored(text), scored(_swap_gender(text))
    assert "men's" in _swap_gender(text)
    assert abs(after.score - before.score) <= 2, (name, before.score, after.score)
    assert (after.velocity, after.proactive, after.outcome) == (
        before.velocity, before.proactive, before.outcome), (name, gendered)


AFFINITY = [
    "Member, Women in Cloud",
    "Member of the Black Engineers Network",
    "Out in Tech (LGBTQ+ network), member since 2019",
    "Founded and led the company's Women in Tech network, growing it to 300 members",
    "Co-chair of the Disability Employee Resource Group; organised 12 talks a year",
    "Treasurer of the Muslim Professionals Association",
]


#: A resume with no section headings at all reads every line after a role as that role's
#: (parse.py): a "Memberships" block appended to one becomes bullets of the last role. Known
#: limitation of the parse stage, kept out of this property and reported.
HEADED = [n for n in EDITABLE if any(s for s, _ in edit.sections(PROFILES[n]))]


@EXAMPLES
@given(st.sampled_from(HEADED),
       st.lists(st.sampled_from(AFFINITY), min_size=1, max_size=4, unique=True),
       st.sampled_from(["Memberships", "Affiliations", "Volunteering"]))
def test_metamorphic_affinity_group_memberships_move_score_at_most_2(
        scored, name, groups, heading) -> None:
    base = PROFILES[name]
    markdown = "\n## " in base
    title = f"## {heading}" if markdown else heading.upper()
    member = base.rstrip("\n") + f"\n\n{title}\n" + "\n".join(f"- {g}" for g in groups) + "\n"
    before, after = scored(base), scored(member)
    assert abs(after.score - before.score) <= 2, (name, groups, before.score, after.score)


def _with_graduation(text: str, shift: int) -> str:
    blocks = edit.sections(text)
    for n, (section, lines) in enumerate(blocks):
        if section == "education":
            moved = [edit.YEAR.sub(lambda m: str(int(m.group(0)) + shift), line)
                     if k else line for k, line in enumerate(lines)]
            blocks[n] = (section, moved)
    return edit.join(blocks)


GRADUATES = [n for n in PROFILES if _with_graduation(PROFILES[n], 20) != PROFILES[n]]


@EXAMPLES
@given(st.sampled_from(GRADUATES), st.sampled_from([-20, -10, 10, 20]))
def test_metamorphic_graduation_year_plus_minus_20_moves_score_at_most_2(
        scored, name, shift) -> None:
    before, after = scored(PROFILES[name]), scored(_with_graduation(PROFILES[name], shift))
    assert abs(after.score - before.score) <= 2, (name, shift, before.score, after.score)


@EXAMPLES
@given(profiles, st.data())
def test_metamorphic_inserting_a_two_year_career_gap_moves_score_at_most_2(
        scored, name, data) -> None:
    base = PROFILES[name]
    count = len(edit.roles_of(base))
    where = data.draw(st.integers(1, count), label="gap before role (date order; n = now)")
    gapped = edit.insert_gap(base, where, AS_OF)
    assert gapped != base
    before, after = scored(base), scored(gapped)
    assert abs(after.score - before.score) <= 2, (name, where, before.score, after.score)


# --- stuffing -----------------------------------------------------------------------------

SERVICES = [
    "EC2", "Lambda", "ECS", "EKS", "Fargate", "VPC", "Route 53", "Direct Connect",
    "Transit Gateway", "CloudFront", "S3", "EFS", "RDS", "Aurora", "DynamoDB",
    "DynamoDB Global Tables", "Redshift", "Glue", "Athena", "EMR", "Kinesis", "MSK", "SQS",
    "SNS", "EventBridge", "Step Functions", "IAM", "KMS", "WAF", "Shield", "GuardDuty",
    "Security Hub", "CloudTrail", "AWS Config", "CloudWatch", "X-Ray", "CloudFormation",
    "Terraform", "CDK", "multi-region", "disaster recovery", "PCI DSS", "SOC 2",
]


@EXAMPLES
@given(st.sampled_from(sorted(PROFILES)), st.lists(st.sampled_from(SERVICES), min_size=1,
                                                   max_size=300), rubrics)
def test_metamorphic_appending_any_number_of_services_to_skills_raises_score_at_most_3(
        scored, name, services, rubric) -> None:
    base = PROFILES[name]
    stuffed = base.rstrip("\n") + "\n\nSkills\n" + ", ".join(services) + "\n"
    before, after = scored(base, rubric), scored(stuffed, rubric)
    assert after.score - before.score <= 3, (name, len(services), before.score, after.score)


BULLETED = [n for n in EDITABLE if edit.bullet_items(PROFILES[n])]


@EXAMPLES
@given(st.sampled_from(BULLETED), st.data())
def test_metamorphic_repeating_a_bullet_ten_times_raises_score_at_most_2(
        scored, name, data) -> None:
    base = PROFILES[name]
    lines = base.split("\n")
    items = edit.bullet_items(base)
    first, end = data.draw(st.sampled_from(items), label="bullet")
    repeated = lines[:end] + lines[first:end] * 9 + lines[end:]
    before, after = scored(base), scored("\n".join(repeated))
    assert after.score - before.score <= 2, (name, lines[first], before.score, after.score)


# --- monotonicity -------------------------------------------------------------------------

_QUANTIFIED = re.compile(r"\d")


def _without_quantity(lines: list[str]) -> list[str]:
    """Cut a bullet at its first quantified clause, then drop any figure left."""
    text = " ".join(line.strip() for line in lines)
    cut = re.split(r",\s*(?:cutting|bringing|shortening|serving|reducing|saving|from)\b|;", text)
    kept = re.sub(r"\s*[$£€]?\d[\d,.]*\s*(%|percent|minutes|hours|days|ms|x)?", "", cut[0])
    indent = re.match(r"^(\s*(?:[-*•–▪]\s+)?)", lines[0])
    return [(indent.group(1) if indent else "") + kept.lstrip("-*•–▪ ").rstrip(".") + "."]


@EXAMPLES
@given(st.sampled_from(BULLETED), st.data(), st.booleans())
def test_metamorphic_removing_a_quantified_result_never_raises_outcome(
        scored, name, data, whole) -> None:
    base = PROFILES[name]
    lines = base.split("\n")
    quantified = [(a, b) for a, b in edit.bullet_items(base)
                  if any(_QUANTIFIED.search(line) for line in lines[a:b])]
    if not quantified:
        return
    first, end = data.draw(st.sampled_from(quantified), label="quantified bullet")
    replacement = [] if whole else _without_quantity(lines[first:end])
    edited = "\n".join(lines[:first] + replacement + lines[end:])
    before, after = scored(base), scored(edited)
    assert after.outcome <= before.outcome, (name, lines[first], before.outcome, after.outcome)


ACCOMPLISHMENTS = {
    "compute_network_iac": [
        "Led the migration of 40 services from EC2 to EKS, defined in Terraform.",
        "Initiated a shared VPC design with Transit Gateway on my own initiative.",
        "Cut deployment time from 2 hours to 10 minutes with CDK pipelines."],
    "data": [
        "Led the redesign of the Redshift warehouse and its Glue jobs.",
        "Proposed and built a DynamoDB single-table design nobody had asked for.",
        "Cut Athena query costs by 60% by partitioning the S3 data lake."],
    "event_driven": [
        "Drove the move of order processing to EventBridge and SQS.",
        "On my own initiative, prototyped Kinesis streaming for the fraud team.",
        "Reduced message loss to zero with SQS dead-letter queues."],
    "security_compliance": [
        "Led the rollout of least-privilege IAM roles across 30 accounts.",
        "Initiated KMS encryption of every S3 bucket ahead of the PCI DSS audit.",
        "Closed 120 Security Hub findings, passing the SOC 2 audit first time."],
    "operations": [
        "Led the introduction of CloudWatch alarms and on-call runbooks.",
        "Volunteered to build X-Ray tracing for the checkout flow.",
        "Cut incident resolution time by 45% with automated runbooks."],
}
WEIGHED = [(p, s) for p, sentences in ACCOMPLISHMENTS.items() for s in sentences]


@EXAMPLES
@given(profiles, st.sampled_from(WEIGHED), rubrics, st.data())
def test_metamorphic_adding_an_accomplishment_in_a_weighed_pillar_never_lowers_the_score(
        scored, name, accomplishment, rubric, data) -> None:
    pillar, sentence = accomplishment
    assert _rubric(rubric).pillar_weights.normalised()[pillar] > 0
    base = PROFILES[name]
    role = data.draw(st.integers(0, len(edit.roles_of(base)) - 1), label="role")
    added = edit.add_bullet(base, role, sentence)
    assert sentence in edit.roles_of(added)[role].bullets
    before, after = scored(base, rubric), scored(added, rubric)
    assert after.score >= before.score, (name, role, sentence, before.score, after.score)
    for old, new in zip(before.explanation.features, after.explanation.features, strict=True):
        if old.name != "recency":  # the share of kept evidence may fall; its points never rise
            assert new.value >= old.value, (name, role, sentence, old, new)


# --- formatting ---------------------------------------------------------------------------

def _facts(result) -> tuple:
    return (result.score, result.velocity, result.proactive, result.outcome, result.trajectory,
            result.confidence, tuple(sorted(result.pillars.items())), result.tenure_years,
            result.must_haves_missing, tuple(s.text for s in result.top_evidence))


def _move_section(text: str, section: str, to_front: bool) -> str:
    blocks = edit.sections(text)
    moving = [b for b in blocks if b[0] == section]
    if not moving:
        return text
    rest = [b for b in blocks if b[0] != section]
    moving = [(s, [*lines[:-1], lines[-1]] if lines[-1] == "" else [*lines, ""])
              for s, lines in moving]
    rest = [(s, lines if not lines or lines[-1] == "" else [*lines, ""]) for s, lines in rest]
    return edit.join([rest[0], *moving, *rest[1:]] if to_front else [*rest, *moving])


def _bullets(text: str, char: str) -> str:
    return re.sub(r"^(\s*)[-*•](?=\s)", lambda m: m.group(1) + char, text, flags=re.M)


LAYOUTS = {
    "crlf": lambda t: t.replace("\n", "\r\n"),
    "cr": lambda t: t.replace("\n", "\r"),
    "double blank lines": lambda t: t.replace("\n\n", "\n\n\n"),
    "blank line after each heading": lambda t: "\n".join(
        line + ("\n" if edit.heading_at(line) else "") for line in t.split("\n")),
    "trailing blank lines": lambda t: "\n\n" + t + "\n\n\n",
    "bullets •": lambda t: _bullets(t, "•"),
    "bullets *": lambda t: _bullets(t, "*"),
    "bullets -": lambda t: _bullets(t, "-"),
    "skills first": lambda t: _move_section(t, "skills", True),
    "education first": lambda t: _move_section(t, "education", True),
    "certifications first": lambda t: _move_section(t, "certifications", True),
    "summary last": lambda t: _move_section(t, "summary", False),
}


@EXAMPLES
@given(st.sampled_from(sorted(PROFILES)),
       st.lists(st.sampled_from(sorted(LAYOUTS)), min_size=1, max_size=3, unique=True))
def test_metamorphic_section_order_bullets_blank_lines_and_line_endings_change_nothing(
        scored, name, layouts) -> None:
    text = PROFILES[name]
    for layout in layouts:
        text = LAYOUTS[layout](text)
    assert _facts(scored(text)) == _facts(scored(PROFILES[name])), (name, layouts)


# --- determinism --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def batch_evidence(nlp):
    """Every sample profile's evidence, plus two identical twins that tie on score."""
    docs = {**PROFILES, "twin-a": PROFILES["mid-level-generalist-mixed-evidence"],
            "twin-b": PROFILES["mid-level-generalist-mixed-evidence"]}
    return [extract(parse_resume(cid, text), f"hash-{cid}", nlp) for cid, text in docs.items()]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.randoms(use_true_random=False))
def test_metamorphic_same_batch_in_any_file_order_gives_same_scores_and_ranks(
        batch_evidence, gpa_rubric, random) -> None:
    shuffled = list(batch_evidence)
    random.shuffle(shuffled)
    reference = score_and_rank(batch_evidence, gpa_rubric, AS_OF)
    again = score_and_rank(shuffled, gpa_rubric, AS_OF)
    assert [(c.candidate_id, c.score) for c in again] == \
        [(c.candidate_id, c.score) for c in reference]
    assert again == reference
