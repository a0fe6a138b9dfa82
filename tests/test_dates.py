"""Tests for pipeline.parse.dates: the date-range forms people write on role lines."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pipeline.parse.dates import DateRange, find_date_range

MONTH_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@pytest.mark.parametrize(
    ("line", "start", "end", "current"),
    [
        ("Mar 2022 - Present", date(2022, 3, 1), None, True),
        ("2014 – present", date(2014, 1, 1), None, True),
        ("01/2020 - 12/2021", date(2020, 1, 1), date(2021, 12, 1), False),
        ("July 2019 to Feb 2022", date(2019, 7, 1), date(2022, 2, 1), False),
        ("2009 - 2014", date(2009, 1, 1), date(2014, 12, 1), False),
        ("Sept. 2018 – Current", date(2018, 9, 1), None, True),
        ("2019-03 – 2021-11", date(2019, 3, 1), date(2021, 11, 1), False),
        ("Jan 2020 — Now", date(2020, 1, 1), None, True),
        ("Sept 2020 until July 2024", date(2020, 9, 1), date(2024, 7, 1), False),
        ("September 2015 to August 2020", date(2015, 9, 1), date(2020, 8, 1), False),
        ("Dec. 2010 — Feb. 2011", date(2010, 12, 1), date(2011, 2, 1), False),
        ("2009-2014", date(2009, 1, 1), date(2014, 12, 1), False),
        ("2009–2014", date(2009, 1, 1), date(2014, 12, 1), False),
        ("1/2020 - 3/2020", date(2020, 1, 1), date(2020, 3, 1), False),
        ("03-2019 – 05-2020", date(2019, 3, 1), date(2020, 5, 1), False),
        ("2020/01 - 2021/02", date(2020, 1, 1), date(2021, 2, 1), False),
        ("Mar-2022 – Dec-2023", date(2022, 3, 1), date(2023, 12, 1), False),
        ("March, 2020 till June 2021", date(2020, 3, 1), date(2021, 6, 1), False),
        ("Jan 2019 - 2021", date(2019, 1, 1), date(2021, 12, 1), False),
        ("2015 - Jun 2016", date(2015, 1, 1), date(2016, 6, 1), False),
        ("2015 to date", date(2015, 1, 1), None, True),
        ("MAY 2018 - CURRENTLY", date(2018, 5, 1), None, True),
        ("2018 - today", date(2018, 1, 1), None, True),
        ("Jan 2020 - Jan 2020", date(2020, 1, 1), date(2020, 1, 1), False),
    ],
)
def test_dates_parses_written_forms(
    line: str, start: date, end: date | None, current: bool
) -> None:
    assert find_date_range(line) == DateRange(start, end, current, (0, len(line)))


@pytest.mark.parametrize(
    ("line", "matched"),
    [
        ("Senior Developer, Acme Corp — Mar 2022 - Present", "Mar 2022 - Present"),
        ("Acme Corp | Senior Developer | 2019 – 2022", "2019 – 2022"),
        ("**Senior Developer** at Acme (2014 – present)", "2014 – present"),
        ("Acme, Berlin    Jan 2019 - Dec 2020   (contract)", "Jan 2019 - Dec 2020"),
        ("2019 – 2021 and 2022 - present", "2019 – 2021"),
    ],
)
def test_dates_span_covers_only_the_range(line: str, matched: str) -> None:
    found = find_date_range(line)
    assert found is not None
    start, end = found.span
    assert line[start:end] == matched


@pytest.mark.parametrize(
    "line",
    [
        "",
        "Senior Developer, Acme Corp",
        "AWS Certified Solutions Architect – Associate (2021)",
        "2021 - 2019",  # end before start: rejected, not swapped
        "Dec 2020 - Jan 2020",
        "13/2020 - 14/2021",  # no such months
        "1850 - 1860",  # outside the accepted years
        "Mar 22 - Jun 23",  # two-digit years are not accepted
        "Reduced latency by 30% in 2021",
    ],
)
def test_dates_rejects_non_ranges(line: str) -> None:
    assert find_date_range(line) is None


def test_dates_skips_an_invalid_range_for_a_later_valid_one() -> None:
    found = find_date_range("2021 - 2019, then 2019 - 2020")
    assert found is not None
    assert (found.start, found.end) == (date(2019, 1, 1), date(2020, 12, 1))


@given(
    start=st.dates(min_value=date(1960, 1, 1), max_value=date(2090, 12, 31)),
    months=st.integers(min_value=0, max_value=400),
    style=st.sampled_from(["abbr", "numeric", "iso"]),
    separator=st.sampled_from([" - ", " – ", " — ", "-", " to ", " until "]),
)
def test_dates_round_trips_formatted_ranges(
    start: date, months: int, style: str, separator: str
) -> None:
    first = start.replace(day=1)
    index = first.year * 12 + first.month - 1 + months
    last = date(index // 12, index % 12 + 1, 1)
    if last.year > 2099:
        return

    def fmt(value: date) -> str:
        if style == "abbr":
            return f"{MONTH_ABBR[value.month - 1]} {value.year}"
        if style == "numeric":
            return f"{value.month:02d}/{value.year}"
        return f"{value.year}-{value.month:02d}"

    line = f"Engineer, Acme | {fmt(first)}{separator}{fmt(last)}"
    found = find_date_range(line)
    assert found is not None
    assert (found.start, found.end, found.current) == (first, last, False)
