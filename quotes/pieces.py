"""Bounded pieces of long documents, and the limits a run works under.

A document longer than :attr:`Limits.piece_chars` is processed as pieces:
groups of whole paragraphs up to that size (a paragraph longer than it is cut
at a sentence end, else at a space). Memory then depends on the piece size,
not on the document. Each piece is read with some of the text around it as
context (:attr:`Limits.context_chars`: the paragraphs before it, and after it
when the cut falls inside a paragraph), and keeps only the quotes that start
in its own part, so that

* every quote is found by exactly one piece, with offsets into the whole text
  (where pieces overlap, the quote of the earlier piece wins);
* a quote at a cut keeps its attribution: the cue before it (``Kuleba
  said:`` closing the previous paragraph) or after it (``“...,” she said``
  across a cut inside a paragraph) is in the piece's context;
* a pronoun or a role finds its antecedent up to the context's length back
  (after a paragraph break; a cut inside a paragraph reads ahead only, so that
  a clause read from the middle cannot swallow the piece's own quotes);
* no cut falls inside quotation marks, so each piece pairs its marks as the
  whole text does.

Pieces are plain ``(start, own_start, own_end, end)`` offsets; no I/O here.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .marks import CLOSING_MARKS

#: Longest document accepted by default (characters); longer ones are reported.
DEFAULT_MAX_CHARS = 1_000_000
#: Characters of one piece by default: longer than any news article, so an
#: article is read whole, as before pieces existed.
DEFAULT_PIECE_CHARS = 30_000
#: Characters of context read on each side of a cut by default.
DEFAULT_CONTEXT_CHARS = 3_000
#: Tokens spaCy handles in one batch by default (memory grows with them).
DEFAULT_BATCH_TOKENS = 60_000
#: Seconds one document may cost by default before it is reported as too costly.
DEFAULT_TIME_BUDGET = 300.0
#: ``quotes serve``'s limits by default: a task is an article, answered in at
#: most 30 s (Label Studio waits 100 s for a whole request), in a body of 10 MiB.
SERVE_MAX_CHARS = 200_000
SERVE_TASK_SECONDS = 30.0
SERVE_MAX_REQUEST_BYTES = 10 * 1024 * 1024

# a sentence end inside a paragraph: closing punctuation, closing marks, space
_SENTENCE_END = re.compile("[.!?…][" + re.escape("".join(sorted(CLOSING_MARKS))) + r")\]]*\s+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Limits:
    """What one document may cost: its length, the pieces it is read in, the
    tokens in one spaCy batch, and the time it may take.

    ``max_chars`` and ``time_budget`` of ``None`` (or 0) mean no limit.
    """

    max_chars: int | None = DEFAULT_MAX_CHARS
    piece_chars: int = DEFAULT_PIECE_CHARS
    context_chars: int = DEFAULT_CONTEXT_CHARS
    batch_tokens: int = DEFAULT_BATCH_TOKENS
    time_budget: float | None = DEFAULT_TIME_BUDGET

    def __post_init__(self) -> None:
        if self.piece_chars < 100:
            raise ValueError(f"piece size {self.piece_chars} is too small; use 100 or more")
        if self.context_chars < 0 or self.batch_tokens < 1:
            raise ValueError("context size and batch tokens must be positive")

    def too_long(self, text: str) -> bool:
        """True when ``text`` is over ``max_chars``."""
        return bool(self.max_chars) and len(text) > (self.max_chars or 0)

    def within(self, max_length: int) -> Limits:
        """These limits, with pieces and context that fit a pipeline's ``max_length``."""
        piece = max(1, min(self.piece_chars, max_length // 2))
        context = min(self.context_chars, max_length // 4)
        if (piece, context) == (self.piece_chars, self.context_chars):
            return self
        return Limits(self.max_chars, max(100, piece), context, self.batch_tokens, self.time_budget)


@dataclass(frozen=True)
class Piece:
    """``text[start:end]`` is read; quotes starting in ``[own_start, own_end)`` are kept."""

    start: int
    own_start: int
    own_end: int
    end: int


def plan_pieces(
    text: str,
    piece_chars: int,
    context_chars: int,
    quoted: Sequence[tuple[int, int]] = (),
) -> list[Piece]:
    """The pieces of ``text``: one for a text up to ``piece_chars``; else groups of
    paragraphs up to that size, each with its context (see the module docstring).

    ``quoted`` are the ``[start, end)`` bounds (marks included) of the text's
    quoted stretches, sorted: no piece and no context starts or ends inside one,
    so that each piece pairs its quotation marks as the whole text does (a cut
    after an opening ``"`` would turn every later pair inside out).

    >>> [(p.own_start, p.own_end) for p in plan_pieces("a b.\\nc d.\\ne f.", 100, 0)]
    [(0, 14)]
    """
    length = len(text)
    if length <= piece_chars:
        return [Piece(0, 0, length, length)]
    outside = _Outside(quoted)
    pieces = []
    own_start = 0
    after_break = True  # the piece starts at a paragraph (the text's first one)
    while own_start < length:
        if length - own_start <= piece_chars:
            own_end, inside = length, False
        else:
            own_end, inside = _cut(text, own_start, own_start + piece_chars, outside)
        start = own_start
        if own_start > 0 and context_chars and after_break:
            # the paragraphs before: no quote crosses into this piece from them
            start = _first_boundary(text, max(0, own_start - context_chars), own_start, outside)
        end = own_end
        if inside and context_chars:
            # the rest of the sentence and more: the cue after a quote ("“A,” she said")
            end = _last_boundary(text, own_end, min(length, own_end + context_chars), outside)
        pieces.append(Piece(start, own_start, own_end, end))
        own_start, after_break = own_end, not inside
    return pieces


class _Outside:
    """Whether a place lies outside every quoted stretch (or at its edge)."""

    def __init__(self, quoted: Sequence[tuple[int, int]]) -> None:
        self.starts = [a for a, _ in quoted]
        self.ends = [b for _, b in quoted]

    def around(self, pos: int) -> tuple[int, int] | None:
        """The stretch ``pos`` falls strictly inside, if any."""
        k = bisect_right(self.starts, pos - 1) - 1  # the last stretch starting before pos
        if k >= 0 and pos < self.ends[k]:
            return self.starts[k], self.ends[k]
        return None

    def __call__(self, pos: int) -> bool:
        return self.around(pos) is None


def _cut(text: str, start: int, limit: int, outside: _Outside) -> tuple[int, bool]:
    """Where the piece starting at ``start`` ends (at most ``limit``), and whether
    the cut falls inside a paragraph: after the last line break, else after the
    last sentence end, else after the last space (outside quotes), else before
    the quote at the limit, else at ``limit``."""
    newline = text.rfind("\n", start, limit)
    if newline >= start:
        return newline + 1, False
    for pattern in (_SENTENCE_END, _SPACE):
        found = _last_match(pattern, text, start, limit, outside)
        if found is not None:
            return found, True
    quote = outside.around(limit)
    if quote is not None and quote[0] > start:
        return quote[0], True
    return limit, True


def _last_match(
    pattern: re.Pattern[str], text: str, start: int, end: int, allowed: Callable[[int], bool]
) -> int | None:
    """The end of the last match of ``pattern`` in ``text[start:end]`` (past
    ``start``) where ``allowed`` holds."""
    ends = [m.end() for m in pattern.finditer(text, start, end) if m.end() > start]
    return next((e for e in reversed(ends) if allowed(e)), None)


def _first_boundary(text: str, lo: int, hi: int, outside: _Outside) -> int:
    """The first place in ``[lo, hi]`` a context may start: a paragraph start,
    else a sentence start, else a word start (outside quotes), else ``hi``."""
    newline = text.find("\n", lo, hi - 1)
    if newline >= 0:
        return newline + 1
    for pattern in (_SENTENCE_END, _SPACE):
        for match in pattern.finditer(text, lo, hi):
            if match.end() < hi and outside(match.end()):
                return match.end()
    return hi


def _last_boundary(text: str, lo: int, hi: int, outside: _Outside) -> int:
    """The last place in ``[lo, hi]`` a context may end: a paragraph end, else a
    sentence end, else a word end (outside quotes), else ``lo`` (no context)."""
    if hi >= len(text):
        return len(text)
    newline = text.rfind("\n", lo, hi)
    if newline >= lo:
        return newline
    for pattern in (_SENTENCE_END, _SPACE):
        found = _last_match(pattern, text, lo, hi, outside)
        if found is not None:
            return found
    return lo
