"""Find quantified results in a sentence: ``"cut p95 latency 30%"`` → Quantity(30, "%", "down").

Numbers are found with compiled regular expressions over the text (compiled once per
:class:`QuantityFinder`), then given a unit, a direction and, for "from A to B" / "A → B", the
figure they started from. Years (2019) and versions (Python 3.11, TLS 1.2, ISO 27001) are not
quantities. Counts ("12 servers", "team of 8") are quantities with unit ``"count"``; whether
they are a *result* is for the evidence rules to decide.

>>> [(q.value, q.unit, q.direction, q.before) for _, _, q in find_quantities(
...     "cutting provisioning from 3 days to 40 minutes")]
[(40.0, 'min', 'down', 3.0)]
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache
from typing import Literal

from pipeline.extract.cues import QuantityCues, load_evidence_cues
from pipeline.extract.inflect import inflections
from pipeline.records import Quantity

Direction = Literal["down", "up", "none"]
Found = tuple[int, int, Quantity]

_NUMBER = re.compile(
    r"(?<![\w.,/:\-])(?:(?P<cur>US\$|[$€£₹]|(?:USD|EUR|GBP|INR)\s?)|(?P<sign>[-−+]))?"
    r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
)
_MULT = re.compile(
    r"\s?(?P<m>thousand|million|billion|mn|bn)\b|(?P<s>[kKmMbB]|MM|Bn)(?![A-Za-z0-9])"
)
_MULTIPLIERS = {
    "k": 1e3,
    "thousand": 1e3,
    "m": 1e6,
    "mm": 1e6,
    "mn": 1e6,
    "million": 1e6,
    "b": 1e9,
    "bn": 1e9,
    "billion": 1e9,
}
_PERIODS = (
    r"(?P<period>second|sec|s|minute|min|hour|hr|h|day|d|week|wk|month|mo|quarter|year|yr"
    r"|annum)s?\b"
)
_PER = r"\s?(?:/|\bper\b|\ba\b|\ban\b|\beach\b)\s?"
_UNITS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(pattern, re.IGNORECASE))
    for name, pattern in (
        ("%", r"\s?(?:%|percent\b|per\s?cent\b|pct\b|percentage points?\b|pp\b)"),
        ("x", r"(?:\s?[x×](?![A-Za-z0-9])|\s?-?fold\b|\stimes\b)"),
        ("currency", r"\s?(?P<code>USD|EUR|GBP|INR|dollars|euros|pounds)\b"),
        (
            "time",
            r"(?:\s?(?P<t1>ms|msecs?|milliseconds?|millis|secs?|seconds?|mins?|minutes?|hrs?"
            r"|hours?|days?|wks?|weeks?|months?|yrs?|years?)\b|(?P<t2>[smhd])(?![A-Za-z0-9]))",
        ),
        ("data", r"\s?(?P<d>[KMGTP]i?B|bytes)\b"),
        ("rate", r"\s?(?P<r>rps|tps|qps|rpm|req/s|ops/s|requests/s(?:ec)?)\b"),
        ("per", r"\s(?P<noun>[A-Za-z][\w-]*(?:\s[A-Za-z][\w-]*)?)" + _PER + _PERIODS),
    )
)
_MONEY_PERIOD = re.compile(_PER + _PERIODS, re.IGNORECASE)
_CURRENCY = {
    "$": "USD",
    "us$": "USD",
    "usd": "USD",
    "dollars": "USD",
    "€": "EUR",
    "eur": "EUR",
    "euros": "EUR",
    "£": "GBP",
    "gbp": "GBP",
    "pounds": "GBP",
    "₹": "INR",
    "inr": "INR",
}
_TIME_SECONDS = {
    "ms": 0.001,
    "s": 1,
    "min": 60,
    "h": 3600,
    "d": 86400,
    "wk": 604800,
    "mo": 2629800,
    "yr": 31557600,
}
_TIME_UNIT = (
    ("ms", "ms"),
    ("msec", "ms"),
    ("milli", "ms"),
    ("mo", "mo"),
    ("m", "min"),
    ("s", "s"),
    ("h", "h"),
    ("d", "d"),
    ("w", "wk"),
    ("y", "yr"),
)
_PERIOD_UNIT = {
    "second": "s",
    "sec": "s",
    "s": "s",
    "minute": "min",
    "min": "min",
    "hour": "h",
    "hr": "h",
    "h": "h",
    "day": "day",
    "d": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "mo": "month",
    "quarter": "quarter",
    "year": "year",
    "yr": "year",
    "annum": "year",
}
_WORDS = re.compile(
    r"\b(?P<w>halved|cut in half|doubled|tripled|quadrupled|(?:zero|no|without any|without)\s+"
    r"(?:(?:major|critical|high|high-severity|security|audit|p1|sev-?1|unplanned|production|"
    r"customer-facing|data)\s+)*(?P<noun>downtime|findings?|incidents?|outages?|defects?|errors?|"
    r"data loss|vulnerabilities|breaches|escalations|regressions|rollbacks|non-conformities))\b",
    re.IGNORECASE,
)
_WORD_VALUES = {
    "halved": (0.5, "down"),
    "cut in half": (0.5, "down"),
    "doubled": (2.0, "up"),
    "tripled": (3.0, "up"),
    "quadrupled": (4.0, "up"),
}
_CONNECT = re.compile(r"\s*(?:→|->|-->|=>|⇒|➜|➔|(?:down |up )?to|into)\s*$", re.IGNORECASE)
_ARROW = re.compile(r"→|->|=>|⇒|➜|➔")
_FROM = re.compile(r"\bfrom\s+$", re.IGNORECASE)
_CAPITALISED_WORD = re.compile(r"(?P<w>[A-Z][\w+#.]*)\s$")
_PREV_WORD = re.compile(r"(?P<w>[\w+#.]+)\s$")
_NON_SPACE = re.compile(r"\S")
#: Characters before a number in which a version's name ("Python 3", "TLS 1.2") is looked for.
_VERSION_WINDOW = 100
_CLAUSE_BREAK = re.compile(r"[;,(]|\band\b|\bwhile\b|\bwhich\b")


def _time_unit(raw: str) -> str:
    low = raw.lower()
    if low in ("ms", "msec", "msecs"):
        return "ms"
    return next((unit for prefix, unit in _TIME_UNIT if low.startswith(prefix)), "s")


def _words_regex(words: set[str]) -> re.Pattern[str]:
    alternation = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"\b(?:{alternation})\b", re.IGNORECASE)


class QuantityFinder:
    """Finds quantities in text; build once (compiles the direction cues), call per sentence."""

    def __init__(self, cues: QuantityCues) -> None:
        down = {f for v in cues.down_verbs for f in inflections(v)} | set(cues.down_words)
        up = {f for v in cues.up_verbs for f in inflections(v)} | set(cues.up_words)
        self._down_before = _words_regex(down)
        self._up_before = _words_regex(up)
        self._down_after = re.compile(
            rf"^\s*(?:\w+\s+)?{_words_regex(set(cues.down_words)).pattern}", re.IGNORECASE
        )
        self._up_after = re.compile(
            rf"^\s*(?:\w+\s+)?{_words_regex(set(cues.up_words)).pattern}", re.IGNORECASE
        )
        self._version_words = frozenset(w.lower() for w in cues.version_words)

    def find(self, text: str) -> list[Found]:
        """All quantities of ``text`` as (start char, end char, Quantity), in text order."""
        atoms = self._atoms(text)
        merged = self._merge_ranges(text, atoms)
        result: list[Found] = []
        previous_end = 0
        for start, end, q in merged:
            if q.direction == "none":
                q = replace(q, direction=self._cue_direction(text, start, end, previous_end, q))
            result.append((start, end, q))
            previous_end = end
        return result

    # --- atoms ----------------------------------------------------------------------------

    def _atoms(self, text: str) -> list[Found]:
        found = [a for m in _NUMBER.finditer(text) if (a := self._atom(text, m)) is not None]
        for m in _WORDS.finditer(text):
            key = m.group("w").lower()
            if key in _WORD_VALUES:
                value, direction = _WORD_VALUES[key]
                q = Quantity(m.group(0), value, "x", direction)  # type: ignore[arg-type]
            else:
                q = Quantity(m.group(0), 0.0, m.group("noun").lower(), "none")
            found.append((m.start(), m.end(), q))
        return sorted(found, key=lambda f: f[0])

    def _atom(self, text: str, m: re.Match[str]) -> Found | None:
        raw = m.group("num")
        value = float(raw.replace(",", ""))
        pos = m.end()
        if re.match(r"\.\d|[/:]\d", text[pos : pos + 2]):
            return None  # 3.11.2, 24/7, 1:1
        mult = _MULT.match(text, pos)
        if mult:
            value *= _MULTIPLIERS[(mult.group("m") or mult.group("s")).lower()]
            pos = mult.end()
        currency = _CURRENCY.get((m.group("cur") or "").strip().lower())
        unit = f"{currency}" if currency else "count"
        for name, pattern in _UNITS:
            u = pattern.match(text, pos)
            if not u or (name == "currency" and currency):
                continue
            if name == "currency":
                currency = _CURRENCY[u.group("code").lower()]
                unit = currency
            elif name == "time":
                unit = _time_unit(u.group("t1") or u.group("t2"))
            elif name == "data":
                unit = u.group("d")
            elif name == "rate":
                unit = u.group("r").lower()
            elif name == "per":
                unit = f"{u.group('noun').lower()}/{_PERIOD_UNIT[u.group('period').lower()]}"
            else:
                unit = name
            pos = u.end()
            break
        if currency:
            per = _MONEY_PERIOD.match(text, pos)
            if per:
                unit = f"{currency}/{_PERIOD_UNIT[per.group('period').lower()]}"
                pos = per.end()
        if unit == "count" and not mult:
            if pos < len(text) and (text[pos].isalnum()):
                return None  # 3rd, 2FA, 4xx
            if "," not in raw and "." not in raw and 1900 <= value <= 2099:
                return None  # a year
            if self._is_version(text, m.start(), raw):
                return None
        sign = m.group("sign")
        direction: Direction = "down" if sign in ("-", "−") else "up" if sign == "+" else "none"
        return m.start(), pos, Quantity(text[m.start() : pos], value, unit, direction)

    def _is_version(self, text: str, start: int, raw: str) -> bool:
        # Only the _VERSION_WINDOW characters before the number are searched: the two
        # end-anchored patterns retry at every position of what they are given, so searching
        # all of text[:start] cost the square of a long run without spaces (issue 15: 16.7 s
        # for 40k characters). A "word" longer than the window is no version's name.
        offset = max(0, start - _VERSION_WINDOW)
        before = text[offset:start]
        prev = _PREV_WORD.search(before)
        if prev is None:
            return False
        word = prev.group("w")
        if word.lower().rstrip(".") in self._version_words:
            return True
        if _CAPITALISED_WORD.search(before) is None:
            return False
        first = _NON_SPACE.search(text)
        is_first_word = first is not None and first.start() >= offset + prev.start()
        return "." in raw or not is_first_word

    # --- ranges and direction ---------------------------------------------------------------

    def _merge_ranges(self, text: str, atoms: list[Found]) -> list[Found]:
        out: list[Found] = []
        i = 0
        while i < len(atoms):
            start, end, q = atoms[i]
            if i + 1 < len(atoms):
                s2, e2, q2 = atoms[i + 1]
                between = text[end:s2]
                from_m = _FROM.search(text[max(0, start - 12) : start])
                if _CONNECT.match(between) and (from_m or _ARROW.search(between)):
                    begin = start - (len(from_m.group(0)) if from_m else 0)
                    out.append((begin, e2, _compare(text[begin:e2], q, q2)))
                    i += 2
                    continue
            out.append((start, end, q))
            i += 1
        return out

    def _cue_direction(self, text: str, start: int, end: int, floor: int, q: Quantity) -> Direction:
        after = text[end : end + 30]
        if self._down_after.match(after):
            return "down"
        if self._up_after.match(after):
            return "up"
        window = text[max(floor, start - 80) : start]
        breaks = list(_CLAUSE_BREAK.finditer(window))
        if breaks:
            window = window[breaks[-1].end() :]
        down = [m.end() for m in self._down_before.finditer(window)]
        up = [m.end() for m in self._up_before.finditer(window)]
        if down or up:
            return "down" if max(down, default=-1) > max(up, default=-1) else "up"
        return "up" if q.unit == "x" else "none"


def _compare(text: str, a: Quantity, b: Quantity) -> Quantity:
    """Merge "from A to B": units are shared when one side has none, times compared in seconds."""
    unit_a = a.unit if a.unit != "count" else b.unit
    unit_b = b.unit if b.unit != "count" else a.unit
    if unit_a in _TIME_SECONDS and unit_b in _TIME_SECONDS:
        va, vb = a.value * _TIME_SECONDS[unit_a], b.value * _TIME_SECONDS[unit_b]
    elif unit_a == unit_b:
        va, vb = a.value, b.value
    else:
        va = vb = 0.0
    direction: Direction = "down" if vb < va else "up" if vb > va else "none"
    return Quantity(text, b.value, unit_b, direction, before=a.value, before_unit=unit_a)


@lru_cache(maxsize=1)
def default_finder() -> QuantityFinder:
    """The finder built from the shipped ``evidence_cues.yaml`` (built once per process)."""
    return QuantityFinder(load_evidence_cues().quantities)


def find_quantities(text: str) -> list[Found]:
    """Quantities of one sentence with the shipped cues; see :class:`QuantityFinder`."""
    return default_finder().find(text)
