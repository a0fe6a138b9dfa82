"""Role rubrics: YAML files validated on load, before any resume is read.

A rubric says what a role values: the weight of each AWS pillar and of each kind of evidence,
the must-have competencies, how much certifications and tenure may add, and how the 100 points
of a score are split. See ``rubrics/*.yaml`` and the README's "Rubric format" section.

A rubric file is someone else's input: it must be UTF-8 and at most 1 MB, and every number in
it a finite number. :attr:`Rubric.content_hash` identifies what it says (not its comments or
layout); it is stored with each score, so a rubric that changed under the same name and version
is refused instead of overwriting the scores of the one before (``pipeline.runs.nightly``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.datafiles import describe_validation_error, read_yaml_mapping, shipped_rubrics_dir
from pipeline.errors import RubricError
from pipeline.records import ACCOMPLISHMENT_FLAGS, PILLARS

#: A rubric's numbers: finite, and numbers in the YAML (strict: not "0.20", not true, not
#: .inf or .nan). An infinite weight would zero every score and rank candidates by name.
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Count = Annotated[int, Field(strict=True)]
#: Rubric files larger than this are refused before they are parsed.
MAX_RUBRIC_BYTES = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PillarWeights(_Strict):
    """Relative weight of each pillar (non-negative; normalised to sum to 1 when scoring)."""

    compute_network_iac: Number = Field(ge=0)
    data: Number = Field(ge=0)
    event_driven: Number = Field(ge=0)
    security_compliance: Number = Field(ge=0)
    operations: Number = Field(ge=0)

    def normalised(self) -> dict[str, float]:
        total = sum(getattr(self, p) for p in PILLARS)
        return {p: getattr(self, p) / total for p in PILLARS}

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if sum(getattr(self, p) for p in PILLARS) <= 0:
            raise ValueError("at least one pillar weight must be positive")
        return self


class EvidenceWeights(_Strict):
    """Relative weight of velocity, proactive and outcome evidence (normalised when scoring)."""

    velocity: Number = Field(ge=0)
    proactive: Number = Field(ge=0)
    outcome: Number = Field(ge=0)

    def normalised(self) -> dict[str, float]:
        total = sum(getattr(self, f) for f in ACCOMPLISHMENT_FLAGS)
        return {f: getattr(self, f) / total for f in ACCOMPLISHMENT_FLAGS}

    @model_validator(mode="after")
    def _some_weight(self) -> Self:
        if sum(getattr(self, f) for f in ACCOMPLISHMENT_FLAGS) <= 0:
            raise ValueError("at least one evidence weight must be positive")
        return self


class MustHave(_Strict):
    """A competency the role needs, met by one accomplishment sentence that shows it.

    A sentence shows it when it names one of ``terms`` (case-insensitive) or, when ``pillar``
    is set, when it is evidence in that pillar. A skills list never meets a must-have.
    """

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    description: str = Field(min_length=1)
    terms: tuple[str, ...] = ()
    pillar: str | None = None

    @model_validator(mode="after")
    def _check(self) -> Self:
        if not self.terms and self.pillar is None:
            raise ValueError("a must-have needs 'terms', 'pillar' or both")
        if self.pillar is not None and self.pillar not in PILLARS:
            raise ValueError(f"unknown pillar {self.pillar!r}; expected one of {list(PILLARS)}")
        return self


class CertificationCredit(_Strict):
    """Points per certification by its level on the AWS ladder, capped in total."""

    foundational: Number = Field(ge=0)
    associate: Number = Field(ge=0)
    professional: Number = Field(ge=0)
    specialty: Number = Field(ge=0)
    other: Number = Field(ge=0)
    cap: Number = Field(ge=0)


class TenurePolicy(_Strict):
    """Potential over tenure: years of experience add at most ``max_points``.

    points = max_points × min(years, saturation_years) / saturation_years, so tenure beyond
    ``saturation_years`` buys nothing.
    """

    max_points: Number = Field(ge=0, le=10)
    saturation_years: Number = Field(gt=0)


#: The trajectory features a rubric weighs (pipeline/score/features.py documents each formula).
TRAJECTORY_FEATURES: tuple[str, ...] = (
    "growth", "promotion_pace", "certification_pace", "breadth", "depth", "consistency",
)


class FeatureWeights(_Strict):
    """Relative weight of each trajectory feature (non-negative; normalised when scoring)."""

    growth: Number = Field(default=0.25, ge=0)
    promotion_pace: Number = Field(default=0.10, ge=0)
    certification_pace: Number = Field(default=0.15, ge=0)
    breadth: Number = Field(default=0.15, ge=0)
    depth: Number = Field(default=0.20, ge=0)
    consistency: Number = Field(default=0.15, ge=0)

    def normalised(self) -> dict[str, float]:
        total = sum(getattr(self, f) for f in TRAJECTORY_FEATURES)
        return {f: (getattr(self, f) / total if total else 0.0) for f in TRAJECTORY_FEATURES}


class TrajectoryPolicy(_Strict):
    """How the career trajectory is read.

    ``recency_half_life_years``: evidence from a role that ended this many *career-years* ago
    (years worked since, gaps excluded) counts half; ``depth_pillars``: how many of the rubric's
    most-weighted pillars the depth feature averages over.
    """

    recency_half_life_years: Number = Field(default=8.0, gt=0)
    depth_pillars: Count = Field(default=2, ge=1, le=len(PILLARS))
    weights: FeatureWeights = Field(default_factory=FeatureWeights)


class ScoreMix(_Strict):
    """How the 100 points split between evidence strength, fit to the rubric's pillars and the
    career trajectory.

    Together with ``certifications.cap`` and ``tenure.max_points`` they must sum to 100.
    ``trajectory`` defaults to 0 so a rubric written before trajectory features still loads.
    """

    evidence: Number = Field(ge=0)
    pillar_fit: Number = Field(ge=0)
    trajectory: Number = Field(default=0.0, ge=0)
    must_have_penalty: Number = Field(ge=0, description="points lost per missing must-have")


class Rubric(_Strict):
    """One role's rubric."""

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    version: str = Field(min_length=1)
    title: str = Field(min_length=1)
    description: str = ""
    pillar_weights: PillarWeights
    evidence_weights: EvidenceWeights
    must_haves: tuple[MustHave, ...] = ()
    certifications: CertificationCredit
    tenure: TenurePolicy
    trajectory: TrajectoryPolicy = Field(default_factory=TrajectoryPolicy)
    mix: ScoreMix

    @model_validator(mode="after")
    def _points_add_up(self) -> Self:
        total = (
            self.mix.evidence
            + self.mix.pillar_fit
            + self.mix.trajectory
            + self.certifications.cap
            + self.tenure.max_points
        )
        if abs(total - 100) > 1e-6:
            raise ValueError(
                "mix.evidence + mix.pillar_fit + mix.trajectory + certifications.cap + "
                "tenure.max_points "
                f"must sum to 100, got {total:g}"
            )
        ids = [m.id for m in self.must_haves]
        if len(ids) != len(set(ids)):
            raise ValueError(f"must_haves ids must be unique, got {ids}")
        return self

    @property
    def content_hash(self) -> str:
        """SHA-256 of the validated rubric as canonical JSON: the same for the same content,
        whatever the file's comments, key order or layout."""
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


def resolve_rubric(value: Path | str) -> Path:
    """A rubric argument → its file: an existing path, else a shipped rubric named by its stem.

    >>> resolve_rubric("global-principal-architect").name
    'global-principal-architect.yaml'

    Raises :class:`RubricError` naming the argument and the shipped rubrics when neither exists.
    """
    path = Path(value)
    if path.exists():
        return path
    shipped = shipped_rubrics_dir() / f"{path.stem if path.suffix == '.yaml' else value}.yaml"
    if path.parent == Path(".") and shipped.is_file():
        return shipped
    names = ", ".join(sorted(p.stem for p in shipped_rubrics_dir().glob("*.yaml")))
    raise RubricError(f"{value}: no such rubric file, and no shipped rubric of that name "
                      f"(shipped: {names})")


def load_rubric(path: Path | str) -> Rubric:
    """Read and validate a rubric: a YAML file, or a shipped rubric's name (see
    :func:`resolve_rubric`).

    Raises :class:`RubricError` naming the file and each failing field, e.g.
    ``rubrics/x.yaml: pillar_weights.networking: Extra inputs are not permitted``; a file over
    :data:`MAX_RUBRIC_BYTES` or not UTF-8 is refused naming the file.
    """
    path = resolve_rubric(path)
    expected = "a mapping of rubric fields"
    raw = read_yaml_mapping(path, RubricError, "rubric", expected, max_bytes=MAX_RUBRIC_BYTES)
    if raw is None:
        raise RubricError(f"{path}: expected {expected} at the top level")
    try:
        return Rubric.model_validate(raw)
    except ValidationError as err:
        raise RubricError(f"{path}: {describe_validation_error(err, '<rubric>')}") from err
