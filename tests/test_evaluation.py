"""The edge of scoring (quotes.evaluation): files in, extractor run; and the
scoring package kept pure (no file reading, no pipeline)."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pytest

from quotes.evaluation import evaluate_paths
from quotes.scoring import Counts
from quotes.types import CharSpan, Document, Quote

SCORING = Path(__file__).resolve().parent.parent / "quotes" / "scoring"


def test_evaluate_paths_runs_the_extractor_without_pred(nlp, tmp_path) -> None:
    text = "“We will not give up,” Ann Lee told reporters on Monday."
    start = 1
    end = text.index(",”")
    gold = Document(
        "g1", text, (Quote("direct", CharSpan.of(text, start, end), speaker_name=("Ann Lee",)),)
    )
    path = tmp_path / "gold.jsonl"
    path.write_text(json.dumps(gold.to_dict()) + "\n", encoding="utf-8")
    result = evaluate_paths([path], None, nlp=nlp)
    assert [d.id for d in result.documents] == ["g1"]
    assert result.documents[0].status == "both"
    # the extractor is being built: its prediction must at least be well-formed
    for quote in result.documents[0].pred_quotes:
        quote.check_against(text)
    assert result.quotes("partial").tp + result.quotes("partial").fn == 1


def test_evaluate_paths_reports_unreadable_input(tmp_path) -> None:
    good = tmp_path / "gold.jsonl"
    good.write_text('{"id": "a", "text": "x", "quotes": []}\nnot json\n', encoding="utf-8")
    pred = tmp_path / "pred.jsonl"
    pred.write_text('{"id": "a", "text": "x", "quotes": []}\n', encoding="utf-8")
    result = evaluate_paths([good, tmp_path / "absent.jsonl"], [pred])
    assert len(result.input_errors) == 2
    assert any("malformed JSON" in e for e in result.input_errors)
    assert any("no such file" in e for e in result.input_errors)
    assert result.quotes("exact") == Counts(0, 0, 0)


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            names.add("." * node.level + (node.module or ""))
    return names


@pytest.mark.parametrize("module", sorted(p.name for p in SCORING.glob("*.py")))
def test_scoring_reads_no_files_and_runs_no_pipeline(module: str) -> None:
    allowed = {
        "__future__",
        "ast",
        "collections",
        "collections.abc",
        "dataclasses",
        "functools",
        "re",
        "typing",
        "unicodedata",
        "..types",
        "..resources",  # the scorer's own name tables, read as package data
        "..marks",  # the quotation marks, defined once
        ".names",
    }
    found = _imports(SCORING / module)
    assert found <= allowed, f"{module} imports {sorted(found - allowed)}"
    source = (SCORING / module).read_text(encoding="utf-8")
    for call in ("open(", "read_text(", "Path(", "spacy", "load_pipeline"):
        assert call not in source, f"{module} uses {call}"


def test_scoring_names_do_not_come_from_the_extractor() -> None:
    for module in SCORING.glob("*.py"):
        found = _imports(module)
        assert not {"..names", "quotes.names", "..speakers"} & found, module.name
