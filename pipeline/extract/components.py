"""The rule components of the extract stage (registered in :mod:`pipeline.extract.factories`).

* ``tech_matcher`` → ``doc.spans["tech"]``: technologies; span label = pillar or ``"none"``;
  ``span._.canonical`` = canonical name ("SQS" → "Amazon SQS"), also kept in ``span.id_``.
* ``quantity_finder`` → ``doc.spans["quantity"]``: quantities; span label = direction;
  ``span._.quantity`` = :class:`pipeline.records.Quantity`.
* ``evidence_rules`` → ``doc._.evidence`` (flag → probability, all of EVIDENCE_FLAGS) and
  ``doc._.pillars`` (pillar → probability, all of PILLARS). A learned classifier added after
  it overwrites ``doc._.evidence`` in place; nothing else holds the flags.

Everything expensive (phrase matchers, regular expressions, data files) is built once in the
factory; the per-Doc work is two PhraseMatcher passes, a few compiled regexes and a dict.
"""

from __future__ import annotations

import dataclasses

from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from pipeline.extract.gazetteer import Term
from pipeline.extract.quantities import QuantityFinder
from pipeline.extract.rules import EvidenceRules
from pipeline.records import Quantity

TECH_KEY = "tech"
QUANTITY_KEY = "quantity"
NO_PILLAR = "none"
_AWS_PREFIXES = frozenset({"aws", "amazon"})


def register_extensions() -> None:
    """Register the custom attributes (idempotent; called by every factory, not at import)."""
    if not Span.has_extension("canonical"):
        Span.set_extension("canonical", getter=lambda span: span.id_ or None)
    # Stored as a plain dict so Docs survive serialisation (nlp.pipe with n_process > 1);
    # span._.quantity rebuilds the record on access.
    if not Span.has_extension("quantity_data"):
        Span.set_extension("quantity_data", default=None)
    if not Span.has_extension("quantity"):
        Span.set_extension("quantity", getter=_quantity)
    for name in ("evidence", "pillars"):
        if not Doc.has_extension(name):
            Doc.set_extension(name, default=None)


def _quantity(span: Span) -> Quantity | None:
    data = span._.quantity_data
    return Quantity(**data) if data else None


def _spellings(name: str) -> list[str]:
    """A multi-word name as people hyphenate it or not: "data residency" ↔ "data-residency"."""
    variants = {name, name.replace(" ", "-"), name.replace("-", " ")}
    return sorted(variants)


class TechMatcher:
    """Marks technologies from the gazetteer (see pipeline/extract/gazetteer.py for the rules)."""

    def __init__(self, nlp: Language, terms: list[Term], context: frozenset[str] = frozenset(),
                 greek: frozenset[str] = frozenset()) -> None:
        self._context = context
        self._greek = greek
        self._lower = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._orth = PhraseMatcher(nlp.vocab, attr="ORTH")
        self._terms: dict[int, Term] = {}
        for index, term in enumerate(terms):
            key = f"tech{index}"
            matcher = self._lower if term.mode == "lower" else self._orth
            matcher.add(key, [nlp.make_doc(v) for v in _spellings(term.name)])
            self._terms[nlp.vocab.strings.add(key)] = term

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        generic: set[tuple[int, int]] = set()
        for matcher in (self._lower, self._orth):
            for match_id, start, end in matcher(doc):
                term = self._terms[match_id]
                if term.mode == "guarded" and (start == 0 or doc[start].is_sent_start):
                    continue
                if term.aws and start > 0 and doc[start - 1].lower_ in _AWS_PREFIXES:
                    start -= 1
                if term.generic:
                    generic.add((start, end))
                spans.append(
                    Span(doc, start, end, label=term.pillar or NO_PILLAR, span_id=term.canonical)
                )
        found = [s for s in filter_spans(spans) if not self._in_society_name(doc, s)]
        if generic and not self._technical(doc, found, generic):
            found = [s for s in found if (s.start, s.end) not in generic]
        doc.spans[TECH_KEY] = found
        return doc

    def _in_society_name(self, doc: Doc, span: Span) -> bool:
        """A span next to a Greek letter ("Alpha Lambda Delta") names a society."""
        before = doc[span.start - 1].text if span.start > 0 else ""
        after = doc[span.end].text if span.end < len(doc) else ""
        return before in self._greek or after in self._greek

    def _technical(self, doc: Doc, found: list[Span], generic: set[tuple[int, int]]) -> bool:
        """Whether the sentence is technical: a non-generic technology or a context word."""
        if any((s.start, s.end) not in generic for s in found):
            return True
        return any(token.lower_ in self._context or token.text in self._context
                   for token in doc)


class QuantityMarker:
    """Marks quantities; drops numbers inside technology names ("Route 53", "S3")."""

    def __init__(self, finder: QuantityFinder) -> None:
        self._finder = finder

    def __call__(self, doc: Doc) -> Doc:
        tech = [(s.start_char, s.end_char) for s in doc.spans.get(TECH_KEY, ())]
        spans = []
        for start, end, quantity in self._finder.find(doc.text):
            if any(s < end and start < e for s, e in tech):
                continue
            span = doc.char_span(start, end, label=quantity.direction, alignment_mode="expand")
            if span is not None:
                span._.quantity_data = dataclasses.asdict(quantity)
                spans.append(span)
        doc.spans[QUANTITY_KEY] = spans
        return doc


class EvidenceScorer:
    """Writes the rule-based flag and pillar probabilities onto the Doc."""

    def __init__(self, rules: EvidenceRules) -> None:
        self._rules = rules

    def __call__(self, doc: Doc) -> Doc:
        doc._.evidence, doc._.pillars = self._rules(doc)
        return doc


#: What a pillar probability keeps when no technology of that pillar is named in the sentence.
UNGROUNDED_PILLAR = 0.3


class PillarGrounding:
    """Scales a learned pillar probability down when the sentence names no technology of that
    pillar in context: ``p`` stays ``p`` where the gazetteer found one, else ``p × 0.3``
    ("compliance" alone in a safety sentence is not security_compliance)."""

    def __call__(self, doc: Doc) -> Doc:
        named = {span.label_ for span in doc.spans.get(TECH_KEY, ())}
        pillars = doc._.pillars or {}
        doc._.pillars = {p: v if p in named else round(v * UNGROUNDED_PILLAR, 4)
                         for p, v in pillars.items()}
        return doc
