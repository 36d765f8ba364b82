"""Passes 2 and 3: quotes from attributions and quoted stretches.

Quoted stretches inside a content clause make it ``mixed`` (``direct`` when they
fill it); other stretches take the attribution next to them, continue a
multi-paragraph quote, or stand alone as floating quotes; clauses without marks
are ``indirect``, and unattributed first-person sentences around them join them.
The confidence of a quote comes from the rule that produced it
(:data:`CONFIDENCE`).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise

from spacy.tokens import Doc, Token

from ..cues import CueLexicon
from ..marks import (
    CLOSING_SHAPED,
    OPENING_SHAPED,
    QUOTE_MARKS,
    QuotedStretch,
    find_quoted_stretches,
)
from ..speakers import mention_span
from ..types import CharSpan, Quote, QuoteType
from .attributions import Attribution, find_attributions
from .text import (
    CLOSING_CHARS,
    CLOSING_MARKS,
    FIRST_PERSON,
    MARK_CHARS,
    OPENING_MARKS,
    SENTENCE_END,
    SUBJECTS,
    VERB_POS,
    FirstAbove,
    char_span,
    children,
    doc_index,
    doc_text,
    paragraph_end,
    reading,
    trim,
    word_count,
)

_OPENING_SHAPED = "".join(sorted(OPENING_SHAPED))
_CLOSING_SHAPED = "".join(sorted(CLOSING_SHAPED))

# Confidence by rule: how often the construction is a real, well-bounded quote.
CONFIDENCE = {
    "direct-cue": 0.95,
    "direct-continued": 0.85,
    "direct-object": 0.8,
    "direct-floating": 0.6,
    "mixed": 0.85,
    "indirect-clause": 0.85,
    "indirect-according-to": 0.85,
    "indirect-colon": 0.75,
    "indirect-infinitive": 0.6,
    "indirect-object": 0.55,
    "indirect-noun": 0.55,
    "indirect-relative": 0.6,
    "mental": 0.6,
    "indirect-weak": 0.55,
    "indirect-extended": 0.6,
    "indirect-floating": 0.5,
}


def _in_headline(doc: Doc, pos: int) -> bool:
    """A headline or byline: a short paragraph with no final punctuation.

    "Mayor says bridge will reopen in spring" is a headline, not a quote.
    """
    index = doc_index(doc)
    start = index.paragraph_start(pos)
    # once per paragraph: a long one would be read again for each of its cues
    return index.cached("headline", start, lambda: _headline_paragraph(doc, start))


def _headline_paragraph(doc: Doc, start: int) -> bool:
    text = doc_text(doc)
    line = text[start : paragraph_end(doc, start)].strip()
    if not line:
        return False
    # a final stop, bracket or quotation mark ends a sentence; a headline has none
    return line[-1] not in ".!?…:;)]" and line[-1] not in QUOTE_MARKS and word_count(line) <= 20


def _cut_relative_clauses(doc: Doc, attributions: list[Attribution]) -> list[Attribution]:
    """A content clause ends where a relative or adverbial clause brings its
    own attribution ("Putin told Wang that X, while Wang pledged Y").

    "X urged Kiev to resume talks during a call with Kuleba, who in turn said
    ..." → X's content ends at "Kuleba"; "who in turn said ..." is Kuleba's.
    """

    def nested(other: Attribution) -> bool:
        tok = other.cue_token
        return (
            other.source is not None
            and other.content is not None
            and (
                tok.dep_ == "relcl"
                or (tok.dep_ == "advcl" and any(c.dep_ == "mark" for c in children(tok)))
                # "he ordered her to leave, saying he had to ..."
                or (tok.tag_ == "VBG" and tok.i > 0 and doc[tok.i - 1].text == ",")
            )
        )

    # The clause ends at the first nested cue inside it (in text order) whose
    # own words start inside it too: found by bisection and a table of maxima
    # of where each nested attribution starts, not by trying every pair.
    others = [k for k, att in enumerate(attributions) if nested(att)]
    cue_starts = [attributions[k].cue_token.idx for k in others]
    cuts = [attributions[k].cue_token.left_edge.idx for k in others]
    first_cut = FirstAbove(cuts)
    out = []
    for position, att in enumerate(attributions):
        content = att.content
        if content is not None:
            lo = bisect_left(cue_starts, content.start)
            hi = bisect_left(cue_starts, content.end)
            found = first_cut.find(lo, hi, content.start)
            while found is not None and others[found] == position:
                found = first_cut.find(found + 1, hi, content.start)
            if found is not None:
                content = char_span(doc, content.start, cuts[found])
            if content != att.content:
                if content is None or word_count(content.text) < 3:
                    att = replace(att, content=None)
                else:
                    att = replace(att, content=content)
        out.append(att)
    return out


def _balance_marks(doc: Doc, span: CharSpan) -> CharSpan:
    """A mixed quote ending inside its quoted fragment keeps the closing mark
    (settled case S20): 'called the album a “masterpiece”' → 'a “masterpiece”'."""
    index = doc_index(doc)
    text = index.text
    opened = index.count(_OPENING_SHAPED, span.start, span.end)
    closed = index.count(_CLOSING_SHAPED, span.start, span.end)
    end = span.end
    while opened > closed and end < len(text):
        # punctuation inside the closing mark goes with it: '... “that we lost.”'
        if text[end] in CLOSING_MARKS:
            end += 1
        elif text[end] in ".,!?" and text[end + 1 : end + 2] in CLOSING_MARKS:
            end += 2
        else:
            break
        closed += 1
    return span if end == span.end else CharSpan.of(text, span.start, end)


class _Stretches:
    """The document's quoted stretches (sorted, never overlapping) with running
    totals, so that what a span holds is found by bisection, not by a walk over
    every stretch for every clause."""

    def __init__(self, doc: Doc, stretches: list[QuotedStretch]) -> None:
        self.doc = doc
        self.items = stretches
        self.starts = [s.start for s in stretches]
        self.ends = [s.end for s in stretches]
        # (the pairing never makes stretches overlap; should it, the walks below stay right)
        self.disjoint = all(a.outer_end <= b.outer_start for a, b in pairwise(stretches))
        self.lengths = [0]
        for s in stretches:
            self.lengths.append(self.lengths[-1] + s.end - s.start)
        # words between stretch k - 1 and stretch k, summed up to k
        index = doc_index(doc)
        self.gap_words = [0, 0]
        for before, after in pairwise(stretches):
            words = index.word_count(before.outer_end, after.outer_start)
            self.gap_words.append(self.gap_words[-1] + words)

    def held(self, span: CharSpan) -> Sequence[int]:
        """The stretches inside ``span`` (give or take a mark), in order."""
        if not self.disjoint:
            return [
                k
                for k, s in enumerate(self.items)
                if s.start >= span.start - 1 and s.end <= span.end + 1
            ]
        lo = bisect_left(self.starts, span.start - 1)
        hi = bisect_right(self.ends, span.end + 1)
        return range(lo, max(lo, hi))

    def straddle(self, span: CharSpan, held: Sequence[int]) -> bool:
        """True when a stretch overlaps ``span`` without being held by it."""
        if not self.disjoint or not isinstance(held, range):
            return any(
                s.start < span.end and s.end > span.start and k not in held
                for k, s in enumerate(self.items)
            )
        first = bisect_right(self.ends, span.start)
        last = bisect_left(self.starts, span.end)
        if not held:
            return first < last
        return first < min(last, held.start) or max(first, held.stop) < last

    def covered(self, span: CharSpan) -> int:
        """Characters of ``span`` inside the stretches."""
        if not self.disjoint:
            return sum(max(0, min(span.end, s.end) - max(span.start, s.start)) for s in self.items)
        first = bisect_right(self.ends, span.start)
        last = bisect_left(self.starts, span.end)
        if first >= last:
            return 0
        total = self.lengths[last] - self.lengths[first]
        total -= max(0, span.start - self.starts[first])
        total -= max(0, self.ends[last - 1] - span.end)
        return total

    def unquoted_words(self, span: CharSpan, held: Sequence[int]) -> int:
        """Words of ``span`` outside the held stretches (a leading "that" left out)."""
        index = doc_index(self.doc)
        text = index.text
        if not isinstance(held, range):
            pieces, pos = [], span.start
            for s in sorted((self.items[k] for k in held), key=lambda s: s.start):
                pieces.append(text[pos : max(pos, s.outer_start)])
                pos = max(pos, s.outer_end)
            pieces.append(text[pos : span.end])
            words = word_count(" ".join(pieces))
        elif not held:
            words = index.word_count(span.start, span.end)
        else:
            lo, hi = held.start, held.stop
            first, last = self.items[lo], self.items[hi - 1]
            words = index.word_count(span.start, max(span.start, first.outer_start))
            pos = max(span.start, first.outer_end)
            if hi - lo > 1:
                words += index.word_count(pos, max(pos, self.items[lo + 1].outer_start))
                words += self.gap_words[hi] - self.gap_words[lo + 2]
                pos = max(pos, last.outer_end)
            words += index.word_count(pos, span.end)
        # a leading "that" is not content: "said that “...”"
        return words - (1 if text[span.start : span.start + 5].lower() == "that " else 0)


def _split_coordinated(doc: Doc, attributions: list[Attribution]) -> list[Attribution]:
    """A second cue coordinated inside a content clause is its own attribution
    with the same source.

    "The ministry said the visit will take place on Monday and confirmed that
    the war would be discussed." → "the visit will take place on Monday" and
    "the war would be discussed", both the ministry's.
    """
    out = list(attributions)
    # coordinated cues without a subject of their own, in text order; a content
    # is cut at the first of them inside it that leaves three words before it
    # (found by bisection and a table of maxima, not by trying every pair)
    others = [
        j
        for j, other in enumerate(out)
        if other.content is not None
        and other.cue_token.dep_ == "conj"
        and not any(c.dep_ in SUBJECTS for c in children(other.cue_token))
    ]
    cue_starts = [out[j].cue_token.idx for j in others]
    cuts = [out[j].cue_token.left_edge.idx for j in others]
    first_cut = FirstAbove(cuts)
    index = doc_index(doc)
    for k in range(len(out)):
        att = out[k]
        if att.content is None or att.source is None:
            continue
        # a cut at or before the third word leaves fewer than three
        third = index.nth_word_start(att.content.start, 3)
        if third is None:
            continue
        lo = bisect_left(cue_starts, att.content.start)
        hi = bisect_left(cue_starts, att.content.end)
        found = first_cut.find(lo, hi, third)
        while found is not None:
            j = others[found]
            if j != k:
                first = char_span(doc, att.content.start, cuts[found])
                if first is not None and first.text.lower().endswith((" and", " but")):
                    first = char_span(doc, first.start, first.end - 4)
                if first is not None and word_count(first.text) >= 3:
                    out[k] = att = replace(att, content=first)
                    out[j] = replace(out[j], source=att.source)
                    break  # what follows the cut is no longer in the content
            found = first_cut.find(found + 1, hi, third)
    return out


def _sentence_like(doc: Doc, stretch: QuotedStretch) -> bool:
    """A stretch that reads as a statement, not a term: a clause or a long phrase.

    “We will win” (verb) and “Peace must come to Ukraine now” are; “peace
    plan” and “face-to-face” are not.
    """
    text = doc_text(doc)[stretch.start : stretch.end]
    words = word_count(text)
    if words >= 8:
        return True
    if words < 3:
        return False
    span = doc.char_span(stretch.start, stretch.end, alignment_mode="contract")
    if span is None:
        return False
    has_verb = any(t.pos_ in VERB_POS and t.dep_ not in ("amod", "compound") for t in span)
    has_subject = any(t.dep_ in SUBJECTS for t in span)
    return has_verb and has_subject


def _stands_alone(doc: Doc, stretch: QuotedStretch, stretches: list[QuotedStretch]) -> bool:
    """A floating quote is a sentence of its own, judged by the characters
    around it (the parser splits sentences poorly around marks):

    “We will win.” He smiled.   → yes: nothing before, a new sentence after
    Kirby hoped Xi would avoid proposals that “recognize Russia’s gains”. → no
    """
    index = doc_index(doc)
    text = index.text
    para_start = index.paragraph_start(stretch.outer_start)
    para_end = index.paragraph_end(stretch.end)
    # the nearest characters around the marks, not the paragraph's text: a long
    # paragraph of quotes would be copied once per quote
    before = index.prev_nonspace(stretch.outer_start)
    starts_sentence = (
        before < para_start or text[before] in ".!?…:;)]" or text[before] in CLOSING_MARKS
    )
    if not starts_sentence:
        return False
    after = index.next_nonspace(stretch.outer_end)
    if after >= para_end:
        return True
    last = index.prev_nonspace(stretch.end)
    ends_sentence = last >= stretch.start and text[last] in ".!?…,;:—–-"
    dots = index.positions(".")
    k = bisect_left(dots, after)
    clause_end = min(dots[k], para_end) if k < len(dots) else para_end
    return (
        text[after] in OPENING_MARKS
        or text[after] in "(—–-"
        or text[after].isupper()
        or (ends_sentence and text[after] in ".!?")
        or index.word_count(after, clause_end) <= 2
    )


def _quote(
    qtype: QuoteType,
    content: CharSpan,
    att: Attribution | None,
    rule: str,
    confidence: float | None = None,
) -> Quote:
    speaker = None
    if att is not None and att.source is not None:
        speaker = mention_span(att.source)
    return Quote(
        type=qtype,
        content=content,
        speaker=speaker,
        cue=None if att is None else att.cue,
        confidence=_confidence(rule, att) if confidence is None else confidence,
        rule=rule,
    )


def _confidence(rule: str, att: Attribution | None) -> float:
    """The model's probability for its attributions, else the rule's constant."""
    if att is not None and att.confidence is not None:
        return att.confidence
    return CONFIDENCE[rule]


def _gap_is_attribution_only(doc: Doc, start: int, end: int, limit: int, cue: Token) -> bool:
    """True when ``text[start:end]`` is short and holds nothing but the
    attribution: no sentence end, no line break, no other clause.

    “A,” he said / “A,” he was quoted as saying / she joked in her turn to
    answer, “A” — but not “A,” and then the crowd left and he said.
    """
    index = doc_index(doc)
    if index.has_newline(start, end):
        return False
    first, last = index.next_nonspace(start), index.prev_nonspace(end)
    if first < end and last + 1 - first > limit:
        return False  # (its length without the white space around it)
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None:
        # only spaces and these marks: "“A,” — he said" (short: the limit held above)
        return not index.text[start:end].strip(" ,:;—–")
    for t in span:
        if t.is_punct and t.text in SENTENCE_END:
            return False
        if (
            t.pos_ in VERB_POS
            and not index.is_ancestor(t.i, cue.i)
            and any(c.dep_ in SUBJECTS for c in children(t))
        ):
            return False
    return True


def _ends_clause(doc: Doc, stretch: QuotedStretch) -> bool:
    """A quote that its attribution follows ends its clause with punctuation,
    inside or right after the marks: “We will win,” she said / “Go!” he
    shouted — but not: the “peace plan” was rejected; “Days of Heaven” opens."""

    def compute() -> bool:
        text = doc_text(doc)
        inner = text[stretch.start : stretch.end].rstrip().rstrip(CLOSING_CHARS)
        after = text[stretch.outer_end : stretch.outer_end + 2].lstrip()
        return (bool(inner) and inner[-1] in ",.!?…—–-:;") or after[:1] in (",", "—", "–", ":")

    # once per stretch: it is asked for every cue near it
    return doc_index(doc).cached("ends-clause", stretch.start, compute)


def _attribution_for_stretch(
    doc: Doc,
    stretch: QuotedStretch,
    stretches: _Stretches,
    cues: _Cues,
    prev_end: int,
    next_start: int,
) -> Attribution | None:
    """The attribution next to a quoted stretch.

    After it: “We will win,” she said. / “We will win,” said the minister.
    Before it: She said: “We will win.” / She told reporters, “We will win.”
    Only cues with a source and with no content clause of their own outside
    the stretch qualify, within the same sentence or clause.
    """
    candidates = []
    # only cues near the stretch, found by bisection
    for order in cues.starting_in(prev_end, next_start):
        att = cues.items[order]
        assert att.source is not None
        if att.content is not None and stretches.covered(att.content) < 0.5 * len(att.content):
            continue  # the cue has unquoted content of its own
        pos = att.cue.start
        # '“...” Omar Lind said' lacks the comma, but its subject follows the marks
        inverted_or_named = att.source.idx >= stretch.outer_end and pos > att.source.idx
        if (
            stretch.outer_end <= pos < next_start
            and (_ends_clause(doc, stretch) or inverted_or_named)
            and _gap_is_attribution_only(doc, stretch.outer_end, pos, 90, att.cue_token)
        ):
            candidates.append((0, pos - stretch.outer_end, order, att))
        elif prev_end <= att.cue.end <= stretch.outer_start and _gap_is_attribution_only(
            doc, att.cue.end, stretch.outer_start, 70, att.cue_token
        ):
            candidates.append((1, stretch.outer_start - att.cue.end, order, att))
    if not candidates:
        return None
    return min(candidates, key=lambda c: (c[0], c[1], c[2]))[3]


def _attribution_governing(doc: Doc, stretch: QuotedStretch, cues: _Cues) -> Attribution | None:
    """A cue that takes the quoted phrase as its object.

    "Xi and Putin proclaimed “unlimited friendship”." → proclaimed
    """
    span = doc.char_span(stretch.start, stretch.end, alignment_mode="expand")
    if span is None:
        return None
    root = span.root
    node, steps = root, 0
    while steps < 3 and node.head is not node:
        if node.dep_ not in ("dobj", "pobj", "prep", "attr", "oprd", "npadvmod", "dative"):
            return None
        node = node.head
        steps += 1
        if node.i in cues.by_token:
            return cues.by_token[node.i]
    return None


def _previous_paragraph_colon(doc: Doc, stretch: QuotedStretch, cues: _Cues) -> Attribution | None:
    """A quote paragraph introduced by the previous paragraph's closing colon.

    "Kuleba said:\\n\\n“We will not give up.”" → Kuleba
    """
    index = doc_index(doc)
    colon = index.prev_nonspace(stretch.outer_start)
    if colon < 0 or index.text[colon] != ":":
        return None
    return cues.last_starting_in(index.paragraph_start(colon), colon + 1)


class _Cues:
    """The attributions with a source, by where their cue starts and by cue
    token, so that the cues near a stretch are found by bisection."""

    def __init__(self, attributions: list[Attribution]) -> None:
        self.items = [a for a in attributions if a.source is not None]
        self.by_token = {a.cue_token.i: a for a in self.items}
        self.order = sorted(range(len(self.items)), key=lambda k: self.items[k].cue.start)
        self.starts = [self.items[k].cue.start for k in self.order]
        self.latest = FirstAbove(self.order)

    def starting_in(self, start: int, end: int) -> list[int]:
        """Positions (in document order) of the cues starting in ``[start, end)``."""
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return self.order[lo:hi]

    def last_starting_in(self, start: int, end: int) -> Attribution | None:
        """The last attribution (in document order) whose cue starts in ``[start, end)``."""
        lo, hi = bisect_left(self.starts, start), bisect_left(self.starts, end)
        return self.items[self.latest.range_max(lo, hi)] if lo < hi else None


def _resolve_overlaps(quotes: list[Quote]) -> list[Quote]:
    """Keep quotes that do not overlap, preferring the earlier-starting, longer,
    surer one ("Kirby said the US warned China that ..." keeps Kirby's)."""
    out: list[Quote] = []
    for quote in sorted(quotes, key=lambda q: (q.start, -q.end, -q.confidence)):
        if out and quote.start < out[-1].end:
            last = out[-1]
            # a surer quote that starts inside a weaker one replaces it
            if quote.confidence > last.confidence + 0.2 and quote.end <= last.end:
                out[-1] = quote
            continue
        out.append(quote)
    return out


def _extend_backwards(doc: Doc, quote: Quote, covered: _Intervals) -> Quote:
    """ "S1. S2, said X.": S1 joins S2 when it is unattributed, in the same
    paragraph, and reads as the speaker's own words (first person).

    "I think it is getting harder. So a trip would not be good, said Haenle."
    """
    if quote.type != "indirect" or quote.cue is None or quote.cue.start < quote.end:
        return quote
    text = doc_text(doc)
    para_start = doc_index(doc).paragraph_start(quote.start)
    if para_start >= quote.start - 1:
        return quote
    # another quote or cue between the paragraph's start and this quote (the
    # quote's own content and cue start later, so they are never among them)
    if covered.any_overlapping(para_start, quote.start):
        return quote
    between = text[para_start : quote.start]
    words = {w.strip(".,;:!?" + MARK_CHARS).lower() for w in between.split()}
    if not words & FIRST_PERSON:
        return quote
    start, _ = trim(text, para_start, quote.start)
    new = CharSpan.of(text, start, quote.end)
    return replace(
        quote, content=new, rule="indirect-extended", confidence=CONFIDENCE["indirect-extended"]
    )


class _Intervals:
    """Fixed intervals ``[a, b)``, sorted by start with the running maximum of
    their ends: whether one overlaps a range is found by bisection."""

    def __init__(self, intervals: list[tuple[int, int]]) -> None:
        ordered = sorted(intervals)
        self.starts = [a for a, _ in ordered]
        self.max_end: list[int] = []
        for _, b in ordered:
            self.max_end.append(max(b, self.max_end[-1]) if self.max_end else b)

    def any_overlapping(self, start: int, end: int) -> bool:
        """True when an interval has ``a < end`` and ``b > start``."""
        k = bisect_left(self.starts, end)
        return k > 0 and self.max_end[k - 1] > start


def _floating_followers(doc: Doc, quotes: list[Quote]) -> list[Quote]:
    """Unmarked sentences that carry on a quote's first-person words.

    "It is something we will watch, Sullivan said. Our position is the same."
    → "Our position is the same" (indirect, floating: speaker resolved later)
    """
    index = doc_index(doc)
    text = index.text
    out: list[Quote] = []
    taken = _Intervals(
        [(q.start, q.end) for q in quotes]
        + [(q.cue.start, q.cue.end) for q in quotes if q.cue is not None]
    )
    added: dict[int, list[tuple[int, int]]] = {}  # followers found, by paragraph
    first_person: dict[tuple[int, int], bool] = {}
    for quote in quotes:
        if quote.type != "indirect" or quote.cue is None or quote.speaker is None:
            continue
        para_end = index.paragraph_end(quote.end)
        anchor = max(quote.end, quote.cue.end)
        sent_end = index.sentence_end_char(anchor)
        if sent_end is None or sent_end >= para_end:
            continue
        rest_start, rest_end = index.trim(sent_end, para_end)
        if rest_end - rest_start < 10:
            continue
        if taken.any_overlapping(rest_start, rest_end) or any(
            a < rest_end and b > rest_start for a, b in added.get(para_end, ())
        ):
            continue
        key = (rest_start, rest_end)
        if key not in first_person:  # quotes of one sentence share their rest
            rest = text[rest_start:rest_end].split()
            words = {w.strip(".,;:!?" + MARK_CHARS).lower() for w in rest}
            first_person[key] = bool(words & FIRST_PERSON)
        if not first_person[key]:
            continue
        out.append(
            Quote(
                type="indirect",
                content=CharSpan.of(text, rest_start, rest_end),
                confidence=CONFIDENCE["indirect-floating"],
                rule="indirect-floating",
            )
        )
        added.setdefault(para_end, []).append((rest_start, rest_end))
    return out


def find_quotes(
    doc: Doc, lexicon: CueLexicon, attributions: list[Attribution] | None = None
) -> list[Quote]:
    """All quotes of ``doc``, sorted by start, never overlapping.

    ``attributions`` replaces the rules' own attribution frames (pass 1) when
    given: the trained model's cues, contents and sources go through the same
    assembly of direct, mixed and indirect quotes.
    """
    with reading(doc):
        return _find_quotes(doc, lexicon, attributions)


def _find_quotes(
    doc: Doc, lexicon: CueLexicon, attributions: list[Attribution] | None
) -> list[Quote]:
    text = doc_text(doc)
    found_stretches = find_quoted_stretches(text)
    stretches = _Stretches(doc, found_stretches)
    if attributions is None:
        inside = [(s.start, s.end) for s in found_stretches]
        attributions = find_attributions(doc, lexicon, inside)
    quotes: list[Quote] = []
    used: set[int] = set()

    attributions = [a for a in attributions if not _in_headline(doc, a.cue.start)]
    attributions = _split_coordinated(doc, _cut_relative_clauses(doc, attributions))
    # clauses of cues: indirect, mixed, or direct when the marks fill the clause
    index = doc_index(doc)
    for att in attributions:
        index.check()
        if att.content is None:
            continue
        pieces = (att.content, *att.more)
        if att.rule == "mental" and not any(stretches.covered(p) > 0 for p in pieces):
            continue  # "Ukraine believes ..." is a belief, not a quote
        for piece in pieces:
            held = stretches.held(piece)
            if stretches.straddle(piece, held):
                continue  # marks straddle the piece's edge: the stretch rules decide
            if held and stretches.unquoted_words(piece, held) < 1:
                continue  # "She said: “We will win.”" — the stretch rules make it direct
            if held:
                # "The message, she said, was “that we lost.”" — words outside the marks
                used.update(held)
                quotes.append(_quote("mixed", _balance_marks(doc, piece), att, "mixed"))
            else:
                quotes.append(_quote("indirect", piece, att, att.rule))

    # quoted stretches not inside a clause
    cues = _Cues(attributions)
    chains: list[list[int]] = []
    for k in range(len(found_stretches)):
        if chains and found_stretches[chains[-1][-1]].continues:
            chains[-1].append(k)
        else:
            chains.append([k])
    for chain in chains:
        index.check()
        members = [k for k in chain if k not in used]
        if not members:
            continue
        found: Attribution | None = None
        for k in chain:
            prev_end = found_stretches[k - 1].outer_end if k > 0 else 0
            next_start = (
                found_stretches[k + 1].outer_start if k + 1 < len(found_stretches) else len(text)
            )
            found = _attribution_for_stretch(
                doc, found_stretches[k], stretches, cues, prev_end, next_start
            )
            if found is not None:
                break
        rule = "direct-cue"
        if found is None:
            found = _previous_paragraph_colon(doc, found_stretches[chain[0]], cues)
        if found is None and len(chain) == 1:
            found = _attribution_governing(doc, found_stretches[chain[0]], cues)
            rule = "direct-object"
        for position, k in enumerate(members):
            stretch = found_stretches[k]
            inner = char_span(doc, stretch.start, stretch.end)
            if inner is None:
                continue
            if found is None:
                if not (_sentence_like(doc, stretch) or len(chain) > 1):
                    continue  # a scare quote or a title
                if not _stands_alone(doc, stretch, found_stretches):
                    continue  # a fragment inside someone's unattributed sentence
                quotes.append(_quote("direct", inner, None, "direct-floating"))
            else:
                this_rule = "direct-continued" if position and rule == "direct-cue" else rule
                quotes.append(_quote("direct", inner, found, this_rule))

    quotes = _resolve_overlaps(quotes)
    covered = _Intervals(
        [(q.start, q.end) for q in quotes]
        + [(q.cue.start, q.cue.end) for q in quotes if q.cue is not None]
    )
    quotes = [_extend_backwards(doc, q, covered) for q in quotes]
    quotes = _resolve_overlaps(quotes + _floating_followers(doc, quotes))
    return quotes


__all__ = ["Attribution", "find_attributions", "find_quotes"]
