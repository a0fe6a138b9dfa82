"""Ranking judgement on real-looking resumes: the article's case study and its variations.

Orderings are checked on the shipped profiles and on variants the tests build from them
(reworded bullets, other layouts), so they cannot pass by matching one exact text.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

PROFILES = Path(__file__).resolve().parent.parent / "sample_profiles"
CASE_STUDY = (PROFILES / "senior-dev-event-driven-payments.md").read_text(encoding="utf-8")
PRINCIPAL = (PROFILES / "principal-cloud-architect-long-tenure.txt").read_text(encoding="utf-8")
STUFFER = (PROFILES / "keyword-stuffer-cloud-buzzwords.txt").read_text(encoding="utf-8")

#: The case study's three defining bullets, reworded the way other people would write them.
REWORDINGS = [
    ("Led the migration of the payment-processing modules",
     "Drove the move of our payment services"),
    ("Initiated a proof of concept for cross-region replication",
     "On my own initiative, built a proof of concept of cross-region replication"),
    ("Championed an IaC-first approach with Terraform for all new services",
     "Pushed the team to adopt Terraform as the default for every new service"),
    ("cutting payment processing latency by 30%", "reducing processing latency 30%"),
]


def reworded(text: str) -> str:
    for old, new in REWORDINGS:
        assert old in text, old
        text = text.replace(old, new)
    return text


def plain_text_layout(text: str) -> str:
    """Markdown headings → CAPITALS, '-' bullets → '•', CRLF line endings."""
    text = re.sub(r"^## (.+)$", lambda m: m.group(1).upper(), text, flags=re.M)
    text = re.sub(r"^### (.+)$", r"\1", text, flags=re.M)
    text = re.sub(r"^- ", "• ", text, flags=re.M)
    return text.replace("\n", "\r\n")


def skills_first(text: str) -> str:
    """Move the Skills section above Experience."""
    skills = re.search(r"## Skills\n.*?(?=\n## )", text, flags=re.S)
    assert skills
    body = text.replace(skills.group(0) + "\n", "")
    return body.replace("## Experience", skills.group(0) + "\n\n## Experience")


VARIANTS = {
    "as-shipped": lambda t: t,
    "reworded": reworded,
    "plain-text-layout": plain_text_layout,
    "skills-first": skills_first,
    "reworded-plain-text": lambda t: plain_text_layout(reworded(t)),
}


@pytest.mark.parametrize("variant", VARIANTS, ids=str)
def test_ranking_case_study_beats_title_match_and_stuffer(score_text, gpa_rubric, variant) -> None:
    senior = score_text(VARIANTS[variant](CASE_STUDY), gpa_rubric, "senior")
    principal = score_text(PRINCIPAL, gpa_rubric, "principal")
    stuffer = score_text(STUFFER, gpa_rubric, "stuffer")
    assert senior.score > principal.score > stuffer.score, (
        senior.score, principal.score, stuffer.score)
    assert senior.score - principal.score >= 15, "evidence must win by a clear margin"


def test_ranking_case_study_explanation_quotes_its_evidence(score_text, gpa_rubric) -> None:
    senior = score_text(CASE_STUDY, gpa_rubric)
    quoted = " ".join(s.text for s in senior.top_evidence)
    assert "migration" in quoted and len(senior.top_evidence) == 3
    assert senior.must_haves_missing == ()


def test_ranking_title_match_lacks_evidence(score_text, gpa_rubric) -> None:
    principal = score_text(PRINCIPAL, gpa_rubric)
    assert principal.velocity < 30 and principal.outcome < 30
    assert principal.tenure_years > 20


def with_earlier_roles(text: str, years: int) -> str:
    """Append ``years`` of earlier duty-only roles to the experience section."""
    start = 2020 - years
    roles = "\n".join(
        f"\n### Support Engineer, company {i} — {start + i} - {start + i + 1}\n"
        "- Responsible for server maintenance and user tickets.\n"
        "- Participated in the quarterly patch cycle."
        for i in range(years)
    )
    return text.replace("\n## Skills", roles + "\n\n## Skills")


@pytest.mark.parametrize("years", [3, 10, 15])
def test_ranking_more_tenure_alone_moves_score_at_most_5(score_text, gpa_rubric, years) -> None:
    for base in (CASE_STUDY, STUFFER.replace("Skills:", "## Skills").replace(
            "Work Experience:", "## Experience")):
        before = score_text(base, gpa_rubric)
        after = score_text(with_earlier_roles(base, years), gpa_rubric)
        assert after.tenure_years > before.tenure_years
        assert abs(after.score - before.score) <= 5, (years, before.score, after.score)


def without_quantities(text: str) -> str:
    """Drop every clause that carries a number (the quantified results)."""
    lines = []
    for line in text.split("\n"):
        if line.startswith(("- ", "  ")) and re.search(r"\d", line) and "##" not in line:
            line = re.split(r",\s*(?:cutting|bringing|shortening|serving)", line)[0]
            line = re.sub(r"\s*\d[\d,.]*\s*(%|percent|minutes|hours|days)?", "", line)
        lines.append(line)
    return "\n".join(lines)


def test_ranking_removing_quantified_results_lowers_outcome(score_text, gpa_rubric) -> None:
    before = score_text(CASE_STUDY, gpa_rubric)
    after = score_text(without_quantities(CASE_STUDY), gpa_rubric)
    assert after.outcome < before.outcome, (before.outcome, after.outcome)


SIXTY_SERVICES = (
    "EC2, Lambda, ECS, EKS, Fargate, Batch, Lightsail, VPC, Route 53, Direct Connect, "
    "Transit Gateway, CloudFront, Global Accelerator, S3, EBS, EFS, Glacier, FSx, RDS, Aurora, "
    "DynamoDB, Redshift, Glue, Athena, EMR, ElastiCache, DocumentDB, Neptune, Keyspaces, "
    "Timestream, SQS, SNS, EventBridge, Kinesis, MSK, Step Functions, MQ, IAM, KMS, WAF, "
    "Shield, Secrets Manager, CloudTrail, AWS Config, GuardDuty, Security Hub, Macie, Inspector, "
    "CloudWatch, X-Ray, CodePipeline, CodeBuild, CodeDeploy, CloudFormation, CDK, Systems "
    "Manager, Backup, Organizations, Control Tower, SageMaker"
)


@pytest.mark.parametrize("base", [CASE_STUDY, PRINCIPAL, STUFFER], ids=["senior", "principal",
                                                                      "stuffer"])
def test_ranking_appending_60_services_raises_at_most_3(score_text, gpa_rubric, base) -> None:
    assert len(SIXTY_SERVICES.split(", ")) == 60
    before = score_text(base, gpa_rubric)
    after = score_text(base.rstrip("\n") + "\n\nSkills\n" + SIXTY_SERVICES + "\n", gpa_rubric)
    assert after.score - before.score <= 3, (before.score, after.score)


def test_ranking_same_input_twice_is_identical(score_text, gpa_rubric) -> None:
    assert score_text(CASE_STUDY, gpa_rubric) == score_text(CASE_STUDY, gpa_rubric)


# --- the rubric decides what is relevant ---------------------------------------------------

TEXT_PROFILES = {p.stem: p for p in sorted(PROFILES.iterdir())
                 if p.suffix in (".txt", ".md") and p.stat().st_size > 0
                 and not p.stem.startswith(("binary", "utf16", "cp1252", "empty"))}
NON_TECHNICAL = ("nurse-icu-charge-nurse", "secondary-school-maths-teacher")


@pytest.fixture(scope="module")
def profile_scores(score_text, rubric_dir):
    """Rubric name → {profile stem: score} over the shipped plain-text profiles."""
    from pipeline.score.rubric import load_rubric

    out = {}
    for path in sorted(rubric_dir.glob("*.yaml")):
        rubric = load_rubric(path)
        out[rubric.name] = {stem: score_text(p.read_text(encoding="utf-8"), rubric, stem)
                            for stem, p in TEXT_PROFILES.items()}
    return out


@pytest.mark.parametrize(("rubric", "first"), [
    ("data-platform-architect", "data-platform-architect-redshift-kinesis"),
    ("cloud-security-specialist", "cloud-security-specialist-pci-soc2"),
    ("global-principal-architect", "senior-dev-event-driven-payments"),
])
def test_ranking_rubric_puts_its_specialist_first(profile_scores, rubric, first) -> None:
    scores = profile_scores[rubric]
    best = max(scores, key=lambda stem: (scores[stem].score, stem))
    assert best == first, {s: c.score for s, c in scores.items()}


@pytest.mark.parametrize("rubric", ["global-principal-architect", "data-platform-architect",
                                    "cloud-security-specialist"])
def test_ranking_non_technical_below_every_cloud_resume_with_evidence(profile_scores,
                                                                        rubric) -> None:
    scores = profile_scores[rubric]
    technical = [c for stem, c in scores.items() if stem not in NON_TECHNICAL
                 and c.components["evidence"] + c.components["pillar_fit"] > 0.5]
    assert len(technical) >= 8
    for stem in NON_TECHNICAL:
        assert scores[stem].score < min(c.score for c in technical), stem
