"""Active learning: the real resume units the evidence model is least sure of, for labelling.

Input: a folder of resumes (any format ingest reads), the number of units wanted, and labelled
files whose sentences must not be suggested again. Every resume is parsed and extracted as in a
scoring run (the same units, the shipped model); skills lines are left out, since their flags
are fixed. A unit's uncertainty is ``1 - |2p - 1|`` for the evidence flag nearest 0.5, so 1.0 is
a coin toss and 0.0 a sure answer.

Output: JSON Lines in the labelling guide's format plus ``resume``, every label ``null`` for a
reviewer to fill in (``trajectory train --real FILE`` refuses a blank label). Units are picked
round-robin over resumes — each round takes the most uncertain remaining unit of every resume,
most uncertain first — so no single resume fills the batch. The same inputs give the same file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from spacy.language import Language

from pipeline.extract.evidence import extract_many
from pipeline.ingest.read import ingest_folder
from pipeline.model.evaluate import LABELS
from pipeline.parse.resume import parse_resume
from pipeline.records import EVIDENCE_FLAGS


@dataclass(frozen=True)
class Suggestion:
    """One unit to label: where it came from, its text and how unsure the model is."""

    resume: str
    text: str
    uncertainty: float

    @property
    def sid(self) -> str:
        """A stable id from the resume and the text, e.g. ``s-1f3a9c0d2b``."""
        digest = hashlib.sha256(f"{self.resume}\0{self.text}".encode()).hexdigest()
        return f"s-{digest[:10]}"

    def to_line(self) -> str:
        """The guide's JSON format with every label blank (``null``), plus ``resume``."""
        record: dict[str, object] = {"sid": self.sid, "resume": self.resume, "text": self.text}
        record.update({label: None for label in LABELS})
        return json.dumps(record, ensure_ascii=False)


def uncertainty(flags: dict[str, float]) -> float:
    """``1 - |2p - 1|`` for the evidence flag whose probability is nearest 0.5."""
    return max(1.0 - abs(2.0 * flags.get(f, 0.0) - 1.0) for f in EVIDENCE_FLAGS)


def _key(text: str) -> str:
    return " ".join(text.lower().split())


def candidates(folder: Path, nlp: Language | None = None,
               known: Iterable[str] = ()) -> dict[str, list[Suggestion]]:
    """Each resume's unlabelled units (not skills, not already ``known``), most uncertain
    first; resumes in id order."""
    documents = sorted(ingest_folder(folder).documents, key=lambda d: d.candidate_id)
    batch = [(parse_resume(d.candidate_id, d.text), d.content_hash) for d in documents]
    seen = {_key(t) for t in known}
    found: dict[str, list[Suggestion]] = {}
    for evidence in extract_many(batch, nlp):
        units = []
        for sentence in evidence.sentences:
            key = _key(sentence.text)
            if sentence.section == "skills" or key in seen:
                continue
            seen.add(key)
            units.append(Suggestion(evidence.resume.candidate_id, sentence.text,
                                    round(uncertainty(sentence.flags), 4)))
        units.sort(key=lambda s: (-s.uncertainty, s.text))
        if units:
            found[evidence.resume.candidate_id] = units
    return found


def pick(per_resume: dict[str, list[Suggestion]], n: int) -> list[Suggestion]:
    """Up to ``n`` units, round-robin over resumes (see the module docstring)."""
    if n < 1:
        raise ValueError(f"n={n}: expected at least 1 unit to suggest")
    chosen: list[Suggestion] = []
    depth = 0
    while len(chosen) < n:
        layer = [units[depth] for units in per_resume.values() if depth < len(units)]
        if not layer:
            break
        layer.sort(key=lambda s: (-s.uncertainty, s.resume, s.text))
        chosen.extend(layer[:n - len(chosen)])
        depth += 1
    return chosen


def write_suggestions(suggestions: list[Suggestion], out: Path) -> Path:
    """Write the batch as JSON Lines (never over an existing file: it may hold labels)."""
    if out.exists():
        raise FileExistsError(f"{out}: already exists; it may hold a reviewer's labels — "
                              "choose another --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("".join(s.to_line() + "\n" for s in suggestions), encoding="utf-8")
    return out
