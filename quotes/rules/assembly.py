"""Passes 2 and 3: quotes from attributions and quoted stretches.

Quoted stretches inside a content clause make it ``mixed`` (``direct`` when they
fill it); other stretches take the attribution next to them, continue a
multi-paragraph quote, or stand alone as floating quotes; clauses without marks
are ``indirect``, and unattributed first-person sentences around them join them.
The confidence of a quote comes from the rule that produced it
(:data:`CONFIDENCE`).
"""

from __future__ import annotations

from dataclasses import replace

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
    char_span,
    doc_text,
    paragraph_end,
    reading,
    trim,
    word_count,
)

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
    text = doc_text(doc)
    start = text.rfind("\n", 0, pos) + 1
    end = paragraph_end(doc, pos)
    line = text[start:end].strip()
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
    out = []
    for att in attributions:
        content = att.content
        if content is not None:
            for other in attributions:
                tok = other.cue_token
                nested = (
                    tok.dep_ == "relcl"
                    or (tok.dep_ == "advcl" and any(c.dep_ == "mark" for c in tok.children))
                    # "he ordered her to leave, saying he had to ..."
                    or (tok.tag_ == "VBG" and tok.i > 0 and doc[tok.i - 1].text == ",")
                )
                if other is att or not nested or other.source is None or other.content is None:
                    continue
                cut = min(t.idx for t in tok.subtree)
                if content.start < cut < content.end and content.start <= tok.idx < content.end:
                    content = char_span(doc, content.start, cut)
                    if content is None:
                        break
            if content != att.content:
                if content is None or word_count(content.text) < 3:
                    att = replace(att, content=None)
                else:
                    att = replace(att, content=content)
        out.append(att)
    return out


def _balance_marks(text: str, span: CharSpan) -> CharSpan:
    """A mixed quote ending inside its quoted fragment keeps the closing mark
    (settled case S20): 'called the album a “masterpiece”' → 'a “masterpiece”'."""
    opened = sum(span.text.count(m) for m in OPENING_SHAPED)
    closed = sum(span.text.count(m) for m in CLOSING_SHAPED)
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


def _unquoted_words(text: str, span: CharSpan, stretches: list[QuotedStretch]) -> int:
    """Words of ``span`` outside the given quoted stretches."""
    pieces, pos = [], span.start
    for s in sorted(stretches, key=lambda s: s.start):
        pieces.append(text[pos : max(pos, s.outer_start)])
        pos = max(pos, s.outer_end)
    pieces.append(text[pos : span.end])
    words = word_count(" ".join(pieces))
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
    for k, att in enumerate(out):
        if att.content is None or att.source is None:
            continue
        for j, other in enumerate(out):
            tok = other.cue_token
            if (
                j == k
                or other.content is None
                or tok.dep_ != "conj"
                or any(c.dep_ in SUBJECTS for c in tok.children)
                or not (att.content.start <= tok.idx < att.content.end)
            ):
                continue
            cut = min(t.idx for t in tok.subtree)
            first = char_span(doc, att.content.start, cut)
            if first is not None and first.text.lower().endswith((" and", " but")):
                first = char_span(doc, first.start, first.end - 4)
            if first is None or word_count(first.text) < 3:
                continue
            out[k] = att = replace(att, content=first)
            out[j] = replace(other, source=att.source)
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
    text = doc_text(doc)
    para_start = text.rfind("\n", 0, stretch.outer_start) + 1
    para_end = paragraph_end(doc, stretch.end)
    before = text[para_start : stretch.outer_start].rstrip()
    after = text[stretch.outer_end : para_end].lstrip()
    starts_sentence = not before or before[-1] in ".!?…:;)]" or before[-1] in CLOSING_MARKS
    if not starts_sentence:
        return False
    inner = text[stretch.start : stretch.end].rstrip()
    ends_sentence = bool(inner) and inner[-1] in ".!?…,;:—–-"
    return (
        not after
        or after[0] in OPENING_MARKS
        or after[0] in "(—–-"
        or after[0].isupper()
        or (ends_sentence and after[0] in ".!?")
        or word_count(after.split(".")[0]) <= 2
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
        confidence=CONFIDENCE[rule] if confidence is None else confidence,
        rule=rule,
    )


def _gap_is_attribution_only(doc: Doc, start: int, end: int, limit: int, cue: Token) -> bool:
    """True when ``text[start:end]`` is short and holds nothing but the
    attribution: no sentence end, no line break, no other clause.

    “A,” he said / “A,” he was quoted as saying / she joked in her turn to
    answer, “A” — but not “A,” and then the crowd left and he said.
    """
    gap = doc_text(doc)[start:end]
    if "\n" in gap or len(gap.strip()) > limit:
        return False
    span = doc.char_span(start, end, alignment_mode="contract")
    if span is None:
        return not gap.strip(" ,:;—–")
    ancestors = {t.i for t in cue.ancestors}
    for t in span:
        if t.is_punct and t.text in SENTENCE_END:
            return False
        if (
            t.pos_ in VERB_POS
            and t.i not in ancestors
            and any(c.dep_ in SUBJECTS for c in t.children)
        ):
            return False
    return True


def _ends_clause(doc: Doc, stretch: QuotedStretch) -> bool:
    """A quote that its attribution follows ends its clause with punctuation,
    inside or right after the marks: “We will win,” she said / “Go!” he
    shouted — but not: the “peace plan” was rejected; “Days of Heaven” opens."""
    text = doc_text(doc)
    inner = text[stretch.start : stretch.end].rstrip().rstrip(CLOSING_CHARS)
    after = text[stretch.outer_end : stretch.outer_end + 2].lstrip()
    return (bool(inner) and inner[-1] in ",.!?…—–-:;") or after[:1] in (",", "—", "–", ":")


def _inside_any(span: CharSpan, stretches: list[QuotedStretch]) -> bool:
    """True when ``span`` lies mostly inside quotation marks."""
    covered = sum(max(0, min(span.end, s.end) - max(span.start, s.start)) for s in stretches)
    return covered >= 0.5 * len(span)


def _attribution_for_stretch(
    doc: Doc,
    stretch: QuotedStretch,
    stretches: list[QuotedStretch],
    attributions: list[Attribution],
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
    for att in attributions:
        # only cues near the stretch: cheap position tests first
        if att.source is None or not (prev_end <= att.cue.start < next_start):
            continue
        if att.content is not None and not _inside_any(att.content, stretches):
            continue  # the cue has unquoted content of its own
        pos = att.cue.start
        # '“...” Omar Lind said' lacks the comma, but its subject follows the marks
        inverted_or_named = att.source.idx >= stretch.outer_end and pos > att.source.idx
        if (
            stretch.outer_end <= pos < next_start
            and (_ends_clause(doc, stretch) or inverted_or_named)
            and _gap_is_attribution_only(doc, stretch.outer_end, pos, 90, att.cue_token)
        ):
            candidates.append((0, pos - stretch.outer_end, att))
        elif prev_end <= att.cue.end <= stretch.outer_start and _gap_is_attribution_only(
            doc, att.cue.end, stretch.outer_start, 70, att.cue_token
        ):
            candidates.append((1, stretch.outer_start - att.cue.end, att))
    if not candidates:
        return None
    candidates.sort(key=lambda c: (c[0], c[1]))
    return candidates[0][2]


def _attribution_governing(
    doc: Doc, stretch: QuotedStretch, attributions: list[Attribution]
) -> Attribution | None:
    """A cue that takes the quoted phrase as its object.

    "Xi and Putin proclaimed “unlimited friendship”." → proclaimed
    """
    span = doc.char_span(stretch.start, stretch.end, alignment_mode="expand")
    if span is None:
        return None
    root = span.root
    by_token = {att.cue_token.i: att for att in attributions if att.source is not None}
    node, steps = root, 0
    while steps < 3 and node.head is not node:
        if node.dep_ not in ("dobj", "pobj", "prep", "attr", "oprd", "npadvmod", "dative"):
            return None
        node = node.head
        steps += 1
        if node.i in by_token:
            return by_token[node.i]
    return None


def _previous_paragraph_colon(
    doc: Doc, stretch: QuotedStretch, attributions: list[Attribution]
) -> Attribution | None:
    """A quote paragraph introduced by the previous paragraph's closing colon.

    "Kuleba said:\\n\\n“We will not give up.”" → Kuleba
    """
    before = doc_text(doc)[: stretch.outer_start].rstrip()
    if not before.endswith(":"):
        return None
    line_start = before.rfind("\n") + 1
    if doc_text(doc)[line_start : stretch.outer_start].strip() != before[line_start:].strip():
        return None
    candidates = [
        a for a in attributions if line_start <= a.cue.start < len(before) and a.source is not None
    ]
    return candidates[-1] if candidates else None


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


def _extend_backwards(doc: Doc, quote: Quote, covered: list[tuple[int, int]]) -> Quote:
    """ "S1. S2, said X.": S1 joins S2 when it is unattributed, in the same
    paragraph, and reads as the speaker's own words (first person).

    "I think it is getting harder. So a trip would not be good, said Haenle."
    """
    if quote.type != "indirect" or quote.cue is None or quote.cue.start < quote.end:
        return quote
    text = doc_text(doc)
    para_start = text.rfind("\n", 0, quote.start) + 1
    if para_start >= quote.start - 1:
        return quote
    between = text[para_start : quote.start]
    if any(a < quote.start and b > para_start for a, b in covered):
        return quote
    words = {w.strip(".,;:!?" + MARK_CHARS).lower() for w in between.split()}
    if not words & FIRST_PERSON:
        return quote
    start, _ = trim(text, para_start, quote.start)
    new = CharSpan.of(text, start, quote.end)
    return replace(
        quote, content=new, rule="indirect-extended", confidence=CONFIDENCE["indirect-extended"]
    )


def _floating_followers(doc: Doc, quotes: list[Quote]) -> list[Quote]:
    """Unmarked sentences that carry on a quote's first-person words.

    "It is something we will watch, Sullivan said. Our position is the same."
    → "Our position is the same" (indirect, floating: speaker resolved later)
    """
    text = doc_text(doc)
    out: list[Quote] = []
    taken = sorted((q.start, q.end) for q in quotes)
    attribution_marks = sorted((q.cue.start, q.cue.end) for q in quotes if q.cue is not None)
    for quote in quotes:
        if quote.type != "indirect" or quote.cue is None or quote.speaker is None:
            continue
        para_end = paragraph_end(doc, quote.end)
        anchor = max(quote.end, quote.cue.end)
        sent_end = next(
            (s.end_char for s in doc.sents if s.start_char <= anchor < s.end_char), None
        )
        if sent_end is None or sent_end >= para_end:
            continue
        rest_start, rest_end = trim(text, sent_end, para_end)
        if rest_end - rest_start < 10:
            continue
        if any(a < rest_end and b > rest_start for a, b in taken + attribution_marks):
            continue
        words = {w.strip(".,;:!?" + MARK_CHARS).lower() for w in text[rest_start:rest_end].split()}
        if not words & FIRST_PERSON:
            continue
        out.append(
            Quote(
                type="indirect",
                content=CharSpan.of(text, rest_start, rest_end),
                confidence=CONFIDENCE["indirect-floating"],
                rule="indirect-floating",
            )
        )
        taken.append((rest_start, rest_end))
    return out


def find_quotes(doc: Doc, lexicon: CueLexicon) -> list[Quote]:
    """All quotes of ``doc``, sorted by start, never overlapping."""
    with reading(doc):
        return _find_quotes(doc, lexicon)


def _find_quotes(doc: Doc, lexicon: CueLexicon) -> list[Quote]:
    text = doc_text(doc)
    stretches = find_quoted_stretches(text)
    inside = [(s.start, s.end) for s in stretches]
    attributions = find_attributions(doc, lexicon, inside)
    quotes: list[Quote] = []
    used: set[int] = set()

    attributions = [a for a in attributions if not _in_headline(doc, a.cue.start)]
    attributions = _split_coordinated(doc, _cut_relative_clauses(doc, attributions))
    # clauses of cues: indirect, mixed, or direct when the marks fill the clause
    for att in attributions:
        if att.content is None:
            continue
        pieces = (att.content, *att.more)
        if att.rule == "mental" and not any(
            s.start < p.end and s.end > p.start for p in pieces for s in stretches
        ):
            continue  # "Ukraine believes ..." is a belief, not a quote
        for piece in pieces:
            held = [
                k
                for k, s in enumerate(stretches)
                if s.start >= piece.start - 1 and s.end <= piece.end + 1
            ]
            if any(
                s.start < piece.end and s.end > piece.start and k not in held
                for k, s in enumerate(stretches)
            ):
                continue  # marks straddle the piece's edge: the stretch rules decide
            if held and _unquoted_words(text, piece, [stretches[k] for k in held]) < 1:
                continue  # "She said: “We will win.”" — the stretch rules make it direct
            if held:
                # "The message, she said, was “that we lost.”" — words outside the marks
                used.update(held)
                quotes.append(_quote("mixed", _balance_marks(text, piece), att, "mixed"))
            else:
                quotes.append(_quote("indirect", piece, att, att.rule))

    # quoted stretches not inside a clause
    chains: list[list[int]] = []
    for k in range(len(stretches)):
        if chains and stretches[chains[-1][-1]].continues:
            chains[-1].append(k)
        else:
            chains.append([k])
    for chain in chains:
        members = [k for k in chain if k not in used]
        if not members:
            continue
        found: Attribution | None = None
        for k in chain:
            prev_end = stretches[k - 1].outer_end if k > 0 else 0
            next_start = stretches[k + 1].outer_start if k + 1 < len(stretches) else len(text)
            found = _attribution_for_stretch(
                doc, stretches[k], stretches, attributions, prev_end, next_start
            )
            if found is not None:
                break
        rule = "direct-cue"
        if found is None:
            found = _previous_paragraph_colon(doc, stretches[chain[0]], attributions)
        if found is None and len(chain) == 1:
            found = _attribution_governing(doc, stretches[chain[0]], attributions)
            rule = "direct-object"
        for position, k in enumerate(members):
            stretch = stretches[k]
            inner = char_span(doc, stretch.start, stretch.end)
            if inner is None:
                continue
            if found is None:
                if not (_sentence_like(doc, stretch) or len(chain) > 1):
                    continue  # a scare quote or a title
                if not _stands_alone(doc, stretch, stretches):
                    continue  # a fragment inside someone's unattributed sentence
                quotes.append(_quote("direct", inner, None, "direct-floating"))
            else:
                this_rule = "direct-continued" if position and rule == "direct-cue" else rule
                quotes.append(_quote("direct", inner, found, this_rule))

    quotes = _resolve_overlaps(quotes)
    covered = [(q.start, q.end) for q in quotes] + [
        (q.cue.start, q.cue.end) for q in quotes if q.cue is not None
    ]
    quotes = [
        _extend_backwards(
            doc,
            q,
            [
                c
                for c in covered
                if c != (q.start, q.end) and (q.cue is None or c != (q.cue.start, q.cue.end))
            ],
        )
        for q in quotes
    ]
    quotes = _resolve_overlaps(quotes + _floating_followers(doc, quotes))
    return quotes


__all__ = ["Attribution", "find_attributions", "find_quotes"]
