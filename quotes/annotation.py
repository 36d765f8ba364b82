"""The tool-neutral core of every annotation format: regions, links and per-quote names.

Label Studio, doccano and brat all hold a quote the same way once their syntax
is peeled off: labeled regions of the text (a quote, its speaker mention, its
cue), two kinds of link between them (``said_by`` from a quote to its speaker,
``cue_of`` from a cue to its quote) and the canonical speaker name(s) of each
quote. :class:`Annotation` is that shape; :func:`quotes_to_annotation` and
:func:`annotation_to_quotes` convert it to and from our :class:`~quotes.types.Quote`
lists, so each tool's module only translates syntax.

Pure functions; no I/O. Offsets are half-open Python ``str`` offsets.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from .types import CharSpan, Document, Quote, QuoteType

#: Region labels of quotes (one per quote type), speakers and cues.
QUOTE_LABELS: dict[QuoteType, str] = {
    "direct": "DirectQuote",
    "indirect": "IndirectQuote",
    "mixed": "MixedQuote",
}
LABEL_TO_TYPE: dict[str, QuoteType] = {label: kind for kind, label in QUOTE_LABELS.items()}
SPEAKER_LABEL = "Speaker"
CUE_LABEL = "Cue"
PART_LABELS: tuple[str, ...] = (SPEAKER_LABEL, CUE_LABEL)
ALL_LABELS: tuple[str, ...] = (*QUOTE_LABELS.values(), *PART_LABELS)

#: Links: ``said_by`` goes quote -> speaker, ``cue_of`` goes cue -> quote.
SAID_BY = "said_by"
CUE_OF = "cue_of"
LINK_LABELS: tuple[str, ...] = (SAID_BY, CUE_OF)


def text_hash(text: str) -> str:
    """A short, stable hash of a document text: the version a task or example carries."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


class AnnotationError(ValueError):
    """An annotation that cannot be turned into quotes; ``reasons`` says every why."""

    def __init__(self, reasons: Sequence[str]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = tuple(reasons)


@dataclass(frozen=True)
class Region:
    """A labeled stretch of the text: one piece, or several for a discontinuous quote."""

    id: str
    label: str
    pieces: tuple[CharSpan, ...]

    @property
    def start(self) -> int:
        return self.pieces[0].start

    @property
    def end(self) -> int:
        return self.pieces[-1].end

    def covering(self, text: str) -> CharSpan:
        """The span from the first piece's start to the last piece's end."""
        return CharSpan.of(text, self.start, self.end)


@dataclass(frozen=True)
class Link:
    """A directed, labeled link between two regions (``said_by`` or ``cue_of``)."""

    from_id: str
    to_id: str
    label: str


@dataclass(frozen=True)
class Annotation:
    """Regions, links and the canonical names of quote regions, by region id."""

    regions: tuple[Region, ...] = ()
    links: tuple[Link, ...] = ()
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Dropped:
    """A region or link that carries nothing for the gold, left out of a document.

    ``subject`` names it (``region q3-speaker (Speaker)``, ``relation q1 -> q3``),
    ``what`` says why, ``text`` is the region's text.
    """

    subject: str
    what: str
    text: str = ""

    def __str__(self) -> str:
        shown = f" {self.text!r}" if self.text else ""
        return f"{self.subject}{shown}: {self.what}"


# --- quotes -> annotation -----------------------------------------------------


def quotes_to_annotation(quotes: Sequence[Quote], *, fragments: bool = True) -> Annotation:
    """The regions and links of ``quotes`` (ids ``q1``, ``q1-speaker``, ``q1-cue``...).

    A quote with ``fragments`` is one region of several pieces (with
    ``fragments=False``, for a tool without discontinuous regions, one region
    over its whole content). A speaker or cue
    mention shared by several quotes (a quote interrupted by its attribution)
    is one region, named after the first quote, with a link from (or to) each.
    Empty speaker or cue spans get no region (a region needs a character).
    """
    regions: list[Region] = []
    links: list[Link] = []
    names: dict[str, tuple[str, ...]] = {}
    shared: dict[tuple[str, int, int], str] = {}

    def part(kind: str, label: str, owner: str, span: CharSpan | None) -> str | None:
        if span is None or not len(span):
            return None
        key = (label, span.start, span.end)
        if key not in shared:
            shared[key] = f"{owner}-{kind}"
            regions.append(Region(shared[key], label, (span,)))
        return shared[key]

    for number, quote in enumerate(quotes, start=1):
        qid = f"q{number}"
        pieces = quote.pieces() if fragments else (quote.content,)
        regions.append(Region(qid, QUOTE_LABELS[quote.type], pieces))
        if quote.speaker_name:
            names[qid] = tuple(quote.speaker_name)
        speaker_id = part("speaker", SPEAKER_LABEL, qid, quote.speaker)
        if speaker_id is not None:
            links.append(Link(qid, speaker_id, SAID_BY))
        cue_id = part("cue", CUE_LABEL, qid, quote.cue)
        if cue_id is not None:
            links.append(Link(cue_id, qid, CUE_OF))
    return Annotation(tuple(regions), tuple(links), names)


# --- annotation -> quotes -----------------------------------------------------


def check_region(region: Region, text: str) -> str | None:
    """Why ``region`` does not fit ``text`` (None when it does).

    Pieces must be non-empty, inside the text, in order and not overlapping,
    and each piece's text must be the text at its offsets.
    """
    if region.label not in ALL_LABELS:
        return f"region {region.id}: unknown label {region.label!r}"
    if not region.pieces:
        return f"region {region.id} ({region.label}): no offsets"
    previous_end = -1
    for piece in region.pieces:
        if not 0 <= piece.start < piece.end <= len(text):
            return (
                f"region {region.id} ({region.label}): offsets [{piece.start}, {piece.end})"
                f" are outside the text (length {len(text)}) or empty"
            )
        if piece.start < previous_end:
            return (
                f"region {region.id} ({region.label}): pieces overlap or are out of order"
                f" at offset {piece.start}"
            )
        if text[piece.start : piece.end] != piece.text:
            return (
                f"region {region.id} ({region.label}): offsets [{piece.start}, {piece.end})"
                f" hold {text[piece.start : piece.end]!r}, not {piece.text!r}"
            )
        previous_end = piece.end
    if len(region.pieces) > 1 and region.label not in LABEL_TO_TYPE:
        return f"region {region.id} ({region.label}): only a quote can be discontinuous"
    return None


def annotation_to_quotes(
    annotation: Annotation, text: str, *, strict: bool = False
) -> tuple[list[Quote], list[Dropped]]:
    """The quotes of ``annotation`` over ``text`` in text order (confidence 1.0).

    Links may be drawn in either direction. What carries nothing for the gold
    is returned in the second list (``strict`` makes it an error): a speaker
    or cue region that no quote links to (deleting a quote in an annotation
    tool often leaves them: ``“We won,” she said.`` keeps ``she`` and
    ``said``), and a link without a label that joins no quote and part. A link
    without a label that does (a quote and a Speaker) means the only label it
    can. Raises :class:`AnnotationError` with every reason when a region does
    not fit the text, a link names a missing region or joins the wrong labels,
    a quote has two speakers or two cues, or a name sits on a missing region
    or one that is not a quote.
    """
    errors: list[str] = []
    regions: dict[str, Region] = {}
    for region in annotation.regions:
        problem = check_region(region, text)
        if problem is not None:
            errors.append(problem)
        elif region.id in regions:
            errors.append(f"region {region.id}: appears twice")
        else:
            regions[region.id] = region
    speaker_of: dict[str, str] = {}
    cue_of: dict[str, str] = {}
    used: set[str] = set()
    dropped: list[Dropped] = []
    for link in annotation.links:
        name = f"relation {link.from_id} -> {link.to_id}"
        ends = [regions.get(link.from_id), regions.get(link.to_id)]
        if ends[0] is None or ends[1] is None:
            missing = link.from_id if ends[0] is None else link.to_id
            errors.append(f"{name} ({link.label or 'no label'}): no region {missing}")
            continue
        label = link.label
        if not label:
            label = _only_label(ends[0], ends[1]) or ""
            if strict:
                errors.append(f"{name}: has no label; give it one of {', '.join(LINK_LABELS)}")
                continue
            if not label:
                dropped.append(Dropped(name, "no label and joins no quote and part; dropped"))
                continue
        if label not in LINK_LABELS:
            errors.append(f"{name}: unknown label {label!r}")
            continue
        part_label = SPEAKER_LABEL if label == SAID_BY else CUE_LABEL
        quotes = [r for r in ends if r is not None and r.label in LABEL_TO_TYPE]
        parts = [r for r in ends if r is not None and r.label == part_label]
        if len(quotes) != 1 or len(parts) != 1:
            errors.append(f"{name} ({label}): must join a quote and a {part_label}")
            continue
        quote_id, part_id = quotes[0].id, parts[0].id
        table = speaker_of if label == SAID_BY else cue_of
        if table.get(quote_id, part_id) != part_id:
            what = "speakers" if label == SAID_BY else "cues"
            errors.append(f"quote {quote_id}: has two {what} ({table[quote_id]}, {part_id})")
            continue
        table[quote_id] = part_id
        used.add(part_id)
    for rid in annotation.names:
        named = regions.get(rid)
        if named is None:
            errors.append(f"speaker name on {rid}: no such region")
        elif named.label not in LABEL_TO_TYPE:
            errors.append(f"speaker name on {rid} ({named.label}): put it on the quote region")
    for region in regions.values():
        if region.label in LABEL_TO_TYPE or region.id in used:
            continue
        if strict:
            link_label = SAID_BY if region.label == SPEAKER_LABEL else CUE_OF
            errors.append(
                f"region {region.id} ({region.label} {region.pieces[0].text!r}) belongs to no"
                f" quote; relate it with {link_label} or delete it"
            )
        else:
            subject = f"region {region.id} ({region.label})"
            dropped.append(Dropped(subject, "related to no quote; dropped", region.pieces[0].text))
    if errors:
        raise AnnotationError(errors)
    out = []
    for rid, region in regions.items():
        if region.label not in LABEL_TO_TYPE:
            continue
        speaker = regions[speaker_of[rid]].pieces[0] if rid in speaker_of else None
        cue = regions[cue_of[rid]].pieces[0] if rid in cue_of else None
        out.append(
            Quote(
                type=LABEL_TO_TYPE[region.label],
                content=region.covering(text),
                speaker=speaker,
                speaker_name=tuple(annotation.names.get(rid, ())),
                cue=cue,
                fragments=region.pieces if len(region.pieces) > 1 else (),
            )
        )
    out.sort(key=lambda q: (q.start, q.end, q.type))
    return out, dropped


def _only_label(first: Region, second: Region) -> str | None:
    """The label a link without one between these regions can only mean, or None.

    An annotation tool creates a link before the annotator picks its label: a
    line from a quote to a Speaker can only be ``said_by``, one between a Cue
    and a quote only ``cue_of``.
    """
    kinds = {r.label if r.label in PART_LABELS else "quote" for r in (first, second)}
    if kinds == {"quote", SPEAKER_LABEL}:
        return SAID_BY
    if kinds == {"quote", CUE_LABEL}:
        return CUE_OF
    return None


# --- comparing round trips ----------------------------------------------------


def gold_quote(quote: Quote, *, fragments: bool = True) -> Quote:
    """``quote`` as an annotation tool gives it back: what a round trip must keep.

    Annotations carry no confidence (gold is 1.0) and no rule, and no empty
    speaker or cue span (a region needs at least one character; the name
    stays). ``fragments=False`` for a tool without discontinuous regions.
    """
    return replace(
        quote,
        confidence=1.0,
        rule="",
        fragments=quote.fragments if fragments else (),
        speaker=quote.speaker if quote.speaker is not None and len(quote.speaker) else None,
        cue=quote.cue if quote.cue is not None and len(quote.cue) else None,
    )


def gold_document(doc: Document, *, fragments: bool = True) -> Document:
    """``doc`` with its quotes as :func:`gold_quote` and in text order, without speakers."""
    quotes = sorted(
        (gold_quote(q, fragments=fragments) for q in doc.quotes),
        key=lambda q: (q.start, q.end, q.type),
    )
    return Document(doc.id, doc.text, tuple(quotes))


def round_trip_differences(before: Iterable[Document], after: Iterable[Document]) -> list[str]:
    """What a round trip changed, one line per document (empty when lossless)."""
    after_by_id = {d.id: d for d in after}
    problems: list[str] = []
    for doc in before:
        back = after_by_id.pop(doc.id, None)
        if back is None:
            problems.append(f"document {doc.id}: missing after the round trip")
        elif back.text != doc.text:
            problems.append(f"document {doc.id}: text changed")
        elif back.quotes != doc.quotes:
            lost = [q for q in doc.quotes if q not in back.quotes]
            new = [q for q in back.quotes if q not in doc.quotes]
            problems.append(
                f"document {doc.id}: {len(lost)} quote(s) changed or lost, {len(new)} new"
                + (f"; first lost: {lost[0].to_dict()}" if lost else "")
            )
    problems.extend(f"document {i}: appeared in the round trip" for i in after_by_id)
    return problems


# --- quote type from quotation marks ------------------------------------------

_WORD = re.compile(r"\w+")


def type_from_marks(pieces: Sequence[CharSpan]) -> QuoteType:
    """The quote type by the marks alone: all words inside marks, some, or none.

    For third-party attributions without a type (PolNeAR's ``Content``):
    ``“We will win,” she said`` has every word inside marks → ``direct``;
    ``the plan was “a gamble”`` → ``mixed``; no marks → ``indirect``.
    """
    from .marks import find_quoted_stretches

    inside = outside = 0
    for piece in pieces:
        stretches = find_quoted_stretches(piece.text)  # sorted, not nested
        index = 0
        for word in _WORD.finditer(piece.text):
            while index < len(stretches) and stretches[index].end < word.end():
                index += 1
            if index < len(stretches) and stretches[index].start <= word.start():
                inside += 1
            else:
                outside += 1
    if inside and not outside:
        return "direct"
    return "mixed" if inside else "indirect"
