"""brat standoff (``.txt`` + ``.ann``), as brat and INCEpTION read and write it.

Two schemes:

- ``quotes`` (ours, lossless): entities ``DirectQuote``, ``IndirectQuote``,
  ``MixedQuote``, ``Speaker``, ``Cue``; relations ``said_by`` (quote → speaker)
  and ``cue_of`` (cue → quote); the canonical name(s) of a quote as the
  ``AnnotatorNotes`` of its entity, several joined by `` | ``; a quote with
  fragments is one discontinuous entity (``T1  DirectQuote 0 5;9 14  ...``).
- ``polnear`` (PolNeAR's): entities ``Source``, ``Cue``, ``Content`` tied by an
  ``Attribution`` (or ``Attribution-no-source``) event whose trigger spans the
  cue. It has no quote type (read back from the quotation marks) and no
  canonical name.

Parsing keeps each annotation's line number, so that every problem (a
dangling reference, overlapping or out-of-range offsets, a text field that
disagrees with the ``.txt``) names its file and line. Pure functions, except
the ``*_files`` / ``*_paths`` functions at the end.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from .annotation import (
    CUE_LABEL,
    CUE_OF,
    LABEL_TO_TYPE,
    QUOTE_LABELS,
    SAID_BY,
    SPEAKER_LABEL,
    Annotation,
    AnnotationError,
    Link,
    Region,
    annotation_to_quotes,
    quotes_to_annotation,
    type_from_marks,
)
from .io import InputError
from .types import CharSpan, Document, Quote

Scheme = Literal["quotes", "polnear"]
SCHEMES: tuple[Scheme, ...] = ("quotes", "polnear")

NOTE_TYPE = "AnnotatorNotes"
NAME_SEPARATOR = " | "

POLNEAR_SOURCE = "Source"
POLNEAR_CUE = "Cue"
POLNEAR_CONTENT = "Content"
POLNEAR_EVENT = "Attribution"
POLNEAR_EVENT_NO_SOURCE = "Attribution-no-source"
POLNEAR_EVENTS = (POLNEAR_EVENT, POLNEAR_EVENT_NO_SOURCE)

#: Longest ``.ann`` file read (bytes): a limit on what a user can send.
MAX_ANN_BYTES = 50 * 2**20


class BratError(ValueError):
    """A document that cannot be written as brat standoff (a name with ``|``, a bad id)."""


# --- the standoff lines -------------------------------------------------------


@dataclass(frozen=True)
class TextBound:
    """``T1<TAB>Type start end[;start end...]<TAB>text`` (an entity or an event trigger)."""

    id: str
    type: str
    offsets: tuple[tuple[int, int], ...]
    text: str
    line: int


@dataclass(frozen=True)
class BinaryRelation:
    """``R1<TAB>Type Arg1:T1 Arg2:T2``."""

    id: str
    type: str
    arg1: str
    arg2: str
    line: int


@dataclass(frozen=True)
class Event:
    """``E1<TAB>Type:T4 Role:T1 Role:T2 ...`` (trigger first, then role arguments)."""

    id: str
    type: str
    trigger: str
    args: tuple[tuple[str, str], ...]
    line: int


@dataclass(frozen=True)
class Note:
    """``#1<TAB>AnnotatorNotes T1<TAB>free text``."""

    id: str
    type: str
    target: str
    text: str
    line: int


@dataclass
class AnnFile:
    """The parsed lines of one ``.ann`` file (attributes, equivalences and the like skipped)."""

    textbounds: dict[str, TextBound] = field(default_factory=dict)
    relations: list[BinaryRelation] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)


_OFFSETS = re.compile(r"^\d+ \d+(;\d+ \d+)*$")


def parse_ann(content: str) -> tuple[AnnFile, list[tuple[int, str]]]:
    """The annotations of a ``.ann`` file and its malformed lines as ``(line, reason)``.

    Attributes (``A``), modifiers (``M``), equivalences (``*``) and normalizations
    (``N``) carry nothing for quotes and are skipped.
    """
    ann = AnnFile()
    problems: list[tuple[int, str]] = []
    seen: set[str] = set()
    for number, raw in enumerate(content.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        ident, _, rest = line.partition("\t")
        if not rest:
            problems.append(
                (number, "no tab after the annotation id; brat lines are tab-separated")
            )
            continue
        if ident in seen:
            problems.append((number, f"id {ident} is used twice"))
            continue
        seen.add(ident)
        kind = ident[:1]
        if kind == "T":
            head, tab, text = rest.partition("\t")
            type_name, _, offsets = head.partition(" ")
            if not tab or not _OFFSETS.match(offsets):
                problems.append(
                    (number, f"{ident}: expected 'Type start end[;start end]<TAB>text'")
                )
                continue
            pairs = tuple(
                (int(a), int(b)) for a, b in (piece.split(" ") for piece in offsets.split(";"))
            )
            ann.textbounds[ident] = TextBound(ident, type_name, pairs, text, number)
        elif kind == "R":
            fields = rest.split("\t")[0].split(" ")
            args = dict(f.split(":", 1) for f in fields[1:] if ":" in f)
            if len(fields) != 3 or set(args) != {"Arg1", "Arg2"}:
                problems.append((number, f"{ident}: expected 'Type Arg1:T.. Arg2:T..'"))
                continue
            ann.relations.append(
                BinaryRelation(ident, fields[0], args["Arg1"], args["Arg2"], number)
            )
        elif kind == "E":
            fields = rest.split("\t")[0].split(" ")
            pairs_ = [f.split(":", 1) for f in fields if f]
            if not pairs_ or any(len(p) != 2 for p in pairs_):
                problems.append((number, f"{ident}: expected 'Type:T.. Role:T.. ...'"))
                continue
            (type_name, trigger), *roles = pairs_
            ann.events.append(
                Event(ident, type_name, trigger, tuple((r, t) for r, t in roles), number)
            )
        elif kind == "#":
            head, tab, text = rest.partition("\t")
            type_name, _, target = head.partition(" ")
            if not target:
                problems.append((number, f"{ident}: expected 'AnnotatorNotes T..<TAB>text'"))
                continue
            ann.notes.append(Note(ident, type_name, target, text, number))
        elif kind in "AMN*":
            continue
        else:
            problems.append((number, f"unknown annotation id {ident!r} (T, R, E, #, A, M, N, *)"))
    return ann, problems


#: Characters a piece never holds: brat's .ann is tab-separated and line-based.
_BREAKS = re.compile(r"[\t\n\r]+")


class BratText:
    """A text and the pieces brat can mark in it.

    Offsets are code points of the file's text as read, a Windows line break
    counting two, as brat (Python 3) and INCEpTION read a ``.txt`` (brat 1.3
    under Python 2 read it with universal newlines and counted one).
    """

    def __init__(self, text: str) -> None:
        self.text = text

    def pieces(self, spans: Sequence[CharSpan]) -> tuple[tuple[int, int], ...]:
        """brat offsets of ``spans``, cut at tabs and line breaks (which brat cannot hold)."""
        out: list[tuple[int, int]] = []
        for span in spans:
            start = span.start
            for cut in _BREAKS.finditer(self.text, span.start, span.end):
                if cut.start() > start:
                    out.append((start, cut.start()))
                start = cut.end()
            if span.end > start:
                out.append((start, span.end))
        return tuple(out)

    def field(self, offsets: Sequence[tuple[int, int]]) -> str:
        """The text field of brat offsets: the pieces' text joined by a space."""
        return " ".join(self.text[a:b] for a, b in offsets)

    def joined_pieces(self, offsets: Sequence[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
        """Pieces rejoined where only tabs or line breaks cut them (``pieces`` undone)."""
        out: list[tuple[int, int]] = []
        for start, end in offsets:
            if out and _BREAKS.fullmatch(self.text, out[-1][1], start):
                out[-1] = (out[-1][0], end)
            else:
                out.append((start, end))
        return tuple(out)


def _check_textbound(tb: TextBound, text: BratText) -> str | None:
    """Why a text-bound annotation does not fit ``text`` (None when it does)."""
    previous = -1
    for start, end in tb.offsets:
        if not start < end:
            return f"{tb.id} ({tb.type}): empty or reversed offsets {start} {end}"
        if end > len(text.text):
            return (
                f"{tb.id} ({tb.type}): offsets {start} {end} are past the end of the text"
                f" ({len(text.text)} characters)"
            )
        if start < previous:
            return f"{tb.id} ({tb.type}): pieces overlap or are out of order at {start}"
        previous = end
    expected = text.field(tb.offsets)
    if tb.text != expected:
        return f"{tb.id} ({tb.type}): text {tb.text!r} disagrees with the .txt there ({expected!r})"
    return None


def _pieces(tb: TextBound, text: str) -> tuple[CharSpan, ...]:
    return tuple(CharSpan.of(text, a, b) for a, b in tb.offsets)


# --- .ann -> documents --------------------------------------------------------


def detect_scheme(ann: AnnFile) -> Scheme:
    """``polnear`` when the file uses PolNeAR's types, else ``quotes``."""
    polnear = {POLNEAR_SOURCE, POLNEAR_CONTENT, *POLNEAR_EVENTS}
    if any(tb.type in polnear for tb in ann.textbounds.values()) or ann.events:
        return "polnear"
    return "quotes"


def _quotes_scheme(ann: AnnFile, text: str) -> tuple[Annotation, list[tuple[int, str]]]:
    problems: list[tuple[int, str]] = []
    regions: list[Region] = []
    known = {*QUOTE_LABELS.values(), SPEAKER_LABEL, CUE_LABEL}
    for tb in ann.textbounds.values():
        if tb.type not in known:
            problems.append(
                (
                    tb.line,
                    f"{tb.id}: unknown type {tb.type!r};"
                    f" the quotes scheme has {', '.join(sorted(known))}",
                )
            )
            continue
        if len(tb.offsets) > 1 and tb.type not in LABEL_TO_TYPE:
            problems.append((tb.line, f"{tb.id} ({tb.type}): only a quote can be discontinuous"))
            continue
        regions.append(Region(tb.id, tb.type, _pieces(tb, text)))
    links = []
    for rel in ann.relations:
        if rel.type not in (SAID_BY, CUE_OF):
            problems.append(
                (rel.line, f"{rel.id}: unknown relation {rel.type!r}; use said_by or cue_of")
            )
            continue
        for arg in (rel.arg1, rel.arg2):
            if arg not in ann.textbounds:
                problems.append(
                    (rel.line, f"{rel.id} ({rel.type}): refers to {arg}, which does not exist")
                )
        links.append(Link(rel.arg1, rel.arg2, rel.type))
    names: dict[str, tuple[str, ...]] = {}
    for note in ann.notes:
        if note.type != NOTE_TYPE:
            continue
        target = ann.textbounds.get(note.target)
        if target is None:
            problems.append((note.line, f"{note.id}: note on {note.target}, which does not exist"))
        elif target.type not in LABEL_TO_TYPE:
            problems.append(
                (
                    note.line,
                    f"{note.id}: a speaker name belongs on a quote,"
                    f" not on {target.type} {note.target}",
                )
            )
        else:
            split = (n.strip() for n in note.text.split("|"))
            names[note.target] = tuple(n for n in split if n)
    return Annotation(tuple(regions), tuple(links), names), problems


def _polnear_scheme(
    ann: AnnFile, text: str, warnings: list[tuple[int, str]]
) -> tuple[Annotation, list[tuple[int, str]]]:
    """PolNeAR's events as quotes: one quote region per event, named after it."""
    problems: list[tuple[int, str]] = []
    regions: list[Region] = []
    links: list[Link] = []
    parts: set[str] = set()  # Source and Cue textbounds already made regions
    in_event: set[str] = set()
    for event in ann.events:
        if not event.type.startswith(POLNEAR_EVENT):
            warnings.append(
                (event.line, f"{event.id}: event {event.type!r} is no attribution; left out")
            )
            continue
        roles: dict[str, str] = {}
        for role, target in ((event.type, event.trigger), *event.args):
            if target not in ann.textbounds:
                problems.append(
                    (event.line, f"{event.id}: {role} refers to {target}, which does not exist")
                )
                break
            if role in roles and role != event.type:
                problems.append((event.line, f"{event.id}: two {role} arguments"))
                break
            roles[role] = target
        else:
            content = roles.get(POLNEAR_CONTENT)
            if content is None:
                warnings.append(
                    (event.line, f"{event.id}: an attribution without Content; left out")
                )
                continue
            in_event.add(content)
            pieces = _pieces(ann.textbounds[content], text)
            quote_type = type_from_marks(pieces)
            regions.append(Region(event.id, QUOTE_LABELS[quote_type], pieces))
            for role, label, link in (
                (POLNEAR_SOURCE, SPEAKER_LABEL, SAID_BY),
                (POLNEAR_CUE, CUE_LABEL, CUE_OF),
            ):
                part_id = roles.get(role)
                if part_id is None:
                    continue
                tb = ann.textbounds[part_id]
                if part_id not in parts:
                    if len(tb.offsets) > 1:
                        warnings.append(
                            (
                                tb.line,
                                f"{tb.id} ({tb.type}): discontinuous; read as one span"
                                " from its first piece to its last",
                            )
                        )
                    covering = CharSpan.of(text, tb.offsets[0][0], tb.offsets[-1][1])
                    parts.add(part_id)
                    regions.append(Region(part_id, label, (covering,)))
                pair = (event.id, part_id) if link == SAID_BY else (part_id, event.id)
                links.append(Link(pair[0], pair[1], link))
    for tb in ann.textbounds.values():
        if tb.type == POLNEAR_CONTENT and tb.id not in in_event:
            warnings.append((tb.line, f"{tb.id} (Content): in no attribution; left out"))
        elif tb.type not in (POLNEAR_SOURCE, POLNEAR_CUE, POLNEAR_CONTENT) and not (
            tb.type.startswith(POLNEAR_EVENT)
        ):
            warnings.append(
                (tb.line, f"{tb.id}: type {tb.type!r} carries no attribution; left out")
            )
    return Annotation(tuple(regions), tuple(links), {}), problems


@dataclass(frozen=True)
class AnnReading:
    """One ``.ann`` file read: its document (None when it failed), errors and warnings."""

    document: Document | None
    errors: tuple[str, ...]
    warnings: tuple[str, ...]
    scheme: Scheme


def read_ann(content: str, text: str, doc_id: str, source: str) -> AnnReading:
    """The document that a ``.ann`` file annotates over ``text``.

    Every problem is one line ``source:line: reason``; a file with any problem
    gives no document (a gold with quotes missing would mislead), the caller
    goes on with the other files.
    """
    ann, problems = parse_ann(content)
    counted = BratText(text)
    for tb in ann.textbounds.values():
        problem = _check_textbound(tb, counted)
        if problem is not None:
            problems.append((tb.line, problem))
    bad_lines = {line for line, _ in problems}
    ann.textbounds = {k: v for k, v in ann.textbounds.items() if v.line not in bad_lines}
    scheme = detect_scheme(ann)
    if scheme == "quotes":
        # our fragments are cut by an attribution; pieces cut only at tabs or line
        # breaks were cut by the export (brat cannot hold them) and are one again.
        # PolNeAR's are kept as they are: a quote over a paragraph break is two pieces.
        ann.textbounds = {
            k: replace(v, offsets=counted.joined_pieces(v.offsets))
            for k, v in ann.textbounds.items()
        }
    warnings: list[tuple[int, str]] = []
    if scheme == "polnear":
        annotation, more = _polnear_scheme(ann, text, warnings)
    else:
        annotation, more = _quotes_scheme(ann, text)
    problems.extend(more)
    lines = {tb.id: tb.line for tb in ann.textbounds.values()}
    lines.update((rel.id, rel.line) for rel in ann.relations)
    lines.update((event.id, event.line) for event in ann.events)
    quotes: list[Quote] = []
    if not problems:
        try:
            quotes, dropped = annotation_to_quotes(annotation, text)
        except AnnotationError as err:
            problems.extend((_line_of(lines, r), r) for r in err.reasons)
        else:
            for drop in dropped:
                warnings.append((_line_of(lines, drop.subject), str(drop)))
    errors = tuple(f"{source}:{line}: {reason}" for line, reason in sorted(problems))
    notes = tuple(f"{source}:{line}: {reason}" for line, reason in sorted(warnings))
    if errors:
        return AnnReading(None, errors, notes, scheme)
    return AnnReading(Document(doc_id, text, tuple(quotes)), (), notes, scheme)


def _line_of(lines: dict[str, int], reason_or_id: str) -> int:
    """The line of the first annotation id named in a reason (0 when none is)."""
    for token in re.findall(r"\b[TRE]\d+\b", reason_or_id) or [reason_or_id]:
        if token in lines:
            return lines[token]
    return 0


# --- documents -> .ann ----------------------------------------------------------


def _textbound_line(ident: str, label: str, pieces: Sequence[CharSpan], text: BratText) -> str:
    offsets = text.pieces(pieces)
    if not offsets:
        raise BratError(
            f"{label} {pieces[0].text!r} holds only tabs or line breaks, which brat cannot mark"
        )
    field = ";".join(f"{a} {b}" for a, b in offsets)
    return f"{ident}\t{label} {field}\t{text.field(offsets)}"


def _check_names(doc: Document) -> None:
    for number, quote in enumerate(doc.quotes, start=1):
        for name in quote.speaker_name:
            if "|" in name or "\n" in name or "\t" in name or "\r" in name:
                raise BratError(
                    f"document {doc.id}, quote {number}: speaker name {name!r} holds '|', a tab"
                    " or a line break, which a brat note cannot keep; fix the name"
                )


def document_to_ann(doc: Document, scheme: Scheme = "quotes") -> str:
    """The ``.ann`` content of ``doc`` (one line per annotation, ids in text order).

    Raises :class:`BratError` when a speaker name cannot be kept in a note.
    """
    try:
        return _quotes_ann(doc) if scheme == "quotes" else _polnear_ann(doc)
    except BratError as err:
        raise BratError(f"document {doc.id}: {err}") from None


def _quotes_ann(doc: Document) -> str:
    _check_names(doc)
    annotation = quotes_to_annotation(sorted(doc.quotes, key=lambda q: (q.start, q.end, q.type)))
    counted = BratText(doc.text)
    ids: dict[str, str] = {}
    lines: list[str] = []
    for number, region in enumerate(annotation.regions, start=1):
        ids[region.id] = f"T{number}"
        lines.append(_textbound_line(ids[region.id], region.label, region.pieces, counted))
    for number, link in enumerate(annotation.links, start=1):
        lines.append(f"R{number}\t{link.label} Arg1:{ids[link.from_id]} Arg2:{ids[link.to_id]}")
    for number, (rid, names) in enumerate(annotation.names.items(), start=1):
        lines.append(f"#{number}\t{NOTE_TYPE} {ids[rid]}\t{NAME_SEPARATOR.join(names)}")
    return "".join(line + "\n" for line in lines)


def _polnear_ann(doc: Document) -> str:
    """PolNeAR's layout: per attribution its Source, Cue, Content, trigger and event."""
    lines: list[str] = []
    ids: dict[tuple[str, int, int], str] = {}
    count = 0
    counted = BratText(doc.text)

    def textbound(label: str, pieces: Sequence[CharSpan], share: bool) -> str:
        nonlocal count
        key = (label, pieces[0].start, pieces[-1].end)
        if share and key in ids:
            return ids[key]
        count += 1
        ident = f"T{count}"
        if share:
            ids[key] = ident
        lines.append(_textbound_line(ident, label, pieces, counted))
        return ident

    for number, quote in enumerate(sorted(doc.quotes, key=lambda q: (q.start, q.end)), start=1):
        args: list[str] = []
        if quote.speaker is not None and len(quote.speaker):
            args.append(f"Source:{textbound(POLNEAR_SOURCE, (quote.speaker,), True)}")
        if quote.cue is not None and len(quote.cue):
            args.append(f"Cue:{textbound(POLNEAR_CUE, (quote.cue,), True)}")
        args.append(f"Content:{textbound(POLNEAR_CONTENT, quote.pieces(), False)}")
        event_type = (
            POLNEAR_EVENT
            if quote.speaker is not None and len(quote.speaker)
            else POLNEAR_EVENT_NO_SOURCE
        )
        anchor = quote.cue if quote.cue is not None and len(quote.cue) else quote.pieces()[0]
        trigger = textbound(event_type, (anchor,), True)
        lines.append(f"E{number}\t{event_type}:{trigger} {' '.join(args)}")
    return "".join(line + "\n" for line in lines)


def annotation_conf(scheme: Scheme = "quotes") -> str:
    """The ``annotation.conf`` brat and INCEpTION need for ``scheme``."""
    if scheme == "polnear":
        return (
            "[entities]\n"
            f"{POLNEAR_SOURCE}\n{POLNEAR_CUE}\n{POLNEAR_CONTENT}\n\n"
            "[relations]\n"
            "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n"
            "[events]\n"
            f"{POLNEAR_EVENT}\tSource:{POLNEAR_SOURCE}, Cue?:{POLNEAR_CUE},"
            f" Content:{POLNEAR_CONTENT}\n"
            f"{POLNEAR_EVENT_NO_SOURCE}\tCue?:{POLNEAR_CUE}, Content:{POLNEAR_CONTENT}\n\n"
            "[attributes]\n"
        )
    quotes = "|".join(QUOTE_LABELS.values())
    return (
        "[entities]\n"
        + "".join(f"{label}\n" for label in QUOTE_LABELS.values())
        + f"{SPEAKER_LABEL}\n{CUE_LABEL}\n\n"
        "[relations]\n"
        f"{SAID_BY}\tArg1:{quotes}, Arg2:{SPEAKER_LABEL}\n"
        f"{CUE_OF}\tArg1:{CUE_LABEL}, Arg2:{quotes}\n"
        "<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n\n"
        "[events]\n\n"
        "[attributes]\n"
    )


_COLOURS = {
    "DirectQuote": "#9ab8ff",
    "IndirectQuote": "#a6e3a1",
    "MixedQuote": "#d3b4f5",
    "Speaker": "#ffc78a",
    "Cue": "#ff9b9b",
    POLNEAR_SOURCE: "#ffc78a",
    POLNEAR_CONTENT: "#9ab8ff",
    POLNEAR_EVENT: "#ff9b9b",
    POLNEAR_EVENT_NO_SOURCE: "#ff9b9b",
}


def visual_conf(scheme: Scheme = "quotes") -> str:
    """The ``visual.conf``: display names and the colours of the Label Studio config."""
    if scheme == "polnear":
        labels = [
            (POLNEAR_SOURCE, "Source", "Src"),
            (POLNEAR_CUE, "Cue", "Cue"),
            (POLNEAR_CONTENT, "Content", "Cont"),
            (POLNEAR_EVENT, "Attribution", "Attr"),
            (POLNEAR_EVENT_NO_SOURCE, "Attribution without source", "Attr-"),
        ]
    else:
        labels = [
            ("DirectQuote", "Direct quote", "Direct"),
            ("IndirectQuote", "Indirect quote", "Indirect"),
            ("MixedQuote", "Mixed quote", "Mixed"),
            (SPEAKER_LABEL, "Speaker", "Spk"),
            (CUE_LABEL, "Cue", "Cue"),
            (SAID_BY, "said by", "said by"),
            (CUE_OF, "cue of", "cue of"),
        ]
    out = ["[labels]"]
    out += [f"{name} | {full} | {short}" for name, full, short in labels]
    out += ["", "[drawing]"]
    for name, _, _ in labels:
        if name in _COLOURS:
            out.append(f"{name}\tbgColor:{_COLOURS[name]}")
    out.append(f"{SAID_BY}\tcolor:#c46a00, dashArray:-")
    out.append(f"{CUE_OF}\tcolor:#c42b2b, dashArray:-")
    return "\n".join(out) + "\n"


# --- files ------------------------------------------------------------------------

_SAFE_ID = re.compile(r"^[^/\\\x00]+$")


def file_stem(doc_id: str) -> str:
    """The file name stem of a document: its id, which must be a plain file name."""
    if not _SAFE_ID.match(doc_id) or doc_id in (".", "..") or doc_id.startswith("."):
        raise BratError(
            f"document id {doc_id!r} cannot name a file; give the document a plain id"
            " (no '/', no leading '.')"
        )
    return doc_id


@dataclass(frozen=True)
class AnnSource:
    """A ``.ann`` file with the ``.txt`` it annotates, its document id and annotator."""

    ann: Path
    txt: Path
    doc_id: str
    annotator: str | None


def locate(ann: Path) -> AnnSource | InputError:
    """The ``.txt`` of ``ann``: same stem beside it, or PolNeAR's several-annotator layout.

    ``doc.ann`` + ``doc.txt`` is one annotation; ``doc_<annotator>.ann`` with
    ``doc.txt`` beside it or in a sibling ``text/`` folder (PolNeAR:
    ``attributions/`` and ``text/``) is annotator ``<annotator>``'s.
    """
    same = ann.with_suffix(".txt")
    if same.is_file():
        return AnnSource(ann, same, ann.stem, None)
    stem = ann.stem
    cut = stem.rfind("_")
    if cut > 0:
        doc_id, annotator = stem[:cut], stem[cut + 1 :]
        for folder in (ann.parent, ann.parent.parent / "text"):
            txt = folder / f"{doc_id}.txt"
            if txt.is_file():
                return AnnSource(ann, txt, doc_id, annotator)
    return InputError(
        str(ann),
        f"no {same.name} beside it (nor, for doc_annotator.ann, doc.txt beside it or in"
        " ../text/); put the text next to its annotations",
    )


def _read_text(path: Path, limit: int) -> str | InputError:
    try:
        size = path.stat().st_size
        if size > limit:
            return InputError(str(path), f"{size} bytes is over the {limit}-byte limit; split it")
        data = path.read_bytes()
    except OSError as err:
        return InputError(str(path), f"cannot read: {err.strerror}")
    try:
        # no BOM stripping: brat counts every character of the file in its offsets
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        return InputError(str(path), f"not UTF-8 (byte {err.start}); brat files are UTF-8")


def expand_ann_paths(paths: Iterable[str | Path]) -> Iterator[Path | InputError]:
    """``.ann`` files named by ``paths``; folders are searched recursively."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.ann") if p.is_file())
            if not found:
                yield InputError(str(path), "folder holds no .ann files")
            yield from found
        elif path.is_file() and path.suffix == ".ann":
            yield path
        elif path.is_file():
            yield InputError(str(path), "not a .ann file; pass .ann files or their folder")
        else:
            yield InputError(str(path), "no such file or folder; check the path")


@dataclass
class BratImport:
    """What reading brat files gave: gold documents per annotator (None: single), problems."""

    documents: dict[str | None, list[Document]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    files: int = 0


def read_brat_paths(paths: Iterable[str | Path], *, progress: bool = False) -> BratImport:
    """Read ``.ann`` files (and folders of them) into documents, one list per annotator.

    A file with any problem is reported (file and line) and left out; the
    other files come through.
    """
    result = BratImport()
    # one text at a time: several annotators' files of a document sort next to each other
    texts: dict[Path, str | InputError] = {}
    import sys

    from tqdm import tqdm

    found_files = tqdm(
        expand_ann_paths(paths), desc="import", unit="file", disable=not progress, file=sys.stderr
    )
    for item in found_files:
        if isinstance(item, InputError):
            result.errors.append(str(item))
            continue
        result.files += 1
        found = locate(item)
        if isinstance(found, InputError):
            result.errors.append(str(found))
            continue
        if found.txt not in texts:
            texts = {found.txt: _read_text(found.txt, MAX_ANN_BYTES)}
        text = texts[found.txt]
        content = _read_text(found.ann, MAX_ANN_BYTES)
        if isinstance(text, InputError) or isinstance(content, InputError):
            result.errors.append(str(text if isinstance(text, InputError) else content))
            continue
        reading = read_ann(content, text, found.doc_id, str(found.ann))
        result.warnings.extend(reading.warnings)
        if reading.document is None:
            result.errors.extend(reading.errors)
            continue
        result.documents.setdefault(found.annotator, []).append(reading.document)
    return result


def _zip_pair(stem: str, text: str, ann: str) -> bytes:
    """One ``.txt`` + ``.ann`` pair as a ZIP archive (what INCEpTION's brat import takes)."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(f"{stem}.txt", text.encode("utf-8"))
        archive.writestr(f"{stem}.ann", ann.encode("utf-8"))
    return buffer.getvalue()


#: Folder of ``write_brat(..., zips=True)``: one ZIP per document for INCEpTION.
ZIP_FOLDER = "inception"


def write_brat(
    documents: Iterable[Document],
    folder: str | Path,
    scheme: Scheme = "quotes",
    *,
    zips: bool = False,
) -> tuple[int, list[str]]:
    """Write ``<id>.txt`` + ``<id>.ann`` per document and the two configs into ``folder``.

    With ``zips``, also ``inception/<id>.zip`` holding the pair: INCEpTION's
    "brat basic" import takes one ZIP per document. Each file is written
    atomically; a document that cannot be written is reported and skipped.
    Returns the number written and the problems.
    """
    from .io import atomic_writer

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    problems: list[str] = []
    seen: set[str] = set()
    for doc in documents:
        try:
            stem = file_stem(doc.id)
            if stem in seen:
                raise BratError(f"document id {doc.id!r} appears twice; ids name the files")
            ann = document_to_ann(doc, scheme)
        except BratError as err:
            problems.append(str(err))
            continue
        seen.add(stem)
        with atomic_writer(out / f"{stem}.txt") as handle:
            handle.write(doc.text)
        with atomic_writer(out / f"{stem}.ann") as handle:
            handle.write(ann)
        if zips:
            with atomic_writer(out / ZIP_FOLDER / f"{stem}.zip") as handle:
                handle.buffer.write(_zip_pair(stem, doc.text, ann))  # type: ignore[attr-defined]
        written += 1
    with atomic_writer(out / "annotation.conf") as handle:
        handle.write(annotation_conf(scheme))
    with atomic_writer(out / "visual.conf") as handle:
        handle.write(visual_conf(scheme))
    return written, problems
