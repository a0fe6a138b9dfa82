"""The extract stage: a parsed Resume → CandidateEvidence (per-sentence flags and pillars).

Units read: summary lines, each role bullet (split into sentences when it holds several),
project lines and skills lines. Skills lines are always a listing with every accomplishment
flag at 0 — a skills list never counts as an accomplishment. Certification lines become
:class:`~pipeline.records.Certification` records; education and other lines are not read.

All units go through one ``nlp.pipe`` call, so a resume costs one batched pass.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.certifications import parse_certifications
from pipeline.nlp.build import build_nlp, extractor_version
from pipeline.nlp.components import NO_PILLAR, QUANTITY_KEY, TECH_KEY
from pipeline.records import (
    ACCOMPLISHMENT_FLAGS,
    EVIDENCE_FLAGS,
    CandidateEvidence,
    Resume,
    Section,
    SentenceEvidence,
    TechMention,
)

#: A unit may hold more than one sentence only if it has ". X"-like boundaries.
_MAYBE_SEVERAL = re.compile(r"[.!?]\s+[A-Z(\"“]")
_BATCH_SIZE = 1024


@dataclass(frozen=True)
class _Unit:
    text: str
    section: Section
    role_index: int | None


def _units(resume: Resume, nlp: Language) -> list[_Unit]:
    raw: list[_Unit] = [_Unit(t, "summary", None) for t in resume.summary]
    for index, role in enumerate(resume.roles):
        raw.extend(_Unit(b, "experience", index) for b in role.bullets)
    raw.extend(_Unit(t, "projects", None) for t in resume.projects)
    raw.extend(_Unit(t, "skills", None) for t in resume.skills)
    sentencizer = nlp.get_pipe("sentencizer") if "sentencizer" in nlp.pipe_names else None
    units: list[_Unit] = []
    for unit in raw:
        text = unit.text.strip()
        if not text:
            continue
        if sentencizer is None or unit.section == "skills" or not _MAYBE_SEVERAL.search(text):
            units.append(_Unit(text, unit.section, unit.role_index))
            continue
        doc = sentencizer(nlp.make_doc(text))
        units.extend(
            _Unit(s.text.strip(), unit.section, unit.role_index)
            for s in doc.sents
            if s.text.strip()
        )
    return units


def _evidence(doc: Doc, unit: _Unit) -> SentenceEvidence:
    flags = {f: float(doc._.evidence.get(f, 0.0)) for f in EVIDENCE_FLAGS}
    if unit.section == "skills":
        flags.update({f: 0.0 for f in ACCOMPLISHMENT_FLAGS}, listing=1.0)
    mentions = tuple(
        TechMention(s.text, s._.canonical or s.text, None if s.label_ == NO_PILLAR else s.label_)
        for s in doc.spans.get(TECH_KEY, ())
    )
    quantities = tuple(
        s._.quantity for s in doc.spans.get(QUANTITY_KEY, ()) if s._.quantity is not None
    )
    return SentenceEvidence(
        text=unit.text,
        section=unit.section,
        role_index=unit.role_index,
        flags=flags,
        pillars={p: float(v) for p, v in doc._.pillars.items()},
        mentions=mentions,
        quantities=quantities,
    )


def extract(resume: Resume, content_hash: str, nlp: Language | None = None) -> CandidateEvidence:
    """A parsed resume → its evidence, one SentenceEvidence per sentence in reading order.

    ``nlp`` defaults to the cached :func:`pipeline.nlp.build.build_nlp` pipeline (rules and
    the learned classifier); pass ``new_nlp(classifier=False)`` for the rules alone.
    """
    return extract_many([(resume, content_hash)], nlp)[0]


def extract_many(
    batch: Sequence[tuple[Resume, str]], nlp: Language | None = None, n_process: int = 1
) -> list[CandidateEvidence]:
    """Many resumes → their evidence, in order, through one ``nlp.pipe`` pass.

    The classifier predicts a whole batch of sentences at once, so a batch of resumes costs
    far less than one call per resume. ``n_process`` > 1 spreads the pass over processes
    (measured slower here: see scripts/bench_extract.py).
    """
    nlp = nlp if nlp is not None else build_nlp()
    version = extractor_version(nlp)
    per_resume = [_units(resume, nlp) for resume, _ in batch]
    texts = (u.text for units in per_resume for u in units)
    docs = iter(nlp.pipe(texts, batch_size=_BATCH_SIZE, n_process=n_process))
    results = []
    for (resume, content_hash), units in zip(batch, per_resume, strict=True):
        sentences = tuple(_evidence(next(docs), unit) for unit in units)
        results.append(CandidateEvidence(
            resume=resume,
            content_hash=content_hash,
            sentences=sentences,
            certifications=parse_certifications(resume.certifications),
            extractor_version=version,
        ))
    return results
