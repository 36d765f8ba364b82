"""Shared vocabulary of the rules: dependency labels, tags, edge punctuation, and
the text helpers every pass uses (trimming, token ranges as character spans).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import cast

from spacy.tokens import Doc

from ..marks import CLOSING_MARKS, OPENING_MARKS, QUOTE_MARKS
from ..types import CharSpan

# Dependency labels (ClearNLP, as in spaCy's English pipelines).
SUBJECTS = frozenset({"nsubj", "nsubjpass", "csubj"})

# A verb cue needs a verb tag: "the said report" or "a call" are not cues.
VERB_POS = frozenset({"VERB", "AUX"})

FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})

FIRST_PERSON = frozenset(
    {"i", "we", "me", "us", "my", "our", "mine", "ours", "myself", "ourselves"}
)

# Edge characters never part of a content span: white space, punctuation, the
# quotation marks of quotes.marks (the one definition of them).
EDGE_PUNCT = " \t\n\u00a0.,;:—–-" + "".join(sorted(QUOTE_MARKS))
MARK_CHARS = "".join(sorted(QUOTE_MARKS))
CLOSING_CHARS = "".join(sorted(CLOSING_MARKS))

SENTENCE_END = ".!?…"

__all__ = ["CLOSING_MARKS", "OPENING_MARKS", "QUOTE_MARKS"]  # re-exported for the passes

# The text of the document the rules are reading, per thread (``quotes serve``
# runs documents in worker threads); :func:`reading` sets and clears it.
_current = threading.local()


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per document: spaCy joins the tokens anew on
    every access, which made the rules cost more than the parse."""
    cached = getattr(_current, "entry", None)
    if cached is not None and cached[0] is doc:
        return cast(str, cached[1])
    text = doc.text
    _current.entry = (doc, text)
    return text


@contextmanager
def reading(doc: Doc) -> Iterator[str]:
    """Cache ``doc``'s text for the rules while they read it; release it after,
    so that no document outlives its pass."""
    try:
        yield doc_text(doc)
    finally:
        _current.entry = None


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink ``[start, end)`` past edge punctuation, white space and marks."""
    while start < end and text[start] in EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in EDGE_PUNCT:
        end -= 1
    return start, end


def char_span(doc: Doc, start: int, end: int) -> CharSpan | None:
    """A trimmed span of the doc's text, or None when nothing is left."""
    start, end = trim(doc_text(doc), start, end)
    if end - start < 2:
        return None
    return CharSpan.of(doc_text(doc), start, end)


def token_range_span(doc: Doc, first: int, last: int) -> CharSpan | None:
    """The text of tokens ``first..last`` (inclusive), trimmed."""
    if first > last:
        return None
    return char_span(doc, doc[first].idx, doc[last].idx + len(doc[last]))


def paragraph_end(doc: Doc, pos: int) -> int:
    end = doc_text(doc).find("\n", pos)
    return len(doc_text(doc)) if end == -1 else end


def word_count(text: str) -> int:
    return sum(1 for w in text.split() if any(c.isalnum() for c in w))
