"""Rule-based evidence flags of one sentence (a Doc), from cue lexicons kept as data.

Input: a Doc that went through ``tech_matcher`` and ``quantity_finder``. Output: a
probability per flag in EVIDENCE_FLAGS and per pillar in PILLARS, at the confidence levels of
``evidence_cues.yaml`` (strong 0.9, weak 0.6, hint 0.3, negated 0.2, none 0.05).

* velocity — an ownership/delivery verb ("led", "migrated", "rolled out") or a pace cue
  ("in 6 weeks", "promoted twice"); "built"/"implemented" are weak.
* proactive — an initiative cue ("initiated", "proof of concept", "identified … and fixed").
* outcome — a quantity with a direction that is not a bare count ("cut latency 30%"), a
  result verb followed by a named metric ("reducing provisioning times"), or a capability
  ("made the EU launch possible", "passed the HIPAA audit").
* A duty/assistance negator ("responsible for", "helped") up to 6 tokens before a velocity or
  proactive cue (an intention such as "will"/"plan to" also before a velocity cue), or
  deference anywhere ("design provided by"), turns it into ``negated``; an
  intention ("goal was to", "aimed to") up to 8 tokens before an outcome cue does the same.
* listing — the sentence opens with "Skills:"/"Experience with"/... or is an enumeration
  (≥3 items, short items or mostly tech names) with no accomplishment cue; a listing caps the
  three accomplishment flags at ``listing_cap``.
* pillars — every pillar labelled on a ``doc.spans["tech"]`` span gets ``strong``, others ``none``
  (a pillar named in a listing still counts, as the labelling guide says).

>>> # "Responsible for the migration" → velocity 0.05 (no delivery verb, a duty)
>>> # "Goal was to reduce cost by 30%" → outcome 0.2 (an intention)
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc

from pipeline.extract.cues import EvidenceCues
from pipeline.extract.inflect import inflections
from pipeline.records import EVIDENCE_FLAGS, PILLARS

_DUTY_WINDOW = 6
_INTENT_WINDOW = 8
_METRIC_AFTER = 7
_METRIC_BEFORE = 3
_RESULT_FORMS = ("s", "past", "ing")  # "to reduce cost" (base form) is an intention

Hit = tuple[int, int]  # token start, token end


class EvidenceRules:
    """Compiled cue matchers; build once per pipeline, call per Doc."""

    def __init__(self, nlp: Language, cues: EvidenceCues) -> None:
        self.levels = cues.levels
        self._separators = frozenset(cues.listing.separators)
        self._min_items = cues.listing.min_items
        self._max_mean = cues.listing.max_mean_item_tokens
        self._matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        vel, pro, out, neg = cues.velocity, cues.proactive, cues.outcome, cues.negators

        def verbs(
            words: Iterable[str], forms: tuple[str, ...] = ("base", "s", "past", "ing")
        ) -> set[str]:
            return {f for w in words for f in inflections(w, forms)}

        categories = {
            "VEL_STRONG": verbs(vel.strong_verbs) | set(vel.strong_phrases),
            "VEL_WEAK": verbs(vel.weak_verbs),
            "PRO_STRONG": verbs(pro.strong_verbs) | set(pro.strong_phrases),
            "PRO_WEAK": verbs(pro.weak_verbs),
            "RESULT": verbs(out.result_verbs, _RESULT_FORMS),
            "METRIC": set(out.metric_nouns),
            "DUTY": set(neg.duty_phrases),
            "DEFER": set(neg.deference_phrases),
            "INTENT": set(neg.intention_phrases),
            "LIST_PHRASE": set(cues.listing.phrases),
            "LIST_LABEL": set(cues.listing.labels),
        }
        for key, phrases in categories.items():
            self._matcher.add(key, [nlp.make_doc(p) for p in sorted(phrases)])
        self._keys = {nlp.vocab.strings[k]: k for k in categories}
        flags = re.IGNORECASE
        self._pace = [re.compile(p, flags) for p in vel.pace_patterns]
        self._pro_patterns = [re.compile(p, flags) for p in pro.patterns]
        self._out_strong = [re.compile(p, flags) for p in out.strong_patterns]
        self._out_weak = [re.compile(p, flags) for p in out.weak_patterns]

    def __call__(self, doc: Doc) -> tuple[dict[str, float], dict[str, float]]:
        """One Doc → (flag → probability, pillar → probability); every key always present."""
        lv = self.levels
        hits: dict[str, list[Hit]] = {k: [] for k in self._keys.values()}
        for match_id, start, end in self._matcher(doc):
            hits[self._keys[match_id]].append((start, end))
        # doc.text joins every token, so read it once per Doc, not once per pattern (that
        # re-walk was 55% of extraction on real resumes); token offsets only when a regex hits.
        text = doc.text
        starts: list[int] = []

        def token_at(char: int) -> int:
            if not starts:
                starts.extend(t.idx for t in doc)
            return max(0, bisect_right(starts, char) - 1)

        def regex_hits(patterns: list[re.Pattern[str]]) -> list[Hit]:
            return [
                (token_at(m.start()), token_at(max(m.start(), m.end() - 1)) + 1)
                for p in patterns
                for m in p.finditer(text)
            ]

        deferred = bool(hits["DEFER"])

        def level(strong: list[Hit], weak: list[Hit], negators: list[Hit], window: int) -> float:
            def negated(h: Hit) -> bool:
                return any(n[1] <= h[0] and h[0] - n[1] <= window for n in negators)

            if any(not negated(h) for h in strong):
                return lv.strong
            if any(not negated(h) for h in weak):
                return lv.weak
            return lv.negated if (strong or weak) else lv.none

        duty = hits["DUTY"]
        # "will migrate" / "plan to launch" is no delivery either: intentions negate velocity too.
        velocity = level(
            hits["VEL_STRONG"] + regex_hits(self._pace),
            hits["VEL_WEAK"],
            duty + hits["INTENT"],
            _DUTY_WINDOW,
        )
        proactive = level(
            hits["PRO_STRONG"] + regex_hits(self._pro_patterns),
            hits["PRO_WEAK"],
            duty,
            _DUTY_WINDOW,
        )
        if deferred:
            velocity, proactive = min(velocity, lv.negated), min(proactive, lv.negated)
        outcome_strong, outcome_weak, outcome_hint = self._outcome_cues(doc, hits, regex_hits)
        outcome = level(outcome_strong, outcome_weak, hits["INTENT"], _INTENT_WINDOW)
        if outcome == lv.none and outcome_hint:
            outcome = lv.hint
        any_cue = any(
            hits[k] for k in ("VEL_STRONG", "VEL_WEAK", "PRO_STRONG", "PRO_WEAK", "RESULT")
        )
        listing = self._listing(doc, hits, any_cue or bool(outcome_strong))
        values = {
            "velocity": velocity,
            "proactive": proactive,
            "outcome": outcome,
            "listing": listing,
        }
        if listing >= 0.5:
            for flag in ("velocity", "proactive", "outcome"):
                values[flag] = min(values[flag], lv.listing_cap)
        present = {span.label_ for span in doc.spans.get("tech", ())}
        pillars = {p: lv.strong if p in present else lv.none for p in PILLARS}
        return {f: values[f] for f in EVIDENCE_FLAGS}, pillars

    def _outcome_cues(
        self,
        doc: Doc,
        hits: dict[str, list[Hit]],
        regex_hits: Callable[[list[re.Pattern[str]]], list[Hit]],
    ) -> tuple[list[Hit], list[Hit], list[Hit]]:
        strong = regex_hits(self._out_strong)
        weak = regex_hits(self._out_weak)
        metrics = hits["METRIC"]
        quantities = list(doc.spans.get("quantity", ()))
        for span in quantities:
            q = span._.quantity
            if q is None:
                continue
            hit = (span.start, span.end)
            if q.direction != "none":
                (weak if q.unit == "count" else strong).append(hit)
            elif q.unit != "count" and any(0 <= m[0] - span.end <= 2 for m in metrics):
                weak.append(hit)  # "99.99% availability"
        hint = []
        for verb in hits["RESULT"]:
            if any(
                0 <= m[0] - verb[1] <= _METRIC_AFTER or 0 <= verb[0] - m[1] <= _METRIC_BEFORE
                for m in metrics
            ):
                strong.append(verb)
            else:
                hint.append(verb)
        return strong, weak, hint

    def _listing(self, doc: Doc, hits: dict[str, list[Hit]], has_cue: bool) -> float:
        lv = self.levels
        first = next((t.i for t in doc if not (t.is_punct or t.is_space)), 0)
        if any(s == first for s, _ in hits["LIST_PHRASE"]):
            return lv.strong
        for s, e in hits["LIST_LABEL"]:
            if s == first and e < len(doc) and doc[e].text in (":", "-", "–", "—"):
                return lv.strong
        if has_cue:
            return lv.none
        separators = sum(1 for t in doc if t.text in self._separators)
        items = separators + 1
        if items < self._min_items:
            return lv.none
        words = [t for t in doc if not (t.is_punct or t.is_space) and t.lower_ not in ("and", "or")]
        if not words:
            return lv.none
        mean = len(words) / items
        tech = {i for span in doc.spans.get("tech", ()) for i in range(span.start, span.end)}
        coverage = sum(1 for t in words if t.i in tech) / len(words)
        if mean <= self._max_mean or coverage >= 0.6:
            return lv.strong
        return lv.weak if coverage >= 0.4 else lv.none
