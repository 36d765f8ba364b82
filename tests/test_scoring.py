"""The scorer: normalization, matching modes, counts, errors, hand-computed tables.

Most tables use one synthetic text of ten three-letter words, so word ``i``
sits at ``[4i, 4i + 3)`` and every figure can be checked by hand.
"""

from __future__ import annotations

import pytest

from quotes.scoring import (
    Counts,
    attribution_accuracy,
    by_type_counts,
    cue_counts,
    evaluate_documents,
    match_document,
    normalize_span,
    parse_mode,
    piece_matches,
    sentence_context,
    speakers_agree,
    tokens,
)
from quotes.types import CharSpan, Document, Quote

TEXT = "aaa bbb ccc ddd eee fff ggg hhh iii jjj"


def words(i: int, j: int) -> CharSpan:
    """Words ``i`` to ``j`` (inclusive) of TEXT."""
    return CharSpan.of(TEXT, 4 * i, 4 * j + 3)


def q(
    i: int,
    j: int,
    kind: str = "direct",
    names: tuple[str, ...] = ("Ann Lee",),
    *,
    frags: tuple[tuple[int, int], ...] = (),
    speaker: CharSpan | None = None,
    cue: CharSpan | None = None,
) -> Quote:
    """A quote over words ``i``..``j`` of TEXT."""
    return Quote(
        type=kind,  # type: ignore[arg-type]
        content=words(i, j),
        speaker=speaker,
        speaker_name=names,
        cue=cue,
        fragments=tuple(words(a, b) for a, b in frags),
    )


# --- normalization ------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("“We will win,”", "We will win"),
        ('  "Yes."  ', "Yes"),
        ("‘Yes,’", "Yes"),
        ("'quoted'", "quoted"),
        ("«Non»", "Non"),
        ("„Ja“", "Ja"),
        ("Yes,’", "Yes"),  # a closing mark after punctuation goes
        ("the players’", "the players’"),  # an apostrophe after a letter stays
        ("it is over.", "it is over"),
        ("; and then:", "and then"),
        ("Really?", "Really?"),  # ? and ! are content, not edge punctuation
        ("“Go!” ", "Go!"),
        ("that we win.", "that we win"),  # a leading "that" is the annotator's business
        ("“ ”", "“ ”"),  # nothing but marks: kept, never emptied
        ("", ""),
    ],
)
def test_normalize_span(raw: str, expected: str) -> None:
    text = "xx " + raw + " yy"
    span = normalize_span(CharSpan.of(text, 3, 3 + len(raw)))
    assert span.text == expected
    # offsets shrink with the text, so overlap stays character-based
    assert text[span.start : span.end] == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("don't stop", ["don", "t", "stop"]),
        ("5.5 % rise", ["5", "5", "rise"]),
        ("Zelenskyy’s plan", ["Zelenskyy", "s", "plan"]),
        ("“ — ”", []),
        ("Kyiv-based", ["Kyiv", "based"]),
    ],
)
def test_tokens(text: str, expected: list[str]) -> None:
    assert tokens(text) == expected


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("exact", ("exact", 0.0)),
        ("partial", ("partial", 0.0)),
        ("coverage30", ("coverage", 0.3)),
        ("coverage80", ("coverage", 0.8)),
        ("coverage100", ("coverage", 1.0)),
    ],
)
def test_parse_mode(mode: str, expected: tuple[str, float]) -> None:
    assert parse_mode(mode) == expected


@pytest.mark.parametrize("mode", ["fuzzy", "coverage", "coverage0", "coverage101", "Exact"])
def test_parse_mode_rejects(mode: str) -> None:
    with pytest.raises(ValueError, match=r"mode|threshold"):
        parse_mode(mode)


# --- one gold piece against one prediction ------------------------------------


@pytest.mark.parametrize(
    ("gold", "pred", "mode", "expected"),
    [
        # exact: identical spans only
        ((0, 3), (0, 3), "exact", True),
        ((0, 3), (0, 2), "exact", False),
        # partial: shared tokens >= half the tokens of the longer span
        ((0, 3), (2, 5), "partial", True),  # 2 shared of 4 and 4
        ((0, 3), (3, 6), "partial", False),  # 1 shared of 4
        ((0, 3), (0, 1), "partial", True),  # 2 of 4 (gold is longer)
        ((0, 3), (0, 0), "partial", False),  # 1 of 4
        ((0, 3), (0, 7), "partial", True),  # 4 of 8 (pred is longer)
        ((0, 3), (0, 8), "partial", False),  # 4 of 9
        ((0, 3), (5, 8), "partial", False),  # no overlap
        # coverage: share of the gold's characters; gold words 0-9 = 39 chars
        ((0, 9), (0, 3), "coverage30", True),  # [0, 15): 15/39 = 0.38
        ((0, 9), (0, 2), "coverage30", False),  # [0, 11): 11/39 = 0.28
        ((0, 9), (0, 1), "coverage30", False),  # 7/39 = 0.18
        ((0, 9), (0, 7), "coverage80", False),  # 31/39 = 0.795
        ((0, 9), (0, 8), "coverage80", True),  # 35/39 = 0.897
        ((2, 3), (0, 9), "coverage80", True),  # a containing prediction covers all
    ],
)
def test_piece_matches_words(
    gold: tuple[int, int], pred: tuple[int, int], mode: str, expected: bool
) -> None:
    assert piece_matches(words(*gold), [words(*pred)], mode) is expected


@pytest.mark.parametrize(
    ("gold", "pred", "mode", "expected"),
    [
        # 12 of 39 characters: 0.307 >= 0.3; 11 of 39 (0.282) would not be
        ((0, 39), (0, 12), "coverage30", True),
        ((0, 39), (0, 11), "coverage30", False),
        # a token cut by the prediction's edge still counts as a token
        ((0, 15), (1, 11), "partial", True),  # "aa bbb ccc": 3 shared of 4
        # identical spans match in every mode, even empty ones
        ((5, 5), (5, 5), "coverage80", True),
        ((5, 5), (5, 5), "partial", True),
        ((5, 5), (4, 8), "coverage80", False),
    ],
)
def test_piece_matches_chars(
    gold: tuple[int, int], pred: tuple[int, int], mode: str, expected: bool
) -> None:
    g, p = CharSpan.of(TEXT, *gold), CharSpan.of(TEXT, *pred)
    assert piece_matches(g, [p], mode) is expected


def test_marks_do_not_count_against_exact() -> None:
    text = "He said: “We will win.” Then left."
    gold = Quote("direct", CharSpan.of(text, 9, 23))  # with the marks and period
    pred = Quote("direct", CharSpan.of(text, 10, 21))  # "We will win"
    assert match_document([gold], [pred], "exact").quote_counts() == Counts(1, 0, 0)


# --- matching one document ----------------------------------------------------


def _result(
    gold: list[Quote], pred: list[Quote], mode: str
) -> tuple[list[tuple[int, int]], list[int], list[int], list[int]]:
    m = match_document(gold, pred, mode)
    return (
        [(p.gold, p.pred) for p in m.pairs],
        list(m.missed),
        list(m.false_positives),
        list(m.absorbed),
    )


SPK_B = ("Bo Chen",)

MATCH_CASES = [
    # id, gold, pred, mode, pairs, missed, false positives, absorbed
    ("identical", [q(0, 3)], [q(0, 3)], "exact", [(0, 0)], [], [], []),
    (
        "duplicate prediction: one-to-one",
        [q(0, 3)],
        [q(0, 3), q(0, 3)],
        "exact",
        [(0, 0)],
        [],
        [1],
        [],
    ),
    (
        "tie in overlap: earliest gold wins",
        [q(0, 1), q(3, 4)],
        [q(0, 4)],
        "coverage30",
        [(0, 0)],
        [1],
        [],
        [],
    ),
    (
        "tie in overlap: agreeing speaker wins",
        [q(0, 1), q(3, 4, names=SPK_B)],
        [q(0, 4, names=SPK_B)],
        "coverage30",
        [(1, 0)],
        [0],
        [],
        [],
    ),
    (
        "tie in overlap: agreeing type wins",
        [q(0, 1), q(3, 4, "indirect")],
        [q(0, 4, "indirect")],
        "coverage30",
        [(1, 0)],
        [0],
        [],
        [],
    ),
    (
        "nested gold, nested predictions, exact",
        [q(0, 9), q(2, 3)],
        [q(2, 3), q(0, 9)],
        "exact",
        [(0, 1), (1, 0)],
        [],
        [],
        [],
    ),
    (
        "nested gold, nested predictions, partial",
        [q(0, 9), q(2, 3)],
        [q(0, 9), q(2, 3)],
        "partial",
        [(0, 0), (1, 1)],
        [],
        [],
        [],
    ),
    (
        "nested gold, nested predictions, coverage30",
        [q(0, 9), q(2, 3)],
        [q(0, 9), q(2, 3)],
        "coverage30",
        [(0, 0), (1, 1)],
        [],
        [],
        [],
    ),
    (
        "nested gold, one outer prediction: largest overlap first",
        [q(0, 9), q(2, 3)],
        [q(0, 9)],
        "coverage30",
        [(0, 0)],
        [1],
        [],
        [],
    ),
    (
        "one prediction over two gold quotes, partial: neither",
        [q(0, 3), q(5, 8)],
        [q(2, 6)],
        "partial",
        [],
        [0, 1],
        [0],
        [],
    ),
    (
        "one prediction over two gold quotes, coverage30: equal overlap, first",
        [q(0, 3), q(5, 8)],
        [q(2, 6)],
        "coverage30",
        [(0, 0)],
        [1],
        [],
        [],
    ),
    (
        "one prediction over two gold quotes, coverage30: larger overlap",
        [q(0, 3), q(5, 8)],
        [q(2, 7)],
        "coverage30",
        [(1, 0)],
        [0],
        [],
        [],
    ),
    ("empty document", [], [], "partial", [], [], [], []),
    ("no predictions", [q(0, 3), q(5, 8)], [], "partial", [], [0, 1], [], []),
    ("no gold", [], [q(0, 3)], "partial", [], [], [0], []),
    # a gold quote interrupted by its attribution: fragments words 0-2 and 5-8
    (
        "fragments: one prediction per piece",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 2), q(5, 8)],
        "exact",
        [(0, 1)],
        [],
        [],
        [0],
    ),
    (
        "fragments: one piece found is enough (exact)",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 2)],
        "exact",
        [(0, 0)],
        [],
        [],
        [],
    ),
    (
        "fragments: the whole stretch is not any fragment (exact)",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 8)],
        "exact",
        [],
        [0],
        [0],
        [],
    ),
    (
        "fragments: coverage80 needs 80 % of all fragment characters",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 2)],
        "coverage80",
        [],
        [0],
        [0],
        [],
    ),
    (
        "fragments: coverage30 with one piece (11 of 26 chars)",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 2)],
        "coverage30",
        [(0, 0)],
        [],
        [],
        [],
    ),
    (
        "fragments: both pieces together reach coverage80",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 2), q(5, 8)],
        "coverage80",
        [(0, 1)],
        [],
        [],
        [0],
    ),
    (
        "fragments: a whole-stretch prediction covers both pieces",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 8)],
        "coverage80",
        [(0, 0)],
        [],
        [],
        [],
    ),
    (
        "fragmented prediction against fragmented gold",
        [q(0, 8, frags=((0, 2), (5, 8)))],
        [q(0, 8, frags=((0, 2), (5, 8)))],
        "exact",
        [(0, 0)],
        [],
        [],
        [],
    ),
]


@pytest.mark.parametrize(
    ("gold", "pred", "mode", "pairs", "missed", "fps", "absorbed"),
    [c[1:] for c in MATCH_CASES],
    ids=[c[0] for c in MATCH_CASES],
)
def test_match_document(
    gold: list[Quote],
    pred: list[Quote],
    mode: str,
    pairs: list[tuple[int, int]],
    missed: list[int],
    fps: list[int],
    absorbed: list[int],
) -> None:
    assert _result(gold, pred, mode) == (pairs, missed, fps, absorbed)


def test_absorbed_prediction_is_neither_tp_nor_fp() -> None:
    gold = [q(0, 8, frags=((0, 2), (5, 8)))]
    counts = match_document(gold, [q(0, 2), q(5, 8), q(9, 9)], "exact").quote_counts()
    assert counts == Counts(tp=1, fp=1, fn=0)


# --- counts -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("counts", "p", "r", "f1"),
    [
        (Counts(3, 1, 2), 0.75, 0.6, 2 * 0.75 * 0.6 / 1.35),
        (Counts(0, 0, 0), 1.0, 1.0, 1.0),  # nothing to find, nothing predicted
        (Counts(0, 0, 4), 0.0, 0.0, 0.0),  # nothing predicted, all missed
        (Counts(0, 2, 0), 0.0, 0.0, 0.0),  # nothing to find, all wrong
        (Counts(0, 1, 1), 0.0, 0.0, 0.0),
        (Counts(5, 0, 0), 1.0, 1.0, 1.0),
    ],
)
def test_counts_ratios(counts: Counts, p: float, r: float, f1: float) -> None:
    assert (counts.p, counts.r) == pytest.approx((p, r))
    assert counts.f1 == pytest.approx(f1)
    assert set(counts.to_dict()) == {"p", "r", "f1", "tp", "fp", "fn"}


def test_counts_add() -> None:
    assert Counts(1, 2, 3) + Counts(10, 20, 30) == Counts(11, 22, 33)


ANN, BO = ("Ann Lee",), ("Bo Chen",)


@pytest.mark.parametrize(
    ("gold", "pred", "quotes", "e2e", "accuracy"),
    [
        # right speaker: tp everywhere
        ([q(0, 3, names=ANN)], [q(0, 3, names=("Lee",))], Counts(1, 0, 0), Counts(1, 0, 0), (1, 1)),
        # wrong speaker: a found quote, but an fp and an fn end to end
        ([q(0, 3, names=ANN)], [q(0, 3, names=BO)], Counts(1, 0, 0), Counts(0, 1, 1), (0, 1)),
        # no predicted speaker at all
        ([q(0, 3, names=ANN)], [q(0, 3, names=())], Counts(1, 0, 0), Counts(0, 1, 1), (0, 1)),
        # gold without a source: only a prediction without one agrees; not in accuracy
        ([q(0, 3, names=())], [q(0, 3, names=())], Counts(1, 0, 0), Counts(1, 0, 0), (0, 0)),
        ([q(0, 3, names=())], [q(0, 3, names=BO)], Counts(1, 0, 0), Counts(0, 1, 1), (0, 0)),
        # a miss and a false positive count on both lines
        (
            [q(0, 3), q(5, 6, names=BO)],
            [q(0, 3), q(8, 9)],
            Counts(1, 1, 1),
            Counts(1, 1, 1),
            (1, 1),
        ),
    ],
)
def test_quote_end_to_end_and_attribution(
    gold: list[Quote], pred: list[Quote], quotes: Counts, e2e: Counts, accuracy: tuple[int, int]
) -> None:
    m = match_document(gold, pred, "partial")
    assert m.quote_counts() == quotes
    assert m.end_to_end_counts() == e2e
    acc = attribution_accuracy(m, gold)
    assert (acc.correct, acc.total) == accuracy


SPAN_TRUMP = CharSpan.of(TEXT, 0, 3)


@pytest.mark.parametrize(
    ("gold_names", "gold_speaker", "pred_names", "pred_speaker", "expected"),
    [
        (("Dmitry Peskov",), None, ("Peskov",), None, True),  # surname
        (("Dmitry Peskov",), None, ("Dmitri Peskov",), None, True),  # transliteration
        (("Volodymyr Zelenskyy",), None, ("Zelensky",), None, True),
        (("José Álvarez",), None, ("jose alvarez",), None, True),  # case, diacritics
        (("Dmitry Peskov",), None, ("John Kirby",), None, False),
        (("Dmitry Peskov",), None, (), None, False),
        (("Xi Jinping", "Vladimir Putin"), None, ("Putin",), None, False),  # one of two sources
        (("Xi Jinping", "Vladimir Putin"), None, ("Putin", "Xi"), None, True),  # both, any order
        ((), None, (), None, True),  # no source on either side
        ((), None, ("Ann Lee",), None, False),
        # PolNeAR: a speaker span but no canonical name
        ((), SPAN_TRUMP, ("Donald Trump",), None, False),  # "aaa" is not Trump
        ((), SPAN_TRUMP, (), CharSpan.of(TEXT, 0, 7), True),  # overlapping mention
        ((), SPAN_TRUMP, ("Aaa",), CharSpan.of(TEXT, 8, 11), True),  # the name agrees
        ((), SPAN_TRUMP, ("Bo Chen",), CharSpan.of(TEXT, 8, 11), False),
    ],
)
def test_speakers_agree(
    gold_names: tuple[str, ...],
    gold_speaker: CharSpan | None,
    pred_names: tuple[str, ...],
    pred_speaker: CharSpan | None,
    expected: bool,
) -> None:
    gold = Quote("direct", words(5, 6), gold_speaker, gold_names)
    pred = Quote("direct", words(5, 6), pred_speaker, pred_names)
    assert speakers_agree(gold, pred) is expected


def test_end_to_end_uses_name_agreement() -> None:
    gold = [q(0, 3, names=("Dmitry Peskov",)), q(5, 6, names=("Volodymyr Zelenskyy",))]
    pred = [q(0, 3, names=("Dmitri Peskov",)), q(5, 6, names=("Kuleba",))]
    assert match_document(gold, pred, "exact").end_to_end_counts() == Counts(1, 1, 1)


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        (
            [q(0, 3), q(5, 6)],
            [q(0, 3), q(5, 6)],
            {"direct": Counts(2, 0, 0), "indirect": Counts(), "mixed": Counts()},
        ),
        # a found quote of the wrong type: a miss of its gold type, an fp of its pred type
        (
            [q(0, 3, "mixed")],
            [q(0, 3, "indirect")],
            {"direct": Counts(), "indirect": Counts(0, 1, 0), "mixed": Counts(0, 0, 1)},
        ),
        (
            [q(0, 3, "indirect")],
            [q(0, 3, "indirect"), q(6, 9, "direct")],
            {"direct": Counts(0, 1, 0), "indirect": Counts(1, 0, 0), "mixed": Counts()},
        ),
        (
            [q(0, 3, "indirect"), q(6, 9, "mixed")],
            [],
            {"direct": Counts(), "indirect": Counts(0, 0, 1), "mixed": Counts(0, 0, 1)},
        ),
    ],
)
def test_by_type_counts(gold: list[Quote], pred: list[Quote], expected: dict[str, Counts]) -> None:
    assert by_type_counts(match_document(gold, pred, "partial"), gold, pred) == expected


CUE_SAID = CharSpan.of(TEXT, 16, 19)  # "eee"


@pytest.mark.parametrize(
    ("gold", "pred", "expected"),
    [
        ([q(0, 3, cue=CUE_SAID)], [q(0, 3, cue=CUE_SAID)], Counts(1, 0, 0)),
        # an interrupted quote's two pieces share one cue: counted once
        ([q(0, 2, cue=CUE_SAID), q(6, 8, cue=CUE_SAID)], [q(0, 2, cue=CUE_SAID)], Counts(1, 0, 0)),
        # white space around the cue is normalized away
        ([q(0, 3, cue=CUE_SAID)], [q(0, 3, cue=CharSpan.of(TEXT, 15, 20))], Counts(1, 0, 0)),
        ([q(0, 3, cue=CUE_SAID)], [q(0, 3, cue=CharSpan.of(TEXT, 16, 18))], Counts(0, 1, 1)),
        # cues are scored by span, whatever the quote matching says
        ([q(0, 3, cue=CUE_SAID)], [q(7, 9, cue=CUE_SAID)], Counts(1, 0, 0)),
        ([q(0, 3, cue=None)], [q(0, 3, cue=CUE_SAID)], Counts(0, 1, 0)),
        ([], [], Counts(0, 0, 0)),
    ],
)
def test_cue_counts(gold: list[Quote], pred: list[Quote], expected: Counts) -> None:
    assert cue_counts(gold, pred) == expected


# --- documents, errors, aggregation ---------------------------------------------


def doc(doc_id: str, *quotes: Quote, text: str = TEXT) -> Document:
    return Document(doc_id, text, tuple(quotes))


def test_missing_documents_count_as_misses_and_false_positives() -> None:
    gold = [doc("a", q(0, 3), q(5, 6)), doc("both", q(0, 3))]
    pred = [doc("both", q(0, 3)), doc("b", q(8, 9))]
    result = evaluate_documents(gold, pred)
    assert result.missing("pred") == ["a"]
    assert result.missing("gold") == ["b"]
    assert [d.id for d in result.documents] == ["a", "both", "b"]
    assert result.document_counts() == {
        "gold": 2,
        "pred": 2,
        "both": 1,
        "gold_only": 1,
        "pred_only": 1,
    }
    for mode in result.modes:
        assert result.quotes(mode) == Counts(1, 1, 2)


def test_duplicate_ids_and_text_mismatches_are_reported() -> None:
    gold = [doc("a", q(0, 3)), doc("a", q(5, 6))]
    pred = [doc("a", q(0, 3), text=TEXT.upper())]
    result = evaluate_documents(gold, pred)
    assert result.duplicate_ids == ("a",)
    assert result.text_mismatches == ("a",)
    assert result.quotes("exact") == Counts(1, 0, 0)  # the first "a" is kept


def test_unknown_mode_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown mode"):
        evaluate_documents([], [], modes=("exact", "loose"))


def test_errors_list_every_kind_with_context() -> None:
    text = (
        "The minister spoke. “We will win,” Ann Lee said. Bo Chen said prices rise. "
        "Nobody said anything else. Cy Dunn said it was over."
    )

    def quote(sub: str, kind: str, names: tuple[str, ...]) -> Quote:
        start = text.index(sub)
        return Quote(
            kind,
            CharSpan.of(text, start, start + len(sub)),  # type: ignore[arg-type]
            speaker_name=names,
        )

    gold = [
        quote("We will win", "direct", ("Ann Lee",)),
        quote("prices rise", "indirect", ("Bo Chen",)),
        quote("it was over", "indirect", ("Cy Dunn",)),
    ]
    pred = [
        quote("We will win,", "direct", ("Bo Chen",)),  # right span, wrong speaker
        quote("prices", "mixed", ("Bo Chen",)),  # boundary and type
        quote("Nobody said anything else", "indirect", ()),
    ]  # false positive
    result = evaluate_documents(
        [Document("d", text, tuple(gold))], [Document("d", text, tuple(pred))], focus="partial"
    )
    found = [(e.kind, e.start, e.end, e.context.text) for e in result.errors()]
    assert found == [
        ("wrong_speaker", 21, 33, "“We will win,” Ann Lee said."),
        ("boundary", 62, 73, "Bo Chen said prices rise."),
        ("wrong_type", 62, 73, "Bo Chen said prices rise."),
        ("false_positive", 75, 100, "Nobody said anything else."),
        ("miss", 115, 126, "Cy Dunn said it was over."),
    ]
    rows = {r.name: (r.gold, r.found, r.found_right_speaker, r.missed) for r in result.speakers()}
    assert rows == {"Ann Lee": (1, 1, 0, 0), "Bo Chen": (1, 1, 1, 0), "Cy Dunn": (1, 0, 0, 1)}
    # in exact mode "prices" no longer matches: a miss and a false positive instead
    kinds = sorted(e.kind for e in result.errors("exact"))
    assert kinds == ["false_positive", "false_positive", "miss", "miss", "wrong_speaker"]


@pytest.mark.parametrize(
    ("text", "sub", "expected"),
    [
        ("First one. He said “yes, sure.” Third one here.", "yes, sure", "He said “yes, sure.”"),
        ("Para one.\nShe said no. Then more.", "no", "She said no."),
        ("no boundary at all here", "boundary", "no boundary at all here"),
        ("Start. Multi. Sentence quote. End.", "Multi. Sentence quote", "Multi. Sentence quote."),
    ],
)
def test_sentence_context(text: str, sub: str, expected: str) -> None:
    start = text.index(sub)
    assert sentence_context(text, start, start + len(sub)).text == expected


def test_sentence_context_is_bounded() -> None:
    text = "word " * 1000
    span = sentence_context(text, 2500, 2504, limit=50)
    assert 2450 <= span.start <= 2500 and 2504 <= span.end <= 2554


def test_self_evaluation_is_perfect_everywhere() -> None:
    gold = [
        doc(
            "x",
            q(0, 3, "direct", cue=CUE_SAID),
            q(0, 3, "indirect", names=BO),
            q(5, 9, "mixed", frags=((5, 6), (8, 9))),
        )
    ]
    result = evaluate_documents(gold, gold)
    for mode in result.modes:
        assert result.quotes(mode) == Counts(3, 0, 0)
        assert result.end_to_end(mode) == Counts(3, 0, 0)
    assert result.errors() == []
