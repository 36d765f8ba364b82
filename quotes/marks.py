"""Quotation-mark pairing: which marks open and close which stretches of text.

Works on the raw text, paragraph by paragraph, before any parsing, because
the tokenizer does not know that ``Kremlins’`` ends in an apostrophe and
``“fairly,”`` in a closing mark. The allowed pairs are data
(``data/quote_marks.json``); this module holds only the logic:

* a single mark between letters (``it’s``) or after a plural ``s`` with no
  single quote open (``the Kremlins’ invasion``) is an apostrophe;
* a mark opens when it follows space or an opening bracket and precedes
  a non-space, and closes when it follows a non-space; ambiguous ASCII marks
  (``"``) alternate;
* an opening mark still open at the end of a paragraph continues the quote
  when the next paragraph opens with a mark (the multi-paragraph convention:
  one quoted stretch per paragraph);
* any other unmatched mark is left alone: never a crash, never a lost
  document.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from .resources import data_json

if TYPE_CHECKING:
    from spacy.tokens import Doc

_MARKS = data_json("quote_marks.json")
#: Every quotation mark of ``data/quote_marks.json``: the one definition the
#: rules and the scorer read.
QUOTE_MARKS: frozenset[str] = frozenset(
    set(_MARKS["pairs"]) | {m for closers in _MARKS["pairs"].values() for m in closers}
)
#: Single marks (``‘ ’ ' ‚ ‹ ›``), which also serve as apostrophes.
SINGLE_MARKS: frozenset[str] = frozenset(_MARKS["single"])
#: Double marks (``" “ ” „ « »`` ...).
DOUBLE_MARKS: frozenset[str] = QUOTE_MARKS - SINGLE_MARKS
#: Marks whose shape opens (``“ „ « ‘``) or closes (``” » ’``) a quote.
OPENING_SHAPED: frozenset[str] = frozenset(_MARKS["opening_shaped"])
CLOSING_SHAPED: frozenset[str] = frozenset(_MARKS["closing_shaped"])
#: Straight marks (``" '``) stand on either side.
STRAIGHT_MARKS: frozenset[str] = QUOTE_MARKS - OPENING_SHAPED - CLOSING_SHAPED
#: Marks that may open a quote, and marks that may close one.
OPENING_MARKS: frozenset[str] = OPENING_SHAPED | STRAIGHT_MARKS
CLOSING_MARKS: frozenset[str] = CLOSING_SHAPED | STRAIGHT_MARKS
#: French marks, which may stand with a space inside them: « texte ».
GUILLEMETS_OPEN: frozenset[str] = frozenset(_MARKS["guillemets"]["open"])
GUILLEMETS_CLOSE: frozenset[str] = frozenset(_MARKS["guillemets"]["close"])


@dataclass(frozen=True)
class MarkStyle:
    """The quotation-mark pairs of ``data/quote_marks.json``."""

    closers: dict[str, frozenset[str]]
    single: frozenset[str]

    @classmethod
    @cache
    def default(cls) -> MarkStyle:
        """The mark pairs shipped with the package."""
        data = data_json("quote_marks.json")
        return cls({k: frozenset(v) for k, v in data["pairs"].items()}, frozenset(data["single"]))

    @property
    def marks(self) -> frozenset[str]:
        out = set(self.closers)
        for values in self.closers.values():
            out |= values
        return frozenset(out)


@dataclass(frozen=True)
class QuotedStretch:
    """Text between a pair of marks: ``[start, end)`` excludes the marks.

    ``closed`` is False for a stretch cut at a paragraph break (the
    multi-paragraph convention) or left open by a stray mark.
    """

    start: int
    end: int
    open_mark: str
    close_mark: str
    closed: bool = True
    continues: bool = False  # the next paragraph continues this quote

    @property
    def outer_start(self) -> int:
        return self.start - 1

    @property
    def outer_end(self) -> int:
        return self.end + 1 if self.closed else self.end

    @property
    def single(self) -> bool:
        return self.open_mark in SINGLE_MARKS


_OPENING_CONTEXT = set(" \t\n([{—–-/\u00a0\u2009\u202f:") | {""}


def _is_letter(ch: str) -> bool:
    return ch.isalnum()


def _role(text: str, i: int, style: MarkStyle, single_open: bool) -> str | None:
    """``"open"``, ``"close"``, ``"either"`` or None (an apostrophe) for the mark at ``i``."""
    ch = text[i]
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if ch in style.single:
        # it’s, don’t, Xi’an, O’Brien: between letters it is an apostrophe
        if _is_letter(before) and _is_letter(after):
            return None
        # ’90s, ’til: an elision before a digit or after space with a lowercase word
        if (before in _OPENING_CONTEXT or before.isspace()) and after.isdigit():
            return None
        # Kremlins’ / the Joneses' house: plural possessive, unless a single quote is open
        if ch in "’'" and before in "sSzZ" and not single_open:
            return None
    space_before = before in _OPENING_CONTEXT or before.isspace() or before in OPENING_SHAPED
    space_after = after == "" or after.isspace()
    punct_after = after in ",.;:!?)]}…"
    # a mark opens when space (or an opening mark) is before it and a word after
    # it, and closes otherwise, whatever its shape: “ also closes in some sloppy
    # texts, ” opens in others
    can_open = space_before and not space_after and not punct_after
    # French spacing: « texte » (a space, often narrow, inside the marks)
    if ch in GUILLEMETS_OPEN and space_after and space_before and i + 2 < len(text):
        return "open" if not text[i + 2].isspace() else "either"
    if ch in GUILLEMETS_CLOSE and space_before and not can_open and (space_after or punct_after):
        return "close"
    return "open" if can_open else "close"


def paragraphs(text: str) -> list[tuple[int, int]]:
    """``[start, end)`` of each non-blank paragraph (lines separated by newlines)."""
    out = []
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        stripped = line.strip()
        if stripped:
            lead = len(line) - len(line.lstrip())
            out.append((pos + lead, pos + lead + len(stripped)))
        pos = end + 1
    return out


def _pair_paragraph(
    text: str, start: int, end: int, style: MarkStyle
) -> tuple[list[QuotedStretch], list[tuple[int, str]]]:
    """Closed stretches of one paragraph, and the marks left open at its end."""
    stack: list[tuple[int, str]] = []
    found: list[QuotedStretch] = []
    marks = style.marks
    for i in range(start, end):
        ch = text[i]
        if ch not in marks:
            continue
        single_open = any(m in style.single for _, m in stack)
        role = _role(text, i, style, single_open)
        if role is None:
            continue
        if role in ("close", "either"):
            # pair with the nearest open mark this one may close
            for depth in range(len(stack) - 1, -1, -1):
                pos, opener = stack[depth]
                if ch in style.closers.get(opener, ()):
                    del stack[depth:]
                    if i > pos + 1:
                        found.append(QuotedStretch(pos + 1, i, opener, ch))
                    break
            else:
                if role == "either" and ch in style.closers:
                    stack.append((i, ch))
            continue
        if ch in style.closers:
            stack.append((i, ch))
    return found, stack


def find_quoted_stretches(text: str, style: MarkStyle | None = None) -> list[QuotedStretch]:
    """Every quoted stretch of ``text``, sorted, never crossing a paragraph break.

    >>> text = 'He said “no,” twice.'
    >>> [text[s.start : s.end] for s in find_quoted_stretches(text)]
    ['no,']
    """
    style = style or MarkStyle.default()
    paras = paragraphs(text)
    out: list[QuotedStretch] = []
    for index, (start, end) in enumerate(paras):
        found, left_open = _pair_paragraph(text, start, end, style)
        out.extend(found)
        if not left_open:
            continue
        # the outermost mark left open: a multi-paragraph quote continues when
        # the next paragraph opens with a mark; otherwise take the stray
        # opening mark as quoting to the end of its paragraph, unclosed.
        # (a stray single mark is more likely an apostrophe: ignore it)
        doubles = [(p, m) for p, m in left_open if m not in style.single]
        if not doubles:
            continue
        pos, opener = doubles[0]
        if pos + 1 >= end:
            continue
        nxt = paras[index + 1] if index + 1 < len(paras) else None
        continues = nxt is not None and text[nxt[0]] in style.closers
        inner = [s for s in found if s.start > pos]
        out = [s for s in out if s not in inner]
        out.append(QuotedStretch(pos + 1, end, opener, "", closed=False, continues=continues))
    out.sort(key=lambda s: (s.start, -s.end))
    # drop stretches nested inside another (a quote within a quote is part of it)
    flat: list[QuotedStretch] = []
    for s in out:
        if flat and s.start < flat[-1].outer_end and s.end <= flat[-1].end:
            continue
        flat.append(s)
    return flat


def mark_paragraph_starts(doc: Doc) -> Doc:
    """Start a sentence at every paragraph of a tokenized, unparsed Doc.

    The parser keeps sentence starts set before it, so no sentence (and no
    dependency) runs across a paragraph break such as "Recommended\\n\\nAnalysts said".
    """
    for i in range(1, len(doc)):
        prev = doc[i - 1]
        after_break = "\n" in prev.whitespace_ or (prev.is_space and "\n" in prev.text)
        if after_break and not doc[i].is_space:
            doc[i].is_sent_start = True
    return doc
