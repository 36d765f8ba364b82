"""Every reader checks what it reads and names the file and line: inputs to extract
and push (``iter_input_documents``), annotated JSONL for evaluate and speakers
(``iter_annotated_documents``): record shapes, integer offsets, ids, byte-order
marks, UTF-16, upper-case extensions, repeated ids, lines over the size limit."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.io import InputError, iter_annotated_documents, iter_input_documents
from quotes.types import Document

TEXT = "“We will win,” she said."
QUOTE = {"type": "direct", "start": 1, "end": 12, "text": "We will win"}


def read(paths: list[Path], **options: Any) -> tuple[list[str], list[str]]:
    """Ids read and error lines, in order."""
    ids, errors = [], []
    for item in iter_input_documents(paths, **options):
        if isinstance(item, InputError):
            errors.append(str(item))
        else:
            ids.append(item.id)
    return ids, errors


def line(**record: Any) -> str:
    return json.dumps(record) + "\n"


# --- inputs to extract / push -----------------------------------------------------------------

ENCODED = [
    ("utf-8 BOM", "\ufeff" + TEXT, "utf-8", None),
    ("UTF-16LE with BOM", TEXT, "utf-16", "looks like UTF-16LE text; convert it, e.g. `iconv"),
    ("UTF-16BE with BOM", "\ufeff" + TEXT, "utf-16-be", "looks like UTF-16BE text"),
    ("UTF-16LE without BOM", TEXT, "utf-16-le", "looks like UTF-16LE text"),
    ("Latin-1", "café, she said", "latin-1", "not UTF-8 (byte 3)"),
]


@pytest.mark.parametrize(
    ("case", "text", "encoding", "error"), ENCODED, ids=[c[0] for c in ENCODED]
)
def test_txt_encodings(
    tmp_path: Path, case: str, text: str, encoding: str, error: str | None
) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(text.encode(encoding))
    ids, errors = read([path])
    if error is None:
        assert ids == ["a"] and errors == []
    else:
        assert ids == [] and len(errors) == 1
        assert errors[0].startswith(f"{path}: ") and error in errors[0]


@pytest.mark.parametrize(
    ("prefix", "encoding", "error"),
    [
        (b"\xef\xbb\xbf", "utf-8", None),  # a UTF-8 byte-order mark before the first line
        (b"", "utf-16", "looks like UTF-16LE text"),
        (b"", "utf-16-be", "looks like UTF-16BE text"),
    ],
)
def test_jsonl_encodings(tmp_path: Path, prefix: bytes, encoding: str, error: str | None) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(prefix + (line(id="a", text=TEXT) + line(id="b", text=TEXT)).encode(encoding))
    ids, errors = read([path])
    if error is None:
        assert (ids, errors) == (["a", "b"], [])
    else:  # named once for the file, not once per line
        assert ids == [] and len(errors) == 1 and error in errors[0]


def test_upper_case_extensions(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "SHOUT.TXT").write_text(TEXT)
    (tmp_path / "folder" / "LINES.JSONL").write_text(line(id="j", text=TEXT))
    (tmp_path / "folder" / "notes.md").write_text("not read")
    direct = tmp_path / "DIRECT.JSONL"
    direct.write_text(line(id="d", text=TEXT))
    assert read([tmp_path / "folder", direct]) == (["j", "SHOUT", "d"], [])


ID_CASES = [
    ({"id": "x"}, "x", None),
    ({"id": 7}, "7", None),
    ({"id": {"a": 1}}, None, '"id" must be a string or an integer, not an object; fix the line'),
    ({"id": ["a"]}, None, '"id" must be a string or an integer, not a list'),
    ({"id": 1.5}, None, '"id" must be a string or an integer, not a number'),
    ({"id": True}, None, '"id" must be a string or an integer, not a boolean'),
    ({}, None, 'a line needs "id" and a string "text"'),
]


@pytest.mark.parametrize(("fields", "doc_id", "error"), ID_CASES)
def test_jsonl_ids(
    tmp_path: Path, fields: dict[str, Any], doc_id: str | None, error: str | None
) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(line(id="first", text=TEXT) + line(text=TEXT, **fields))
    ids, errors = read([path])
    if error is None:
        assert (ids, errors) == (["first", doc_id], [])
    else:
        assert ids == ["first"] and len(errors) == 1
        assert errors[0].startswith(f"{path}:2: ") and error in errors[0], errors


def test_repeated_ids_are_reported_and_the_first_kept(tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    jsonl.write_text(line(id="a", text=TEXT) + line(id="b", text=TEXT) + line(id="a", text="x"))
    for folder in ("one", "two"):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / "same.txt").write_text(TEXT)
    ids, errors = read([jsonl, tmp_path / "one", tmp_path / "two", jsonl])
    assert ids == ["a", "b", "same"]
    assert errors[0] == (
        f"{jsonl}:3: duplicate id 'a' (first at {jsonl}:1); ids must be unique, this one is skipped"
    )
    assert errors[1].startswith(f"{tmp_path / 'two' / 'same.txt'}: duplicate id 'same'")
    assert len(errors) == 5  # the file given twice: its three lines again


def test_lines_and_files_over_the_limit_are_not_read(tmp_path: Path) -> None:
    jsonl = tmp_path / "in.jsonl"
    # (a line is skipped unread past 12 bytes a character and 64 KiB more)
    jsonl.write_text(line(id="long", text="x" * 80_000) + line(id="short", text=TEXT))
    big = tmp_path / "big.txt"
    big.write_text("y" * 2_000)
    ids, errors = read([jsonl, big], max_chars=100)
    assert ids == ["short"]
    assert errors[0].startswith(f"{jsonl}:1: line longer than ")
    assert "raise --max-chars" in errors[0]
    assert errors[1] == (
        f"{big}: 2,000 bytes, over the limit of 100 characters; raise --max-chars or split the file"
    )


# --- annotated JSONL for evaluate and speakers -------------------------------------------------

SHAPES = [
    ({"quotes": ["abc"]}, '"quotes" item 1 must be an object, not a string'),
    ({"quotes": {"x": 1}}, '"quotes" must be a list of objects, not an object'),
    ({"quotes": "abc"}, '"quotes" must be a list of objects, not a string'),
    ({"speakers": ["x"]}, '"speakers" item 1 must be an object, not a string'),
    ({"speakers": [{"name": 3}]}, 'speaker 1: a speaker needs a string "name", not an integer'),
    ({"quotes": [{**QUOTE, "start": 1.0}]}, '"start" must be an integer offset, not a number'),
    ({"quotes": [{**QUOTE, "end": "12"}]}, '"end" must be an integer offset, not a string'),
    ({"quotes": [{**QUOTE, "start": True}]}, '"start" must be an integer offset, not a boolean'),
    ({"quotes": [{**QUOTE, "cue": {"start": 0, "end": 1}}]}, 'a span needs a string "text"'),
    ({"quotes": [{**QUOTE, "cue": [0, 1]}]}, "a span must be an object, not a list"),
    ({"quotes": [{**QUOTE, "confidence": "high"}]}, '"confidence" must be a number'),
    ({"quotes": [{**QUOTE, "speaker_name": [1]}]}, '"speaker_name" must be a string or a list'),
    ({"quotes": [{**QUOTE, "type": None}]}, 'a quote needs a string "type", not null'),
    ({"quotes": [{**QUOTE, "end": 13}]}, "quote 1: span [1, 13)"),
    ({"id": {"x": 1}}, '"id" must be a string or an integer, not an object'),
    ({"text": 5}, 'a record needs a string "text"'),
]


@pytest.mark.parametrize(("fields", "error"), SHAPES)
def test_record_shapes_are_checked(tmp_path: Path, fields: dict[str, Any], error: str) -> None:
    path = tmp_path / "gold.jsonl"
    good = {"id": "ok", "text": TEXT, "quotes": [QUOTE]}
    path.write_text(line(**good) + line(**{"id": "bad", "text": TEXT, **fields}))
    found = list(iter_annotated_documents([path]))
    assert isinstance(found[0], Document) and found[0].quotes[0].text == "We will win"
    assert isinstance(found[1], InputError)
    assert str(found[1]).startswith(f"{path}:2: ") and error in str(found[1]), str(found[1])
    assert str(found[1]).endswith("; fix the record")


def test_valid_records_pass(tmp_path: Path) -> None:
    path = tmp_path / "gold.jsonl"
    record = {
        "id": 3,
        "text": TEXT,
        "quotes": [{**QUOTE, "speaker_name": "Anna Berg", "confidence": 1, "fragments": None}],
        "speakers": [{"name": "Anna Berg", "type": "person", "mentions": [], "quotes": 1}],
    }
    path.write_text(line(**record))
    [doc] = list(iter_annotated_documents([path]))
    assert isinstance(doc, Document) and doc.id == "3"
    assert doc.quotes[0].speaker_name == ("Anna Berg",)


@pytest.mark.parametrize("command", ["evaluate", "speakers"])
def test_commands_name_the_line_instead_of_a_traceback(
    command: str, tmp_path: Path, nlp: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("quotes.pipeline.load_pipeline", lambda model=None, **options: nlp)
    path = tmp_path / "gold.jsonl"
    path.write_text(
        line(id="ok", text=TEXT, quotes=[QUOTE])
        + line(id="a", text=TEXT, quotes=["abc"])
        + line(id="b", text=TEXT, quotes={"x": 1})
        + line(id="c", text=TEXT, speakers=["x"])
        + line(id="ok", text=TEXT, quotes=[QUOTE])
    )
    args = ["evaluate", "-g", str(path), "-p", str(path)] if command == "evaluate" else [
        "speakers", str(path)
    ]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.stderr
    for number in (2, 3, 4):
        assert f"{path}:{number}: " in result.stderr
    if command == "speakers":
        assert f"{path}:5: duplicate id 'ok' (first at {path}:1)" in result.stderr
    else:  # the scorer lists repeated ids itself, the first document kept
        assert "duplicate document id (first kept): ok" in result.stdout
