"""Features of the model's candidates: hashed sparse features plus dense token vectors.

Each candidate becomes a list of feature strings (``"lemma=say"``,
``"kind=child:ccomp:R|cue=say"``), hashed into the rows of an embedding
table, and a dense row made of the pipeline's contextual token vectors
(``doc.tensor``, what the tagger and parser read) at the tokens that matter:
the cue, the span's edges, the source. When the pipeline gives no tensor of
the width the model was trained with, the dense part is zeros and the sparse
features carry the decision alone.

Span-level counts (finite verbs, subjects, quoted tokens inside a span) come
from prefix sums built once per document, so a feature costs the same
however long its span: a crafted one-sentence document stays linear.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Token

from .candidates import SUBJECT_DEPS, DocView, Span

#: Words whose form is a feature of its own at a span's edge or next to a cue.
FUNCTION_WORDS = frozenset(
    [
        "that",
        "whether",
        "if",
        "what",
        "how",
        "why",
        "when",
        "where",
        "who",
        "which",
        "to",
        "for",
        "of",
        "about",
        "on",
        "as",
        "in",
        "by",
        "with",
        "and",
        "but",
        "or",
        ",",
        ".",
        ":",
        ";",
        "—",
        "–",
        "-",
        "“",
        "”",
        '"',
        "'",
        "‘",
        "’",
        "(",
        ")",
        "the",
        "a",
        "an",
        "this",
        "these",
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "you",
        "his",
        "her",
        "their",
        "its",
        "our",
        "said",
        "says",
        "told",
        "according",
    ]
)


def bucket(n: int) -> str:
    """A coarse size: 0, 1, 2, 3, 4, 5-6, 7-10, 11-20, 21-40, 41+."""
    for limit, name in ((4, str(n)), (6, "5-6"), (10, "7-10"), (20, "11-20"), (40, "21-40")):
        if n <= limit:
            return name
    return "41+"


def hash_features(strings: list[str], rows: int) -> NDArray[np.uint64]:
    """Rows of the embedding table for ``strings`` (CRC-32, stable across runs)."""
    return np.fromiter(
        (zlib.crc32(s.encode("utf-8")) % rows for s in strings), dtype=np.uint64, count=len(strings)
    )


@dataclass
class Sample:
    """Feature strings and dense token indices of one candidate."""

    strings: list[str]
    dense: tuple[int, ...]  # token indices whose vectors make the dense row (-1: none)


class Featurizer:
    """Feature strings of cues, contents and sources of one document."""

    def __init__(self, view: DocView) -> None:
        self.view = view

    # --- helpers ---------------------------------------------------------

    @staticmethod
    def word(tok: Token) -> str:
        """A token's form when it is a function word, else its tag."""
        return tok.lower_ if tok.lower_ in FUNCTION_WORDS else tok.tag_

    def lexicon_tags(self, tok: Token) -> list[str]:
        lemma = tok.lemma_.lower()
        verb = self.view.lexicon.verb(lemma, tok.text)
        if verb is not None:
            return ["lex=verb", *(f"lex={tag}" for tag in sorted(verb.tags))]
        if lemma in self.view.lexicon.nouns:
            return ["lex=noun"]
        return ["lex=none"]

    def subject_kind(self, tok: Token) -> str:
        for child in tok.children:
            if child.dep_ in SUBJECT_DEPS:
                if child.pos_ == "PRON":
                    return f"subj={child.lower_}"
                return f"subj={child.ent_type_ or child.pos_}"
        return "subj=none"

    def nearest_quote(self, tok: Token) -> tuple[str, str]:
        """Distance buckets (in characters) to the nearest quoted stretch before
        and after ``tok`` in its paragraph."""
        view = self.view
        para_first, para_last = view.paragraph(tok.i)
        para_start = view.doc[para_first].idx
        para_end = view.doc[para_last].idx + len(view.doc[para_last])
        before = after = "none"
        for stretch in view.stretches_near(tok.idx):
            if para_start <= stretch.outer_start and stretch.outer_end <= para_end:
                if stretch.outer_end <= tok.idx:
                    before = bucket(tok.idx - stretch.outer_end)
                elif stretch.outer_start >= tok.idx:
                    after = bucket(stretch.outer_start - tok.idx)
        return before, after

    # --- cues --------------------------------------------------------------

    def cue(self, tok: Token) -> Sample:
        """Is ``tok`` a cue of reported speech here? ("she said", not "said goodbye")."""
        doc = self.view.doc
        lemma = tok.lemma_.lower()
        head = tok.head
        strings = [
            "bias",
            f"lemma={lemma}",
            f"lower={tok.lower_}",
            f"tag={tok.tag_}",
            f"dep={tok.dep_}",
            f"lemma|dep={lemma}|{tok.dep_}",
            f"lemma|tag={lemma}|{tok.tag_}",
            f"head.lemma={head.lemma_.lower()}",
            f"head.pos={head.pos_}",
            f"dep|head.pos={tok.dep_}|{head.pos_}",
            self.subject_kind(tok),
            f"lemma|{self.subject_kind(tok)}",
            *self.lexicon_tags(tok),
        ]
        for child in tok.children:
            strings.append(f"kid={child.dep_}")
            strings.append(f"lemma|kid={lemma}|{child.dep_}")
            if child.dep_ in ("mark", "neg", "aux", "auxpass", "prt", "prep", "advmod"):
                strings.append(f"kid={child.dep_}:{child.lower_}")
                strings.append(f"lemma|kid={lemma}|{child.dep_}:{child.lower_}")
        prev = doc[tok.i - 1] if tok.i > 0 else None
        nxt = doc[tok.i + 1] if tok.i + 1 < len(doc) else None
        strings.append(f"prev={self.word(prev) if prev is not None else '<s>'}")
        strings.append(f"next={self.word(nxt) if nxt is not None else '</s>'}")
        strings.append(f"lemma|next={lemma}|{self.word(nxt) if nxt is not None else '</s>'}")
        before, after = self.nearest_quote(tok)
        strings += [f"quote.before={before}", f"quote.after={after}"]
        strings.append(f"lemma|quote={lemma}|{before != 'none'}|{after != 'none'}")
        rule = self.view.rules.get(tok.i)
        strings.append(f"rules={rule.rule if rule is not None else 'none'}")
        strings.append(f"rules.content={rule is not None and rule.content is not None}")
        strings.append(f"rules.source={rule is not None and rule.source is not None}")
        para_first, para_last = self.view.paragraph(tok.i)
        strings.append(f"headline={self.view.is_headline(tok.i)}")
        strings.append(f"para.len={bucket(para_last - para_first + 1)}")
        return Sample(strings, (tok.i, head.i))

    # --- contents ----------------------------------------------------------

    def content(self, cue: Token, span: Span) -> Sample:
        """Is ``span`` what ``cue`` introduces? ("said [the bridge will reopen]")."""
        view = self.view
        doc = view.doc
        first, last = span.first, span.last
        lemma = cue.lemma_.lower()
        kind = span.kind
        size = last - first + 1
        quoted = view.count("quoted", first, last)
        sent_first, sent_last = view.sentence(cue.i)
        before = doc[first - 1] if first > 0 else None
        after = doc[last + 1] if last + 1 < len(doc) else None
        side = "after" if first > cue.i else "before"
        gap = first - cue.i - 1 if first > cue.i else cue.i - last - 1
        strings = [
            "bias",
            f"kind={kind}",
            f"kind|lemma={kind}|{lemma}",
            f"kind|dep={kind}|{cue.dep_}",
            f"size={bucket(size)}",
            f"kind|size={kind}|{bucket(size)}",
            f"first={self.word(doc[first])}",
            f"first.dep={doc[first].dep_}",
            f"last={self.word(doc[last])}",
            f"before={self.word(before) if before is not None else '<s>'}",
            f"after={self.word(after) if after is not None else '</s>'}",
            f"quoted={'none' if not quoted else 'all' if quoted == size else 'some'}",
            f"finite={bucket(view.count('finite', first, last))}",
            f"subjects={bucket(view.count('subjects', first, last))}",
            f"cues.inside={bucket(view.count('cues', first, last))}",
            f"side|gap={side}|{bucket(gap)}",
            f"lemma|side={lemma}|{side}",
            f"sentence={'same' if view.sent_of[first] == view.sent_of[cue.i] else 'other'}",
            f"crosses={view.sent_of[first] != view.sent_of[last]}",
            f"ends.sentence={last >= sent_last - 1}",
            f"starts.sentence={first <= sent_first + 1}",
            *(f"cue.{s}" for s in self.lexicon_tags(cue)),
        ]
        rule = view.rules.get(cue.i)
        if rule is not None and rule.content is not None:
            rule_first = doc[first].idx
            rule_last = doc[last].idx + len(doc[last])
            shared = max(0, min(rule_last, rule.content.end) - max(rule_first, rule.content.start))
            share = shared / max(1, rule.content.end - rule.content.start)
            strings.append(f"rules.share={round(share, 1)}")
            strings.append(f"rules.rule={rule.rule}|{share > 0.9}")
        else:
            strings.append("rules.share=none")
        return Sample(strings, (cue.i, first, last, span.anchor))

    # --- sources -----------------------------------------------------------

    def relation(self, cue: Token, tok: Token) -> str:
        """Where ``tok`` stands from ``cue`` in the tree, within two steps."""
        if tok.head.i == cue.i:
            return f"child:{tok.dep_}"
        if tok.head.head.i == cue.i:
            return f"grandchild:{tok.head.dep_}:{tok.dep_}"
        if cue.head.i == tok.i:
            return f"head:{cue.dep_}"
        if tok.head.i == cue.head.i:
            return f"sibling:{tok.dep_}"
        if cue.head.head.i == tok.head.i:
            return f"uncle:{tok.dep_}"
        return "other"

    def source(self, cue: Token, tok: Token, content: Span | None) -> Sample:
        """Is ``tok`` the head of the source of ``cue``? ("[the ministry] said")."""
        rule = self.view.rules.get(cue.i)
        relation = self.relation(cue, tok)
        lemma = cue.lemma_.lower()
        side = "before" if tok.i < cue.i else "after"
        inside = content is not None and content.first <= tok.i <= content.last
        strings = [
            "bias",
            f"rel={relation}",
            f"rel|lemma={relation}|{lemma}",
            f"dep={tok.dep_}",
            f"pos={tok.pos_}",
            f"tag={tok.tag_}",
            f"ent={tok.ent_type_}",
            f"pron={tok.lower_ if tok.pos_ == 'PRON' else '-'}",
            f"side|dist={side}|{bucket(abs(tok.i - cue.i))}",
            f"head={tok.head.lower_ if tok.head.lower_ in FUNCTION_WORDS else tok.head.pos_}",
            f"head.dep={tok.head.dep_}",
            f"in.content={inside}",
            f"rules={rule is not None and rule.source is not None and rule.source.i == tok.i}",
            f"title={tok.is_title}",
        ]
        return Sample(strings, (cue.i, tok.i))

    def null_source(self, cue: Token) -> Sample:
        """The "no source in this sentence" choice ("it was announced that ...")."""
        lemma = cue.lemma_.lower()
        return Sample(
            ["bias", "null", f"null|lemma={lemma}", f"null|dep={cue.dep_}", self.subject_kind(cue)],
            (cue.i, -1),
        )


def dense_rows(tensor: NDArray[np.float32], width: int, indices: list[tuple[int, ...]]) -> NDArray:
    """The dense part of each sample: the token vectors at its indices, side by side.

    Index -1 and a tensor of another width (another pipeline) give zeros.
    """
    slots = len(indices[0]) if indices else 0
    out = np.zeros((len(indices), slots * width), dtype=np.float32)
    if tensor.ndim != 2 or tensor.shape[1] != width or not indices:
        return out
    index = np.asarray(indices, dtype=np.int64)
    valid = index >= 0
    for slot in range(slots):
        rows = index[:, slot]
        ok = valid[:, slot]
        out[ok, slot * width : (slot + 1) * width] = tensor[rows[ok]]
    return out
