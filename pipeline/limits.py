"""Limits on the work one resume may cost, so one hostile file cannot stall or stop a batch.

One frozen record, :class:`ResumeLimits`, read from the ``limits:`` section of the
configuration file (``pipeline.config.LimitSettings``) and handed to ingest and extract:

- ``max_chars``: characters of decoded text; over it the resume is quarantined ``too_long``
  before it is parsed.
- ``max_units``: distinct units (summary lines, bullets, sentences, project and skills lines,
  repeats counted once) extraction may read; over it the resume is ``too_long``.
- ``max_unit_chars``: a longer unit is cut, at spaces, into spans of at most this many
  characters, each read as a unit (nothing is dropped).
- ``max_token_chars``: a run without spaces longer than this is split into pieces of this
  size before spaCy's tokenizer sees it (its prefix/suffix search is quadratic in a token).
- ``max_repeat``: a character repeated more than this many times in a row (``)))))``,
  ``______``) is cut to this many.

The defaults are far above what real resumes need. Measured over the 839 readable files of
``../shared/corpus/real-resumes`` (2026-12): at most 23,723 characters, 248 units, 2,488
characters in one unit, 109 in one token and 71 in one repeated run (an underscore rule).

>>> ResumeLimits().max_chars
200000
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_RESUME_LIMITS", "ResumeLimits"]


@dataclass(frozen=True)
class ResumeLimits:
    """Per-resume limits on text and extraction work (see the module docstring)."""

    max_chars: int = 200_000
    max_units: int = 2_000
    max_unit_chars: int = 10_000
    max_token_chars: int = 200
    max_repeat: int = 32

    def __post_init__(self) -> None:
        for name in ("max_chars", "max_units", "max_unit_chars", "max_token_chars",
                     "max_repeat"):
            if getattr(self, name) < 1:
                raise ValueError(f"ResumeLimits.{name}={getattr(self, name)}: expected >= 1")
        if self.max_token_chars >= self.max_unit_chars:
            raise ValueError(f"ResumeLimits.max_token_chars={self.max_token_chars} must be "
                             f"below max_unit_chars={self.max_unit_chars}")


DEFAULT_RESUME_LIMITS = ResumeLimits()
