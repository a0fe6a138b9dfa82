"""Bounded text for the extractor: one unit's text → spans whose cost is linear in length.

spaCy's tokenizer searches prefixes and suffixes once per character of a token it splits, so
a 16,000-character run of ``)`` costs 16 s, and ``nlp.max_length`` makes a text over a
million characters an error. :func:`bounded_spans` cuts a character repeated more than
``max_repeat`` times to ``max_repeat``, splits a run without spaces longer than
``max_token_chars`` into pieces of that size (with a space between), and cuts the result at
spaces into spans of at most ``max_unit_chars`` characters. Ordinary text passes unchanged.

>>> from pipeline.limits import ResumeLimits
>>> bounded_spans("Led it" + ")" * 50, ResumeLimits(max_repeat=3))
['Led it)))']
>>> bounded_spans("a" * 5 + " b", ResumeLimits(max_token_chars=2, max_unit_chars=4))
['aa', 'aa', 'a b']
"""

from __future__ import annotations

import re
from functools import lru_cache

from pipeline.limits import ResumeLimits

__all__ = ["bounded_spans", "dedupe_key"]

_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=8)
def _patterns(max_repeat: int, max_token_chars: int) -> tuple[re.Pattern[str], re.Pattern[str]]:
    return (re.compile(rf"(\S)\1{{{max_repeat},}}"),
            re.compile(rf"\S{{{max_token_chars + 1},}}"))


def bounded_spans(text: str, limits: ResumeLimits) -> list[str]:
    """``text`` with pathological runs cut (see the module docstring), as spans of at most
    ``limits.max_unit_chars`` characters, empty ones left out."""
    repeat, long_token = _patterns(limits.max_repeat, limits.max_token_chars)
    size = limits.max_token_chars
    text = repeat.sub(lambda m: m.group(1) * limits.max_repeat, text)
    text = long_token.sub(
        lambda m: " ".join(m.group(0)[i:i + size] for i in range(0, len(m.group(0)), size)),
        text)
    spans: list[str] = []
    while len(text) > limits.max_unit_chars:
        cut = text.rfind(" ", 0, limits.max_unit_chars + 1)
        cut = cut if cut > 0 else limits.max_unit_chars
        spans.append(text[:cut].strip())
        text = text[cut:]
    spans.append(text.strip())
    return [s for s in spans if s]


def dedupe_key(text: str) -> str:
    """What makes two units the same unit: case, punctuation and spacing aside.

    >>> dedupe_key("• Led the migration!") == dedupe_key("led the  migration")
    True
    """
    return _NON_WORD.sub(" ", text.lower()).strip()
