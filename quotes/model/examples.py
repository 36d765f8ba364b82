"""Training samples: gold quotes aligned with the candidates of a parsed document.

A gold quote with a cue makes its cue token (the syntactic root of the cue
span) a positive cue; every other cue candidate is a negative. Its content
pieces pick the content candidate that overlaps them best (the scorer's
``partial`` rule: at least half the words of the longer span), its speaker
span picks the source candidate at the root of that span. Quotes that share a
cue (one quote interrupted by its attribution) pool their pieces.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Doc, Token

from ..types import CharSpan, Quote
from .candidates import DocView, Span, content_candidates, cue_candidates, source_candidates
from .features import Featurizer, Sample


@dataclass
class GoldAttribution:
    """What the gold says one cue token introduces."""

    pieces: list[tuple[int, int]] = field(default_factory=list)  # token ranges, inclusive
    source: tuple[int, int] | None = None


def token_range(doc: Doc, span: CharSpan) -> tuple[int, int] | None:
    """The tokens ``[first, last]`` covering a character span."""
    found = doc.char_span(span.start, span.end, alignment_mode="expand")
    if found is None or len(found) == 0:
        return None
    return found.start, found.end - 1


def gold_attributions(doc: Doc, quotes: list[Quote]) -> dict[int, GoldAttribution]:
    """Gold quotes by the token index of their cue's root."""
    out: dict[int, GoldAttribution] = {}
    for quote in quotes:
        if quote.cue is None:
            continue
        cue = doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
        if cue is None or len(cue) == 0:
            continue
        gold = out.setdefault(cue.root.i, GoldAttribution())
        for piece in quote.pieces():
            bounds = token_range(doc, piece)
            if bounds is not None:
                gold.pieces.append(bounds)
        if quote.speaker is not None and gold.source is None:
            gold.source = token_range(doc, quote.speaker)
    return out


class WordCounts:
    """Words (alphanumeric tokens) of any token range in O(1), for overlap ratios."""

    def __init__(self, doc: Doc) -> None:
        flags = np.fromiter((any(c.isalnum() for c in t.text) for t in doc), dtype=np.int32)
        self.sums = np.concatenate([[0], np.cumsum(flags)])

    def words(self, first: int, last: int) -> int:
        return int(self.sums[last + 1] - self.sums[first]) if last >= first else 0

    def partial(self, a: tuple[int, int], b: tuple[int, int]) -> float:
        """Words shared by ``a`` and ``b`` over the words of the longer one."""
        shared = self.words(max(a[0], b[0]), min(a[1], b[1]))
        longer = max(self.words(*a), self.words(*b))
        return shared / longer if longer else 0.0


def best_content(spans: list[Span], gold: GoldAttribution, counts: WordCounts) -> int:
    """Index of the candidate that matches a gold piece best (-1: none matches)."""
    best, best_ratio = -1, 0.5 - 1e-9
    for k, span in enumerate(spans):
        ratio = max(
            (counts.partial((span.first, span.last), piece) for piece in gold.pieces), default=0.0
        )
        if ratio > best_ratio:
            best, best_ratio = k, ratio
    return best


def best_source(tokens: list[Token], source: tuple[int, int] | None) -> int:
    """Index of the candidate at the root of the gold source span; ``len(tokens)``
    (the "no source" choice) when the gold has none."""
    if source is None:
        return len(tokens)
    inside = [k for k, t in enumerate(tokens) if source[0] <= t.i <= source[1]]
    for k in inside:
        head = tokens[k].head.i
        if not source[0] <= head <= source[1] or tokens[k].head is tokens[k]:
            return k
    return inside[0] if inside else -1


@dataclass
class DocSamples:
    """Samples of one document for the three scorers, with gold labels."""

    cues: list[Sample] = field(default_factory=list)
    cue_gold: list[float] = field(default_factory=list)
    contents: list[list[Sample]] = field(default_factory=list)
    content_gold: list[int] = field(default_factory=list)
    sources: list[list[Sample]] = field(default_factory=list)
    source_gold: list[int] = field(default_factory=list)
    tensor: NDArray[np.float32] | None = None


def document_samples(view: DocView, quotes: list[Quote]) -> DocSamples:
    """Every cue candidate of the document, and content and source choices for
    the cues the gold quotes use."""
    doc = view.doc
    featurizer = Featurizer(view)
    gold = gold_attributions(doc, quotes)
    counts = WordCounts(doc)
    out = DocSamples(tensor=np.asarray(doc.tensor, dtype=np.float32))
    for cue in cue_candidates(view):
        out.cues.append(featurizer.cue(cue))
        attribution = gold.get(cue.i)
        out.cue_gold.append(1.0 if attribution is not None else 0.0)
        if attribution is None:
            continue
        spans = content_candidates(view, cue)
        right = best_content(spans, attribution, counts)
        if spans and right >= 0:
            out.contents.append([featurizer.content(cue, s) for s in spans])
            out.content_gold.append(right)
        chosen = spans[right] if spans and right >= 0 else None
        tokens = source_candidates(view, cue)
        right_source = best_source(tokens, attribution.source)
        if right_source >= 0:
            out.sources.append(
                [featurizer.source(cue, t, chosen) for t in tokens] + [featurizer.null_source(cue)]
            )
            out.source_gold.append(right_source)
    return out
