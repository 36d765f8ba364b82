"""What counts as a quote: the annotation guidelines' line, applied to the model's choices.

The training data (PolNeAR) annotates attribution wider than the guidelines
call a quote: a speech verb's noun-phrase object ("criticized the prime
minister", "mentioned the deal") and embedded questions ("asked whether the
bridge was safe") are attributions there, not quotes here. The model learns
the wide notion, because what it learns about cues and sources holds for
both; this module draws the guidelines' line on what it chose:

* a cue that reports nothing is none: negated ("did not say that ..."),
  refused ("declined to comment"), a reporter's question, a document's
  finding ("the study found that ...");
* quoted words (the content holds quotation marks) are quotes;
* indirect speech needs a source ("he was told the bridge was closed" quotes
  nobody), and a mental state is a belief ("believes the bridge is safe");
* "according to X, C" is a quote;
* a statement is a quote: a finite clause that does not open an embedded
  question ("said the bridge will reopen"), or does for verbs that put or
  answer one ("questioned whether he was ready", the ``wh`` tag);
* an infinitive is a quote for verbs of urging and promising ("urged the
  council to act", the ``infinitive`` tag);
* a noun phrase is a quote for declaring verbs ("denied the report",
  "condemned the attack", the ``object`` and ``complement`` tags) and as the
  object of a verb's own preposition ("called for a ceasefire", ``prep:for``).

``scope="speech"`` keeps the wide notion (every attribution of speech, as
PolNeAR annotates it) for users who measure against such data.
"""

from __future__ import annotations

from typing import Literal

from spacy.tokens import Doc, Token

from ..cues import CueLexicon
from ..rules.attributions import reports_nothing
from ..rules.frames import QUESTION_WORDS
from ..rules.text import FINITE_TAGS, VERB_POS

Scope = Literal["quotes", "speech"]
SCOPES: tuple[Scope, ...] = ("quotes", "speech")
#: Prepositions that open an evaluating verb's complement, and how far after
#: the object's head they are looked for.
COMPLEMENT_PREPOSITIONS = frozenset({"as", "of", "for"})
COMPLEMENT_WINDOW = 12
#: How far :func:`span_head` climbs the tree (a crafted chain must not cost more).
MAX_CLIMB = 50


def span_head(doc: Doc, first: int, last: int) -> Token:
    """The token of ``first..last`` whose head lies outside it, found by climbing
    from the first token (at most :data:`MAX_CLIMB` steps)."""
    tok = doc[first]
    for _ in range(MAX_CLIMB):
        head = tok.head
        if head.i == tok.i or not first <= head.i <= last:
            return tok
        tok = head
    return tok


def is_quote(
    doc: Doc,
    cue: Token,
    first: int,
    last: int,
    lexicon: CueLexicon,
    *,
    source: Token | None = None,
    head: Token | None = None,
    finite: int | None = None,
    quoted: bool = False,
    kind: str = "",
) -> bool:
    """Whether tokens ``first..last``, introduced by ``cue``, are a quote under the guidelines.

    ``source``: the head of the speaker mention, if any (indirect speech
    needs one: "he was told the bridge was closed" quotes nobody);
    ``head``: the token heading the span (found by climbing when not given);
    ``finite``: how many finite verbs it holds (counted when not given);
    ``quoted``: it holds quotation marks; ``kind``: how the candidates offered
    it (``prep:for``, ``child:dobj``, ...), when known.
    """
    verb = lexicon.verb(cue.lemma_.lower(), cue.text)
    if verb is not None and reports_nothing(cue, verb, source):
        return False  # negated, refused, a reporter's question, a document's finding
    if quoted or kind == "rules":
        return True
    if source is None:
        return False
    if cue.lower_ == "according":
        return True
    if verb is not None and verb.mental:
        return False  # "believes the bridge is safe": a belief, unless in quotation marks
    head = head if head is not None else span_head(doc, first, last)
    if finite is None:
        finite = sum(1 for t in doc[first : last + 1] if t.tag_ in FINITE_TAGS)
    opener = doc[first]
    # "asked whether it would fail" opens an embedded question; "said if it
    # rains, the match is off" opens a conditional, whose "if" hangs lower
    question = opener.lower_ in QUESTION_WORDS and (
        opener.lower_ != "if" or opener.head.i == head.i or opener.i == head.i
    )
    clause = head.pos_ in VERB_POS and (
        finite > 0 or (head.tag_ == "VBN" and any(c.dep_ == "nsubj" for c in head.children))
    )
    if clause and (not question or (verb is not None and verb.takes_question)):
        return True
    if verb is None:
        return False
    if opener.lower_ == "to" and verb.takes_infinitive:
        return True
    # the object of the verb's own preposition: "called for [a ceasefire]"
    before = doc[first - 1] if first > 0 else None
    if before is not None and before.lower_ in verb.prepositions and before.head.i == cue.i:
        return True
    if kind.startswith("prep:") and kind[5:] in verb.prepositions:
        return True
    if head.dep_ not in ("dobj", "oprd", "attr"):
        return False
    # a declared noun phrase: "denied [the report]", not "denied [it]"
    if "object" in verb.tags and head.pos_ not in ("PRON", "PROPN"):
        return True
    # an evaluation with its complement: "described [the talks as a success]",
    # not "criticized [the council]" alone (the complement's "as" may hang on
    # the verb or on the noun; it stands within a few words of the noun)
    if not verb.needs_complement:
        return False
    window = doc[head.i + 1 : min(last, head.i + COMPLEMENT_WINDOW) + 1]
    return any(
        t.dep_ == "prep" and t.lower_ in COMPLEMENT_PREPOSITIONS and t.head.i in (head.i, cue.i)
        for t in window
    )
