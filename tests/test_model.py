"""The trained model: shipped as package data, used by default, switched off by
--rules-only, trained and fine-tuned end to end, its confidence calibrated.

Sentences and names are invented; the training corpus is tests/training_docs.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import spacy
from typer.testing import CliRunner

from quotes import load_pipeline
from quotes.cli import app
from quotes.cues import CueLexicon
from quotes.model import ModelLoadError, QuoteModel, load_model, shipped_model_dir
from quotes.model.attribution import ModelSettings
from quotes.model.calibration import FEATURE_NAMES, Calibrator, expected_calibration_error
from quotes.model.candidates import DocView, content_candidates, cue_candidates, source_candidates
from quotes.model.policy import is_quote
from quotes.model.training import (
    GoldDocument,
    Parsed,
    fine_tune,
    parse,
    score_model,
    train_from_scratch,
)
from quotes.pipeline import extract_documents
from quotes.rules import find_quotes
from quotes.speakers import attribute_speakers
from quotes.types import Document

from .conftest import DATA, SEEDS
from .training_docs import documents

LEXICON = CueLexicon.default()


def quotes_of(nlp: Any, text: str) -> list[Any]:
    return list(next(extract_documents([Document("t", text)], nlp)).quotes)


# --- the shipped model -----------------------------------------------------------


def test_shipped_model_is_package_data_under_30_mb() -> None:
    folder = shipped_model_dir()
    names = {p.name for p in folder.iterdir()}
    assert {"settings.json", "weights.npz", "calibration.json"} <= names
    assert sum(p.stat().st_size for p in folder.iterdir()) < 30 * 2**20
    model = load_model()
    assert model.calibrator is not None
    assert model.version.startswith("quotes-")


def test_default_pipeline_uses_the_shipped_model(model_nlp: Any) -> None:
    extractor = model_nlp.get_pipe("quote_extractor")
    assert extractor.model is not None and extractor.model.version == load_model().version
    doc = next(
        extract_documents([Document("t", "The mayor said the bridge will reopen.")], model_nlp)
    )
    assert doc.model_version == load_model().version
    assert doc.to_dict()["model_version"] == load_model().version


def test_rules_only_pipeline_has_no_model(nlp: Any) -> None:
    extractor = nlp.get_pipe("quote_extractor")
    assert extractor.model is None and extractor.model_version == "rules"


def test_rules_only_output_is_the_rules(nlp: Any) -> None:
    """--rules-only runs the rules and nothing else: the same quotes as calling
    them directly, and the seeds' output kept in tests/data."""
    expected = {
        record["id"]: record
        for record in map(json.loads, (DATA / "rules_only_seeds.jsonl").read_text().splitlines())
    }
    texts = [Document(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    for doc in extract_documents(texts, nlp):
        assert doc.to_dict() == expected[doc.id]
        parsed = nlp(doc.text)
        direct, _ = attribute_speakers(parsed, find_quotes(parsed, LEXICON))
        assert [(q.start, q.end, q.type) for q in direct] == [
            (q.start, q.end, q.type) for q in doc.quotes
        ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The mayor said the bridge will reopen in the spring.",
            ["the bridge will reopen in the spring"],
        ),
        ("“The bridge will reopen,” the mayor said.", ["The bridge will reopen,"]),
        (
            "The ferry will stop in May, the harbour master told reporters.",
            ["The ferry will stop in May"],
        ),
        ("The mayor believes the bridge will reopen in the spring.", []),
        ("The mayor visited the harbour on Monday.", []),
        ("The mayor criticized the council.", []),
    ],
)
def test_model_finds_quotes(model_nlp: Any, text: str, expected: list[str]) -> None:
    found = [q.text.rstrip(",") for q in quotes_of(model_nlp, text)]
    assert found == [e.rstrip(",") for e in expected]


def test_speech_scope_keeps_noun_phrase_contents(model_nlp: Any) -> None:
    """The guidelines' scope drops "criticized [the council]"; the speech scope keeps it."""
    nlp = load_pipeline(config={"scope": "speech"})
    text = "The union leader sharply criticized the council and its plan for the harbour."
    wide = quotes_of(nlp, text)
    assert [q.text for q in wide] and not quotes_of(model_nlp, text)


def test_extra_cues_are_cues_for_the_model_too() -> None:
    """A user's own cue verb is a cue whatever the model learned of it."""
    text = "The committee postulated that the tides had shifted the sandbanks."
    nlp = load_pipeline(config={"extra_cues": ["postulate"]})
    assert [q.cue.text for q in quotes_of(nlp, text) if q.cue] == ["postulated"]


def test_confidence_is_a_probability_that_varies(model_nlp: Any) -> None:
    texts = [Document(p.stem, p.read_text(encoding="utf-8")) for p in sorted(SEEDS.glob("*.txt"))]
    confidences = [q.confidence for d in extract_documents(texts, model_nlp) for q in d.quotes]
    assert confidences and all(0.0 <= c <= 1.0 for c in confidences)
    assert len({round(c, 2) for c in confidences}) > 10  # not a constant per rule


def test_pipeline_saved_with_its_model_loads_the_same(model_nlp: Any, tmp_path: Path) -> None:
    text = "The mayor said the bridge will reopen in the spring. “We are ready,” she added."
    before = quotes_of(model_nlp, text)
    model_nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "quote_extractor" / "model" / "weights.npz").is_file()
    reloaded = spacy.load(tmp_path / "pipeline")
    assert reloaded.get_pipe("quote_extractor").model.version == load_model().version
    assert [(q.start, q.end, q.confidence) for q in quotes_of(reloaded, text)] == [
        (q.start, q.end, q.confidence) for q in before
    ]


def test_a_folder_that_is_no_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ModelLoadError, match="quotes train"):
        load_pipeline(model_dir=tmp_path)
    (tmp_path / "doc.txt").write_text("The mayor said the bridge will reopen.", encoding="utf-8")
    ran = CliRunner().invoke(
        app, ["extract", str(tmp_path / "doc.txt"), "--model-dir", str(tmp_path)]
    )
    assert ran.exit_code == 1
    assert "not a quotes model directory" in ran.output and "Traceback" not in ran.output


# --- candidates and the guidelines' line ------------------------------------------


def test_candidates_stay_in_the_paragraph_and_never_hold_their_cue(nlp: Any) -> None:
    for path in sorted(SEEDS.glob("*.txt")):
        doc = nlp(path.read_text(encoding="utf-8"))
        view = DocView(doc, LEXICON)
        for cue in cue_candidates(view):
            paragraph = view.paragraph(cue.i)
            for span in content_candidates(view, cue):
                assert not span.first <= cue.i <= span.last
                assert paragraph[0] <= span.first <= span.last <= paragraph[1]
            for source in source_candidates(view, cue):
                assert view.sent_of[source.i] == view.sent_of[cue.i] and source.i != cue.i


@pytest.mark.parametrize(
    ("text", "cue", "content", "expected"),
    [
        ("The mayor said the bridge will reopen.", "said", "the bridge will reopen", True),
        ("The mayor said that the bridge will reopen.", "said", "the bridge will reopen", True),
        ("The mayor urged the council to act.", "urged", "to act", True),
        ("The mayor called for a ceasefire.", "called", "a ceasefire", True),
        ("The minister denied the report.", "denied", "the report", True),
        (
            "The mayor would not say whether the bridge was safe.",
            "say",
            "whether the bridge was safe",
            False,
        ),
        (
            "The mayor explained why the bridge was closed.",
            "explained",
            "why the bridge was closed",
            True,
        ),
        ("The mayor criticized the council.", "criticized", "the council", False),
        ("The minister denied it.", "denied", "it", False),
        ("She described the talks as a success.", "described", "the talks as a success", True),
        ("The mayor praised a plan that failed.", "praised", "a plan that failed", False),
    ],
)
def test_guidelines_line(nlp: Any, text: str, cue: str, content: str, expected: bool) -> None:
    doc = nlp(text)
    start = text.index(content)
    span = doc.char_span(start, start + len(content))
    cue_token = next(t for t in doc if t.text == cue)
    subject = next((t for t in doc if t.dep_ in ("nsubj", "nsubjpass")), None)
    found = is_quote(doc, cue_token, span.start, span.end - 1, LEXICON, source=subject)
    assert found is expected
    # indirect speech needs a source: without one, nothing is a quote
    assert not is_quote(doc, cue_token, span.start, span.end - 1, LEXICON)


# --- training ----------------------------------------------------------------------


def gold_of(records: list[dict[str, Any]]) -> list[GoldDocument]:
    return [GoldDocument(Document.from_dict(r)) for r in records]


@pytest.fixture(scope="module")
def synthetic(nlp: Any) -> tuple[list[Parsed], list[Parsed]]:
    """Parsed invented documents: 24 to train on, 8 to test on."""
    train = parse(nlp, gold_of(documents(24, seed=1)), progress=False)
    test = parse(nlp, gold_of(documents(8, seed=2)), progress=False)
    return train, test


@pytest.fixture(scope="module")
def tiny_model(synthetic: tuple[list[Parsed], list[Parsed]]) -> QuoteModel:
    model, report = train_from_scratch(
        synthetic[0],
        LEXICON,
        settings=ModelSettings(rows=1 << 12),
        max_epochs=6,
        folds=2,
        progress=False,
    )
    assert report.threshold is not None and report.calibrated_quotes > 0
    return model


def test_training_from_scratch_learns_the_templates(
    tiny_model: QuoteModel, synthetic: tuple[list[Parsed], list[Parsed]]
) -> None:
    scores = score_model(tiny_model, synthetic[1], LEXICON)
    assert scores["quotes"]["f1"] >= 0.8, scores


def test_saved_model_loads_and_predicts_the_same(
    tiny_model: QuoteModel, synthetic: tuple[list[Parsed], list[Parsed]], tmp_path: Path
) -> None:
    tiny_model.to_disk(tmp_path / "model")
    loaded = QuoteModel.from_disk(tmp_path / "model")
    doc = synthetic[1][0].doc
    # weights are stored as float16: the same quotes, confidences within rounding
    mine, theirs = tiny_model.extract(doc, LEXICON)[0], loaded.extract(doc, LEXICON)[0]
    assert [(q.start, q.end) for q in mine] == [(q.start, q.end) for q in theirs]
    assert np.allclose([q.confidence for q in mine], [q.confidence for q in theirs], atol=0.02)


def test_fine_tuning_moves_the_model_and_keeps_it_working(
    tiny_model: QuoteModel, synthetic: tuple[list[Parsed], list[Parsed]]
) -> None:
    tuned, _ = fine_tune(tiny_model, synthetic[0][:12], LEXICON, epochs=2, progress=False)
    changed = [
        not np.array_equal(a.get_param("E"), b.get_param("E"))
        for a, b in zip(
            tuned.attribution.scorers["cue"].walk(),
            tiny_model.attribution.scorers["cue"].walk(),
            strict=True,
        )
        if a.has_param("E")
    ]
    assert changed == [True]
    assert score_model(tuned, synthetic[1], LEXICON)["quotes"]["f1"] >= 0.8


def test_quotes_train_and_extract_with_model_dir(tmp_path: Path) -> None:
    """The CLI end to end: gold JSONL in, a model directory out, extraction with it."""
    gold = tmp_path / "gold.jsonl"
    gold.write_text("".join(json.dumps(r) + "\n" for r in documents(12, seed=3)), encoding="utf-8")
    runner = CliRunner()
    ran = runner.invoke(
        app,
        [
            "train",
            "--train",
            str(gold),
            "-o",
            str(tmp_path / "model"),
            "--epochs",
            "2",
            "--no-progress",
        ],
    )
    assert ran.exit_code == 0, ran.output
    settings = json.loads((tmp_path / "model" / "settings.json").read_text())
    assert "+ft-" in settings["version"]
    (tmp_path / "doc.txt").write_text("The mayor said the bridge will reopen.", encoding="utf-8")
    ran = runner.invoke(
        app, ["extract", str(tmp_path / "doc.txt"), "--model-dir", str(tmp_path / "model")]
    )
    assert ran.exit_code == 0, ran.output
    assert json.loads(ran.stdout)["model_version"] == settings["version"]


def test_training_input_errors_are_named_and_the_rest_trains(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    good = "".join(json.dumps(r) + "\n" for r in documents(6, seed=4))
    gold.write_text(good + "{not json\n", encoding="utf-8")
    ran = CliRunner().invoke(
        app,
        [
            "train",
            "--train",
            str(gold),
            "-o",
            str(tmp_path / "m"),
            "--epochs",
            "1",
            "--no-progress",
        ],
    )
    assert ran.exit_code == 1
    assert f"{gold}:7" in ran.output and (tmp_path / "m" / "weights.npz").is_file()


# --- calibration ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("probabilities", "right", "expected"),
    [
        ([0.9, 0.9, 0.9, 0.9], [True, True, True, False], 0.15),
        ([0.15, 0.95], [False, True], 0.1),
        ([0.5, 0.5], [True, False], 0.0),
        ([], [], 0.0),
    ],
)
def test_expected_calibration_error(
    probabilities: list[float], right: list[bool], expected: float
) -> None:
    assert expected_calibration_error(probabilities, right) == pytest.approx(expected)


def test_calibrator_fitted_on_a_fixed_set_is_calibrated() -> None:
    """Quotes whose true chance of being right follows a known logistic curve:
    the fitted calibrator recovers it and its error is small."""
    rng = np.random.default_rng(0)
    n = 4000
    features = np.zeros((n, len(FEATURE_NAMES)))
    features[:, 0] = 1.0
    features[:, 1] = rng.normal(0, 2, n)  # logit.cue
    truth = 1 / (1 + np.exp(-(0.5 + 1.5 * features[:, 1])))
    right = rng.random(n) < truth
    calibrator = Calibrator.fit(features, right.astype(float))
    predicted = [calibrator.probability(x) for x in features]
    assert expected_calibration_error(predicted, right) < 0.03
    assert calibrator.weights[1] == pytest.approx(1.5, abs=0.2)
    assert Calibrator.from_dict(calibrator.to_dict()).weights == pytest.approx(calibrator.weights)


def test_loaded_models_are_bounded(tmp_path: Path) -> None:
    """``quotes serve`` loads a new directory after every fine-tuning: they must not pile up."""
    import shutil

    from quotes.model import LOADED_MODELS, load_model

    folders = []
    for number in range(LOADED_MODELS + 2):
        folder = tmp_path / f"run-{number}"
        shutil.copytree(shipped_model_dir(), folder)
        folders.append(folder)
    first = load_model(folders[0])
    assert load_model(folders[0]) is first  # loaded once per directory
    for folder in folders[1:]:
        load_model(folder)
    from quotes.model import _load_cached

    assert _load_cached.cache_info().currsize <= LOADED_MODELS
    again = load_model(folders[0])  # read back from disk once it was let go
    assert again is not first and again.version == first.version
