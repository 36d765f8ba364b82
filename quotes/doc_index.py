"""Per-document lookup tables shared by the rules and the speaker passes.

A pass that walks the whole text or parse tree once per cue, quote or mention
is quadratic on a long document (a paragraph of ``"yes," he said, ...`` took
minutes). :class:`DocIndex` holds what those walks looked for, built once per
document in linear time: paragraph breaks, words, runs of edge punctuation,
sentences, each token's children, the tree in depth-first order, named
entities by first token. :func:`reading` keeps one index per thread for the
document being read and releases it afterwards.
"""

from __future__ import annotations

import re
import threading
import time
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cached_property
from typing import Any, TypeVar, cast

from spacy.tokens import Doc, Span, Token

from .marks import QUOTE_MARKS

T = TypeVar("T")

#: Characters trimmed off the edges of a content span: white space, punctuation,
#: the quotation marks of quotes.marks (the one definition of them).
EDGE_PUNCT = " \t\n\u00a0.,;:—–-" + "".join(sorted(QUOTE_MARKS))

# The document the rules are reading, per thread (``quotes serve`` runs
# documents in worker threads): its text and lookup tables (:class:`DocIndex`);
# :func:`reading` sets and clears it.
_current = threading.local()


class TimeBudgetExceeded(RuntimeError):
    """The rules ran past the document's deadline (see :func:`reading`)."""


def doc_index(doc: Doc) -> DocIndex:
    """The lookup tables of ``doc``, built once per document and thread."""
    cached = getattr(_current, "entry", None)
    if cached is not None and cached.doc is doc:
        return cast(DocIndex, cached)
    index = DocIndex(doc)
    _current.entry = index
    return index


def doc_text(doc: Doc) -> str:
    """``doc.text``, built once per document: spaCy joins the tokens anew on
    every access, which made the rules cost more than the parse."""
    return doc_index(doc).text


@contextmanager
def reading(doc: Doc, deadline: float | None = None) -> Iterator[str]:
    """Cache ``doc``'s text and tables for the rules while they read it; release
    them after, so that no document outlives its pass (nested uses share them).

    With a ``deadline`` (a ``time.monotonic()`` value), :meth:`DocIndex.check`
    raises :class:`TimeBudgetExceeded` once it has passed.
    """
    outer = getattr(_current, "entry", None)
    shared = outer is not None and outer.doc is doc
    index = doc_index(doc)
    if deadline is not None:
        index.deadline = deadline
    try:
        yield index.text
    finally:
        if not shared:
            _current.entry = None


_CHUNK = re.compile(r"\S+")
_ALNUM = re.compile(r"[^\W_]")
_NON_EDGE = re.compile("[^" + re.escape(EDGE_PUNCT) + "]+")


class DocIndex:
    """Lookup tables over one parsed document, so that no rule walks the whole
    text or tree once per cue or quote (which made a long paragraph of
    ``"yes," he said, ...`` quadratic): paragraph breaks, white-space chunks
    (words), runs of non-edge characters, sentences, and the parse tree in
    depth-first order (subtree membership and counts in O(1)). Each table is
    built on first use, in time linear in the document.
    """

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.text = doc.text
        self.memo: dict[tuple[str, int], Any] = {}
        self.deadline: float | None = None

    def check(self) -> None:
        """Raise :class:`TimeBudgetExceeded` when the reading's deadline has passed
        (the passes call this as they go, so a costly document stops early)."""
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeBudgetExceeded("the rules ran out of the document's time budget")

    # --- characters ------------------------------------------------------------

    @cached_property
    def newlines(self) -> list[int]:
        text, out, pos = self.text, [], self.text.find("\n")
        while pos != -1:
            out.append(pos)
            pos = text.find("\n", pos + 1)
        return out

    def paragraph_start(self, pos: int) -> int:
        """``text.rfind("\\n", 0, pos) + 1``."""
        k = bisect_left(self.newlines, pos)
        return self.newlines[k - 1] + 1 if k else 0

    def paragraph_end(self, pos: int) -> int:
        """``text.find("\\n", pos)``, or the text's length."""
        k = bisect_left(self.newlines, pos)
        return self.newlines[k] if k < len(self.newlines) else len(self.text)

    def has_newline(self, start: int, end: int) -> bool:
        """True when ``text[start:end]`` holds a line break."""
        return self.paragraph_end(start) < end

    @cached_property
    def _chunks(self) -> tuple[list[int], list[int], list[bool], list[int]]:
        """White-space separated chunks: starts, ends, whether each holds a letter
        or digit, and the running count of those that do."""
        starts: list[int] = []
        ends: list[int] = []
        wordy: list[bool] = []
        counts = [0]
        text = self.text
        for m in _CHUNK.finditer(text):
            a, b = m.span()
            starts.append(a)
            ends.append(b)
            has = _ALNUM.search(text, a, b) is not None
            wordy.append(has)
            counts.append(counts[-1] + has)
        return starts, ends, wordy, counts

    def word_count(self, start: int, end: int) -> int:
        """``word_count(text[start:end])``: chunks of the slice that hold a letter
        or digit, in O(log n)."""
        if end <= start:
            return 0
        starts, ends, wordy, counts = self._chunks
        lo = bisect_right(ends, start)  # first chunk ending after start
        hi = bisect_left(starts, end)  # first chunk starting at or after end
        if lo >= hi:
            return 0
        total = counts[hi] - counts[lo]
        # the chunks cut by the slice's edges count only for the part inside
        for k in {lo, hi - 1}:
            if starts[k] >= start and ends[k] <= end:
                continue
            total -= wordy[k]
            a, b = max(starts[k], start), min(ends[k], end)
            if _ALNUM.search(self.text, a, b) is not None:
                total += 1
        return total

    def nth_word_start(self, start: int, n: int) -> int | None:
        """Where the ``n``-th word of ``text[start:]`` begins (1-based), or None."""
        starts, ends, _, counts = self._chunks
        k = bisect_right(ends, start)
        if k < len(starts) and starts[k] < start:
            if _ALNUM.search(self.text, start, ends[k]) is not None:
                if n == 1:
                    return start
                n -= 1
            k += 1
        j = bisect_left(counts, counts[k] + n) - 1
        return starts[j] if j < len(starts) else None

    def positions(self, chars: str) -> list[int]:
        """Sorted positions of the characters in ``chars`` (once per document)."""
        key = ("chars:" + chars, 0)
        found = self.memo.get(key)
        if found is None:
            found = [i for i, c in enumerate(self.text) if c in chars]
            self.memo[key] = found
        return cast(list[int], found)

    def count(self, chars: str, start: int, end: int) -> int:
        """How many characters of ``text[start:end]`` are in ``chars``."""
        found = self.positions(chars)
        return max(0, bisect_left(found, end) - bisect_left(found, start))

    def next_nonspace(self, pos: int) -> int:
        """The first non-space character at or after ``pos`` (the length if none)."""
        starts, ends, *_ = self._chunks
        k = bisect_right(ends, pos)
        return max(starts[k], pos) if k < len(starts) else len(self.text)

    def prev_nonspace(self, pos: int) -> int:
        """The last non-space character before ``pos`` (-1 if none)."""
        starts, ends, *_ = self._chunks
        k = bisect_left(starts, pos) - 1
        return min(ends[k], pos) - 1 if k >= 0 else -1

    @cached_property
    def _runs(self) -> tuple[list[int], list[int]]:
        """Runs of characters that are not edge punctuation or space."""
        starts, ends = [], []
        for m in _NON_EDGE.finditer(self.text):
            starts.append(m.start())
            ends.append(m.end())
        return starts, ends

    def trim(self, start: int, end: int) -> tuple[int, int]:
        """:func:`trim` of the text in O(log n)."""
        starts, ends = self._runs
        k = bisect_right(ends, start)
        new_start = min(max(starts[k], start), end) if k < len(starts) else end
        k = bisect_left(starts, end) - 1
        new_end = max(min(ends[k], end), new_start) if k >= 0 else new_start
        return new_start, new_end

    # --- tokens and the tree ---------------------------------------------------

    @cached_property
    def tokens(self) -> list[Token]:
        return list(self.doc)

    @cached_property
    def _children(self) -> list[list[Token]]:
        """Each token's children in text order (``Token.children`` scans the
        token's whole subtree to find them)."""
        tokens = self.tokens
        out: list[list[Token]] = [[] for _ in tokens]
        for tok in tokens:
            head = tok.head.i
            if head != tok.i:
                out[head].append(tok)
        return out

    def children(self, tok: Token) -> list[Token]:
        """The children of ``tok``, in text order."""
        return self._children[tok.i]

    def lefts(self, tok: Token) -> list[Token]:
        """``tok.lefts``: its children before it."""
        return [c for c in self._children[tok.i] if c.i < tok.i]

    def rights(self, tok: Token) -> list[Token]:
        """``tok.rights``: its children after it."""
        return [c for c in self._children[tok.i] if c.i > tok.i]

    def conjuncts(self, tok: Token) -> tuple[Token, ...]:
        """``tok.conjuncts`` (the tokens coordinated with it), as spaCy finds them."""
        start = tok
        while start.i != start.head.i and start.dep_ == "conj":
            start = start.head
        queue = [start]
        for word in queue:
            queue.extend(c for c in self.rights(word) if c.dep_ == "conj")
        return tuple(w for w in queue if w.i != tok.i)

    @cached_property
    def _entities(self) -> list[Span | None]:
        """The named entity of ``doc.ents`` holding each token, if any."""
        out: list[Span | None] = [None] * len(self.doc)
        for ent in self.doc.ents:
            for i in range(ent.start, ent.end):
                out[i] = ent
        return out

    def entity_at(self, tok: Token) -> Span | None:
        """The entity of ``doc.ents`` that holds ``tok`` (``doc.ents`` builds every
        entity anew on each access)."""
        return self._entities[tok.i]

    def depth_first(self, tok: Token) -> tuple[int, int]:
        """Where ``tok``'s subtree starts and ends in ``Token.subtree`` order:
        its tokens are those whose place (:meth:`place`) falls in it."""
        _, _, start, end = self._tree
        return start[tok.i], end[tok.i]

    def place(self, tok: Token) -> int:
        """Where ``tok`` comes in ``Token.subtree`` order."""
        return self._tree[1][tok.i]

    def in_depth_first_order(self, entry: int) -> int:
        """The token at place ``entry`` of ``Token.subtree`` order."""
        return self._tree[0][entry]

    @cached_property
    def sentences(self) -> tuple[list[int], list[int], list[int]]:
        """Sentences as token starts, token ends and character starts."""
        starts, ends, chars = [], [], []
        for sent in self.doc.sents:
            starts.append(sent.start)
            ends.append(sent.end)
            chars.append(sent.start_char)
        return starts, ends, chars

    def sentence_of(self, i: int) -> tuple[int, int]:
        """Token bounds ``[start, end)`` of the sentence of token ``i``."""
        starts, ends, _ = self.sentences
        k = bisect_right(starts, i) - 1
        return starts[k], ends[k]

    def sentence_end_char(self, pos: int) -> int | None:
        """End character of the sentence whose characters hold ``pos``, if any."""
        _, ends, chars = self.sentences
        k = bisect_right(chars, pos) - 1
        if k < 0:
            return None
        last = self.doc[ends[k] - 1]
        end = last.idx + len(last)
        return end if pos < end else None

    @cached_property
    def _tree(self) -> tuple[list[int], list[int], list[int], list[int]]:
        """The tokens in ``Token.subtree`` order (left children's subtrees, the
        token, right children's subtrees), each token's place in it, and where
        its subtree's block starts and ends: the subtree of ``t`` is
        ``order[start[t] : end[t]]``."""
        n = len(self.doc)
        children = [[c.i for c in kids] for kids in self._children]
        roots = [tok.i for tok in self.tokens if tok.head.i == tok.i]
        place, start, end = [0] * n, [0] * n, [0] * n
        order: list[int] = []
        for root in roots:
            # (token, step): 0 entering, 1 emitting itself, 2 leaving
            stack = [(root, 0)]
            while stack:
                node, step = stack.pop()
                if step == 0:
                    start[node] = len(order)
                    kids = children[node]
                    stack.append((node, 2))
                    stack.extend((c, 0) for c in reversed(kids) if c > node)
                    stack.append((node, 1))
                    stack.extend((c, 0) for c in reversed(kids) if c < node)
                elif step == 1:
                    place[node] = len(order)
                    order.append(node)
                else:
                    end[node] = len(order)
        return order, place, start, end

    def in_subtree(self, root: int, i: int) -> bool:
        """True when token ``i`` is ``root`` or one of its descendants."""
        _, place, start, end = self._tree
        return start[root] <= place[i] < end[root]

    def is_ancestor(self, i: int, of: int) -> bool:
        """True when token ``i`` is an ancestor of token ``of`` (not itself)."""
        return i != of and self.in_subtree(i, of)

    def prefix(self, name: str, predicate: Callable[[Token], bool]) -> list[int]:
        """Running counts of the tokens matching ``predicate``, in text order,
        kept under ``name``: the count in ``[a, b)`` is ``p[b] - p[a]``."""
        key = ("prefix:" + name, 0)
        found = self.memo.get(key)
        if found is None:
            found = [0]
            for tok in self.tokens:  # Token objects made once per document
                found.append(found[-1] + (1 if predicate(tok) else 0))
            self.memo[key] = found
        return cast(list[int], found)

    def subtree_count(self, name: str, predicate: Callable[[Token], bool], root: int) -> int:
        """How many tokens of ``root``'s subtree match ``predicate``."""
        key = ("tree:" + name, 0)
        found = self.memo.get(key)
        order, _, start, end = self._tree
        if found is None:
            found = [0]
            tokens = self.tokens
            for i in order:
                found.append(found[-1] + (1 if predicate(tokens[i]) else 0))
            self.memo[key] = found
        counts = cast(list[int], found)
        return counts[end[root]] - counts[start[root]]

    def cached(self, name: str, i: int, compute: Callable[[], T]) -> T:
        """``compute()`` once per document for the key ``(name, i)``."""
        key = (name, i)
        if key not in self.memo:
            self.memo[key] = compute()
        return cast(T, self.memo[key])


class FirstAbove:
    """First position in a range of a fixed list whose value exceeds a bound,
    in O(log n) per query (a table of range maxima, built in O(n log n))."""

    def __init__(self, values: list[int]) -> None:
        self.n = len(values)
        self.table = [values]
        width = 1
        while 2 * width <= self.n:
            prev = self.table[-1]
            self.table.append(
                [max(prev[i], prev[i + width]) for i in range(self.n - 2 * width + 1)]
            )
            width *= 2

    def range_max(self, lo: int, hi: int) -> int:
        """``max(values[lo:hi])`` for ``lo < hi``, in O(1)."""
        k = (hi - lo).bit_length() - 1
        return max(self.table[k][lo], self.table[k][hi - (1 << k)])

    def find(self, lo: int, hi: int, bound: int) -> int | None:
        """The first ``i`` in ``[lo, hi)`` with ``values[i] > bound``, or None."""
        i = lo
        for k in range(len(self.table) - 1, -1, -1):
            if i + (1 << k) <= hi and self.table[k][i] <= bound:
                i += 1 << k
        return i if i < hi else None


def children(tok: Token) -> list[Token]:
    """``tok.children`` from the document's table, in text order."""
    return doc_index(tok.doc).children(tok)
