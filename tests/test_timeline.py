"""Timeline and trajectory features on hand-built roles (real resumes: test_metamorphic.py)."""

from __future__ import annotations

from datetime import date

import pytest

from pipeline.records import Certification, Role, SentenceEvidence
from pipeline.score.features import certification_pace, growth, promotion_pace
from pipeline.score.timeline import build_timeline
from pipeline.score.titles import seniority

AS_OF = date(2026, 11, 1)


@pytest.mark.parametrize("title, level", [
    ("Junior Developer", 1), ("Sr. Cloud Engineer", 3), ("Senior Infrastructure Architect", 4),
    ("Principal Cloud Architect", 5), ("Head of Mathematics", 5), ("Staff Nurse", 2),
    ("Staff Site Reliability Engineer", 4), ("Junior Architect", 1), ("Cloud Engineer II", 2),
    ("Graduate Developer (rotation)", 0), ("Sénior Développeur", 3), ("Jefe de Arquitectura", 4),
    ("Ingeniero Senior", 3), ("Developer", 2),
])
def test_timeline_title_taxonomy_levels(title: str, level: int) -> None:
    assert seniority(title).level == level


def _led(role_index: int) -> SentenceEvidence:
    return SentenceEvidence(f"Led change {role_index}.", "experience", role_index,
                            {"velocity": 0.95}, {})


ROLES = (
    Role("Senior Developer", "B", date(2023, 3, 1), None, True),
    Role("Developer", "A", date(2019, 1, 1), date(2020, 12, 1), False),
    Role("Junior Developer", "A", date(2018, 1, 1), date(2019, 6, 1), False),
)


def test_timeline_orders_roles_and_finds_gaps_overlaps_present() -> None:
    timeline = build_timeline(ROLES, [_led(0)], AS_OF)
    assert [r.title for r in timeline.roles] == ["Junior Developer", "Developer",
                                                 "Senior Developer"]
    assert [(g.start, g.end, g.months) for g in timeline.gaps] == [("2021-01", "2023-02", 26)]
    assert [(o.first, o.second, o.months) for o in timeline.overlaps] == [(2, 1, 6)]
    assert timeline.roles[-1].present and timeline.roles[-1].ownership_label == "led/initiated"
    assert timeline.roles[0].ownership_label == "only listed"


def test_timeline_gap_does_not_move_the_career_clock() -> None:
    shifted = tuple(Role(r.title, r.employer, r.start and r.start.replace(year=r.start.year - 2),
                         r.end and r.end.replace(year=r.end.year - 2), r.current)
                    if not r.current else r for r in ROLES)
    a = build_timeline(ROLES, [_led(0), _led(1)], AS_OF)
    b = build_timeline(shifted, [_led(0), _led(1)], AS_OF)
    assert [r.age_years for r in a.roles] == [r.age_years for r in b.roles]
    assert growth(a) == growth(b) and promotion_pace(a) == promotion_pace(b)


def test_timeline_features_growth_and_promotions() -> None:
    value, detail = growth(build_timeline(ROLES, [_led(0)], AS_OF))
    assert value == 1.0 and "Senior Developer" in detail
    assert promotion_pace(build_timeline(ROLES[:1], [], AS_OF))[0] == 0.0


def test_timeline_certification_pace_follows_the_aws_ladder() -> None:
    fast = [Certification("SAA", "associate", 2022), Certification("SAP", "professional", 2024)]
    slow = [Certification("SAA", "associate", 2014), Certification("SAP", "professional", 2024)]
    assert certification_pace(fast)[0] == pytest.approx(2 / 3)
    assert certification_pace(slow)[0] == pytest.approx(2 / 3 * 2 / 10)
    assert certification_pace([Certification("CCP", "foundational", 2020)])[0] == 0.0


@pytest.mark.parametrize("first, second, months", [
    # "2003 – 2009" then "2009 – 2014": year-only dates meeting, a change of job, not overlap.
    ((date(2003, 1, 1), date(2009, 12, 1)), (date(2009, 1, 1), date(2014, 12, 1)), None),
    # Month-precise dates that really overlap stay an overlap.
    ((date(2018, 1, 1), date(2019, 12, 1)), (date(2019, 6, 1), date(2021, 1, 1)), 7),
    ((date(2018, 1, 1), date(2019, 12, 1)), (date(2019, 1, 1), date(2019, 10, 1)), 10),
])
def test_timeline_year_only_handover_is_not_an_overlap(first, second, months) -> None:
    roles = [Role("A", None, *first, False), Role("B", None, *second, False)]
    found = [o.months for o in build_timeline(roles, [], AS_OF).overlaps]
    assert found == ([] if months is None else [months])
