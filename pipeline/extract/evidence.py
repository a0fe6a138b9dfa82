"""The extract stage: a parsed Resume → CandidateEvidence (per-sentence flags and pillars).

Units read: summary lines, each role bullet (split into sentences when it holds several),
project lines and skills lines. Skills lines are always a listing with every accomplishment
flag at 0 — a skills list never counts as an accomplishment. Certification lines become
:class:`~pipeline.records.Certification` records; education and other lines are not read.

All units of a batch go through one ``nlp.pipe`` call (one per chunk of resumes when
``extract_many`` runs on several processes), so a resume costs one batched pass.

Work per resume is bounded (``pipeline.limits``): each unit's text goes through
:func:`~pipeline.extract.bounds.bounded_spans` before spaCy sees it, a unit repeated in the same
section is read once, and more than ``max_units`` distinct units is ``too_long``.
:func:`extract_each` isolates resumes: one that raises is returned as its exception, and the
rest of the batch is extracted as usual.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
import re
from collections.abc import Sequence
from dataclasses import dataclass
from multiprocessing.pool import Pool

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import ResumeFormatError
from pipeline.extract.bounds import bounded_spans, dedupe_key
from pipeline.extract.build import build_nlp, extractor_version
from pipeline.extract.certifications import parse_certifications
from pipeline.extract.components import NO_PILLAR, QUANTITY_KEY, TECH_KEY
from pipeline.limits import DEFAULT_RESUME_LIMITS, ResumeLimits
from pipeline.neardup import distinct_indices
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
_BOUNDARY = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\"“])")
_BATCH_SIZE = 1024
#: Resumes per task when extract_many runs on several processes (~0.25 s of work each).
_CHUNK = 64


@dataclass(frozen=True)
class _Unit:
    text: str
    section: Section
    role_index: int | None


def _units(resume: Resume, nlp: Language, limits: ResumeLimits = DEFAULT_RESUME_LIMITS
           ) -> list[_Unit]:
    """The units extraction reads, bounded and without repeats (first one kept per section);
    ``too_long`` past ``limits.max_units``."""
    raw: list[_Unit] = [_Unit(t, "summary", None) for t in resume.summary]
    for index, role in enumerate(resume.roles):
        raw.extend(_Unit(b, "experience", index) for b in role.bullets)
    raw.extend(_Unit(t, "projects", None) for t in resume.projects)
    raw.extend(_Unit(t, "skills", None) for t in resume.skills)
    sentencizer = nlp.get_pipe("sentencizer") if "sentencizer" in nlp.pipe_names else None
    units: list[_Unit] = []
    seen: set[tuple[str, str]] = set()
    for unit in raw:
        spans = bounded_spans(unit.text, limits)
        if len(spans) > 1:  # longer than any real unit: drop repeats before spaCy sees them
            spans = _distinct_pieces(spans)
        for span in spans:
            if sentencizer is None or unit.section == "skills" or not _MAYBE_SEVERAL.search(span):
                texts = [span]
            else:
                texts = [s.text.strip() for s in sentencizer(nlp.make_doc(span)).sents]
            for text in texts:
                key = (unit.section, dedupe_key(text) or text)
                if not text or key in seen:
                    continue
                seen.add(key)
                units.append(_Unit(text, unit.section, unit.role_index))
                if len(units) > limits.max_units:
                    raise ResumeFormatError(
                        resume.candidate_id,
                        f"more than {limits.max_units:,} distinct units to read; the limit is "
                        f"{limits.max_units:,}", code="too_long")
    return units


def _distinct_pieces(spans: list[str]) -> list[str]:
    """The sentences of ``spans`` split where a sentence plainly ends (``. X``), each kept
    once (:func:`dedupe_key`): cheap, so that a line of one sentence repeated is tokenized
    once, not once per repeat."""
    seen: set[str] = set()
    pieces: list[str] = []
    for span in spans:
        for piece in _BOUNDARY.split(span):
            key = dedupe_key(piece) or piece
            if piece and key not in seen:
                seen.add(key)
                pieces.append(piece)
    return pieces


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
    batch: Sequence[tuple[Resume, str]], nlp: Language | None = None, n_process: int = 1,
    limits: ResumeLimits = DEFAULT_RESUME_LIMITS,
) -> list[CandidateEvidence]:
    """Many resumes → their evidence, in order (:func:`extract_each`, raising the first
    resume's exception, if any)."""
    found = extract_each(batch, nlp, n_process, limits)
    for item in found:
        if isinstance(item, Exception):
            raise item
    return found  # type: ignore[return-value]  # no exception left in it


def extract_each(
    batch: Sequence[tuple[Resume, str]], nlp: Language | None = None, n_process: int = 1,
    limits: ResumeLimits = DEFAULT_RESUME_LIMITS, pool: Pool | None = None,
) -> list[CandidateEvidence | Exception]:
    """Many resumes → their evidence, in order; the same records whatever ``n_process`` is.
    A resume whose extraction raises is, in its place, the exception it raised (a
    :class:`ResumeFormatError` ``too_long`` past ``limits.max_units``); the others are not
    affected.

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

    ``pool`` (from :func:`pipeline.extract.workers.worker_pool`, safe in a threaded process
    such as a Prefect flow, where forking is not) extracts the chunks in its workers instead;
    its workers run the cached ``build_nlp()`` pipeline, so ``nlp`` must be that one.
    """
    if pool is not None:
        nlp = nlp if nlp is not None else build_nlp()
        if nlp is not build_nlp():
            raise ValueError("a worker pool runs build_nlp(); extract with it or without a pool")
        resumes = [resume for resume, _ in batch]
        chunks = [resumes[i:i + _CHUNK] for i in range(0, len(resumes), _CHUNK)]
        sentences = [s for part in pool.map(_worker_sentences, chunks, 1) for s in part]
        return _assemble(batch, sentences, nlp)
    if n_process < 1:
        raise ValueError(f"n_process={n_process}: expected 1 (this process) or more")
    nlp = nlp if nlp is not None else build_nlp()
    resumes = [resume for resume, _ in batch]
    chunks = [resumes[i:i + _CHUNK] for i in range(0, len(resumes), _CHUNK)]
    if n_process == 1 or len(chunks) < 2 or "fork" not in mp.get_all_start_methods():
        sentences = _sentences(resumes, nlp, limits)
    else:
        # fork, not spawn: workers inherit the loaded pipeline instead of rebuilding it.
        context = mp.get_context("fork")
        with context.Pool(min(n_process, len(chunks)), _set_worker_nlp, (nlp, limits)) as pool:
            sentences = [s for part in pool.map(_worker_sentences, chunks, 1) for s in part]
    return _assemble(batch, sentences, nlp)


def _assemble(batch: Sequence[tuple[Resume, str]], sentences: Sequence[_Found], nlp: Language
              ) -> list[CandidateEvidence | Exception]:
    version = extractor_version(nlp)
    out: list[CandidateEvidence | Exception] = []
    for (resume, content_hash), found in zip(batch, sentences, strict=True):
        if isinstance(found, Exception):
            out.append(found)
            continue
        try:
            lines = resume.certifications  # a certification listed twice counts once
            certifications = parse_certifications(lines[i] for i in distinct_indices(lines))
        except Exception as err:  # noqa: BLE001  (per-resume isolation)
            out.append(err)
            continue
        out.append(CandidateEvidence(resume=resume, content_hash=content_hash, sentences=found,
                                     certifications=certifications, extractor_version=version))
    return out


_Found = tuple[SentenceEvidence, ...] | Exception


def _sentences(resumes: Sequence[Resume], nlp: Language, limits: ResumeLimits) -> list[_Found]:
    """Each resume's SentenceEvidence (or the exception it raised), all units through one
    ``nlp.pipe`` pass; if that pass raises, resume by resume to find the one that did."""
    per_resume: list[list[_Unit] | Exception] = []
    for resume in resumes:
        try:
            per_resume.append(_units(resume, nlp, limits))
        except Exception as err:  # noqa: BLE001  (per-resume isolation)
            per_resume.append(err)
    try:
        return _batched(per_resume, nlp)
    except Exception:  # noqa: BLE001  (one resume broke the batch: isolate it)
        return [u if isinstance(u, Exception) else _one(u, nlp) for u in per_resume]


def _batched(per_resume: Sequence[list[_Unit] | Exception], nlp: Language) -> list[_Found]:
    texts = (u.text for units in per_resume if not isinstance(units, Exception) for u in units)
    docs = iter(nlp.pipe(texts, batch_size=_BATCH_SIZE))
    return [units if isinstance(units, Exception)
            else tuple(_evidence(next(docs), unit) for unit in units) for units in per_resume]


def _one(units: list[_Unit], nlp: Language) -> _Found:
    try:
        docs = nlp.pipe(u.text for u in units)
        return tuple(_evidence(doc, unit) for doc, unit in zip(docs, units, strict=True))
    except Exception as err:  # noqa: BLE001  (per-resume isolation)
        return err


#: The pipeline a forked worker uses (set by the pool's initializer, inherited, not pickled).
_worker_nlp: Language | None = None
_worker_limits: ResumeLimits = DEFAULT_RESUME_LIMITS


def _set_worker_nlp(nlp: Language, limits: ResumeLimits = DEFAULT_RESUME_LIMITS) -> None:
    global _worker_nlp, _worker_limits
    _worker_nlp, _worker_limits = nlp, limits


def _worker_sentences(resumes: list[Resume]) -> list[_Found]:
    assert _worker_nlp is not None, "called outside an extract_many worker"
    return [_picklable(found) for found in _sentences(resumes, _worker_nlp, _worker_limits)]


def _picklable(found: _Found) -> _Found:
    """An exception that cannot travel back to the parent becomes a RuntimeError naming it."""
    if not isinstance(found, Exception):
        return found
    try:
        pickle.loads(pickle.dumps(found))
    except Exception:  # noqa: BLE001  (any pickling failure)
        return RuntimeError(f"{type(found).__name__}: {found}")
    return found
