"""Quotation-mark pairing (quotes.marks): pure string logic, no model.

Each case names the text and the stretches expected *inside* the marks
(raw, before the rules trim edge punctuation).
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from quotes.marks import find_quoted_stretches, paragraphs


def inner(text: str) -> list[str]:
    """The text of every quoted stretch, in order."""
    return [text[s.start : s.end] for s in find_quoted_stretches(text)]


# --- every mark style ---------------------------------------------------------

STYLES = [
    ('He said "we will win" today.', ["we will win"]),
    ("He said “we will win” today.", ["we will win"]),
    ("He said ‘we will win’ today.", ["we will win"]),
    ("He said 'we will win' today.", ["we will win"]),
    ("Il a dit «nous gagnerons» hier.", ["nous gagnerons"]),
    ("Er sagte „wir gewinnen“ heute.", ["wir gewinnen"]),
    ("Er sagte „wir gewinnen” heute.", ["wir gewinnen"]),
    ("“We will win.” Then he left.", ["We will win."]),
    ('"A" and "B" were said.', ["A", "B"]),
]


@pytest.mark.parametrize(("text", "expected"), STYLES)
def test_every_mark_style_pairs(text: str, expected: list[str]) -> None:
    assert inner(text) == expected


def test_french_spaced_guillemets() -> None:
    assert [s.strip() for s in inner("Il a dit « nous gagnerons » hier.")] == ["nous gagnerons"]


@pytest.mark.parametrize(
    ("text", "open_mark", "close_mark"),
    [
        ("a “b” c", "“", "”"),
        ("a „b“ c", "„", "“"),
        ("a «b» c", "«", "»"),
        ("a ‘b’ c", "‘", "’"),
    ],
)
def test_stretch_records_its_marks(text: str, open_mark: str, close_mark: str) -> None:
    (stretch,) = find_quoted_stretches(text)
    assert (stretch.open_mark, stretch.close_mark, stretch.closed) == (open_mark, close_mark, True)
    # outer bounds include the marks
    assert text[stretch.outer_start] == open_mark
    assert text[stretch.outer_end - 1] == close_mark


# --- apostrophes are not closing marks ------------------------------------------

APOSTROPHES = [
    # no quote at all: every ’ is an apostrophe
    ("It’s the Kremlins’ full-scale invasion.", []),
    ("rock ’n’ roll was loud in the ’90s.", []),
    ("They’ll say it’s fine, but the Smiths’ garden isn’t.", []),
    ("O’Brien met officials in Xi’an.", []),
    # a real single-quoted stretch next to apostrophes
    ("He said ‘it’s over’ and left.", ["it’s over"]),
    ("The Joneses’ lawyer said ‘this is it’ today.", ["this is it"]),
    ("“It’s the Kremlins’ full-scale war,” she said.", ["It’s the Kremlins’ full-scale war,"]),
    ("‘Yes,’ she said.", ["Yes,"]),
]


@pytest.mark.parametrize(("text", "expected"), APOSTROPHES)
def test_apostrophes_are_not_marks(text: str, expected: list[str]) -> None:
    assert inner(text) == expected


@pytest.mark.xfail(
    reason="a plural possessive inside an open single quote is taken as its closer",
    strict=False,
)
def test_plural_possessive_inside_single_quote() -> None:
    assert inner("He said ‘the Kremlins’ plan’ failed.") == ["the Kremlins’ plan"]


# --- nesting ------------------------------------------------------------------

NESTED = [
    ("“She told me ‘never again’ twice,” he said.", ["She told me ‘never again’ twice,"]),
    ('"He called it “a farce” today," she said.', ["He called it “a farce” today,"]),
    ("«On m’a dit “non” hier», dit-il.", ["On m’a dit “non” hier"]),
]


@pytest.mark.parametrize(("text", "expected"), NESTED)
def test_nested_quote_is_part_of_the_outer(text: str, expected: list[str]) -> None:
    assert inner(text) == expected


# --- interrupted quotes and the multi-paragraph convention -----------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“A is here,” he said, “B is there.”", ["A is here,", "B is there."]),
        ('"A is here," he said, "B is there."', ["A is here,", "B is there."]),
        ("‘A is here,’ he said, ‘B is there.’", ["A is here,", "B is there."]),
    ],
)
def test_interrupted_quote_gives_two_stretches(text: str, expected: list[str]) -> None:
    stretches = find_quoted_stretches(text)
    assert [text[s.start : s.end] for s in stretches] == expected
    assert all(s.closed and not s.continues for s in stretches)


MULTI = [
    (
        "“First paragraph of the speech.\n\n“Second paragraph.\n\n“Third one ends.”",
        ["First paragraph of the speech.", "Second paragraph.", "Third one ends."],
        [True, True, False],
    ),
    (
        "Intro line.\n“One.\n“Two, she said.”\nOutro.",
        ["One.", "Two, she said."],
        [True, False],
    ),
    # a mark left open at the end of a paragraph that does not hand over
    (
        "“Open and never closed.\n\nThe writer goes on here.",
        ["Open and never closed."],
        [False],
    ),
]


@pytest.mark.parametrize(("text", "expected", "continues"), MULTI)
def test_multi_paragraph_one_stretch_per_paragraph(
    text: str, expected: list[str], continues: list[bool]
) -> None:
    stretches = find_quoted_stretches(text)
    assert [text[s.start : s.end] for s in stretches] == expected
    assert [s.continues for s in stretches] == continues
    # none crosses a paragraph break
    assert all("\n" not in text[s.start : s.end] for s in stretches)


# --- stray and unbalanced marks -----------------------------------------------------

STRAY = [
    # a stray opener quotes to its paragraph end; the next paragraph is still paired
    (
        "“Stray quote with no end here.\n\nNext para has “ok” in it.",
        ["Stray quote with no end here.", "ok"],
    ),
    # a stray closer is ignored, later pairs still found
    ("She said ” oops and “fine” then.", ["fine"]),
    # an odd number of ASCII marks: the pairs come first
    ('"a" "b" "c', ["a", "b", "c"]),
    # sloppy closer: an opening-shaped mark after the period closes the quote
    (
        "“The two sides seek peace and cooperation. “, Mr. Wang insisted.",
        ["The two sides seek peace and cooperation. "],
    ),
    # a lone apostrophe-like mark does not open anything
    ("The ’ mark is alone here.", []),
]


@pytest.mark.parametrize(("text", "expected"), STRAY)
def test_stray_marks(text: str, expected: list[str]) -> None:
    assert inner(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "“",
        "”",
        "“”",
        "‘’‘’",
        '"""',
        "«",
        "„",
        "\n\n“\n\n",
        "a “b\n“c\n“",
        "“a ‘b “c” d’ e”",
        "’’’ ’n’ ‘‘",
        "",
    ],
)
def test_degenerate_input_never_raises(text: str) -> None:
    for s in find_quoted_stretches(text):
        assert 0 <= s.start <= s.end <= len(text)


def test_stray_mark_does_not_swallow_following_paragraphs() -> None:
    text = "He said “no.\n\nA new paragraph with “a real quote” follows.\n\nAnd “another”."
    got = inner(text)
    assert "a real quote" in got and "another" in got
    assert all("\n" not in g for g in got)


# --- stretches are sorted and do not overlap ---------------------------------------


def test_stretches_sorted_and_disjoint() -> None:
    text = '“A,” he said. ‘B’ and «C» and „D“ and "E".\n“F.\n“G.”'
    stretches = find_quoted_stretches(text)
    assert len(stretches) == 7
    for a, b in itertools.pairwise(stretches):
        assert a.outer_end <= b.outer_start


# --- paragraphs ------------------------------------------------------------------

PARAGRAPHS = [
    ("one", [(0, 3)]),
    ("one\ntwo", [(0, 3), (4, 7)]),
    ("one\n\n\ntwo", [(0, 3), (6, 9)]),
    ("  a b \n\n c\n   \nd", [(2, 5), (9, 10), (15, 16)]),
    ("", []),
    ("\n\n  \n", []),
]


@pytest.mark.parametrize(("text", "expected"), PARAGRAPHS)
def test_paragraphs(text: str, expected: list[tuple[int, int]]) -> None:
    got = paragraphs(text)
    assert got == expected
    # each paragraph is stripped text without a line break
    for start, end in got:
        piece = text[start:end]
        assert piece == piece.strip() and "\n" not in piece


# --- the quotation marks, defined once ------------------------------------------


def test_mark_sets_come_from_one_data_file() -> None:
    from quotes import marks

    assert marks.SINGLE_MARKS <= marks.QUOTE_MARKS
    assert marks.OPENING_SHAPED | marks.CLOSING_SHAPED <= marks.QUOTE_MARKS
    assert not marks.OPENING_SHAPED & marks.CLOSING_SHAPED
    assert frozenset("\"'") == marks.STRAIGHT_MARKS
    assert marks.DOUBLE_MARKS | marks.SINGLE_MARKS == marks.QUOTE_MARKS
    assert {"“", "”", "«", "»", "„"} <= marks.DOUBLE_MARKS
    assert {"‘", "’"} <= marks.SINGLE_MARKS
    assert marks.GUILLEMETS_OPEN <= marks.OPENING_SHAPED
    assert marks.GUILLEMETS_CLOSE <= marks.CLOSING_SHAPED


def test_no_module_defines_its_own_mark_set() -> None:
    """Code outside quotes/marks.py (docstrings aside) spells no set of marks."""
    import ast

    from quotes.marks import QUOTE_MARKS

    package = Path(__file__).resolve().parent.parent / "quotes"
    offenders = []
    for path in package.rglob("*.py"):
        if path.name == "marks.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in docstrings
                and len(set(node.value) & QUOTE_MARKS) >= 3
            ):
                offenders.append(f"{path.name}:{node.lineno}: {node.value[:30]!r}")
    assert offenders == []
