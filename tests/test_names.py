"""The extractor's name agreement (speaker clustering, quotes.names); the scorer's own
stricter rules are tested in test_scoring_names.py."""

from __future__ import annotations

import pytest

from quotes.names import any_names_agree, fold_name, names_agree, split_joined_names

AGREE = [
    ("Dmitri Peskov", "Dmitry Peskov"),  # transliteration
    ("Zelensky", "Volodymyr Zelenskyy"),  # surname, transliteration
    ("Peskov", "Dmitry Peskov"),  # surname
    ("Mr. Wang", "Wang Wenbin"),  # honorific; East Asian order
    ("Kuleba’s", "Dmytro Kuleba"),  # possessive
    ("the Chinese Foreign Ministry", "Chinese Foreign Ministry"),  # article
    ("The justice official", "a justice official"),  # unnamed sources differ by article
    ("U.S. officials", "US officials"),  # abbreviation periods
    ("José Álvarez", "Jose Alvarez"),  # diacritics
    ("Samsung", "Samsung Electronics Co."),  # company suffix and organisation word
]
DISAGREE = [
    ("Wang Yi", "Wang Wenbin"),  # two people sharing a surname
    ("Ushakov", "Dmitry Peskov"),
    ("Samsung", "Samsung Town"),  # "town" ends no organisation's name
    ("John", "John Kirby"),  # a first name is not a surname
    ("", "Kirby"),
]


@pytest.mark.parametrize(("a", "b"), AGREE)
def test_names_agree(a: str, b: str) -> None:
    assert names_agree(a, b) and names_agree(b, a)


@pytest.mark.parametrize(("a", "b"), DISAGREE)
def test_names_disagree(a: str, b: str) -> None:
    assert not names_agree(a, b) and not names_agree(b, a)


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["Ana Lind and Omar Ruiz"], ["Ana Lind", "Omar Ruiz"]),
        (["Xi & Putin"], ["Xi", "Putin"]),
        (["the minister and aides"], ["the minister and aides"]),  # one noun phrase
        (["Kirby"], ["Kirby"]),
    ],
)
def test_split_joined_names(names: list[str], expected: list[str]) -> None:
    assert split_joined_names(names) == expected


@pytest.mark.parametrize(
    ("gold", "pred", "agree"),
    [
        (("Ana Lind and Omar Ruiz",), ("Ana Lind", "Omar Ruiz"), True),
        (("Petra Holm and Ivan Sousa",), ("Petra Holm",), True),
        (("Xi Jinping", "Vladimir Putin"), ("Putin",), True),
        (("Xi Jinping",), ("Vladimir Putin",), False),
        ((), ("Kirby",), False),
    ],
)
def test_any_names_agree(gold: tuple[str, ...], pred: tuple[str, ...], agree: bool) -> None:
    assert any_names_agree(gold, pred) is agree


def test_fold_name_strips_what_is_not_the_name() -> None:
    assert fold_name("Mr. Kuleba’s") == "kuleba"
    assert fold_name("  The  Kremlin ") == "kremlin"
