"""Shared vocabulary of the rules: dependency labels, tags, edge punctuation, and
the text helpers every pass uses (trimming, token ranges as character spans).
"""

from __future__ import annotations

from spacy.tokens import Doc

from ..doc_index import (
    EDGE_PUNCT,
    DocIndex,
    FirstAbove,
    children,
    doc_index,
    doc_text,
    reading,
)
from ..marks import CLOSING_MARKS, OPENING_MARKS, QUOTE_MARKS
from ..types import CharSpan

__all__ = [  # (the marks re-exported for the passes)
    "CLOSING_MARKS",
    "EDGE_PUNCT",
    "FINITE_TAGS",
    "FIRST_PERSON",
    "OPENING_MARKS",
    "QUOTE_MARKS",
    "SENTENCE_END",
    "SUBJECTS",
    "VERB_POS",
    "DocIndex",
    "FirstAbove",
    "char_span",
    "children",
    "doc_index",
    "doc_text",
    "paragraph_end",
    "reading",
    "token_range_span",
    "trim",
    "word_count",
]

# Dependency labels (ClearNLP, as in spaCy's English pipelines).
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})

# A verb cue needs a verb tag: "the said report" or "a call" are not cues.
VERB_POS = frozenset({"VERB", "AUX"})

FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})

FIRST_PERSON = frozenset(
    {"i", "we", "me", "us", "my", "our", "mine", "ours", "myself", "ourselves"}
)

# (EDGE_PUNCT, the edge characters never part of a content span, is defined in
# quotes.doc_index from the quotation marks of quotes.marks)
MARK_CHARS = "".join(sorted(QUOTE_MARKS))
CLOSING_CHARS = "".join(sorted(CLOSING_MARKS))

SENTENCE_END = ".!?…"


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past edge punctuation, white space and marks."""
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in EDGE_PUNCT:
        end -= 1
    return start, end


def char_span(doc: Doc, start: int, end: int) -> CharSpan | None:
    """A trimmed span of the doc's text, or None when nothing is left."""
    index = doc_index(doc)
    start, end = index.trim(start, end)
    if end - start < 2:
        return None
    return CharSpan.of(index.text, start, end)


def token_range_span(doc: Doc, first: int, last: int) -> CharSpan | None:
    """The text of tokens ``first..last`` (inclusive), trimmed."""
    if first > last:
        return None
    return char_span(doc, doc[first].idx, doc[last].idx + len(doc[last]))


def paragraph_end(doc: Doc, pos: int) -> int:
    """Where the paragraph holding ``pos`` ends (its line break, or the text's end)."""
    return doc_index(doc).paragraph_end(pos)


def word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))
