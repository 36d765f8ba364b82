"""Pure converters between ``Quote`` lists and Label Studio ``result`` lists, and the validator.

A quote becomes up to five result items: its labeled region (``q3``), a speaker
region (``q3-speaker``), a cue region (``q3-cue``), the ``said_by`` and
``cue_of`` relations, and a per-region text area holding the canonical
speaker name(s). Several quotes that share one speaker or cue mention (a quote
interrupted by its attribution) share one region, named after the first quote.

Going back, :func:`result_to_quotes` accepts what an annotator can submit and
raises :class:`AnnotationError` listing every reason a result cannot be turned
into quotes without losing or inventing something.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from ..types import CharSpan, Document, Quote
from .config import (
    ATTRIBUTION_LABELS,
    ATTRIBUTION_TAG,
    CUE_LABEL,
    CUE_OF,
    DOC_ID_KEY,
    LABEL_TO_TYPE,
    NAME_TAG,
    QUOTE_LABELS,
    QUOTE_TAG,
    RELATIONS,
    SAID_BY,
    SPEAKER_LABEL,
    TEXT_HASH_KEY,
    TEXT_KEY,
    TEXT_TAG,
)

Result = list[dict[str, Any]]


class AnnotationError(ValueError):
    """An annotation that cannot be converted; ``reasons`` says every why."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = tuple(reasons)


# --- Quote list -> result list ------------------------------------------------


def text_hash(text: str) -> str:
    """A short, stable hash of a document text (marks a task's text version)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _region(
    region_id: str, control: str, label: str, span: CharSpan, score: float | None = None
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": region_id,
        "from_name": control,
        "to_name": TEXT_TAG,
        "type": "labels",
        "value": {"start": span.start, "end": span.end, "text": span.text, "labels": [label]},
    }
    if score is not None:
        item["score"] = round(score, 4)
    return item


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {
        "type": "relation",
        "from_id": from_id,
        "to_id": to_id,
        "direction": "right",
        "labels": [label],
    }


def quotes_to_result(quotes: Sequence[Quote], *, scores: bool = True) -> Result:
    """The Label Studio ``result`` list of ``quotes`` (ids ``q1``, ``q1-speaker``, ``q1-cue``...).

    With ``scores``, each quote region carries its confidence as ``score``.
    Speaker and cue mentions shared by several quotes become one region with a
    relation from (or to) each quote. An empty speaker span has no region.
    """
    regions: Result = []
    relations: Result = []
    shared: dict[tuple[str, int, int], str] = {}

    def part(kind: str, label: str, owner: str, span: CharSpan | None) -> str | None:
        if span is None or not len(span):
            return None
        key = (label, span.start, span.end)
        if key not in shared:
            shared[key] = f"{owner}-{kind}"
            regions.append(_region(shared[key], ATTRIBUTION_TAG, label, span))
        return shared[key]

    for number, quote in enumerate(quotes, start=1):
        qid = f"q{number}"
        regions.append(
            _region(
                qid,
                QUOTE_TAG,
                QUOTE_LABELS[quote.type],
                quote.content,
                quote.confidence if scores else None,
            )
        )
        if quote.speaker_name:
            regions.append(
                {
                    "id": qid,
                    "from_name": NAME_TAG,
                    "to_name": TEXT_TAG,
                    "type": "textarea",
                    "value": {
                        "start": quote.start,
                        "end": quote.end,
                        "text": list(quote.speaker_name),
                    },
                }
            )
        speaker_id = part("speaker", SPEAKER_LABEL, qid, quote.speaker)
        if speaker_id is not None:
            relations.append(_relation(qid, speaker_id, SAID_BY))
        cue_id = part("cue", CUE_LABEL, qid, quote.cue)
        if cue_id is not None:
            relations.append(_relation(cue_id, qid, CUE_OF))
    return regions + relations


def prediction_score(quotes: Sequence[Quote]) -> float:
    """A task's prediction score: its least confident quote (0.0 when none was found).

    The minimum, not the mean, so that sorting tasks by score puts any doubtful
    quote first; an article with no quote found sorts first too, as for news
    that is most often a miss.
    """
    return round(min((q.confidence for q in quotes), default=0.0), 4)


def prediction_for(doc: Document, model_version: str) -> dict[str, Any]:
    """The prediction body of ``doc`` (``model_version``, ``score``, ``result``)."""
    return {
        "model_version": model_version,
        "score": prediction_score(doc.quotes),
        "result": quotes_to_result(doc.quotes),
    }


def task_for(doc: Document, model_version: str | None = None) -> dict[str, Any]:
    """A task to import: the text, document id and text hash, and its prediction."""
    task: dict[str, Any] = {
        "data": {TEXT_KEY: doc.text, DOC_ID_KEY: doc.id, TEXT_HASH_KEY: text_hash(doc.text)}
    }
    if model_version is not None:
        task["predictions"] = [prediction_for(doc, model_version)]
    return task


def as_gold(quote: Quote) -> Quote:
    """``quote`` as it comes back from Label Studio after an annotator accepts it.

    Annotations carry no confidence (gold is 1.0), no ``fragments`` (the
    extractor emits one quote per piece) and no empty speaker or cue spans
    (a region needs at least one character; the name stays).
    """
    return replace(
        quote,
        confidence=1.0,
        fragments=(),
        speaker=quote.speaker if quote.speaker is not None and len(quote.speaker) else None,
        cue=quote.cue if quote.cue is not None and len(quote.cue) else None,
    )


# --- result list -> Quote list (with validation) -------------------------------


@dataclass
class _Region:
    id: str
    label: str
    span: CharSpan
    names: list[str] = field(default_factory=list)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _read_region(item: Mapping[str, Any], text: str) -> tuple[str, CharSpan] | str:
    """The label and span of a labels item, or the reason it is malformed."""
    rid = item.get("id")
    control = item.get("from_name")
    value = item.get("value")
    if not isinstance(value, Mapping):
        return f"region {rid}: no value"
    labels = value.get("labels")
    allowed = tuple(QUOTE_LABELS.values()) if control == QUOTE_TAG else ATTRIBUTION_LABELS
    if not isinstance(labels, list) or len(labels) != 1:
        return f"region {rid}: needs exactly one label, has {labels!r}"
    label = labels[0]
    if label not in allowed:
        return f"region {rid}: unknown label {label!r} in {control!r}"
    start, end = _int(value.get("start")), _int(value.get("end"))
    if start is None or end is None or not 0 <= start < end <= len(text):
        return (
            f"region {rid} ({label}): offsets [{value.get('start')}, {value.get('end')})"
            f" are outside the text (length {len(text)})"
        )
    shown = value.get("text")
    if shown is not None and shown != text[start:end]:
        return (
            f"region {rid} ({label}): offsets [{start}, {end}) hold {text[start:end]!r},"
            f" not {shown!r}"
        )
    return str(label), CharSpan.of(text, start, end)


def _names(value: Any) -> list[str] | None:
    """Canonical names from a text area value: one a line, blank lines dropped."""
    entries = value.get("text") if isinstance(value, Mapping) else None
    if isinstance(entries, str):
        entries = [entries]
    if not isinstance(entries, list) or not all(isinstance(e, str) for e in entries):
        return None
    return [line.strip() for e in entries for line in e.splitlines() if line.strip()]


def _collect(
    result: Sequence[Any], text: str, errors: list[str]
) -> tuple[dict[str, _Region], list[tuple[str, str, str]], dict[str, list[str]]]:
    """Split a result into regions, relations and per-region names, noting malformed items."""
    regions: dict[str, _Region] = {}
    relations: list[tuple[str, str, str]] = []
    names: dict[str, list[str]] = {}
    for item in result:
        if not isinstance(item, Mapping):
            errors.append(f"result item {item!r} is not an object")
            continue
        kind, rid = item.get("type"), item.get("id")
        if kind == "relation":
            labels = item.get("labels") or []
            if len(labels) != 1 or labels[0] not in RELATIONS:
                errors.append(
                    f"relation {item.get('from_id')} -> {item.get('to_id')}: needs one label of"
                    f" {', '.join(RELATIONS)}, has {labels!r}"
                )
                continue
            relations.append((str(item.get("from_id")), str(item.get("to_id")), labels[0]))
        elif kind == "labels" and item.get("from_name") in (QUOTE_TAG, ATTRIBUTION_TAG):
            if item.get("to_name") != TEXT_TAG:
                errors.append(f"region {rid}: labels a tag other than {TEXT_TAG!r}")
                continue
            read = _read_region(item, text)
            if isinstance(read, str):
                errors.append(read)
            elif str(rid) in regions:
                errors.append(f"region {rid}: has two labels; keep one")
            else:
                regions[str(rid)] = _Region(str(rid), read[0], read[1])
        elif kind == "textarea" and item.get("from_name") == NAME_TAG:
            found = _names(item.get("value"))
            if found is None:
                errors.append(f"region {rid}: speaker name is not text")
            else:
                names.setdefault(str(rid), []).extend(found)
        else:
            errors.append(
                f"result item {rid}: unknown {kind!r} from {item.get('from_name')!r}"
                " (is the project's labeling config ours?)"
            )
    return regions, relations, names


def result_to_quotes(result: Sequence[Any], text: str) -> list[Quote]:
    """The quotes of an annotation ``result`` over ``text``, in text order (confidence 1.0).

    Accepts ``said_by`` and ``cue_of`` drawn in either direction. Raises
    :class:`AnnotationError` with every reason when the result has offsets that
    do not match the text, unknown labels or controls, relations to missing or
    wrong regions, a quote with two speakers or two cues, a name on a region
    that is not a quote, or a speaker or cue that belongs to no quote.
    """
    errors: list[str] = []
    regions, relations, names = _collect(result, text, errors)
    speaker_of: dict[str, str] = {}
    cue_of: dict[str, str] = {}
    used: set[str] = set()
    for from_id, to_id, label in relations:
        ends = [regions.get(from_id), regions.get(to_id)]
        if ends[0] is None or ends[1] is None:
            missing = from_id if ends[0] is None else to_id
            errors.append(f"relation {from_id} -> {to_id} ({label}): no region {missing}")
            continue
        part_label = SPEAKER_LABEL if label == SAID_BY else CUE_LABEL
        quotes = [r for r in ends if r is not None and r.label in LABEL_TO_TYPE]
        parts = [r for r in ends if r is not None and r.label == part_label]
        if len(quotes) != 1 or len(parts) != 1:
            errors.append(
                f"relation {from_id} -> {to_id} ({label}): must join a quote and a {part_label}"
            )
            continue
        quote_id, part_id = quotes[0].id, parts[0].id
        table = speaker_of if label == SAID_BY else cue_of
        if table.get(quote_id, part_id) != part_id:
            what = "speakers" if label == SAID_BY else "cues"
            errors.append(f"quote {quote_id}: has two {what} ({table[quote_id]}, {part_id})")
            continue
        table[quote_id] = part_id
        used.add(part_id)
    for rid, found in names.items():
        region = regions.get(rid)
        if region is None:
            errors.append(f"speaker name on {rid}: no such region")
        elif region.label not in LABEL_TO_TYPE:
            errors.append(f"speaker name on {rid} ({region.label}): put it on the quote region")
        else:
            region.names.extend(found)
    for region in regions.values():
        if region.label not in LABEL_TO_TYPE and region.id not in used:
            relation = SAID_BY if region.label == SPEAKER_LABEL else CUE_OF
            errors.append(
                f"region {region.id} ({region.label} {region.span.text!r}) belongs to no quote;"
                f" relate it with {relation} or delete it"
            )
    if errors:
        raise AnnotationError(errors)
    out = [
        Quote(
            type=LABEL_TO_TYPE[region.label],
            content=region.span,
            speaker=regions[speaker_of[rid]].span if rid in speaker_of else None,
            speaker_name=tuple(region.names),
            cue=regions[cue_of[rid]].span if rid in cue_of else None,
        )
        for rid, region in regions.items()
        if region.label in LABEL_TO_TYPE
    ]
    return sorted(out, key=lambda q: (q.start, q.end, q.type))


# --- export tasks -> documents ------------------------------------------------


@dataclass(frozen=True)
class Skipped:
    """A task that pull could not turn into a gold document, and why."""

    task_id: Any
    reason: str

    def __str__(self) -> str:
        return f"task {self.task_id}: {self.reason}"


@dataclass(frozen=True)
class PullResult:
    """What a pull found: the gold documents, the skipped tasks, and counts."""

    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]
    tasks: int
    annotated: int


def _annotator_matches(completed_by: Any, annotator: str) -> bool:
    """True when an annotation's ``completed_by`` (id or user object) is ``annotator``."""
    if isinstance(completed_by, Mapping):
        keys = ("id", "email", "username")
        return any(str(completed_by.get(k)) == annotator for k in keys if completed_by.get(k))
    return str(completed_by) == annotator


def pick_annotation(
    annotations: Iterable[Mapping[str, Any]], annotator: str | None = None
) -> Mapping[str, Any] | None:
    """The latest submitted, non-cancelled annotation (of ``annotator`` when given)."""
    kept = [
        a
        for a in annotations
        if not a.get("was_cancelled")
        and (annotator is None or _annotator_matches(a.get("completed_by"), annotator))
    ]
    if not kept:
        return None
    return max(
        kept,
        key=lambda a: (
            str(a.get("updated_at") or a.get("created_at") or ""),
            int(a.get("id") or 0),
        ),
    )


def task_to_document(task: Mapping[str, Any], annotation: Mapping[str, Any]) -> Document:
    """The gold document of one exported task and its chosen annotation.

    Raises :class:`AnnotationError` when the task data or the annotation is malformed.
    """
    data = task.get("data")
    if not isinstance(data, Mapping) or not isinstance(data.get(TEXT_KEY), str):
        raise AnnotationError([f"task data has no string {TEXT_KEY!r}"])
    text = data[TEXT_KEY]
    doc_id = data.get(DOC_ID_KEY)
    if doc_id is None:
        raise AnnotationError([f"task data has no {DOC_ID_KEY!r}; push documents with quotes push"])
    result = annotation.get("result")
    if not isinstance(result, list):
        raise AnnotationError(["annotation has no result list"])
    return Document(id=str(doc_id), text=text, quotes=tuple(result_to_quotes(result, text)))


def tasks_to_documents(
    tasks: Iterable[Mapping[str, Any]], annotator: str | None = None
) -> PullResult:
    """Gold documents from exported tasks; malformed ones are skipped with their reason."""
    documents: list[Document] = []
    skipped: list[Skipped] = []
    seen: dict[str, Any] = {}
    total = annotated = 0
    for task in tasks:
        total += 1
        annotation = pick_annotation(task.get("annotations") or [], annotator)
        if annotation is None:
            continue
        annotated += 1
        try:
            doc = task_to_document(task, annotation)
        except AnnotationError as err:
            skipped.append(Skipped(task.get("id"), str(err)))
            continue
        if doc.id in seen:
            reason = f"document {doc.id} is also task {seen[doc.id]}"
            skipped.append(Skipped(task.get("id"), reason))
            continue
        seen[doc.id] = task.get("id")
        documents.append(doc)
    return PullResult(tuple(documents), tuple(skipped), total, annotated)
