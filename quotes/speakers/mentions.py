"""Mention spans: the speaker mention of a source token, with titles, roles and
appositions stripped (``Kremlin spokesman Dmitry Peskov`` -> ``Dmitry Peskov``),
and the lexicons of titles, roles and honorifics they use.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import cache

from spacy.tokens import Doc, Span, Token

from ..doc_index import doc_index
from ..resources import data_lines, word_set
from ..types import CharSpan

NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})

# Mention-span trimming: children right of the head that end the mention.
_CUT_RIGHT = frozenset({"appos", "relcl", "acl", "punct", "cc", "conj", "advcl", "parataxis"})


@cache
def _roles() -> frozenset[str]:
    return word_set("roles.txt")


@cache
def honorific_gender() -> dict[str, str]:
    return {
        row[0].lower().rstrip("."): (row[1] if len(row) > 1 else "-")
        for row in data_lines("honorifics.txt")
    }


@cache
def first_name_gender() -> dict[str, str]:
    return {row[0].lower(): row[1] for row in data_lines("first_names.tsv") if len(row) > 1}


def is_title(token: Token) -> bool:
    """A title, role or honorific word that may precede a name."""
    word = token.lower_.rstrip(".")
    return word in honorific_gender() or word in _roles() or token.lemma_.lower() in _roles()


def is_role_noun(token: Token) -> bool:
    return token.lower_ in _roles() or token.lemma_.lower() in _roles()


def role_key(word: str) -> str:
    """Spokesman, spokeswoman and spokesperson are one role; plurals fold to singular."""
    word = word.lower()
    if word.startswith("spokes"):
        return "spokes"
    return word


def _entity_of(token: Token) -> Span | None:
    """The named entity of ``doc.ents`` that contains ``token``."""
    if not token.ent_type_:
        return None
    return doc_index(token.doc).entity_at(token)


def name_parts(ent: Span) -> list[tuple[int, int]]:
    """Token bounds of the names in an entity: split at line breaks (NER sometimes
    runs a name on into the next paragraph), with leading determiners, titles and
    possessives and a trailing possessive stripped."""
    doc = ent.doc
    parts: list[tuple[int, int]] = []
    start = ent.start
    for i in range(ent.start, ent.end + 1):
        if i == ent.end or "\n" in doc[i].text:
            if (bounds := _strip_name(ent, start, i)) is not None:
                parts.append(bounds)
            start = i + 1
    return parts


def _strip_name(ent: Span, start: int, end: int) -> tuple[int, int] | None:
    doc = ent.doc
    person = ent.label_ == "PERSON"
    if person and start == ent.start:
        # a first name NER left out: "Rafiq" of "Rafiq Ali Noor"
        while start > 0 and _name_word_before(doc[start - 1], start, end):
            start -= 1
    elif (
        end == ent.end < len(doc)
        and doc[end].like_num
        and doc[end].dep_ == "nummod"
        and (start <= doc[end].head.i < end)
    ):
        end += 1  # "Dockworkers Local 41"
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct):
        end -= 1
    while start < end and (
        doc[start].lower_ == "the"
        or doc[start].is_punct
        or doc[start].tag_ == "POS"
        or doc[start].is_space
        or (person and end - start > 1 and is_title(doc[start]))
    ):
        start += 1
    return (start, end) if start < end else None


def _name_word_before(tok: Token, start: int, end: int) -> bool:
    """A capitalised word compounding into the name ``[start, end)``, not a title."""
    return (
        tok.pos_ == "PROPN"
        and tok.dep_ == "compound"
        and start <= tok.head.i < end
        and tok.ent_type_ in ("", "PERSON")
        and tok.is_title
        and not is_title(tok)
    )


def _name_bounds(ent: Span, token: Token | None = None) -> tuple[int, int] | None:
    """The name part of an entity that holds ``token`` (else its last part)."""
    parts = name_parts(ent)
    if token is not None:
        for start, end in parts:
            if start <= token.i < end:
                return start, end
    return parts[-1] if parts else None


def char_span(doc: Doc, start: int, end: int) -> CharSpan:
    """The character span of tokens ``[start, end)``."""
    span = doc[start:end]  # Span.text, not doc.text: the latter rebuilds the whole text
    return CharSpan(span.start_char, span.end_char, span.text)


def appositive_name(head: Token) -> Token | None:
    """A PERSON name set off by a comma inside a role NP's subtree
    (``the spokesman for the Russian Presidency, Dmitri Peskov``)."""
    index = doc_index(head.doc)
    # the document's candidates in subtree order, not a walk over the subtree
    names = index.cached("appositive-names", 0, lambda: _appositive_candidates(head.doc))
    commas = index.prefix("comma", _is_comma)
    entry, exit_ = index.depth_first(head)
    for k in range(bisect_left(names, entry), bisect_left(names, exit_)):
        tok = head.doc[index.in_depth_first_order(names[k])]
        if tok.i > head.i and commas[tok.left_edge.i] > commas[head.i]:
            return tok
    return None


def _appositive_candidates(doc: Doc) -> list[int]:
    """Places (in subtree order) of the PERSON tokens in apposition or coordination."""
    index = doc_index(doc)
    return sorted(
        index.place(t) for t in doc if t.ent_type_ == "PERSON" and t.dep_ in ("appos", "conj")
    )


def _is_comma(tok: Token) -> bool:
    return tok.text == ","


def mention_span(head: Token) -> CharSpan:
    """The speaker mention headed by ``head``.

    A name keeps only the name (titles, roles and appositions stripped:
    ``Kremlin spokesman Dmitry Peskov`` → ``Dmitry Peskov``); coordinated
    sources give one span over all of them (``Xi and Putin``); a pronoun is
    itself; an unnamed source keeps its noun phrase with its modifiers
    (``a person in Beijing familiar with the matter``).
    """
    doc = head.doc
    if head.tag_ in ("WP", "WDT") and head.head.dep_ == "relcl" and head.head.head.i != head.i:
        # "Paul Haenle, who said ...": the source is the relative clause's antecedent
        head = head.head.head
    if head.pos_ == "PRON":
        return char_span(doc, head.i, head.i + 1)
    conjuncts = (
        [t for t in doc_index(doc).conjuncts(head) if t.i > head.i] if head.dep_ != "conj" else []
    )
    first = _single_mention(head)
    if conjuncts:
        last = _single_mention(conjuncts[-1])
        end = max(first.end, last.end)
        whole = doc.char_span(first.start, end)
        if whole is not None:
            return CharSpan(first.start, end, whole.text)
    return first


def _trailing_name(head: Token) -> Token | None:
    """A PERSON name that closes a title's noun phrase
    (``Keeper of the City Archive Amina Farah Yusuf`` → the name)."""
    last = head.right_edge
    ent = _entity_of(last)
    if ent is not None and ent.label_ == "PERSON" and ent.start > head.i:
        return ent.root
    return None


def _single_mention(head: Token) -> CharSpan:
    """The mention of one (non-coordinated) source headed by ``head``."""
    doc = head.doc
    ent = _entity_of(head)
    if ent is None and head.pos_ in ("NOUN", "PROPN"):
        # a role that introduces a name: "the spokesman ..., Dmitri Peskov" or
        # "Keeper of the City Archive Amina Farah Yusuf"
        named = appositive_name(head) if head.pos_ == "NOUN" else None
        named = named or _trailing_name(head)
        if named is not None:
            head, ent = named, _entity_of(named)
    if ent is not None and ent.label_ in NAME_LABELS:
        bounds = _name_bounds(ent, head)
        if bounds is not None and ent.label_ == "PERSON":
            return char_span(doc, *bounds)
        if bounds is not None and head.i == ent.end - 1 and head.dep_ not in ("poss",):
            # organisations keep their possessor and determiner: "China's Foreign Ministry"
            left = min(head.left_edge.i, bounds[0])
            while left < bounds[0] and doc[left].is_punct:
                left += 1
            return char_span(doc, left, bounds[1])
        if bounds is not None and ent.label_ != "PERSON" and head.i < ent.end:
            return char_span(doc, *bounds)
    left = head.left_edge.i
    right = head.i
    is_name = head.pos_ == "PROPN"
    for child in doc_index(doc).rights(head):
        if child.dep_ in _CUT_RIGHT or (is_name and child.dep_ == "prep"):
            break
        right = child.right_edge.i
    # a relative clause deeper in the phrase ends the mention too: "officials
    # close to the talks who asked not to be named"
    for tok in doc[head.i + 1 : right + 1]:
        if tok.dep_ in ("relcl", "acl") and tok.left_edge.i > head.i:
            right = min(right, tok.left_edge.i - 1)
            break
    while left < right and (doc[left].is_punct or doc[left].dep_ == "cc"):
        left += 1
    while right > left and doc[right].is_punct:
        right -= 1
    if is_name:
        # strip titles before a name that NER missed: "Mayor Smith" -> "Smith"
        while left < head.i and (is_title(doc[left]) or doc[left].lower_ == "the"):
            left += 1
    return char_span(doc, left, right + 1)
