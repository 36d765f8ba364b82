"""The edge of scoring (quotes.evaluation): files in, extractor run; and the
scoring package kept pure (no file reading, no pipeline)."""

from __future__ import annotations

import ast
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from quotes.evaluation import evaluate_paths, read_documents
from quotes.scoring import Counts
from quotes.types import CharSpan, Document, Quote

ROOT = Path(__file__).resolve().parent.parent
SCORING = ROOT / "quotes" / "scoring"


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


# --- the independent scorer (bench/score_independent.py) agrees with this one ---


def _independent() -> Any:
    spec = importlib.util.spec_from_file_location(
        "score_independent", ROOT / "bench" / "score_independent.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("gold", "pred"),
    [
        ("gold/seeds.jsonl", "gold/seeds_b.jsonl"),  # annotator A against annotator B
        ("gold/seeds_b.jsonl", "gold/seeds.jsonl"),
        ("gold/seeds.jsonl", "gold/seeds.jsonl"),
    ],
)
def test_independent_scorer_gives_the_same_f1(gold: str, pred: str) -> None:
    ours = evaluate_paths([ROOT / gold], [ROOT / pred])
    theirs = _independent().score(ROOT / gold, ROOT / pred)
    for mode in ("exact", "partial"):
        assert abs(ours.quotes(mode).f1 - theirs["quotes"][mode]["f1"]) <= 0.01
        assert abs(ours.end_to_end(mode).f1 - theirs["end_to_end"][mode]["f1"]) <= 0.01


def test_independent_scorer_imports_nothing_of_the_project() -> None:
    found = _imports(ROOT / "bench" / "score_independent.py")
    assert not [name for name in found if name.startswith(("quotes", "."))]


def test_independent_scorer_agrees_on_the_extractor_output(nlp: Any, tmp_path: Path) -> None:
    from quotes.io import write_documents
    from quotes.pipeline import extract_documents

    gold = list(read_documents([ROOT / "gold" / "seeds.jsonl"], []))
    pred = list(extract_documents([Document(d.id, d.text) for d in gold], nlp))
    path = tmp_path / "pred.jsonl"
    write_documents(path, pred)
    ours = evaluate_paths([ROOT / "gold" / "seeds.jsonl"], [path])
    theirs = _independent().score(ROOT / "gold" / "seeds.jsonl", path)
    for mode in ("exact", "partial"):
        assert abs(ours.quotes(mode).f1 - theirs["quotes"][mode]["f1"]) <= 0.01
        assert abs(ours.end_to_end(mode).f1 - theirs["end_to_end"][mode]["f1"]) <= 0.01
