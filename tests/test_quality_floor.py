"""A quality floor: the published seed figures cannot rot silently.

``gold/figures.json`` holds the extractor's published figures on the seeds'
gold, the one place the README's figures table repeats. These tests run the
extractor on the seed texts and fail when quote F1 or end-to-end F1 (partial)
drops more than the file's tolerance (0.02) below them, and when the README
no longer says what the file says.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from quotes.io import InputError, iter_annotated_documents
from quotes.pipeline import extract_documents
from quotes.scoring import EvaluationResult, evaluate_documents
from quotes.types import Document

ROOT = Path(__file__).resolve().parent.parent
FIGURES = json.loads((ROOT / "gold" / "figures.json").read_text(encoding="utf-8"))
PUBLISHED = FIGURES["seeds"]
PUBLISHED_MODEL = FIGURES["seeds_model"]
TOLERANCE = FIGURES["tolerance"]


def above_floor(measured: float, published: float, tolerance: float = TOLERANCE) -> bool:
    """The figure has not dropped more than ``tolerance`` below the published one."""
    return measured >= published - tolerance - 1e-9


@pytest.mark.parametrize(
    ("measured", "published", "ok"),
    [
        (0.955, 0.955, True),
        (0.940, 0.955, True),  # 0.015 lower: within the tolerance
        (0.935, 0.955, True),  # exactly 0.02 lower
        (0.934, 0.955, False),
        (0.700, 0.955, False),
        (0.990, 0.955, True),  # better is fine (then update gold/figures.json)
    ],
)
def test_floor_rule(measured: float, published: float, ok: bool) -> None:
    assert above_floor(measured, published) is ok


def seeds_score(nlp: Any) -> EvaluationResult:
    gold = [
        d
        for d in iter_annotated_documents([ROOT / "gold" / "seeds.jsonl"])
        if not isinstance(d, InputError)
    ]
    assert len(gold) == 5
    pred = list(extract_documents([Document(d.id, d.text) for d in gold], nlp))
    return evaluate_documents(gold, pred)


@pytest.fixture(scope="module")
def seeds_result(nlp: Any) -> EvaluationResult:
    """The rules alone on the seeds."""
    return seeds_score(nlp)


@pytest.fixture(scope="module")
def seeds_model_result(model_nlp: Any) -> EvaluationResult:
    """The shipped model (the default) on the seeds."""
    return seeds_score(model_nlp)


@pytest.mark.parametrize(
    ("key", "figure"),
    [
        ("quotes_f1_partial", lambda r: r.quotes("partial").f1),
        ("end_to_end_f1_partial", lambda r: r.end_to_end("partial").f1),
        ("quotes_f1_exact", lambda r: r.quotes("exact").f1),
        ("attribution_partial", lambda r: r.attribution("partial").value),
    ],
)
@pytest.mark.parametrize("which", ["seeds", "seeds_model"])
def test_seed_figures_stay_above_the_floor(
    seeds_result: EvaluationResult,
    seeds_model_result: EvaluationResult,
    which: str,
    key: str,
    figure: Any,
) -> None:
    result = seeds_result if which == "seeds" else seeds_model_result
    published = FIGURES[which][key]
    measured = figure(result)
    assert above_floor(measured, published), (
        f"{which} {key} {measured:.3f} dropped more than {TOLERANCE} below the published "
        f"{published:.3f} (gold/figures.json)"
    )


def test_readme_states_the_published_seed_figures() -> None:
    rows = [
        line
        for line in (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
        if line.startswith("| Seeds gold")
    ]
    assert len(rows) == 2, rows
    p, m = PUBLISHED, PUBLISHED_MODEL
    assert (
        f"| {m['quotes_f1_partial']:.3f} / {m['quotes_f1_exact']:.3f}"
        f" (rules alone {p['quotes_f1_partial']:.3f} / {p['quotes_f1_exact']:.3f}) |"
    ) in rows[0]
    assert (
        f"| {m['end_to_end_f1_partial']:.3f} (attribution {m['attribution_partial']:.3f};"
        f" rules alone {p['end_to_end_f1_partial']:.3f}, attribution"
        f" {p['attribution_partial']:.3f}) |"
    ) in rows[1]
