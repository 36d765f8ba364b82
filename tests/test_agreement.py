"""``quotes agreement``: pairwise agreement between annotators, through the scorer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from quotes.agreement import agreement, agreement_dict, render_agreement, render_agreement_html
from quotes.cli import app
from quotes.io import write_documents
from quotes.scoring import evaluate_documents
from quotes.types import CharSpan, Document, Quote

T1 = "Ann Lee said the bridge will open in May. “We are ready,” she told reporters."
T2 = "The mayor said taxes would not rise. Critics argued the plan was “a costly mistake”."
T3 = "Officials warned of delays on the northern line."
T4 = "Tom Baker said: “The vote is on Friday.”"
T5 = "Nobody said anything about the <script> tag & the rest."


def span(text: str, part: str) -> CharSpan:
    start = text.index(part)
    return CharSpan.of(text, start, start + len(part))


def quote(text: str, content: str, speaker: str | None, name: str, cue: str, kind="indirect"):
    return Quote(
        kind,
        span(text, content),
        None if speaker is None else span(text, speaker),
        (name,) if name else (),
        span(text, cue),
    )


BRIDGE = quote(T1, "the bridge will open in May", "Ann Lee", "Ann Lee", "said")
READY = quote(T1, "We are ready,", "she", "Ann Lee", "told", "direct")
READY_SHORT = quote(T1, "We are ready", "she", "Ann Lee", "told", "direct")
TAXES = quote(T2, "taxes would not rise", "The mayor", "mayor", "said")
TAXES_WRONG = quote(T2, "taxes would not rise", "The mayor", "Critics", "said")
PLAN = quote(T2, "the plan was “a costly mistake”", "Critics", "critics", "argued", "mixed")
DELAYS = quote(T3, "delays on the northern line", "Officials", "officials", "warned")
VOTE = quote(T4, "The vote is on Friday.", "Tom Baker", "Tom Baker", "said", "direct")

ANN_A = [
    Document("d1", T1, (BRIDGE, READY)),
    Document("d2", T2, (TAXES, PLAN)),
    Document("d3", T3, (DELAYS,)),
    Document("d4", T4, (VOTE,)),
    Document("only-a", T5, ()),
]
ANN_B = [
    Document("d1", T1, (BRIDGE, READY_SHORT)),  # a boundary
    Document("d2", T2, (TAXES_WRONG,)),  # a speaker, and PLAN only in A
    Document("d3", T3, ()),  # DELAYS only in A
    Document("d4", T4, (VOTE,)),  # full agreement
]


def test_pair_figures_are_the_scorers_on_shared_documents() -> None:
    found = agreement({"a": ANN_A, "b": ANN_B})
    [pair] = found.pairs
    assert (pair.first, pair.second, pair.only_first, pair.only_second) == (
        "a",
        "b",
        ("only-a",),
        (),
    )
    assert found.annotators == {"a": 5, "b": 4}
    shared = evaluate_documents(ANN_A[:4], ANN_B)
    for mode in ("exact", "partial", "coverage30", "coverage80"):
        assert pair.result.quotes(mode) == shared.quotes(mode)
        assert pair.result.end_to_end(mode) == shared.end_to_end(mode)
    # exact: READY vs READY_SHORT differ only by edge punctuation, which scoring drops
    assert pair.result.quotes("exact").to_dict() == {
        "p": 1.0,
        "r": 0.6667,
        "f1": 0.8,
        "tp": 4,
        "fp": 0,
        "fn": 2,
    }
    assert pair.result.end_to_end("partial").tp == 3
    assert pair.result.cues().to_dict()["f1"] == pytest.approx(0.8)


@pytest.mark.parametrize("mode", ["exact", "partial"])
def test_f1_does_not_depend_on_who_is_gold(mode: str) -> None:
    ab = agreement({"a": ANN_A, "b": ANN_B}).pairs[0].result
    ba = agreement({"b": ANN_B, "a": ANN_A}).pairs[0].result
    assert ab.quotes(mode).f1 == ba.quotes(mode).f1
    assert (ab.quotes(mode).p, ab.quotes(mode).r) == (ba.quotes(mode).r, ba.quotes(mode).p)
    assert ab.end_to_end(mode).f1 == ba.end_to_end(mode).f1


def test_most_disagreeing_documents_first_and_agreed_ones_left_out() -> None:
    [pair] = agreement({"a": ANN_A, "b": ANN_B}).pairs
    ranked = [(d.id, n) for d, n in pair.disagreements("exact")]
    # d2: PLAN only in A, TAXES speaker differs; d1: the boundary of READY is normalized away
    assert ranked == [("d2", 2), ("d3", 1)]


def test_three_annotators_give_three_pairs_in_order() -> None:
    found = agreement({"a": ANN_A, "b": ANN_B, "c": ANN_A[:2]})
    assert [(p.first, p.second) for p in found.pairs] == [("a", "b"), ("a", "c"), ("b", "c")]
    assert found.pairs[1].result.quotes("exact").f1 == 1.0
    assert [d.id for d in found.pairs[2].result.documents] == ["d1", "d2"]


def test_json_has_counts_and_disagreeing_spans_side_by_side() -> None:
    report = agreement_dict(agreement({"a": ANN_A, "b": ANN_B}, focus="exact"))
    [pair] = report["pairs"]
    assert pair["documents"] == {"both": 4, "only_a": ["only-a"], "only_b": []}
    assert (pair["quotes_a"], pair["quotes_b"]) == (6, 4)
    assert set(pair["by_type"]) == {"direct", "indirect", "mixed"}
    # of the 4 quotes both marked (exact), TAXES has another speaker name
    assert pair["attribution_accuracy"]["exact"] == {"accuracy": 0.75, "correct": 3, "total": 4}
    worst = pair["most_disagreeing"][0]
    assert worst["document"] == "d2"
    kinds = {
        (s["kind"], (s["a"] or {}).get("text"), (s["b"] or {}).get("text")) for s in worst["spans"]
    }
    assert kinds == {
        ("only A", "the plan was “a costly mistake”", None),
        ("speaker", "taxes would not rise", "taxes would not rise"),
    }


@pytest.mark.parametrize("fmt", ["table", "markdown", "json"])
def test_renderings_show_the_pair(fmt: str) -> None:
    out = render_agreement(agreement({"a": ANN_A, "b": ANN_B}), fmt)
    assert "0.800" in out or '"f1": 0.8' in out
    assert "a" in out and "b" in out


def test_html_report_escapes_and_shows_both_annotators() -> None:
    evil_a = [
        Document(
            "x", T5, (quote(T5, "anything about the <script> tag", "Nobody", "Nobody", "said"),)
        )
    ]
    page = render_agreement_html(agreement({"ann<a>": evil_a, "b": [Document("x", T5, ())]}))
    assert "<script>" not in page
    assert "ann&lt;a&gt;" in page and "&lt;script&gt;" in page
    assert page.count('class="cols"') == 1  # one disagreeing document, side by side


# --- through the CLI -------------------------------------------------------------


@pytest.fixture
def annotator_files(tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a@example.com.jsonl", tmp_path / "b@example.com.jsonl"
    write_documents(a, ANN_A[:4])
    write_documents(b, ANN_B)
    return a, b


@pytest.mark.parametrize("mode", ["exact", "partial", "coverage30", "coverage80"])
def test_agreement_f1_equals_evaluate_gold_a_pred_b(annotator_files, mode: str) -> None:
    a, b = annotator_files
    runner = CliRunner()
    agreed = runner.invoke(app, ["agreement", str(a), str(b), "--format", "json", "--mode", mode])
    scored = runner.invoke(app, ["evaluate", "-g", str(a), "-p", str(b), "--format", "json"])
    assert agreed.exit_code == 0 and scored.exit_code == 0, agreed.output + scored.output
    [pair] = json.loads(agreed.stdout)["pairs"]
    evaluated = json.loads(scored.stdout)
    assert (pair["a"], pair["b"]) == ("a@example.com", "b@example.com")
    for key in ("quotes", "end_to_end"):
        assert pair[key][mode] == evaluated[key][mode]
    assert pair["cues"] == evaluated["cues"]


def test_agreement_report_and_bad_input(annotator_files, tmp_path: Path) -> None:
    a, b = annotator_files
    broken = tmp_path / "c.jsonl"
    broken.write_text('{"id": "d1", "text": "x", "quotes": [{"start": 5}]}\nnot json\n')
    out = tmp_path / "agreement.html"
    ran = CliRunner().invoke(app, ["agreement", str(a), str(b), str(broken), "--report", str(out)])
    assert ran.exit_code == 1
    assert f"{broken}:1:" in ran.stderr and f"{broken}:2: malformed JSON" in ran.stderr
    assert "could not be read" in ran.stderr.splitlines()[-1]
    assert out.exists() and "a@example.com" in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "either per-annotator FILEs or --project"),
        (["--mode", "fuzzy", "x.jsonl", "y.jsonl"], "unknown --mode"),
        (["ONE"], "needs two annotators"),
    ],
    ids=["nothing", "bad mode", "one annotator"],
)
def test_agreement_usage_errors(annotator_files, args: list[str], message: str) -> None:
    a, _ = annotator_files
    args = [str(a) if x == "ONE" else x for x in args]
    ran = CliRunner().invoke(app, ["agreement", *args])
    assert ran.exit_code == 1
    assert message in ran.stderr
