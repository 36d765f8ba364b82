"""The ``quote_extractor`` spaCy component.

``nlp.add_pipe("quote_extractor")`` in any English pipeline with a parser.
The component writes three span groups and keeps the full quotes for the
``Doc._.quotes`` and ``Doc._.quote_speakers`` getters::

    doc.spans["quotes"]          content spans, label = direct | indirect | mixed
    doc.spans["quotes.speaker"]  speaker mentions (one per quote that has one)
    doc.spans["quotes.cue"]      cue spans

The quotes are stored in ``doc.user_data`` as plain dicts, so they survive
``Doc.to_bytes`` and ``nlp.pipe(n_process=...)``.

The factory declares what the component reads and writes, so that
``nlp.analyze_pipes()`` warns about a pipeline without a parser or NER, and a
scorer (``quotes.scorer.v1``) with default score weights, so that
``nlp.evaluate()`` reports ``quotes_p``/``quotes_r``/``quotes_f`` (and the
end-to-end ``quotes_speaker_f`` where the reference docs carry quotes). A
pipeline that is not English, or has no parser, fails at once with the fix.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, cast

import srsly
from spacy.language import Language
from spacy.tokens import Doc, Span
from spacy.training import Example
from spacy.util import ensure_path, registry

from .cues import CueLexicon
from .doc_index import TimeBudgetExceeded, reading
from .model import SCOPES, QuoteModel, Scope, load_model
from .rules import find_quotes
from .speakers import attribute_speakers
from .types import CharSpan, Quote, Speaker

logger = logging.getLogger(__name__)

USER_DATA_KEY = "quotes.results"
TIME_LEFT_KEY = "quotes.time_left"
SPANS_KEY = "quotes"

DEFAULT_CONFIG: dict[str, Any] = {
    "spans_key": SPANS_KEY,
    "resolve_speakers": True,
    "min_confidence": 0.0,
    "extra_cues": [],
    "rules_only": False,
    "model_dir": None,
    "scope": "quotes",
    "scorer": {"@scorers": "quotes.scorer.v1"},
}

#: What the component writes (``nlp.analyze_pipes``).
ASSIGNS = ["doc.spans", "doc._.quotes", "doc._.quote_speakers"]
#: What the rules read: the parse, tags, lemmas and entities.
REQUIRES = ["token.dep", "token.head", "token.tag", "token.lemma", "doc.ents", "token.ent_type"]
#: ``nlp.evaluate`` and training select on quote F1.
SCORE_WEIGHTS: dict[str, float | None] = {
    "quotes_f": 1.0,
    "quotes_p": 0.0,
    "quotes_r": 0.0,
    "quotes_speaker_f": 0.0,
}


class PipelineMismatchError(ValueError):
    """The pipeline cannot run the rules: not English, or no parser."""


def check_pipeline(nlp: Language, name: str = "quote_extractor") -> None:
    """Raise :class:`PipelineMismatchError` with the fix when ``nlp`` cannot run the rules.

    The cue lexicon and the rules are English, and they read a dependency parse.
    """
    if nlp.lang != "en":
        raise PipelineMismatchError(
            f"{name} reads English only (its cue lexicon and rules are English), "
            f"but this pipeline's language is {nlp.lang!r}; use an English pipeline "
            "such as en_core_web_sm"
        )
    parsers = [n for n in nlp.pipe_names if "token.dep" in nlp.get_pipe_meta(n).assigns]
    if not parsers:
        raise PipelineMismatchError(
            f"{name} needs a dependency parser before it, and this pipeline has none "
            f"(components: {', '.join(nlp.pipe_names) or 'none'}); add one first, "
            "e.g. start from spacy.load('en_core_web_sm')"
        )


def _needs_parse(doc: Doc) -> bool:
    """True when ``doc`` has words but no dependency parse."""
    return not doc.has_annotation("DEP") and any(not t.is_space for t in doc)


def read_results(doc: Doc) -> tuple[list[Quote], list[Speaker]]:
    """The quotes and speakers stored on ``doc`` by the component."""
    stored = doc.user_data.get(USER_DATA_KEY)
    if not stored:
        return [], []
    quotes = [Quote.from_dict(q) for q in stored["quotes"]]
    speakers = [Speaker.from_dict(s) for s in stored["speakers"]]
    return quotes, speakers


def read_model_version(doc: Doc) -> str | None:
    """The version of what extracted the quotes on ``doc`` (``rules`` or a model's)."""
    stored = doc.user_data.get(USER_DATA_KEY) or {}
    version = stored.get("model_version")
    return None if version is None else str(version)


def read_error(doc: Doc) -> str | None:
    """Why the component could not process ``doc``, or None when it could."""
    stored = doc.user_data.get(USER_DATA_KEY) or {}
    error = stored.get("error")
    return None if error is None else str(error)


def read_too_costly(doc: Doc) -> bool:
    """True when the component stopped on ``doc`` at its time budget."""
    stored = doc.user_data.get(USER_DATA_KEY) or {}
    return bool(stored.get("too_costly"))


def read_seconds(doc: Doc) -> float:
    """Seconds the component spent on ``doc``."""
    stored = doc.user_data.get(USER_DATA_KEY) or {}
    return float(stored.get("seconds", 0.0))


def set_time_left(doc: Doc, seconds: float | None) -> None:
    """Let the component spend at most ``seconds`` on ``doc`` (None: no limit);
    it stops at that point and records the document as too costly."""
    if seconds is None:
        doc.user_data.pop(TIME_LEFT_KEY, None)
    else:
        doc.user_data[TIME_LEFT_KEY] = float(seconds)


def _get_quotes(doc: Doc) -> list[Quote]:
    return read_results(doc)[0]


def _get_speakers(doc: Doc) -> list[Speaker]:
    return read_results(doc)[1]


if not Doc.has_extension("quotes"):
    Doc.set_extension("quotes", getter=_get_quotes)
if not Doc.has_extension("quote_speakers"):
    Doc.set_extension("quote_speakers", getter=_get_speakers)


def _as_span(doc: Doc, span: CharSpan, label: str) -> Span | None:
    return doc.char_span(span.start, span.end, label=label, alignment_mode="expand")


class QuoteExtractor:
    """Finds direct, indirect and mixed quotes with their cues and speakers."""

    def __init__(
        self,
        nlp: Language,
        name: str = "quote_extractor",
        *,
        spans_key: str = SPANS_KEY,
        resolve_speakers: bool = True,
        min_confidence: float = 0.0,
        extra_cues: Iterable[str] = (),
        rules_only: bool = False,
        model_dir: str | None = None,
        scope: str = "quotes",
        scorer: Callable[..., dict[str, Any]] | None = None,
    ) -> None:
        self.name = name
        self.scorer = scorer
        self.spans_key = spans_key
        self.resolve_speakers = resolve_speakers
        self.min_confidence = min_confidence
        self.extra_cues = list(extra_cues)
        self.lexicon = CueLexicon.default().with_extra(self.extra_cues)
        self.rules_only = rules_only
        self.model_dir = model_dir
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}; use one of {', '.join(SCOPES)}")
        self.scope: Scope = cast(Scope, scope)
        # the trained model: from model_dir, else the one shipped in the package
        self.model: QuoteModel | None = None if rules_only else load_model(model_dir)

    @property
    def cfg(self) -> dict[str, Any]:
        return {
            "spans_key": self.spans_key,
            "resolve_speakers": self.resolve_speakers,
            "min_confidence": self.min_confidence,
            "extra_cues": self.extra_cues,
            "rules_only": self.rules_only,
            "model_dir": self.model_dir,
            "scope": self.scope,
        }

    @property
    def model_version(self) -> str:
        """``rules`` without a model, else the trained model's version."""
        return "rules" if self.model is None else self.model.version

    def __call__(self, doc: Doc) -> Doc:
        if _needs_parse(doc):  # a setup error, not a document's: stop the run
            raise PipelineMismatchError(
                f"{self.name} got a document without a dependency parse; put a parser "
                "before it in the pipeline (e.g. spacy.load('en_core_web_sm'))"
            )
        started = time.monotonic()
        time_left = doc.user_data.get(TIME_LEFT_KEY)
        deadline = None if time_left is None else started + float(time_left)
        try:
            # one set of lookup tables for the rules, the model and the speakers,
            # released after
            with reading(doc, deadline):
                if self.model is None:
                    quotes = find_quotes(doc, self.lexicon)
                    speakers: list[Speaker] = []
                    if self.resolve_speakers:
                        quotes, speakers = attribute_speakers(doc, quotes)
                else:
                    quotes, speakers = self.model.extract(
                        doc, self.lexicon, self.resolve_speakers, self.scope
                    )
        except Exception as err:  # a rule bug must not stop a batch of documents
            too_costly = isinstance(err, TimeBudgetExceeded)
            if not too_costly:
                logger.warning("quote_extractor failed on a document: %r", err)
            doc.user_data[USER_DATA_KEY] = {
                "quotes": [],
                "speakers": [],
                "error": f"{type(err).__name__}: {err}",
                "too_costly": too_costly,
                "seconds": time.monotonic() - started,
            }
            for suffix in ("", ".speaker", ".cue"):
                doc.spans[self.spans_key + suffix] = []
            return doc
        quotes = [q for q in quotes if q.confidence >= self.min_confidence]
        doc.user_data[USER_DATA_KEY] = {
            "quotes": [q.to_dict() for q in quotes],
            "speakers": [s.to_dict() for s in speakers],
            "model_version": self.model_version,
            "seconds": time.monotonic() - started,
        }
        groups: dict[str, list[Span]] = {"": [], ".speaker": [], ".cue": []}
        for quote in quotes:
            for suffix, span, label in (
                ("", quote.content, quote.type),
                (".speaker", quote.speaker, "speaker"),
                (".cue", quote.cue, "cue"),
            ):
                if span is not None and (as_span := _as_span(doc, span, label)) is not None:
                    groups[suffix].append(as_span)
        for suffix, spans in groups.items():
            doc.spans[self.spans_key + suffix] = spans
        return doc

    def score(self, examples: Iterable[Example], **kwargs: Any) -> dict[str, Any]:
        """Quote scores for ``nlp.evaluate`` (see :func:`score_quotes`)."""
        scorer = self.scorer or score_quotes
        return scorer(examples, spans_key=self.spans_key, **kwargs)

    # serialization, as spaCy's own rule-based components do it
    def to_bytes(self, *, exclude: Iterable[str] = ()) -> bytes:
        return srsly.json_dumps(self.cfg).encode("utf-8")

    def from_bytes(self, data: bytes, *, exclude: Iterable[str] = ()) -> QuoteExtractor:
        self._set_cfg(json.loads(data))
        return self

    def to_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> None:
        """The settings, and the trained model's weights under ``model/``."""
        target = ensure_path(path)
        target.mkdir(parents=True, exist_ok=True)
        srsly.write_json(target / "cfg.json", self.cfg)
        if self.model is not None:
            self.model.to_disk(target / "model")

    def from_disk(self, path: str | Path, *, exclude: Iterable[str] = ()) -> QuoteExtractor:
        source = ensure_path(path)
        # the standard json module: srsly's reader turns 0.6 into 0.6000000000000001
        self._set_cfg(json.loads((source / "cfg.json").read_text(encoding="utf-8")))
        if not self.rules_only and (source / "model").is_dir():
            self.model = QuoteModel.from_disk(source / "model")
        return self

    def _set_cfg(self, cfg: dict[str, Any]) -> None:
        self.spans_key = cfg.get("spans_key", SPANS_KEY)
        self.resolve_speakers = bool(cfg.get("resolve_speakers", True))
        self.min_confidence = float(cfg.get("min_confidence", 0.0))
        self.extra_cues = list(cfg.get("extra_cues", []))
        self.lexicon = CueLexicon.default().with_extra(self.extra_cues)
        scope = cfg.get("scope", "quotes")
        self.scope = cast(Scope, scope if scope in SCOPES else "quotes")
        rules_only = bool(cfg.get("rules_only", False))
        model_dir = cfg.get("model_dir")
        if (rules_only, model_dir) != (self.rules_only, self.model_dir):
            self.rules_only, self.model_dir = rules_only, model_dir
            self.model = None if rules_only else load_model(model_dir)


def _reference_quotes(doc: Doc, spans_key: str) -> tuple[list[Quote], bool]:
    """The quotes of a reference doc: stored by the component (with speakers), or
    its span group (labels = types); True when they carry speaker names."""
    stored, _ = read_results(doc)
    if stored:
        return stored, True
    spans = doc.spans.get(spans_key, [])
    text = doc.text
    quotes = [
        Quote(s.label_, CharSpan.of(text, s.start_char, s.end_char))
        for s in spans
        if s.label_ in ("direct", "indirect", "mixed")
    ]
    return quotes, False


def score_quotes(
    examples: Iterable[Example], spans_key: str = SPANS_KEY, **kwargs: Any
) -> dict[str, Any]:
    """Quote precision, recall and F1 (``partial`` matching, :mod:`quotes.scoring`)
    of predicted against reference docs, plus ``quotes_exact_f`` and, where the
    reference docs carry speaker names, the end-to-end ``quotes_speaker_f``."""
    from .scoring import Counts, score_document
    from .types import Document

    quotes, exact, speaker = Counts(), Counts(), Counts()
    with_speakers = False
    for index, example in enumerate(examples):
        gold, named = _reference_quotes(example.reference, spans_key)
        pred = read_results(example.predicted)[0]
        text = example.reference.text
        scored = score_document(
            Document(str(index), text, tuple(gold)),
            Document(str(index), text, tuple(pred)),
            modes=("partial", "exact"),
        )
        quotes = quotes + scored.matches["partial"].quote_counts()
        exact = exact + scored.matches["exact"].quote_counts()
        if named:
            with_speakers = True
            speaker = speaker + scored.matches["partial"].end_to_end_counts()
    return {
        "quotes_p": quotes.p,
        "quotes_r": quotes.r,
        "quotes_f": quotes.f1,
        "quotes_exact_f": exact.f1,
        "quotes_speaker_f": speaker.f1 if with_speakers else None,
    }


@registry.scorers("quotes.scorer.v1")
def make_quote_scorer() -> Callable[..., dict[str, Any]]:
    """The ``quote_extractor``'s scorer for ``nlp.evaluate`` (:func:`score_quotes`)."""
    return score_quotes


@Language.factory(
    "quote_extractor",
    default_config=DEFAULT_CONFIG,
    assigns=ASSIGNS,
    requires=REQUIRES,
    default_score_weights=SCORE_WEIGHTS,
)
def make_quote_extractor(
    nlp: Language,
    name: str,
    spans_key: str,
    resolve_speakers: bool,
    min_confidence: float,
    extra_cues: list[str],
    rules_only: bool,
    model_dir: str | None,
    scope: str,
    scorer: Callable[..., dict[str, Any]] | None,
) -> QuoteExtractor:
    """Factory of the ``quote_extractor`` component (see the module docstring).

    Raises :class:`PipelineMismatchError` for a pipeline that is not English or
    has no parser.
    """
    check_pipeline(nlp, name)
    return QuoteExtractor(
        nlp,
        name,
        spans_key=spans_key,
        resolve_speakers=resolve_speakers,
        min_confidence=min_confidence,
        extra_cues=extra_cues,
        rules_only=rules_only,
        model_dir=model_dir,
        scope=scope,
        scorer=scorer,
    )
