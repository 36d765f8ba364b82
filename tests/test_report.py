"""Reports of an evaluation: golden JSON, text and Markdown tables, HTML, and the CLI."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.report import render, render_json, report_dict
from quotes.report_html import render_html
from quotes.scoring import EvaluationResult, evaluate_documents
from quotes.types import CharSpan, Document, Quote

DATA = Path(__file__).resolve().parent / "data"
GOLDEN = DATA / "scoring_report.json"

D1 = (
    "Ann Lee said on Monday that the bridge will open in May. “We are ready,” she told "
    "reporters. Critics said the plan was “a costly mistake”."
)
D2 = "The mayor said taxes would not rise."
D3 = "Officials warned of delays."
D4 = 'Tom said: "a < b & c" <script>alert(1)</script>'


def span(text: str, sub: str, after: str = "") -> CharSpan:
    """The first ``sub`` of ``text`` after the first ``after``."""
    start = text.index(sub, text.index(after) if after else 0)
    return CharSpan.of(text, start, start + len(sub))


def quote(
    text: str,
    sub: str,
    kind: str,
    names: tuple[str, ...],
    *,
    speaker: str | None = None,
    cue: str | None = None,
    cue_after: str = "",
) -> Quote:
    return Quote(
        kind,
        span(text, sub),  # type: ignore[arg-type]
        speaker=None if speaker is None else span(text, speaker),
        speaker_name=names,
        cue=None if cue is None else span(text, cue, cue_after),
    )


def sample() -> tuple[list[Document], list[Document]]:
    """Hand-made gold and predictions; every figure of the golden report follows from them.

    d1: the indirect quote is found with a leading "that" (partial, not exact),
    the direct one exactly (marks dropped), the mixed one only as its quoted
    fragment, typed direct (partial and coverage30, not coverage80).
    d2 is missing from the predictions, d3 from the gold; d4 is exact.
    """
    gold = [
        Document(
            "d1",
            D1,
            (
                quote(
                    D1,
                    "the bridge will open in May",
                    "indirect",
                    ("Ann Lee",),
                    speaker="Ann Lee",
                    cue="said",
                ),
                quote(D1, "We are ready,", "direct", ("Ann Lee",), speaker="she", cue="told"),
                quote(
                    D1,
                    "the plan was “a costly mistake”",
                    "mixed",
                    ("critics",),
                    speaker="Critics",
                    cue="said",
                    cue_after="Critics",
                ),
            ),
        ),
        Document(
            "d2",
            D2,
            (
                quote(
                    D2,
                    "taxes would not rise",
                    "indirect",
                    ("mayor",),
                    speaker="The mayor",
                    cue="said",
                ),
            ),
        ),
        Document(
            "d4", D4, (quote(D4, "a < b & c", "direct", ("Tom",), speaker="Tom", cue="said"),)
        ),
    ]
    pred = [
        Document(
            "d1",
            D1,
            (
                quote(
                    D1,
                    "that the bridge will open in May",
                    "indirect",
                    ("Lee",),
                    speaker="Ann Lee",
                    cue="said",
                ),
                quote(D1, "“We are ready,”", "direct", ("Ann Lee",), speaker="she", cue="told"),
                quote(
                    D1,
                    "a costly mistake",
                    "direct",
                    ("Ann Lee",),
                    speaker="Ann Lee",
                    cue="said",
                    cue_after="Critics",
                ),
            ),
        ),
        Document(
            "d3",
            D3,
            (
                quote(
                    D3, "of delays", "indirect", ("Officials",), speaker="Officials", cue="warned"
                ),
            ),
        ),
        Document(
            "d4", D4, (quote(D4, '"a < b & c"', "direct", ("Tom",), speaker="Tom", cue="said"),)
        ),
    ]
    return gold, pred


@pytest.fixture(scope="module")
def result() -> EvaluationResult:
    gold, pred = sample()
    return evaluate_documents(gold, pred, focus="partial")


def test_json_report_matches_golden_file(result: EvaluationResult) -> None:
    text = render_json(result)
    if os.environ.get("QUOTES_REGENERATE_GOLDEN"):
        GOLDEN.write_text(text + "\n", encoding="utf-8")
    assert json.loads(text) == json.loads(GOLDEN.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        # hand-computed from sample(): 5 gold, 5 predicted quotes
        ("quotes.exact", {"tp": 2, "fp": 3, "fn": 3}),
        ("quotes.partial", {"tp": 4, "fp": 1, "fn": 1}),
        ("quotes.coverage30", {"tp": 4, "fp": 1, "fn": 1}),
        ("quotes.coverage80", {"tp": 3, "fp": 2, "fn": 2}),
        # partial: the mixed quote is attributed to Ann Lee instead of the critics
        ("end_to_end.partial", {"tp": 3, "fp": 2, "fn": 2}),
        ("end_to_end.exact", {"tp": 2, "fp": 3, "fn": 3}),
        # the mixed quote was typed direct: a direct fp and a mixed fn
        ("by_type.direct.partial", {"tp": 2, "fp": 1, "fn": 0}),
        ("by_type.mixed.partial", {"tp": 0, "fp": 0, "fn": 1}),
        ("by_type.indirect.partial", {"tp": 1, "fp": 1, "fn": 1}),
        # distinct cues: gold d1 {said, told, Critics said}, d2 {said}, d4 {said};
        # predicted d1 the same three, d3 {warned}, d4 {said}
        ("cues.exact", {"tp": 4, "fp": 1, "fn": 1}),
        ("attribution_accuracy.partial", {"accuracy": 0.75, "correct": 3, "total": 4}),
        ("documents", {"gold": 3, "pred": 3, "both": 2, "gold_only": 1, "pred_only": 1}),
        ("missing_documents", {"in_pred": ["d2"], "in_gold": ["d3"]}),
    ],
)
def test_json_report_figures(result: EvaluationResult, path: str, expected: dict) -> None:
    node = report_dict(result)
    for key in path.split("."):
        node = node[key]
    assert {k: node[k] for k in expected} == expected


def test_json_report_keys_are_stable(result: EvaluationResult) -> None:
    report = report_dict(result)
    assert list(report) == [
        "version",
        "modes",
        "focus_mode",
        "documents",
        "missing_documents",
        "quotes",
        "end_to_end",
        "by_type",
        "attribution_accuracy",
        "cues",
        "type_confusion",
        "speakers",
        "errors",
        "input_errors",
        "text_mismatches",
        "duplicate_ids",
        "failed_documents",
    ]
    for mode in ("exact", "partial", "coverage30", "coverage80"):
        assert set(report["quotes"][mode]) == {"p", "r", "f1", "tp", "fp", "fn"}
        assert set(report["end_to_end"][mode]) == {"p", "r", "f1", "tp", "fp", "fn"}
        for kind in ("direct", "indirect", "mixed"):
            assert set(report["by_type"][kind][mode]) == {"p", "r", "f1", "tp", "fp", "fn"}
    assert set(report["errors"][0]) == {
        "document",
        "kind",
        "start",
        "end",
        "gold",
        "pred",
        "context",
    }


def test_speaker_table_and_errors(result: EvaluationResult) -> None:
    report = report_dict(result)
    assert report["speakers"] == [
        {"name": "Ann Lee", "gold": 2, "found": 2, "found_right_speaker": 2, "missed": 0},
        {"name": "Tom", "gold": 1, "found": 1, "found_right_speaker": 1, "missed": 0},
        {"name": "critics", "gold": 1, "found": 1, "found_right_speaker": 0, "missed": 0},
        {"name": "mayor", "gold": 1, "found": 0, "found_right_speaker": 0, "missed": 1},
    ]
    kinds = [(e["document"], e["kind"]) for e in report["errors"]]
    assert kinds == [
        ("d1", "boundary"),
        ("d1", "boundary"),
        ("d1", "wrong_speaker"),
        ("d1", "wrong_type"),
        ("d2", "miss"),
        ("d3", "false_positive"),
    ]
    miss = report["errors"][4]
    assert miss["context"]["text"] == D2
    assert miss["gold"]["text"] == "taxes would not rise"


@pytest.mark.parametrize(
    ("fmt", "expected"),
    [
        (
            "table",
            [
                "Quotes (span)",
                "partial     0.800  0.800  0.800   4   1   1",
                "missing in pred (all misses): d2",
                "d3 17-26 false_positive",
            ],
        ),
        (
            "markdown",
            [
                "### Quotes (span)",
                "| partial | 0.800 | 0.800 | 0.800 | 4 | 1 | 1 |",
                "- missing in gold (all false positives): d3",
            ],
        ),
        ("json", ['"version": 1', '"focus_mode": "partial"']),
    ],
)
def test_render_formats(result: EvaluationResult, fmt: str, expected: list[str]) -> None:
    out = render(result, fmt)
    for line in expected:
        assert line in out


def test_render_rejects_unknown_format(result: EvaluationResult) -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(result, "yaml")


def test_html_report_is_self_contained_and_escaped(result: EvaluationResult) -> None:
    page = render_html(result)
    assert page.startswith("<!DOCTYPE html>")
    for forbidden in ("<script>", "<link", "src=", "http://", "https://", "@import"):
        assert forbidden not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "a &lt; b &amp; c" in page
    # both sides of every article, errors outlined, the missing documents named
    assert page.count('<div class="col"><h3>Gold</h3>') == 4
    assert 'class="q indirect boundary"' in page
    assert 'class="q mixed miss"' not in page  # found in partial mode, so not a miss
    assert 'class="q indirect miss"' in page  # d2's quote
    assert 'class="q indirect fp"' in page  # d3's quote
    assert "MISSING IN PREDICTIONS" in page and "MISSING IN GOLD" in page


def test_html_report_marks_overlapping_quotes() -> None:
    text = "He said “one two three four” today."
    outer = Quote("indirect", span(text, "“one two three four”"))
    inner = Quote("direct", span(text, "two three"))
    page = render_html(
        evaluate_documents([Document("x", text, (outer, inner))], [Document("x", text, (outer,))])
    )
    # the inner quote is drawn on top of the outer one, and is a miss
    assert '<span class="q direct miss"' in page
    assert ">two three</span>" in page


# --- the command line -----------------------------------------------------------

runner = CliRunner()


def _write(path: Path, docs: list[Document]) -> Path:
    path.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in docs), encoding="utf-8")
    return path


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    gold, pred = sample()
    gold_dir = tmp_path / "gold"
    gold_dir.mkdir()
    # gold as a folder of two files, predictions as one file
    _write(gold_dir / "a.jsonl", gold[:2])
    _write(gold_dir / "b.jsonl", gold[2:])
    return gold_dir, _write(tmp_path / "pred.jsonl", pred)


def test_cli_evaluate_json(files: tuple[Path, Path], tmp_path: Path) -> None:
    gold, pred = files
    report = tmp_path / "out" / "report.html"
    res = runner.invoke(
        app,
        [
            "evaluate",
            "--gold",
            str(gold),
            "--pred",
            str(pred),
            "--format",
            "json",
            "--report",
            str(report),
        ],
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["quotes"]["partial"]["f1"] == 0.8
    assert data["quotes"]["exact"]["tp"] == 2
    assert data["focus_mode"] == "partial"
    assert report.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(report.parent.glob(".*.tmp"))  # written atomically, nothing left over


@pytest.mark.parametrize(
    ("mode", "errors"),
    [
        ("exact", ["false_positive"] * 3 + ["miss"] * 3),
        (
            "partial",
            ["boundary", "boundary", "false_positive", "miss", "wrong_speaker", "wrong_type"],
        ),
        ("coverage80", ["boundary", "false_positive", "false_positive", "miss", "miss"]),
    ],
)
def test_cli_evaluate_mode_sets_the_error_list(
    files: tuple[Path, Path], mode: str, errors: list[str]
) -> None:
    gold, pred = files
    res = runner.invoke(
        app, ["evaluate", "-g", str(gold), "-p", str(pred), "--mode", mode, "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    assert sorted(e["kind"] for e in json.loads(res.stdout)["errors"]) == errors


def test_cli_evaluate_same_file_is_perfect(files: tuple[Path, Path]) -> None:
    gold, _ = files
    res = runner.invoke(
        app, ["evaluate", "--gold", str(gold), "--pred", str(gold), "--format", "json"]
    )
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    for mode in ("exact", "partial", "coverage30", "coverage80"):
        assert data["quotes"][mode]["f1"] == 1.0
        assert data["end_to_end"][mode]["f1"] == 1.0
    assert data["errors"] == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mode", "loose"], "unknown --mode"),
        (["--format", "yaml"], "unknown --format"),
    ],
)
def test_cli_evaluate_rejects_bad_options(
    files: tuple[Path, Path], args: list[str], message: str
) -> None:
    gold, pred = files
    res = runner.invoke(app, ["evaluate", "--gold", str(gold), "--pred", str(pred), *args])
    assert res.exit_code == 1
    assert message in res.stderr


def test_cli_evaluate_reports_unreadable_input(files: tuple[Path, Path], tmp_path: Path) -> None:
    gold, pred = files
    res = runner.invoke(
        app,
        [
            "evaluate",
            "--gold",
            str(gold),
            "--gold",
            str(tmp_path / "absent.jsonl"),
            "--pred",
            str(pred),
            "--format",
            "json",
        ],
    )
    assert res.exit_code == 1
    assert "no such file" in res.stderr
    assert json.loads(res.stdout)["quotes"]["exact"]["tp"] == 2  # the rest was scored


def test_cli_evaluate_nothing_to_score(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "--gold", str(empty), "--pred", str(empty)])
    assert res.exit_code == 1
    assert "no documents to score" in res.stderr
