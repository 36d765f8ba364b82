"""Pure converters between ``Quote`` lists and Label Studio ``result`` lists, and the validator.

A quote becomes up to five result items: its labeled region (``q3``), a speaker
region (``q3-speaker``), a cue region (``q3-cue``), the ``said_by`` and
``cue_of`` relations, and a per-region text area holding the canonical
speaker name(s). Several quotes that share one speaker or cue mention (a quote
interrupted by its attribution) share one region, named after the first quote.

Going back, :func:`read_result` takes a result as the Label Studio UI leaves
it (a Speaker or Cue region related to no quote is dropped and listed) and
raises :class:`AnnotationError` listing every reason a result cannot be read
without losing or inventing something; :func:`tasks_to_documents` chooses
among several annotators' annotations of a task.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..annotation import (
    Annotation,
    AnnotationError,
    Dropped,
    Link,
    Region,
    annotation_to_quotes,
    gold_quote,
    quotes_to_annotation,
    text_hash,
)
from ..types import CharSpan, Document, Quote
from .config import (
    ATTRIBUTION_LABELS,
    ATTRIBUTION_TAG,
    DOC_ID_KEY,
    LABEL_TO_TYPE,
    NAME_TAG,
    QUOTE_LABELS,
    QUOTE_TAG,
    RELATIONS,
    TEXT_HASH_KEY,
    TEXT_KEY,
    TEXT_TAG,
)

Result = list[dict[str, Any]]


# --- Quote list -> result list ------------------------------------------------


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

    The regions and relations are the tool-neutral ones of
    :func:`quotes.annotation.quotes_to_annotation`: speaker and cue mentions
    shared by several quotes become one region with a relation from (or to)
    each quote; an empty speaker span has no region; a quote's fragments are
    not kept (Label Studio has no discontinuous region). With ``scores``, each
    quote region carries its confidence as ``score``; a quote's canonical
    names follow its region as a per-region text area.
    """
    annotation = quotes_to_annotation(quotes, fragments=False)
    confidence = {f"q{number}": q.confidence for number, q in enumerate(quotes, start=1)}
    items: Result = []
    for region in annotation.regions:
        span = region.pieces[0]
        if region.label not in LABEL_TO_TYPE:
            items.append(_region(region.id, ATTRIBUTION_TAG, region.label, span))
            continue
        score = confidence[region.id] if scores else None
        items.append(_region(region.id, QUOTE_TAG, region.label, span, score))
        names = annotation.names.get(region.id)
        if names:
            items.append(
                {
                    "id": region.id,
                    "from_name": NAME_TAG,
                    "to_name": TEXT_TAG,
                    "type": "textarea",
                    "value": {"start": span.start, "end": span.end, "text": list(names)},
                }
            )
    items.extend(_relation(link.from_id, link.to_id, link.label) for link in annotation.links)
    return items


def prediction_score(quotes: Sequence[Quote]) -> float:
    """A task's prediction score: ``1 / (1 + E)``, E the number of its quotes
    expected to be wrong (the sum of ``1 - confidence``; confidence is the
    calibrated probability that a quote is right).

    Sorting tasks by score, lowest first, brings the articles with the most
    errors to correct first: many doubtful quotes weigh more than one. An
    article with no quote found scores 0.0 and sorts first too: for news that
    is most often a miss.
    """
    if not quotes:
        return 0.0
    expected_errors = sum(1.0 - q.confidence for q in quotes)
    return round(1.0 / (1.0 + expected_errors), 4)


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
    return gold_quote(quote, fragments=False)


# --- result list -> Quote list (with validation) -------------------------------


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
    result: Sequence[Any], text: str, errors: list[str], *, strict: bool = True
) -> tuple[dict[str, Region], list[tuple[str, str, str]], dict[str, list[str]]]:
    """Split a result into regions, relations and per-region names, noting malformed items.

    A relation's label is ``""`` when it has none (allowed unless ``strict``).
    """
    regions: dict[str, Region] = {}
    relations: list[tuple[str, str, str]] = []
    names: dict[str, list[str]] = {}
    for item in result:
        if not isinstance(item, Mapping):
            errors.append(f"result item {item!r} is not an object")
            continue
        kind, rid = item.get("type"), item.get("id")
        if kind == "relation":
            labels = item.get("labels") or []
            if not labels and not strict:
                relations.append((str(item.get("from_id")), str(item.get("to_id")), ""))
                continue
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
                regions[str(rid)] = Region(str(rid), read[0], (read[1],))
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


@dataclass(frozen=True)
class ReadResult:
    """The quotes of one annotation and what was dropped on the way (lenient reading)."""

    quotes: tuple[Quote, ...]
    dropped: tuple[Dropped, ...] = ()


def read_result(result: Sequence[Any], text: str, *, strict: bool = False) -> ReadResult:
    """The quotes of an annotation ``result`` over ``text``, in text order (confidence 1.0).

    Takes the result as the Label Studio UI leaves it: deleting a false quote
    there removes the quote region and its relations but leaves its Speaker and
    Cue regions (``“We won,” she said.`` with the quote deleted keeps ``she``
    and ``said``). Such a region, related to no quote, carries nothing for the
    gold: it is dropped and listed in ``dropped``. So is a relation without a
    label that joins no quote and part; one that does (a quote and a Speaker)
    means the only relation it can. Relations may be drawn in either direction.
    A quote without a ``said_by`` has an unknown speaker unless its per-region
    name says who. The reading itself is the tool-neutral
    :func:`quotes.annotation.annotation_to_quotes`; this function parses
    Label Studio's items into it.

    Raises :class:`AnnotationError` with every reason for what cannot be read:
    offsets outside the text or not holding the region's text, labels or
    controls not in our config, a region with two labels, a relation to a
    missing region or whose label contradicts its ends, a quote with two
    speakers or two cues, a name on a missing or non-quote region. With
    ``strict``, dropped regions and unlabeled relations are errors too.
    """
    errors: list[str] = []
    regions, relations, names = _collect(result, text, errors, strict=strict)
    if errors:
        raise AnnotationError(errors)
    annotation = Annotation(
        tuple(regions.values()),
        tuple(Link(a, b, label) for a, b, label in relations),
        {rid: tuple(found) for rid, found in names.items()},
    )
    quotes, dropped = annotation_to_quotes(annotation, text, strict=strict)
    return ReadResult(tuple(quotes), tuple(dropped))


def result_to_quotes(result: Sequence[Any], text: str, *, strict: bool = True) -> list[Quote]:
    """The quotes of ``result`` (see :func:`read_result`); strict by default, so that
    anything that would be dropped raises :class:`AnnotationError` instead."""
    return list(read_result(result, text, strict=strict).quotes)


# --- export tasks -> documents ------------------------------------------------

#: How pull chooses among several annotations of one task (``--annotations``).
ANNOTATION_CHOICES: tuple[str, ...] = ("latest", "ground-truth", "all")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Skipped:
    """A task (or one annotation of it) that pull could not use, and why."""

    task_id: Any
    reason: str
    annotator: str = ""

    def __str__(self) -> str:
        who = f" ({self.annotator})" if self.annotator else ""
        return f"task {self.task_id}{who}: {self.reason}"


@dataclass(frozen=True)
class PullResult:
    """What a pull found: gold documents (per annotator with ``all``), what was left out, counts.

    ``documents`` holds the chosen annotation of each task (``latest``,
    ``ground-truth``); ``by_annotator`` the documents of each annotator (``all``;
    also filled for the others, by whose annotation was chosen). ``taken`` counts
    the annotations used per annotator, ``left_out`` the submitted annotations
    not used, each with its reason (another annotator's, an older one of the
    same annotator); ``dropped`` lists regions dropped from used annotations;
    ``written`` the files a pull wrote (none: nothing was written).
    """

    documents: tuple[Document, ...]
    skipped: tuple[Skipped, ...]
    tasks: int
    annotated: int
    by_annotator: Mapping[str, tuple[Document, ...]] = field(default_factory=dict)
    taken: Mapping[str, int] = field(default_factory=dict)
    left_out: tuple[Skipped, ...] = ()
    dropped: tuple[Skipped, ...] = ()
    cancelled: int = 0
    from_ground_truth: int = 0
    #: the gold files written from it (by :func:`quotes.labelstudio.client.pull`)
    written: tuple[Path, ...] = ()


def annotation_time(annotation: Mapping[str, Any]) -> datetime:
    """When an annotation was last changed (``updated_at``, else ``created_at``), as a datetime.

    Label Studio writes ISO 8601 with a varying number of fraction digits and
    a ``Z`` or an offset, so comparing the strings would misorder
    ``...:00.5Z`` and ``...:00.25Z``; a missing or unreadable stamp sorts first.
    """
    for key in ("updated_at", "created_at"):
        raw = annotation.get(key)
        if isinstance(raw, str) and raw:
            try:
                stamp = datetime.fromisoformat(raw.replace("Z", "+00:00"))
            except ValueError:
                continue
            return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
    return _EPOCH


def _order(annotation: Mapping[str, Any]) -> tuple[datetime, int]:
    raw_id = annotation.get("id")
    return annotation_time(annotation), raw_id if isinstance(raw_id, int) else 0


def annotator_key(completed_by: Any, emails: Mapping[str, str] | None = None) -> str:
    """Who made an annotation: the user's email when known, else ``user-<id>``.

    ``completed_by`` is a user id in a snapshot export, or a user object
    (``{"id", "email"}``) in some exports; ``emails`` maps ids to emails.
    """
    if isinstance(completed_by, Mapping):
        email = completed_by.get("email")
        if isinstance(email, str) and email:
            return email
        completed_by = completed_by.get("id")
    if completed_by is None:
        return "unknown"
    known = (emails or {}).get(str(completed_by))
    return known if known else f"user-{completed_by}"


def _annotator_matches(completed_by: Any, annotator: str) -> bool:
    """True when an annotation's ``completed_by`` (id or user object) is ``annotator``."""
    if isinstance(completed_by, Mapping):
        keys = ("id", "email", "username")
        return any(str(completed_by.get(k)) == annotator for k in keys if completed_by.get(k))
    return str(completed_by) == annotator


def submitted_annotations(
    annotations: Iterable[Mapping[str, Any]], annotator: str | None = None
) -> list[Mapping[str, Any]]:
    """The submitted (not cancelled) annotations, of ``annotator`` when given, oldest first."""
    kept = [
        a
        for a in annotations
        if isinstance(a, Mapping)
        and not a.get("was_cancelled")
        and (annotator is None or _annotator_matches(a.get("completed_by"), annotator))
    ]
    return sorted(kept, key=_order)


def pick_annotation(
    annotations: Iterable[Mapping[str, Any]],
    annotator: str | None = None,
    *,
    prefer_ground_truth: bool = False,
) -> Mapping[str, Any] | None:
    """The latest submitted, non-cancelled annotation (of ``annotator`` when given).

    Latest by real datetime, then by id. With ``prefer_ground_truth``, the latest
    of those marked as ground truth in Label Studio when there is one.
    """
    kept = submitted_annotations(annotations, annotator)
    if prefer_ground_truth:
        kept = [a for a in kept if a.get("ground_truth")] or kept
    return kept[-1] if kept else None


def task_to_document(
    task: Mapping[str, Any], annotation: Mapping[str, Any], *, strict: bool = False
) -> tuple[Document, tuple[Dropped, ...]]:
    """The gold document of one exported task and its chosen annotation, and what was dropped.

    Raises :class:`AnnotationError` when the task data or the annotation cannot be read.
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
    read = read_result(result, text, strict=strict)
    return Document(id=str(doc_id), text=text, quotes=read.quotes), read.dropped


def tasks_to_documents(
    tasks: Iterable[Mapping[str, Any]],
    annotator: str | None = None,
    *,
    annotations: str = "latest",
    strict: bool = False,
    emails: Mapping[str, str] | None = None,
) -> PullResult:
    """Gold documents from exported tasks; what cannot be read is skipped with its reason.

    ``annotations`` is one of :data:`ANNOTATION_CHOICES`: ``latest`` takes each
    task's latest submitted annotation, ``ground-truth`` the one marked as ground
    truth (else the latest), ``all`` every annotator's latest, filed under the
    annotator (``emails`` maps user ids to emails). Nothing is dropped without
    a word: annotations not used are in ``left_out``, regions dropped from used
    ones in ``dropped``, unreadable ones in ``skipped``.
    """
    if annotations not in ANNOTATION_CHOICES:
        raise ValueError(
            f"unknown annotations choice {annotations!r}; use {', '.join(ANNOTATION_CHOICES)}"
        )
    documents: list[Document] = []
    by_annotator: dict[str, list[Document]] = {}
    taken: Counter[str] = Counter()
    skipped: list[Skipped] = []
    left_out: list[Skipped] = []
    dropped: list[Skipped] = []
    seen: dict[tuple[str, str], Any] = {}
    total = annotated = cancelled = from_ground_truth = 0
    for task in tasks:
        total += 1
        task_id = task.get("id")
        raw = [a for a in task.get("annotations") or [] if isinstance(a, Mapping)]
        cancelled += sum(1 for a in raw if a.get("was_cancelled"))
        kept = submitted_annotations(raw, annotator)
        if not kept:
            continue
        annotated += 1
        chosen: list[Mapping[str, Any]]
        if annotations == "all":
            latest: dict[str, Mapping[str, Any]] = {}
            for a in kept:  # oldest first: the last one of each annotator wins
                latest[annotator_key(a.get("completed_by"), emails)] = a
            chosen = list(latest.values())
        else:
            pick = pick_annotation(kept, prefer_ground_truth=annotations == "ground-truth")
            assert pick is not None
            from_ground_truth += bool(annotations == "ground-truth" and pick.get("ground_truth"))
            chosen = [pick]
        for a in kept:
            if any(a is c for c in chosen):
                continue
            who = annotator_key(a.get("completed_by"), emails)
            mine = [c for c in chosen if annotator_key(c.get("completed_by"), emails) == who]
            why = (
                f"annotation {a.get('id')}: an older one of the same annotator; not used"
                if mine
                else f"annotation {a.get('id')}: not the {annotations} one;"
                " --annotations all keeps every annotator's"
            )
            left_out.append(Skipped(task_id, why, who))
        for a in chosen:
            who = annotator_key(a.get("completed_by"), emails)
            try:
                doc, lost = task_to_document(task, a, strict=strict)
            except AnnotationError as err:
                skipped.append(Skipped(task_id, str(err), who))
                continue
            key = (who if annotations == "all" else "", doc.id)
            if key in seen:
                skipped.append(Skipped(task_id, f"document {doc.id} is also task {seen[key]}", who))
                continue
            seen[key] = task_id
            dropped.extend(Skipped(task_id, str(d), who) for d in lost)
            taken[who] += 1
            by_annotator.setdefault(who, []).append(doc)
            if annotations != "all":
                documents.append(doc)
    return PullResult(
        documents=tuple(documents),
        skipped=tuple(skipped),
        tasks=total,
        annotated=annotated,
        by_annotator={who: tuple(docs) for who, docs in sorted(by_annotator.items())},
        taken=dict(sorted(taken.items())),
        left_out=tuple(left_out),
        dropped=tuple(dropped),
        cancelled=cancelled,
        from_ground_truth=from_ground_truth,
    )
