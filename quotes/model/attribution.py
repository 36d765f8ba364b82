"""The attribution model: which cues report speech, what they introduce, and who speaks.

Three scorers (:mod:`.network`) read the candidates of :mod:`.candidates`:

1. every cue candidate gets the probability that it introduces reported
   speech ("she *said*", not "*said* goodbye" nor "*believes*");
2. a cue above the threshold chooses its content among its content
   candidates ("said [the bridge will reopen]");
3. and its source among the noun heads of its sentence, or none.

The result is a list of :class:`~quotes.rules.attributions.Attribution`, the
same objects the rules' first pass makes, so the rules' assembly of direct,
mixed and indirect quotes and the speaker resolution run unchanged on them.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from spacy.tokens import Token
from thinc.api import Model

from ..rules.attributions import Attribution
from ..types import CharSpan
from .candidates import DocView, Span, content_candidates, cue_candidates, source_candidates
from .features import Featurizer, Sample, dense_rows, hash_features
from .network import Batch, candidate_scorer, sigmoid
from .policy import Scope, is_quote

TASKS = ("cue", "content", "source")
#: Dense token vectors per sample of each task (see the ``Sample.dense`` of each).
DENSE_SLOTS = {"cue": 2, "content": 4, "source": 2}


@dataclass
class ModelSettings:
    """Sizes and thresholds of a trained model, saved beside its weights."""

    rows: int = 1 << 16
    width: int = 32
    hidden: int = 64
    tensor_width: int = 96
    cue_threshold: float = 0.5
    version: str = "untrained"
    pipeline: str = ""  # the spaCy pipeline whose tensors it was trained on
    extra: dict[str, Any] = field(default_factory=dict)


def encode(samples: list[Sample], rows: int, tensor: NDArray[np.float32], width: int) -> Batch:
    """Scorer input for ``samples`` of one document."""
    hashed = [hash_features(s.strings, rows) for s in samples]
    ids = np.concatenate(hashed) if hashed else np.zeros(0, dtype=np.uint64)
    lengths = np.fromiter((len(h) for h in hashed), dtype=np.int32, count=len(hashed))
    return ids, lengths, dense_rows(tensor, width, [s.dense for s in samples])


def split(values: NDArray[np.float32], sizes: list[int]) -> list[NDArray[np.float32]]:
    """``values`` cut into consecutive parts of ``sizes``."""
    return np.split(values, np.cumsum(sizes)[:-1]) if sizes else []


def softmax(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    exp = np.exp(logits - logits.max())
    return exp / exp.sum()


@dataclass(frozen=True)
class Decoded:
    """An attribution the model found, with the probabilities behind it."""

    attribution: Attribution
    cue: float  # the cue introduces reported speech
    content: float  # the chosen content is the right one, among the cue's candidates
    source: float  # the chosen source (or none) is the right one
    kind: str  # how the syntax offered the content (see candidates.content_candidates)


def token_char_span(view: DocView, first: int, last: int) -> CharSpan:
    """The characters of tokens ``first..last``."""
    doc = view.doc
    return CharSpan.of(view.text, doc[first].idx, doc[last].idx + len(doc[last]))


def in_quote_scope(view: DocView, cue: Token, span: Span, source: Token | None) -> bool:
    """Whether the guidelines call this content of ``cue`` a quote (:mod:`.policy`)."""
    doc = view.doc
    return is_quote(
        doc,
        cue,
        span.first,
        span.last,
        view.lexicon,
        source=source,
        head=doc[span.anchor] if span.anchor >= 0 else None,
        finite=view.count("finite", span.first, span.last),
        quoted=view.count("quoted", span.first, span.last) > 0,
        kind=span.kind,
    )


def in_scope_part(
    view: DocView, cue: Token, source: Token | None, content: Span, order: list[tuple[Span, float]]
) -> Span | None:
    """The content the model chose, or, when the guidelines do not call it a
    quote, the likeliest candidate inside it that they do: "told [reporters
    that the bridge will reopen]" → "the bridge will reopen" (the addressee
    is no content); None when there is none."""
    if in_quote_scope(view, cue, content, source):
        return content
    for span, _ in order:
        inside = content.first <= span.first and span.last <= content.last and span != content
        if inside and in_quote_scope(view, cue, span, source):
            return span
    return None


class AttributionModel:
    """Three trained scorers and their settings; :meth:`decode` decodes a document."""

    def __init__(self, settings: ModelSettings, scorers: dict[str, Model[Any, Any]]) -> None:
        self.settings = settings
        self.scorers = scorers

    @classmethod
    def create(cls, settings: ModelSettings | None = None) -> AttributionModel:
        """A new model with freshly initialized weights."""
        settings = settings or ModelSettings()
        scorers = {}
        for task in TASKS:
            scorer = candidate_scorer(
                settings.rows,
                settings.width,
                DENSE_SLOTS[task] * settings.tensor_width,
                settings.hidden,
            )
            scorer.initialize()
            scorers[task] = scorer
        return cls(settings, scorers)

    # --- decoding ----------------------------------------------------------

    def logits(self, task: str, samples: list[Sample], tensor: NDArray[np.float32]) -> NDArray:
        """One logit per sample."""
        if not samples:
            return np.zeros(0, dtype=np.float32)
        batch = encode(samples, self.settings.rows, tensor, self.settings.tensor_width)
        return np.asarray(self.scorers[task].predict(batch))[:, 0]

    def decode(
        self, view: DocView, scope: Scope = "quotes", forced: frozenset[str] = frozenset()
    ) -> list[Decoded]:
        """The attributions of one document, in text order, with their probabilities.

        A cue whose lemma is in ``forced`` (a user's own cue verbs) is taken
        whatever its probability.
        In the ``quotes`` scope a content that the guidelines do not call a
        quote (:mod:`.policy`) is dropped; its cue stays, for quoted words next
        to it ("“...,” he said").
        """
        doc = view.doc
        featurizer = Featurizer(view)
        tensor = np.asarray(doc.tensor, dtype=np.float32)
        cues = cue_candidates(view)
        probs = sigmoid(self.logits("cue", [featurizer.cue(c) for c in cues], tensor))
        accepted = [
            (cue, float(prob))
            for cue, prob in zip(cues, probs, strict=True)
            if prob >= self.settings.cue_threshold or cue.lemma_.lower() in forced
        ]
        # every accepted cue's contents in one batch, then every cue's sources
        spans = [content_candidates(view, cue) for cue, _ in accepted]
        content_samples: list[Sample] = []
        for (cue, _), offered in zip(accepted, spans, strict=True):
            content_samples.extend(featurizer.content(cue, span) for span in offered)
        content_logits = self.logits("content", content_samples, tensor)
        chosen: list[tuple[Span | None, float]] = []
        ranked: list[list[tuple[Span, float]]] = []  # each cue's candidates, likeliest first
        for offered, scores in zip(
            spans, split(content_logits, [len(o) for o in spans]), strict=True
        ):
            probabilities = softmax(scores) if offered else scores
            order = [(offered[k], float(probabilities[k])) for k in np.argsort(-probabilities)]
            ranked.append(order)
            chosen.append(order[0] if order else (None, 1.0))
        tokens = [source_candidates(view, cue) for cue, _ in accepted]
        source_samples: list[Sample] = []
        for (cue, _), (span, _), near in zip(accepted, chosen, tokens, strict=True):
            source_samples.extend(featurizer.source(cue, t, span) for t in near)
            source_samples.append(featurizer.null_source(cue))
        source_logits = split(
            self.logits("source", source_samples, tensor), [len(t) + 1 for t in tokens]
        )
        out = []
        for (cue, prob), (content, content_prob), heads, scores, order in zip(
            accepted,
            chosen,
            tokens,
            source_logits,
            ranked,
            strict=True,
        ):
            source_scores = softmax(scores)
            choice = int(np.argmax(source_scores))
            source = heads[choice] if choice < len(heads) else None
            # the guidelines' line: a content they do not call a quote is dropped,
            # its cue stays for quoted words next to it ("“...,” he said")
            said = content
            if scope == "quotes" and content is not None:
                said = in_scope_part(view, cue, source, content, order)
            attribution = self._attribution(view, cue, said, source, prob * content_prob)
            kind = content.kind if content is not None else "none"
            out.append(Decoded(attribution, prob, content_prob, float(source_scores[choice]), kind))
        return out

    def _attribution(
        self, view: DocView, cue: Token, content: Span | None, source: Token | None, prob: float
    ) -> Attribution:
        doc = view.doc
        text = view.text
        end_token = cue
        # "pointed out", "according to", and "called for" when the content is its object
        for child in cue.children:
            if child.i == cue.i + 1 and (
                child.dep_ == "prt"
                or (cue.lower_ == "according" and child.lower_ == "to")
                or (content is not None and content.kind == f"prep:{child.lower_}")
            ):
                end_token = child
        if cue.lower_ == "according" and cue.i + 1 < len(doc) and doc[cue.i + 1].lower_ == "to":
            end_token = doc[cue.i + 1]
        cue_span = CharSpan.of(text, cue.idx, end_token.idx + len(end_token))
        content_span = None
        if content is not None:
            content_span = token_char_span(view, content.first, content.last)
        verb = view.lexicon.verb(cue.lemma_.lower(), cue.text)
        kind = content.kind if content is not None else "none"
        return Attribution(
            cue_span, cue, source, content_span, f"model:{kind}", verb, confidence=prob
        )

    # --- saving --------------------------------------------------------------

    def to_disk(self, path: str | Path) -> None:
        """Weights (``weights.npz``, float16) and settings (``settings.json``) under ``path``."""
        target = Path(path)
        target.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for task, scorer in self.scorers.items():
            for k, node in enumerate(scorer.walk()):
                for name in node.param_names:
                    if node.has_param(name):
                        arrays[f"{task}/{k}/{name}"] = np.asarray(
                            node.get_param(name), dtype=np.float16
                        )
        np.savez_compressed(target / "weights.npz", **cast(dict[str, Any], arrays))
        (target / "settings.json").write_text(
            json.dumps(asdict(self.settings), indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )

    @classmethod
    def from_disk(cls, path: str | Path) -> AttributionModel:
        """The model saved under ``path`` by :meth:`to_disk`."""
        source = Path(path)
        settings = ModelSettings(
            **json.loads((source / "settings.json").read_text(encoding="utf-8"))
        )
        model = cls.create(settings)
        with np.load(source / "weights.npz") as arrays:
            for task, scorer in model.scorers.items():
                for k, node in enumerate(scorer.walk()):
                    for name in node.param_names:
                        key = f"{task}/{k}/{name}"
                        if key in arrays:
                            node.set_param(name, cast(Any, arrays[key].astype(np.float32)))
        return model
