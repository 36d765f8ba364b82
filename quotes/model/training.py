"""Training the model: from annotated news, or from annotators' corrections.

Two ways in, one loop:

* **From scratch** (``quotes train --from-scratch``; how the shipped model is
  made from PolNeAR's train split): the documents are parsed once, every
  candidate is featurized once, and the three scorers are trained with early
  stopping on a tenth of the documents held back. Out-of-fold predictions
  (each fold decoded by scorers that never saw it) choose the cue threshold
  and fit the confidence calibrator; the final scorers then train on all the
  documents for the epochs early stopping chose.
* **Fine-tuning** (``quotes train --from MODEL_DIR``, and ``quotes serve``
  after enough corrections): the scorers start from a trained model and are
  pulled back towards its weights while they learn (an L2 penalty on the
  distance to the starting weights), so a few dozen corrected articles move
  the model without making it forget what it knew; the calibrator is refitted
  the same way from out-of-fold predictions when there are enough documents.

Gold is JSONL in the project's schema (what ``quotes pull`` writes) or the
third-party dev/train format: a quote with ``"speech_cue": false`` whose type
is indirect (a belief, a poll that "shows") is not reported speech, so its cue
counts as a negative and a prediction that only overlaps it is neither right
nor wrong.
"""

from __future__ import annotations

import copy
import hashlib
import math
import os
import shutil
import sys
import tempfile
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from spacy.language import Language
from spacy.tokens import Doc, Token
from thinc.api import Adam, Model, fix_random_seed
from tqdm import tqdm

from ..cues import CueLexicon
from ..io import InputError, _expand, _read_jsonl_lines
from ..marks import mark_paragraph_starts
from ..rules import find_quotes
from ..rules.text import reading
from ..scoring import match_document, normalize_span
from ..speakers import attribute_speakers
from ..types import Document, Quote, SchemaError
from . import QuoteModel
from .attribution import DENSE_SLOTS, TASKS, AttributionModel, Decoded, ModelSettings, encode
from .calibration import (
    FEATURE_NAMES,
    FLOATING,
    RELIABILITY_STRENGTH,
    Calibrator,
    expected_calibration_error,
    quote_features,
    speaker_kind,
)
from .candidates import DocView
from .examples import DocSamples, document_samples
from .network import Encoded, binary_loss, group_loss, sigmoid
from .policy import is_quote

#: Cue thresholds tried on out-of-fold predictions.
THRESHOLDS = (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


# --- gold -------------------------------------------------------------------------


@dataclass
class GoldDocument:
    """A gold document: reported-speech quotes, and attributions that are not speech."""

    document: Document
    other: tuple[Quote, ...] = ()  # beliefs, findings: set aside, not scored


def is_reported_speech(record: dict[str, Any]) -> bool:
    """A gold quote is reported speech unless the data says its cue is not speech
    and it has no quotation marks ("voters believe ...", "polls show ...")."""
    return bool(record.get("speech_cue", True)) or record.get("type") != "indirect"


def read_gold(paths: Iterable[str | Path]) -> Iterator[GoldDocument | InputError]:
    """Gold documents from JSONL files or folders; an unreadable line is an
    :class:`InputError` naming file and line, and the rest come through."""
    for item in _expand(paths):
        if isinstance(item, InputError):
            yield item
            continue
        if item.suffix != ".jsonl":
            continue
        for number, record in _read_jsonl_lines(item):
            if isinstance(record, InputError):
                yield record
                continue
            quotes = record.get("quotes") or []
            if not isinstance(quotes, list) or not all(isinstance(q, dict) for q in quotes):
                yield InputError(str(item), '"quotes" must be a list of objects', number)
                continue
            speech = [q for q in quotes if is_reported_speech(q)]
            other = [q for q in quotes if not is_reported_speech(q)]
            try:
                document = Document.from_dict({**record, "quotes": speech})
                rest = Document.from_dict({**record, "quotes": other})
            except SchemaError as err:
                yield InputError(str(item), f"{err}; fix the record", number)
                continue
            yield GoldDocument(document, rest.quotes)


# --- parsing --------------------------------------------------------------------


@dataclass
class Parsed:
    """A gold document parsed once, with everything training reads from it.

    ``gold`` trains the scorers (every attribution of speech); ``quotes`` is
    the same gold with what the guidelines do not call a quote set aside
    (:mod:`.policy`), for choosing the threshold, calibrating and scoring.
    """

    gold: GoldDocument
    doc: Doc
    samples: DocSamples | None = None
    quotes: GoldDocument | None = None

    @property
    def id(self) -> str:
        return self.gold.document.id


def parse(
    nlp: Language, gold: Sequence[GoldDocument], *, progress: bool = True, batch_size: int = 16
) -> list[Parsed]:
    """Parse the gold texts with the pipeline (without the quote extractor)."""
    disabled = [name for name in ("quote_extractor",) if name in nlp.pipe_names]
    docs = (mark_paragraph_starts(nlp.make_doc(g.document.text)) for g in gold)
    out = []
    with nlp.select_pipes(disable=disabled):
        bar = tqdm(total=len(gold), desc="parse", unit="doc", disable=not progress, file=sys.stderr)
        with bar:
            for item, doc in zip(gold, nlp.pipe(docs, batch_size=batch_size), strict=True):
                out.append(Parsed(item, doc))
                bar.update(1)
    return out


def prepare(parsed: Sequence[Parsed], lexicon: CueLexicon) -> None:
    """Candidates, gold labels and in-scope gold of every document (once)."""
    for item in parsed:
        if item.samples is None:
            with reading(item.doc):
                view = DocView.with_rules(item.doc, lexicon)
                item.samples = document_samples(view, list(item.gold.document.quotes))
                item.quotes = quotes_in_scope(item.doc, item.gold, lexicon)


def quotes_in_scope(doc: Doc, gold: GoldDocument, lexicon: CueLexicon) -> GoldDocument:
    """``gold`` with the attributions the guidelines do not call quotes set aside."""
    kept, other = [], list(gold.other)
    for quote in gold.document.quotes:
        cue = (
            doc.char_span(quote.cue.start, quote.cue.end, alignment_mode="expand")
            if quote.cue is not None
            else None
        )
        piece = quote.pieces()[0]
        tokens = doc.char_span(piece.start, piece.end, alignment_mode="expand")
        if (
            quote.type != "indirect"
            or cue is None
            or len(cue) == 0
            or tokens is None
            or len(tokens) == 0
            or is_quote(
                doc,
                cue.root,
                tokens.start,
                tokens.end - 1,
                lexicon,
                source=gold_source(doc, quote),
                head=tokens.root,
            )
        ):
            kept.append(quote)
        else:
            other.append(quote)
    document = gold.document
    return GoldDocument(
        Document(document.id, document.text, tuple(kept), document.speakers), tuple(other)
    )


def gold_source(doc: Doc, quote: Quote) -> Token | None:
    """The head of a gold quote's speaker mention."""
    if quote.speaker is None:
        return None
    span = doc.char_span(quote.speaker.start, quote.speaker.end, alignment_mode="expand")
    return None if span is None or len(span) == 0 else span.root


def scoped(item: Parsed) -> GoldDocument:
    """The in-scope gold of a prepared document."""
    assert item.quotes is not None, "prepare() first"
    return item.quotes


# --- arrays -----------------------------------------------------------------------


def encode_task(parsed: Sequence[Parsed], task: str, settings: ModelSettings) -> Encoded:
    """All samples of ``task`` in ``parsed`` as arrays, with groups and gold labels."""
    ids: list[NDArray[np.uint64]] = []
    lengths: list[NDArray[np.int32]] = []
    dense: list[NDArray[np.float32]] = []
    groups: list[int] = []
    gold: list[float] = []
    for item in parsed:
        samples = item.samples
        assert samples is not None, "prepare() first"
        if task == "cue":
            chunks = [samples.cues] if samples.cues else []
            groups.extend([1] * len(samples.cues))
            gold.extend(samples.cue_gold)
        else:
            chunks = samples.contents if task == "content" else samples.sources
            labels = samples.content_gold if task == "content" else samples.source_gold
            groups.extend(len(c) for c in chunks)
            gold.extend(float(g) for g in labels)
        tensor = samples.tensor if samples.tensor is not None else np.zeros((0, 0), np.float32)
        for chunk in chunks:
            flat, length, rows = encode(chunk, settings.rows, tensor, settings.tensor_width)
            ids.append(flat)
            lengths.append(length)
            dense.append(rows)
    width = DENSE_SLOTS[task] * settings.tensor_width
    return Encoded(
        np.concatenate(ids) if ids else np.zeros(0, np.uint64),
        np.concatenate(lengths) if lengths else np.zeros(0, np.int32),
        np.vstack(dense) if dense else np.zeros((0, width), np.float32),
        np.asarray(groups, np.int32),
        np.asarray(gold, np.float32),
    )


def group_rows(encoded: Encoded, chosen: NDArray[np.int64]) -> NDArray[np.int64]:
    """Sample rows of the groups ``chosen``."""
    starts = np.concatenate([[0], np.cumsum(encoded.groups, dtype=np.int64)[:-1]])
    return np.concatenate([np.arange(starts[g], starts[g] + encoded.groups[g]) for g in chosen])


# --- one scorer -----------------------------------------------------------------------


@dataclass
class FitResult:
    """How training one scorer went."""

    task: str
    epochs: int  # the best epoch (1-based), or the epochs run without validation
    valid_score: float | None
    history: list[float] = field(default_factory=list)


def score_task(scorer: Model[Any, Any], encoded: Encoded, task: str) -> float:
    """Validation score: F1 at 0.5 for cues, accuracy of the choice for the others."""
    if len(encoded) == 0:
        return 0.0
    logits = np.concatenate(
        [
            np.asarray(scorer.predict(encoded.batch(np.arange(k, min(len(encoded), k + 4096)))))[
                :, 0
            ]
            for k in range(0, len(encoded), 4096)
        ]
    )
    if task == "cue":
        guess = sigmoid(logits) >= 0.5
        gold = encoded.gold > 0.5
        tp = float((guess & gold).sum())
        denominator = guess.sum() + gold.sum()
        return 2 * tp / denominator if denominator else 0.0
    right, start = 0, 0
    for size, label in zip(encoded.groups, encoded.gold, strict=True):
        right += int(label >= 0 and int(np.argmax(logits[start : start + size])) == int(label))
        start += size
    return right / max(1, int((encoded.gold >= 0).sum()))


def _params(scorer: Model[Any, Any]) -> list[dict[str, Any]]:
    """A copy of every weight array of ``scorer``, node by node."""
    return [
        {name: node.get_param(name).copy() for name in node.param_names if node.has_param(name)}
        for node in scorer.walk()
    ]


def _set_params(scorer: Model[Any, Any], params: list[dict[str, Any]]) -> None:
    for node, values in zip(scorer.walk(), params, strict=True):
        for name, value in values.items():
            node.set_param(name, value.copy())


def fit_scorer(
    scorer: Model[Any, Any],
    task: str,
    train: Encoded,
    valid: Encoded | None,
    *,
    epochs: int,
    learn_rate: float = 0.002,
    anchor_strength: float = 0.0,
    seed: int = 0,
    patience: int = 2,
    progress: bool = True,
) -> FitResult:
    """Train one scorer in place; with ``valid``, keep the weights of its best epoch.

    ``anchor_strength`` > 0 pulls the weights towards where they started
    (fine-tuning without forgetting).
    """
    fix_random_seed(seed)  # dropout and feature dropout draw from the seeded generators
    optimizer = Adam(learn_rate)
    rng = np.random.default_rng(seed)
    anchor = _params(scorer) if anchor_strength > 0 else None
    grouped = task != "cue"
    units = len(train.groups) if grouped else len(train)
    batch = 64 if grouped else 256
    best_score, best_epoch, best_params = -1.0, 0, _params(scorer)
    history: list[float] = []
    steps = epochs * math.ceil(units / batch) if units else 0
    bar = tqdm(
        total=steps, desc=f"train {task}", unit="batch", disable=not progress, file=sys.stderr
    )
    with bar:
        for epoch in range(1, epochs + 1):
            order = rng.permutation(units)
            for k in range(0, units, batch):
                chosen = np.sort(order[k : k + batch])
                rows = group_rows(train, chosen) if grouped else chosen
                logits, backprop = scorer.begin_update(train.batch(rows))
                if grouped:
                    _, grad = group_loss(logits[:, 0], train.groups[chosen], train.gold[chosen])
                else:
                    _, grad = binary_loss(logits[:, 0], train.gold[rows])
                backprop(grad[:, None] / len(chosen))
                if anchor is not None:
                    for node, start in zip(scorer.walk(), anchor, strict=True):
                        for name, value in start.items():
                            weights: Any = node.get_param(name)
                            node.inc_grad(name, anchor_strength * (weights - value))
                scorer.finish_update(optimizer)
                bar.update(1)
            if valid is not None and len(valid):
                # judged, and kept, with the weights averaged over the updates so far
                with scorer.use_params(optimizer.averages):
                    score = score_task(scorer, valid, task)
                    params = _params(scorer)
                history.append(score)
                bar.set_postfix(valid=f"{score:.3f}")
                if score > best_score:
                    best_score, best_epoch, best_params = score, epoch, params
                elif epoch - best_epoch >= patience:
                    break
    if valid is not None and len(valid) and best_epoch:
        _set_params(scorer, best_params)
        return FitResult(task, best_epoch, best_score, history)
    with scorer.use_params(optimizer.averages):
        averaged = _params(scorer)
    _set_params(scorer, averaged)
    return FitResult(task, epochs, None, history)


def fit_scorers(
    model: AttributionModel,
    train: Sequence[Parsed],
    valid: Sequence[Parsed] | None,
    *,
    epochs: dict[str, int],
    learn_rate: float = 0.002,
    anchor_strength: float = 0.0,
    progress: bool = True,
) -> dict[str, FitResult]:
    """Train the three scorers of ``model`` in place."""
    results = {}
    for task in TASKS:
        train_enc = encode_task(train, task, model.settings)
        valid_enc = encode_task(valid, task, model.settings) if valid else None
        if len(train_enc) == 0:
            results[task] = FitResult(task, 0, None)
            continue
        results[task] = fit_scorer(
            model.scorers[task],
            task,
            train_enc,
            valid_enc,
            epochs=epochs[task],
            learn_rate=learn_rate,
            anchor_strength=anchor_strength,
            progress=progress,
        )
    return results


# --- decoding and labelling -------------------------------------------------------------


@dataclass
class Prediction:
    """A document decoded by scorers that did not train on it."""

    parsed: Parsed
    view: DocView
    decoded: list[Decoded]  # at the lowest threshold tried


def predict(
    model: AttributionModel, parsed: Sequence[Parsed], lexicon: CueLexicon
) -> list[Prediction]:
    """Decode documents at the lowest threshold; :func:`assemble` applies a higher one."""
    low = replace(model.settings, cue_threshold=min(THRESHOLDS))
    scorer = AttributionModel(low, model.scorers)
    out = []
    for item in parsed:
        with reading(item.doc):
            view = DocView.with_rules(item.doc, lexicon)
            out.append(Prediction(item, view, scorer.decode(view)))
    return out


def assemble(
    prediction: Prediction, lexicon: CueLexicon, threshold: float
) -> tuple[list[Quote], dict[int, float], list[Decoded]]:
    """Quotes of a prediction at ``threshold``, their confidence before speaker
    resolution (by position), and the attributions used."""
    decoded = [d for d in prediction.decoded if d.cue >= threshold]
    doc = prediction.parsed.doc
    quotes = find_quotes(doc, lexicon, [d.attribution for d in decoded])
    base = [q.confidence for q in quotes]
    resolved, _ = attribute_speakers(doc, quotes)
    return resolved, dict(enumerate(base)), decoded


@dataclass(frozen=True)
class Verdict:
    """How right one predicted quote is against gold."""

    span: bool  # it matches a gold quote under partial overlap
    mention: bool  # ...and names the gold speaker mention (or the same speaker)
    name: bool | None  # ...and its canonical name agrees (None: the gold names nobody)

    @property
    def right(self) -> bool:
        """Span, mention and (where the gold names the speaker) name right."""
        return self.span and self.mention and self.name is not False


def _mention_agrees(gold: Quote, pred: Quote, names: bool) -> bool:
    """The same speaker mention: overlapping spans, or both without one; a quote
    with a mention on one side only agrees when the canonical names do."""
    if gold.speaker is not None and pred.speaker is not None:
        return gold.speaker.overlap(pred.speaker) > 0
    if gold.speaker is None and pred.speaker is None:
        return True
    return names


def label_quotes(gold: GoldDocument, quotes: Sequence[Quote]) -> list[Verdict | None]:
    """A :class:`Verdict` for each predicted quote, or None when the gold says
    nothing about it: it only overlaps an attribution that is not reported
    speech, or it is a floating quote (no cue) in a corpus that annotates none
    (PolNeAR ties every attribution to a cue)."""
    document = gold.document
    match = match_document(document.quotes, quotes, "partial")
    verdicts: list[Verdict | None] = [Verdict(False, False, None)] * len(quotes)
    for pair in match.pairs:
        truth = document.quotes[pair.gold]
        named = bool(truth.speaker_name)
        verdicts[pair.pred] = Verdict(
            True,
            _mention_agrees(truth, quotes[pair.pred], pair.speaker_agrees),
            pair.speaker_agrees if named else None,
        )
    for k in match.absorbed:
        verdicts[k] = None
    floating_annotated = any(q.cue is None for q in document.quotes)
    inside = [normalize_span(p) for q in document.quotes for p in q.pieces()]
    outside = [normalize_span(p) for q in gold.other for p in q.pieces()]
    for k, quote in enumerate(quotes):
        verdict = verdicts[k]
        if verdict is None or verdict.span:
            continue
        if quote.cue is None and not floating_annotated:
            verdicts[k] = None
            continue
        pieces = [normalize_span(p) for p in quote.pieces()]
        touches_other = any(p.overlap(s) for p in pieces for s in outside)
        if touches_other and not any(p.overlap(s) for p in pieces for s in inside):
            verdicts[k] = None
    return verdicts


@dataclass
class Choice:
    """The cue threshold chosen on out-of-fold predictions, with its figures."""

    threshold: float
    f1: float
    precision: float
    recall: float


def choose_threshold(predictions: Sequence[Prediction], lexicon: CueLexicon) -> Choice:
    """The cue threshold with the best quote F1 (partial overlap) out of fold."""
    best: Choice | None = None
    for threshold in THRESHOLDS:
        tp = fp = fn = 0
        for prediction in predictions:
            quotes, _, _ = assemble(prediction, lexicon, threshold)
            gold = scoped(prediction.parsed)
            match = match_document(gold.document.quotes, quotes, "partial")
            labels = label_quotes(gold, quotes)
            tp += len(match.pairs)
            fn += len(match.missed)
            fp += sum(1 for k in match.false_positives if labels[k] is not None)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        if best is None or f1 > best.f1:
            best = Choice(threshold, f1, precision, recall)
    assert best is not None
    return best


@dataclass
class CalibrationData:
    """Out-of-fold quotes for the calibrator: features, whether span and mention
    were right, and per speaker kind how often the name then was (right, total)."""

    features: NDArray[np.float64]
    labels: NDArray[np.float64]
    names: dict[str, tuple[int, int]]


def calibration_data(
    predictions: Sequence[Prediction], lexicon: CueLexicon, threshold: float
) -> CalibrationData:
    """The :class:`CalibrationData` of every out-of-fold quote at ``threshold``."""
    rows, labels = [], []
    names: dict[str, tuple[int, int]] = {}
    for prediction in predictions:
        quotes, base, decoded = assemble(prediction, lexicon, threshold)
        by_cue = {(d.attribution.cue.start, d.attribution.cue.end): d for d in decoded}
        verdicts = label_quotes(scoped(prediction.parsed), quotes)
        for k, (quote, verdict) in enumerate(zip(quotes, verdicts, strict=True)):
            if verdict is None:
                continue
            if quote.cue is None:
                # floating: right as a whole, counted where the gold names speakers
                if verdict.name is not None or not verdict.span:
                    right, total = names.get(FLOATING, (0, 0))
                    names[FLOATING] = (right + verdict.right, total + 1)
                continue
            source = by_cue.get((quote.cue.start, quote.cue.end)) if quote.cue else None
            rows.append(quote_features(quote, source, base[k]))
            labels.append(float(verdict.span and verdict.mention))
            if verdict.span and verdict.mention and verdict.name is not None:
                kind = speaker_kind(quote)
                right, total = names.get(kind, (0, 0))
                names[kind] = (right + verdict.name, total + 1)
    return CalibrationData(
        np.vstack(rows) if rows else np.zeros((0, len(FEATURE_NAMES))),
        np.asarray(labels, dtype=np.float64),
        names,
    )


def calibration_error(calibrator: Calibrator, data: CalibrationData) -> float:
    """The expected calibration error of the mention-level factor on ``data``."""
    probabilities = [calibrator.probability(x) for x in data.features]
    return expected_calibration_error(probabilities, list(data.labels > 0.5))


# --- the two ways in -------------------------------------------------------------------


@dataclass
class TrainingReport:
    """What a training run did and measured, for the CLI and the benchmarks."""

    documents: int
    seconds: float
    fits: dict[str, FitResult]
    threshold: Choice | None = None
    calibration_error: float | None = None
    calibrated_quotes: int = 0
    notes: list[str] = field(default_factory=list)


def folds_of(items: Sequence[Parsed], folds: int) -> list[list[Parsed]]:
    """``items`` dealt into ``folds`` parts by a stable order of their ids."""
    ordered = sorted(items, key=lambda p: (zlib.crc32(p.id.encode("utf-8")), p.id))
    return [ordered[k::folds] for k in range(folds)]


def others_than(items: Sequence[Parsed], held: Sequence[Parsed]) -> list[Parsed]:
    """``items`` without those in ``held`` (by identity)."""
    skip = {id(p) for p in held}
    return [p for p in items if id(p) not in skip]


def train_from_scratch(
    parsed: Sequence[Parsed],
    lexicon: CueLexicon,
    *,
    settings: ModelSettings | None = None,
    max_epochs: int = 10,
    folds: int = 4,
    names_gold: Sequence[Parsed] = (),
    progress: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[QuoteModel, TrainingReport]:
    """A new model from annotated documents (see the module docstring).

    ``names_gold`` (gold that names its speakers, not trained on) estimates how
    often each kind of speaker mention resolves to the right canonical name.
    """
    started = time.perf_counter()
    settings = settings or ModelSettings()
    prepare(parsed, lexicon)
    parts = folds_of(parsed, 10)
    valid, train = parts[0], [p for part in parts[1:] for p in part]
    log(f"early stopping: {len(train)} documents to train, {len(valid)} to validate")
    probe = AttributionModel.create(settings)
    fits = fit_scorers(
        probe, train, valid, epochs=dict.fromkeys(TASKS, max_epochs), progress=progress
    )
    epochs = {task: max(1, fit.epochs) for task, fit in fits.items()}
    log("best epochs: " + ", ".join(f"{t} {e}" for t, e in epochs.items()))
    predictions: list[Prediction] = []
    for k, held in enumerate(folds_of(parsed, folds)):
        log(f"fold {k + 1}/{folds}: out-of-fold predictions for {len(held)} documents")
        others = others_than(parsed, held)
        fold_model = AttributionModel.create(settings)
        fit_scorers(fold_model, others, None, epochs=epochs, progress=progress)
        predictions.extend(predict(fold_model, held, lexicon))
    choice = choose_threshold(predictions, lexicon)
    log(
        f"cue threshold {choice.threshold}: out-of-fold quote P {choice.precision:.3f} "
        f"R {choice.recall:.3f} F1 {choice.f1:.3f}"
    )
    data = calibration_data(predictions, lexicon, choice.threshold)
    calibrator = Calibrator.fit(data.features, data.labels).with_reliability(data.names)
    error = calibration_error(calibrator, data)
    log(f"calibrator fitted on {len(data.labels)} out-of-fold quotes (in-sample ECE {error:.3f})")
    final = AttributionModel.create(replace(settings, cue_threshold=choice.threshold))
    fits = fit_scorers(final, parsed, None, epochs=epochs, progress=progress)
    model = QuoteModel(final, calibrator)
    if names_gold:
        # the canonical names' reliability per speaker kind, on gold that names them
        prepare(names_gold, lexicon)
        counts = calibration_data(predict(final, names_gold, lexicon), lexicon, choice.threshold)
        model.calibrator = calibrator.with_reliability(counts.names)
        log(
            "speaker name reliability from "
            f"{sum(t for _, t in counts.names.values())} quotes of {len(names_gold)} documents: "
            + ", ".join(
                f"{k} {v:.2f}" for k, v in sorted(model.calibrator.speaker_reliability.items())
            )
        )
    report = TrainingReport(
        len(parsed), time.perf_counter() - started, fits, choice, error, len(data.labels)
    )
    return model, report


def fine_tune(
    base: QuoteModel,
    parsed: Sequence[Parsed],
    lexicon: CueLexicon,
    *,
    epochs: int = 8,
    learn_rate: float = 0.001,
    anchor_strength: float = 0.01,
    valid: Sequence[Parsed] | None = None,
    folds: int = 3,
    progress: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> tuple[QuoteModel, TrainingReport]:
    """``base`` trained further on ``parsed`` (corrections), pulled towards its own
    weights so that it keeps what it knew (see the module docstring)."""
    started = time.perf_counter()
    prepare(parsed, lexicon)
    if valid:
        prepare(valid, lexicon)

    def tuned() -> AttributionModel:
        return AttributionModel(
            copy.deepcopy(base.attribution.settings),
            {task: copy.deepcopy(scorer) for task, scorer in base.attribution.scorers.items()},
        )

    model = tuned()
    fits = fit_scorers(
        model,
        parsed,
        valid,
        epochs=dict.fromkeys(TASKS, epochs),
        learn_rate=learn_rate,
        anchor_strength=anchor_strength,
        progress=progress,
    )
    calibrator = base.calibrator
    report = TrainingReport(len(parsed), 0.0, fits)
    if len(parsed) >= 2 * folds:
        # the calibrator learns from quotes the scorers did not train on,
        # and stays near the old one where the corrections say little
        predictions: list[Prediction] = []
        for held in folds_of(parsed, folds):
            fold_model = tuned()
            fit_scorers(
                fold_model,
                others_than(parsed, held),
                None,
                epochs={t: max(1, f.epochs) for t, f in fits.items()},
                learn_rate=learn_rate,
                anchor_strength=anchor_strength,
                progress=False,
            )
            predictions.extend(predict(fold_model, held, lexicon))
        data = calibration_data(predictions, lexicon, model.settings.cue_threshold)
        if len(data.labels) >= 20 and base.calibrator is not None:
            calibrator = fit_near(base.calibrator, data.features, data.labels).with_reliability(
                data.names, strength=2 * RELIABILITY_STRENGTH
            )
            report.calibration_error = calibration_error(calibrator, data)
            report.calibrated_quotes = len(data.labels)
    else:
        report.notes.append(
            f"calibrator kept: {len(parsed)} documents are too few to refit it (needs {2 * folds})"
        )
    report.seconds = time.perf_counter() - started
    return QuoteModel(model, calibrator), report


def fit_near(
    start: Calibrator,
    features: NDArray[np.float64],
    labels: NDArray[np.float64],
    strength: float = 20.0,
) -> Calibrator:
    """A calibrator refitted on new quotes with a penalty on moving away from ``start``."""
    weights = start.weights.copy()
    k = len(weights)
    for _ in range(50):
        probs = 1.0 / (1.0 + np.exp(-(features @ weights)))
        gradient = features.T @ (probs - labels) + strength * (weights - start.weights)
        hessian = (features * (probs * (1 - probs))[:, None]).T @ features + strength * np.eye(k)
        step = np.linalg.solve(hessian, gradient)
        weights -= step
        if np.abs(step).max() < 1e-7:
            break
    return Calibrator(weights, dict(start.speaker_reliability))


# --- the library form of `quotes train` ---------------------------------------------


@dataclass
class TrainResult:
    """What :func:`train_model` wrote and measured."""

    version: str
    report: TrainingReport
    input_errors: int
    dev_scores: dict[str, dict[str, float]] | None = None


def weights_digest(model: QuoteModel) -> str:
    """Eight hex digits of a hash of the model's weights (the same weights, the same digest)."""
    digest = hashlib.sha256()
    for task in TASKS:
        for node in model.attribution.scorers[task].walk():
            for name in node.param_names:
                if node.has_param(name):
                    digest.update(np.asarray(node.get_param(name), dtype=np.float16).tobytes())
    if model.calibrator is not None:
        digest.update(model.calibrator.weights.tobytes())
    return digest.hexdigest()[:8]


def model_version(model: QuoteModel, base: QuoteModel | None) -> str:
    """``quotes-YYYYMMDD-<digest>`` for a new model, ``<base>+ft-<digest>`` for a
    fine-tuned one."""
    digest = weights_digest(model)
    if base is None:
        return f"quotes-{time.strftime('%Y%m%d')}-{digest}"
    return f"{base.version.split('+')[0]}+ft-{digest}"


def save_model(model: QuoteModel, output: str | Path) -> None:
    """Write ``model`` to the directory ``output``, replacing what was there only
    once the new model is complete."""
    target = Path(output)
    if target.exists() and not target.is_dir():
        raise OSError(f"{target} exists and is not a directory; choose another --output")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        model.to_disk(staging)
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            target.rename(old)
            staging.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.rename(target)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def score_model(
    model: QuoteModel, parsed: Sequence[Parsed], lexicon: CueLexicon
) -> dict[str, dict[str, float]]:
    """Quote and end-to-end precision, recall and F1 (partial overlap) of ``model``
    on parsed gold documents; predictions that only overlap a gold attribution
    that is not reported speech are left out."""
    quotes = Tally()
    end_to_end = Tally()
    prepare(parsed, lexicon)
    for item in parsed:
        found, _ = model.extract(item.doc, lexicon)
        gold = scoped(item)
        labels = label_quotes(gold, found)
        kept = [q for q, label in zip(found, labels, strict=True) if label is not None]
        match = match_document(gold.document.quotes, kept, "partial")
        counts = match.quote_counts()
        quotes.add(counts.tp, counts.fp, counts.fn)
        counts = match.end_to_end_counts()
        end_to_end.add(counts.tp, counts.fp, counts.fn)
    return {"quotes": quotes.scores(), "end_to_end": end_to_end.scores()}


@dataclass
class Tally:
    """True and false positives and negatives, summed."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, tp: int, fp: int, fn: int) -> None:
        self.tp, self.fp, self.fn = self.tp + tp, self.fp + fp, self.fn + fn

    def scores(self) -> dict[str, float]:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        return {"p": round(p, 4), "r": round(r, 4), "f1": round(f1, 4)}


def read_all_gold(
    paths: Iterable[str | Path], log: Callable[[str], None]
) -> tuple[list[GoldDocument], int]:
    """The readable gold documents of ``paths``, and how many inputs were not."""
    documents, errors = [], 0
    for item in read_gold(paths):
        if isinstance(item, InputError):
            log(str(item))
            errors += 1
        else:
            documents.append(item)
    return documents, errors


def train_model(
    train_paths: Iterable[str | Path],
    output: str | Path,
    *,
    dev_paths: Iterable[str | Path] = (),
    names_paths: Iterable[str | Path] = (),
    base_dir: str | Path | None = None,
    from_scratch: bool = False,
    epochs: int | None = None,
    model: str | None = None,
    progress: bool = True,
    log: Callable[[str], None] = lambda _: None,
) -> TrainResult:
    """Train a model on gold JSONL and save it to ``output`` (``quotes train``).

    Fine-tunes ``base_dir`` (default: the shipped model) unless
    ``from_scratch``; with ``dev_paths``, stops early on them and reports the
    new model's scores there. ``names_paths``: gold that names its speakers,
    not trained on, from which a new model learns how often each kind of
    speaker mention resolves to the right canonical name (fine-tuning learns
    it from the training gold itself).
    """
    from ..pipeline import load_pipeline
    from . import load_model

    gold, errors = read_all_gold(train_paths, log)
    if not gold:
        raise ValueError("no training documents could be read; check --train")
    dev_gold, dev_errors = read_all_gold(dev_paths, log)
    names_gold, names_errors = read_all_gold(names_paths, log)
    nlp = load_pipeline(model, rules_only=True)
    lexicon = cast(Any, nlp.get_pipe("quote_extractor")).lexicon
    parsed = parse(nlp, gold, progress=progress)
    parsed_dev = parse(nlp, dev_gold, progress=progress) if dev_gold else []
    base = None
    if from_scratch:
        width = next((p.doc.tensor.shape[1] for p in parsed if p.doc.tensor.ndim == 2), 0)
        settings = ModelSettings(
            tensor_width=int(width),
            pipeline=f"{nlp.meta.get('lang')}_{nlp.meta.get('name')}-{nlp.meta.get('version')}",
        )
        trained, report = train_from_scratch(
            parsed,
            lexicon,
            settings=settings,
            max_epochs=epochs or 10,
            names_gold=parse(nlp, names_gold, progress=progress),
            progress=progress,
            log=log,
        )
    else:
        base = load_model(base_dir)
        log(f"fine-tuning {base.version} on {len(parsed)} document(s)")
        trained, report = fine_tune(
            base,
            parsed,
            lexicon,
            epochs=epochs or 8,
            valid=parsed_dev or None,
            progress=progress,
            log=log,
        )
    for note in report.notes:
        log(note)
    trained.attribution.settings.version = model_version(trained, base)
    save_model(trained, output)
    scores = None
    if parsed_dev:
        scores = score_model(trained, parsed_dev, lexicon)
        log(
            "dev: quotes P {p:.3f} R {r:.3f} F1 {f1:.3f}".format(**scores["quotes"])
            + "; end to end F1 {f1:.3f}".format(**scores["end_to_end"])
        )
    return TrainResult(trained.version, report, errors + dev_errors + names_errors, scores)
