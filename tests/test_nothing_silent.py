"""Every command that runs the extractor names each document it could not process.

A rule bug is a fault no input causes on purpose: the ``rule_bug`` fixture of
tests/conftest.py injects it for documents containing BOOM. The rest run through
the real pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.io import write_documents
from quotes.labelstudio.backend import predict_tasks
from quotes.labelstudio.convert import result_to_quotes
from quotes.types import CharSpan, Document, Quote

GOOD = "The minister said the bridge would reopen in May."
BAD = "BOOM, the mayor said on Tuesday."


def gold_quote() -> Quote:
    start = GOOD.index("the bridge")
    content = CharSpan.of(GOOD, start, len(GOOD) - 1)
    return Quote("indirect", content, None, ("minister",), CharSpan.of(GOOD, 13, 17))


def test_evaluate_names_the_document_and_scores_it_as_misses(
    rule_bug: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nlp: Any
) -> None:
    import quotes.pipeline as pipeline

    monkeypatch.setattr(pipeline, "load_pipeline", lambda model=None, **options: nlp)
    bad_quote = Quote("indirect", CharSpan.of(BAD, 0, 4), None, ("mayor",), None)
    gold = tmp_path / "gold.jsonl"
    write_documents(
        gold, [Document("good", GOOD, (gold_quote(),)), Document("bad", BAD, (bad_quote,))]
    )
    ran = CliRunner().invoke(app, ["evaluate", "-g", str(gold), "--format", "json"])
    assert ran.exit_code == 1
    assert (
        "quotes: document bad: extraction failed: ValueError: rule bug; scored as all misses"
        in ran.stderr
    )
    assert "the extractor failed on 1 document(s)" in ran.stderr.splitlines()[-1]
    report = json.loads(ran.stdout)
    assert report["failed_documents"] == ["bad: extraction failed: ValueError: rule bug"]
    assert report["quotes"]["partial"]["fn"] >= 1  # the bad document's quote is a miss


def test_speakers_names_the_document_and_counts_the_rest(
    rule_bug: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nlp: Any
) -> None:
    import quotes.pipeline as pipeline

    monkeypatch.setattr(pipeline, "load_pipeline", lambda model=None, **options: nlp)
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "bad.txt").write_text(BAD, encoding="utf-8")
    ran = CliRunner().invoke(app, ["speakers", str(tmp_path), "--format", "json"])
    assert ran.exit_code == 1
    assert "quotes: bad: extraction failed: ValueError: rule bug; not counted" in ran.stderr
    rows = json.loads(ran.stdout)
    assert [r["documents"] for r in rows] == [1]


def test_serve_answers_an_error_object_per_task_it_cannot_process(
    rule_bug: None, nlp: Any, caplog: pytest.LogCaptureFixture
) -> None:
    tasks: list[Any] = [
        {"id": 1, "data": {"text": GOOD}},
        {"id": 2, "data": {"text": BAD}},
        {"id": 3, "data": {"body": GOOD}},
        {"id": 4, "data": {"text": ""}},
        "not a task",
    ]
    with caplog.at_level("WARNING", logger="quotes.serve"):
        results = predict_tasks(tasks, nlp, "v1")
    assert len(results) == 5
    assert result_to_quotes(results[0]["result"], GOOD)
    assert results[1] == {
        "model_version": "v1",
        "task": 2,
        "error": "extraction failed: ValueError: rule bug",
    }
    assert results[2]["task"] == 3 and 'no string "text"' in results[2]["error"]
    assert "result" not in results[1] and "result" not in results[2]
    assert results[3] == {"model_version": "v1", "score": 0.0, "result": []}  # empty text: no quote
    assert results[4]["task"] is None and "error" in results[4]
    logged = [r.getMessage() for r in caplog.records]
    assert any("task 2: extraction failed" in m for m in logged)
    assert any("task 3: task data has no string" in m for m in logged)
