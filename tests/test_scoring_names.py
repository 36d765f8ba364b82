"""The scorer's own name agreement (quotes.scoring.names), case by case.

Every case is a made-up name; each row says which rule of the module doc it tests.
"""

from __future__ import annotations

import pytest

from quotes.scoring.names import fold, name_agrees, names_agree, split_names

# (gold, predicted, names of the gold document, agree?)
CASES = [
    # 1. folding: case, diacritics, punctuation, articles, titles
    ("Dana Okafor", "dana okafor", (), True),
    ("José Ramírez", "Jose Ramirez", (), True),
    ("the Harbour Authority", "Harbour Authority", (), True),
    ("U.S. officials", "US officials", (), True),
    ("Mayor Dana Okafor", "Dana Okafor", (), True),
    ("Mr. Okafor", "Okafor", (), True),
    ("Dr. Lena Fisk", "Prof. Lena Fisk", (), True),  # titles without a gender
    ("Mr. Okafor", "Mrs. Okafor", (), False),  # a gender each: two people
    ("Mr Tom Okafor", "Ms Tom Okafor", (), False),
    ("Mrs. Okafor", "Ms. Okafor", (), True),  # same gender
    # 2. pronouns never agree with names, nor with each other
    ("Zhang Yi", "I", (), False),
    ("I", "Zhang Yi", (), False),
    ("Dana Okafor", "she", (), False),
    ("they", "they", (), False),
    ("US", "US", (), True),  # a country in capitals, not the pronoun "us"
    ("US", "U.S.", (), True),
    ("US", "us", (), False),
    ("IT", "IT", (), True),
    # 3. transliterations, by the explicit table only
    ("Dmitri Volkov", "Dmitry Volkov", (), True),
    ("Yuri Belov", "Yuriy Belov", (), True),
    ("Olena Zelenskyy", "Olena Zelensky", (), True),
    ("Dmytro Volkov", "Dmitry Volkov", (), False),  # Ukrainian and Russian forms
    ("Volodymyr Belov", "Vladimir Belov", (), False),
    ("Okafor", "Okafur", (), False),  # no fuzzy matching
    # 4. a surname alone: the one full name of the gold document that has it
    ("Fisk", "Lena Fisk", (), True),
    ("Lena Fisk", "Fisk", ("Lena Fisk",), True),
    ("Lena Fisk", "Fisk", ("Lena Fisk", "Omar Fisk"), False),  # two candidates
    ("Fisk", "Lena Fisk", ("Fisk", "Omar Fisk"), False),
    ("Zhang Yi", "Zhang", ("Zhang Yi",), True),  # family name first
    ("Zhang Yi", "Zhang", ("Zhang Yi", "Zhang Wenbo"), False),
    ("Zhang Yi", "Yi", ("Zhang Yi",), False),  # a given name is no surname
    ("Lena Fisk", "Lena", (), False),
    ("Volkov", "Dmitri Volkov", ("Volkov",), True),  # the document never gives his first name
    # 5. two full names: given names must agree too; no acronyms
    ("Jan Fisk", "Ian Fisk", (), False),
    ("Mary Ann Fisk", "Mary Fisk", (), True),
    ("Lena Fisk", "Lena Okafor", (), False),
    ("Harbour Safety Board", "HSB", (), False),
    ("Harbour Safety Board", "Safety Board", (), False),
    # nothing to compare
    ("", "Fisk", (), False),
    ("Fisk", "", (), False),
]


@pytest.mark.parametrize(("gold", "pred", "document", "agree"), CASES)
def test_name_agrees(gold: str, pred: str, document: tuple[str, ...], agree: bool) -> None:
    assert name_agrees(gold, pred, document) is agree


@pytest.mark.parametrize(
    ("gold", "pred", "agree"),
    [
        (("Lena Fisk",), ("Fisk",), True),
        (("Lena Fisk", "Omar Ruiz"), ("Ruiz", "Lena Fisk"), True),  # every source, any order
        (("Lena Fisk", "Omar Ruiz"), ("Omar Ruiz",), False),  # one source missing
        (("Lena Fisk",), ("Lena Fisk", "Omar Ruiz"), False),  # one source too many
        (("Lena Fisk and Omar Ruiz",), ("Lena Fisk", "Omar Ruiz"), True),  # joined by "and"
        (("Lena Fisk & Omar Ruiz",), ("Omar Ruiz", "Fisk"), True),
        ((), ("Lena Fisk",), False),
        (("Lena Fisk",), (), False),
    ],
)
def test_names_agree_over_several_sources(
    gold: tuple[str, ...], pred: tuple[str, ...], agree: bool
) -> None:
    assert names_agree(gold, pred, gold) is agree


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Lena Fisk and Omar Ruiz"], ["Lena Fisk", "Omar Ruiz"]),
        (["the mayor and aides"], ["the mayor and aides"]),  # one noun phrase
        (["Fisk", "  "], ["Fisk"]),
    ],
)
def test_split_names(names: list[str], expected: list[str]) -> None:
    assert split_names(names) == expected


@pytest.mark.parametrize(
    ("name", "words", "gender"),
    [
        ("Mrs. María  Fisk", ("maria", "fisk"), "f"),
        ("The Harbour Authority’s", ("harbour", "authority"), "-"),
        ("Mr.", ("mr",), "-"),  # a title alone stays: nothing else names the source
        ("Dmitri Volkov", ("dmitry", "volkov"), "-"),  # first spelling of the table line
    ],
)
def test_fold(name: str, words: tuple[str, ...], gender: str) -> None:
    folded = fold(name)
    assert (folded.words, folded.gender) == (words, gender)
