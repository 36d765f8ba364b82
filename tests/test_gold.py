"""Integrity of the gold set (gold/seeds.jsonl): schema, offsets, layout, provenance.

None of these tests needs the spaCy model.
"""

from __future__ import annotations

import importlib.util
import itertools
import json
from pathlib import Path
from types import ModuleType

import pytest

from quotes.types import QUOTE_TYPES, SPEAKER_KINDS, CharSpan, Document, Quote, SchemaError

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD_DIR = ROOT / "gold"
GOLD = GOLD_DIR / "seeds.jsonl"
SEED_IDS = sorted(p.stem for p in SEEDS.glob("*.txt"))


def _load_builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gold_build", GOLD_DIR / "build_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _load_builder()


def _records() -> list[dict]:
    return [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line]


def _documents() -> dict[str, Document]:
    return {r["id"]: Document.from_dict(r, check=True) for r in _records()}


DOCS = _documents()
QUOTES = [(doc_id, i, q) for doc_id, doc in DOCS.items() for i, q in enumerate(doc.quotes)]
QUOTE_IDS = [f"{doc_id}#{i}" for doc_id, i, _ in QUOTES]


def test_every_line_parses_with_check() -> None:
    records = _records()
    assert len(records) == len(SEED_IDS)
    for record in records:
        assert set(record) == {"id", "text", "quotes", "speakers"}
        Document.from_dict(record, check=True)


def test_ids_are_the_seed_file_stems() -> None:
    assert [r["id"] for r in _records()] == SEED_IDS


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_text_equals_seed_file_byte_for_byte(doc_id: str) -> None:
    assert DOCS[doc_id].text.encode("utf-8") == (SEEDS / f"{doc_id}.txt").read_bytes()


@pytest.mark.parametrize(("doc_id", "index", "quote"), QUOTES, ids=QUOTE_IDS)
def test_quote_integrity(doc_id: str, index: int, quote: Quote) -> None:
    text = DOCS[doc_id].text
    quote.check_against(text)
    assert quote.type in QUOTE_TYPES
    assert quote.confidence == 1.0
    assert quote.speaker_name and all(n.strip() == n and n for n in quote.speaker_name)
    for piece in quote.pieces():
        assert "\n" not in piece.text, "a quote never crosses a paragraph break"
        assert piece.text.strip() == piece.text and piece.text, "no outer white space"
    if quote.cue is not None:
        assert not quote.cue.overlap(quote.content), "the cue lies outside the content"
    if quote.speaker is not None:
        assert not quote.speaker.overlap(quote.content), "the speaker lies outside the content"
    if quote.type == "direct":
        assert text[quote.start - 1] in "\"“”‘’«»„'", "a direct quote opens with a mark"
    if quote.type == "indirect":
        assert not any(m in quote.text for m in '"“”«»„'), "marks make it mixed or direct"
    if quote.type != "direct":
        assert not quote.text.endswith("."), "indirect/mixed content drops the final period"
        assert not quote.text.lower().startswith("that "), "leading 'that' is dropped"


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_no_two_quotes_overlap(doc_id: str) -> None:
    spans = sorted(p for q in DOCS[doc_id].quotes for p in q.pieces())
    for before, after in itertools.pairwise(spans):
        assert before.overlap(after) == 0, (before.text, after.text)


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_speakers_agree_with_quotes(doc_id: str) -> None:
    doc = DOCS[doc_id]
    names = [s.name for s in doc.speakers]
    assert len(names) == len(set(names))
    assert set(names) == {n for q in doc.quotes for n in q.speaker_name}
    for speaker in doc.speakers:
        assert speaker.kind in SPEAKER_KINDS
        own = [q for q in doc.quotes if speaker.name in q.speaker_name]
        assert speaker.quote_count == len(own)
        assert set(speaker.mentions) == {q.speaker for q in own if q.speaker is not None}
        for mention in speaker.mentions:
            mention.check_against(doc.text)


@pytest.mark.parametrize(
    ("annotations", "committed"),
    [("annotations.py", "seeds.jsonl"), ("annotations_b.py", "seeds_b.jsonl")],
    ids=["annotator-a", "annotator-b"],
)
def test_gold_is_what_the_build_script_produces(
    tmp_path: Path, annotations: str, committed: str
) -> None:
    out = tmp_path / committed
    args = ["--annotations", str(GOLD_DIR / annotations), "--out", str(out)]
    assert BUILD.main(args) == 0
    assert out.read_bytes() == (GOLD_DIR / committed).read_bytes()


# The span resolver the annotations rely on: positive and negative cases.
RESOLVE_OK = [
    ("He said it. She said no.", "She [[said]]", (16, 20)),
    ("He said it. She said no.", "He ... it.", (0, 11)),
    ("He proclaimed it and claimed more.", "claimed", (21, 28)),
    ("A “b” c", "“b”", (2, 5)),
]


@pytest.mark.parametrize(("text", "spec", "where"), RESOLVE_OK)
def test_resolve_finds_one_span(text: str, spec: str, where: tuple[int, int]) -> None:
    assert BUILD.resolve(spec, text) == CharSpan.of(text, *where)


RESOLVE_BAD = [
    ("He said it. She said no.", "said"),  # two occurrences
    ("He said it.", "told"),  # none
    ("He said it.\nShe agreed.", "said ... agreed"),  # elision never crosses a line
    ("He proclaimed it.", "claimed"),  # whole words only
]


@pytest.mark.parametrize(("text", "spec"), RESOLVE_BAD)
def test_resolve_rejects_ambiguous_or_missing(text: str, spec: str) -> None:
    with pytest.raises(BUILD.AnnotationError):
        BUILD.resolve(spec, text)


def test_build_rejects_overlapping_quotes() -> None:
    annotation = {
        "speakers": {"X": "person"},
        "quotes": [
            {"type": "indirect", "content": "a b c", "speaker": "X", "names": "X", "cue": "said"},
            {"type": "indirect", "content": "b c d", "speaker": "X", "names": "X", "cue": "said"},
        ],
    }
    with pytest.raises(BUILD.AnnotationError, match="overlap"):
        BUILD.build_document("t", "X said a b c d.", annotation)


def test_build_rejects_cue_inside_content() -> None:
    annotation = {
        "speakers": {"X": "person"},
        "quotes": [
            {
                "type": "indirect",
                "content": "he said so",
                "speaker": "X",
                "names": "X",
                "cue": "said",
            },
        ],
    }
    with pytest.raises(BUILD.AnnotationError, match="inside the content"):
        BUILD.build_document("t", "X: he said so.", annotation)


def test_a_bad_offset_fails_the_check() -> None:
    record = json.loads(GOLD.read_text(encoding="utf-8").splitlines()[0])
    record["quotes"][0]["start"] += 1
    record["quotes"][0]["end"] += 1
    with pytest.raises(SchemaError):
        Document.from_dict(record, check=True)


@pytest.mark.parametrize("doc_id", SEED_IDS)
def test_gold_survives_the_label_studio_converters(doc_id: str) -> None:
    convert = pytest.importorskip("quotes.labelstudio.convert")
    doc = DOCS[doc_id]
    result = convert.quotes_to_result(doc.quotes, scores=False)
    back = sorted(convert.result_to_quotes(result, doc.text), key=lambda q: (q.start, q.end))
    assert back == [convert.as_gold(q) for q in doc.quotes]
