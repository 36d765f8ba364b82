"""Resolution: each quote's speaker mention (or, for a floating quote, the
previous speaker) resolved to canonical names against the registry, and the
document's speakers.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right, insort
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import cache

from spacy.tokens import Doc, Span, Token

from ..doc_index import doc_index
from ..names import fold_name, name_keys, surname_keys
from ..resources import data_lines
from ..types import CharSpan, Quote, Speaker, SpeakerKind
from .mentions import (
    NAME_LABELS,
    appositive_name,
    char_span,
    first_name_gender,
    honorific_gender,
    is_body_word,
    is_descriptor,
    is_occupation,
    is_person_title,
    is_role_noun,
    is_time,
    is_title,
    is_title_modifier,
    mention_span,
    organisation_kinds,
    role_key,
)
from .registry import (
    SUBJECT_DEPS,
    Entity,
    Mention,
    Registry,
    family_name_only,
    name_words,
    names_a_pair,
    noun_key,
    org_keys_agree,
    source_noun_class,
)

#: Confidence factors: the share of their quote's confidence such attributions keep.
FLOATING_FACTOR = 0.8

PRONOUN_FACTOR = 0.9

ROLE_FACTOR = 0.9

#: How many author links (a document to who wrote it) one resolution follows.
MAX_AUTHOR_LINKS = 4
#: How many sentences back a pronoun looks for its antecedent.
PRONOUN_WINDOW = 12

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
        self.reg = Registry(doc)
        self.text_length = doc[-1].idx + len(doc[-1].text_with_ws) if len(doc) else 0
        self.quote_spans = sorted((q.start, q.end) for q in quotes)
        self.prev = _UNRESOLVED
        self.prev_end = -1
        # mentions resolved from quotes (pronouns, roles), as extra antecedents,
        # in the order found, and as (start, order) sorted for bisection
        self.extra: list[Mention] = []
        self._extra_starts: list[tuple[int, int]] = []
        self._depth = 0  # nested resolve() calls (documents to their authors)
        # unnamed sources by head lemma and number: (sentence, noun phrase, kind) of the latest
        self.literal_heads: dict[tuple[str, bool], tuple[int, str, SpeakerKind]] = {}

    @property
    def prev_entities(self) -> tuple[int, ...]:
        return self.prev.entities

    def add_extra(self, mention: Mention) -> None:
        """Another antecedent: a mention resolved while attributing a quote."""
        insort(self._extra_starts, (mention.start, len(self.extra)))
        self.extra.append(mention)

    def _window(self, position: int, here: int) -> list[Mention]:
        """The mentions (and extra antecedents) before ``position`` within the
        pronoun window, in the order they were registered; found by bisection
        (a long document has thousands of mentions, a window a few dozen)."""
        mentions = self.reg.mentions
        lo = bisect_left(mentions, here - PRONOUN_WINDOW, key=lambda m: m.sent)
        hi = bisect_left(mentions, position, key=lambda m: m.start)
        out = mentions[lo:hi] if lo < hi else []
        found = []
        for k in range(bisect_left(self._extra_starts, (position, -1)) - 1, -1, -1):
            order = self._extra_starts[k][1]
            if here - self.extra[order].sent > PRONOUN_WINDOW:
                break
            found.append(order)
        return out + [self.extra[k] for k in sorted(found)]

    def _lefts(self, tok: Token) -> list[Token]:
        return doc_index(self.doc).lefts(tok)

    def inside_quote(self, start: int, end: int) -> bool:
        spans = self.quote_spans
        i = bisect_right(spans, (start, self.text_length + 1)) - 1
        return i >= 0 and spans[i][0] <= start and end <= spans[i][1]

    def resolve(self, span: CharSpan) -> _Resolution:
        # a document resolves to its author, who may be named by another
        # document ("a report prepared by the review"): follow a few links only
        if self._depth >= MAX_AUTHOR_LINKS:
            return _Resolution(literal=span.text)
        self._depth += 1
        try:
            return self._resolve(span)
        finally:
            self._depth -= 1

    def _resolve(self, span: CharSpan) -> _Resolution:
        tokens = self.doc.char_span(span.start, span.end, alignment_mode="expand")
        if tokens is None or len(tokens) == 0:
            return _Resolution(literal=span.text)
        root = tokens.root
        conjuncts = doc_index(self.doc).conjuncts(root)
        heads = [root, *[t for t in conjuncts if tokens.start <= t.i < tokens.end]]
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
                is_descriptor(self.doc[start], self.doc[start + 1])
                or self.doc[start].is_punct
                or self.doc[start].lower_ == "the"
            ):
                start += 1
            name = self.doc[start : tokens.end]
            if all(t.pos_ in ("PROPN", "NUM") or t.tag_ == "POS" for t in name) and len(
                name_keys(name.text)
            ) > len(reg.entities[entity].keys):
                # the mention names more than NER found: "Rafiq Ali Noor", "Dockworkers Local 41"
                reg.entities[entity].offer_name(name.text, name.start_char)
            return _Resolution((entity,))
        named = appositive_name(head) if head.pos_ == "NOUN" else None
        if named is not None and named.i in reg.token_entity:
            return _Resolution((reg.token_entity[named.i],))
        if head.pos_ == "PROPN" and not head.is_lower and not is_role_noun(head):
            # "the transport ministry" and "the Premier" are descriptions, not names
            if is_time(head):
                return _UNRESOLVED  # "Wednesday" is never a source: no name rather than a date
            return self._resolve_unknown_name(head, tokens)
        noun_class = source_noun_class(head)
        lefts = self._lefts(head)
        possessor = next((c for c in lefts if c.dep_ == "poss"), None)
        definite = possessor is not None or any(
            c.dep_ == "det" and c.lower_ in _DEFINITE for c in lefts
        )
        if noun_class == "document":
            found = self._resolve_document(head, possessor, definite, span)
            if found.entities or found.literal:
                return found
            if possessor is not None and is_time(possessor):
                # "Wednesday's report" with no author named: the report, not the date
                start = possessor.right_edge.i + 1
                while start < head.i and self.doc[start].tag_ == "POS":
                    start += 1
                return self._literal(
                    head, tokens, char_span(self.doc, start, tokens.end), "organisation"
                )
        elif names_a_pair(head, definite):
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
            else ("person" if is_role_noun(head) else "organisation")
        )
        return self._literal(head, tokens, span, kind)

    def _literal(self, head: Token, tokens: Span, span: CharSpan, kind: SpeakerKind) -> _Resolution:
        """An unnamed source keeps its noun phrase; a bare repeat of an earlier one's
        head (``officials`` after ``US officials``, ``the union`` after ``the pilots'
        union``) takes the fuller phrase, within the pronoun window."""
        key = (head.lemma_.lower(), head.tag_ in ("NNS", "NNPS"))
        here = self.reg.sent_of(span.start)
        bare = all(t.i == head.i or t.dep_ == "det" or t.is_punct for t in tokens)
        earlier = self.literal_heads.get(key)
        if bare and earlier is not None and here - earlier[0] <= PRONOUN_WINDOW:
            return _Resolution(literal=earlier[1], literal_kind=earlier[2], factor=ROLE_FACTOR)
        if not bare:
            self.literal_heads[key] = (here, span.text, kind)
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
            if possessor.pos_ == "NOUN":
                # "the institute's report": the institute the description stands for
                res = self.resolve(mention_span(possessor))
                if res.entities:
                    return replace_factor(res, ROLE_FACTOR)
        if (
            head.dep_ == "pobj"
            and head.head.lower_ in ("in", "via")
            and (
                subject := next(
                    (c for c in self._lefts(head.head.head) if c.dep_ in SUBJECT_DEPS), None
                )
            )
            is not None
            and subject.i != head.i
        ):
            # "the Governor's Office said in a memo": the memo's author
            return replace_factor(self.resolve(mention_span(subject)), ROLE_FACTOR)
        inside = reg._author_inside(head)
        if inside is None:
            # a name NER missed: "the numbers from Statistics Canada"
            names = [
                t
                for t in head.subtree
                if t.pos_ == "PROPN"
                and t.dep_ != "compound"
                and not is_title(t)
                and not is_time(t)
                and t.ent_type_ in ("", *NAME_LABELS)
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
        agent = next(
            (
                t
                for t in head.subtree
                if t.dep_ == "pobj" and t.head.lower_ == "by" and t.i != head.i
            ),
            None,
        )
        if agent is not None and agent.pos_ in ("NOUN", "PROPN"):
            # "a report prepared by city engineers": its author, unnamed as it is
            by_agent = self.resolve(mention_span(agent))
            if by_agent.entities or by_agent.literal:
                return replace_factor(by_agent, ROLE_FACTOR)
        if definite:
            earlier = [
                (entity, subject)
                for pos, entity, subject in reg.authored.get(noun_key(head), [])
                if pos < span.start
            ]
            if earlier and earlier[-1][0] >= 0:
                return _Resolution((earlier[-1][0],), factor=ROLE_FACTOR)
            if earlier:
                # "the ministry said in a statement ... The statement said": the ministry
                author = mention_span(self.doc[earlier[-1][1]])
                return replace_factor(self.resolve(author), ROLE_FACTOR)
        return _UNRESOLVED

    def _resolve_unknown_name(self, head: Token, tokens: Span) -> _Resolution:
        """A proper noun NER missed: join a known name it shortens (an acronym the
        body it abbreviates), else a new entity, a person's when a person title
        precedes it or it opens with a known given name and names no body."""
        doc = self.doc
        left = head.i
        while (
            left > tokens.start
            and doc[left - 1].pos_ == "PROPN"
            and not is_descriptor(doc[left - 1], doc[left])
            and not is_time(doc[left - 1])
        ):
            left -= 1
        right = head.i + 1
        while right < tokens.end and (doc[right].like_num or doc[right].pos_ == "PROPN"):
            right += 1  # "Dockworkers Local 41"
        span = char_span(doc, left, right)
        keys = name_keys(span.text)
        if not keys:
            return _Resolution(literal=span.text)
        reg = self.reg
        for index, entity in enumerate(reg.entities):
            if entity.keys == keys:
                return _Resolution((index,))
        titled = left > tokens.start and is_person_title(doc[left - 1])
        gender = honorific_gender().get(doc[left - 1].lower_.rstrip("."), "") if titled else ""
        gender = gender if gender in ("m", "f") else ""
        if (len(keys) == 1 or family_name_only(keys)) and (
            found := reg.person_for(keys, span.start, gender)
        ) is not None:
            return _Resolution((found,))
        if len(keys) == 1 and span.text.isupper() and len(span.text) > 1:
            # "the RWA said" where NER missed the acronym: the body it abbreviates
            found = reg.acronym(span.text)
            if found is not None:
                return _Resolution((found,))
            if (full := reg.spelled_out(span.text)) is not None:
                index = reg.new(full, "organisation", "ORG", span.start)
                reg.add_mention(index, doc[left:right], span)
                return _Resolution((index,))
        for index, entity in enumerate(reg.entities):
            if entity.kind == "organisation" and org_keys_agree(keys, entity.keys):
                entity.offer_name(span.text, span.start)
                return _Resolution((index,))
        words = doc[left:right]
        person = titled or (
            fold_name(span.text).split()[0] in first_name_gender()
            and not any(is_body_word(t) for t in words)
        )
        index = reg.new(
            span.text,
            "person" if person else "organisation",
            "PERSON" if person else "ORG",
            span.start,
        )
        if gender:
            reg.entities[index].gender = gender
        reg.add_mention(index, words, span)
        return _Resolution((index,))

    def _resolve_description(
        self, head: Token, position: int, noun_class: str | None
    ) -> int | None:
        """``the Kremlin spokesman`` → the entity bearing that role; ``the city`` → an
        organisation whose name holds the head noun; ``the company`` → the last company
        named; ``the rookie defenceman`` → the person subject just before."""
        reg = self.reg
        key = role_key(head.lemma_ if head.tag_ in ("NNS", "NNPS") else head.lower_)
        # qualifiers of age or standing ("the 24-year-old defenceman", "the rookie
        # defenceman") describe the bearer without naming another role
        mods = frozenset(
            t.lower_
            for t in head.subtree
            if t.i != head.i
            and t.is_alpha
            and not t.is_stop
            and t.dep_ != "poss"
            and not is_title_modifier(t)
            and t.ent_type_ not in ("DATE", "TIME")
        )
        candidates = [
            index
            for index, entity in enumerate(reg.entities)
            if any(r == key and mods <= m_ | name_words(entity) for r, m_ in entity.roles)
        ]
        if not candidates and (noun_class is not None or head.lower_ in organisation_kinds()):
            # "the coalition" → "Greenway Coalition": a word organisation names carry
            candidates = [
                index
                for index, entity in enumerate(reg.entities)
                if entity.kind == "organisation"
                and key in (words := name_words(entity))
                and mods <= words
            ]
        if candidates:
            return self._nearest(candidates, position)
        here = reg.sent_of(position)
        if noun_class == "company":
            # the previous speaker if an organisation named lately, else the last
            # organisation quoted, else the last one named; of the description's kind
            # only ("the union" is not the airline it criticised) and holding its
            # possessor or people noun ("the pilots' union" is none of those named)
            fits = self._kind_fit(head)
            before = [
                m
                for m in reversed(reg.mentions)
                if m.start < position
                and reg.entities[m.entity].label == "ORG"
                and not self.inside_quote(m.start, m.end)
                and fits(reg.entities[m.entity])
            ]
            named = [m.entity for m in before if here - m.sent <= PRONOUN_WINDOW]
            if len(self.prev_entities) == 1 and self.prev_entities[0] in named:
                return self.prev_entities[0]
            quoted = [m.entity for m in before if reg.entities[m.entity].quotes]
            candidates = quoted or named
            return candidates[0] if candidates else None
        occupation = is_occupation(head)
        if (
            noun_class is None
            and head.tag_ not in ("NNS", "NNPS")
            and (occupation or not is_role_noun(head))
            and not any(
                c.dep_ == "poss" or c.pos_ == "PROPN" or c.ent_type_ not in ("", "DATE")
                for c in head.subtree
            )
        ):
            # a person described, not named: the person subject just before; an
            # occupation may describe them too ("Ian Cole scored. The defenceman said"),
            # unless they bear another role; an office ("the mayor") names its own bearer
            mentions = reg.mentions
            for k in range(bisect_left(mentions, position, key=lambda m: m.start) - 1, -1, -1):
                mention = mentions[k]
                if here - mention.sent > 1:
                    break  # (mentions in text order: the earlier ones are farther still)
                entity = reg.entities[mention.entity]
                if (
                    mention.start < position
                    and here - mention.sent <= 1
                    and mention.subject
                    and entity.kind == "person"
                    and not self.inside_quote(mention.start, mention.end)
                    and (not occupation or all(r == key for r, _ in entity.roles))
                ):
                    return mention.entity
        return None

    def _kind_fit(self, head: Token) -> Callable[[Entity], bool]:
        """Which organisations a description headed by ``head`` may stand for: those of
        the head's kind (``data/organisation_kinds.tsv``: ``the union`` → a union),
        or, for an open description (``the company``), also those whose name and
        roles show no kind; and only those whose words hold the description's
        possessor or people noun (``the pilots' union``)."""
        word = head.lemma_.lower()
        kind, open_ = organisation_kinds().get(word, (word, False))
        # whose body it is: a possessor or a people noun ("the airline's union", "the
        # nurses union"); a noun for the kind of business ("the transit agency") is not
        modifiers = frozenset(
            t.lower_
            for t in head.subtree
            if t.i != head.i
            and t.pos_ in ("NOUN", "PROPN")
            and (
                t.dep_ == "poss"
                or (t.dep_ in ("compound", "nmod") and (is_role_noun(t) or t.tag_ == "NNS"))
            )
        )

        def fits(entity: Entity) -> bool:
            words = name_words(entity) | {role for role, _ in entity.roles}
            if not modifiers <= words:
                return False
            kinds = {organisation_kinds()[w][0] for w in words if w in organisation_kinds()}
            kinds.discard("place")
            return kind in kinds or (open_ and not kinds)

        return fits

    def _nearest(self, candidates: list[int], position: int) -> int:
        """The candidate mentioned last before ``position``, else the first after
        (by bisection in each candidate's mentions, not a walk over all of them)."""
        best, best_pos = candidates[0], -1
        after, after_pos = candidates[0], self.text_length + 1
        for entity in candidates:
            starts = self.reg.starts_of(entity)
            k = bisect_left(starts, position)
            if k > 0 and starts[k - 1] > best_pos:
                best, best_pos = entity, starts[k - 1]
            if k < len(starts) and starts[k] < after_pos:
                after, after_pos = entity, starts[k]
        return best if best_pos >= 0 else after

    @staticmethod
    def _compatible(entity: Entity, number: str, gender: str) -> bool:
        """Strong agreement of an entity with a pronoun's number and gender."""
        if gender in ("m", "f"):
            return entity.kind == "person" and entity.gender in ("", gender)
        if gender == "n":
            return entity.kind == "organisation"
        # they / we: groups and organisations
        return entity.kind != "person"

    @staticmethod
    def _agrees_loosely(entity: Entity, number: str, gender: str) -> bool:
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
        window = self._window(span.start, here)
        last_mention: dict[int, int] = {}
        for mention in window:
            last_mention[mention.entity] = max(last_mention.get(mention.entity, -1), mention.start)
        for mention in self._antecedents(window):
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
            # (an entity with an antecedent in the window has its last mention there)
            best = min(scores, key=lambda e: (scores[e], -last_mention.get(e, -1)))
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

    def _antecedents(self, window: list[Mention]) -> list[Mention]:
        """The mentions of a pronoun's window outside quote contents."""
        return [m for m in window if not self.inside_quote(m.start, m.end)]

    def floating(self, quote: Quote) -> _Resolution:
        """A quote with no mention continues the previous speaker, unless the
        sentence just before it, in its paragraph, has another person as subject
        (``X needed no prompting. "..."``)."""
        reg = self.reg
        here = reg.sent_of(quote.start)
        mentions = reg.mentions
        for k in range(bisect_left(mentions, quote.start, key=lambda m: m.start) - 1, -1, -1):
            mention = mentions[k]
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


class _Spans:
    """An entity's mention spans (a list that only grows) kept sorted, so that
    whether a span overlaps one of them is found by bisection."""

    def __init__(self) -> None:
        self.seen = 0
        self.starts: list[tuple[int, int]] = []
        self.longest = 0

    def overlaps(self, mentions: list[CharSpan], span: CharSpan) -> bool:
        """True when ``span`` overlaps one of ``mentions``."""
        for mention in mentions[self.seen :]:
            insort(self.starts, (mention.start, mention.end))
            self.longest = max(self.longest, len(mention))
        self.seen = len(mentions)
        lo = bisect_left(self.starts, (span.start - self.longest, -1))
        hi = bisect_left(self.starts, (span.end, -1))
        return any(
            min(end, span.end) - max(start, span.start) > 0 for start, end in self.starts[lo:hi]
        )


def replace_factor(res: _Resolution, factor: float) -> _Resolution:
    """The same resolution with its confidence factor scaled by ``factor``."""
    return _Resolution(res.entities, res.literal, res.literal_kind, res.factor * factor)


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
    known: dict[int, _Spans] = {}  # each entity's mentions, for the overlap test
    tables = doc_index(doc)
    for i in order:
        tables.check()
        quote = quotes[i]
        res = resolver.floating(quote) if quote.speaker is None else resolver.resolve(quote.speaker)
        names: list[str] = []
        if res.entities:
            names = [reg.entities[e].name for e in res.entities]
            for e in res.entities:
                reg.entities[e].quotes += 1
                if quote.speaker is not None:
                    spans = known.setdefault(e, _Spans())
                    if not spans.overlaps(reg.entities[e].mentions, quote.speaker):
                        reg.entities[e].mentions.append(quote.speaker)
            if quote.speaker is not None and len(res.entities) == 1:
                resolver.add_extra(
                    Mention(
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


def merge_piece_speakers(
    quotes: list[Quote], speakers: list[Speaker]
) -> tuple[list[Quote], list[Speaker]]:
    """The speakers of a document read in pieces (:mod:`quotes.pieces`) as one
    list: one name once, and a one-word person name that shortens exactly one
    fuller person name of the document joins it (``Hale``, named in full only
    in an earlier piece, becomes ``Tom Hale``; two Wangs stay apart)."""
    merged = merge_speakers(speakers)
    full = [s.name for s in merged if s.kind == "person" and len(name_keys(s.name)) > 1]
    rename: dict[str, str] = {}
    for speaker in merged:
        keys = name_keys(speaker.name)
        if speaker.kind == "person" and len(keys) == 1:
            fits = [name for name in full if keys[0] in surname_keys(name)]
            if len(fits) == 1:
                rename[speaker.name] = fits[0]
    if not rename:
        return quotes, merged
    quotes = [
        q.with_speaker(q.speaker, [rename.get(n, n) for n in q.speaker_name])
        if any(n in rename for n in q.speaker_name)
        else q
        for q in quotes
    ]
    return quotes, merge_speakers([replace(s, name=rename.get(s.name, s.name)) for s in merged])


def _strip_determiner(text: str) -> str:
    """``the Kremlin`` → ``Kremlin``: organisations are named without their article."""
    words = text.split(None, 1)
    if len(words) == 2 and words[0].lower() == "the":
        return words[1]
    return text
