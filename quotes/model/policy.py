"""What counts as a quote: the annotation guidelines' line, applied to the model's choices.

The training data (PolNeAR) annotates attribution wider than the guidelines
call a quote: a speech verb's noun-phrase object ("criticized the prime
minister", "mentioned the deal") and embedded questions ("asked whether the
bridge was safe") are attributions there, not quotes here. The model learns
the wide notion, because what it learns about cues and sources holds for
both; this module draws the guidelines' line on what it chose:

* quoted words (the content holds quotation marks) are quotes;
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
from ..rules.frames import is_statement
from ..types import CharSpan

Scope = Literal["quotes", "speech"]
SCOPES: tuple[Scope, ...] = ("quotes", "speech")


def is_quote(
    doc: Doc,
    cue: Token,
    content: CharSpan,
    lexicon: CueLexicon,
    *,
    quoted: bool = False,
    kind: str = "",
) -> bool:
    """Whether ``content``, introduced by ``cue``, is a quote under the guidelines.

    ``quoted``: the content holds quotation marks; ``kind``: how the
    candidates offered it (``prep:for``, ``child:dobj``, ...), when known.
    """
    if quoted or cue.lower_ == "according" or kind == "rules":
        return True
    span = doc.char_span(content.start, content.end, alignment_mode="expand")
    if span is None or len(span) == 0:
        return False
    verb = lexicon.verb(cue.lemma_.lower(), cue.text)
    questions = verb is not None and verb.takes_question
    # a clause headed by a verb; "a policy that diverged" is a noun phrase
    if span.root.pos_ in ("VERB", "AUX") and is_statement(doc, content, questions):
        return True
    if verb is None:
        return False
    first = span[0]
    if first.lower_ == "to" and verb.takes_infinitive:
        return True
    # the object of the verb's own preposition: "called for [a ceasefire]"
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.lower_ in verb.prepositions and before.head.i == cue.i:
        return True
    if kind.startswith("prep:") and kind[5:] in verb.prepositions:
        return True
    # a declared noun phrase: "denied [the report]"
    return verb.takes_object and span.root.dep_ in ("dobj", "oprd", "attr")
