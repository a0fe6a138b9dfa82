"""Quantities: numbers, units and directions of results; years and versions excluded."""

from __future__ import annotations

import pytest

from pipeline.extract.build import build_rules_nlp
from pipeline.extract.quantities import find_quantities


def _only(text: str):
    found = find_quantities(text)
    assert len(found) == 1, found
    return found[0][2]


@pytest.mark.parametrize(
    ("text", "value", "unit", "direction"),
    [
        ("Cut p95 latency 30% by moving payments to Lambda", 30, "%", "down"),
        ("reduced cloud spend by 30 percent", 30, "%", "down"),
        ("saving $4,000 a month", 4000, "USD/month", "down"),
        ("€1.2M per year in licence fees", 1.2e6, "EUR/year", "none"),
        ("serving 2M requests/day", 2e6, "requests/day", "none"),
        ("10x faster deploys", 10, "x", "up"),
        ("99.99% availability", 99.99, "%", "none"),
        ("p95 latency down 120 ms", 120, "ms", "down"),
        ("resulting in a 30% reduction in processing latency", 30, "%", "down"),
        ("increased throughput by 45%", 45, "%", "up"),
        ("zero downtime", 0, "downtime", "none"),
        ("passed with zero major findings", 0, "findings", "none"),
        ("halved build times", 0.5, "x", "down"),
        ("doubled throughput", 2, "x", "up"),
        ("Managed 12 servers", 12, "count", "none"),
        ("led a team of 8", 8, "count", "none"),
        ("1,500 TPS sustained", 1500, "tps", "none"),
    ],
)
def test_quantities_value_unit_direction(text, value, unit, direction) -> None:
    q = _only(text)
    assert (q.value, q.unit, q.direction) == (pytest.approx(value), unit, direction)


@pytest.mark.parametrize(
    ("text", "before", "before_unit", "value", "unit", "direction"),
    [
        ("cutting provisioning from 3 days to 40 minutes", 3, "d", 40, "min", "down"),
        ("3 days → 40 min", 3, "d", 40, "min", "down"),
        ("from 45 minutes to 5", 45, "min", 5, "min", "down"),
        ("scaled from 3 to 40 services", 3, "count", 40, "count", "up"),
        ("from 2 hours to 90 seconds", 2, "h", 90, "s", "down"),
    ],
)
def test_quantities_from_to_compares_normalised_units(
    text, before, before_unit, value, unit, direction
) -> None:
    q = _only(text)
    assert (q.before, q.before_unit, q.value, q.unit, q.direction) == (
        before,
        before_unit,
        value,
        unit,
        direction,
    )


@pytest.mark.parametrize(
    "text",
    [
        "Joined in 2019",
        "Python 3.11 upgrade",
        "Upgraded to Python 3.11",
        "Achieved SOC 2 and ISO 27001",
        "Windows Server 2012 R2",
        "2FA for all users",
        "24/7 support",
        "release 2.4.1",
        "Stored on S3 and EC2",
    ],
)
def test_quantities_years_and_versions_are_not_quantities(text) -> None:
    assert find_quantities(text) == []


def test_quantities_two_results_get_their_own_directions() -> None:
    found = find_quantities("Reduced costs by 25% and increased throughput 3x")
    assert [(q.value, q.direction) for _, _, q in found] == [(25, "down"), (3, "up")]


def test_quantities_component_skips_numbers_inside_tech_names() -> None:
    doc = build_rules_nlp()("Moved DNS to Route 53 for 40 domains")
    assert [s.text for s in doc.spans["quantity"]] == ["40"]
    assert doc.spans["quantity"][0]._.quantity.value == 40
