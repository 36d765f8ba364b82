"""Pure tests of the labeling config and the Quote <-> result converters (no server)."""

from __future__ import annotations

import copy
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from quotes.labelstudio import config as C
from quotes.labelstudio.convert import (
    AnnotationError,
    as_gold,
    pick_annotation,
    prediction_score,
    quotes_to_result,
    read_result,
    result_to_quotes,
    task_for,
    tasks_to_documents,
    text_hash,
)
from quotes.types import CharSpan, Document, Quote

TEXT = (
    '"The message," Mr Kuleba said, "was clear." '
    "Peskov told reporters the talks would go on. "
    "Analysts warned that the plan was “a capitulation”."
)


def span(part: str, nth: int = 0) -> CharSpan:
    """The ``nth`` occurrence of ``part`` in TEXT."""
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(part, start + 1)
    return CharSpan.of(TEXT, start, start + len(part))


KULEBA = span("Mr Kuleba")
SAID = span("said")
Q_MSG = Quote("direct", span("The message,"), KULEBA, ("Dmytro Kuleba",), SAID)
Q_CLEAR = Quote("direct", span("was clear."), KULEBA, ("Dmytro Kuleba",), SAID)
Q_PESKOV = Quote(
    "indirect", span("the talks would go on"), span("Peskov"), ("Dmitry Peskov",), span("told")
)
Q_MIXED = Quote(
    "mixed", span("the plan was “a capitulation”"), span("Analysts"), ("analysts",), span("warned")
)
Q_NAME_ONLY = Quote("indirect", span("the talks would go on"), None, ("A", "B"), None)
Q_BARE = Quote("direct", span("was clear."))

ROUND_TRIPS = {
    "empty": [],
    "one direct quote": [Q_MSG],
    "interrupted quote shares speaker and cue": [Q_MSG, Q_CLEAR],
    "all three types": [Q_MSG, Q_CLEAR, Q_PESKOV, Q_MIXED],
    "name without speaker span, two names": [Q_NAME_ONLY],
    "no speaker, no cue, no name": [Q_BARE],
}


def by_id(result: list[dict[str, Any]], rid: str, kind: str = "labels") -> dict[str, Any]:
    return next(r for r in result if r.get("id") == rid and r["type"] == kind)


# --- config ----------------------------------------------------------------


def test_config_file_declares_the_constants() -> None:
    xml = C.load_config()
    summary = C.summarize_config(xml)
    assert summary.labels[C.QUOTE_TAG] == tuple(C.QUOTE_LABELS.values())
    assert summary.labels[C.ATTRIBUTION_TAG] == C.ATTRIBUTION_LABELS
    assert summary.relations == C.RELATIONS
    assert summary.text_areas == {C.NAME_TAG: True}
    assert summary.text_tags == {C.TEXT_TAG: f"${C.TEXT_KEY}"}
    assert C.config_problems(xml) == []


def test_config_labels_have_distinct_colours_and_hotkeys() -> None:
    root = ET.fromstring(C.load_config())
    labels = list(root.iter("Label"))
    assert len(labels) == 5
    assert len({label.get("background") for label in labels}) == 5
    assert len({label.get("hotkey") for label in labels}) == 5
    area = next(root.iter("TextArea"))
    # the name box shows on quote regions only (Label Studio splits the value at commas)
    assert area.get("whenTagName") == C.QUOTE_TAG
    assert area.get("whenLabelValue", "").split(",") == list(C.QUOTE_LABELS.values())


@pytest.mark.parametrize(
    ("edit", "problem"),
    [
        (lambda x: x.replace('value="MixedQuote"', 'value="Mixed"'), "lacks MixedQuote"),
        (lambda x: x.replace('<Relation value="cue_of"/>', ""), "lacks cue_of"),
        (lambda x: x.replace('perRegion="true"', ""), "per-region"),
        (lambda x: x.replace('name="attribution"', 'name="x"'), 'no <Labels name="attribution">'),
        (lambda x: x.replace('value="$text"', 'value="$body"'), "<Text"),
        (lambda x: x + "<", "not valid XML"),
    ],
)
def test_config_problems_negative(edit: Any, problem: str) -> None:
    problems = C.config_problems(edit(C.load_config()))
    assert any(problem in p for p in problems), problems


def test_config_with_extra_labels_is_compatible() -> None:
    xml = C.load_config().replace(
        '<Label value="Cue"', '<Label value="Source" background="#000"/><Label value="Cue"'
    )
    assert C.config_problems(xml) == []


# --- Quote list -> result ----------------------------------------------------


@pytest.mark.parametrize("quotes", ROUND_TRIPS.values(), ids=ROUND_TRIPS.keys())
def test_round_trip_is_lossless(quotes: list[Quote]) -> None:
    result = quotes_to_result(quotes)
    gold = [q for q in quotes]  # confidences are 1.0 in these cases
    assert result_to_quotes(result, TEXT) == sorted(gold, key=lambda q: (q.start, q.end, q.type))


def test_result_shape_ids_relations_names_and_scores() -> None:
    quote = Quote("direct", Q_MSG.content, KULEBA, ("Dmytro Kuleba",), SAID, confidence=0.73)
    result = quotes_to_result([quote, Q_CLEAR])
    region = by_id(result, "q1")
    assert region["value"] == {
        "start": quote.start,
        "end": quote.end,
        "text": quote.text,
        "labels": ["DirectQuote"],
    }
    assert region["score"] == 0.73
    assert by_id(result, "q1", "textarea")["value"]["text"] == ["Dmytro Kuleba"]
    assert by_id(result, "q1-speaker")["value"]["labels"] == ["Speaker"]
    assert by_id(result, "q1-cue")["value"]["labels"] == ["Cue"]
    # the second piece has no regions of its own: it relates to q1's speaker and cue
    assert not any(r.get("id") in ("q2-speaker", "q2-cue") for r in result)
    relations = {
        (r["from_id"], r["to_id"], r["labels"][0]) for r in result if r["type"] == "relation"
    }
    assert relations == {
        ("q1", "q1-speaker", "said_by"),
        ("q1-cue", "q1", "cue_of"),
        ("q2", "q1-speaker", "said_by"),
        ("q1-cue", "q2", "cue_of"),
    }


AS_GOLD = {
    "confidence becomes 1.0": (
        Quote("indirect", Q_PESKOV.content, confidence=0.4),
        Quote("indirect", Q_PESKOV.content),
    ),
    "empty speaker span: the name stays": (
        Quote("indirect", Q_PESKOV.content, CharSpan.of(TEXT, 3, 3), ("Peskov",)),
        Quote("indirect", Q_PESKOV.content, None, ("Peskov",)),
    ),
    "fragments are dropped": (
        Quote("direct", Q_MSG.content, fragments=(Q_MSG.content, Q_CLEAR.content)),
        Quote("direct", Q_MSG.content),
    ),
}


@pytest.mark.parametrize(("quote", "gold"), AS_GOLD.values(), ids=AS_GOLD.keys())
def test_round_trip_gives_as_gold(quote: Quote, gold: Quote) -> None:
    assert as_gold(quote) == gold
    assert result_to_quotes(quotes_to_result([quote]), TEXT) == [gold]


@pytest.mark.parametrize(
    ("confidences", "score"),
    [
        ((), 0.0),
        ((1.0,), 1.0),
        ((0.9,), round(1 / 1.1, 4)),
        # three fairly sure quotes weigh as much as one doubtful quote
        ((0.9, 0.9, 0.9), round(1 / 1.3, 4)),
        ((0.7,), round(1 / 1.3, 4)),
        ((0.9, 0.55, 0.7), round(1 / 1.85, 4)),
    ],
)
def test_prediction_score_counts_the_expected_errors(
    confidences: tuple[float, ...], score: float
) -> None:
    quotes = [Quote("direct", Q_MSG.content, confidence=c) for c in confidences]
    assert prediction_score(quotes) == score


def test_more_expected_errors_sort_first() -> None:
    """Sorting by score, lowest first, brings the article with more doubtful quotes first."""
    many = [Quote("direct", Q_MSG.content, confidence=c) for c in (0.6, 0.6, 0.6)]
    one = [Quote("direct", Q_MSG.content, confidence=0.5)]
    assert prediction_score(many) < prediction_score(one)


def test_task_for_carries_id_hash_and_prediction() -> None:
    doc = Document("doc-7", TEXT, (Q_MSG,))
    task = task_for(doc, "v9")
    assert task["data"] == {"text": TEXT, "doc_id": "doc-7", "text_hash": text_hash(TEXT)}
    assert task["predictions"][0]["model_version"] == "v9"
    assert task["predictions"][0]["score"] == 1.0
    assert text_hash(TEXT) != text_hash(TEXT + " ")


# --- validator negatives -------------------------------------------------------


def base() -> list[dict[str, Any]]:
    return quotes_to_result([Q_MSG, Q_CLEAR, Q_PESKOV])


def edit_region(rid: str, **value: Any):
    def apply(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
        by_id(result, rid)["value"].update(value)
        return result

    return apply


def add(item: dict[str, Any]):
    return lambda result: [*result, item]


def drop(match):
    return lambda result: [r for r in result if not match(r)]


def rel(frm: str, to: str, label: str = "said_by") -> dict[str, Any]:
    return {"type": "relation", "from_id": frm, "to_id": to, "labels": [label]}


def region(rid: str, start: int, end: int, label: str, control: str = "attribution"):
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": TEXT[start:end], "labels": [label]},
    }


NEGATIVES = {
    "offsets past the end": (edit_region("q1", end=len(TEXT) + 5), "outside the text"),
    "offsets do not match the text": (edit_region("q1", start=2), "hold"),
    "empty region": (
        edit_region("q1", end=by_id(base(), "q1")["value"]["start"]),
        "outside the text",
    ),
    "unknown quote label": (edit_region("q3", labels=["Rumour"]), "unknown label 'Rumour'"),
    "speaker label in the quote control": (
        edit_region("q3", labels=["Speaker"]),
        "unknown label 'Speaker'",
    ),
    "two labels on a region": (
        edit_region("q3", labels=["DirectQuote", "MixedQuote"]),
        "exactly one label",
    ),
    "unknown control": (
        add(
            {
                "id": "x",
                "from_name": "sentiment",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["Positive"]},
            }
        ),
        "unknown 'choices'",
    ),
    "relation to a missing region": (add(rel("q3", "q9-speaker")), "no region q9-speaker"),
    "relation with no label": (
        add({"type": "relation", "from_id": "q3", "to_id": "q1-speaker", "labels": []}),
        "needs one label",
    ),
    "quote with two speakers": (add(rel("q3", "q1-speaker")), "two speakers"),
    "quote with two cues": (add(rel("q1-cue", "q3", "cue_of")), "two cues"),
    "said_by to a cue": (add(rel("q3", "q1-cue")), "must join a quote and a Speaker"),
    "said_by between two quotes": (add(rel("q1", "q2")), "must join a quote and a Speaker"),
    "speaker of no quote": (add(region("s9", 0, 4, "Speaker")), "belongs to no quote"),
    "cue of no quote": (
        drop(lambda r: r.get("type") == "relation" and "q3" in (r.get("from_id"), r.get("to_id"))),
        "belongs to no quote",
    ),
    "name on a speaker region": (
        add(
            {
                "id": "q1-speaker",
                "from_name": "speaker_name",
                "to_name": "text",
                "type": "textarea",
                "value": {"text": ["X"]},
            }
        ),
        "put it on the quote region",
    ),
    "name on a missing region": (
        add(
            {
                "id": "zz",
                "from_name": "speaker_name",
                "to_name": "text",
                "type": "textarea",
                "value": {"text": ["X"]},
            }
        ),
        "no such region",
    ),
    "name that is not text": (
        add(
            {
                "id": "q1",
                "from_name": "speaker_name",
                "to_name": "text",
                "type": "textarea",
                "value": {"text": [3]},
            }
        ),
        "not text",
    ),
    "item that is not an object": (add("q1"), "not an object"),  # type: ignore[arg-type]
}


@pytest.mark.parametrize(("edit", "reason"), NEGATIVES.values(), ids=NEGATIVES.keys())
def test_validator_rejects(edit: Any, reason: str) -> None:
    with pytest.raises(AnnotationError) as caught:
        result_to_quotes(edit(copy.deepcopy(base())), TEXT)
    assert any(reason in r for r in caught.value.reasons), caught.value.reasons


# --- what an annotator can submit ------------------------------------------------


def test_relations_drawn_backwards_and_names_one_a_line_are_accepted() -> None:
    result = [
        region("a", Q_PESKOV.start, Q_PESKOV.end, "IndirectQuote", "quote"),
        region("b", span("Peskov").start, span("Peskov").end, "Speaker"),
        region("c", span("told").start, span("told").end, "Cue"),
        rel("b", "a", "said_by"),  # speaker -> quote
        rel("a", "c", "cue_of"),  # quote -> cue
        {
            "id": "a",
            "from_name": "speaker_name",
            "to_name": "text",
            "type": "textarea",
            "value": {"start": 0, "end": 1, "text": ["Dmitry Peskov\n\n  Second Name "]},
        },
    ]
    [quote] = result_to_quotes(result, TEXT)
    assert quote == Quote(
        "indirect", Q_PESKOV.content, span("Peskov"), ("Dmitry Peskov", "Second Name"), span("told")
    )


def test_region_without_text_field_is_read_from_offsets() -> None:
    item = region("a", Q_BARE.start, Q_BARE.end, "DirectQuote", "quote")
    del item["value"]["text"]
    assert result_to_quotes([item], TEXT) == [Q_BARE]


# --- picking annotations and converting tasks ---------------------------------------


def ann(aid: int, updated: str, user: int = 1, cancelled: bool = False, result=None):
    return {
        "id": aid,
        "updated_at": updated,
        "completed_by": user,
        "was_cancelled": cancelled,
        "result": quotes_to_result([Q_MSG]) if result is None else result,
    }


@pytest.mark.parametrize(
    ("annotations", "annotator", "expected"),
    [
        ([], None, None),
        ([ann(1, "2026-01-01")], None, 1),
        ([ann(1, "2026-01-02"), ann(2, "2026-01-01")], None, 1),
        ([ann(1, "2026-01-01"), ann(2, "2026-01-02", cancelled=True)], None, 1),
        ([ann(1, "2026-01-01", cancelled=True)], None, None),
        ([ann(1, "2026-01-03", user=1), ann(2, "2026-01-01", user=2)], "2", 2),
        ([ann(1, "2026-01-03", user=1)], "2", None),
        ([{**ann(1, "2026-01-01"), "completed_by": {"id": 5, "email": "a@b.c"}}], "a@b.c", 1),
    ],
)
def test_pick_annotation(annotations, annotator, expected) -> None:
    picked = pick_annotation(annotations, annotator)
    assert (None if picked is None else picked["id"]) == expected


def test_tasks_to_documents_skips_malformed_and_keeps_the_rest() -> None:
    broken = quotes_to_result([Q_MSG])
    broken[0]["value"]["start"] += 1
    tasks = [
        {"id": 1, "data": {"text": TEXT, "doc_id": "good"}, "annotations": [ann(1, "1")]},
        {
            "id": 2,
            "data": {"text": TEXT, "doc_id": "bad"},
            "annotations": [ann(2, "1", result=broken)],
        },
        {"id": 3, "data": {"text": TEXT, "doc_id": "none"}, "annotations": []},
        {"id": 4, "data": {"text": TEXT}, "annotations": [ann(3, "1")]},
        {"id": 5, "data": {"text": TEXT, "doc_id": "good"}, "annotations": [ann(4, "1")]},
    ]
    pulled = tasks_to_documents(tasks)
    assert (pulled.tasks, pulled.annotated) == (5, 4)
    assert [d.id for d in pulled.documents] == ["good"]
    assert pulled.documents[0].quotes == (Q_MSG,)
    reasons = {s.task_id: s.reason for s in pulled.skipped}
    assert set(reasons) == {2, 4, 5}
    assert "region q1" in reasons[2]
    assert "doc_id" in reasons[4]
    assert "also task 1" in reasons[5]


# --- client checks that need no server ----------------------------------------------


def test_push_refuses_a_model_version_with_a_comma() -> None:
    from quotes.labelstudio.client import LabelStudioError, push

    with pytest.raises(LabelStudioError, match="comma"):
        push([], "p", url="http://127.0.0.1:9", api_key="k", model_version="a,b", documents=[])


@pytest.mark.parametrize(
    ("url", "key", "env", "expected"),
    [
        (None, "k", {"LABEL_STUDIO_URL": "http://h:1/"}, ("http://h:1", "k")),
        ("http://x:2", None, {"LABEL_STUDIO_API_KEY": "e"}, ("http://x:2", "e")),
        (None, None, {"LABEL_STUDIO_API_KEY": "e"}, ("http://localhost:8080", "e")),
        (None, None, {}, "no API key"),
    ],
)
def test_resolve_url_and_key(url, key, env, expected, monkeypatch: pytest.MonkeyPatch) -> None:
    from quotes.labelstudio.client import LabelStudioError, resolve

    for name in ("LABEL_STUDIO_URL", "LABEL_STUDIO_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    if isinstance(expected, str):
        with pytest.raises(LabelStudioError, match=expected):
            resolve(url, key)
    else:
        assert resolve(url, key) == expected


def test_packaged_config_is_the_checkout_config() -> None:
    """An installed package ships a copy of labelstudio_config/quotes.xml; they must agree."""
    from importlib import resources

    packaged = resources.files("quotes").joinpath("data", "labelstudio_quotes.xml")
    assert packaged.read_text(encoding="utf-8") == C.CONFIG_FILE.read_text(encoding="utf-8")


# --- pull takes annotations as the UI leaves them ------------------------------------


def delete_quote(rid: str):
    """What the UI does when an annotator deletes a quote region: the region, its
    relations and its per-region name go; its Speaker and Cue regions stay."""

    def apply(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            r
            for r in result
            if r.get("id") != rid and rid not in (r.get("from_id"), r.get("to_id"))
        ]

    return apply


def unlabel(frm: str, to: str):
    def apply(result: list[dict[str, Any]]) -> list[dict[str, Any]]:
        for r in result:
            if r.get("type") == "relation" and (r["from_id"], r["to_id"]) == (frm, to):
                r["labels"] = []
        return result

    return apply


Q_PESKOV_UNKNOWN = Quote("indirect", Q_PESKOV.content, None, ("Dmitry Peskov",), span("told"))

LENIENT = {
    "quote deleted in the UI: its speaker and cue stay, dropped": (
        delete_quote("q3"),
        [Q_MSG, Q_CLEAR],
        ["region q3-speaker (Speaker) 'Peskov'", "region q3-cue (Cue) 'told'"],
    ),
    "a speaker drawn and never related: dropped": (
        add(region("s9", span("Analysts").start, span("Analysts").end, "Speaker")),
        [Q_MSG, Q_CLEAR, Q_PESKOV],
        ["region s9 (Speaker) 'Analysts'"],
    ),
    "said_by deleted: unknown speaker, the name stays": (
        drop(lambda r: r.get("type") == "relation" and r.get("to_id") == "q3-speaker"),
        [Q_MSG, Q_CLEAR, Q_PESKOV_UNKNOWN],
        ["region q3-speaker (Speaker) 'Peskov'"],
    ),
    "relation left without a label, quote to Speaker: said_by": (
        unlabel("q3", "q3-speaker"),
        [Q_MSG, Q_CLEAR, Q_PESKOV],
        [],
    ),
    "relation left without a label, Cue to quote: cue_of": (
        unlabel("q3-cue", "q3"),
        [Q_MSG, Q_CLEAR, Q_PESKOV],
        [],
    ),
    "relation without a label between two quotes: dropped": (
        add({"type": "relation", "from_id": "q1", "to_id": "q3", "labels": []}),
        [Q_MSG, Q_CLEAR, Q_PESKOV],
        ["relation q1 -> q3"],
    ),
}


@pytest.mark.parametrize(("edit", "quotes", "dropped"), LENIENT.values(), ids=LENIENT.keys())
def test_lenient_reading_drops_what_carries_nothing(
    edit: Any, quotes: list[Quote], dropped: list[str]
) -> None:
    read = read_result(edit(copy.deepcopy(base())), TEXT)
    assert list(read.quotes) == quotes
    assert [str(d).split(":")[0] for d in read.dropped] == [d.split(":")[0] for d in dropped]
    assert all(str(d).startswith(want) for d, want in zip(read.dropped, dropped, strict=True))


@pytest.mark.parametrize(("edit", "quotes", "dropped"), LENIENT.values(), ids=LENIENT.keys())
def test_strict_reading_rejects_what_lenient_drops(
    edit: Any, quotes: list[Quote], dropped: list[str]
) -> None:
    if not dropped:  # an unlabeled relation is still an error in strict mode
        with pytest.raises(AnnotationError, match="needs one label"):
            read_result(edit(copy.deepcopy(base())), TEXT, strict=True)
        return
    with pytest.raises(AnnotationError):
        read_result(edit(copy.deepcopy(base())), TEXT, strict=True)


LENIENT_FAILURES = {
    name: NEGATIVES[name]
    for name in (
        "offsets past the end",
        "offsets do not match the text",
        "unknown quote label",
        "unknown control",
        "relation to a missing region",
        "quote with two speakers",
        "said_by to a cue",
        "two labels on a region",
        "name on a missing region",
    )
}


@pytest.mark.parametrize(("edit", "reason"), LENIENT_FAILURES.values(), ids=LENIENT_FAILURES.keys())
def test_lenient_reading_still_rejects_what_cannot_be_read(edit: Any, reason: str) -> None:
    with pytest.raises(AnnotationError) as caught:
        read_result(edit(copy.deepcopy(base())), TEXT)
    assert any(reason in r for r in caught.value.reasons), caught.value.reasons


# --- several annotators per task ----------------------------------------------------


def stamped(aid: int, stamp: str, user: int = 1, **extra: Any) -> dict[str, Any]:
    return {**ann(aid, stamp, user=user), **extra}


LATEST = {
    # as strings "…:00Z" > "…:00.5Z" ('Z' sorts after '.'): the real order is the other way
    "no fraction vs a fraction": (
        [stamped(1, "2026-03-01T10:00:00Z"), stamped(2, "2026-03-01T10:00:00.500000Z")],
        2,
    ),
    # 12:00+02:00 is 10:00Z, before 11:00Z, though its string sorts after
    "offsets are compared as times": (
        [stamped(1, "2026-03-01T12:00:00+02:00"), stamped(2, "2026-03-01T11:00:00Z")],
        2,
    ),
    "created_at when updated_at is missing": (
        [
            {**stamped(1, ""), "created_at": "2026-03-02T00:00:00Z"},
            stamped(2, "2026-03-01T00:00:00Z"),
        ],
        1,
    ),
    "same time: the higher id": (
        [stamped(7, "2026-03-01T00:00:00Z"), stamped(3, "2026-03-01T00:00:00Z")],
        7,
    ),
}


@pytest.mark.parametrize(("annotations", "expected"), LATEST.values(), ids=LATEST.keys())
def test_latest_is_by_real_datetime(annotations, expected) -> None:
    picked = pick_annotation(annotations)
    assert picked is not None and picked["id"] == expected


@pytest.mark.parametrize(
    ("annotations", "expected"),
    [
        (
            [
                stamped(1, "2026-03-01T00:00:00Z", ground_truth=True),
                stamped(2, "2026-03-02T00:00:00Z"),
            ],
            1,
        ),
        ([stamped(1, "2026-03-01T00:00:00Z"), stamped(2, "2026-03-02T00:00:00Z")], 2),
        (
            [
                stamped(1, "2026-03-01T00:00:00Z", ground_truth=True),
                stamped(2, "2026-03-02T00:00:00Z", ground_truth=True, was_cancelled=True),
            ],
            1,
        ),
    ],
    ids=["marked one wins over a later", "none marked: the latest", "cancelled marked one"],
)
def test_ground_truth_is_preferred(annotations, expected) -> None:
    picked = pick_annotation(annotations, prefer_ground_truth=True)
    assert picked is not None and picked["id"] == expected


def two_annotator_tasks() -> list[dict[str, Any]]:
    a_result = quotes_to_result([Q_MSG], scores=False)
    b_result = quotes_to_result([Q_MSG, Q_PESKOV], scores=False)
    return [
        {
            "id": 1,
            "data": {"text": TEXT, "doc_id": "d1"},
            "annotations": [
                stamped(10, "2026-03-01T00:00:00Z", user=1, result=[]),  # A's first try
                stamped(11, "2026-03-02T00:00:00Z", user=1, result=a_result),
                stamped(12, "2026-03-01T12:00:00Z", user=2, result=b_result),
            ],
        },
        {
            "id": 2,
            "data": {"text": TEXT, "doc_id": "d2"},
            "annotations": [
                stamped(13, "2026-03-01T00:00:00Z", user=2, result=b_result),
                stamped(14, "2026-03-03T00:00:00Z", user=3, result=[], was_cancelled=True),
            ],
        },
    ]


def test_all_annotations_file_each_annotators_latest() -> None:
    emails = {"1": "a@example.com", "2": "b@example.com"}
    pulled = tasks_to_documents(two_annotator_tasks(), annotations="all", emails=emails)
    assert pulled.documents == ()
    assert {who: [(d.id, d.quotes) for d in docs] for who, docs in pulled.by_annotator.items()} == {
        "a@example.com": [("d1", (Q_MSG,))],
        "b@example.com": [("d1", (Q_MSG, Q_PESKOV)), ("d2", (Q_MSG, Q_PESKOV))],
    }
    assert pulled.taken == {"a@example.com": 1, "b@example.com": 2}
    # nothing dropped silently: A's older try is listed, the cancelled one counted
    assert [(s.task_id, s.annotator) for s in pulled.left_out] == [(1, "a@example.com")]
    assert "older one of the same annotator" in pulled.left_out[0].reason
    assert (pulled.cancelled, pulled.tasks, pulled.annotated) == (1, 2, 2)


def test_latest_lists_the_other_annotators_work_it_leaves_out() -> None:
    pulled = tasks_to_documents(two_annotator_tasks(), emails={"1": "a@example.com"})
    assert [(d.id, d.quotes) for d in pulled.documents] == [
        ("d1", (Q_MSG,)),
        ("d2", (Q_MSG, Q_PESKOV)),
    ]
    assert pulled.taken == {"a@example.com": 1, "user-2": 1}
    assert sorted((s.task_id, s.annotator) for s in pulled.left_out) == [
        (1, "a@example.com"),
        (1, "user-2"),
    ]
    assert any("--annotations all" in s.reason for s in pulled.left_out)


def test_unknown_annotations_choice_is_refused() -> None:
    with pytest.raises(ValueError, match="latest, ground-truth, all"):
        tasks_to_documents([], annotations="newest")
