"""The extractor's name agreement: when two speaker names denote the same source.

Used by speaker clustering (``quotes.speakers``) and the speaker table, and
deliberately not by the scorer, which has its own stricter rules
(:mod:`quotes.scoring.names`), so that a slip here cannot cancel out in the
figures. Names agree when equal ignoring case and diacritics, when one is the
other's surname, or as transliteration variants (``Dmitri``/``Dmitry``,
``Zelensky``/``Zelenskyy``).
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

import regex

from .resources import data_lines

_NON_WORD = regex.compile(r"[^\p{L}\p{N}\s]+")
_SPACES = regex.compile(r"\s+")
_POSSESSIVE = regex.compile(r"['’]s?$")
# generational and company suffixes: "Samsung Electronics Co." ~ "Samsung Electronics"
_SUFFIXES = frozenset(
    {"jr", "sr", "ii", "iii", "iv", "co", "inc", "ltd", "corp", "llc", "plc", "ag", "sa", "gmbh"}
)
# Transliteration folds, applied in order to a lowercased word: Cyrillic
# "й"/"ий" endings come out as y, i, iy or yy; "х" as kh or h; doubled letters vary.
_TRANSLIT = (
    (regex.compile(r"(?:iy|yy|ii|ij|yi)$"), "i"),
    (regex.compile(r"y"), "i"),
    (regex.compile(r"kh"), "h"),
    (regex.compile(r"ck"), "k"),
    (regex.compile(r"j"), "i"),
    (regex.compile(r"(\p{L})\1+"), r"\1"),
)


@lru_cache(maxsize=1)
def honorifics() -> frozenset[str]:
    """Honorific words (``mr``, ``mrs``, ``dr`` ...) without their final period."""
    return frozenset(row[0].lower().rstrip(".") for row in data_lines("honorifics.txt"))


@lru_cache(maxsize=65536)
def fold_name(name: str) -> str:
    """Lowercase, strip diacritics, punctuation, possessives and honorifics.

    ``"Mr. Kuleba’s"`` → ``"kuleba"``; ``"Zelenskyy"`` → ``"zelenskyy"``.
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _POSSESSIVE.sub("", text.strip())
    # "U.S. officials" ~ "US officials": periods of abbreviations go, other marks split words
    text = _NON_WORD.sub(" ", text.casefold().replace(".", "").replace("-", " "))
    words = _SPACES.split(text.strip())
    while len(words) > 1 and (words[0] in honorifics() or words[0] in ("the", "a", "an")):
        words = words[1:]
    while len(words) > 1 and words[-1] in _SUFFIXES:
        words = words[:-1]
    return " ".join(w for w in words if w)


@lru_cache(maxsize=65536)
def transliteration_key(word: str) -> str:
    """A key equal for transliteration variants of one folded word (``dmitri``~``dmitry``)."""
    for pattern, repl in _TRANSLIT:
        word = pattern.sub(repl, word)
    return word


def name_keys(name: str) -> tuple[str, ...]:
    """The transliteration keys of a name's words, in order."""
    return tuple(transliteration_key(w) for w in fold_name(name).split())


def surname_keys(name: str) -> frozenset[str]:
    """Keys a one-word mention of this person may use: the last word, and the
    first word of a two-word name with a short first word that is no known
    given name (East Asian order: ``Xi Jinping``, ``Wang Wenbin``)."""
    keys = name_keys(name)
    if not keys:
        return frozenset()
    out = {keys[-1]}
    if len(keys) == 2 and len(keys[0]) <= 4 and keys[0] not in _first_name_keys():
        out.add(keys[0])
    return frozenset(out)


@lru_cache(maxsize=1)
def _first_name_keys() -> frozenset[str]:
    """Known given names: "John Kirby" is not "Mr John" (``data/first_names.tsv``)."""
    return frozenset(transliteration_key(row[0].lower()) for row in data_lines("first_names.tsv"))


@lru_cache(maxsize=1)
def _organisation_words() -> frozenset[str]:
    return frozenset(
        transliteration_key(row[0].lower()) for row in data_lines("organisation_words.txt")
    )


def organisation_short_form(short: tuple[str, ...], full: tuple[str, ...]) -> bool:
    """``Samsung`` for ``Samsung Electronics``: the full name is the short one
    followed only by words that organisation names end with."""
    return (
        0 < len(short) < len(full)
        and full[: len(short)] == short
        and all(w in _organisation_words() for w in full[len(short) :])
    )


def names_agree(a: str, b: str) -> bool:
    """True when two speaker names denote the same source by the guidelines' rules."""
    ka, kb = name_keys(a), name_keys(b)
    if not ka or not kb:
        return False
    if ka == kb:
        return True
    if organisation_short_form(ka, kb) or organisation_short_form(kb, ka):
        return True
    if len(ka) == 1 and len(kb) > 1:
        return ka[0] in surname_keys(b)
    if len(kb) == 1 and len(ka) > 1:
        return kb[0] in surname_keys(a)
    return False


_JOINED = regex.compile(r"\s+(?:and|&)\s+")


def split_joined_names(names: tuple[str, ...] | list[str]) -> list[str]:
    """Several sources written as one name (``Ana Lind and Omar Ruiz``,
    as the Gender Gap Tracker's gold does) as the list our guidelines give; a
    name whose parts are not all capitalized names stays whole (``Procter &
    gamble`` is rare, ``the minister and aides`` is one noun phrase)."""
    out: list[str] = []
    for name in names:
        parts = _JOINED.split(name)
        if len(parts) > 1 and all(p[:1].isupper() for p in parts):
            out.extend(parts)
        else:
            out.append(name)
    return out


def any_names_agree(gold: tuple[str, ...] | list[str], pred: tuple[str, ...] | list[str]) -> bool:
    """True when some predicted name agrees with some gold name (names joined
    with "and" count as several)."""
    return any(
        names_agree(g, p) for g in split_joined_names(gold) for p in split_joined_names(pred)
    )
