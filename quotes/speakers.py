"""Speaker attribution: mention spans, canonical names and document speakers.

Interface used by the component:

* :func:`mention_span` turns the syntactic source of a cue (a token) into the
  speaker mention span (titles and roles stripped).
* :func:`attribute_speakers` gives every quote its canonical speaker name(s)
  and returns the document's speakers.

How a document is resolved (all precomputed once per document, then one pass
over the quotes in text order):

1. Named mentions (PERSON / ORG / NORP / GPE entities, titles and honorifics
   stripped) are clustered into entities with :mod:`quotes.names`: full names
   by transliteration keys, one-word mentions to the nearest preceding full
   name whose surname keys contain them (so two Wangs stay apart), the
   canonical name being the fullest name the document gives.
2. Roles are attached to entities from the parse: ``Kremlin spokesman Dmitry
   Peskov`` (compound), ``John Kirby, a White House spokesman`` (apposition),
   ``the spokesman for the Russian Presidency, Dmitri Peskov``.
3. Each quote's speaker mention resolves to entities: names directly,
   coordinated names to several, definite role or organisation descriptions
   (``the Kremlin spokesman``, ``the city``) to the bearer, pronouns to the
   most salient compatible antecedent, unnamed sources to their own noun phrase.
   A floating quote (no mention) continues the previous quote's speaker.
"""

from __future__ import annotations

from bisect import bisect_right, insort
from dataclasses import dataclass, field
from functools import cache

from spacy.tokens import Doc, Span, Token

from .names import fold_name, name_keys, surname_keys
from .resources import data_lines, word_set
from .types import CharSpan, Quote, Speaker, SpeakerKind

NAME_LABELS = frozenset({"PERSON", "ORG", "NORP", "GPE"})
#: Confidence factors: the share of their quote's confidence such attributions keep.
FLOATING_FACTOR = 0.8
PRONOUN_FACTOR = 0.9
ROLE_FACTOR = 0.9
#: How many sentences back a pronoun looks for its antecedent.
PRONOUN_WINDOW = 12
_SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})
_DEFINITE = frozenset({"the", "this", "that", "these", "those"})
# Pronoun -> (number, gender): number "s"/"p", gender "m"/"f"/"n" (thing) or "" (any).
_PRONOUNS: dict[str, tuple[str, str]] = {
    "he": ("s", "m"),
    "him": ("s", "m"),
    "his": ("s", "m"),
    "she": ("s", "f"),
    "her": ("s", "f"),
    "it": ("s", "n"),
    "its": ("s", "n"),
    "they": ("p", ""),
    "them": ("p", ""),
    "their": ("p", ""),
    "we": ("p", ""),
    "us": ("p", ""),
    "our": ("p", ""),
}
_FIRST_SECOND_PERSON = frozenset({"i", "me", "my", "you", "your"})
# Mention-span trimming: children right of the head that end the mention.
_CUT_RIGHT = frozenset({"appos", "relcl", "acl", "punct", "cc", "conj", "advcl", "parataxis"})


@cache
def _roles() -> frozenset[str]:
    return word_set("roles.txt")


@cache
def _honorific_gender() -> dict[str, str]:
    return {
        row[0].lower().rstrip("."): (row[1] if len(row) > 1 else "-")
        for row in data_lines("honorifics.txt")
    }


@cache
def _first_name_gender() -> dict[str, str]:
    return {row[0].lower(): row[1] for row in data_lines("first_names.tsv") if len(row) > 1}


def _is_title(token: Token) -> bool:
    """A title, role or honorific word that may precede a name."""
    word = token.lower_.rstrip(".")
    return word in _honorific_gender() or word in _roles() or token.lemma_.lower() in _roles()


def _is_role_noun(token: Token) -> bool:
    return token.lower_ in _roles() or token.lemma_.lower() in _roles()


def _role_key(word: str) -> str:
    """Spokesman, spokeswoman and spokesperson are one role; plurals fold to singular."""
    word = word.lower()
    if word.startswith("spokes"):
        return "spokes"
    return word


# --- mention spans ---------------------------------------------------------


def _entity_of(token: Token) -> Span | None:
    """The named entity of ``doc.ents`` that contains ``token``."""
    if not token.ent_type_:
        return None
    # walk to the entity's first token (IOB "B") instead of scanning doc.ents
    start = token.i
    while start > 0 and token.doc[start].ent_iob_ == "I":
        start -= 1
    for ent in token.doc.ents:
        if ent.start == start:
            return ent
    return None


def _name_parts(ent: Span) -> list[tuple[int, int]]:
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
        # a first name NER left out: "Azfar" of "Azfar Ali Khan"
        while start > 0 and _name_word_before(doc[start - 1], start, end):
            start -= 1
    elif (
        end == ent.end < len(doc)
        and doc[end].like_num
        and doc[end].dep_ == "nummod"
        and (start <= doc[end].head.i < end)
    ):
        end += 1  # "UFCW Local 832"
    while end > start and (doc[end - 1].tag_ == "POS" or doc[end - 1].is_punct):
        end -= 1
    while start < end and (
        doc[start].lower_ == "the"
        or doc[start].is_punct
        or doc[start].tag_ == "POS"
        or doc[start].is_space
        or (person and end - start > 1 and _is_title(doc[start]))
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
        and not _is_title(tok)
    )


def _name_bounds(ent: Span, token: Token | None = None) -> tuple[int, int] | None:
    """The name part of an entity that holds ``token`` (else its last part)."""
    parts = _name_parts(ent)
    if token is not None:
        for start, end in parts:
            if start <= token.i < end:
                return start, end
    return parts[-1] if parts else None


def _char_span(doc: Doc, start: int, end: int) -> CharSpan:
    """The character span of tokens ``[start, end)``."""
    span = doc[start:end]  # Span.text, not doc.text: the latter rebuilds the whole text
    return CharSpan(span.start_char, span.end_char, span.text)


def _appositive_name(head: Token) -> Token | None:
    """A PERSON name set off by a comma inside a role NP's subtree
    (``the spokesman for the Russian Presidency, Dmitri Peskov``)."""
    for tok in head.subtree:
        if (
            tok.i > head.i
            and tok.ent_type_ == "PERSON"
            and tok.dep_ in ("appos", "conj")
            and any(t.text == "," for t in tok.doc[head.i : tok.left_edge.i])
        ):
            return tok
    return None


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
        return _char_span(doc, head.i, head.i + 1)
    conjuncts = [t for t in head.conjuncts if t.i > head.i] if head.dep_ != "conj" else []
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
    (``Keeper of the Rulers' Seal Syed Danial Syed Ahmad`` → the name)."""
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
        # "Keeper of the Rulers' Seal Syed Danial Syed Ahmad"
        named = _appositive_name(head) if head.pos_ == "NOUN" else None
        named = named or _trailing_name(head)
        if named is not None:
            head, ent = named, _entity_of(named)
    if ent is not None and ent.label_ in NAME_LABELS:
        bounds = _name_bounds(ent, head)
        if bounds is not None and ent.label_ == "PERSON":
            return _char_span(doc, *bounds)
        if bounds is not None and head.i == ent.end - 1 and head.dep_ not in ("poss",):
            # organisations keep their possessor and determiner: "China's Foreign Ministry"
            left = min(head.left_edge.i, bounds[0])
            while left < bounds[0] and doc[left].is_punct:
                left += 1
            return _char_span(doc, left, bounds[1])
        if bounds is not None and ent.label_ != "PERSON" and head.i < ent.end:
            return _char_span(doc, *bounds)
    left = head.left_edge.i
    right = head.i
    is_name = head.pos_ == "PROPN"
    for child in head.rights:
        if child.dep_ in _CUT_RIGHT or (is_name and child.dep_ == "prep"):
            break
        right = child.right_edge.i
    # a relative clause deeper in the phrase ends the mention too: "sources
    # familiar with the situation who were not authorized to speak"
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
        while left < head.i and (_is_title(doc[left]) or doc[left].lower_ == "the"):
            left += 1
    return _char_span(doc, left, right + 1)


# --- the per-document registry --------------------------------------------


@cache
def _source_nouns() -> dict[str, str]:
    return {row[0].lower(): row[1] for row in data_lines("source_nouns.tsv") if len(row) > 1}


def _noun_key(noun: Token) -> str:
    """The word a source noun is listed under: its lemma if listed, else its form."""
    lemma = noun.lemma_.lower()
    return lemma if lemma in _source_nouns() else noun.lower_


def _noun_class(noun: Token) -> str | None:
    """``document``, ``company`` or ``organisation`` for a listed source noun."""
    return _source_nouns().get(_noun_key(noun))


@dataclass
class _Entity:
    """A cluster of mentions of one source."""

    name: str
    kind: SpeakerKind
    label: str
    keys: tuple[str, ...]
    first: int
    gender: str = ""
    roles: list[tuple[str, frozenset[str]]] = field(default_factory=list)
    mentions: list[CharSpan] = field(default_factory=list)
    quotes: int = 0

    def offer_name(self, name: str, position: int) -> None:
        """Keep the fullest name as canonical (more words wins, then the earlier)."""
        keys = name_keys(name)
        if len(keys) > len(self.keys):
            self.name, self.keys = name, keys
        self.first = min(self.first, position)


@dataclass(frozen=True)
class _Mention:
    """One mention of an entity: char bounds, sentence, and whether it is a subject."""

    start: int
    end: int
    entity: int
    sent: int
    subject: bool


def _kind_of(label: str) -> SpeakerKind:
    if label == "PERSON":
        return "person"
    if label == "NORP":
        return "group"
    return "organisation"


def _demonym_match(a: str, b: str) -> bool:
    """``china`` ~ ``chinese``, ``russia`` ~ ``russian``: a shared stem of 4+ letters."""
    n = min(len(a), len(b))
    return n >= 4 and a[: n - 1] == b[: n - 1]


def _org_keys_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two organisation names of one body: equal, one a word-suffix of the other
    (``Foreign Ministry`` / ``Chinese Foreign Ministry``), a demonym for its
    country (``China's Foreign Ministry``)."""
    if a == b:
        return True
    short, full = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) > 1 and full[len(full) - len(short) :] == short:
        return True
    if len(short) == len(full) > 1 and short[1:] == full[1:]:
        return _demonym_match(short[0], full[0])
    # no one-word prefix rule: "Facebook" is not "Facebook Research"
    return False


def _initials(keys: tuple[str, ...]) -> str:
    return "".join(k[0] for k in keys if k not in ("of", "the", "and", "for"))


def _is_subject(token: Token, start: int, unit_starts: frozenset[int]) -> bool:
    """A clause subject, or a name opening its sentence or paragraph
    (``John Goodwin with X turned out``); ``start`` is the name's first token."""
    if token.dep_ in _SUBJECT_DEPS:
        return True
    first = start
    while first > 0 and token.doc[first - 1].is_punct and first not in unit_starts:
        first -= 1
    return first in unit_starts and token.dep_ not in ("pobj", "dobj", "poss", "compound")


class _Registry:
    """Entities, mentions and roles of one document."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.entities: list[_Entity] = []
        self.mentions: list[_Mention] = []
        self.token_entity: dict[int, int] = {}
        # sentences, also cut at line breaks: the parser runs sentences on over paragraphs
        starts = {s.start for s in doc.sents}
        starts.update(t.i + 1 for t in doc if t.is_space and "\n" in t.text and t.i + 1 < len(doc))
        self.unit_starts = frozenset(starts)
        self.breaks = [t.idx for t in doc if t.is_space and "\n" in t.text]
        self.sent_starts = sorted(doc[i].idx for i in starts)
        # document nouns ("study") whose NP names an author, for "the study said"
        self.authored: dict[str, list[tuple[int, int]]] = {}
        self._definitions: dict[str, str] | None = None
        self._build()

    def sent_of(self, char: int) -> int:
        return max(0, bisect_right(self.sent_starts, char) - 1)

    def new(self, name: str, kind: SpeakerKind, label: str, position: int) -> int:
        self.entities.append(_Entity(name, kind, label, name_keys(name), position))
        return len(self.entities) - 1

    def _build(self) -> None:
        doc = self.doc
        named: list[tuple[Span, int, int, CharSpan, tuple[str, ...]]] = []
        for ent in doc.ents:
            if ent.label_ in NAME_LABELS:
                for start, end in _name_parts(ent):
                    span = _char_span(doc, start, end)
                    keys = name_keys(span.text)
                    if keys:
                        named.append((ent, start, end, span, keys))
        # pass 1: multi-word person names, clustered by their keys
        self.full_people: list[tuple[int, int]] = []  # (char position, entity)
        by_keys: dict[tuple[str, ...], int] = {}
        assigned: dict[int, int] = {}
        for index, (ent, _, _, span, keys) in enumerate(named):
            if ent.label_ != "PERSON" or len(keys) < 2:
                continue
            found = by_keys.get(keys)
            if found is None:
                found = self.new(span.text, "person", "PERSON", span.start)
                by_keys[keys] = found
            assigned[index] = found
            self.full_people.append((span.start, found))
        self._first_names: dict[str, set[int]] = {}
        for _, entity in self.full_people:
            self._first_names.setdefault(self.entities[entity].keys[0], set()).add(entity)
        # pass 2: other mentions; one-word ones join the nearest full name they fit
        orgs: list[int] = []
        # multi-word names first, so that short forms and acronyms find them
        second = sorted(
            (i for i in range(len(named)) if i not in assigned),
            key=lambda i: (len(named[i][4]) == 1, i),
        )
        for index in second:
            ent, start, end, span, keys = named[index]
            found = self.person_for(keys, span.start) if len(keys) == 1 else None
            if found is None and len(keys) == 1 and span.text.isupper() and len(span.text) > 1:
                found = self._acronym(keys[0])
                if found is None and (full := self._spelled_out(span.text)) is not None:
                    found = self.new(full, _kind_of(ent.label_), ent.label_, span.start)
                    orgs.append(found)
            if found is None and ent.label_ == "PERSON" and len(keys) == 1:
                found = self._mislabelled_person(keys[0])
            if found is None and len(keys) == 1:
                # one word tagged PERSON here and ORG there ("Facebook") is one entity
                found = by_keys.get(keys)
            if found is None and ent.label_ == "PERSON":
                found = self.new(span.text, "person", "PERSON", span.start)
            elif found is None:
                found = self._match_org(keys, orgs)
                if found is None:
                    found = self.new(span.text, _kind_of(ent.label_), ent.label_, span.start)
                    orgs.append(found)
            by_keys.setdefault(keys, found)
            assigned[index] = found
        votes: dict[int, dict[str, int]] = {}
        for index, (ent, _, _, _, _) in enumerate(named):
            tally = votes.setdefault(assigned[index], {})
            tally[ent.label_] = tally.get(ent.label_, 0) + 1
        for entity_index, tally in votes.items():
            # the kind most of its mentions show (NER labels one name differently at times)
            voted = self.entities[entity_index]
            label = max(tally, key=lambda k: (tally[k], k == voted.label))
            if label != voted.label and len(voted.keys) == 1:
                voted.label, voted.kind = label, _kind_of(label)
        for index, (ent, start, end, span, _) in enumerate(named):
            self._add_mention(assigned[index], doc[start:end], span)
            cluster = self.entities[assigned[index]]
            if cluster.kind == "person":
                self._learn_gender(cluster, ent, start)
            self._learn_roles(assigned[index], ent, start, end)
        # proper nouns NER missed that shorten a full name ("told Cable")
        if self.full_people:
            for tok in doc:
                if tok.pos_ == "PROPN" and not tok.ent_type_ and tok.dep_ != "compound":
                    keys = name_keys(tok.text)
                    if len(keys) == 1 and (found := self.person_for(keys, tok.idx)) is not None:
                        self._add_mention(
                            found, doc[tok.i : tok.i + 1], _char_span(doc, tok.i, tok.i + 1)
                        )
        self.mentions.sort(key=lambda m: m.start)
        self._vote_genders()
        # coordinated people ("Xi and Putin"), for "the two men", "the couple"
        self.pairs: list[tuple[int, tuple[int, ...]]] = []
        for tok in doc:
            if tok.dep_ == "conj" or tok.i not in self.token_entity:
                continue
            group = [self.token_entity.get(t.i) for t in (tok, *tok.conjuncts)]
            people = tuple(
                dict.fromkeys(
                    e for e in group if e is not None and self.entities[e].kind == "person"
                )
            )
            if len(people) > 1 and len(people) == len(group):
                self.pairs.append((tok.idx, people))
        for tok in doc:
            if tok.pos_ == "NOUN" and _noun_class(tok) == "document":
                author = self._author_inside(tok)
                if author is None and tok.dep_ == "pobj" and tok.head.lower_ in ("in", "via"):
                    # "X said in a statement": the statement is X's
                    subject = next(
                        (c for c in tok.head.head.lefts if c.dep_ in _SUBJECT_DEPS), None
                    )
                    author = None if subject is None else self.token_entity.get(subject.i)
                if author is not None:
                    self.authored.setdefault(_noun_key(tok), []).append((tok.idx, author))

    def _vote_genders(self) -> None:
        """Genders the text shows: ``Jayme said she ...``, ``Kirby added that he ...``:
        a subject ``he``/``she`` of a clause under a verb whose subject is a named
        person votes for that person; a clear majority sets an unknown gender."""
        votes: dict[int, list[int]] = {}
        for tok in self.doc:
            if tok.dep_ not in _SUBJECT_DEPS or tok.lower_ not in ("he", "she"):
                continue
            verb = tok.head
            for _ in range(2):
                if verb.dep_ not in ("ccomp", "xcomp", "conj", "advcl") or verb.head is verb:
                    break
                verb = verb.head
                subject = next((c for c in verb.lefts if c.dep_ in _SUBJECT_DEPS), None)
                voter = None if subject is None else self.token_entity.get(subject.i)
                if voter is not None and self.entities[voter].kind == "person":
                    votes.setdefault(voter, [0, 0])[tok.lower_ == "she"] += 1
                    break
        for entity_index, (male, female) in votes.items():
            entity = self.entities[entity_index]
            if not entity.gender and male != female:
                entity.gender = "m" if male > 2 * female else "f" if female > 2 * male else ""

    def add_mention(self, entity_index: int, tokens: Span, span: CharSpan) -> None:
        """Register a mention found while resolving, keeping mentions in text order."""
        self._add_mention(entity_index, tokens, span)
        mention = self.mentions.pop()
        insort(self.mentions, mention, key=lambda m: m.start)

    def _add_mention(self, entity_index: int, tokens: Span, span: CharSpan) -> None:
        entity = self.entities[entity_index]
        entity.offer_name(span.text, span.start)
        entity.mentions.append(span)
        for tok in tokens:
            self.token_entity[tok.i] = entity_index
        self.mentions.append(
            _Mention(
                span.start,
                span.end,
                entity_index,
                self.sent_of(span.start),
                _is_subject(tokens.root, tokens.start, self.unit_starts),
            )
        )

    def _author_inside(self, noun: Token) -> int | None:
        """The named source inside a document noun's phrase: ``the Civic Action study``,
        ``a study released by Civic Action``, ``Trudeau's statement``: the first one."""
        fallback: int | None = None
        for tok in noun.subtree:
            if tok.i != noun.i and (entity := self.token_entity.get(tok.i)) is not None:
                if self.entities[entity].label in ("PERSON", "ORG"):
                    return entity
                if fallback is None and tok.ent_type_ == "GPE" and tok.dep_ == "pobj":
                    fallback = entity
        return fallback

    def person_for(self, keys: tuple[str, ...], position: int) -> int | None:
        """The full name a one-word name shortens: the nearest preceding one whose
        surname keys hold it (else the first following one), else the one full
        name whose first name it is (``Jayme`` → ``Jayme Closs``)."""
        key = keys[0]
        best: int | None = None
        for pos, entity in self.full_people:
            if key not in surname_keys(self.entities[entity].name):
                continue
            if pos <= position or best is None:
                best = entity
            if pos > position:
                break
        if best is None:
            by_first = self._first_names.get(key, set())
            if len(by_first) == 1:
                best = next(iter(by_first))
        return best

    def _spelled_out(self, acronym: str) -> str | None:
        """The capitalised words an acronym abbreviates where the text defines it:
        ``Parliamentary Budget Officer (PBO)``."""
        if self._definitions is None:
            self._definitions = {}
            doc = self.doc
            for tok in doc[1:-1]:
                if tok.text.isupper() and doc[tok.i - 1].text == "(" and doc[tok.i + 1].text == ")":
                    words: list[Token] = []
                    i = tok.i - 2
                    while (
                        i >= 0
                        and len(words) < 8
                        and (doc[i].is_title or doc[i].lower_ in ("of", "and", "for", "the"))
                    ):
                        words.insert(0, doc[i])
                        i -= 1
                    while words and not words[0].is_title:
                        words.pop(0)
                    for start in range(len(words)):
                        part = words[start:]
                        if "".join(w.text[0] for w in part if w.is_title).lower() == (
                            tok.text.lower()
                        ):
                            self._definitions[tok.text] = doc[part[0].i : part[-1].i + 1].text
                            break
        return self._definitions.get(acronym)

    def _mislabelled_person(self, key: str) -> int | None:
        """``Niederreiter`` (PERSON) after ``Nino Niederreiter`` tagged ORG: that
        entity, now a person, when it is the only one with this surname."""
        found = [
            i
            for i, e in enumerate(self.entities)
            if e.kind != "person" and len(e.keys) == 2 and e.keys[-1] == key
        ]
        if len(found) != 1:
            return None
        entity = self.entities[found[0]]
        entity.kind, entity.label = "person", "PERSON"
        insort(self.full_people, (entity.first, found[0]))
        self._first_names.setdefault(entity.keys[0], set()).add(found[0])
        return found[0]

    def _acronym(self, key: str) -> int | None:
        """``PBO`` → ``Parliamentary Budget Officer``: the one entity with these initials."""
        found = [
            i for i, e in enumerate(self.entities) if len(e.keys) > 1 and _initials(e.keys) == key
        ]
        return found[0] if len(found) == 1 else None

    def _match_org(self, keys: tuple[str, ...], orgs: list[int]) -> int | None:
        for entity in orgs:
            other = self.entities[entity]
            if _org_keys_agree(keys, other.keys):
                return entity
        return None

    def _learn_gender(self, entity: _Entity, ent: Span, start: int) -> None:
        doc = self.doc
        if entity.gender:
            return
        for tok in (doc[ent.start], doc[start - 1] if start > 0 else None):
            if tok is not None:
                gender = _honorific_gender().get(tok.lower_.rstrip("."), "-")
                if gender in ("m", "f"):
                    entity.gender = gender
                    return
        words = fold_name(entity.name).split()
        if words:
            entity.gender = _first_name_gender().get(words[0], "")

    def _learn_roles(self, entity_index: int, ent: Span, start: int, end: int) -> None:
        """Roles from titles inside or before the name, appositions, and a role NP
        whose apposition the name is. Organisations take any describing noun
        (``media buying company GroupM``, ``TransLink, the transit agency``)."""
        doc = self.doc
        entity = self.entities[entity_index]
        person = entity.kind == "person"
        root = doc[start:end].root
        for tok in doc[ent.start : start]:
            if _is_role_noun(tok):
                entity.roles.append((_role_key(tok.lower_), frozenset()))
        for child in root.lefts:
            if (
                child.i < start
                and child.dep_ in ("compound", "amod", "nmod")
                and (_is_role_noun(child) or (not person and child.pos_ == "NOUN"))
            ):
                entity.roles.append(_role_of(child))
        for child in root.rights:
            if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN"):
                entity.roles.append(_role_of(child))
        if (
            root.dep_ in ("appos", "conj")
            and root.head.pos_ == "NOUN"
            and (_is_role_noun(root.head) or not person)
        ):
            entity.roles.append(_role_of(root.head))
        if len(entity.roles) > 1:
            entity.roles[:] = list(dict.fromkeys(entity.roles))
        for role, _ in entity.roles:
            if role in ("spokeswoman", "chairwoman", "congresswoman") and not entity.gender:
                entity.gender = "f"


def _role_of(noun: Token) -> tuple[str, frozenset[str]]:
    """A role noun's key and the content words that qualify it (``Kremlin spokesman``)."""
    mods = frozenset(
        t.lower_
        for t in noun.subtree
        if t.i != noun.i and t.is_alpha and not t.is_stop and t.ent_type_ != "PERSON"
    )
    return _role_key(noun.lemma_ if noun.tag_ in ("NNS", "NNPS") else noun.lower_), mods


def _names_a_pair(head: Token, definite: bool) -> bool:
    """``the two men``, ``both leaders``, ``the couple``: two people described."""
    if head.lemma_.lower() in ("couple", "pair", "duo"):
        return definite
    return (
        head.tag_ in ("NNS", "NNPS")
        and (_is_role_noun(head) or head.lemma_.lower() in ("man", "woman", "leader"))
        and any(c.lower_ in ("two", "both") for c in head.lefts)
    )


def _name_words(entity: _Entity) -> frozenset[str]:
    return frozenset(fold_name(entity.name).split())


# --- resolving one mention --------------------------------------------------


@dataclass(frozen=True)
class _Resolution:
    """What a speaker mention resolved to: entities, or a literal name."""

    entities: tuple[int, ...] = ()
    literal: str = ""
    literal_kind: SpeakerKind = "person"
    factor: float = 1.0


_UNRESOLVED = _Resolution()


class _Resolver:
    """Resolves quotes' speaker mentions in text order against a registry."""

    def __init__(self, doc: Doc, quotes: list[Quote]) -> None:
        self.doc = doc
        self.reg = _Registry(doc)
        self.text_length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
        self.quote_spans = sorted((q.start, q.end) for q in quotes)
        self.prev = _UNRESOLVED
        self.prev_end = -1
        # mentions resolved from quotes (pronouns, roles), as extra antecedents
        self.extra: list[_Mention] = []

    @property
    def prev_entities(self) -> tuple[int, ...]:
        return self.prev.entities

    def inside_quote(self, start: int, end: int) -> bool:
        spans = self.quote_spans
        i = bisect_right(spans, (start, self.text_length + 1)) - 1
        return i >= 0 and spans[i][0] <= start and end <= spans[i][1]

    def resolve(self, span: CharSpan) -> _Resolution:
        tokens = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if tokens is None or len(tokens) == 0:
            return _Resolution(literal=span.text)
        root = tokens.root
        heads = [root, *[t for t in root.conjuncts if tokens.start <= t.i < tokens.end]]
        if len(heads) > 1:
            parts = [self._resolve_head(h, tokens, span) for h in heads]
            entities = tuple(dict.fromkeys(e for p in parts for e in p.entities))
            if entities and all(p.entities for p in parts):
                return _Resolution(entities, factor=min(p.factor for p in parts))
        return self._resolve_head(root, tokens, span)

    def _resolve_head(self, head: Token, tokens: Span, span: CharSpan) -> _Resolution:
        reg = self.reg
        if head.pos_ == "PRON" and head.lower_ in _FIRST_SECOND_PERSON:
            return _UNRESOLVED  # the writer or the reader: no name in the text
        if head.lower_ in _PRONOUNS and head.pos_ == "PRON":
            return self._resolve_pronoun(head, CharSpan(head.idx, head.idx + len(head), head.text))
        if head.i in reg.token_entity:
            entity = reg.token_entity[head.i]
            start = tokens.start
            while start < head.i and (
                _is_title(self.doc[start])
                or self.doc[start].is_punct
                or self.doc[start].lower_ == "the"
            ):
                start += 1
            name = self.doc[start : tokens.end]
            if all(t.pos_ in ("PROPN", "NUM") or t.tag_ == "POS" for t in name) and len(
                name_keys(name.text)
            ) > len(reg.entities[entity].keys):
                # the mention names more than NER found: "Azfar Ali Khan", "UFCW Local 832"
                reg.entities[entity].offer_name(name.text, name.start_char)
            return _Resolution((entity,))
        named = _appositive_name(head) if head.pos_ == "NOUN" else None
        if named is not None and named.i in reg.token_entity:
            return _Resolution((reg.token_entity[named.i],))
        if head.pos_ == "PROPN":
            return self._resolve_unknown_name(head, tokens)
        noun_class = _noun_class(head)
        possessor = next((c for c in head.lefts if c.dep_ == "poss"), None)
        definite = possessor is not None or any(
            c.dep_ == "det" and c.lower_ in _DEFINITE for c in head.lefts
        )
        if noun_class == "document":
            found = self._resolve_document(head, possessor, definite, span)
            if found.entities or found.literal:
                return found
        elif _names_a_pair(head, definite):
            pairs = [(pos, people) for pos, people in reg.pairs if pos < span.start]
            if pairs and reg.sent_of(span.start) - reg.sent_of(pairs[-1][0]) <= PRONOUN_WINDOW:
                return _Resolution(pairs[-1][1], factor=ROLE_FACTOR)
        elif definite:
            bearer = self._resolve_description(head, span.start, noun_class)
            if bearer is not None:
                return _Resolution((bearer,), factor=ROLE_FACTOR)
        kind: SpeakerKind = (
            "group"
            if head.tag_ in ("NNS", "NNPS")
            else ("person" if _is_role_noun(head) else "organisation")
        )
        return _Resolution(literal=span.text, literal_kind=kind)

    def _resolve_document(
        self, head: Token, possessor: Token | None, definite: bool, span: CharSpan
    ) -> _Resolution:
        """``the study said``: its author, by possessor, inside, or an earlier mention."""
        reg = self.reg
        if possessor is not None:
            if possessor.lower_ in _PRONOUNS:
                res = self._resolve_pronoun(
                    possessor,
                    CharSpan(possessor.idx, possessor.idx + len(possessor), possessor.text),
                )
                return replace_factor(res, ROLE_FACTOR)
            if possessor.i in reg.token_entity:
                return _Resolution((reg.token_entity[possessor.i],), factor=ROLE_FACTOR)
        if (
            head.dep_ == "pobj"
            and head.head.lower_ in ("in", "via")
            and (
                subject := next((c for c in head.head.head.lefts if c.dep_ in _SUBJECT_DEPS), None)
            )
            is not None
            and subject.i != head.i
        ):
            # "the Prime Minister's Office said in a statement": the statement's author
            return replace_factor(self.resolve(mention_span(subject)), ROLE_FACTOR)
        inside = reg._author_inside(head)
        if inside is None:
            # a name NER missed: "the numbers from Statistics Canada"
            names = [
                t
                for t in head.subtree
                if t.pos_ == "PROPN" and t.dep_ != "compound" and not _is_title(t)
            ]
            if names:
                return replace_factor(
                    self._resolve_unknown_name(
                        names[0], head.doc[head.left_edge.i : head.right_edge.i + 1]
                    ),
                    ROLE_FACTOR,
                )
        if inside is not None:
            return _Resolution((inside,), factor=ROLE_FACTOR)
        if definite:
            earlier = [e for pos, e in reg.authored.get(_noun_key(head), []) if pos < span.start]
            if earlier:
                return _Resolution((earlier[-1],), factor=ROLE_FACTOR)
        return _UNRESOLVED

    def _resolve_unknown_name(self, head: Token, tokens: Span) -> _Resolution:
        """A proper noun NER missed: join a known name it shortens, else a new entity."""
        doc = self.doc
        left = head.i
        while (
            left > tokens.start and doc[left - 1].pos_ == "PROPN" and not _is_title(doc[left - 1])
        ):
            left -= 1
        right = head.i + 1
        while right < tokens.end and (doc[right].like_num or doc[right].pos_ == "PROPN"):
            right += 1  # "UFCW Local 832"
        span = _char_span(doc, left, right)
        keys = name_keys(span.text)
        if not keys:
            return _Resolution(literal=span.text)
        reg = self.reg
        for index, entity in enumerate(reg.entities):
            if entity.keys == keys:
                return _Resolution((index,))
        if len(keys) == 1 and (found := reg.person_for(keys, span.start)) is not None:
            return _Resolution((found,))
        for index, entity in enumerate(reg.entities):
            if entity.kind == "organisation" and _org_keys_agree(keys, entity.keys):
                entity.offer_name(span.text, span.start)
                return _Resolution((index,))
        person = fold_name(span.text).split()[0] in _first_name_gender()
        index = reg.new(
            span.text,
            "person" if person else "organisation",
            "PERSON" if person else "ORG",
            span.start,
        )
        reg.add_mention(index, doc[left:right], span)
        return _Resolution((index,))

    def _resolve_description(
        self, head: Token, position: int, noun_class: str | None
    ) -> int | None:
        """``the Kremlin spokesman`` → the entity bearing that role; ``the city`` → an
        organisation whose name holds the head noun; ``the company`` → the last company
        named; ``the rookie defenceman`` → the person subject just before."""
        reg = self.reg
        key = _role_key(head.lemma_ if head.tag_ in ("NNS", "NNPS") else head.lower_)
        mods = frozenset(
            t.lower_
            for t in head.subtree
            if t.i != head.i and t.is_alpha and not t.is_stop and t.dep_ != "poss"
        )
        candidates = [
            index
            for index, entity in enumerate(reg.entities)
            if any(r == key and mods <= m_ | _name_words(entity) for r, m_ in entity.roles)
        ]
        if not candidates and noun_class is not None:
            candidates = [
                index
                for index, entity in enumerate(reg.entities)
                if entity.kind == "organisation"
                and key in (words := _name_words(entity))
                and mods <= words
            ]
        if candidates:
            return self._nearest(candidates, position)
        here = reg.sent_of(position)
        if noun_class == "company":
            # the previous speaker if an organisation named lately, else the last
            # organisation quoted, else the last one named
            before = [
                m
                for m in reversed(reg.mentions)
                if m.start < position
                and reg.entities[m.entity].label == "ORG"
                and not self.inside_quote(m.start, m.end)
            ]
            named = [m.entity for m in before if here - m.sent <= PRONOUN_WINDOW]
            if len(self.prev_entities) == 1 and self.prev_entities[0] in named:
                return self.prev_entities[0]
            quoted = [m.entity for m in before if reg.entities[m.entity].quotes]
            candidates = quoted or named
            return candidates[0] if candidates else None
        if (
            noun_class is None
            and not _is_role_noun(head)
            and not any(c.dep_ == "poss" or c.pos_ == "PROPN" or c.ent_type_ for c in head.subtree)
        ):
            # a person described, not named: the person subject just before
            for mention in reversed(reg.mentions):
                if (
                    mention.start < position
                    and here - mention.sent <= 1
                    and mention.subject
                    and (reg.entities[mention.entity].kind == "person")
                    and not self.inside_quote(mention.start, mention.end)
                ):
                    return mention.entity
        return None

    def _nearest(self, candidates: list[int], position: int) -> int:
        """The candidate mentioned last before ``position``, else the first after."""
        best, best_pos = candidates[0], -1
        after, after_pos = candidates[0], self.text_length + 1
        for mention in self.reg.mentions:
            if mention.entity not in candidates:
                continue
            if best_pos < mention.start < position:
                best, best_pos = mention.entity, mention.start
            elif position <= mention.start < after_pos:
                after, after_pos = mention.entity, mention.start
        return best if best_pos >= 0 else after

    @staticmethod
    def _compatible(entity: _Entity, number: str, gender: str) -> bool:
        """Strong agreement of an entity with a pronoun's number and gender."""
        if gender in ("m", "f"):
            return entity.kind == "person" and entity.gender in ("", gender)
        if gender == "n":
            return entity.kind == "organisation"
        # they / we: groups and organisations
        return entity.kind != "person"

    @staticmethod
    def _agrees_loosely(entity: _Entity, number: str, gender: str) -> bool:
        """No contradiction: a person of the other gender, or one person for ``they``."""
        if gender in ("m", "f"):
            return entity.kind != "group" and entity.gender in ("", gender)
        if gender == "n":
            return entity.kind != "person"
        return entity.kind != "person"

    def _resolve_pronoun(self, head: Token, span: CharSpan) -> _Resolution:
        """The most salient compatible antecedent: recent, a subject, the previous
        quote's speaker unless another person was made the subject since."""
        number, gender = _PRONOUNS[head.lower_]
        reg = self.reg
        here = reg.sent_of(span.start)
        prev_sent = reg.sent_of(self.prev_end) if self.prev_end >= 0 else -99
        if number == "p" and len(self.prev_entities) > 1 and here - prev_sent <= 2:
            return _Resolution(self.prev_entities, factor=PRONOUN_FACTOR)
        scores: dict[int, float] = {}
        intervening = between = False
        for mention in self._antecedents(span.start, here):
            entity = reg.entities[mention.entity]
            if not self._compatible(entity, number, gender):
                continue
            distance = here - mention.sent - (0.5 if mention.subject else 0.0)
            scores[mention.entity] = min(scores.get(mention.entity, 99.0), distance)
            if mention.entity not in self.prev_entities and (
                mention.subject and mention.sent > prev_sent
            ):
                intervening = True
            if mention.entity not in self.prev_entities and mention.start > self.prev_end:
                between = True
        if not intervening:
            prev = reg.entities[self.prev_entities[0]] if len(self.prev_entities) == 1 else None
            if (
                prev is not None
                and here - prev_sent <= 2
                and not between
                and self._agrees_loosely(prev, number, gender)
                and (
                    prev.kind == "person"
                    or gender not in ("m", "f")
                    or not any(d <= 2 for d in scores.values())
                )
            ):
                # "“...,” he added" right after a quote: the same speaker, even an
                # organisation ("the Kremlin said ... he added")
                return _Resolution(self.prev_entities, factor=PRONOUN_FACTOR)
            for entity_index in self.prev_entities:
                if entity_index in scores:
                    scores[entity_index] = min(scores[entity_index], here - prev_sent) - 1.5
        if scores:
            best = min(scores, key=lambda e: (scores[e], -self._last_mention(e, span.start)))
            return _Resolution((best,), factor=PRONOUN_FACTOR)
        # "the Kremlin said ...; he added": the previous speaker even without agreement,
        # unless it shows the other gender
        if len(self.prev_entities) == 1 and here - prev_sent <= 2:
            entity = reg.entities[self.prev_entities[0]]
            if gender in ("m", "f") and entity.gender not in ("", gender):
                return _UNRESOLVED
            return _Resolution(self.prev_entities, factor=PRONOUN_FACTOR * 0.9)
        # "analysts said ...; they added": an unnamed source of the same number
        if (
            self.prev.literal
            and here - prev_sent <= 2
            and ((number == "p") == (self.prev.literal_kind == "group"))
        ):
            return _Resolution(
                literal=self.prev.literal,
                literal_kind=self.prev.literal_kind,
                factor=PRONOUN_FACTOR,
            )
        return _UNRESOLVED

    def _antecedents(self, position: int, here: int) -> list[_Mention]:
        """Mentions before ``position`` within the window, outside quote contents."""
        out = []
        for mention in (*self.reg.mentions, *self.extra):
            if mention.start >= position or here - mention.sent > PRONOUN_WINDOW:
                continue
            if self.inside_quote(mention.start, mention.end):
                continue
            out.append(mention)
        return out

    def _last_mention(self, entity: int, position: int) -> int:
        return max(
            (
                m.start
                for m in (*self.reg.mentions, *self.extra)
                if m.entity == entity and m.start < position
            ),
            default=-1,
        )

    def floating(self, quote: Quote) -> _Resolution:
        """A quote with no mention continues the previous speaker, unless the
        sentence just before it, in its paragraph, has another person as subject
        (``X did not need much coaxing. "..."``)."""
        reg = self.reg
        here = reg.sent_of(quote.start)
        for mention in reversed(reg.mentions):
            if mention.start >= quote.start or mention.start <= self.prev_end:
                continue
            if mention.sent < here - 1:
                break
            entity = reg.entities[mention.entity]
            same_paragraph = bisect_right(reg.breaks, mention.end) == bisect_right(
                reg.breaks, quote.start
            )
            if (
                mention.subject
                and entity.kind == "person"
                and same_paragraph
                and not (self.inside_quote(mention.start, mention.end))
                and (mention.entity,) != self.prev_entities
            ):
                return _Resolution((mention.entity,), factor=FLOATING_FACTOR)
        if self.prev.entities or self.prev.literal:
            return replace_factor(self.prev, FLOATING_FACTOR)
        return _UNRESOLVED


def replace_factor(res: _Resolution, factor: float) -> _Resolution:
    """The same resolution with its confidence factor scaled by ``factor``."""
    return _Resolution(res.entities, res.literal, res.literal_kind, res.factor * factor)


# --- the entry point ----------------------------------------------------------


def attribute_speakers(doc: Doc, quotes: list[Quote]) -> tuple[list[Quote], list[Speaker]]:
    """Give each quote canonical speaker name(s); return them and the document's speakers.

    Quotes come back in the input order. A pronoun with no compatible
    antecedent gets no name (``speaker_name == ()``) rather than a guess.
    Speakers are the sources of at least one quote, in order of first mention.
    """
    resolver = _Resolver(doc, quotes)
    reg = resolver.reg
    order = sorted(range(len(quotes)), key=lambda i: (quotes[i].start, quotes[i].end))
    results: dict[int, Quote] = {}
    literals: dict[tuple[str, SpeakerKind], list[CharSpan]] = {}
    literal_counts: dict[tuple[str, SpeakerKind], int] = {}
    literal_first: dict[tuple[str, SpeakerKind], int] = {}
    for i in order:
        quote = quotes[i]
        res = resolver.floating(quote) if quote.speaker is None else resolver.resolve(quote.speaker)
        names: list[str] = []
        if res.entities:
            names = [reg.entities[e].name for e in res.entities]
            for e in res.entities:
                reg.entities[e].quotes += 1
                known = reg.entities[e].mentions
                if quote.speaker is not None and not any(quote.speaker.overlap(m) for m in known):
                    known.append(quote.speaker)
            if quote.speaker is not None and len(res.entities) == 1:
                resolver.extra.append(
                    _Mention(
                        quote.speaker.start,
                        quote.speaker.end,
                        res.entities[0],
                        reg.sent_of(quote.speaker.start),
                        True,
                    )
                )
        elif res.literal:
            name = (
                _strip_determiner(res.literal)
                if res.literal_kind == "organisation"
                else (res.literal)
            )
            names = [name]
            key = (name, res.literal_kind)
            if quote.speaker is not None:
                literals.setdefault(key, []).append(quote.speaker)
            literal_counts[key] = literal_counts.get(key, 0) + 1
            literal_first.setdefault(key, quote.start)
        resolver.prev = res
        resolver.prev_end = quote.end
        results[i] = quote.with_speaker(quote.speaker, names, quote.confidence * res.factor)
    speakers: list[tuple[int, Speaker]] = []
    for entity in reg.entities:
        if entity.quotes:
            mentions = tuple(sorted(set(entity.mentions)))
            first = mentions[0].start if mentions else entity.first
            speakers.append((first, Speaker(entity.name, entity.kind, mentions, entity.quotes)))
    for key, count in literal_counts.items():
        mentions = tuple(sorted(set(literals.get(key, []))))
        speakers.append((literal_first[key], Speaker(key[0], key[1], mentions, count)))
    speakers.sort(key=lambda pair: pair[0])
    out_quotes = [results[i] for i in range(len(quotes))]
    return _name_capitals_as_countries(doc, out_quotes, [s for _, s in speakers])


@cache
def _capitals() -> dict[str, str]:
    return {row[0].lower(): row[1] for row in data_lines("capitals.tsv")}


def _name_capitals_as_countries(
    doc: Doc, quotes: list[Quote], speakers: list[Speaker]
) -> tuple[list[Quote], list[Speaker]]:
    """A capital speaking stands for its country's government: "Beijing
    declined to criticize ..." → China, when the document names China."""
    candidates = {
        name: country
        for name in {n for q in quotes for n in q.speaker_name}
        if (country := _capitals().get(name.lower())) is not None
    }
    if not candidates:
        return quotes, speakers
    text = doc.text  # built only when a capital speaks: doc.text joins every token
    mapping = {name: country for name, country in candidates.items() if country in text}
    if not mapping:
        return quotes, speakers
    quotes = [
        q.with_speaker(q.speaker, [mapping.get(n, n) for n in q.speaker_name]) for q in quotes
    ]
    renamed = [
        Speaker(mapping.get(s.name, s.name), s.kind, s.mentions, s.quote_count) for s in speakers
    ]
    return quotes, merge_speakers(renamed)


def merge_speakers(speakers: list[Speaker]) -> list[Speaker]:
    """Speakers of one name merged into one, in order of first appearance: their
    mentions joined (sorted, once each) and their quotes counted together."""
    merged: dict[str, Speaker] = {}
    for sp in speakers:
        old = merged.get(sp.name)
        if old is None:
            merged[sp.name] = sp
        else:
            mentions = tuple(sorted(set(old.mentions) | set(sp.mentions)))
            merged[sp.name] = Speaker(sp.name, old.kind, mentions, old.quote_count + sp.quote_count)
    return list(merged.values())


def _strip_determiner(text: str) -> str:
    """``the Kremlin`` → ``Kremlin``: organisations are named without their article."""
    words = text.split(None, 1)
    if len(words) == 2 and words[0].lower() == "the":
        return words[1]
    return text
