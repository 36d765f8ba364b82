"""Speaker tables and scores of sharded corpora: reduced per shard on the workers, the
parts combined pairwise on the cluster in corpus order (the figures of one process)."""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..io import InputError
from ..pipeline import extract_documents
from ..scoring import DEFAULT_FOCUS, DEFAULT_MODES, evaluate_documents
from ..shards import (
    DEFAULT_TEXTS_PER_SHARD,
    Shard,
    find_shards,
    read_annotated_shard,
    read_input_shard,
)
from ..speaker_table import (
    SpeakerRow,
    SpeakerTally,
    merge_tallies,
    not_counted,
    speaker_table_from_tally,
    tally_speakers,
)
from ..summary import EvaluationSummary
from ..types import Document
from .connection import LoadOptions, import_distributed
from .workers import worker_pipeline

if TYPE_CHECKING:
    from distributed import Client, Future


# --- speaker tables -------------------------------------------------------------


def _speaker_part(
    shard: Shard, load_options: LoadOptions | None, batch_size: int
) -> tuple[SpeakerTally, list[str]]:
    """One shard's speaker tally and its unreadable inputs (``.txt`` shards extracted here)."""
    errors: list[str] = []
    documents: list[Document] = []
    if shard.kind == "txt":
        readable = []
        for item in read_input_shard(shard):
            if isinstance(item, InputError):
                errors.append(str(item))
            else:
                readable.append(item)
        nlp, lock = worker_pipeline(load_options)
        failed: list[InputError] = []
        with lock:
            documents = list(extract_documents(readable, nlp, batch_size=batch_size, errors=failed))
        errors.extend(not_counted(e) for e in failed)
    else:
        for item in read_annotated_shard(shard):
            if isinstance(item, InputError):
                errors.append(str(item))
            else:
                documents.append(item)
    return tally_speakers(documents), errors


def _merge_speaker_parts(
    first: tuple[SpeakerTally, list[str]], second: tuple[SpeakerTally, list[str]]
) -> tuple[SpeakerTally, list[str]]:
    return merge_tallies(first[0], second[0]), first[1] + second[1]


def _speaker_rows(part: tuple[SpeakerTally, list[str]]) -> tuple[list[SpeakerRow], list[str]]:
    return speaker_table_from_tally(part[0]), part[1]


def _tree_reduce(client: Client, futures: list[Future], combine: Callable[..., Any]) -> Future:
    """Combine ``futures`` pairwise on the cluster, neighbours first, keeping their order."""
    level = list(futures)
    while len(level) > 1:
        merged = [
            client.submit(combine, level[i], level[i + 1], pure=False)
            for i in range(0, len(level) - 1, 2)
        ]
        if len(level) % 2:
            merged.append(level[-1])
        level = merged
    return level[0]


def _follow(futures: Sequence[Future], desc: str, progress: bool) -> None:
    """A progress bar over ``futures`` as they complete (their results stay on the cluster)."""
    from tqdm import tqdm

    distributed = import_distributed()
    with tqdm(
        total=len(futures), desc=desc, unit="shard", disable=not progress, file=sys.stderr
    ) as bar:
        for _ in distributed.as_completed(futures):
            bar.update(1)


def speaker_table_shards(
    paths: Iterable[str | Path],
    *,
    client: Client,
    load_options: LoadOptions | None = None,
    batch_size: int = 32,
    texts_per_shard: int = DEFAULT_TEXTS_PER_SHARD,
    progress: bool = True,
) -> tuple[list[SpeakerRow], list[str]]:
    """The ``quotes speakers`` table of sharded ``paths`` computed on the cluster.

    Each shard is tallied on a worker (``.txt`` shards extracted there first),
    tallies are merged pairwise on the cluster, and the table is built from
    the total: the same rows as :func:`quotes.speaker_table.speaker_table`
    over the same documents. Returns the rows and the unreadable inputs.
    """
    shards, unusable = find_shards(paths, other_files="jsonl", texts_per_shard=texts_per_shard)
    errors = [str(e) for e in unusable]
    if not shards:
        return [], errors
    parts = [
        client.submit(_speaker_part, shard, dict(load_options or {}), batch_size, pure=False)
        for shard in shards
    ]
    total = _tree_reduce(client, parts, _merge_speaker_parts)
    table = client.submit(_speaker_rows, total, pure=False)
    _follow(parts, "speakers", progress)
    rows, part_errors = table.result()
    return rows, errors + part_errors


# --- scoring -------------------------------------------------------------------


def _shard_ids(shard: Shard) -> tuple[list[str], list[str]]:
    """The document ids of a JSONL shard in order, and its unreadable lines."""
    ids: list[str] = []
    errors: list[str] = []
    for item in read_annotated_shard(shard):
        if isinstance(item, InputError):
            errors.append(str(item))
        else:
            ids.append(item.id)
    return ids, errors


def _first_documents(shard: Shard, skip: frozenset[str]) -> list[Document]:
    """A shard's documents, each id once (its first), leaving out ``skip``."""
    seen = set(skip)
    out = []
    for item in read_annotated_shard(shard):
        if isinstance(item, Document) and item.id not in seen:
            seen.add(item.id)
            out.append(item)
    return out


def _route(shard: Shard, destinations: Mapping[str, int]) -> dict[int, list[Document]]:
    """A predicted shard's documents by the gold shard that holds their id (-1: none)."""
    out: dict[int, list[Document]] = {}
    for doc in _first_documents(shard, frozenset()):
        target = destinations.get(doc.id)
        if target is not None:
            out.setdefault(target, []).append(doc)
    return out


def _take(parts: Mapping[int, list[Document]], target: int) -> list[Document]:
    return parts.get(target, [])


def _score_gold(
    shard: Shard,
    skip: frozenset[str],
    modes: tuple[str, ...],
    focus: str,
    *pred_parts: list[Document],
) -> EvaluationSummary:
    """The sums of one gold shard against the predictions routed to it."""
    gold = _first_documents(shard, skip)
    pred = [doc for part in pred_parts for doc in part]
    return EvaluationSummary.of(evaluate_documents(gold, pred, modes=modes, focus=focus))


def _score_gold_extracting(
    shard: Shard,
    skip: frozenset[str],
    modes: tuple[str, ...],
    focus: str,
    load_options: LoadOptions | None,
    batch_size: int,
) -> EvaluationSummary:
    """The sums of one gold shard against the extractor run on its texts, on this worker.

    Every gold document is extracted, repeated ids too, as in one process: a
    failure is listed (in ``failed_documents``) each time, the first document
    of an id is scored.
    """
    everything = [d for d in read_annotated_shard(shard) if isinstance(d, Document)]
    seen = set(skip)
    kept: list[int] = []
    for position, doc in enumerate(everything):
        if doc.id not in seen:
            seen.add(doc.id)
            kept.append(position)
    # positions stand in for ids while extracting: ids may repeat
    bare = [Document(str(position), doc.text) for position, doc in enumerate(everything)]
    nlp, lock = worker_pipeline(load_options)
    failures: list[InputError] = []
    with lock:
        extracted = {
            int(doc.id): doc
            for doc in extract_documents(bare, nlp, batch_size=batch_size, errors=failures)
        }
    gold = [everything[p] for p in kept]
    pred = [
        Document(everything[p].id, extracted[p].text, extracted[p].quotes, extracted[p].speakers)
        for p in kept
        if p in extracted
    ]
    result = evaluate_documents(gold, pred, modes=modes, focus=focus)
    failed = tuple(str(InputError(everything[int(f.source)].id, f.message)) for f in failures)
    return EvaluationSummary.of(dataclasses.replace(result, failed_documents=failed))


def _score_pred_only(modes: tuple[str, ...], focus: str, pred: list[Document]) -> EvaluationSummary:
    return EvaluationSummary.of(evaluate_documents([], pred, modes=modes, focus=focus))


def _add_summaries(first: EvaluationSummary, second: EvaluationSummary) -> EvaluationSummary:
    return first + second


def evaluate_shards(
    gold_paths: Iterable[str | Path],
    pred_paths: Iterable[str | Path] | None = None,
    *,
    client: Client,
    modes: Sequence[str] = DEFAULT_MODES,
    focus: str = DEFAULT_FOCUS,
    load_options: LoadOptions | None = None,
    batch_size: int = 32,
    progress: bool = True,
) -> EvaluationSummary:
    """``quotes evaluate`` of sharded gold (and predictions) on the cluster.

    The same figures as :func:`quotes.scoring.evaluate_documents` over all
    documents in one process: documents are joined by id across shards (the
    ids of every shard are read first; a predicted document is sent to the
    gold shard that holds its id, so any sharding of either side works), a
    repeated id keeps its first document, each gold shard is scored on a
    worker and the sums are combined on the cluster in corpus order. Without
    ``pred_paths`` each worker runs the extractor on its gold texts.
    """
    modes = tuple(dict.fromkeys((*modes, focus)))
    gold_shards, gold_unusable = find_shards(gold_paths, texts=False)
    pred_shards, pred_unusable = (
        find_shards(pred_paths, texts=False) if pred_paths is not None else ([], [])
    )
    gold_ids = client.gather([client.submit(_shard_ids, s, pure=False) for s in gold_shards])
    pred_ids = client.gather([client.submit(_shard_ids, s, pure=False) for s in pred_shards])
    input_errors = [str(e) for e in gold_unusable]
    input_errors += [e for _, errors in gold_ids for e in errors]
    input_errors += [str(e) for e in pred_unusable]
    input_errors += [e for _, errors in pred_ids for e in errors]
    duplicates: list[str] = []
    gold_home: dict[str, int] = {}
    for index, (ids, _) in enumerate(gold_ids):
        for doc_id in ids:
            if doc_id in gold_home:
                duplicates.append(doc_id)
            else:
                gold_home[doc_id] = index
    skips = [
        frozenset(i for i in ids if gold_home[i] != index)
        for index, (ids, _) in enumerate(gold_ids)
    ]
    parts: list[Future] = []
    if pred_paths is None:
        parts = [
            client.submit(
                _score_gold_extracting,
                shard,
                skips[index],
                modes,
                focus,
                dict(load_options or {}),
                batch_size,
                pure=False,
            )
            for index, shard in enumerate(gold_shards)
        ]
    else:
        pred_home: set[str] = set()
        routes: list[tuple[Future, set[int]]] = []
        for shard, (ids, _) in zip(pred_shards, pred_ids, strict=True):
            destinations: dict[str, int] = {}
            for doc_id in ids:
                if doc_id in pred_home:
                    duplicates.append(doc_id)
                else:
                    pred_home.add(doc_id)
                    destinations[doc_id] = gold_home.get(doc_id, -1)
            routed = client.submit(_route, shard, destinations, pure=False)
            routes.append((routed, set(destinations.values())))
        for index, shard in enumerate(gold_shards):
            pieces = [
                client.submit(_take, routed, index, pure=False)
                for routed, targets in routes
                if index in targets
            ]
            parts.append(
                client.submit(_score_gold, shard, skips[index], modes, focus, *pieces, pure=False)
            )
        for routed, targets in routes:
            if -1 in targets:
                only = client.submit(_take, routed, -1, pure=False)
                parts.append(client.submit(_score_pred_only, modes, focus, only, pure=False))
    if not parts:
        empty = EvaluationSummary.of(evaluate_documents([], [], modes=modes, focus=focus))
        return empty.with_problems(input_errors=input_errors, duplicate_ids=duplicates)
    total = _tree_reduce(client, parts, _add_summaries)
    _follow(parts, "evaluate", progress)
    summary: EvaluationSummary = total.result()
    return summary.with_problems(input_errors=input_errors, duplicate_ids=duplicates)
