"""What every tool's push sends: new documents once, conflicts and failures named."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from quotes.annotation import text_hash
from quotes.pushing import PushFeed, batches
from quotes.types import Document


@dataclass
class Counts:
    """The fields of a tool's push report that the feed fills."""

    read: int = 0
    unchanged: int = 0
    conflicts: list[str] = field(default_factory=list)
    input_errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


OLD = "The mayor said the bridge would reopen in May."
NEW = "A spokeswoman said the airline would appeal."


@pytest.mark.parametrize(
    ("known", "up_to_date", "docs", "sent", "unchanged", "conflicts"),
    [
        # a project with nothing in it: everything goes
        ({}, True, [("a", OLD), ("b", NEW)], ["a", "b"], 0, 0),
        # the same id and text already there and up to date: nothing goes
        ({"a": text_hash(OLD)}, True, [("a", OLD), ("b", NEW)], ["b"], 1, 0),
        # already there but lacking this version's predictions: it goes again
        ({"a": text_hash(OLD)}, False, [("a", OLD)], ["a"], 0, 0),
        # the same id with another text in the project: a conflict, not sent
        ({"a": text_hash(OLD)}, False, [("a", NEW)], [], 0, 1),
        # an id repeated in the input with the same text: sent once
        ({}, True, [("a", OLD), ("a", OLD)], ["a"], 1, 0),
        # an id repeated in the input with another text: a conflict
        ({}, True, [("a", OLD), ("a", NEW)], ["a"], 0, 1),
    ],
)
def test_feed_sends_what_is_new(
    known: dict[str, str],
    up_to_date: bool,
    docs: list[tuple[str, str]],
    sent: list[str],
    unchanged: int,
    conflicts: int,
) -> None:
    counts = Counts()
    feed = PushFeed(
        counts,
        known=known,
        up_to_date=lambda _doc_id: up_to_date,
        documents=[Document(id=doc_id, text=text) for doc_id, text in docs],
    )
    assert [doc.id for doc in feed] == sent
    assert counts.read == len(docs)
    assert counts.unchanged == unchanged
    assert len(counts.conflicts) == conflicts
    assert all("another text" in message for message in counts.conflicts)


def test_feed_names_unreadable_inputs(tmp_path: Path) -> None:
    good = tmp_path / "good.txt"
    good.write_text(NEW, encoding="utf-8")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00\x00binary\x00")
    counts = Counts()
    feed = PushFeed(counts, known={}, up_to_date=lambda _doc_id: True, paths=[good, bad])
    assert [doc.text for doc in feed] == [NEW]
    assert len(counts.input_errors) == 1
    assert "bad.txt" in counts.input_errors[0]


def test_feed_extracts_and_names_failures(nlp, rule_bug: None) -> None:
    counts = Counts()
    docs = [Document(id="fine", text=NEW), Document(id="broken", text="BOOM, he said.")]
    feed = PushFeed(counts, known={}, up_to_date=lambda _doc_id: True, documents=docs, pipeline=nlp)
    extracted = list(feed)
    assert [doc.id for doc in extracted] == ["fine"]
    assert extracted[0].quotes, "the pipeline ran on what was sent"
    assert counts.failed == []  # named only when the caller asks, near its progress bar
    feed.report_failures()
    assert len(counts.failed) == 1
    assert counts.failed[0].startswith("broken") and "rule bug" in counts.failed[0]
    feed.report_failures()
    assert len(counts.failed) == 1, "a failure is counted once"


@pytest.mark.parametrize(
    ("n", "size", "lengths"),
    [(0, 3, []), (2, 3, [2]), (3, 3, [3]), (7, 3, [3, 3, 1]), (4, 1, [1, 1, 1, 1])],
)
def test_batches(n: int, size: int, lengths: list[int]) -> None:
    chunks = list(batches(iter(range(n)), size))
    assert [len(chunk) for chunk in chunks] == lengths
    assert [item for chunk in chunks for item in chunk] == list(range(n))
