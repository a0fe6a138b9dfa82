"""A tiny, tokens-only inflection generator for the cue verbs of the evidence rules.

Why not a lemmatizer: the rules match a closed lexicon of ~150 verbs, so generating their
forms once (lead → led, leading, leads) is exact, needs no POS tags and costs nothing per
document, whereas spaCy's lookup lemmatizer would add spacy-lookups-data (tens of MB) and a
per-token pass for the same result. Irregular verbs of the lexicon are listed explicitly.

>>> sorted(inflections("migrate"))
['migrate', 'migrated', 'migrates', 'migrating']
>>> sorted(inflections("roll out", forms=("past",)))
['rolled out']
"""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Irregular verbs: base → (past, past participle).
_IRREGULAR: dict[str, tuple[str, str]] = {
    "lead": ("led", "led"),
    "drive": ("drove", "driven"),
    "build": ("built", "built"),
    "cut": ("cut", "cut"),
    "run": ("ran", "run"),
    "grow": ("grew", "grown"),
    "take": ("took", "taken"),
    "make": ("made", "made"),
    "set": ("set", "set"),
    "shrink": ("shrank", "shrunk"),
    "fall": ("fell", "fallen"),
    "write": ("wrote", "written"),
    "begin": ("began", "begun"),
    "rise": ("rose", "risen"),
    "bring": ("brought", "brought"),
    "find": ("found", "found"),
    "hold": ("held", "held"),
    "win": ("won", "won"),
    "put": ("put", "put"),
    "undertake": ("undertook", "undertaken"),
    "do": ("did", "done"),
    "rebuild": ("rebuilt", "rebuilt"),
    "rewrite": ("rewrote", "rewritten"),
    "get": ("got", "got"),
    "spin": ("spun", "spun"),
    "stand": ("stood", "stood"),
    "co-lead": ("co-led", "co-led"),
    "slash": ("slashed", "slashed"),
    "overhaul": ("overhauled", "overhauled"),
    "oversee": ("oversaw", "overseen"),
    "see": ("saw", "seen"),
    "speed": ("sped", "sped"),
    "teach": ("taught", "taught"),
    "think": ("thought", "thought"),
    "pay": ("paid", "paid"),
}

#: Which forms a caller may ask for.
ALL_FORMS: tuple[str, ...] = ("base", "s", "past", "ing")

_DOUBLE_FINAL = re.compile(r"^[^aeiou]*[aeiou][bdgklmnprt]$")
_SIBILANT = re.compile(r"(?:s|sh|ch|x|z|o)$")
_CONSONANT_Y = re.compile(r"[^aeiou]y$")


def _regular(verb: str) -> dict[str, str]:
    if verb.endswith("e") and not verb.endswith("ee"):
        past, ing = verb + "d", verb[:-1] + "ing"
    elif _CONSONANT_Y.search(verb):
        past, ing = verb[:-1] + "ied", verb + "ing"
    elif _DOUBLE_FINAL.match(verb):
        past, ing = verb + verb[-1] + "ed", verb + verb[-1] + "ing"
    else:
        past, ing = verb + "ed", verb + "ing"
    if _CONSONANT_Y.search(verb):
        third = verb[:-1] + "ies"
    elif _SIBILANT.search(verb):
        third = verb + "es"
    else:
        third = verb + "s"
    return {"base": verb, "s": third, "past": past, "ing": ing}


def verb_forms(verb: str) -> dict[str, set[str]]:
    """The forms of one (lower-case) verb: ``"lead"`` → base/s/past/ing sets."""
    head = verb.split("-")[-1] if verb.startswith(("re-", "co-")) else verb
    prefix = verb[: len(verb) - len(head)]
    forms = {k: {prefix + v} for k, v in _regular(head).items()}
    if verb in _IRREGULAR or head in _IRREGULAR:
        past, participle = _IRREGULAR.get(verb) or _IRREGULAR[head]
        pre = "" if verb in _IRREGULAR else prefix
        forms["past"] = {pre + past, pre + participle}
        if head in {"cut", "set", "put", "run", "spin", "get", "begin", "win"}:
            forms["ing"] = {prefix + head + head[-1] + "ing"}
    return forms


def inflections(phrase: str, forms: Iterable[str] = ALL_FORMS) -> set[str]:
    """Inflect the first word of a cue phrase: ``"push for"`` → pushed for, pushing for, ...

    ``forms`` picks among ``base``, ``s``, ``past`` and ``ing``.
    """
    first, _, rest = phrase.lower().partition(" ")
    table = verb_forms(first)
    tail = f" {rest}" if rest else ""
    return {word + tail for form in forms for word in table[form]}
