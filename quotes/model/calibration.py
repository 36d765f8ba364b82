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
from dataclasses import dataclass, field
from typing import Any

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


#: How strongly the prior (0.9, or the old model's) holds a speaker kind's reliability.
RELIABILITY_PRIOR = 0.9
RELIABILITY_STRENGTH = 5.0
#: The reliability entry of floating quotes, and its prior (the rules' constant
#: confidence for them).
FLOATING = "floating"
FLOATING_PRIOR = 0.6


@dataclass
class Calibrator:
    """P(the quote is right) in two factors.

    A logistic regression from :func:`quote_features` gives the chance that
    the span and the speaker mention are right (learnt from any gold, names or
    not); ``speaker_reliability`` gives, per :func:`speaker_kind`, the chance
    that the canonical name is then right too (learnt from gold that names its
    speakers; 1.0 for a kind no such gold has shown).
    """

    weights: NDArray[np.float64]
    speaker_reliability: dict[str, float] = field(default_factory=dict)

    def probability(
        self, features: NDArray[np.float64], kind: str | None = None, floating: bool = False
    ) -> float:
        """The calibrated probability of a quote with ``features`` and speaker ``kind``.

        A floating quote (no cue: it continues the previous speaker) has no
        model probabilities behind it; its chance is how often floating quotes
        were right on gold that annotates them (``speaker_reliability["floating"]``).
        """
        if floating:
            return self.speaker_reliability.get(FLOATING, FLOATING_PRIOR)
        mention = float(1.0 / (1.0 + np.exp(-float(features @ self.weights))))
        return mention * self.speaker_reliability.get(kind or "", 1.0)

    def with_reliability(
        self, counts: dict[str, tuple[int, int]], strength: float = RELIABILITY_STRENGTH
    ) -> Calibrator:
        """A copy whose speaker reliability also counts ``counts`` (kind -> (right,
        total)), each kind pulled towards its old value (or the prior)."""
        reliability = dict(self.speaker_reliability)
        for kind, (right, total) in counts.items():
            default = FLOATING_PRIOR if kind == FLOATING else RELIABILITY_PRIOR
            prior = reliability.get(kind, default)
            reliability[kind] = round((right + strength * prior) / (total + strength), 4)
        return Calibrator(self.weights.copy(), reliability)

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

    def to_dict(self) -> dict[str, Any]:
        """``{"weights": {feature: weight}, "speaker_reliability": {kind: p}}``."""
        return {
            "weights": {
                name: float(w) for name, w in zip(FEATURE_NAMES, self.weights, strict=True)
            },
            "speaker_reliability": dict(sorted(self.speaker_reliability.items())),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibrator:
        """Read :meth:`to_dict`; a feature the file lacks weighs nothing."""
        weights = data.get("weights", {})
        reliability = {str(k): float(v) for k, v in data.get("speaker_reliability", {}).items()}
        return cls(np.array([float(weights.get(name, 0.0)) for name in FEATURE_NAMES]), reliability)


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
