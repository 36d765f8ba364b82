"""The cue lexicon: communication verbs and phrases, loaded from ``data/``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from .resources import data_lines


@dataclass(frozen=True)
class CueVerb:
    """A communication verb and the frames it takes (see ``data/cue_verbs.txt``)."""

    lemma: str
    tags: frozenset[str] = frozenset()

    @property
    def takes_addressee(self) -> bool:
        return "addressee" in self.tags

    @property
    def takes_infinitive(self) -> bool:
        return "infinitive" in self.tags

    @property
    def manner_only(self) -> bool:
        return "manner" in self.tags

    @property
    def weak(self) -> bool:
        return "weak" in self.tags

    @property
    def direct_only(self) -> bool:
        return "direct" in self.tags

    @property
    def mental(self) -> bool:
        return "mental" in self.tags

    @property
    def takes_object(self) -> bool:
        return "object" in self.tags or "complement" in self.tags

    @property
    def needs_complement(self) -> bool:
        return "complement" in self.tags

    @property
    def prepositions(self) -> frozenset[str]:
        """The P of each ``prep:P`` tag: "call for", "point to"."""
        return frozenset(tag[5:] for tag in self.tags if tag.startswith("prep:"))

    @property
    def takes_question(self) -> bool:
        return "wh" in self.tags


@dataclass(frozen=True)
class CueLexicon:
    """Cue verbs by lemma, multi-word source phrases and speech nouns."""

    verbs: dict[str, CueVerb] = field(default_factory=dict)
    source_phrases: tuple[tuple[str, ...], ...] = ()
    nouns: frozenset[str] = frozenset()

    @classmethod
    @cache
    def default(cls) -> CueLexicon:
        """The lexicon shipped in ``quotes/data``."""
        verbs: dict[str, CueVerb] = {}
        for row in data_lines("cue_verbs.txt"):
            lemma, tags = row[0].lower(), frozenset(row[1:])
            old = verbs.get(lemma)
            verbs[lemma] = CueVerb(lemma, tags | (old.tags if old else frozenset()))
        phrases, nouns = [], set()
        for phrase, kind in data_lines("cue_phrases.txt"):
            if kind == "source":
                phrases.append(tuple(phrase.lower().split()))
            elif kind == "noun":
                nouns.add(phrase.lower())
        return cls(verbs, tuple(sorted(phrases, key=len, reverse=True)), frozenset(nouns))

    def with_extra(self, lemmas: Iterable[str]) -> CueLexicon:
        """A copy with more cue verbs (``lemma`` or ``lemma tag ...`` strings)."""
        extra = [s.split() for s in lemmas if s.strip()]
        if not extra:
            return self
        verbs = dict(self.verbs)
        for lemma, *tags in extra:
            verbs[lemma.lower()] = CueVerb(lemma.lower(), frozenset(tags))
        return CueLexicon(verbs, self.source_phrases, self.nouns)

    def verb(self, lemma: str, form: str = "") -> CueVerb | None:
        """The cue verb with this lemma, if it is one.

        With the surface ``form``, a lemmatizer slip is caught by undoing the
        regular endings: spaCy's rule lemmatizer reads "hoped" as "hop".
        """
        found = self.verbs.get(lemma.lower())
        if found is not None or not form:
            return found
        word = form.lower()
        for ending, restore in (
            ("ied", "y"),
            ("ies", "y"),
            ("ed", ""),
            ("ed", "e"),
            ("es", ""),
            ("s", ""),
            ("ing", ""),
            ("ing", "e"),
        ):
            if word.endswith(ending) and len(word) > len(ending) + 2:
                candidate = self.verbs.get(word[: -len(ending)] + restore)
                if candidate is not None:
                    return candidate
        return None
