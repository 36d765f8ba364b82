"""The scorers: hashed sparse features and dense token vectors through a small MLP (thinc).

One architecture serves the three decisions: a candidate's feature rows are
summed into one embedding (a hashing trick over an embedding table, the way
spaCy's ``HashEmbed`` works), concatenated with its dense token vectors, and
scored by two ReLU layers and a linear output. Cues are scored alone (a
logistic output); contents and sources are scored against the other
candidates of the same cue (a softmax over the group).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray
from spacy.util import registry
from thinc.api import Linear, Model, Relu, chain
from thinc.types import Floats2d

#: Inputs of a scorer: flat feature rows, features per sample, dense rows.
Batch = tuple[NDArray[np.uint64], NDArray[np.int32], NDArray[np.float32]]


@dataclass
class Encoded:
    """Samples of one task as arrays, with their groups and gold labels.

    ``groups`` holds how many candidates each decision has (all 1 for cues);
    ``gold`` holds, per group, the index of the right candidate (-1: none is
    right) or, for cues, 1.0 / 0.0.
    """

    ids: NDArray[np.uint64]
    lengths: NDArray[np.int32]
    dense: NDArray[np.float32]
    groups: NDArray[np.int32]
    gold: NDArray[np.float32]

    def __len__(self) -> int:
        return len(self.lengths)

    def batch(self, rows: slice | NDArray[np.int64]) -> Batch:
        """The scorer input of samples ``rows``."""
        lengths = self.lengths[rows]
        starts = self.offsets()[rows]
        ids = np.concatenate([self.ids[s : s + n] for s, n in zip(starts, lengths, strict=True)])
        return ids, lengths, self.dense[rows]

    def offsets(self) -> NDArray[np.int64]:
        return np.concatenate([[0], np.cumsum(self.lengths[:-1], dtype=np.int64)])


def _embed_forward(
    model: Model[Batch, Floats2d], inputs: Batch, is_train: bool
) -> tuple[Floats2d, Callable[[Floats2d], Batch]]:
    ids, lengths, dense = inputs
    ops: Any = model.ops  # numpy arrays throughout: thinc's array types do not fit them
    table: Any = model.get_param("E")
    width = table.shape[1]
    vectors = table[ids.astype(np.int64)]
    dropout = float(model.attrs.get("feature_dropout", 0.0))
    keep = None
    if is_train and dropout > 0 and len(ids):
        # drop whole features at random: no decision may hang on one rare feature
        # (numpy's global generator, which thinc's fix_random_seed seeds)
        keep = (np.random.random(len(ids)) >= dropout).astype("float32")[:, None]
        vectors = vectors * keep
    summed = ops.reduce_sum(vectors, ops.asarray1i(lengths))
    output = ops.xp.hstack([summed, dense]).astype("float32")

    def backprop(d_output: Floats2d) -> Batch:
        d_vectors = ops.backprop_reduce_sum(
            np.ascontiguousarray(d_output[:, :width], dtype="float32"), ops.asarray1i(lengths)
        )
        if keep is not None:
            d_vectors = d_vectors * keep
        d_table = ops.alloc2f(*table.shape)
        ops.scatter_add(d_table, ops.asarray1i(ids.astype(np.int32)), d_vectors)
        model.inc_grad("E", d_table)
        return inputs

    return output, backprop


def _embed_init(model: Model[Batch, Floats2d], X: Batch | None = None, Y: object = None) -> None:
    rows, width = model.get_dim("nV"), model.get_dim("nE")
    rng = np.random.default_rng(0)
    model.set_param("E", cast(Floats2d, rng.normal(0, 0.1, (rows, width)).astype("float32")))


def hashed_embedding(
    rows: int, width: int, dense_width: int, feature_dropout: float = 0.1
) -> Model[Batch, Floats2d]:
    """Sum of hashed feature embeddings, side by side with the dense rows."""
    return Model(
        "hashed_embedding",
        _embed_forward,
        init=_embed_init,
        dims={"nV": rows, "nE": width, "nO": width + dense_width},
        params={"E": None},
        attrs={"feature_dropout": feature_dropout},
    )


@registry.architectures("quotes.CandidateScorer.v1")
def candidate_scorer(
    rows: int = 1 << 16, width: int = 32, dense_width: int = 192, hidden: int = 64
) -> Model[Batch, Floats2d]:
    """Scores one candidate a row: hashed features + dense vectors -> MLP -> one logit."""
    model: Model[Batch, Floats2d] = chain(
        hashed_embedding(rows, width, dense_width),
        Relu(hidden, width + dense_width, dropout=0.1),
        Relu(hidden, hidden, dropout=0.1),
        Linear(1, hidden),
    )
    model.attrs["rows"] = rows
    return model


def sigmoid(logits: NDArray[np.float32]) -> NDArray[np.float32]:
    """The logistic function, without overflow for large logits."""
    return (0.5 * (1.0 + np.tanh(0.5 * logits))).astype(np.float32)


def group_softmax(logits: NDArray[np.float32], groups: NDArray[np.int32]) -> NDArray[np.float32]:
    """Softmax of ``logits`` (one per row) within consecutive groups of rows."""
    out = np.empty_like(logits)
    start = 0
    for size in groups:
        part = logits[start : start + size]
        exp = np.exp(part - part.max())
        out[start : start + size] = exp / exp.sum()
        start += size
    return out


def group_loss(
    logits: NDArray[np.float32], groups: NDArray[np.int32], gold: NDArray[np.float32]
) -> tuple[float, NDArray[np.float32]]:
    """Cross-entropy of choosing the gold candidate of each group, and its gradient."""
    probs = group_softmax(logits, groups)
    grad = probs.copy()
    loss = 0.0
    start = 0
    for size, right in zip(groups, gold, strict=True):
        if right >= 0:
            k = start + int(right)
            loss -= float(np.log(max(probs[k], 1e-9)))
            grad[k] -= 1.0
        else:
            grad[start : start + size] = 0.0
        start += size
    return loss, grad


def binary_loss(
    logits: NDArray[np.float32], gold: NDArray[np.float32], positive_weight: float = 1.0
) -> tuple[float, NDArray[np.float32]]:
    """Logistic loss of cue decisions, and its gradient."""
    probs = sigmoid(logits)
    weights = np.where(gold > 0.5, positive_weight, 1.0)
    loss = -float(
        np.sum(weights * (gold * np.log(probs + 1e-9) + (1 - gold) * np.log(1 - probs + 1e-9)))
    )
    return loss, (weights * (probs - gold)).astype("float32")
