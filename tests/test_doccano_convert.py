"""doccano JSONL: offsets in UTF-16 units, names through meta and comments, corrections."""

from __future__ import annotations

from typing import Any

import pytest

from quotes.annotation import AnnotationError, gold_document
from quotes.doccano.convert import (
    OffsetMap,
    document_to_record,
    parse_name_comments,
    record_to_document,
)
from quotes.types import CharSpan, Document, Quote

TEXT = "😀 Ana Ruiz said the vote is today. “We won,” she said. 北京 agreed."


def span(fragment: str, nth: int = 0) -> CharSpan:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(fragment, start + 1)
    return CharSpan.of(TEXT, start, start + len(fragment))


def doc() -> Document:
    return Document(
        "d1",
        TEXT,
        (
            Quote(
                "indirect", span("the vote is today"), span("Ana Ruiz"), ("Ana Ruiz",), span("said")
            ),
            Quote("direct", span("We won,"), span("she"), ("Ana Ruiz",), span("said", 1)),
        ),
    )


@pytest.mark.parametrize(
    ("text", "points", "units"),
    [
        ("abc", 2, 2),
        ("😀abc", 0, 0),
        ("😀abc", 1, 2),
        ("a😀b😀c", 4, 6),
        ("a😀b😀c", 5, 7),
        ("北京", 2, 2),
    ],
)
def test_offsets_count_utf16_units(text: str, points: int, units: int) -> None:
    offsets = OffsetMap(text)
    assert offsets.to_units(points) == units
    assert offsets.to_points(units) == points
    assert len(text[:points].encode("utf-16-le")) // 2 == units


def test_an_offset_inside_a_surrogate_pair_has_no_code_point() -> None:
    assert OffsetMap("a😀b").to_points(2) is None


def test_record_holds_what_doccano_imports() -> None:
    record = document_to_record(doc())
    assert set(record) == {"text", "doc_id", "text_hash", "speaker_names", "entities", "relations"}
    labels = [e["label"] for e in record["entities"]]
    assert labels == ["IndirectQuote", "Speaker", "Cue", "DirectQuote", "Speaker", "Cue"]
    first = record["entities"][0]
    # the emoji is two UTF-16 units: every offset after it is one more than in Python
    assert (first["start_offset"], first["end_offset"]) == (
        span("the vote").start + 1,
        span("today").end + 1,
    )
    assert {r["type"] for r in record["relations"]} == {"said_by", "cue_of"}
    assert record["speaker_names"][0]["names"] == ["Ana Ruiz"]


def exported(record: dict[str, Any], **changes: Any) -> dict[str, Any]:
    """``record`` as doccano's export gives it back: its id, then what changed."""
    return {"id": 7, **record, **changes}


def test_untouched_record_round_trips() -> None:
    back, dropped = record_to_document(exported(document_to_record(doc())))
    assert back == gold_document(doc()) and dropped == []


def test_deleted_quote_leaves_its_speaker_and_cue_out() -> None:
    record = document_to_record(doc())
    entities = [e for e in record["entities"] if e["id"] != 3]
    relations = [r for r in record["relations"] if 3 not in (r["from_id"], r["to_id"])]
    back, dropped = record_to_document(exported(record, entities=entities, relations=relations))
    assert [q.text for q in back.quotes] == ["the vote is today"]
    assert dropped == [
        "region 4 (Speaker) 'she': related to no quote; dropped",
        "region 5 (Cue) 'said': related to no quote; dropped",
    ]


def test_added_quote_takes_the_names_of_its_speaker_mention() -> None:
    record = document_to_record(doc())
    units = OffsetMap(TEXT)
    agreed = span("北京")
    extra = {"id": 90, "label": "IndirectQuote"}
    extra["start_offset"], extra["end_offset"] = (
        units.to_units(agreed.start),
        units.to_units(agreed.end),
    )
    # the annotator links the new quote to the existing mention "she"
    relation = {"id": 91, "from_id": 90, "to_id": 4, "type": "said_by"}
    back, _ = record_to_document(
        exported(
            record,
            entities=[*record["entities"], extra],
            relations=[*record["relations"], relation],
        )
    )
    added = next(q for q in back.quotes if q.text == "北京")
    assert added.speaker_name == ("Ana Ruiz",) and added.speaker == span("she")


def test_moved_boundary_keeps_names_and_relinked_speaker_takes_the_new_ones() -> None:
    record = document_to_record(doc())
    entities = [dict(e) for e in record["entities"]]
    entities[0]["end_offset"] -= 6  # "the vote is" instead of "the vote is today"
    back, _ = record_to_document(exported(record, entities=entities))
    assert back.quotes[0].text == "the vote is" and back.quotes[0].speaker_name == ("Ana Ruiz",)
    # an unknown mention: no name rather than a guess
    relations = [dict(r) for r in record["relations"]]
    relations[0]["to_id"] = 5  # said_by the cue's word: wrong label
    with pytest.raises(AnnotationError, match="must join a quote and a Speaker"):
        record_to_document(exported(record, relations=relations))


def test_comments_override_names_by_mention_or_quote_start() -> None:
    record = document_to_record(doc())
    comments = [
        {
            "id": 1,
            "comment": "she = Bo Chen\nthe vote is = Electoral board | Ana Ruiz\nnot a name line"
            "\nhe = Nobody",
        }
    ]
    back, notes = record_to_document(exported(record, Comments=comments))
    assert len(notes) == 1 and notes[0].startswith("comment 'he': no quote's speaker")
    assert back.quotes[0].speaker_name == ("Electoral board", "Ana Ruiz")
    assert back.quotes[1].speaker_name == ("Bo Chen",)
    assert parse_name_comments(comments)[0] == ("she", ("Bo Chen",))


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (
            {"entities": [{"id": 1, "start_offset": 0, "end_offset": 3, "label": "Opinion"}]},
            "unknown label 'Opinion'",
        ),
        (
            {"entities": [{"id": 1, "start_offset": 1, "end_offset": 3, "label": "Cue"}]},
            "cut a character in two",
        ),
        (
            {"entities": [{"id": 1, "start_offset": 5, "end_offset": 900, "label": "Cue"}]},
            "outside the text",
        ),
        ({"relations": [{"id": 1, "from_id": 0, "to_id": 99, "type": "said_by"}]}, "no region 99"),
        (
            {"relations": [{"id": 1, "from_id": 0, "to_id": 1, "type": "agrees"}]},
            "unknown type 'agrees'",
        ),
        ({"text": ""}, "no text"),
    ],
)
def test_malformed_records_say_why(change: dict[str, Any], reason: str) -> None:
    with pytest.raises(AnnotationError, match=reason):
        record_to_document(exported(document_to_record(doc()), **change))
