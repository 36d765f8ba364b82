"""The edge of scoring: reading gold and predicted files, running the extractor.

:mod:`quotes.scoring` is pure (documents in, results out); this module is what
``quotes evaluate`` calls to get those documents from JSONL files or folders,
and from the extractor when no predictions are given.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .io import InputError
from .scoring import DEFAULT_FOCUS, DEFAULT_MODES, EvaluationResult, evaluate_documents
from .types import Document

if TYPE_CHECKING:
    from spacy.language import Language


def read_documents(paths: Iterable[str | Path], errors: list[InputError]) -> Iterator[Document]:
    """The annotated documents of JSONL files or folders; each unreadable input is
    appended to ``errors`` and skipped."""
    from .shards import iter_annotated

    # files, folders, globs, .jsonl.gz shards (a repeated id is the scorer's to list:
    # EvaluationResult.duplicate_ids, the first document kept)
    for item in iter_annotated(paths):
        if isinstance(item, InputError):
            errors.append(item)
        else:
            yield item


def evaluate_paths(
    gold_paths: Iterable[str | Path],
    pred_paths: Iterable[str | Path] | None = None,
    *,
    modes: Sequence[str] = DEFAULT_MODES,
    focus: str = DEFAULT_FOCUS,
    model: str | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
    nlp: Language | None = None,
) -> EvaluationResult:
    """Score predicted JSONL files (or folders) against gold ones.

    Without ``pred_paths``, the extractor (``nlp``, else ``load_pipeline(model)``)
    runs on the gold texts; a document it fails on is listed in
    ``failed_documents`` and scored as all misses. Unreadable inputs are kept as
    ``input_errors`` and the rest is scored.
    """
    errors: list[InputError] = []
    failures: list[InputError] = []
    gold = list(read_documents(gold_paths, errors))
    if pred_paths is None:
        from .pipeline import extract_documents, load_pipeline

        pipeline = nlp or load_pipeline(model, model_dir=model_dir, rules_only=rules_only)
        bare = [Document(d.id, d.text) for d in gold]
        pred = list(extract_documents(bare, pipeline, errors=failures))
    else:
        pred = list(read_documents(pred_paths, errors))
    result = evaluate_documents(
        gold, pred, modes=modes, focus=focus, input_errors=[str(e) for e in errors]
    )
    if failures:
        # the extractor's failure is its miss: the document stays in, with no prediction
        result = replace(result, failed_documents=tuple(str(f) for f in failures))
    return result
