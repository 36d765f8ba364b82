"""The scorer's own name agreement: when a predicted speaker name names the gold source.

Written from docs/annotation-guidelines.md ("How scores are counted") and shared
with nothing: the extractor clusters names with :mod:`quotes.names`, and a
name-folding slip there must not cancel out here. Where the two could differ,
this side is the stricter one. The rules, in order:

1. **Folding.** Case, diacritics, punctuation, a final possessive and a leading
   article are ignored (``the Kremlin`` = ``Kremlin``, ``José`` = ``Jose``,
   ``U.S.`` = ``US``).
   Titles and honorifics at the front are dropped (``data/scoring_titles.tsv``),
   but their gender is kept: ``Mr. Lane`` and ``Mrs. Lane`` are two people.
2. **Pronouns** (``I``, ``he``, ``they`` ...) never agree with anything: a
   pronoun is not a canonical name (``US`` in capitals is a country, not ``us``).
3. **Equal** folded names agree, word by word, where a word may be spelled by
   the explicit transliteration table (``data/scoring_transliterations.tsv``:
   ``Dmitri``/``Dmitry``, ``Zelensky``/``Zelenskyy``).
4. **A surname alone** (one word) agrees with a full name whose surname it is:
   the last word, or instead the first word of a two-word name written family
   name first (``data/scoring_family_first.txt``: ``Wang`` of ``Wang Yi``, never
   ``Yi``). Only when that
   full name is the one such name of the gold document: a bare ``Wang`` in an
   article quoting Wang Yi and Wang Wenbin agrees with neither.
5. **Two full names** agree only with the same surname and the same given name
   (``Jan Lane`` is not ``Ian Lane``; ``Mary Ann Lane`` and ``Mary Lane`` agree:
   first and last words). No acronym expansion: ``NSC`` is not ``National
   Security Council`` (the guidelines do not ask for it).
6. **Several sources.** A quote's names agree when every gold name agrees with
   a predicted name and every predicted name with a gold name; one name written
   as several joined by "and" (``Ana Lane and Tom Ruiz``) counts as several.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from ..resources import data_lines

PRONOUNS = frozenset(
    {
        *("i", "me", "my", "mine", "myself", "we", "us", "our", "ours", "ourselves"),
        *("you", "your", "yours", "yourself", "yourselves"),
        *("he", "him", "his", "himself", "she", "her", "hers", "herself"),
        *("it", "its", "itself", "they", "them", "their", "theirs", "themselves"),
        *("one", "who", "whom", "whose"),
    }
)
_ARTICLES = frozenset({"the", "a", "an"})
_WORD = re.compile(r"\w+")
_POSSESSIVE = re.compile(r"['’]s?$")
_JOINED = re.compile(r"\s+(?:and|&)\s+")


@cache
def _titles() -> dict[str, str]:
    """Title or honorific → gender (``m``, ``f`` or ``-``)."""
    rows = data_lines("scoring_titles.tsv")
    return {row[0].lower(): (row[1] if len(row) > 1 else "-") for row in rows}


@cache
def _spellings() -> dict[str, str]:
    """Every spelling in the transliteration table → the first spelling of its line."""
    out: dict[str, str] = {}
    for row in data_lines("scoring_transliterations.tsv"):
        for word in row:
            out[word.lower()] = row[0].lower()
    return out


@cache
def _family_first() -> frozenset[str]:
    return frozenset(row[0].lower() for row in data_lines("scoring_family_first.txt"))


@dataclass(frozen=True)
class FoldedName:
    """A speaker name as the scorer compares it: its words and the gender its title shows."""

    words: tuple[str, ...]
    gender: str = "-"
    pronoun: bool = False

    def surnames(self) -> frozenset[str]:
        """The words a surname-only mention of this full name may use (rule 4)."""
        if len(self.words) < 2:
            return frozenset()
        if len(self.words) == 2 and self.words[0] in _family_first():
            return frozenset({self.words[0]})
        return frozenset({self.words[-1]})


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=65536)
def fold(name: str) -> FoldedName:
    """``name`` folded by rule 1: ``"Mrs. María  Lane"`` → words ``("maria", "lane")``, gender f."""
    # abbreviation periods join letters ("U.S." -> "us"); other marks split words
    plain = _POSSESSIVE.sub("", _plain(name).strip())
    words = _WORD.findall(plain.replace(".", "").replace("_", " "))
    gender = "-"
    titles = _titles()
    while len(words) > 1 and (words[0] in _ARTICLES or words[0] in titles):
        if words[0] in titles and titles[words[0]] != "-":
            gender = titles[words[0]]
        words = words[1:]
    spellings = _spellings()
    # "US" (a country) is no pronoun; "us", "He" and "I" are
    written = _WORD.findall(name)
    pronoun = (
        len(words) == 1
        and words[0] in PRONOUNS
        and len(written) == 1
        and not (written[0].isupper() and len(written[0]) > 1)
    )
    return FoldedName(tuple(spellings.get(w, w) for w in words), gender, pronoun)


def split_names(names: Iterable[str]) -> list[str]:
    """Names with several sources joined by "and" or "&" split into one name each
    (``Ana Lane and Tom Ruiz``), when every part starts with a capital; a noun
    phrase such as ``the mayor and aides`` stays whole."""
    out: list[str] = []
    for name in names:
        parts = _JOINED.split(name.strip())
        if len(parts) > 1 and all(p[:1].isupper() for p in parts):
            out.extend(parts)
        elif name.strip():
            out.append(name.strip())
    return out


def _genders_clash(a: FoldedName, b: FoldedName) -> bool:
    return a.gender != "-" and b.gender != "-" and a.gender != b.gender


def name_agrees(gold: str, pred: str, document_names: Collection[str] = ()) -> bool:
    """True when ``pred`` names the same source as ``gold`` (rules 1-5 of the module doc).

    ``document_names`` are the gold document's canonical names: a surname alone
    agrees with a full name only when no other of them has that surname.
    """
    g, p = fold(gold), fold(pred)
    if not g.words or not p.words or g.pronoun or p.pronoun or _genders_clash(g, p):
        return False
    if g.words == p.words:
        return True
    if len(g.words) == 1 and len(p.words) > 1:
        return _surname_of(g.words[0], p, document_names)
    if len(p.words) == 1 and len(g.words) > 1:
        return _surname_of(p.words[0], g, document_names)
    if len(g.words) > 1 and len(p.words) > 1:
        return g.words[0] == p.words[0] and g.words[-1] == p.words[-1]
    return False


def _surname_of(word: str, full: FoldedName, document_names: Collection[str]) -> bool:
    """``word`` is the surname of ``full``, and of no other full name of the document."""
    if word not in full.surnames():
        return False
    others = set()
    for name in document_names:
        folded = fold(name)
        if word in folded.surnames():
            others.add(folded.words)
    others.discard(full.words)
    return not others


def names_agree(
    gold: Sequence[str], pred: Sequence[str], document_names: Collection[str] = ()
) -> bool:
    """True when a quote's predicted names name its gold sources (rule 6): every
    gold name agrees with a predicted one and every predicted name with a gold one."""
    g, p = split_names(gold), split_names(pred)
    if not g or not p:
        return False
    return all(any(name_agrees(a, b, document_names) for b in p) for a in g) and all(
        any(name_agrees(a, b, document_names) for a in g) for b in p
    )
