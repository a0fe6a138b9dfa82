"""Control characters in untrusted text (candidate ids, file names, resume phrases) made
visible, so that text is data and never markup for a terminal or a CSV reader.

A candidate id comes from a file name, an S3 key or an export someone else wrote; a carriage
return in it splits a CSV row, an ESC sequence in it rewrites the terminal. The rule, used by
ingest (which quarantines such ids as ``bad_id``) and by every command that prints stored text:
each C0/C1 control character (except, in :func:`printable`, newline and tab), DEL, the Unicode
line and paragraph separators and the bidirectional overrides is written as ``\\xNN`` (below
U+0100) or ``\\uNNNN``; everything else is kept as it is.

>>> escape_controls("a\\r=1+1"), escape_controls("\\x1b[31mred"), escape_controls("Zoë")
('a\\\\x0d=1+1', '\\\\x1b[31mred', 'Zoë')
>>> has_controls("c-17"), has_controls("c\\u202e17")
(False, True)
"""

from __future__ import annotations

import re

__all__ = ["escape_controls", "has_controls", "printable"]

_BEYOND_C0 = "\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[\x00-\x1f{_BEYOND_C0}]")
_CONTROL_BUT_LAYOUT = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}]")  # keeps \t and \n


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def has_controls(text: str) -> bool:
    """Whether ``text`` holds any character :func:`escape_controls` would escape."""
    return _CONTROL.search(text) is not None


def escape_controls(text: str) -> str:
    """Every control character of ``text`` (newline and tab included) → ``\\xNN``/``\\uNNNN``."""
    return _CONTROL.sub(_escape, text)


def printable(text: str) -> str:
    """Like :func:`escape_controls` but keeps newlines and tabs: for multi-line output."""
    return _CONTROL_BUT_LAYOUT.sub(_escape, text)
