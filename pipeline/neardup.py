"""Near-duplicate sentences: repetition is not evidence.

Two sentences are near-duplicates when their sets of words (case and punctuation aside)
overlap by at least :data:`NEAR_DUPLICATE` (Jaccard: shared words over all words). "Led the
migration of 40 services to Lambda" and the same with "again" appended share 8 of 9 words;
two real bullets about different work share far fewer. Sentences of fewer than five words
only match when their words are the same. Found through an index of words, so the cost grows
with the number of sentences, not its square: a word in more than :data:`_COMMON` kept
sentences ("the") is too common to point at a duplicate and is not followed.

>>> texts = ["Led the migration of 40 services to Lambda",
...          "Led the migration of 40 services to Lambda again", "Cut costs by 30%"]
>>> [texts[i] for i in distinct_indices(texts)]
['Led the migration of 40 services to Lambda', 'Cut costs by 30%']
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

__all__ = ["NEAR_DUPLICATE", "distinct_indices"]

#: Jaccard overlap of word pairs from which two sentences count as one.
NEAR_DUPLICATE = 0.8
_COMMON = 64
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> frozenset[str]:
    return frozenset(_WORD.findall(text.lower()))


def distinct_indices(texts: Sequence[str]) -> list[int]:
    """Indices of ``texts`` to keep: the first of every group of near-duplicates, in order.
    A text without a word (only punctuation or symbols) is not kept."""
    kept: list[int] = []
    kept_shingles: list[frozenset[str]] = []
    index: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        shingles = _shingles(text)
        if not shingles:
            continue
        hits: Counter[int] = Counter()
        for shingle in shingles:
            posting = index.get(shingle, ())
            if len(posting) <= _COMMON:
                hits.update(posting)
        duplicate = False
        for k, shared in hits.most_common(3):
            other = kept_shingles[k]
            if shared / (len(shingles) + len(other) - shared) >= NEAR_DUPLICATE:
                duplicate = True
                break
        if duplicate:
            continue
        slot = len(kept_shingles)
        kept_shingles.append(shingles)
        kept.append(i)
        for shingle in shingles:
            index.setdefault(shingle, []).append(slot)
    return kept
