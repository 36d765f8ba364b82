"""Pure converters between our documents and doccano's JSONL (sequence labeling with relations).

What doccano 1.8 really holds (read from its import and export code):

- import (``RelationExtraction`` JSONL): ``text``, ``entities`` (``id``,
  ``start_offset``, ``end_offset``, ``label``), ``relations`` (``from_id``,
  ``to_id``, ``type``); every other key becomes the example's ``meta``, stored
  as given and shown read-only in the annotation page;
- export (JSONL): ``id`` (the example's), ``text``, the meta keys,
  ``entities`` and ``relations`` with doccano's ids, and ``Comments``
  (``id``, ``comment``). No per-span attribute, no confidence, no
  discontinuous span, no author per label in a shared project.
- offsets count UTF-16 code units (what the browser selects) unless the
  project is in grapheme mode; ours count code points, so offsets are
  converted both ways and a project in grapheme mode is refused.

So a quote is a span labeled ``DirectQuote``/``IndirectQuote``/``MixedQuote``,
its speaker and cue spans ``Speaker``/``Cue``, joined by ``said_by`` and
``cue_of`` relations. The canonical names (and the fragments of a
discontinuous quote) travel in the meta key ``speaker_names``: one entry per
quote with its offsets, its speaker's offsets and its names. On the way back a
quote takes the names of the entry with its own offsets and speaker; a quote
the annotator added, moved or linked to another speaker takes the names of its
speaker mention; an annotator overrides or adds names with an example comment
``mention or first words of the quote = Name | Other Name``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from ..annotation import (
    ALL_LABELS,
    CUE_OF,
    LINK_LABELS,
    SAID_BY,
    Annotation,
    AnnotationError,
    Link,
    Region,
    annotation_to_quotes,
    quotes_to_annotation,
    text_hash,
)
from ..types import CharSpan, Document, Quote

DOC_ID_KEY = "doc_id"
TEXT_HASH_KEY = "text_hash"
NAMES_KEY = "speaker_names"
COMMENTS_KEY = "Comments"
#: A comment line that names a speaker: ``mention = Name | Name``.
NAME_COMMENT_SEPARATOR = " = "
#: A comment prefix of a quote must be at least this long (``he`` is too ambiguous).
MIN_QUOTE_PREFIX = 8


# --- offsets: code points <-> UTF-16 code units --------------------------------


@dataclass(frozen=True)
class OffsetMap:
    """Offsets of one text in code points (ours) and UTF-16 code units (doccano's)."""

    text: str

    def __post_init__(self) -> None:
        astral = [i for i, ch in enumerate(self.text) if ord(ch) > 0xFFFF]
        object.__setattr__(self, "_astral", astral)

    def to_units(self, offset: int) -> int:
        """The UTF-16 offset of code point offset ``offset``."""
        from bisect import bisect_left

        astral: list[int] = self._astral  # type: ignore[attr-defined]
        return offset + bisect_left(astral, offset)

    def to_points(self, units: int) -> int | None:
        """The code point offset of UTF-16 offset ``units`` (None inside a surrogate pair)."""
        astral: list[int] = self._astral  # type: ignore[attr-defined]
        total = self.to_units(len(self.text))
        if not astral or units < 0 or units > total:
            # past the end: still past the end in code points (the caller says so)
            return units if not astral or units < 0 else len(self.text) + units - total
        low, high = 0, len(self.text)
        while low < high:  # the smallest offset whose UTF-16 offset is >= units
            mid = (low + high) // 2
            if self.to_units(mid) < units:
                low = mid + 1
            else:
                high = mid
        return low if self.to_units(low) == units else None


# --- documents -> records ----------------------------------------------------


def _pair(span: CharSpan | None, offsets: OffsetMap) -> list[int] | None:
    if span is None or not len(span):
        return None
    return [offsets.to_units(span.start), offsets.to_units(span.end)]


def document_to_record(doc: Document) -> dict[str, Any]:
    """The JSONL record doccano imports for ``doc`` (offsets in UTF-16 code units)."""
    offsets = OffsetMap(doc.text)
    quotes = sorted(doc.quotes, key=lambda q: (q.start, q.end, q.type))
    annotation = quotes_to_annotation(quotes)
    numbers = {region.id: n for n, region in enumerate(annotation.regions)}
    entities = [
        {
            "id": numbers[region.id],
            "start_offset": offsets.to_units(region.start),
            "end_offset": offsets.to_units(region.end),
            "label": region.label,
        }
        for region in annotation.regions
    ]
    relations = [
        {
            "id": n,
            "from_id": numbers[link.from_id],
            "to_id": numbers[link.to_id],
            "type": link.label,
        }
        for n, link in enumerate(annotation.links)
    ]
    names = []
    for quote in quotes:
        entry: dict[str, Any] = {
            "start": offsets.to_units(quote.start),
            "end": offsets.to_units(quote.end),
            "speaker": _pair(quote.speaker, offsets),
            "names": list(quote.speaker_name),
        }
        if quote.fragments:
            entry["fragments"] = [_pair(f, offsets) for f in quote.fragments]
        names.append(entry)
    return {
        "text": doc.text,
        DOC_ID_KEY: doc.id,
        TEXT_HASH_KEY: text_hash(doc.text),
        NAMES_KEY: names,
        "entities": entities,
        "relations": relations,
    }


# --- records -> documents ----------------------------------------------------


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _regions(entities: Any, text: str, offsets: OffsetMap, errors: list[str]) -> list[Region]:
    regions: list[Region] = []
    if not isinstance(entities, list):
        errors.append("entities is not a list")
        return regions
    for item in entities:
        if not isinstance(item, Mapping):
            errors.append(f"entity {item!r} is not an object")
            continue
        eid, label = item.get("id"), item.get("label")
        start, end = _int(item.get("start_offset")), _int(item.get("end_offset"))
        if label not in ALL_LABELS:
            errors.append(
                f"span {eid}: unknown label {label!r};"
                f" the project's labels are {', '.join(ALL_LABELS)}"
            )
            continue
        if start is None or end is None:
            errors.append(f"span {eid} ({label}): offsets are not integers")
            continue
        a, b = offsets.to_points(start), offsets.to_points(end)
        if a is None or b is None:
            errors.append(f"span {eid} ({label}): offsets [{start}, {end}) cut a character in two")
            continue
        if not 0 <= a < b <= len(text):
            errors.append(
                f"span {eid} ({label}): offsets [{start}, {end}) are outside the text or empty"
            )
            continue
        regions.append(Region(str(eid), str(label), (CharSpan.of(text, a, b),)))
    return regions


def _links(relations: Any, errors: list[str]) -> list[Link]:
    links: list[Link] = []
    if not isinstance(relations, list):
        errors.append("relations is not a list")
        return links
    for item in relations:
        if not isinstance(item, Mapping):
            errors.append(f"relation {item!r} is not an object")
            continue
        kind = item.get("type")
        if kind not in LINK_LABELS:
            errors.append(
                f"relation {item.get('id')}: unknown type {kind!r}; use {SAID_BY} or {CUE_OF}"
            )
            continue
        links.append(Link(str(item.get("from_id")), str(item.get("to_id")), str(kind)))
    return links


@dataclass(frozen=True)
class _Recorded:
    speaker: tuple[int, int] | None
    names: tuple[str, ...]
    fragments: tuple[tuple[int, int], ...]


def _recorded(meta: Any, offsets: OffsetMap) -> dict[tuple[int, int], _Recorded]:
    """The pushed names by quote offsets (code points); unreadable entries are ignored."""
    table: dict[tuple[int, int], _Recorded] = {}
    if not isinstance(meta, list):
        return table

    def points(pair: Any) -> tuple[int, int] | None:
        if not isinstance(pair, list) or len(pair) != 2:
            return None
        a, b = (offsets.to_points(v) if _int(v) is not None else None for v in pair)
        return None if a is None or b is None else (a, b)

    for entry in meta:
        if not isinstance(entry, Mapping):
            continue
        key = points([entry.get("start"), entry.get("end")])
        names = entry.get("names")
        if key is None or not isinstance(names, list):
            continue
        frags = [points(f) for f in entry.get("fragments") or ()]
        table[key] = _Recorded(
            points(entry.get("speaker")),
            tuple(str(n) for n in names),
            tuple(f for f in frags if f is not None),
        )
    return table


def parse_name_comments(comments: Any) -> list[tuple[str, tuple[str, ...]]]:
    """``(mention or quote start, names)`` from comment lines ``X = Name | Name``."""
    found: list[tuple[str, tuple[str, ...]]] = []
    if not isinstance(comments, list):
        return found
    for item in comments:
        body = item.get("comment") if isinstance(item, Mapping) else item
        if not isinstance(body, str):
            continue
        for line in body.splitlines():
            key, sep, value = line.partition(NAME_COMMENT_SEPARATOR)
            if not sep or not key.strip():
                continue
            names = tuple(n.strip() for n in value.split("|") if n.strip())
            found.append((key.strip(), names))
    return found


def _named(
    quote: Quote,
    recorded: dict[tuple[int, int], _Recorded],
    by_speaker: dict[tuple[int, int], tuple[str, ...]],
) -> Quote:
    """``quote`` with the names pushed for it, else those of its speaker mention."""
    speaker = None if quote.speaker is None else (quote.speaker.start, quote.speaker.end)
    entry = recorded.get((quote.start, quote.end))
    if entry is not None and entry.speaker == speaker:
        return replace(quote, speaker_name=entry.names)
    if speaker is not None and speaker in by_speaker:
        return replace(quote, speaker_name=by_speaker[speaker])
    return quote


def record_to_document(record: Mapping[str, Any]) -> tuple[Document, list[str]]:
    """The gold document of one exported doccano record (UTF-16 offsets converted back).

    Also returns notes on what was left out: speaker and cue spans no quote
    links to (an annotator who deleted a quote leaves them behind) and name
    comments that match no quote.

    Raises :class:`~quotes.annotation.AnnotationError` with every reason when
    the record has no text, a span outside the text, an unknown label or
    relation type, a relation to a missing span, or a quote with two
    speakers or two cues.
    """
    text = record.get("text")
    if not isinstance(text, str) or not text:
        raise AnnotationError(["record has no text"])
    doc_id = record.get(DOC_ID_KEY)
    if doc_id is None:
        doc_id = record.get("id")
    if doc_id is None:
        raise AnnotationError([f"record has no {DOC_ID_KEY!r} or id"])
    offsets = OffsetMap(text)
    errors: list[str] = []
    regions = _regions(record.get("entities", []), text, offsets, errors)
    links = _links(record.get("relations", []), errors)
    if errors:
        raise AnnotationError(errors)
    quotes, dropped = annotation_to_quotes(Annotation(tuple(regions), tuple(links)), text)
    recorded = _recorded(record.get(NAMES_KEY), offsets)
    by_speaker: dict[tuple[int, int], tuple[str, ...]] = {}
    for entry in recorded.values():
        if entry.speaker is not None and entry.names:
            by_speaker.setdefault(entry.speaker, entry.names)
    named: list[Quote] = []
    for quote in quotes:
        quote = _named(quote, recorded, by_speaker)
        pushed = recorded.get((quote.start, quote.end))
        if pushed is not None and pushed.fragments:
            pieces = tuple(CharSpan.of(text, a, b) for a, b in pushed.fragments)
            if pieces[0].start == quote.start and pieces[-1].end == quote.end:
                quote = replace(quote, fragments=pieces)
        named.append(quote)
    named, unmatched = apply_name_comments(named, parse_name_comments(record.get(COMMENTS_KEY)))
    notes = [str(d) for d in dropped]
    notes += [
        f"comment {key!r}: no quote's speaker mention is that, nor does a quote start so;"
        " its names are not used"
        for key in unmatched
    ]
    return Document(str(doc_id), text, tuple(named)), notes


def apply_name_comments(
    quotes: Sequence[Quote], comments: Sequence[tuple[str, tuple[str, ...]]]
) -> tuple[list[Quote], list[str]]:
    """``quotes`` with names from comment lines: by speaker mention text, else by quote start.

    Also returns the keys of the lines that matched no quote.
    """
    from bisect import bisect_left

    out = list(quotes)
    unmatched: list[str] = []
    by_mention: dict[str, list[int]] = {}
    for i, quote in enumerate(out):
        if quote.speaker is not None:
            by_mention.setdefault(quote.speaker.text, []).append(i)
    # quote texts sorted, so that the quotes starting with a key are one run found by bisection
    starts = sorted((q.text, i) for i, q in enumerate(out))
    for key, names in comments:
        hits = by_mention.get(key, [])
        if not hits and len(key) >= MIN_QUOTE_PREFIX:
            at = bisect_left(starts, (key, -1))
            while at < len(starts) and starts[at][0].startswith(key):
                hits.append(starts[at][1])
                at += 1
        for i in hits:
            out[i] = replace(out[i], speaker_name=names)
        if not hits:
            unmatched.append(key)
    return out, unmatched
