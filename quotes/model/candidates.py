"""Candidates the attribution model chooses among, read off the parse.

The model never invents a span: for every document it scores

* **cues**: tokens that may introduce reported speech (verbs, "according",
  speech nouns of the lexicon), outside quotation marks;
* **contents** of a cue: token ranges the syntax offers as what was said
  (a clausal complement, an object, the object of a preposition, the clause
  the cue interrupts, the rest of the sentence or paragraph after a colon,
  the previous sentence, and the content the rules chose);
* **sources** of a cue: the heads of noun phrases in the cue's sentence.

Every candidate lies inside one paragraph and never contains its own cue, so
whatever the model picks is a well-formed quote the rules can type and
attribute. Cost is linear in the tokens: each cue looks at its own children,
its head and its sentence, and every per-document table is built in one pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray
from spacy.attrs import DEP, IDX, IS_SPACE, LEMMA, LOWER, POS, SENT_START, TAG
from spacy.tokens import Doc, Token

from ..cues import CueLexicon
from ..marks import QUOTE_MARKS, QuotedStretch, find_quoted_stretches
from ..rules.attributions import Attribution, find_attributions
from ..rules.text import FINITE_TAGS
from ..rules.text import SUBJECTS as SUBJECT_DEPS

#: Dependents of a cue whose subtree may be its content ("said [that C]",
#: "denied [the report]", "urged Kiev [to resume talks]").
CONTENT_DEPS = frozenset(
    {
        "ccomp",
        "xcomp",
        "dobj",
        "advcl",
        "parataxis",
        "attr",
        "oprd",
        "acomp",
        "dative",
        "npadvmod",
        "pcomp",
        "conj",
        "csubj",
        "nsubjpass",
        "acl",
        "relcl",
        "appos",
    }
)
#: Dependency labels of a cue that sits inside its own content ("C, X said").
INSIDE_DEPS = frozenset({"parataxis", "ccomp", "advcl", "conj", "dep", "relcl", "acl"})
#: How far from its cue (in tokens) a source may stand.
SOURCE_WINDOW = 40
#: Parts of speech that head a possible source.
SOURCE_POS = frozenset({"NOUN", "PROPN", "PRON", "NUM"})
#: Characters never at the edge of a content candidate.
EDGE_TEXT = frozenset(",.;:—–-()[]") | QUOTE_MARKS
#: Final characters of a paragraph that is a sentence, not a headline.
HEADLINE_ENDS = frozenset(".!?…:;)]") | QUOTE_MARKS


@dataclass(frozen=True)
class Span:
    """A token range ``[first, last]`` (inclusive) offered as content, and how."""

    kind: str
    first: int
    last: int
    anchor: int = -1  # the token that heads it, when the syntax gives one


class DocView:
    """Per-document tables the candidates and features read, built in one pass.

    Token ``i`` lies in paragraph ``para_of[i]`` (bounds ``para_bounds``), in a
    quoted stretch when ``quoted[i]`` is set, and in sentence ``sent_of[i]``;
    ``cues`` lists the cue candidates. ``counts[name]`` are prefix sums over
    the tokens (finite verbs, subjects, quoted tokens, lexicon cue verbs), so
    that any span's count costs O(1). ``rules`` maps a cue token to the
    attribution the rules found there (see :meth:`with_rules`).
    """

    def __init__(self, doc: Doc, lexicon: CueLexicon | None = None) -> None:
        self.doc = doc
        self.text = doc.text
        self.lexicon = lexicon or CueLexicon.default()
        self.stretches: list[QuotedStretch] = find_quoted_stretches(self.text)
        n = len(doc)
        # one array of token attributes (spaCy's own, no Token objects), then numpy
        strings = doc.vocab.strings
        table = doc.to_array([IDX, POS, TAG, DEP, LEMMA, LOWER, SENT_START, IS_SPACE])
        idx, pos, tag, dep, lemma, lower, sent_start, space = (table[:, k] for k in range(8))

        def among(column: NDArray[Any], words: Iterable[str]) -> NDArray[np.bool_]:
            return np.isin(column, np.fromiter((strings[w] for w in words), dtype=np.uint64))

        starts = np.asarray([s.outer_start for s in self.stretches], dtype=np.int64)
        ends = np.asarray([s.outer_end for s in self.stretches], dtype=np.int64)
        k = np.searchsorted(starts, idx.astype(np.int64), side="right") - 1
        inside = (
            (k >= 0) & (idx.astype(np.int64) < ends[np.maximum(k, 0)])
            if len(starts)
            else (np.zeros(n, dtype=bool))
        )
        # a paragraph break token (white space holding a line break) ends its paragraph
        breaks = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(space):
            breaks[i] = "\n" in doc[int(i)].text
        if n:
            breaks[n - 1] = True
        self.quoted: list[bool] = inside.tolist()
        para_ends = np.flatnonzero(breaks)
        self.para_bounds = list(
            zip([0, *(para_ends[:-1] + 1).tolist()], para_ends.tolist(), strict=True)
        )
        self.para_of: list[int] = (np.cumsum(breaks) - breaks).tolist()
        firsts = np.flatnonzero(sent_start == 1) if n else np.zeros(0, dtype=np.int64)
        firsts = np.union1d([0], firsts) if n else firsts
        self.sent_bounds = (
            list(zip(firsts.tolist(), [*(firsts[1:] - 1).tolist(), n - 1], strict=True))
            if n
            else []
        )
        sent_flags = np.zeros(n, dtype=np.int64)
        sent_flags[firsts] = 1
        self.sent_of: list[int] = (np.cumsum(sent_flags) - 1).tolist()
        verb_pos, aux_pos, noun_pos = (strings[p] for p in ("VERB", "AUX", "NOUN"))
        cue_verbs = (pos == verb_pos) & among(lemma, self.lexicon.verbs)
        zero = np.zeros(1, dtype=np.int64)
        self.counts = {
            name: np.concatenate([zero, np.cumsum(flags, dtype=np.int64)])
            for name, flags in (
                ("finite", among(tag, FINITE_TAGS)),
                ("subjects", among(dep, SUBJECT_DEPS)),
                ("quoted", inside),
                ("cues", cue_verbs),
            )
        }
        candidates = ~inside & (
            (pos == verb_pos)
            | ((pos == aux_pos) & ~among(dep, ("aux", "auxpass")))
            | (lower == strings["according"])
            | ((pos == noun_pos) & among(lemma, self.lexicon.nouns))
        )
        self.cues: list[int] = np.flatnonzero(candidates).tolist()
        self.rules: dict[int, Attribution] = {}
        self._stretch_starts = starts.tolist()
        # "Mayor says bridge will reopen": a short paragraph without final punctuation
        self.headline = [self._is_headline(a, b) for a, b in self.para_bounds]

    def count(self, name: str, first: int, last: int) -> int:
        """How many of the tokens ``first..last`` count under ``name`` (see the class doc)."""
        sums = self.counts[name]
        return int(sums[last + 1] - sums[first]) if last >= first else 0

    def _is_headline(self, first: int, last: int) -> bool:
        while last > first and self.doc[last].is_space:
            last -= 1
        return last - first < 25 and self.doc[last].text[-1:] not in HEADLINE_ENDS

    @classmethod
    def with_rules(cls, doc: Doc, lexicon: CueLexicon) -> DocView:
        """The view of ``doc`` whose features see what the rules found at each cue."""
        view = cls(doc, lexicon)
        found = find_attributions(doc, lexicon, view.inside_marks())
        view.rules = {att.cue_token.i: att for att in found}
        return view

    def inside_marks(self) -> list[tuple[int, int]]:
        """The quoted stretches as ``(start, end)``, as the rules take them."""
        return [(s.start, s.end) for s in self.stretches]

    def is_headline(self, i: int) -> bool:
        return self.headline[self.para_of[i]]

    def stretches_near(self, char: int) -> list[QuotedStretch]:
        """The quoted stretches just before and just after character ``char``."""
        k = bisect.bisect_right(self._stretch_starts, char)
        return self.stretches[max(0, k - 1) : k + 1]

    def paragraph(self, i: int) -> tuple[int, int]:
        return self.para_bounds[self.para_of[i]]

    def sentence(self, i: int) -> tuple[int, int]:
        return self.sent_bounds[self.sent_of[i]]

    def trimmed(self, first: int, last: int) -> tuple[int, int] | None:
        """``[first, last]`` without edge punctuation, space and a leading "that"."""
        doc = self.doc
        while first <= last and (
            doc[first].is_space
            or doc[first].text in EDGE_TEXT
            or (doc[first].lower_ == "that" and doc[first].dep_ == "mark")
        ):
            first += 1
        while last >= first and (doc[last].is_space or doc[last].text in EDGE_TEXT):
            last -= 1
        return (first, last) if first <= last else None


def cue_candidates(view: DocView) -> list[Token]:
    """Every token that may introduce reported speech, outside quotation marks,
    in text order: verbs ("said", "warned"), main-verb auxiliaries ("is" in
    "the claim is that ..."), "according" and the lexicon's speech nouns ("a
    statement that ...")."""
    doc = view.doc
    return [doc[i] for i in view.cues]


def content_candidates(view: DocView, cue: Token) -> list[Span]:
    """Token ranges that may be what ``cue`` introduces, each once.

    "She said [the bridge will reopen]" (complement), "[The bridge will
    reopen], she said" (the clause the cue interrupts), "He called for [a
    ceasefire]" (object of the preposition), "The minister said: [...]"
    (after a colon), and the rest or start of the sentence around the cue.
    """
    doc = view.doc
    para_first, para_last = view.paragraph(cue.i)
    sent_first, sent_last = view.sentence(cue.i)
    found: dict[tuple[int, int], Span] = {}

    def add(kind: str, first: int, last: int, anchor: int = -1) -> None:
        bounds = view.trimmed(max(first, para_first), min(last, para_last))
        if bounds is None or bounds[0] <= cue.i <= bounds[1] or bounds in found:
            return
        found[bounds] = Span(kind, *bounds, anchor if bounds[0] <= anchor <= bounds[1] else -1)

    # the rules' own choice comes first, so that ties keep it
    rule = view.rules.get(cue.i)
    if rule is not None and rule.content is not None:
        span = doc.char_span(rule.content.start, rule.content.end, alignment_mode="expand")
        if span is not None:
            add("rules", span.start, span.end - 1)
    children = list(cue.children)
    for child in children:
        side = "L" if child.i < cue.i else "R"
        if child.dep_ in CONTENT_DEPS:
            add(f"child:{child.dep_}:{side}", child.left_edge.i, child.right_edge.i, child.i)
        if child.dep_ in ("prep", "agent") and child.i > cue.i:
            for grandchild in child.children:
                if grandchild.dep_ in ("pobj", "pcomp"):
                    add(
                        f"prep:{child.lower_}",
                        grandchild.left_edge.i,
                        grandchild.right_edge.i,
                        grandchild.i,
                    )
    # "described the talks as a success": the object with its complement
    objects = [c for c in children if c.dep_ == "dobj" and c.i > cue.i]
    if objects:
        obj = objects[0]
        last = obj.right_edge.i
        for child in children:
            if child.i > obj.i and child.dep_ in ("prep", "oprd", "advcl", "xcomp", "ccomp"):
                last = max(last, child.right_edge.i)
        add("object+", obj.left_edge.i, last, obj.i)
    rights = [c for c in children if c.i > cue.i and c.dep_ not in ("punct", "cc", "prt")]
    if rights:
        add("rights", rights[0].left_edge.i, max(c.right_edge.i for c in rights))
    # the cue's own subtree, and the clause around it
    sub_first, sub_last = cue.left_edge.i, cue.right_edge.i
    if cue.dep_ in INSIDE_DEPS and cue.head is not cue:
        head = cue.head
        add("head:left", head.left_edge.i, sub_first - 1, head.i)
        add("head:right", sub_last + 1, head.right_edge.i, head.i)
    add("sent:left", sent_first, sub_first - 1)
    add("sent:right", sub_last + 1, sent_last)
    add("sent:after", cue.i + 1, sent_last)
    # "The statement read: ..." and "He told reporters: ..."
    for j in range(cue.i + 1, min(cue.i + 4, para_last + 1)):
        if doc[j].text == ":":
            add("colon", j + 1, para_last)
            break
    # the previous sentence, for "S. That is what she said."
    if sent_first > para_first:
        prev_first, prev_last = view.sentence(sent_first - 1)
        add("sent:previous", prev_first, prev_last)
    return list(found.values())


def source_candidates(view: DocView, cue: Token) -> list[Token]:
    """Heads of noun phrases in the cue's sentence, near it, that may be its source.

    At most :data:`SOURCE_WINDOW` tokens either side: a source stands next to
    its cue, and a crafted sentence of thousands of cues stays linear.
    """
    first, last = view.sentence(cue.i)
    first, last = max(first, cue.i - SOURCE_WINDOW), min(last, cue.i + SOURCE_WINDOW)
    doc = view.doc
    return [
        tok
        for tok in doc[first : last + 1]
        if tok.pos_ in SOURCE_POS and tok.i != cue.i and not view.quoted[tok.i]
    ]
