"""Title taxonomy: a job title → a seniority level (0 trainee … 5 principal/head).

The taxonomy is data (``pipeline/data/titles.yaml``), validated on load; this module only
normalises a title and looks its words up. See the YAML file for the levels and the matching
rules, e.g. ``"Sr. Cloud Engineer"`` → 3, ``"Junior Architect"`` → 1, ``"Staff Nurse"`` → 2,
``"Jefe de Arquitectura"`` → 4.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from pipeline.datafiles import data_path, load_model

#: Levels at or below this are never overridden by a higher marker ("Junior Architect" → 1).
_JUNIOR_WINS = 1
_NON_WORD = re.compile(r"[^a-z0-9]+")


class TitleTaxonomy(BaseModel):
    """The validated ``titles.yaml``: level names, the no-marker level, and marker phrases."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    levels: dict[int, str]
    default_level: int = Field(ge=0)
    markers: dict[str, int]

    @model_validator(mode="after")
    def _known_levels(self) -> TitleTaxonomy:
        known = set(self.levels)
        bad = {m: lvl for m, lvl in self.markers.items() if lvl not in known}
        if self.default_level not in known or bad:
            raise ValueError(f"levels must be one of {sorted(known)}; got default "
                             f"{self.default_level} and markers {bad}")
        return self

    @property
    def top(self) -> int:
        return max(self.levels)


@dataclass(frozen=True)
class Seniority:
    """A title's level, its name, and the taxonomy phrases that decided it."""

    level: int
    label: str
    matched: tuple[str, ...]


def normalise_title(title: str) -> str:
    """Lower case, accents removed, punctuation as spaces: ``"Sénior Dev."`` → ``"senior dev"``."""
    ascii_text = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode("ascii")
    return " ".join(_NON_WORD.sub(" ", ascii_text.lower()).split())


@lru_cache(maxsize=4)
def load_taxonomy(path: Path | None = None) -> TitleTaxonomy:
    """The title taxonomy (default: the shipped ``titles.yaml``); errors name file and field."""
    taxonomy = load_model(path or data_path("titles.yaml"), TitleTaxonomy)
    # Normalise marker phrases the way titles are normalised, so "Sr." and "sr" are one key.
    markers = {normalise_title(k): v for k, v in taxonomy.markers.items()}
    return taxonomy.model_copy(update={"markers": markers})


def seniority(title: str, taxonomy: TitleTaxonomy | None = None) -> Seniority:
    """The seniority of a job title.

    >>> seniority("Senior Infrastructure Architect").level
    4
    >>> seniority("Junior Developer").label
    'junior'
    """
    taxonomy = taxonomy or load_taxonomy()
    words = normalise_title(title).split()
    used = [False] * len(words)
    found: list[tuple[str, int]] = []
    longest = max(len(m.split()) for m in taxonomy.markers)
    for size in range(longest, 0, -1):
        for start in range(len(words) - size + 1):
            if any(used[start:start + size]):
                continue
            phrase = " ".join(words[start:start + size])
            if phrase in taxonomy.markers:
                found.append((phrase, taxonomy.markers[phrase]))
                used[start:start + size] = [True] * size
    if not found:
        level = taxonomy.default_level
    elif min(lvl for _, lvl in found) <= _JUNIOR_WINS:
        level = min(lvl for _, lvl in found)
    else:
        level = max(lvl for _, lvl in found)
    return Seniority(level, taxonomy.levels[level], tuple(sorted(p for p, _ in found)))
