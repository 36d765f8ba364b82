"""Detection rules as small functions over a parsed spaCy Doc.

The rules work in three passes over one document:

1. :func:`find_attributions` reads the parse for attribution frames: a cue
   (``said``, ``told``, ``according to``), its source (the speaker head) and,
   where the syntax gives one, its content. The content frames of a cue verb
   are the ``*_frame`` functions of :data:`CONTENT_FRAMES`, tried in order
   (a clausal complement, a preceding clause, a parenthetical attribution, an
   infinitive, a prepositional or direct object), then a colon. Which frames a
   verb takes is data: the tags of ``data/cue_verbs.txt``.
2. Quoted stretches (from :mod:`quotes.marks`) inside a content clause make it
   ``mixed``, or ``direct`` when they fill it; other stretches look for an
   attribution next to them (``“A,” he said`` / ``he said: “A”``), continue a
   multi-paragraph quote, or stand alone as a floating quote when they read as
   a sentence; short unattributed stretches are scare quotes and dropped.
3. Content clauses with no marks are ``indirect``; unattributed sentences
   around them join them when the text shows they are the same speaker's.

Every rule names its construction with an example sentence, and the
confidence of a quote comes from the rule that produced it (:data:`CONFIDENCE`).
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace

from spacy.tokens import Doc, Token

from .cues import CueLexicon, CueVerb
from .marks import QuotedStretch, find_quoted_stretches
from .resources import word_set
from .speakers import mention_span
from .types import CharSpan, Quote, QuoteType

# Dependency labels (ClearNLP, as in spaCy's English pipelines).
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})
# A verb cue needs a verb tag: "the said report" or "a call" are not cues.
VERB_POS = frozenset({"VERB", "AUX"})
NOT_SOURCES = frozenset(
    {"that", "this", "these", "those", "which", "what", "any", "each", "either", "neither"}
)
DENIALS = frozenset(
    {"reject", "deny", "dismiss", "dispute", "refute", "rebut", "counter", "challenge", "question"}
)
REFUSALS = frozenset({"decline", "refuse", "fail", "avoid", "hesitate", "neglect"})
QUESTION_WORDS = frozenset({"whether", "if", "what", "how", "why", "when", "where", "who", "which"})
FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
FIRST_PERSON = frozenset(
    {"i", "we", "me", "us", "my", "our", "mine", "ours", "myself", "ourselves"}
)
# Edge characters never part of a content span.
EDGE_PUNCT = " \t\n\u00a0.,;:—–-\"'“”‘’«»„‚‹›"
SENTENCE_END = ".!?…"
CLOSING_MARKS = frozenset('”»’"')

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

    @property
    def sort_key(self) -> int:
        return self.cue.start


# --- small helpers ------------------------------------------------------------

_last_text: list[tuple[Doc, str]] = []


def _text(doc: Doc) -> str:
    """``doc.text``, built once per document: spaCy joins the tokens anew on
    every access, which made the rules cost more than the parse."""
    if _last_text and _last_text[0][0] is doc:
        return _last_text[0][1]
    text = doc.text
    _last_text[:] = [(doc, text)]
    return text


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past edge punctuation, white space and marks."""
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in EDGE_PUNCT:
        end -= 1
    return start, end


def _char_span(doc: Doc, start: int, end: int) -> CharSpan | None:
    """A trimmed span of the doc's text, or None when nothing is left."""
    start, end = _trim(_text(doc), start, end)
    if end - start < 2:
        return None
    return CharSpan.of(_text(doc), start, end)


def _token_range_span(doc: Doc, first: int, last: int) -> CharSpan | None:
    """The text of tokens ``first..last`` (inclusive), trimmed."""
    if first > last:
        return None
    return _char_span(doc, doc[first].idx, doc[last].idx + len(doc[last]))


def _source_of(verb: Token) -> Token | None:
    """The speaker head of a cue verb.

    - subject: "Peskov said ..." → Peskov
    - agent of a passive: "... was announced by the ministry" → ministry
    - inherited through coordination or participles: "Kirby informed Xi ...,
      and complained that ..." / "Wang became evasive, saying that ..." → Kirby / Wang
    """
    for child in verb.children:
        if child.dep_ in ("nsubj", "csubj") and child.tag_ not in ("EX",):
            # "Mr Kuleba, who in turn said ..." → Kuleba
            if child.tag_ in ("WP", "WDT") and verb.dep_ == "relcl":
                return verb.head
            return child
    # "... the Washington Post Trump said that": a misparsed name right before
    # the cue is its subject when the cue has none
    # (the tagger also reads '“...,” DeBoer said' as an auxiliary "DeBoer")
    if not any(c.dep_ in SUBJECTS for c in verb.children) and verb.i > 0:
        prev = verb.doc[verb.i - 1]
        named = prev.ent_type_ in ("PERSON", "ORG") or (
            prev.is_title and prev.pos_ in ("PROPN", "AUX") and not prev.is_sent_start
        )
        if named and prev.dep_ in ("pobj", "compound", "dobj", "aux", "npadvmod", "nmod", "advmod"):
            return prev
    # '“Not the end!” shouted coach Len Ward': after a quote, the inverted
    # subject may be read as an object
    if not any(c.dep_ in SUBJECTS for c in verb.children) and verb.i > 0:
        before = verb.doc[verb.i - 1]
        after_quote = before.text in "”\"'’»" or (
            before.text in ",—–" and verb.i > 1 and verb.doc[verb.i - 2].text in "”\"'’»"
        )
        if after_quote:
            for child in verb.children:
                if (
                    child.i > verb.i
                    and child.dep_ in ("dobj", "attr", "npadvmod", "oprd")
                    and (child.ent_type_ in ("PERSON", "ORG") or child.pos_ == "PROPN")
                ):
                    return child
    # "he was quoted as saying": the passive subject of "quote" is the source
    if verb.lemma_ == "quote":
        for child in verb.children:
            if child.dep_ == "nsubjpass":
                return child
    for child in verb.children:
        if child.dep_ == "agent":
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    return pobj
    # "a position paper calling for ...": the noun a participle describes;
    # "China’s proposals called for talks." misparsed as a reduced relative
    # of a verbless sentence: the noun is the subject
    if (
        verb.dep_ == "acl"
        and verb.head.pos_ in ("NOUN", "PROPN")
        and (verb.tag_ == "VBG" or verb.head.dep_ == "ROOT")
    ):
        return verb.head
    if verb.dep_ in ("conj", "advcl", "xcomp") and verb.head is not verb:
        # "met Kuleba to call for talks" (purpose) and "..., saying" inherit the subject
        purpose = any(c.dep_ == "aux" and c.lower_ == "to" for c in verb.children)
        if verb.dep_ == "advcl" and verb.tag_ != "VBG" and not purpose:
            return None
        return _source_of(verb.head) if verb.head.pos_ in VERB_POS else None
    # "..., claiming that ..." hung under a noun: the nearest clause's subject
    if verb.tag_ == "VBG":
        for ancestor in list(verb.ancestors)[:4]:
            if ancestor.pos_ in VERB_POS:
                return _source_of(ancestor)
    return None


def _is_pronoun_it(token: Token) -> bool:
    return token.lower_ in ("it", "this", "that", "there")


# --- pass 1: attribution frames ------------------------------------------------


def _clause_content(doc: Doc, head: Token) -> CharSpan | None:
    """Content of a clause headed by ``head``: its subtree without "that".

    "Peskov said (that) Tuesday will be the day of negotiations." → "Tuesday
    will be the day of negotiations"
    """
    first, last = head.left_edge.i, head.right_edge.i
    while first <= last and (
        (doc[first].dep_ == "mark" and doc[first].lower_ in ("that", "whether", "if"))
        or doc[first].is_punct
    ):
        # "said whether ..." keeps its "whether": only "that" is dropped
        if doc[first].lower_ in ("whether", "if"):
            break
        first += 1
    return _token_range_span(doc, first, last)


def _without_adjuncts(doc: Doc, head: Token, last: int) -> int:
    """``last`` moved before trailing time and place adjuncts of ``head``.

    "described Putin as his best friend in 2019" → "... his best friend";
    "proclaimed “unlimited friendship” at the opening" → "“unlimited friendship”"
    """
    for child in sorted(head.children, key=lambda c: c.i):
        if child.i <= head.i or child.dep_ != "prep" or child.right_edge.i != last:
            continue
        objects = [c for c in child.children if c.dep_ == "pobj"]
        timely = any(o.ent_type_ in ("DATE", "TIME", "EVENT") for o in objects)
        if child.lower_ in ("at", "during", "since") or timely:
            end = child.i - 1
            while end > head.i and (doc[end].is_punct and doc[end].text in ",;"):
                end -= 1
            return end
    return last


def _colon_follows(doc: Doc, tok: Token) -> bool:
    """ "X said: C" or "X told reporters: C"."""
    if tok.i + 1 < len(doc) and doc[tok.i + 1].text == ":":
        return True
    return (
        tok.i + 2 < len(doc)
        and doc[tok.i + 2].text == ":"
        and doc[tok.i + 1].dep_ in ("dobj", "dative", "npadvmod")
    )


def _prepositional_object(tok: Token, prepositions: frozenset[str]) -> Token | None:
    """The object of the cue's preposition: "called for [peace talks]"."""
    for child in tok.children:
        if child.dep_ in ("prep", "prt") and child.lower_ in prepositions and child.i > tok.i:
            for grandchild in child.children:
                if grandchild.dep_ in ("pobj", "pcomp"):
                    return grandchild
    return None


def _set_off(doc: Doc, cue: Token) -> bool:
    """The attribution is set off by a comma or dash: "A, X said, B"."""
    first = min(t.i for t in cue.subtree)
    if doc[first].text in ",—–":
        return True
    prev = first - 1
    while prev >= 0 and doc[prev].is_space:
        prev -= 1
    return prev >= 0 and doc[prev].text in ",—–”’\"'"


def _pieces_around(doc: Doc, clause: Token, cue: Token) -> list[CharSpan]:
    """The clause's words before and after its attribution, as content pieces.

    "Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt." →
    "Lenox was a juggernaut" and "until it went bankrupt"; "Putin will meet Xi,
    Peskov said." → "Putin will meet Xi". The longer piece comes first.
    """
    attr = [t.i for t in cue.subtree]
    attr_start, attr_end = min(attr), max(attr)
    left = _token_range_span(doc, clause.left_edge.i, attr_start - 1)
    right = (
        _token_range_span(doc, attr_end + 1, clause.right_edge.i)
        if clause.right_edge.i > attr_end
        else None
    )
    if left is not None and _word_count(left.text) < 1:
        left = None
    if right is not None and _word_count(right.text) < 2:
        right = None
    pieces = [p for p in (left, right) if p is not None]
    if not pieces or sum(_word_count(p.text) for p in pieces) < 3:
        return []
    return sorted(pieces, key=len, reverse=True)


def _separated(doc: Doc, clause_end: int, cue: Token, source: Token | None) -> bool:
    """True when only punctuation and the attribution itself follow the clause.

    "Putin will meet Xi on Monday, Peskov said." → yes (", Peskov said")
    "... lethal assistance, a charge Beijing denies." → no ("a charge" is an object)
    """
    source_tokens = {t.i for t in source.subtree} if source is not None else set()
    seen_punct = False
    for t in doc[clause_end + 1 : cue.i]:
        if t.is_punct or t.is_space:
            seen_punct = seen_punct or t.text in ",—–:;”’\"'"
            continue
        if t.i in source_tokens:
            continue
        if t.head == cue and t.dep_ in ("advmod", "npadvmod", "aux", "neg", "prep"):
            continue
        if t.head.i in source_tokens or (t.head == cue and t.dep_ == "pobj"):
            continue
        # "..., Peskov said on Friday": prepositional modifiers of the cue
        if (
            any(a.i == cue.i for a in t.ancestors)
            and t.dep_ in ("pobj", "det", "compound", "amod")
            and t.head.dep_ == "prep"
        ):
            continue
        return False
    return seen_punct


def _is_attributed_clause(head: Token, lexicon: CueLexicon) -> bool:
    """A clause that is itself an attribution: "Zelensky said he wanted ..."
    cannot be the content of a later "..., he said"."""
    verb = lexicon.verb(head.lemma_, head.text)
    return (
        verb is not None
        and not (verb.weak or verb.mental or verb.direct_only)
        and any(c.dep_ in SUBJECTS for c in head.children)
        and any(c.dep_ in ("ccomp", "xcomp") and c.i > head.i for c in head.children)
    )


def _is_statement(doc: Doc, content: CharSpan | None, questions: bool = False) -> bool:
    """A reported statement is a finite clause, not a question or a phrase.

    "said the plan would fail" → yes; "asked whether it would fail" → no
    (an embedded question, except for verbs that put or answer one: "questioned
    whether he was ready", "explained how it works"); "he said, eyes welling
    up with tears" → no.
    """
    if content is None:
        return False
    span = doc.char_span(content.start, content.end, alignment_mode="expand")
    if span is None:
        return False
    before = _text(doc)[max(0, content.start - 8) : content.start].lower()
    first = span[0]
    # an embedded question opens with its own wh-word or "if"/"whether": "asked
    # whether it would fail"; "said if Xi called, he could sell the trip" opens
    # with a conditional clause instead, whose "if" hangs lower in the tree
    opens_question = first.lower_ in QUESTION_WORDS and (
        first.head == span.root or first == span.root or first.lower_ != "if"
    )
    if opens_question and "that" not in before and not questions:
        return False
    return any(
        t.tag_ in FINITE_TAGS
        # the tagger reads "that claim smacked of" as a participle
        or (t.tag_ == "VBN" and any(c.dep_ == "nsubj" for c in t.children))
        for t in span
    )


@dataclass(frozen=True)
class _Content:
    """What a content frame found: the content (None: the frame applies but
    yields nothing), further pieces, the rule, and a wider cue if any."""

    content: CharSpan | None
    rule: str | None = None
    more: tuple[CharSpan, ...] = ()
    cue: CharSpan | None = None


def _direct_only_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "He continued: ..." — such verbs take no clause, only a colon or marks."""
    return _Content(None) if verb.direct_only else None


def _complement_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "X said (that) C": a clausal complement after the cue.

    An unmarked "advcl" with a subject is a misparsed complement: "Trump said
    after the convention he would not accept ...".
    """
    for c in tok.children:
        if c.i > tok.i and (
            c.dep_ == "ccomp"
            or (
                c.dep_ == "advcl"
                and not any(m.dep_ == "mark" for m in c.children)
                and any(m.dep_ == "nsubj" for m in c.children)
                and c.tag_ in FINITE_TAGS | {"VB"}
            )
        ):
            if c.left_edge.i < tok.i:
                # "The delay, which experts say helps nobody, ...": the clause's
                # relative pronoun stands before the cue; the words after it are content
                last = c.right_edge.i
                return _Content(_token_range_span(doc, tok.i + 1, last), "indirect-relative")
            return _Content(_clause_content(doc, c))
    return None


def _misparsed_complement_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """The complement clause where the parser hung it elsewhere.

    - under a participle: "DeBoer said having Karlsson back was a boost"
      (xcomp "having" holding the finite clause);
    - under the noun of a cue's own phrase: "He said in a statement that the
      king would be sworn in" (the clause read as the noun's modifier);
    - above the cue: "McNeely said disease can complicate a relationship"
      (the cue read as an adverb of the clause that follows it).
    """
    if verb.direct_only:
        return None
    for c in tok.children:
        if (
            c.dep_ == "xcomp"
            and c.i == tok.i + 1
            and c.tag_ == "VBG"
            and not any(a.dep_ == "aux" for a in c.children)
            and any(t.tag_ in FINITE_TAGS for t in c.subtree)
        ):
            return _Content(_token_range_span(doc, c.i, c.right_edge.i))
        if c.dep_ == "prep" and c.i > tok.i:
            for pobj in c.children:
                for clause in pobj.children:
                    if clause.dep_ in ("acl", "relcl", "ccomp") and any(
                        m.dep_ == "mark" and m.lower_ == "that" for m in clause.children
                    ):
                        return _Content(_clause_content(doc, clause))
    head = tok.head
    if (
        tok.dep_ in ("advmod", "dep", "advcl", "parataxis")
        and tok.tag_ in FINITE_TAGS
        and head.i > tok.i
        and head.pos_ in VERB_POS
        and any(c.dep_ in SUBJECTS and c.i > tok.i for c in head.children)
        and not any(t.is_punct and t.text in ",—–" for t in doc[tok.i : head.i])
    ):
        # from the clause's subject on: "told Cable she loved him" → "she loved him"
        first = min(c.left_edge.i for c in head.children if c.dep_ in SUBJECTS and c.i > tok.i)
        return _Content(_token_range_span(doc, first, head.right_edge.i))
    return None


def _preceding_clause_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "C, X said.": the complement comes first, set off by punctuation."""
    if tok.dep_ == "relcl":
        return None
    earlier = [c for c in tok.children if c.dep_ == "ccomp" and c.i < tok.i]
    if (
        earlier
        and _separated(doc, earlier[0].right_edge.i, tok, source)
        and not _is_attributed_clause(earlier[0], lexicon)
    ):
        return _Content(_clause_content(doc, earlier[0]))
    return None


def _parenthetical_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "C, X said." / "A, X said, B": the parser hangs the cue under C's verb."""
    if (
        tok.dep_ in ("parataxis", "ccomp", "advcl", "conj")
        and tok.tag_ in FINITE_TAGS
        and not any(c.dep_ in ("mark", "ccomp", "dobj", "xcomp") for c in tok.children)
        and tok.head.pos_ in VERB_POS
        and source is not None
        and _set_off(doc, tok)
        and not _is_attributed_clause(tok.head, lexicon)
    ):
        pieces = _pieces_around(doc, tok.head, tok)
        return _Content(pieces[0], more=tuple(pieces[1:])) if pieces else _Content(None)
    return None


def _infinitive_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "X urged Kiev and Moscow to resume talks": the infinitive, addressee left out."""
    if not verb.takes_infinitive:
        return None
    for c in tok.children:
        if (
            c.dep_ in ("xcomp", "ccomp")
            and c.i > tok.i
            and any(a.dep_ == "aux" and a.lower_ == "to" for a in c.children)
        ):
            last = _without_adjuncts(doc, c, c.right_edge.i)
            return _Content(_token_range_span(doc, c.left_edge.i, last), "indirect-infinitive")
    return None


def _prepositional_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "Beijing called for an end to the war": the object of the cue's preposition."""
    if not verb.prepositions:
        return None
    pobj = _prepositional_object(tok, verb.prepositions)
    if pobj is None:
        return None
    prep = pobj.head
    last = _without_adjuncts(doc, pobj, pobj.right_edge.i)
    return _Content(
        _token_range_span(doc, pobj.left_edge.i, last),
        "indirect-object",
        cue=CharSpan.of(_text(doc), tok.idx, prep.idx + len(prep)),
    )


def _object_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> _Content | None:
    """ "Putin described relations as the best in history": object and complement.

    Not "might reiterate the proposal" (hypothetical) nor "portrayed itself as"
    (no claim); "criticized the prime minister" needs its "for ..." to report words.
    """
    if (
        not verb.takes_object
        or source is None
        or any(c.dep_ == "aux" and c.tag_ == "MD" for c in tok.children)
    ):
        return None
    objects = [c for c in tok.children if c.dep_ == "dobj" and c.i > tok.i]
    if not objects or objects[0].lower_.endswith(("self", "selves")):
        return None
    obj = objects[0]
    own_end = _without_adjuncts(doc, obj, obj.right_edge.i)
    last = own_end
    for child in tok.children:
        if child.i > obj.i and (
            child.dep_ == "oprd" or (child.dep_ == "prep" and child.lower_ in ("as", "of", "for"))
        ):
            last = max(last, _without_adjuncts(doc, child, child.right_edge.i))
    if last > own_end or not (verb.needs_complement or obj.pos_ in ("PRON", "PROPN")):
        return _Content(_token_range_span(doc, obj.left_edge.i, last), "indirect-object")
    return _Content(None)


def _colon_frame(doc: Doc, tok: Token) -> _Content | None:
    """ "X said: C" — the rest of the paragraph (marks lost in translation)."""
    if not _colon_follows(doc, tok):
        return None
    colon = tok.i + 1 if doc[tok.i + 1].text == ":" else tok.i + 2
    para_end = _paragraph_end(doc, doc[colon].idx)
    return _Content(_char_span(doc, doc[colon].idx + 1, para_end), "indirect-colon")


#: Content frames of a cue verb, tried in order; the first that applies decides.
CONTENT_FRAMES = (
    _direct_only_frame,
    _complement_frame,
    _misparsed_complement_frame,
    _preceding_clause_frame,
    _parenthetical_frame,
    _infinitive_frame,
    _prepositional_frame,
    _object_frame,
)


def _cue_source(tok: Token) -> Token | None:
    """The source of a cue verb, with what is never a source filtered out."""
    source = _source_of(tok)
    # "published a notice Tuesday saying that ...": a date is no source; the
    # clause's subject is
    if source is not None and source.ent_type_ in ("DATE", "TIME"):
        verbs = [a for a in source.ancestors if a.pos_ in VERB_POS]
        source = _source_of(verbs[0]) if verbs else None
    if source is not None and _is_pronoun_it(source) and source.dep_ != "nsubj":
        source = None
    # "That supported ...", "any of them called ...": not a source of words
    if source is not None and source.lower_ in NOT_SOURCES:
        source = None
    return source


def _verb_frame(doc: Doc, tok: Token, verb: CueVerb, lexicon: CueLexicon) -> Attribution | None:
    """The attribution frame of a cue verb, if it has a source or a content."""
    # "did not say that ...", "never claimed ...": a negated cue reports nothing
    if any(c.dep_ == "neg" for c in tok.children) or (tok.is_upper and len(tok) > 1):
        return None
    # "declined to criticize", "refused to comment": nothing was said
    if tok.dep_ == "xcomp" and tok.head.lemma_ in REFUSALS:
        return None
    source = _cue_source(tok)
    # "reporters asked whether ...": a reporter's question is not a quote
    if (
        verb.takes_question
        and source is not None
        and source.lower_ in word_set("reporter_nouns.txt")
    ):
        return None
    # "The study found that ...": a finding of a document, not speech
    if verb.weak and source is not None and source.lower_ in word_set("document_nouns.txt"):
        return None
    cue = CharSpan.of(_text(doc), tok.idx, tok.idx + len(tok))
    # particle verbs: "pointed out", "called for"
    for child in tok.children:
        if child.dep_ == "prt" and child.i == tok.i + 1:
            cue = CharSpan.of(_text(doc), tok.idx, child.idx + len(child))
    found = next(
        (f for frame in CONTENT_FRAMES if (f := frame(doc, tok, verb, source, lexicon))), None
    )
    if found is None or found.content is None:
        found = _colon_frame(doc, tok) or found or _Content(None)
    content, more = found.content, found.more
    rule = found.rule or ("indirect-weak" if verb.weak else "indirect-clause")
    cue = found.cue or cue

    short = rule in ("indirect-object", "indirect-infinitive", "indirect-relative")
    content = _clip_to_paragraph(doc, content, cue, min_words=2 if short else 3)
    if verb.mental:
        rule = "mental"  # kept only when its clause holds quoted words
    if rule in ("indirect-clause", "indirect-weak") and not _is_statement(
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


def _according_to_frame(doc: Doc, tok: Token) -> Attribution | None:
    """ "According to X, C" / "C, according to X".

    "Tuesday will be the day of negotiations, according to the spokesman." →
    content "Tuesday will be the day of negotiations", source "the spokesman".
    """
    nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
    if nxt is None or nxt.lower_ != "to":
        return None
    pobjs = [c for c in nxt.children if c.dep_ == "pobj"] or [
        c for c in tok.children if c.dep_ == "pobj"
    ]
    if not pobjs:
        return None
    source = pobjs[0]
    cue = CharSpan.of(_text(doc), tok.idx, nxt.idx + len(nxt))
    clause = tok.head
    pp_first, pp_last = tok.left_edge.i, max(tok.right_edge.i, nxt.right_edge.i)
    sent = tok.sent
    if pp_first <= sent.start + 1:
        # "According to X, C": content follows the phrase to the sentence end
        content = _token_range_span(doc, pp_last + 1, sent.end - 1)
    else:
        first = clause.left_edge.i if clause.i < tok.i else sent.start
        first = max(first, sent.start)
        content = _token_range_span(doc, first, pp_first - 1)
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
    text = _text(doc)
    para_start = text.rfind("\n", 0, cue.start) + 1
    para_end = _paragraph_end(doc, cue.end)
    start, end = max(content.start, para_start), min(content.end, para_end)
    if start < cue.end and end > cue.start:
        return None
    clipped = _char_span(doc, start, end) if end > start else None
    if clipped is None or _word_count(clipped.text) < min_words:
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
        for c in tok.children
        if c.dep_ in ("acl", "ccomp", "relcl")
        and c.i > tok.i
        and any(m.dep_ == "mark" and m.lower_ == "that" for m in c.children)
    ]
    verb = tok.head
    if not clauses or tok.dep_ not in ("dobj", "pobj") or verb.pos_ not in VERB_POS:
        return None
    if tok.dep_ == "pobj":
        verb = verb.head
    source = _cue_source(verb) if verb.pos_ in VERB_POS else None
    if source is None or any(c.dep_ == "neg" for c in verb.children):
        return None
    # "He rejected the claim that the plan failed": the claim is someone else's
    if verb.lemma_ in DENIALS:
        return None
    first = verb if verb.i < tok.i and tok.i - verb.i <= 3 else tok
    cue = CharSpan.of(_text(doc), first.idx, tok.idx + len(tok))
    content = _clip_to_paragraph(doc, _clause_content(doc, clauses[0]), cue)
    if not _is_statement(doc, content):
        return None
    return Attribution(cue, tok, source, content, "indirect-noun")


def _paragraph_end(doc: Doc, pos: int) -> int:
    end = _text(doc).find("\n", pos)
    return len(_text(doc)) if end == -1 else end


def find_attributions(
    doc: Doc, lexicon: CueLexicon, inside_marks: list[tuple[int, int]]
) -> list[Attribution]:
    """Every attribution frame of ``doc`` whose cue is outside quotation marks."""
    starts = [s for s, _ in inside_marks]
    found: list[Attribution] = []
    for tok in doc:
        # cues inside a quotation belong to the quoted speaker's words
        k = bisect.bisect_right(starts, tok.idx) - 1
        if k >= 0 and inside_marks[k][0] <= tok.idx < inside_marks[k][1]:
            continue
        frame: Attribution | None = None
        if (tok.lower_ == "according" and tok.pos_ != "VERB") or (
            tok.lower_ == "according" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to"
        ):
            frame = _according_to_frame(doc, tok)
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


# --- pass 2 and 3: quotes ------------------------------------------------------


def _in_headline(doc: Doc, pos: int) -> bool:
    """A headline or byline: a short paragraph with no final punctuation.

    "Mayor says bridge will reopen in spring" is a headline, not a quote.
    """
    text = _text(doc)
    start = text.rfind("\n", 0, pos) + 1
    end = _paragraph_end(doc, pos)
    line = text[start:end].strip()
    return bool(line) and line[-1] not in ".!?…:;”’“»›\"')]" and _word_count(line) <= 20


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
                    content = _char_span(doc, content.start, cut)
                    if content is None:
                        break
            if content != att.content:
                if content is None or _word_count(content.text) < 3:
                    att = replace(att, content=None)
                else:
                    att = replace(att, content=content)
        out.append(att)
    return out


def _balance_marks(text: str, span: CharSpan) -> CharSpan:
    """A mixed quote ending inside its quoted fragment keeps the closing mark
    (settled case S20): 'called the album a “masterpiece”' → 'a “masterpiece”'."""
    opened = sum(span.text.count(m) for m in "“«‘„")
    closed = sum(span.text.count(m) for m in "”»’")
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
    words = _word_count(" ".join(pieces))
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
            first = _char_span(doc, att.content.start, cut)
            if first is not None and first.text.lower().endswith((" and", " but")):
                first = _char_span(doc, first.start, first.end - 4)
            if first is None or _word_count(first.text) < 3:
                continue
            out[k] = att = replace(att, content=first)
            out[j] = replace(other, source=att.source)
    return out


def _word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))


def _sentence_like(doc: Doc, stretch: QuotedStretch) -> bool:
    """A stretch that reads as a statement, not a term: a clause or a long phrase.

    “We will win” (verb) and “Peace must come to Ukraine now” are; “peace
    plan” and “face-to-face” are not.
    """
    text = _text(doc)[stretch.start : stretch.end]
    words = _word_count(text)
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
    text = _text(doc)
    para_start = text.rfind("\n", 0, stretch.outer_start) + 1
    para_end = _paragraph_end(doc, stretch.end)
    before = text[para_start : stretch.outer_start].rstrip()
    after = text[stretch.outer_end : para_end].lstrip()
    starts_sentence = not before or before[-1] in ".!?…:;”’\"')]"
    if not starts_sentence:
        return False
    inner = text[stretch.start : stretch.end].rstrip()
    ends_sentence = bool(inner) and inner[-1] in ".!?…,;:—–-"
    return (
        not after
        or after[0] in "“\"‘'«(—–-"
        or after[0].isupper()
        or (ends_sentence and after[0] in ".!?")
        or _word_count(after.split(".")[0]) <= 2
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
    gap = _text(doc)[start:end]
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
    text = _text(doc)
    inner = text[stretch.start : stretch.end].rstrip().rstrip("'’\"”»")
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
        # '“...” Jeff Traeger said' lacks the comma, but its subject follows the marks
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
    before = _text(doc)[: stretch.outer_start].rstrip()
    if not before.endswith(":"):
        return None
    line_start = before.rfind("\n") + 1
    if _text(doc)[line_start : stretch.outer_start].strip() != before[line_start:].strip():
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
    text = _text(doc)
    para_start = text.rfind("\n", 0, quote.start) + 1
    if para_start >= quote.start - 1:
        return quote
    between = text[para_start : quote.start]
    if any(a < quote.start and b > para_start for a, b in covered):
        return quote
    words = {w.strip(".,;:!?“”\"'’‘").lower() for w in between.split()}
    if not words & FIRST_PERSON:
        return quote
    start, _ = _trim(text, para_start, quote.start)
    new = CharSpan.of(text, start, quote.end)
    return replace(
        quote, content=new, rule="indirect-extended", confidence=CONFIDENCE["indirect-extended"]
    )


def _floating_followers(doc: Doc, quotes: list[Quote]) -> list[Quote]:
    """Unmarked sentences that carry on a quote's first-person words.

    "It is something we will watch, Sullivan said. Our position is the same."
    → "Our position is the same" (indirect, floating: speaker resolved later)
    """
    text = _text(doc)
    out: list[Quote] = []
    taken = sorted((q.start, q.end) for q in quotes)
    attribution_marks = sorted((q.cue.start, q.cue.end) for q in quotes if q.cue is not None)
    for quote in quotes:
        if quote.type != "indirect" or quote.cue is None or quote.speaker is None:
            continue
        para_end = _paragraph_end(doc, quote.end)
        anchor = max(quote.end, quote.cue.end)
        sent_end = next(
            (s.end_char for s in doc.sents if s.start_char <= anchor < s.end_char), None
        )
        if sent_end is None or sent_end >= para_end:
            continue
        rest_start, rest_end = _trim(text, sent_end, para_end)
        if rest_end - rest_start < 10:
            continue
        if any(a < rest_end and b > rest_start for a, b in taken + attribution_marks):
            continue
        words = {w.strip(".,;:!?“”\"'’‘").lower() for w in text[rest_start:rest_end].split()}
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
    text = _text(doc)
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
            inner = _char_span(doc, stretch.start, stretch.end)
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
