"""Career timeline arithmetic over parsed roles: months worked, with overlaps counted once."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from pipeline.records import Role


def _month_index(d: date) -> int:
    return d.year * 12 + (d.month - 1)


def role_months(role: Role, as_of: date) -> tuple[int, int] | None:
    """The half-open month interval ``[start, end)`` of a role, or None without a start.

    A current role runs to ``as_of``; an end month counts as worked (Jan–Mar is 3 months).
    """
    if role.start is None:
        return None
    end = as_of if (role.current or role.end is None) else role.end
    lo, hi = _month_index(role.start), _month_index(end) + 1
    return (lo, hi) if hi > lo else None


def tenure_years(roles: Iterable[Role], as_of: date) -> float:
    """Years covered by at least one dated role; overlapping roles count once.

    >>> from datetime import date
    >>> r = Role("Dev", None, date(2020, 1, 1), date(2021, 12, 1), False)
    >>> tenure_years([r, r], date(2024, 1, 1))
    2.0
    """
    intervals = sorted(i for r in roles if (i := role_months(r, as_of)) is not None)
    months = 0
    cur_lo: int | None = None
    cur_hi = 0
    for lo, hi in intervals:
        if cur_lo is None or lo > cur_hi:
            if cur_lo is not None:
                months += cur_hi - cur_lo
            cur_lo, cur_hi = lo, hi
        else:
            cur_hi = max(cur_hi, hi)
    if cur_lo is not None:
        months += cur_hi - cur_lo
    return round(months / 12, 2)
