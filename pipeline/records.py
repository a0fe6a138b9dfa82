"""The typed records that cross stage boundaries.

source → ingest → parse → extract → trajectory → score → store → export: every stage takes and
returns these records, never another stage's internals. All records are frozen so a stage cannot
mutate what an earlier stage produced.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

#: The AWS competency pillars evidence is mapped to (see docs/evidence-labelling-guide.md).
PILLARS: tuple[str, ...] = (
    "compute_network_iac",
    "data",
    "event_driven",
    "security_compliance",
    "operations",
)

#: Per-sentence evidence flags (see docs/evidence-labelling-guide.md).
EVIDENCE_FLAGS: tuple[str, ...] = ("velocity", "proactive", "outcome", "listing")

#: The three flags that count as accomplishments; "listing" never does.
ACCOMPLISHMENT_FLAGS: tuple[str, ...] = ("velocity", "proactive", "outcome")

Section = Literal[
    "summary", "experience", "skills", "certifications", "education", "projects", "other"
]


def evidence_tags(flags: Mapping[str, float], pillars: Mapping[str, float]) -> str:
    """A sentence's accomplishment flags and pillars of probability 0.5 or more, as readers see
    them (the shortlist's ``top_evidence``, ``trajectory explain``); "" when there are none.

    >>> evidence_tags({"velocity": 0.91, "outcome": 0.3, "listing": 0.9}, {"event_driven": 0.8})
    'velocity 0.91; event_driven'
    """
    flag_text = ", ".join(f"{f} {flags[f]:.2f}" for f in ACCOMPLISHMENT_FLAGS
                          if flags.get(f, 0.0) >= 0.5)
    pillar_text = ", ".join(p for p in PILLARS if pillars.get(p, 0.0) >= 0.5)
    return "; ".join(part for part in (flag_text, pillar_text) if part)


# --- ingest -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceDocument:
    """One resume read from a source and decoded to text.

    ``candidate_id`` is the file name without its extension; ``content_hash`` is the SHA-256
    of the normalised text, so the same resume re-saved in another encoding hashes the same.
    """

    candidate_id: str
    source: str
    text: str
    content_hash: str
    encoding: str


@dataclass(frozen=True)
class Quarantined:
    """An input that could not be scored, kept with the reason a reviewer can act on.

    ``code`` is the stable machine code of the reason (see ``pipeline.errors.REASON_CODES``);
    None where the stage that quarantined the input gave none.
    """

    candidate_id: str
    source: str
    reason: str
    code: str | None = None


@dataclass(frozen=True)
class IngestResult:
    """What ingest made of a source: the documents to score and the inputs set aside."""

    documents: tuple[SourceDocument, ...]
    quarantined: tuple[Quarantined, ...]

    @property
    def inputs(self) -> int:
        return len(self.documents) + len(self.quarantined)


# --- parse --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    """One position in the work history.

    ``start``/``end`` are the first day of the month given (a year alone gives January for a
    start and December for an end); ``end`` is None and ``current`` True for "present".
    """

    title: str
    employer: str | None
    start: date | None
    end: date | None
    current: bool
    bullets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Resume:
    """A resume split into its sections. Each tuple holds the section's lines, bullets removed."""

    candidate_id: str
    summary: tuple[str, ...] = ()
    roles: tuple[Role, ...] = ()
    skills: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    education: tuple[str, ...] = ()
    projects: tuple[str, ...] = ()
    other: tuple[str, ...] = ()


# --- extract ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TechMention:
    """A technology named in a sentence, with the pillar it belongs to (None: no pillar)."""

    text: str
    canonical: str
    pillar: str | None


@dataclass(frozen=True)
class Quantity:
    """A quantified result such as ``30%``, ``$4,000 a month`` or ``from 3 days to 40 minutes``.

    ``value``/``unit`` are the figure reached (40 minutes); ``before``/``before_unit`` the
    figure it started from when the sentence gives one (3 days). ``direction`` says whether the
    sentence reports a decrease, an increase, or neither.
    """

    text: str
    value: float
    unit: str
    direction: Literal["down", "up", "none"]
    before: float | None = None
    before_unit: str | None = None


@dataclass(frozen=True)
class SentenceEvidence:
    """One sentence or bullet with what the extractor found in it.

    ``flags`` maps each of EVIDENCE_FLAGS to a probability in [0, 1]; ``pillars`` maps each
    pillar the sentence works in to a probability in [0, 1].
    """

    text: str
    section: Section
    role_index: int | None
    flags: dict[str, float]
    pillars: dict[str, float]
    mentions: tuple[TechMention, ...] = ()
    quantities: tuple[Quantity, ...] = ()

    def flag(self, name: str) -> float:
        """The probability of one evidence flag (0.0 when absent)."""
        return self.flags.get(name, 0.0)


@dataclass(frozen=True)
class Certification:
    """A certification line matched to the AWS ladder (level 0 when it is not on it)."""

    name: str
    level: Literal["foundational", "associate", "professional", "specialty", "other"]
    year: int | None = None


@dataclass(frozen=True)
class CandidateEvidence:
    """Everything extract knows about one candidate."""

    resume: Resume
    content_hash: str
    sentences: tuple[SentenceEvidence, ...]
    certifications: tuple[Certification, ...] = ()
    extractor_version: str = ""


# --- trajectory ---------------------------------------------------------------------------

#: Ownership levels a role's evidence shows, lowest first (see pipeline/score/timeline.py).
OWNERSHIP_LEVELS: tuple[str, ...] = ("only listed", "contributed", "delivered", "led/initiated")


@dataclass(frozen=True)
class TimelineRole:
    """One role on the career timeline, with its seniority and the ownership its evidence shows.

    ``index`` is the role's position in ``Resume.roles``; ``start``/``end`` are ``YYYY-MM``
    (None when the resume gives no date). Positions are in *career-years*: years worked, gaps
    excluded and overlaps counted once. ``career_years_at_start`` is how much the candidate
    had worked when the role began; ``age_years`` how much they have worked since it ended
    (0 for a current or undated role).
    """

    index: int
    title: str
    employer: str | None
    start: str | None
    end: str | None
    present: bool
    months: int
    seniority: int
    seniority_label: str
    ownership: int
    ownership_label: str
    career_years_at_start: float | None
    age_years: float


@dataclass(frozen=True)
class Gap:
    """Months between two dated roles in which no role ran (``YYYY-MM``, inclusive)."""

    start: str
    end: str
    months: int


@dataclass(frozen=True)
class Overlap:
    """Two roles that ran at the same time, by their indexes in ``Resume.roles``."""

    first: int
    second: int
    months: int


@dataclass(frozen=True)
class Timeline:
    """A candidate's roles in date order (undated last), with gaps and overlaps."""

    roles: tuple[TimelineRole, ...]
    gaps: tuple[Gap, ...]
    overlaps: tuple[Overlap, ...]
    tenure_years: float


@dataclass(frozen=True)
class Feature:
    """One trajectory feature: its value in [0, 1], the points it adds, and how it was made."""

    name: str
    value: float
    points: float
    formula: str
    detail: str = ""


# --- score --------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceContribution:
    """One quoted sentence and the points it earned (its share of the evidence and pillar
    points), with the extractor's probabilities and the recency weight applied to it."""

    text: str
    section: Section
    role: str | None
    points: float
    flags: dict[str, float]
    pillars: dict[str, float]
    recency: float


@dataclass(frozen=True)
class Explanation:
    """Everything needed to show, months later, why a score was given.

    Stored with the score (``ScoreRow.explanation``); ``components`` sum to the score before
    clipping to [0, 100].
    """

    rubric: str
    rubric_version: str
    scorer_version: str
    extractor_version: str
    as_of: date
    timeline: Timeline
    features: tuple[Feature, ...]
    components: dict[str, float]
    evidence: tuple[EvidenceContribution, ...]
    must_haves_missing: tuple[str, ...]
    confidence_reason: str = ""



@dataclass(frozen=True)
class ScoredCandidate:
    """One candidate's score against one rubric, with what explains it.

    ``score`` and every sub-score (``trajectory`` included) are in [0, 100]; ``confidence`` in
    [0, 1] says how much evidence the score rests on. ``top_evidence`` holds the sentences that
    contributed most, best first; ``explanation`` the full account stored with the score.
    """

    candidate_id: str
    content_hash: str
    score: float
    velocity: float
    proactive: float
    outcome: float
    pillars: dict[str, float]
    tenure_years: float
    certifications: tuple[str, ...]
    must_haves_missing: tuple[str, ...]
    top_evidence: tuple[SentenceEvidence, ...]
    components: dict[str, float] = field(default_factory=dict)
    rubric: str = ""
    rubric_version: str = ""
    trajectory: float = 0.0
    confidence: float = 0.0
    explanation: Explanation | None = None
