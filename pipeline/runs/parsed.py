"""Resumes parsed at ingestion, handed to extraction in the same process: one parse per text.

``stage_inputs`` parses every new or changed resume to quarantine what cannot be parsed, and
``extract_pending`` parses the stored text again: on real resumes the two parses were ~35% of
a score run's CPU. :class:`ParsedOnce` keeps what ingestion parsed, keyed by candidate id and
the SHA-256 of the exact text, so extraction reuses it; a text it does not hold (another
process, a later run, a resume stored by a killed run, past ``capacity``) is parsed as before.
``parse_resume`` is a pure function of (candidate id, text), so the result is the same object
either way.
"""

from __future__ import annotations

import hashlib

from pipeline.parse.resume import parse_resume
from pipeline.records import Resume

#: Resumes kept between ingestion and extraction (about 20 KB each on real resumes).
CAPACITY = 20_000


class ParsedOnce:
    """A bounded hand-over of parsed resumes; each kept resume is taken at most once."""

    def __init__(self, capacity: int = CAPACITY) -> None:
        self.capacity = capacity
        self._kept: dict[tuple[str, bytes], Resume] = {}

    @staticmethod
    def _key(candidate_id: str, text: str) -> tuple[str, bytes]:
        return candidate_id, hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()

    def keep(self, candidate_id: str, text: str, resume: Resume) -> None:
        """Hold ``resume`` (parsed from ``text``) for :meth:`parse`, unless full."""
        if len(self._kept) < self.capacity:
            self._kept[self._key(candidate_id, text)] = resume

    def parse(self, candidate_id: str, text: str) -> Resume:
        """The kept resume for exactly this text (and forget it), else ``parse_resume``."""
        kept = self._kept.pop(self._key(candidate_id, text), None)
        return kept if kept is not None else parse_resume(candidate_id, text)

    def clear(self) -> None:
        """Forget everything kept (a run that ends without extracting)."""
        self._kept.clear()


#: The process's hand-over, used by ``pipeline.runs.nightly``.
PARSED = ParsedOnce()
