"""Score: the formula's properties on hand-built evidence (real resumes: test_ranking.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.records import (
    PILLARS,
    CandidateEvidence,
    Certification,
    Resume,
    Role,
    SentenceEvidence,
)
from pipeline.score.scoring import rank, score_candidate

AS_OF = date(2026, 11, 1)


def sentence(text: str, section: str = "experience", *, velocity: float = 0.0,
             proactive: float = 0.0, outcome: float = 0.0, listing: float = 0.0,
             **pillars: float) -> SentenceEvidence:
    return SentenceEvidence(
        text=text, section=section, role_index=0,  # type: ignore[arg-type]
        flags={"velocity": velocity, "proactive": proactive, "outcome": outcome,
               "listing": listing},
        pillars={p: pillars.get(p, 0.0) for p in PILLARS},
    )


def candidate(*sentences: SentenceEvidence, years: int = 6,
              certs: tuple[Certification, ...] = ()) -> CandidateEvidence:
    role = Role("Senior Developer", "Shop", date(2026 - years, 1, 1), None, True)
    return CandidateEvidence(Resume("c1", roles=(role,)), "h", tuple(sentences), certs)


MIGRATION = sentence("Led the migration of payments to Lambda and SQS, cutting latency 30%.",
                     velocity=0.95, outcome=0.9, event_driven=0.95, compute_network_iac=0.9)
POC = sentence("Initiated a Global Tables proof of concept for cross-region replication.",
               proactive=0.9, data=0.9, operations=0.6)
IAC = sentence("Championed Terraform for all services, cutting provisioning to 40 minutes.",
               proactive=0.7, outcome=0.9, compute_network_iac=0.95)
SKILLS = sentence("EC2, S3, VPC, RDS, DynamoDB, SQS, SNS, Kinesis, IAM, KMS", "skills",
                  listing=1.0, **{p: 0.9 for p in PILLARS})


def test_score_is_in_range_and_explained(gpa_rubric) -> None:
    result = score_candidate(candidate(MIGRATION, POC, IAC), gpa_rubric, AS_OF)
    assert 0 <= result.score <= 100
    assert result.top_evidence[0].text == MIGRATION.text
    assert not any("Infrastructure as code" in m for m in result.must_haves_missing)
    # 5+ years earn the full 4 tenure points, scaled by field fit (here close to 1).
    assert 3.5 <= result.components["tenure"] <= 4.0


def test_score_skills_list_is_never_an_accomplishment(gpa_rubric) -> None:
    only_skills = score_candidate(candidate(SKILLS), gpa_rubric, AS_OF)
    assert only_skills.velocity == only_skills.outcome == only_skills.proactive == 0
    assert all(v == 0 for v in only_skills.pillars.values())
    assert only_skills.top_evidence == ()
    assert len(only_skills.must_haves_missing) == len(gpa_rubric.must_haves)


def test_score_repeating_a_sentence_adds_nothing(gpa_rubric) -> None:
    once = score_candidate(candidate(MIGRATION, POC), gpa_rubric, AS_OF)
    echoed = [replace(MIGRATION, text=f"• {MIGRATION.text.upper()}")] * 10
    many = score_candidate(candidate(MIGRATION, POC, *echoed), gpa_rubric, AS_OF)
    assert many.score == once.score


def test_score_tenure_saturates(gpa_rubric) -> None:
    six = score_candidate(candidate(MIGRATION, years=6), gpa_rubric, AS_OF)
    twenty = score_candidate(candidate(MIGRATION, years=20), gpa_rubric, AS_OF)
    assert twenty.score == six.score


def test_score_certifications_are_capped(gpa_rubric) -> None:
    many = tuple(Certification(f"Cert {i}", "professional") for i in range(10))
    result = score_candidate(candidate(MIGRATION, certs=many), gpa_rubric, AS_OF)
    assert result.components["certifications"] == gpa_rubric.certifications.cap


def test_score_weak_signal_counts_less_than_strong(gpa_rubric) -> None:
    weak = replace(MIGRATION, flags={**MIGRATION.flags, "velocity": 0.55, "outcome": 0.5})
    assert (score_candidate(candidate(weak), gpa_rubric, AS_OF).score
            < score_candidate(candidate(MIGRATION), gpa_rubric, AS_OF).score)


def test_score_rank_breaks_ties_by_candidate_id(gpa_rubric) -> None:
    a = score_candidate(candidate(MIGRATION), gpa_rubric, AS_OF)
    b = replace(a, candidate_id="a0")
    assert [c.candidate_id for c in rank([a, b])] == ["a0", "c1"]


probability = st.floats(min_value=0, max_value=1, allow_nan=False)


@st.composite
def sentences(draw) -> SentenceEvidence:
    return sentence(
        draw(st.text(alphabet="abcdefghij ", min_size=1, max_size=30).filter(str.strip)),
        draw(st.sampled_from(["experience", "projects", "summary", "skills", "other"])),
        velocity=draw(probability), proactive=draw(probability), outcome=draw(probability),
        listing=draw(probability), **{p: draw(probability) for p in PILLARS},
    )


@settings(max_examples=60, deadline=None)
@given(st.lists(sentences(), max_size=25, unique_by=lambda s: " ".join(s.text.split())),
       st.integers(min_value=0, max_value=40))
def test_score_properties_range_and_determinism(gpa_rubric, items, years) -> None:
    first = score_candidate(candidate(*items, years=years), gpa_rubric, AS_OF)
    again = score_candidate(candidate(*reversed(items), years=years), gpa_rubric, AS_OF)
    assert 0 <= first.score <= 100
    assert all(0 <= v <= 100 for v in (first.velocity, first.proactive, first.outcome))
    assert all(0 <= v <= 100 for v in first.pillars.values())
    assert again.score == pytest.approx(first.score, abs=0.02), "sentence order changes nothing"


@settings(max_examples=40, deadline=None)
@given(st.lists(sentences(), max_size=15), sentences())
def test_score_adding_an_accomplishment_never_lowers_the_score(gpa_rubric, items, extra) -> None:
    strong = replace(extra, section="experience",
                     text=extra.text + " (unique)", flags={**extra.flags, "listing": 0.0})
    before = score_candidate(candidate(*items), gpa_rubric, AS_OF)
    after = score_candidate(candidate(*items, strong), gpa_rubric, AS_OF)
    assert after.score >= before.score - 1e-9


def test_score_accomplishment_outside_the_rubric_field_earns_nothing(gpa_rubric) -> None:
    """Relevance: a result in no pillar of the rubric earns nothing toward evidence."""
    from pipeline.score.terms import OFF_FIELD_WEIGHT, evidence_terms

    cloud = sentence("Halved checkout latency on EKS.", outcome=0.9, compute_network_iac=1.0)
    ward = replace(cloud, text="Halved medication errors on the ward.",
                   pillars={p: 0.0 for p in PILLARS})
    flags, _ = evidence_terms([cloud, ward], {}, gpa_rubric)
    assert flags["outcome"][1] == pytest.approx(OFF_FIELD_WEIGHT * flags["outcome"][0])
    assert (score_candidate(candidate(ward), gpa_rubric, AS_OF).score
            < score_candidate(candidate(cloud), gpa_rubric, AS_OF).score)


@pytest.mark.parametrize(("rubric_name", "pillar", "other"), [
    ("data-platform-architect", "data", "event_driven"),
    ("cloud-security-specialist", "security_compliance", "data"),
])
def test_score_evidence_counts_by_the_rubric_pillar_weights(rubric_dir, rubric_name, pillar,
                                                            other) -> None:
    """The rubric decides what is relevant: the same result in its top pillar counts more."""
    from pipeline.score.rubric import load_rubric
    from pipeline.score.terms import relevance

    rubric = load_rubric(rubric_dir / f"{rubric_name}.yaml")
    inside = sentence("Cut nightly load time by 40% on the platform.", outcome=0.9,
                      **{pillar: 1.0})
    outside = replace(inside, pillars={p: (1.0 if p == other else 0.0) for p in PILLARS})
    assert relevance(inside, rubric) == pytest.approx(1.0)
    assert relevance(outside, rubric) < 0.5 * relevance(inside, rubric)
    assert (score_candidate(candidate(outside), rubric, AS_OF).outcome
            < score_candidate(candidate(inside), rubric, AS_OF).outcome)


def test_score_career_in_another_field_earns_no_trajectory_or_tenure(gpa_rubric) -> None:
    """Field fit: strong results outside every pillar buy neither trajectory nor tenure points,
    so they stay below a candidate with one modest result in the field."""
    ward = [sentence(f"Led the ward team {n}, halving medication errors.", velocity=0.9,
                     outcome=0.9) for n in range(6)]
    cloud = sentence("Moved the nightly batch to Lambda, cutting its run time by 20%.",
                     outcome=0.6, compute_network_iac=0.9)
    nurse = score_candidate(candidate(*ward, years=15), gpa_rubric, AS_OF)
    engineer = score_candidate(candidate(cloud, years=2), gpa_rubric, AS_OF)
    assert nurse.components["trajectory"] == pytest.approx(0.0)
    assert nurse.components["tenure"] == pytest.approx(0.0)
    assert engineer.score > nurse.score
