"""Pass 1: attribution frames, a cue with its source and (where the syntax shows
it) its content.

Cues are verbs of ``data/cue_verbs.txt``, speech nouns (``raised concerns that
...``) and "according to"; each gets its source (subject, passive agent, object
of "according to", inherited through coordination and participles) and its
content from :mod:`quotes.rules.frames`.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from itertools import islice

from spacy.tokens import Doc, Token

from ..cues import CueLexicon, CueVerb
from ..resources import word_set
from ..types import CharSpan
from .frames import CONTENT_FRAMES, Content, clause_content, colon_frame, is_statement
from .text import (
    CLOSING_MARKS,
    SUBJECTS,
    VERB_POS,
    char_span,
    children,
    doc_index,
    doc_text,
    token_range_span,
)

NOT_SOURCES = frozenset(
    {"that", "this", "these", "those", "which", "what", "any", "each", "either", "neither"}
)

DENIALS = frozenset(
    {"reject", "deny", "dismiss", "dispute", "refute", "rebut", "counter", "challenge", "question"}
)

REFUSALS = frozenset({"decline", "refuse", "fail", "avoid", "hesitate", "neglect"})


@dataclass(frozen=True)
class Attribution:
    """A cue with its source and (when the syntax shows it) its content clause."""

    cue: CharSpan
    cue_token: Token
    source: Token | None
    content: CharSpan | None
    rule: str
    verb: CueVerb | None = None
    more: tuple[CharSpan, ...] = ()  # further pieces of an interrupted content
    confidence: float | None = None  # the model's probability; None: the rule's constant

    @property
    def sort_key(self) -> int:
        return self.cue.start


def _source_of(verb: Token) -> Token | None:
    """The speaker head of a cue verb (once per verb and document: inheriting
    climbs chains of verbs, ", saying ..., adding ..., noting ...")."""
    index = doc_index(verb.doc)
    found = index.cached("source-of", verb.i, lambda: _find_source_of(verb))
    return None if found is None else verb.doc[found]


def _find_source_of(verb: Token) -> int | None:
    """The index of the speaker head of a cue verb.

    - subject: "Peskov said ..." → Peskov
    - agent of a passive: "... was announced by the ministry" → ministry
    - inherited through coordination or participles: "Kirby informed Xi ...,
      and complained that ..." / "Wang became evasive, saying that ..." → Kirby / Wang
    """
    for child in children(verb):
        if child.dep_ in ("nsubj", "csubj") and child.tag_ not in ("EX",):
            # "Mr Kuleba, who in turn said ..." → Kuleba
            if child.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
                return verb.head.i
            return child.i
    # "... the Harbour Gazette Lind said that": a misparsed name right before
    # the cue is its subject when the cue has none
    # (the tagger also reads '“...,” Okafor said' as an auxiliary "Okafor")
    if not any(c.dep_ in SUBJECTS for c in children(verb)) and verb.i > 0:
        prev = verb.doc[verb.i - 1]
        named = prev.ent_type_ in ("PERSON", "ORG") or (
            prev.is_title and prev.pos_ in ("PROPN", "AUX") and not prev.is_sent_start
        )
        if named and prev.dep_ in ("pobj", "compound", "dobj", "aux", "npadvmod", "nmod", "advmod"):
            return prev.i
    # '“Not today!” shouted coach Mia Holt': after a quote, the inverted
    # subject may be read as an object
    if not any(c.dep_ in SUBJECTS for c in children(verb)) and verb.i > 0:
        before = verb.doc[verb.i - 1]
        after_quote = before.text in CLOSING_MARKS or (
            before.text in ",—–" and verb.i > 1 and verb.doc[verb.i - 2].text in CLOSING_MARKS
        )
        if after_quote:
            for child in children(verb):
                if (
                    child.i > verb.i
                    and child.dep_ in ("dobj", "attr", "npadvmod", "oprd")
                    and (child.ent_type_ in ("PERSON", "ORG") or child.pos_ == "PROPN")
                ):
                    return child.i
    # "he was quoted as saying": the passive subject of "quote" is the source
    if verb.lemma_ == "quote":
        for child in children(verb):
            if child.dep_ == "nsubjpass":
                return child.i
    for child in children(verb):
        if child.dep_ == "agent":
            for pobj in children(child):
                if pobj.dep_ == "pobj":
                    return pobj.i
    # "a position paper calling for ...": the noun a participle describes;
    # "China’s proposals called for talks." misparsed as a reduced relative
    # of a verbless sentence: the noun is the subject
    if (
        verb.dep_ == "acl"
        and verb.head.pos_ in ("NOUN", "PROPN")
        and (verb.tag_ == "VBG" or verb.head.dep_ == "ROOT")
    ):
        return verb.head.i
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head is not verb:
        # "met Kuleba to call for talks" (purpose) and "..., saying" inherit the subject
        purpose = any(c.dep_ == "aux" and c.lower_ == "to" for c in children(verb))
        if verb.dep_ == "advcl" and verb.tag_ != "VBG" and not purpose:
            return None
        return _index(_source_of(verb.head)) if verb.head.pos_ in VERB_POS else None
    # "..., claiming that ..." hung under a noun: the nearest clause's subject
    if verb.tag_ == "VBG":
        for ancestor in islice(verb.ancestors, 4):
            if ancestor.pos_ in VERB_POS:
                return _index(_source_of(ancestor))
    return None


def _index(token: Token | None) -> int | None:
    return None if token is None else token.i


def _is_pronoun_it(token: Token) -> bool:
    return token.lower_ in ("it", "this", "that", "there")


def _cue_source(tok: Token) -> Token | None:
    """The source of a cue verb, with what is never a source filtered out."""
    source = _source_of(tok)
    # "issued a memo Monday saying that ...": a date is no source; the
    # clause's subject is
    if source is not None and source.ent_type_ in ("DATE", "TIME"):
        verb = next((a for a in source.ancestors if a.pos_ in VERB_POS), None)
        source = _source_of(verb) if verb is not None else None
    if source is not None and _is_pronoun_it(source) and source.dep_ != "nsubj":
        source = None
    # "That supported ...", "any of them called ...": not a source of words
    if source is not None and source.lower_ in NOT_SOURCES:
        source = None
    return source


def reports_nothing(tok: Token, verb: CueVerb, source: Token | None) -> bool:
    """A cue that reports no speech, whatever its clause says (the guidelines'
    exclusions, shared by the rules and the model)."""
    # "did not say that ...", "never claimed ...": a negated cue reports nothing
    if any(c.dep_ == "neg" for c in children(tok)) or (tok.is_upper and len(tok) > 1):
        return True
    # "declined to criticize", "refused to comment": nothing was said
    if tok.dep_ == "xcomp" and tok.head.lemma_ in REFUSALS:
        return True
    if source is None:
        return False
    # "reporters asked whether ...": a reporter's question is not a quote
    if verb.takes_question and source.lower_ in word_set("reporter_nouns.txt"):
        return True
    # "The study found that ...": a finding of a document, not speech
    return verb.weak and source.lower_ in word_set("document_nouns.txt")


def _verb_frame(doc: Doc, tok: Token, verb: CueVerb, lexicon: CueLexicon) -> Attribution | None:
    """The attribution frame of a cue verb, if it has a source or a content."""
    source = _cue_source(tok)
    if reports_nothing(tok, verb, source):
        return None
    cue = CharSpan.of(doc_text(doc), tok.idx, tok.idx + len(tok))
    # particle verbs: "pointed out", "called for"
    for child in children(tok):
        if child.dep_ == "prt" and child.i == tok.i + 1:
            cue = CharSpan.of(doc_text(doc), tok.idx, child.idx + len(child))
    found = next(
        (f for frame in CONTENT_FRAMES if (f := frame(doc, tok, verb, source, lexicon))), None
    )
    if found is None or found.content is None:
        found = colon_frame(doc, tok) or found or Content(None)
    content, more = found.content, found.more
    rule = found.rule or ("indirect-weak" if verb.weak else "indirect-clause")
    cue = found.cue or cue

    short = rule in ("indirect-object", "indirect-infinitive", "indirect-relative")
    content = _clip_to_paragraph(doc, content, cue, min_words=2 if short else 3)
    if verb.mental:
        rule = "mental"  # kept only when its clause holds quoted words
    if rule in ("indirect-clause", "indirect-weak") and not is_statement(
        doc, content, verb.takes_question
    ):
        content = None
    # indirect speech needs a source: "she was told he had months to live" has none
    if source is None and rule != "indirect-colon":
        content = None
    if source is None and content is None:
        return None
    if verb.manner_only and content is not None:
        rule = "indirect-weak"
    more = tuple(p for p in more if _clip_to_paragraph(doc, p, cue, min_words=1) == p)
    if content is None:
        more = ()
    return Attribution(cue, tok, source, content, rule, verb, more)


def _source_phrase_at(doc: Doc, tok: Token, lexicon: CueLexicon) -> int:
    """The length in tokens of the source phrase of ``data/cue_phrases.txt`` that
    starts at ``tok`` ("according to", "as per", "in the words of"), or 0."""
    first = tok.lower_
    for phrase in lexicon.source_phrases:  # longest first
        if phrase[0] != first:  # most tokens start no phrase: one comparison each
            continue
        end = tok.i + len(phrase)
        if end <= len(doc) and all(doc[tok.i + k].lower_ == word for k, word in enumerate(phrase)):
            return len(phrase)
    return 0


def _according_to_frame(doc: Doc, tok: Token, length: int = 2) -> Attribution | None:
    """ "According to X, C" / "C, according to X", and the other source phrases
    of ``data/cue_phrases.txt`` (``length`` tokens from ``tok``, the last one the
    preposition of the source).

    "Tuesday will be the day of negotiations, according to the spokesman." →
    content "Tuesday will be the day of negotiations", source "the spokesman";
    "As per the ministry, the road is closed." → "the road is closed", "the ministry".
    """
    nxt = doc[tok.i + length - 1] if tok.i + length - 1 < len(doc) else None
    if nxt is None or (length == 2 and tok.lower_ == "according" and nxt.lower_ != "to"):
        return None
    pobjs = [c for c in children(nxt) if c.dep_ == "pobj"] or [
        c for c in children(tok) if c.dep_ == "pobj"
    ]
    if not pobjs:
        return None
    source = pobjs[0]
    cue = CharSpan.of(doc_text(doc), tok.idx, nxt.idx + len(nxt))
    clause = tok.head
    pp_first, pp_last = tok.left_edge.i, max(tok.right_edge.i, nxt.right_edge.i)
    sent_start, sent_end = doc_index(doc).sentence_of(tok.i)  # Token.sent walks the sentence
    if pp_first <= sent_start + 1:
        # "According to X, C": content follows the phrase to the sentence end
        content = token_range_span(doc, pp_last + 1, sent_end - 1)
    else:
        first = clause.left_edge.i if clause.i < tok.i else sent_start
        first = max(first, sent_start)
        content = token_range_span(doc, first, pp_first - 1)
    content = _clip_to_paragraph(doc, content, cue)
    if content is None:
        return None
    return Attribution(cue, tok, source, content, "indirect-according-to")


def _clip_to_paragraph(
    doc: Doc, content: CharSpan | None, cue: CharSpan, min_words: int = 3
) -> CharSpan | None:
    """Content stays in its cue's paragraph, outside the cue, and is a clause
    of three words or more ("Recommended\n\nAnalysts said ..." is no cue of
    the next paragraph)."""
    if content is None:
        return None
    index = doc_index(doc)
    para_start = index.paragraph_start(cue.start)
    para_end = index.paragraph_end(cue.end)
    start, end = max(content.start, para_start), min(content.end, para_end)
    if start < cue.end and end > cue.start:
        return None
    clipped = char_span(doc, start, end) if end > start else None
    if clipped is None or index.word_count(clipped.start, clipped.end) < min_words:
        return None
    return clipped


def _noun_frame(doc: Doc, tok: Token) -> Attribution | None:
    """A speech noun with its "that" clause, voiced by the subject of the verb
    that governs it.

    "The union raised concerns that the bridge is unsafe." → content "the bridge
    is unsafe", cue "raised concerns", source "The union".
    """
    clauses = [
        c
        for c in children(tok)
        if c.dep_ in ("acl", "ccomp", "relcl")
        and c.i > tok.i
        and any(m.dep_ == "mark" and m.lower_ == "that" for m in children(c))
    ]
    verb = tok.head
    if not clauses or tok.dep_ not in ("dobj", "pobj") or verb.pos_ not in VERB_POS:
        return None
    if tok.dep_ == "pobj":
        verb = verb.head
    source = _cue_source(verb) if verb.pos_ in VERB_POS else None
    if source is None or any(c.dep_ == "neg" for c in children(verb)):
        return None
    # "He rejected the claim that the plan failed": the claim is someone else's
    if verb.lemma_ in DENIALS:
        return None
    first = verb if verb.i < tok.i and tok.i - verb.i <= 3 else tok
    cue = CharSpan.of(doc_text(doc), first.idx, tok.idx + len(tok))
    content = _clip_to_paragraph(doc, clause_content(doc, clauses[0]), cue)
    if not is_statement(doc, content):
        return None
    return Attribution(cue, tok, source, content, "indirect-noun")


def find_attributions(
    doc: Doc, lexicon: CueLexicon, inside_marks: list[tuple[int, int]]
) -> list[Attribution]:
    """Every attribution frame of ``doc`` whose cue is outside quotation marks."""
    starts = [s for s, _ in inside_marks]
    found: list[Attribution] = []
    index = doc_index(doc)
    for tok in index.tokens:  # Token objects made once per document
        if tok.i % 512 == 0:
            index.check()
        # cues inside a quotation belong to the quoted speaker's words
        k = bisect.bisect_right(starts, tok.idx) - 1
        if k >= 0 and inside_marks[k][0] <= tok.idx < inside_marks[k][1]:
            continue
        frame: Attribution | None = None
        if (tok.lower_ == "according" and tok.pos_ != "VERB") or (
            tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to"
        ):
            frame = _according_to_frame(doc, tok)
        elif (length := _source_phrase_at(doc, tok, lexicon)) > 0:
            frame = _according_to_frame(doc, tok, length)
        elif tok.pos_ == "NOUN" and tok.lemma_.lower() in lexicon.nouns:
            frame = _noun_frame(doc, tok)
        elif tok.pos_ in VERB_POS and (verb := lexicon.verb(tok.lemma_, tok.text)) is not None:
            if (
                tok.dep_ in ("amod", "compound", "relcl", "acl")
                and tok.tag_ in ("VBN", "JJ")
                and tok.head.dep_ != "ROOT"
            ):
                continue  # "the announced partnership", "a statement released"
            frame = _verb_frame(doc, tok, verb, lexicon)
        if frame is not None:
            found.append(frame)
    return found
