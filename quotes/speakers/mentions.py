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
    """Offices, occupations, and nouns that describe people as sources."""
    return word_set("roles.txt") | _occupations() | word_set("source_people.txt")


@cache
def _occupations() -> frozenset[str]:
    return word_set("occupations.txt")


@cache
def _person_titles() -> frozenset[str]:
    """Words that, before a name, make it a person's: offices, occupations, honorifics."""
    return word_set("roles.txt") | _occupations() | frozenset(honorific_gender())


@cache
def _title_modifiers() -> frozenset[str]:
    return word_set("title_modifiers.txt")


@cache
def _occupation_suffixes() -> tuple[str, ...]:
    return tuple(sorted(word_set("occupation_suffixes.txt"), key=len, reverse=True))


@cache
def _time_words() -> frozenset[str]:
    return word_set("time_words.txt")


@cache
def name_particles() -> frozenset[str]:
    return word_set("name_particles.txt")


def is_particle(token: Token) -> bool:
    """``van``, ``der``, ``de``, ``Le``: a particle of a family name."""
    return token.lower_ in name_particles()


@cache
def honorific_gender() -> dict[str, str]:
    return {
        row[0].lower().rstrip("."): (row[1] if len(row) > 1 else "-")
        for row in data_lines("honorifics.txt")
    }


@cache
def first_name_gender() -> dict[str, str]:
    """Known given names and the gender they show (``m``, ``f``, or ``""`` for either)."""
    return {
        row[0].lower(): (row[1] if len(row) > 1 and row[1] in ("m", "f") else "")
        for row in data_lines("first_names.tsv")
    }


def is_given_name(token: Token) -> bool:
    """A capitalised known given name (``Priya``, ``Sofia``)."""
    return token.is_title and token.lower_ in first_name_gender()


def is_time(token: Token) -> bool:
    """A date or time (``Wednesday``, ``last year``): never a source or an author."""
    return token.ent_type_ in ("DATE", "TIME") or (
        not token.ent_type_ and token.lower_ in _time_words()
    )


def is_title(token: Token) -> bool:
    """A title, role, occupation, honorific or title modifier (``former``) that may
    precede a name. A known given name written with a capital is no title
    (``Dean Lane`` is a name)."""
    word = token.lower_.rstrip(".")
    if token.is_title and word in first_name_gender():
        return False
    return (
        word in honorific_gender()
        or word in _roles()
        or token.lemma_.lower() in _roles()
        or word in _title_modifiers()
    )


def is_person_title(token: Token) -> bool:
    """A title that only a person bears (``Councillor``, ``oceanographer``, ``Dr``), not a
    noun for people in general (``police``, ``staff``)."""
    word = token.lower_.rstrip(".")
    return word in _person_titles() or word in _title_modifiers()


def is_role_noun(token: Token) -> bool:
    return token.lower_ in _roles() or token.lemma_.lower() in _roles()


def is_occupation(token: Token) -> bool:
    """An occupation or sports position (``defenceman``), not an office (``mayor``)."""
    return token.lower_ in _occupations() or token.lemma_.lower() in _occupations()


def is_title_modifier(token: Token) -> bool:
    """``former``, ``acting``, ``rookie``: qualifies a title without naming another role."""
    return token.lower_ in _title_modifiers()


def _looks_occupational(token: Token) -> bool:
    """``Glaciologist``, ``Ferryman``: an occupational ending, no known given name."""
    word = token.lower_
    return (
        token.is_alpha
        and len(word) > 4
        and word not in first_name_gender()
        and word.endswith(_occupation_suffixes())
    )


def is_descriptor(token: Token, next_token: Token | None) -> bool:
    """A word before a name that describes its bearer rather than naming them: a title
    (``Councillor``, ``defender``), or, before a known given name, a lower-case noun or
    a sentence-initial word with an occupational ending (``Glaciologist Mia Sato``)."""
    if is_title(token):
        return True
    if next_token is None or not is_given_name(next_token):
        return False
    if token.is_lower and token.pos_ == "NOUN":
        return True
    return token.is_sent_start is True and _looks_occupational(token)


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


@cache
def organisation_kinds() -> dict[str, tuple[str, bool]]:
    """Word → (kind of body it shows, whether a description by it is open to
    organisations whose name shows no kind): ``data/organisation_kinds.tsv``."""
    return {
        row[0].lower(): (row[1], len(row) > 2 and row[2] == "open")
        for row in data_lines("organisation_kinds.tsv")
        if len(row) > 1
    }


def is_body_word(token: Token) -> bool:
    """A word that marks a name as an organisation's or a place's (``Union``, ``Street``)."""
    return token.lower_ in organisation_kinds() or token.lemma_.lower() in organisation_kinds()


#: A name part: token bounds ``[start, end)`` and the entity label it reads as.
NamePart = tuple[int, int, str]


def name_parts(ent: Span) -> list[NamePart]:
    """Token bounds of the names in an entity, with the label each reads as: split
    at line breaks (NER sometimes runs a name on into the next paragraph), with
    leading determiners, titles and possessives and a trailing possessive stripped.
    A name NER did not tag PERSON reads as a person's when a person title opens it
    (``Striker Jamal Idris``) or it is a known given name and a surname (``Ana Lima``)."""
    doc = ent.doc
    parts: list[NamePart] = []
    start = ent.start
    for i in range(ent.start, ent.end + 1):
        if i == ent.end or "\n" in doc[i].text:
            if (bounds := _strip_name(ent, start, i)) is not None:
                parts.append(bounds)
            start = i + 1
    return parts


def _strip_name(ent: Span, start: int, end: int) -> NamePart | None:
    doc = ent.doc
    label = ent.label_
    person = label == "PERSON"
    if person and start == ent.start:
        # a first name NER left out: "Rafiq" of "Rafiq Ali Noor"
        while start > 0 and _name_word_before(doc[start - 1], start, end):
            start -= 1
    elif (
        start == ent.start
        and end == ent.end
        and end - start == 1
        and start > 0
        and is_given_name(doc[start - 1])
        and doc[start - 1].dep_ == "compound"
        and not doc[start - 1].ent_type_
    ):
        # "Ana Lima" with only "Lima" tagged (a city): the given name makes a person
        start -= 1
        label, person = "PERSON", True
    elif (
        end == ent.end < len(doc)
        and doc[end].like_num
        and doc[end].dep_ == "nummod"
        and (start <= doc[end].head.i < end)
    ):
        end += 1  # "Dockworkers Local 41"
    while end > start and (
        doc[end - 1].tag_ == "POS"
        or doc[end - 1].is_punct
        or (person and end - start > 1 and is_particle(doc[end - 1]))  # "Maria van" + "Berg"
    ):
        end -= 1
    while start < end and (
        doc[start].lower_ == "the"
        or doc[start].is_punct
        or doc[start].tag_ == "POS"
        or doc[start].is_space
        or (person and end - start > 1 and is_descriptor(doc[start], doc[start + 1]))
    ):
        start += 1
    if (
        person
        and end - start == 1
        and end < len(doc)
        and is_title(doc[start])
        and is_role_noun(doc[end])
    ):
        return None  # "Rookie" of "Rookie defenceman Ian Cole": a title, not a name
    if not person and all(t.lower_ in _time_words() for t in doc[start:end]):
        return None  # "Tuesday" tagged ORG: a date is no body's name
    if start < end and not person and label in NAME_LABELS:
        titled = start
        while titled < end - 1 and is_person_title(doc[titled]):
            titled += 1
        if _reads_as_person(doc, titled, end, titled > start):
            start, label = titled, "PERSON"
    return (start, end, label) if start < end else None


def _reads_as_person(doc: Doc, start: int, end: int, titled: bool) -> bool:
    """A name NER tagged ORG, GPE or NORP that is a person's: one to three
    capitalised words, no word of a body or place, not plural (``Charlotte
    Hornets``), opening with a known given name (``Ana Lima``), or, outside the
    entity, a person title compounding into it (``oceanographer Reyes``). A title
    NER took into the entity needs the given name (``General Mills`` is a firm)."""
    words = doc[start:end]
    if not 1 <= len(words) <= 3 or not all(t.is_title for t in words):
        return False
    if any(is_body_word(t) for t in words) or words[-1].tag_ == "NNPS":
        return False
    if is_given_name(words[0]) and len(words) > 1:
        return True
    if titled or start == 0:
        return False
    before = doc[start - 1]
    return (
        before.dep_ in ("compound", "amod", "nmod")
        and start <= before.head.i < end
        and before.lower_.rstrip(".") in _person_titles()
    )


def untagged_person_names(doc: Doc) -> list[Span]:
    """Person names NER left untagged, found by the same principle as tagged ones: a
    run of one to three capitalised proper nouns outside any entity, with a person
    title before it (``Councillor Priya Nair``, ``Glaciologist Mia Sato``) or
    opening with a known given name (``Priya Nair``), naming no body, place or date.
    Each span starts at its titles and is labelled PERSON. One pass over the tokens."""
    out: list[Span] = []
    tokens = doc_index(doc).tokens  # Token objects made once per document
    n = len(doc)
    i = 0
    while i < n:
        if not _untagged_name_word(tokens[i]):
            i += 1
            continue
        end = i
        while end < n and _untagged_name_word(tokens[end]):
            end += 1
        start = i
        while start < end - 1 and is_descriptor(tokens[start], tokens[start + 1]):
            start += 1
        first = start
        if first == i and i > 0 and not tokens[i - 1].ent_type_ and is_person_title(tokens[i - 1]):
            first = i - 1  # "councillor Priya Nair": the title in lower case
        words = doc[start:end]
        if (
            len(words) <= 3
            and not any(is_body_word(t) or is_time(t) or is_title(t) for t in words)
            and words[-1].tag_ != "NNPS"
            and (first < start or (len(words) > 1 and is_given_name(words[0])))
        ):
            out.append(Span(doc, first, end, label="PERSON"))
        i = end
    return out


def _untagged_name_word(tok: Token) -> bool:
    return (
        tok.pos_ == "PROPN" and tok.is_title and not tok.ent_type_ and "\n" not in tok.text_with_ws
    )


def _name_word_before(tok: Token, start: int, end: int) -> bool:
    """A capitalised word compounding into the name ``[start, end)``, not a title, or a
    family-name particle compounding into a word after it."""
    if is_particle(tok):  # "van der" of "Maria van der Berg"
        return tok.dep_ == "compound" and tok.i + 1 <= tok.head.i < end
    return (
        tok.pos_ == "PROPN"
        and tok.dep_ == "compound"
        and start <= tok.head.i < end
        and tok.ent_type_ in ("", "PERSON")
        and tok.is_title
        and not is_descriptor(tok, tok.doc[tok.i + 1])
        and not is_time(tok)
    )


def _name_bounds(ent: Span, token: Token | None = None) -> NamePart | None:
    """The name part of an entity that holds ``token`` (else its last part)."""
    parts = name_parts(ent)
    if token is not None:
        for part in parts:
            if part[0] <= token.i < part[1]:
                return part
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
        index.place(t)
        for t in index.tokens
        if t.ent_type_ == "PERSON" and t.dep_ in ("appos", "conj")
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
        part = _name_bounds(ent, head)
        if part is not None and part[2] == "PERSON":
            return char_span(doc, part[0], part[1])
        if part is not None and head.i == ent.end - 1 and head.dep_ not in ("poss",):
            # organisations keep their possessor and determiner: "China's Foreign Ministry"
            left = min(head.left_edge.i, part[0])
            while left < part[0] and doc[left].is_punct:
                left += 1
            return char_span(doc, left, part[1])
        if part is not None and head.i < ent.end:
            return char_span(doc, part[0], part[1])
    left = head.left_edge.i
    right = head.i
    # a capitalised role is a description, not a name: "The Premier said"
    is_name = head.pos_ == "PROPN" and not is_role_noun(head)
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
    # a mention never crosses a paragraph break (the parser may run a headline on
    # into the first sentence: "Bridge to close\n\nLawyers for the city said")
    for i in range(head.i - 1, left - 1, -1):
        if "\n" in doc[i].text_with_ws:
            left = i + 1
            break
    for i in range(head.i, right):
        if "\n" in doc[i].text_with_ws:
            right = i
            break
    while left < right and (doc[left].is_punct or doc[left].is_space or doc[left].dep_ == "cc"):
        left += 1
    while right > left and (doc[right].is_punct or doc[right].is_space):
        right -= 1
    if is_name:
        # strip titles before a name that NER missed: "Mayor Smith" -> "Smith"
        while left < head.i and (
            is_descriptor(doc[left], doc[left + 1]) or doc[left].lower_ == "the"
        ):
            left += 1
    return char_span(doc, left, right + 1)
