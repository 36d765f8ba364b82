"""Content frames of a cue verb: where the syntax puts what was said.

Each ``*_frame`` function covers one construction, named with an example
sentence; :data:`CONTENT_FRAMES` tries them in order and the first that applies
decides. Which frames a verb takes is data: the tags of ``data/cue_verbs.txt``.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc, Token

from ..cues import CueLexicon, CueVerb
from ..resources import word_set
from ..types import CharSpan
from .text import (
    CLOSING_MARKS,
    FINITE_TAGS,
    SUBJECTS,
    VERB_POS,
    char_span,
    children,
    doc_index,
    doc_text,
    paragraph_end,
    token_range_span,
)

QUESTION_WORDS = frozenset({"whether", "if", "what", "how", "why", "when", "where", "who", "which"})

# entities that are listeners when they stand as the object of an addressee verb
LISTENER_ENTITIES = frozenset({"PERSON", "ORG", "GPE", "NORP"})


def is_listener(verb: CueVerb, obj: Token) -> bool:
    """The object of a cue verb tagged ``addressee`` that names who was told,
    urged or warned, not what was said (S1): a pronoun, a name, a person,
    organisation or group, a role or a source noun.

    "The mayor urged the council." → the council is told, not said: no content.
    """
    if not verb.takes_addressee:
        return False
    lemma = obj.lemma_.lower()
    return (
        obj.pos_ in ("PRON", "PROPN")
        or obj.ent_type_ in LISTENER_ENTITIES
        or lemma in word_set("roles.txt")
        or lemma in word_set("source_nouns.tsv")
        or obj.lower_ in word_set("reporter_nouns.txt")
    )


def clause_content(doc: Doc, head: Token) -> CharSpan | None:
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
    return token_range_span(doc, first, last)


def _without_adjuncts(doc: Doc, head: Token, last: int) -> int:
    """``last`` moved before trailing time and place adjuncts of ``head``.

    "described Putin as his best friend in 2019" → "... his best friend";
    "proclaimed “unlimited friendship” at the opening" → "“unlimited friendship”"
    """
    for child in sorted(children(head), key=lambda c: c.i):
        if child.i <= head.i or child.dep_ != "prep" or child.right_edge.i != last:
            continue
        objects = [c for c in children(child) if c.dep_ == "pobj"]
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
    for child in children(tok):
        if child.dep_ in ("prep", "prt") and child.lower_ in prepositions and child.i > tok.i:
            for grandchild in children(child):
                if grandchild.dep_ in ("pobj", "pcomp"):
                    return grandchild
    return None


def _set_off(doc: Doc, cue: Token) -> bool:
    """The attribution is set off by a comma or dash: "A, X said, B"."""
    first = cue.left_edge.i  # the first token of its subtree, without walking it
    if doc[first].text in ",—–":
        return True
    prev = first - 1
    while prev >= 0 and doc[prev].is_space:
        prev -= 1
    return prev >= 0 and (doc[prev].text in ",—–" or doc[prev].text in CLOSING_MARKS)


def _pieces_around(doc: Doc, clause: Token, cue: Token) -> list[CharSpan]:
    """The clause's words before and after its attribution, as content pieces.

    "The ferry was a lifeline, Ms. Ortiz said, until the storms came." →
    "The ferry was a lifeline" and "until the storms came"; "Putin will meet Xi,
    Peskov said." → "Putin will meet Xi". The longer piece comes first.
    """
    attr_start, attr_end = cue.left_edge.i, cue.right_edge.i
    left = token_range_span(doc, clause.left_edge.i, attr_start - 1)
    right = (
        token_range_span(doc, attr_end + 1, clause.right_edge.i)
        if clause.right_edge.i > attr_end
        else None
    )
    index = doc_index(doc)
    if left is not None and index.word_count(left.start, left.end) < 1:
        left = None
    if right is not None and index.word_count(right.start, right.end) < 2:
        right = None
    pieces = [p for p in (left, right) if p is not None]
    if not pieces or sum(index.word_count(p.start, p.end) for p in pieces) < 3:
        return []
    return sorted(pieces, key=len, reverse=True)


def _separated(doc: Doc, clause_end: int, cue: Token, source: Token | None) -> bool:
    """True when only punctuation and the attribution itself follow the clause.

    "Putin will meet Xi on Monday, Peskov said." → yes (", Peskov said")
    "... lethal assistance, a charge Beijing denies." → no ("a charge" is an object)
    """
    index = doc_index(doc)

    def in_source(i: int) -> bool:
        return source is not None and index.in_subtree(source.i, i)

    seen_punct = False
    for t in doc[clause_end + 1 : cue.i]:
        if t.is_punct or t.is_space:
            seen_punct = seen_punct or t.text in ",—–:;" or t.text in CLOSING_MARKS
            continue
        if in_source(t.i):
            continue
        if t.head == cue and t.dep_ in ("advmod", "npadvmod", "aux", "neg", "prep"):
            continue
        if in_source(t.head.i) or (t.head == cue and t.dep_ == "pobj"):
            continue
        # "..., Peskov said on Friday": prepositional modifiers of the cue
        if (
            index.is_ancestor(cue.i, t.i)
            and t.dep_ in ("pobj", "det", "compound", "amod")
            and t.head.dep_ == "prep"
        ):
            continue
        return False
    return seen_punct


def _is_attributed_clause(head: Token, lexicon: CueLexicon) -> bool:
    """A clause that is itself an attribution: "Zelensky said he wanted ..."
    cannot be the content of a later "..., he said"."""

    def compute() -> bool:
        verb = lexicon.verb(head.lemma_, head.text)
        return (
            verb is not None
            and not (verb.weak or verb.mental or verb.direct_only)
            and any(c.dep_ in SUBJECTS for c in children(head))
            and any(c.dep_ in ("ccomp", "xcomp") and c.i > head.i for c in children(head))
        )

    # once per head: many cues can hang under one clause ("A, he said, B, she said")
    return doc_index(head.doc).cached("attributed-clause", head.i, compute)


def is_statement(doc: Doc, content: CharSpan | None, questions: bool = False) -> bool:
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
    before = doc_text(doc)[max(0, content.start - 8) : content.start].lower()
    first = span[0]
    # an embedded question opens with its own wh-word or "if"/"whether": "asked
    # whether it would fail"; "said if Xi called, he could sell the trip" opens
    # with a conditional clause instead, whose "if" hangs lower in the tree
    opens_question = first.lower_ in QUESTION_WORDS and (
        first.head == span.root or first == span.root or first.lower_ != "if"
    )
    if opens_question and "that" not in before and not questions:
        return False
    # running counts instead of a walk over the span: contents can nest
    # ("A said B said C said ..."), and each would walk the rest of the text
    finite = doc_index(doc).prefix("finite", _finite)
    return finite[span.end] > finite[span.start]


def _finite(t: Token) -> bool:
    """A finite verb, or a participle with its own subject (the tagger reads
    "that claim smacked of" as a participle)."""
    return t.tag_ in FINITE_TAGS or (
        t.tag_ == "VBN" and any(c.dep_ == "nsubj" for c in children(t))
    )


@dataclass(frozen=True)
class Content:
    """What a content frame found: the content (None: the frame applies but
    yields nothing), further pieces, the rule, and a wider cue if any."""

    content: CharSpan | None
    rule: str | None = None
    more: tuple[CharSpan, ...] = ()
    cue: CharSpan | None = None


def _direct_only_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "He continued: ..." — such verbs take no clause, only a colon or marks."""
    return Content(None) if verb.direct_only else None


def _complement_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "X said (that) C": a clausal complement after the cue.

    An unmarked "advcl" with a subject is a misparsed complement: "Lind said
    after the hearing she would not resign ...".
    """
    for c in children(tok):
        if c.i > tok.i and (
            c.dep_ == "ccomp"
            or (
                c.dep_ == "advcl"
                and not any(m.dep_ == "mark" for m in children(c))
                and any(m.dep_ == "nsubj" for m in children(c))
                and c.tag_ in FINITE_TAGS | {"VB"}
            )
        ):
            if c.left_edge.i < tok.i:
                # "The delay, which experts say helps nobody, ...": the clause's
                # relative pronoun stands before the cue; the words after it are content
                last = c.right_edge.i
                return Content(token_range_span(doc, tok.i + 1, last), "indirect-relative")
            return Content(clause_content(doc, c))
    return None


def _misparsed_complement_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """The complement clause where the parser hung it elsewhere.

    - under a participle: "Okafor said keeping the depot open was worth it"
      (xcomp "having" holding the finite clause);
    - under the noun of a cue's own phrase: "She said in a memo that the
      museum would reopen in May" (the clause read as the noun's modifier);
    - above the cue: "Reyes said rain can delay a harvest"
      (the cue read as an adverb of the clause that follows it).
    """
    if verb.direct_only:
        return None
    index = doc_index(doc)
    for c in children(tok):
        if (
            c.dep_ == "xcomp"
            and c.i == tok.i + 1
            and c.tag_ == "VBG"
            and not any(a.dep_ == "aux" for a in children(c))
            and index.subtree_count("finite-tag", _finite_tag, c.i) > 0
        ):
            return Content(token_range_span(doc, c.i, c.right_edge.i))
        if c.dep_ == "prep" and c.i > tok.i:
            for pobj in children(c):
                for clause in children(pobj):
                    if clause.dep_ in ("acl", "relcl", "ccomp") and any(
                        m.dep_ == "mark" and m.lower_ == "that" for m in children(clause)
                    ):
                        return Content(clause_content(doc, clause))
    head = tok.head
    if (
        tok.dep_ in ("advmod", "dep", "advcl", "parataxis")
        and tok.tag_ in FINITE_TAGS
        and head.i > tok.i
        and head.pos_ in VERB_POS
    ):
        # (tables per document: many cues can hang under one head)
        subjects, first_edges = index.cached("later-subjects", head.i, lambda: _subjects(head))
        k = bisect_right(subjects, tok.i)
        commas = index.prefix("comma-or-dash", _comma_or_dash)
        if k < len(subjects) and commas[head.i] == commas[tok.i]:
            # from the clause's subject on: "told Ruiz she trusted him" → "she trusted him"
            return Content(token_range_span(doc, first_edges[k], head.right_edge.i))
    return None


def _finite_tag(t: Token) -> bool:
    return t.tag_ in FINITE_TAGS


def _comma_or_dash(t: Token) -> bool:
    return t.is_punct and t.text in ",—–"


def _subjects(head: Token) -> tuple[list[int], list[int]]:
    """The subject children of ``head`` in order, and for each the first token
    of it or of any later subject (``min`` of their left edges from there on)."""
    found = sorted((c.i, c.left_edge.i) for c in children(head) if c.dep_ in SUBJECTS)
    positions = [i for i, _ in found]
    edges = [edge for _, edge in found]
    for k in range(len(edges) - 2, -1, -1):
        edges[k] = min(edges[k], edges[k + 1])
    return positions, edges


def _preceding_clause_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "C, X said.": the complement comes first, set off by punctuation."""
    if tok.dep_ == "relcl":
        return None
    earlier = [c for c in children(tok) if c.dep_ == "ccomp" and c.i < tok.i]
    if (
        earlier
        and _separated(doc, earlier[0].right_edge.i, tok, source)
        and not _is_attributed_clause(earlier[0], lexicon)
    ):
        return Content(clause_content(doc, earlier[0]))
    return None


def _parenthetical_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "C, X said." / "A, X said, B": the parser hangs the cue under C's verb."""
    if (
        tok.dep_ in ("parataxis", "ccomp", "advcl", "conj")
        and tok.tag_ in FINITE_TAGS
        and not any(c.dep_ in ("mark", "ccomp", "dobj", "xcomp") for c in children(tok))
        and tok.head.pos_ in VERB_POS
        and source is not None
        and _set_off(doc, tok)
        and not _is_attributed_clause(tok.head, lexicon)
    ):
        pieces = _pieces_around(doc, tok.head, tok)
        return Content(pieces[0], more=tuple(pieces[1:])) if pieces else Content(None)
    return None


def _infinitive_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "X urged Kiev and Moscow to resume talks": the infinitive, addressee left out."""
    if not verb.takes_infinitive:
        return None
    for c in children(tok):
        if (
            c.dep_ in ("xcomp", "ccomp")
            and c.i > tok.i
            and any(a.dep_ == "aux" and a.lower_ == "to" for a in children(c))
        ):
            last = _without_adjuncts(doc, c, c.right_edge.i)
            return Content(token_range_span(doc, c.left_edge.i, last), "indirect-infinitive")
    return None


def _prepositional_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "Beijing called for an end to the war": the object of the cue's preposition."""
    if not verb.prepositions:
        return None
    pobj = _prepositional_object(tok, verb.prepositions)
    if pobj is None:
        return None
    prep = pobj.head
    last = _without_adjuncts(doc, pobj, pobj.right_edge.i)
    cue_end = prep.idx + len(prep)
    # "warned the board against any delay": with the listener between them, the
    # cue is the verb alone (the addressee is neither cue nor content, S1)
    if any(
        c.dep_ in ("dobj", "dative") and tok.i < c.i < prep.i and is_listener(verb, c)
        for c in children(tok)
    ):
        cue_end = tok.idx + len(tok)
    return Content(
        token_range_span(doc, pobj.left_edge.i, last),
        "indirect-object",
        cue=CharSpan.of(doc_text(doc), tok.idx, cue_end),
    )


def _object_frame(
    doc: Doc, tok: Token, verb: CueVerb, source: Token | None, lexicon: CueLexicon
) -> Content | None:
    """ "Putin described relations as the best in history": object and complement.

    Not "might reiterate the proposal" (hypothetical) nor "portrayed itself as"
    (no claim); "criticized the prime minister" needs its "for ..." to report words.
    """
    if (
        not verb.takes_object
        or source is None
        or any(c.dep_ == "aux" and c.tag_ == "MD" for c in children(tok))
    ):
        return None
    objects = [c for c in children(tok) if c.dep_ == "dobj" and c.i > tok.i]
    if not objects or objects[0].lower_.endswith(("self", "selves")):
        return None
    obj = objects[0]
    if is_listener(verb, obj):  # "urged the council": told, not said
        return Content(None)
    own_end = _without_adjuncts(doc, obj, obj.right_edge.i)
    last = own_end
    for child in children(tok):
        if child.i > obj.i and (
            child.dep_ == "oprd" or (child.dep_ == "prep" and child.lower_ in ("as", "of", "for"))
        ):
            last = max(last, _without_adjuncts(doc, child, child.right_edge.i))
    if last > own_end or not (verb.needs_complement or obj.pos_ in ("PRON", "PROPN")):
        return Content(token_range_span(doc, obj.left_edge.i, last), "indirect-object")
    return Content(None)


def colon_frame(doc: Doc, tok: Token) -> Content | None:
    """ "X said: C" — the rest of the paragraph (marks lost in translation)."""
    if not _colon_follows(doc, tok):
        return None
    colon = tok.i + 1 if doc[tok.i + 1].text == ":" else tok.i + 2
    para_end = paragraph_end(doc, doc[colon].idx)
    return Content(char_span(doc, doc[colon].idx + 1, para_end), "indirect-colon")


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
