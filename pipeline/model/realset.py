"""Real labelled resume sentences for training: found, read and fingerprinted, never copied.

A real set is JSON Lines in the labelling guide's format plus an optional ``resume`` key (the
resume a sentence came from, used to group cross-validation folds). It lives outside the
project (by default ``../shared/data/evidence-train-real.jsonl`` beside the checkout); training
reads it, and only its SHA-256, size and counts go into the model's sidecar and card.

Input: paths (or none); output: :class:`RealSet` records with the units, their resume ids and
the file's fingerprint. A line with a blank (``null``) label — e.g. a ``trajectory label
suggest`` file not yet reviewed — is refused, naming the file and line.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from pipeline.errors import CorpusError
from pipeline.hashing import file_sha256
from pipeline.model.evaluate import LABELS, LabelledUnit

#: Environment variable naming the real set(s) to train on (``os.pathsep``-separated).
REAL_SET_ENV = "TRAJECTORY_REAL_SET"
#: Where the shared real set sits relative to a checkout (or the current folder).
DEFAULT_REAL_SET = Path("..") / "shared" / "data" / "evidence-train-real.jsonl"


@dataclass(frozen=True)
class RealSet:
    """One real labelled file: its units, the resume of each, and its fingerprint."""

    path: Path
    units: tuple[LabelledUnit, ...]
    resumes: tuple[str, ...]
    sha256: str
    size_bytes: int

    def fingerprint(self) -> dict[str, object]:
        """What the sidecar records: no sentence text, only name, hash, size and counts."""
        return {"file": self.path.name, "sha256": self.sha256, "bytes": self.size_bytes,
                "sentences": len(self.units), "resumes": len(set(self.resumes)),
                "positives": {label: sum(u.vector()[i] for u in self.units)
                              for i, label in enumerate(LABELS)}}


def default_real_sets(repo_root: Path | None = None) -> list[Path]:
    """``$TRAJECTORY_REAL_SET`` if set, else ``../shared/data/evidence-train-real.jsonl``
    from the current folder, from ``repo_root`` or from its parent (a worktree in a folder
    beside the main checkout), whichever exists first; else ``[]``."""
    configured = os.environ.get(REAL_SET_ENV)
    if configured:
        return [Path(p).expanduser() for p in configured.split(os.pathsep) if p]
    bases = [Path.cwd(), *([repo_root, repo_root.parent] if repo_root else [])]
    for base in bases:
        candidate = (base / DEFAULT_REAL_SET).resolve()
        if candidate.is_file():
            return [candidate]
    return []


def load_real_set(path: Path) -> RealSet:
    """Read one real set; errors name the file, the line and the field.

    e.g. ``real.jsonl:12: velocity: label is blank — label it by the guide before training``
    """
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise CorpusError(f"{path}: cannot read the real labelled set ({err.strerror})") from err
    units: list[LabelledUnit] = []
    resumes: list[str] = []
    for number, line in enumerate(raw.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as err:
            raise CorpusError(f"{path}:{number}: not valid JSON ({err.msg})") from err
        if not isinstance(obj, dict):
            raise CorpusError(f"{path}:{number}: expected a JSON object")
        resume = obj.pop("resume", None)
        blank = [label for label in LABELS if label in obj and obj[label] is None]
        if blank:
            raise CorpusError(f"{path}:{number}: {blank[0]}: label is blank — label it by "
                              "the guide before training")
        try:
            units.append(LabelledUnit.model_validate(obj))
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "<line>"
            raise CorpusError(f"{path}:{number}: {where}: {first['msg']} (expected the "
                              "labelling guide's JSON format, plus an optional 'resume')") from err
        resumes.append(str(resume) if resume is not None else f"{path.stem}:{number}")
    if not units:
        raise CorpusError(f"{path}: no labelled sentences")
    return RealSet(path, tuple(units), tuple(resumes), file_sha256(path), len(raw))


def load_real_sets(paths: list[Path]) -> list[RealSet]:
    """Every real set, in the order given; sentence ids must be unique across them."""
    sets = [load_real_set(p) for p in paths]
    seen: dict[str, Path] = {}
    for real in sets:
        for unit in real.units:
            if unit.sid in seen:
                raise CorpusError(f"{real.path}: sentence id {unit.sid!r} is also in "
                                  f"{seen[unit.sid]}")
            seen[unit.sid] = real.path
    return sets
