"""The per-document registry: named mentions clustered into entities with their
fullest name, roles attached to their bearers, and the mentions a pronoun or a
floating quote can look back to.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field
from functools import cache, lru_cache

import regex
from spacy.tokens import Doc, Span, Token

from ..doc_index import doc_index
from ..names import (
    fold_name,
    honorifics,
    name_keys,
    organisation_short_form,
    surname_keys,
    transliteration_key,
)
from ..resources import data_lines, word_set
from ..types import CharSpan, SpeakerKind
from .mentions import (
    NAME_LABELS,
    char_span,
    first_name_gender,
    honorific_gender,
    is_role_noun,
    is_title_modifier,
    name_particles,
    name_parts,
    organisation_kinds,
    role_key,
    untagged_person_names,
)

SUBJECT_DEPS = frozenset({"nsubj", "nsubjpass"})


@cache
def _publishing() -> frozenset[str]:
    return word_set("publishing_verbs.txt")


@cache
def _source_nouns() -> dict[str, str]:
    return {row[0].lower(): row[1] for row in data_lines("source_nouns.tsv") if len(row) > 1}


def noun_key(noun: Token) -> str:
    """The word a source noun is listed under: its lemma if listed, else its form."""
    lemma = noun.lemma_.lower()
    return lemma if lemma in _source_nouns() else noun.lower_


def source_noun_class(noun: Token) -> str | None:
    """``document``, ``company`` or ``organisation`` for a listed source noun."""
    return _source_nouns().get(noun_key(noun))


@dataclass
class Entity:
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
        """Keep the fullest name as canonical: more name words wins, then more words
        as written (``Tellus Air Co.`` over ``Tellus Air``), then the earlier."""
        keys = name_keys(name)
        if (len(keys), _written_length(name)) > (len(self.keys), _written_length(self.name)):
            self.name, self.keys = name, keys
        self.first = min(self.first, position)


_WORD = regex.compile(r"\w+")
_POSSESSIVE_END = regex.compile(r"['’]s?$")


@lru_cache(maxsize=4096)
def _written_length(name: str) -> int:
    """The words of a name as written, without leading honorifics and articles and a
    final possessive (``Mr Lane’s`` → 1, ``Tellus Air Co.`` → 3)."""
    words = [w.lower() for w in _WORD.findall(_POSSESSIVE_END.sub("", name.strip()))]
    while len(words) > 1 and (words[0] in honorifics() or words[0] in ("the", "a", "an")):
        words.pop(0)
    return len(words)


@dataclass(frozen=True)
class Mention:
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


def org_keys_agree(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
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


def _described_as_body(entity: Entity) -> bool:
    """A name described only by nouns for bodies (``X, the pharmacy chain``, ``the
    airline X``), none for people, and opening with no known given name."""
    words = fold_name(entity.name).split()
    if not entity.roles or not words or words[0] in first_name_gender():
        return False
    kinds = organisation_kinds()
    body = [
        role
        for role, _ in entity.roles
        if (role in kinds and kinds[role][0] != "place")
        or _source_nouns().get(role) in ("company", "organisation")
    ]
    return bool(body) and len(body) == len(entity.roles)


def family_name_only(keys: tuple[str, ...]) -> bool:
    """A name that opens with a particle is a family name alone (``Van der Berg``)."""
    return len(keys) > 1 and keys[0] in _particle_keys()


@cache
def _particle_keys() -> frozenset[str]:
    return frozenset(transliteration_key(p) for p in name_particles())


def _honorific_before(doc: Doc, ent: Span, start: int) -> str:
    """The gender an honorific just before a name shows (``Mrs. Lane`` → ``f``), else ``""``."""
    for tok in (doc[ent.start], doc[start - 1] if start > 0 else None):
        if tok is not None and tok.i < start:
            gender = honorific_gender().get(tok.lower_.rstrip("."), "-")
            if gender in ("m", "f"):
                return gender
    return ""


def _is_subject(token: Token, start: int, unit_starts: frozenset[int]) -> bool:
    """A clause subject, or a name opening its sentence or paragraph
    (``Maria Lund with X turned out``); ``start`` is the name's first token."""
    if token.dep_ in SUBJECT_DEPS:
        return True
    first = start
    while first > 0 and token.doc[first - 1].is_punct and first not in unit_starts:
        first -= 1
    return first in unit_starts and token.dep_ not in ("pobj", "dobj", "poss", "compound")


class Registry:
    """Entities, mentions and roles of one document."""

    def __init__(self, doc: Doc) -> None:
        self.doc = doc
        self.entities: list[Entity] = []
        self.mentions: list[Mention] = []
        self.token_entity: dict[int, int] = {}
        self._named_places: list[int] = []
        self._starts: dict[int, list[int]] = {}  # each entity's mention starts, sorted
        # sentences, also cut at line breaks: the parser runs sentences on over paragraphs
        index = doc_index(doc)
        tokens = index.tokens  # Token objects made once per document
        starts = set(index.sentences[0])
        line_breaks = [t for t in tokens if t.is_space and "\n" in t.text]
        starts.update(t.i + 1 for t in line_breaks if t.i + 1 < len(doc))
        self.unit_starts = frozenset(starts)
        self.breaks = [t.idx for t in line_breaks]
        self.sent_starts = sorted(tokens[i].idx for i in starts)
        # document nouns ("study") whose NP names an author, for "the study said"
        # (position, author entity or -1, author's head token when unnamed or -1)
        self.authored: dict[str, list[tuple[int, int, int]]] = {}
        self._definitions: dict[str, str] | None = None
        self._build()

    def sent_of(self, char: int) -> int:
        return max(0, bisect_right(self.sent_starts, char) - 1)

    def new(self, name: str, kind: SpeakerKind, label: str, position: int) -> int:
        self.entities.append(Entity(name, kind, label, name_keys(name), position))
        return len(self.entities) - 1

    def _build(self) -> None:
        doc = self.doc
        tables = doc_index(doc)
        # (entity, start, end, span, keys, label): label as the name reads, not always NER's
        named: list[tuple[Span, int, int, CharSpan, tuple[str, ...], str]] = []
        # NER's names, and person names it left untagged ("councillor Priya Nair"),
        # in text order
        for ent in sorted([*doc.ents, *untagged_person_names(doc)], key=lambda e: e.start):
            if ent.label_ in NAME_LABELS:
                for start, end, label in name_parts(ent):
                    span = char_span(doc, start, end)
                    keys = name_keys(span.text)
                    if keys:
                        named.append((ent, start, end, span, keys, label))
        # pass 1: multi-word person names, clustered by their keys; a middle name or
        # initial more or less is the same person ("Ana M. Lima" / "Ana Lima")
        self.full_people: list[tuple[int, int]] = []  # (char position, entity)
        by_keys: dict[tuple[str, ...], int] = {}
        by_ends: dict[tuple[str, str], int] = {}
        assigned: dict[int, int] = {}
        for index, (ent, start, _, span, keys, label) in enumerate(named):
            if label != "PERSON" or len(keys) < 2 or family_name_only(keys):
                continue
            found = by_keys.get(keys, by_ends.get((keys[0], keys[-1])))
            if found is None:
                found = self.new(span.text, "person", "PERSON", span.start)
                by_ends[(keys[0], keys[-1])] = found
            by_keys[keys] = found
            assigned[index] = found
            self.full_people.append((span.start, found))
            self._learn_gender(self.entities[found], ent, start)
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
            ent, start, end, span, keys, label = named[index]
            gender = _honorific_before(doc, ent, start)
            found = None
            if len(keys) == 1 or (label == "PERSON" and family_name_only(keys)):
                found = self.person_for(keys, span.start, gender)
                if found is None and gender and self.person_for(keys, span.start) is not None:
                    # "Mr. Lane" where the only Lanes named are women: another person
                    found = self.new(span.text, "person", "PERSON", span.start)
                    self.entities[found].gender = gender
            if found is None and len(keys) == 1 and span.text.isupper() and len(span.text) > 1:
                found = self.acronym(span.text)
                if found is None and (full := self.spelled_out(span.text)) is not None:
                    found = self.new(full, _kind_of(label), label, span.start)
                    orgs.append(found)
            if found is None and label == "PERSON" and len(keys) == 1:
                found = self._mislabelled_person(keys[0])
            if found is None and len(keys) == 1:
                # one word tagged PERSON here and ORG there ("Facebook") is one entity
                found = by_keys.get(keys)
            if found is None and label == "PERSON":
                found = self.new(span.text, "person", "PERSON", span.start)
            elif found is None:
                found = self._match_org(keys, orgs)
                if found is None:
                    found = self.new(span.text, _kind_of(label), label, span.start)
                    orgs.append(found)
            by_keys.setdefault(keys, found)
            assigned[index] = found
        votes: dict[int, dict[str, int]] = {}
        for index, (_, _, _, _, _, label) in enumerate(named):
            tally = votes.setdefault(assigned[index], {})
            tally[label] = tally.get(label, 0) + 1
        for entity_index, tally in votes.items():
            # the kind most of its mentions show (NER labels one name differently at times)
            voted = self.entities[entity_index]
            label = max(tally, key=lambda k: (tally[k], k == voted.label))
            if label != voted.label and len(voted.keys) == 1:
                voted.label, voted.kind = label, _kind_of(label)
        for index, (ent, start, end, span, _, _) in enumerate(named):
            self._add_mention(assigned[index], doc[start:end], span)
            cluster = self.entities[assigned[index]]
            if cluster.kind == "person":
                self._learn_gender(cluster, ent, start)
            self._learn_roles(assigned[index], ent, start, end)
        for described in self.entities:
            if described.kind == "person" and _described_as_body(described):
                # "Medica Plus, the pharmacy chain": a name NER took for a person's
                described.kind, described.label = "organisation", "ORG"
        # proper nouns NER missed that shorten a full name ("told Cable")
        if self.full_people:
            for tok in tables.tokens:
                if tok.pos_ == "PROPN" and not tok.ent_type_ and tok.dep_ != "compound":
                    keys = name_keys(tok.text)
                    if len(keys) == 1 and (found := self.person_for(keys, tok.idx)) is not None:
                        self._add_mention(
                            found, doc[tok.i : tok.i + 1], char_span(doc, tok.i, tok.i + 1)
                        )
        self.mentions.sort(key=lambda m: m.start)
        self._vote_genders()
        # coordinated people ("Xi and Putin"), for "the two men", "the couple"
        self.pairs: list[tuple[int, tuple[int, ...]]] = []
        for tok in tables.tokens:
            if tok.dep_ == "conj" or tok.i not in self.token_entity:
                continue
            group = [self.token_entity.get(t.i) for t in (tok, *tables.conjuncts(tok))]
            people = tuple(
                dict.fromkeys(
                    e for e in group if e is not None and self.entities[e].kind == "person"
                )
            )
            if len(people) > 1 and len(people) == len(group):
                self.pairs.append((tok.idx, people))
        for tok in tables.tokens:
            if tok.pos_ == "NOUN" and source_noun_class(tok) == "document":
                author = self._author_inside(tok)
                subject = None
                if author is None and tok.dep_ == "pobj" and tok.head.lower_ in ("in", "via"):
                    # "X said in a statement": the statement is X's, named or not
                    subject = next(
                        (c for c in tables.lefts(tok.head.head) if c.dep_ in SUBJECT_DEPS), None
                    )
                elif author is None and tok.dep_ == "dobj" and tok.head.lemma_ in _publishing():
                    # "X released a report": the report is X's
                    subject = next((c for c in tables.lefts(tok.head) if c.dep_ == "nsubj"), None)
                elif author is None:
                    # "a report prepared by city engineers"
                    subject = _first_by_agent(tok)
                if author is None and subject is not None:
                    author = self.token_entity.get(subject.i)
                if author is not None:
                    self.authored.setdefault(noun_key(tok), []).append((tok.idx, author, -1))
                elif subject is not None and subject.pos_ in ("NOUN", "PROPN"):
                    self.authored.setdefault(noun_key(tok), []).append((tok.idx, -1, subject.i))

    def _vote_genders(self) -> None:
        """Genders the text shows: ``Ines said she ...``, ``Kirby added that he ...``:
        a subject ``he``/``she`` of a clause under a verb whose subject is a named
        person votes for that person; a clear majority sets an unknown gender."""
        votes: dict[int, list[int]] = {}
        for tok in doc_index(self.doc).tokens:
            if tok.dep_ not in SUBJECT_DEPS or tok.lower_ not in ("he", "she"):
                continue
            verb = tok.head
            for _ in range(2):
                if verb.dep_ not in ("ccomp", "xcomp", "conj", "advcl") or verb.head is verb:
                    break
                verb = verb.head
                subject = next(
                    (c for c in doc_index(verb.doc).lefts(verb) if c.dep_ in SUBJECT_DEPS), None
                )
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
        insort(self._starts.setdefault(entity_index, []), span.start)
        self.mentions.append(
            Mention(
                span.start,
                span.end,
                entity_index,
                self.sent_of(span.start),
                _is_subject(tokens.root, tokens.start, self.unit_starts),
            )
        )

    def starts_of(self, entity_index: int) -> list[int]:
        """Where the mentions of an entity start, sorted."""
        return self._starts.get(entity_index, [])

    def _author_inside(self, noun: Token) -> int | None:
        """The named source inside a document noun's phrase: ``the Harbour Trust study``,
        ``a study released by Harbour Trust``, ``Okafor's statement``: the first one."""
        fallback: int | None = None
        index = doc_index(self.doc)
        if len(self._named_places) != len(self.token_entity):
            # the named tokens in subtree order (names are added while resolving)
            self._named_places = sorted(index.place(self.doc[i]) for i in self.token_entity)
        start, end = index.depth_first(noun)
        for k in range(bisect_left(self._named_places, start), len(self._named_places)):
            if self._named_places[k] >= end:
                break
            tok = self.doc[index.in_depth_first_order(self._named_places[k])]
            if tok.i != noun.i and (entity := self.token_entity.get(tok.i)) is not None:
                if self.entities[entity].label in ("PERSON", "ORG"):
                    return entity
                if fallback is None and tok.ent_type_ == "GPE" and tok.dep_ == "pobj":
                    fallback = entity
        return fallback

    def person_for(self, keys: tuple[str, ...], position: int, gender: str = "") -> int | None:
        """The full name a one-word name shortens: the nearest preceding one whose
        surname keys hold it (else the first following one), else the one full
        name whose first name it is (``Ines`` → ``Ines Varga``). With ``gender``
        (from an honorific: ``Mrs. Lane``) only a person of no other gender fits."""
        key = keys[0]
        best: int | None = None
        for pos, entity in self.full_people:
            if len(keys) > 1:
                # a family name with its particles: "Van der Berg" of "Maria van der Berg"
                full = self.entities[entity].keys
                if len(full) <= len(keys) or full[-len(keys) :] != keys:
                    continue
            elif key not in surname_keys(self.entities[entity].name):
                continue
            if gender and self.entities[entity].gender not in ("", gender):
                continue
            if pos <= position or best is None:
                best = entity
            if pos > position:
                break
        if best is None and len(keys) == 1:
            by_first = {
                e
                for e in self._first_names.get(key, set())
                if not gender or self.entities[e].gender in ("", gender)
            }
            if len(by_first) == 1:
                best = next(iter(by_first))
        return best

    def spelled_out(self, acronym: str) -> str | None:
        """The capitalised words an acronym abbreviates where the text defines it:
        ``Regional Water Authority (RWA)``, ``Roads, Rail and Ports Agency (RRPA)``."""
        if self._definitions is None:
            self._definitions = {}
            doc = self.doc
            for tok in doc[1:-1]:
                if tok.text.isupper() and doc[tok.i - 1].text == "(" and doc[tok.i + 1].text == ")":
                    words: list[Token] = []
                    i = tok.i - 2
                    # commas may list the body's parts: "Roads, Rail and Ports Agency (RRPA)"
                    while (
                        i >= 0
                        and len(words) < 10
                        and (
                            doc[i].is_title
                            or doc[i].lower_ in ("of", "and", "for", "the", "&", ",")
                        )
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
        """``Valdivia`` (PERSON) after ``Rosa Valdivia`` tagged ORG: that
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

    def acronym(self, acronym: str) -> int | None:
        """``RWA`` → ``Regional Water Authority``: the one entity with these initials."""
        letters = fold_name(acronym)
        found = [
            i
            for i, e in enumerate(self.entities)
            if len(e.keys) > 1 and _initials(tuple(fold_name(e.name).split())) == letters
        ]
        return found[0] if len(found) == 1 else None

    def _match_org(self, keys: tuple[str, ...], orgs: list[int]) -> int | None:
        """An organisation already named that ``keys`` name too: a word-suffix or
        demonym form (``org_keys_agree``) or a short form without the company words
        (``Tellus`` of ``Tellus Air Group``, never of ``Tellus Workers Union``)."""
        for entity in orgs:
            other = self.entities[entity]
            if org_keys_agree(keys, other.keys) or organisation_short_form(keys, other.keys):
                return entity
        return None

    def _learn_gender(self, entity: Entity, ent: Span, start: int) -> None:
        doc = self.doc
        if entity.gender:
            return
        for tok in (doc[ent.start], doc[start - 1] if start > 0 else None):
            if tok is not None:
                gender = honorific_gender().get(tok.lower_.rstrip("."), "-")
                if gender in ("m", "f"):
                    entity.gender = gender
                    return
        words = fold_name(entity.name).split()
        if words:
            entity.gender = first_name_gender().get(words[0], "")

    def _learn_roles(self, entity_index: int, ent: Span, start: int, end: int) -> None:
        """Roles from titles inside or before the name, appositions, and a role NP
        whose apposition the name is. Organisations take any describing noun
        (``shipping company Nordline``, ``Metrolane, the transit agency``)."""
        doc = self.doc
        entity = self.entities[entity_index]
        person = entity.kind == "person"
        root = doc[start:end].root
        for tok in doc[ent.start : start]:
            if is_role_noun(tok):
                entity.roles.append((role_key(tok.lower_), frozenset()))
        tables = doc_index(doc)
        for child in tables.lefts(root):
            if (
                child.i < start
                and child.dep_ in ("compound", "amod", "nmod")
                and (is_role_noun(child) or (not person and child.pos_ == "NOUN"))
            ):
                entity.roles.append(_role_of(child))
        for child in tables.rights(root):
            if child.dep_ == "appos" and child.pos_ in ("NOUN", "PROPN"):
                entity.roles.append(_role_of(child))
        if (
            root.dep_ in ("appos", "conj")
            and root.head.pos_ == "NOUN"
            and (is_role_noun(root.head) or not person)
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
        if t.i != noun.i
        and t.is_alpha
        and not t.is_stop
        and t.ent_type_ != "PERSON"
        and not is_title_modifier(t)
    )
    return role_key(noun.lemma_ if noun.tag_ in ("NNS", "NNPS") else noun.lower_), mods


def _first_by_agent(noun: Token) -> Token | None:
    """The first ``by`` object in a noun's phrase, in subtree order: "a report
    prepared by city engineers" → engineers (from the document's candidates,
    not a walk over the phrase)."""
    doc = noun.doc
    index = doc_index(doc)
    agents = index.cached(
        "by-agents",
        0,
        lambda: sorted(
            index.place(t) for t in index.tokens if t.dep_ == "pobj" and t.head.lower_ == "by"
        ),
    )
    start, end = index.depth_first(noun)
    k = bisect_left(agents, start)
    return (
        doc[index.in_depth_first_order(agents[k])] if k < len(agents) and agents[k] < end else None
    )


def names_a_pair(head: Token, definite: bool) -> bool:
    """``the two men``, ``both leaders``, ``the couple``: two people described."""
    if head.lemma_.lower() in ("couple", "pair", "duo"):
        return definite
    return (
        head.tag_ in ("NNS", "NNPS")
        and (is_role_noun(head) or head.lemma_.lower() in ("man", "woman", "leader"))
        and any(c.lower_ in ("two", "both") for c in doc_index(head.doc).lefts(head))
    )


def name_words(entity: Entity) -> frozenset[str]:
    return frozenset(fold_name(entity.name).split())
