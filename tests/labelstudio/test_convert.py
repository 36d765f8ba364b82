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
    ("confidences", "score"), [((), 0.0), ((0.9,), 0.9), ((0.9, 0.55, 0.7), 0.55)]
)
def test_prediction_score_is_the_minimum(confidences: tuple[float, ...], score: float) -> None:
    quotes = [Quote("direct", Q_MSG.content, confidence=c) for c in confidences]
    assert prediction_score(quotes) == score


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
