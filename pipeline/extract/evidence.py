"""The extract stage: a parsed Resume → CandidateEvidence (per-sentence flags and pillars).

Units read: summary lines, each role bullet (split into sentences when it holds several),
project lines and skills lines. Skills lines are always a listing with every accomplishment
flag at 0 — a skills list never counts as an accomplishment. Certification lines become
:class:`~pipeline.records.Certification` records; education and other lines are not read.

All units of a batch go through one ``nlp.pipe`` call (one per chunk of resumes when
``extract_many`` runs on several processes), so a resume costs one batched pass.
"""

from __future__ import annotations

import multiprocessing as mp
import re
from collections.abc import Sequence
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.extract.build import build_nlp, extractor_version
from pipeline.extract.certifications import parse_certifications
from pipeline.extract.components import NO_PILLAR, QUANTITY_KEY, TECH_KEY
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
#: Resumes per task when extract_many runs on several processes (~0.25 s of work each).
_CHUNK = 64


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

    ``nlp`` defaults to the cached :func:`pipeline.extract.build.build_nlp` pipeline (rules and
    the learned classifier); pass ``new_nlp(classifier=False)`` for the rules alone.
    """
    return extract_many([(resume, content_hash)], nlp)[0]


def extract_many(
    batch: Sequence[tuple[Resume, str]], nlp: Language | None = None, n_process: int = 1
) -> list[CandidateEvidence]:
    """Many resumes → their evidence, in order; the same records whatever ``n_process`` is.

    The classifier predicts a whole batch of sentences at once, so a batch of resumes costs
    far less than one call per resume. With ``n_process`` > 1 the batch is cut into chunks of
    ``_CHUNK`` resumes that forked workers extract with the same ``nlp``, each sending back
    plain SentenceEvidence records. A batch of one chunk or less, or a platform without
    ``fork``, is extracted in this process.

    Not ``nlp.pipe(n_process=...)``: spaCy returns every Doc to the parent through
    ``Doc.to_bytes()``, six srsly msgpack calls per Doc with span groups and extensions, and
    each call re-reads the installed entry points (~0.17 ms here). That is ~1.3 ms to
    serialise and ~1.3 ms to deserialise a sentence that takes ~0.4 ms to extract, and the
    parent deserialises alone: 59 resumes/s on two processes against 254 on one.
    """
    if n_process < 1:
        raise ValueError(f"n_process={n_process}: expected 1 (this process) or more")
    nlp = nlp if nlp is not None else build_nlp()
    resumes = [resume for resume, _ in batch]
    chunks = [resumes[i:i + _CHUNK] for i in range(0, len(resumes), _CHUNK)]
    if n_process == 1 or len(chunks) < 2 or "fork" not in mp.get_all_start_methods():
        sentences = _sentences(resumes, nlp)
    else:
        # fork, not spawn: workers inherit the loaded pipeline instead of rebuilding it.
        context = mp.get_context("fork")
        with context.Pool(min(n_process, len(chunks)), _set_worker_nlp, (nlp,)) as pool:
            sentences = [s for part in pool.map(_worker_sentences, chunks, 1) for s in part]
    version = extractor_version(nlp)
    return [
        CandidateEvidence(
            resume=resume,
            content_hash=content_hash,
            sentences=found,
            certifications=parse_certifications(resume.certifications),
            extractor_version=version,
        )
        for (resume, content_hash), found in zip(batch, sentences, strict=True)
    ]


def _sentences(resumes: Sequence[Resume], nlp: Language) -> list[tuple[SentenceEvidence, ...]]:
    """Each resume's SentenceEvidence, all units through one ``nlp.pipe`` pass."""
    per_resume = [_units(resume, nlp) for resume in resumes]
    texts = (u.text for units in per_resume for u in units)
    docs = iter(nlp.pipe(texts, batch_size=_BATCH_SIZE))
    return [tuple(_evidence(next(docs), unit) for unit in units) for units in per_resume]


#: The pipeline a forked worker uses (set by the pool's initializer, inherited, not pickled).
_worker_nlp: Language | None = None


def _set_worker_nlp(nlp: Language) -> None:
    global _worker_nlp
    _worker_nlp = nlp


def _worker_sentences(resumes: list[Resume]) -> list[tuple[SentenceEvidence, ...]]:
    assert _worker_nlp is not None, "called outside an extract_many worker"
    return _sentences(resumes, _worker_nlp)
