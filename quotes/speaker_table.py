"""Who is quoted how often across a corpus: the ``quotes speakers`` table.

Names are merged across documents by the rules of :mod:`quotes.names` (case,
diacritics, honorifics, transliteration variants), and a one-word name joins
a fuller one (``Peskov`` → ``Dmitry Peskov``) only when exactly one fuller
name in the corpus fits it, so that two people sharing a surname stay apart.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .names import name_keys, surname_keys
from .types import Document, SpeakerKind

if TYPE_CHECKING:
    from .io import InputError

COLUMNS = ("name", "type", "quotes", "documents", "variants")
# per name as written: kinds seen (with counts), quotes, documents
_Counts = tuple[dict[SpeakerKind, int], int, set[str]]


@dataclass(frozen=True)
class SpeakerRow:
    """One source across the corpus: canonical name, kind, counts and merged variants."""

    name: str
    kind: SpeakerKind
    quotes: int
    documents: int
    variants: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, object]:
        """The JSON form ``{"name", "type", "quotes", "documents", "variants"}``."""
        return {
            "name": self.name,
            "type": self.kind,
            "quotes": self.quotes,
            "documents": self.documents,
            "variants": list(self.variants),
        }


@dataclass
class _Group:
    names: dict[str, int]
    kinds: dict[SpeakerKind, int]
    quotes: int
    documents: set[str]

    def canonical(self) -> str:
        """The fullest name, then the most frequent, then the first alphabetically."""
        return min(self.names, key=lambda n: (-len(name_keys(n)), -self.names[n], n))


def _tally(documents: Iterable[Document]) -> dict[str, _Counts]:
    """Per speaker name as written: kinds seen, quotes, and documents."""
    out: dict[str, _Counts] = {}
    for doc in documents:
        kinds = {s.name: s.kind for s in doc.speakers}
        for quote in doc.quotes:
            for name in quote.speaker_name:
                if not name.strip():
                    continue
                seen_kinds, count, docs = out.get(name, ({}, 0, set()))
                kind = kinds.get(name, "person")
                seen_kinds[kind] = seen_kinds.get(kind, 0) + 1
                docs.add(doc.id)
                out[name] = (seen_kinds, count + 1, docs)
    return out


#: Per speaker name as written: kinds seen (with counts), quotes, and document ids.
SpeakerTally = dict[str, _Counts]


def tally_speakers(documents: Iterable[Document]) -> SpeakerTally:
    """The counts behind the table, per name as written; sums over shards with
    :func:`merge_tallies`, then :func:`speaker_table_from_tally` gives the table."""
    return _tally(documents)


def merge_tallies(first: SpeakerTally, second: SpeakerTally) -> SpeakerTally:
    """The tally of two parts of a corpus (``first``'s names keep their order)."""
    out: SpeakerTally = {
        name: (dict(kinds), count, set(docs)) for name, (kinds, count, docs) in first.items()
    }
    for name, (kinds, count, docs) in second.items():
        seen_kinds, total, seen_docs = out.get(name, ({}, 0, set()))
        for kind, n in kinds.items():
            seen_kinds[kind] = seen_kinds.get(kind, 0) + n
        out[name] = (seen_kinds, total + count, seen_docs | docs)
    return out


def speaker_table(documents: Iterable[Document]) -> list[SpeakerRow]:
    """The corpus table: one row per source, most quoted first."""
    return speaker_table_from_tally(_tally(documents))


def speaker_table_from_tally(tally: SpeakerTally) -> list[SpeakerRow]:
    """The corpus table of a tally: names merged across documents, most quoted first."""
    groups: dict[tuple[str, ...], _Group] = {}
    short: list[str] = []
    # full names (and organisations) by their transliteration keys first
    for name in sorted(tally, key=lambda n: (-len(name_keys(n)), n)):
        keys = name_keys(name) or (name.casefold(),)
        if len(keys) == 1:
            short.append(name)
            continue
        _join(groups, keys, name, tally[name])
    for name in short:
        keys = name_keys(name) or (name.casefold(),)
        if keys in groups:
            _join(groups, keys, name, tally[name])
            continue
        person = "person" in tally[name][0]
        fits = [
            k
            for k, g in groups.items()
            if person
            and len(k) > 1
            and "person" in g.kinds
            and keys[0] in surname_keys(g.canonical())
        ]
        _join(groups, fits[0] if len(fits) == 1 else keys, name, tally[name])
    rows = [
        SpeakerRow(
            name=(canonical := group.canonical()),
            kind=max(group.kinds, key=lambda k: group.kinds[k]),
            quotes=group.quotes,
            documents=len(group.documents),
            variants=tuple(sorted(n for n in group.names if n != canonical)),
        )
        for group in groups.values()
    ]
    return sorted(rows, key=lambda r: (-r.quotes, -r.documents, r.name.casefold()))


def _join(
    groups: dict[tuple[str, ...], _Group],
    keys: tuple[str, ...],
    name: str,
    counts: _Counts,
) -> None:
    kinds, quotes, docs = counts
    group = groups.setdefault(keys, _Group({}, {}, 0, set()))
    group.names[name] = group.names.get(name, 0) + quotes
    for kind, n in kinds.items():
        group.kinds[kind] = group.kinds.get(kind, 0) + n
    group.quotes += quotes
    group.documents |= docs


def format_table(rows: list[SpeakerRow], fmt: str) -> str:
    """The table as ``json`` (a list of objects) or ``csv`` (with a header row)."""
    if fmt == "json":
        return json.dumps([r.to_dict() for r in rows], ensure_ascii=False, indent=2) + "\n"
    if fmt != "csv":
        raise ValueError(f"unknown format {fmt!r}; use json or csv")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    for r in rows:
        writer.writerow([r.name, r.kind, r.quotes, r.documents, "; ".join(r.variants)])
    return buffer.getvalue()


def corpus_documents(
    paths: Iterable[str | Path],
    *,
    model: str | None = None,
    model_dir: str | Path | None = None,
    rules_only: bool = False,
    errors: list[str] | None = None,
) -> Iterator[Document]:
    """Documents with quotes from extractor JSONL output (``.jsonl``, ``.jsonl.gz``,
    folders, globs), extracting ``.txt`` files on the way; each unreadable
    input or failed extraction is appended to ``errors`` and skipped."""
    from .io import DocumentIds, InputError
    from .shards import find_shards, read_annotated_shard, read_input_shard

    problems = errors if errors is not None else []
    shards, unusable = find_shards(paths, other_files="jsonl")
    problems.extend(str(e) for e in unusable)
    nlp = None
    ids = DocumentIds()  # a repeated id across the files is reported, the first kept
    for shard in shards:
        if shard.kind != "txt":
            for item in read_annotated_shard(shard, ids=ids):
                if isinstance(item, InputError):
                    problems.append(str(item))
                else:
                    yield item
            continue
        from .pipeline import extract_documents, load_pipeline

        readable = []
        for doc in read_input_shard(shard, ids=ids):
            if isinstance(doc, InputError):
                problems.append(str(doc))
            else:
                readable.append(doc)
        if nlp is None:
            nlp = load_pipeline(model, model_dir=model_dir, rules_only=rules_only)
        failures: list[InputError] = []
        for doc in extract_documents(readable, nlp, errors=failures):
            problems.extend(not_counted(f) for f in failures)
            failures.clear()
            yield doc
        problems.extend(not_counted(f) for f in failures)


def not_counted(failure: InputError) -> str:
    """The problem line of a document the extractor failed on: it is left out of the table."""
    return f"{failure.source}: {failure.message}; not counted"
