"""Confidence as a calibrated probability that a quote is right.

"Right" is what ``quotes evaluate`` counts: the quote's span matches a gold
quote under partial overlap, and its speaker agrees with the gold speaker.
The calibrator is a logistic regression over what the extractor knows about
each quote when it emits it: the model's probabilities for its cue, content
and source, the way the quote was assembled (a clause, a quoted stretch next
to its cue, a floating quote), its type, and how its speaker was resolved (a
name, a pronoun, an unnamed noun phrase, the previous speaker). It is fitted
on held-out predictions of the training data (folds the scorers did not
train on), so that a quote given 0.8 is right about 80% of the time.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ..types import Quote
from .attribution import Decoded

PRONOUNS = frozenset(
    [
        "he",
        "she",
        "they",
        "it",
        "we",
        "i",
        "him",
        "her",
        "them",
        "us",
        "his",
        "their",
        "its",
        "our",
        "this",
        "that",
        "these",
        "those",
        "who",
    ]
)
#: Families of the model's content kinds (the part before the first colon).
KIND_FAMILIES = (
    "rules",
    "child",
    "prep",
    "object+",
    "rights",
    "head",
    "sent",
    "colon",
    "none",
)
#: How the rules' assembly made the quote (``Quote.rule``), grouped.
ORIGINS = {
    "direct-cue": "stretch",
    "direct-continued": "continued",
    "direct-object": "stretch",
    "direct-floating": "floating",
    "indirect-floating": "floating",
    "indirect-extended": "extended",
    "mixed": "clause",
}
ORIGIN_NAMES = ("clause", "stretch", "continued", "floating", "extended")
SPEAKER_KINDS = ("name", "pronoun", "description", "continued", "unknown")
FEATURE_NAMES: tuple[str, ...] = (
    "bias",
    "logit.cue",
    "logit.content",
    "logit.source",
    "no.scores",
    "log.speaker_factor",
    "log.words",
    *(f"type={t}" for t in ("direct", "indirect", "mixed")),
    *(f"origin={o}" for o in ORIGIN_NAMES),
    *(f"kind={k}" for k in KIND_FAMILIES),
    *(f"speaker={k}" for k in SPEAKER_KINDS),
)


def _logit(p: float) -> float:
    p = min(max(p, 1e-4), 1 - 1e-4)
    return math.log(p / (1 - p))


def speaker_kind(quote: Quote) -> str:
    """How the quote's speaker came: a name, a pronoun, a description, the
    previous speaker, or nobody."""
    if not quote.speaker_name:
        return "unknown"
    if quote.speaker is None:
        return "continued"
    words = quote.speaker.text.lower().split()
    if len(words) == 1 and words[0] in PRONOUNS:
        return "pronoun"
    if quote.speaker.text[:1].isupper() and words[0] not in ("the", "a", "an"):
        return "name"
    return "description"


def quote_features(quote: Quote, decoded: Decoded | None, base: float) -> NDArray[np.float64]:
    """The calibrator's input for one quote.

    ``decoded`` is the model attribution the quote came from (None for a quote
    with no cue of the model's); ``base`` the confidence the quote had before
    speaker resolution scaled it (floating and pronoun speakers lower it).
    """
    values = dict.fromkeys(FEATURE_NAMES, 0.0)
    values["bias"] = 1.0
    if decoded is not None:
        values["logit.cue"] = _logit(decoded.cue)
        values["logit.content"] = _logit(decoded.content)
        values["logit.source"] = _logit(decoded.source)
        family = decoded.kind.split(":")[0]
        values[f"kind={family if family in KIND_FAMILIES else 'none'}"] = 1.0
    else:
        values["no.scores"] = 1.0
        values["kind=none"] = 1.0
    values["log.speaker_factor"] = math.log(max(quote.confidence, 1e-4) / max(base, 1e-4))
    values["log.words"] = math.log1p(len(quote.text.split()))
    values[f"type={quote.type}"] = 1.0
    values[f"origin={ORIGINS.get(quote.rule, 'clause')}"] = 1.0
    values[f"speaker={speaker_kind(quote)}"] = 1.0
    return np.fromiter(values.values(), dtype=np.float64, count=len(values))


@dataclass
class Calibrator:
    """A logistic regression from :func:`quote_features` to P(the quote is right)."""

    weights: NDArray[np.float64]

    def probability(self, features: NDArray[np.float64]) -> float:
        return float(1.0 / (1.0 + np.exp(-float(features @ self.weights))))

    @classmethod
    def fit(
        cls, features: NDArray[np.float64], labels: NDArray[np.float64], l2: float = 1.0
    ) -> Calibrator:
        """Maximum-likelihood weights with an L2 penalty (Newton's method)."""
        k = features.shape[1]
        weights = np.zeros(k)
        penalty = l2 * np.eye(k)
        penalty[0, 0] = 0.0  # the bias is not shrunk
        for _ in range(50):
            probs = 1.0 / (1.0 + np.exp(-(features @ weights)))
            gradient = features.T @ (probs - labels) + penalty @ weights
            hessian = (features * (probs * (1 - probs))[:, None]).T @ features + penalty
            step = np.linalg.solve(hessian + 1e-9 * np.eye(k), gradient)
            weights -= step
            if np.abs(step).max() < 1e-7:
                break
        return cls(weights)

    def to_dict(self) -> dict[str, float]:
        return {name: float(w) for name, w in zip(FEATURE_NAMES, self.weights, strict=True)}

    @classmethod
    def from_dict(cls, data: dict[str, float]) -> Calibrator:
        """Weights by feature name; a feature the file lacks weighs nothing."""
        return cls(np.array([float(data.get(name, 0.0)) for name in FEATURE_NAMES]))


def expected_calibration_error(
    probabilities: Sequence[float], right: Sequence[bool], bins: int = 10
) -> float:
    """The gap between confidence and accuracy, averaged over equal-width bins
    weighted by how many quotes fall in each."""
    probs = np.asarray(probabilities, dtype=np.float64)
    labels = np.asarray(right, dtype=np.float64)
    if len(probs) == 0:
        return 0.0
    index = np.minimum((probs * bins).astype(int), bins - 1)
    total = 0.0
    for b in range(bins):
        members = index == b
        if members.any():
            total += members.sum() * abs(probs[members].mean() - labels[members].mean())
    return total / len(probs)
