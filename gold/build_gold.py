"""Build gold/seeds.jsonl from the hand annotations in gold/annotations.py.

The annotations name every span by its exact text (with an optional context
and an optional elision) rather than by offsets, so a reviewer can read them
and a changed seed text fails loudly instead of shifting spans silently.

Span spec syntax (see gold/README.md):
- ``"exact text"``: the only occurrence in the scope;
- ``"HEAD ... TAIL"``: from HEAD to the first TAIL after it, on one line;
- ``"left [[target]] right"``: the target, located by the text around it.

The scope of a content spec is the whole document; the scope of a speaker or
cue spec is the paragraph (line) that holds the quote's content.

Usage: ``python gold/build_gold.py [--annotations gold/annotations.py] [--out gold/seeds.jsonl]
[--review]`` (annotator B: ``--annotations gold/annotations_b.py --out gold/seeds_b.jsonl``)
"""

from __future__ import annotations

import argparse
import importlib.util
import itertools
import re
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

from quotes.io import write_documents
from quotes.types import QUOTE_TYPES, CharSpan, Document, Quote, Speaker, SpeakerKind

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SEEDS = ROOT / "seeds"
OUT = HERE / "seeds.jsonl"
ELISION = " ... "


class AnnotationError(ValueError):
    """An annotation does not resolve to exactly one span of its seed text."""


def load_annotations(path: Path = HERE / "annotations.py") -> ModuleType:
    """The annotation module (loaded by path: gold/ is not a package)."""
    spec = importlib.util.spec_from_file_location("gold_annotations", path)
    if spec is None or spec.loader is None:
        raise AnnotationError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pattern(spec: str) -> re.Pattern[str]:
    """A regex whose group ``t`` is the target of ``spec``."""
    left, target, right = "", spec, ""
    if "[[" in spec:
        left, rest = spec.split("[[", 1)
        target, right = rest.split("]]", 1)
    if ELISION in target:
        head, tail = target.split(ELISION, 1)
        # the elided middle never crosses a line: a quote stays in its paragraph
        body = re.escape(head) + r"[^\n]*?" + re.escape(tail)
    else:
        body = re.escape(target)
    full = left + target + right
    # whole words only: "claimed" must not match inside "proclaimed"
    before = r"(?<!\w)" if full[:1].isalnum() else ""
    after = r"(?!\w)" if full[-1:].isalnum() else ""
    return re.compile(before + re.escape(left) + "(?P<t>" + body + ")" + re.escape(right) + after)


def resolve(spec: str, text: str, start: int = 0, end: int | None = None) -> CharSpan:
    """The one span of ``text[start:end]`` that ``spec`` names."""
    end = len(text) if end is None else end
    pattern = _pattern(spec)
    # overlapping search: a spec must not match at two starting points
    hits = []
    pos = start
    while True:
        match = pattern.search(text, pos, end)
        if match is None:
            break
        hits.append(match)
        pos = match.start() + 1
    if len(hits) != 1:
        raise AnnotationError(f"{spec!r} matches {len(hits)} times in [{start}, {end})")
    return CharSpan.of(text, hits[0].start("t"), hits[0].end("t"))


def paragraph_bounds(text: str, offset: int) -> tuple[int, int]:
    """``[start, end)`` of the line that holds ``offset``."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, len(text) if end == -1 else end


def build_quote(entry: Mapping[str, Any], text: str) -> Quote:
    """One :class:`Quote` from an annotation entry, every span checked."""
    content = resolve(entry["content"], text)
    if "\n" in content.text:
        raise AnnotationError(f"content crosses a paragraph break: {entry['content']!r}")
    p_start, p_end = paragraph_bounds(text, content.start)
    speaker = cue = None
    if entry.get("speaker") is not None:
        speaker = resolve(entry["speaker"], text, p_start, p_end)
    if entry.get("cue") is not None:
        cue = resolve(entry["cue"], text, p_start, p_end)
    for role, span in (("speaker", speaker), ("cue", cue)):
        if span is not None and span.overlap(content):
            raise AnnotationError(f"{role} {span.text!r} lies inside the content")
    names = entry["names"]
    quote = Quote(
        type=entry["type"],
        content=content,
        speaker=speaker,
        speaker_name=(names,) if isinstance(names, str) else tuple(names),
        cue=cue,
        confidence=1.0,
    )
    quote.check_against(text)
    return quote


def build_speakers(
    quotes: Sequence[Quote], kinds: Mapping[str, SpeakerKind]
) -> tuple[Speaker, ...]:
    """One entity per canonical name: kind, the mentions its quotes use, quote count."""
    order: list[str] = []
    mentions: dict[str, set[CharSpan]] = {}
    counts: Counter[str] = Counter()
    for quote in quotes:
        for name in quote.speaker_name:
            if name not in kinds:
                raise AnnotationError(f"speaker {name!r} has no kind in SPEAKERS")
            if name not in mentions:
                order.append(name)
                mentions[name] = set()
            counts[name] += 1
            if quote.speaker is not None:
                mentions[name].add(quote.speaker)
    unused = set(kinds) - set(order)
    if unused:
        raise AnnotationError(f"SPEAKERS lists names no quote uses: {sorted(unused)}")
    return tuple(
        Speaker(name, kinds[name], tuple(sorted(mentions[name])), counts[name]) for name in order
    )


def build_document(doc_id: str, text: str, annotation: Mapping[str, Any]) -> Document:
    """The gold :class:`Document` of one seed: quotes in text order, no overlaps."""
    built, errors = [], []
    for entry in annotation["quotes"]:
        try:
            built.append(build_quote(entry, text))
        except AnnotationError as err:
            errors.append(f"{doc_id}: {err}")
    if errors:
        raise AnnotationError("\n".join(errors))
    quotes = sorted(built, key=lambda q: (q.start, q.end))
    for before, after in itertools.pairwise(quotes):
        if before.content.overlap(after.content):
            raise AnnotationError(f"{doc_id}: quotes overlap: {before.text!r} and {after.text!r}")
    for quote in quotes:
        if quote.type not in QUOTE_TYPES or not quote.speaker_name:
            raise AnnotationError(f"{doc_id}: bad quote {quote.text!r}")
    speakers = build_speakers(quotes, annotation["speakers"])
    return Document(id=doc_id, text=text, quotes=tuple(quotes), speakers=speakers)


def read_seed(path: Path) -> str:
    """A seed text exactly as stored (UTF-8, no newline translation)."""
    return path.read_bytes().decode("utf-8")


def build_documents(seeds: Path = SEEDS, annotations: ModuleType | None = None) -> list[Document]:
    """Gold documents for every seed file, in file-name order."""
    module = annotations or load_annotations()
    table: Mapping[str, Mapping[str, Any]] = module.ANNOTATIONS
    paths = sorted(seeds.glob("*.txt"))
    ids = [p.stem for p in paths]
    if sorted(table) != ids:
        raise AnnotationError(f"annotated ids {sorted(table)} differ from seed files {ids}")
    return [build_document(p.stem, read_seed(p), table[p.stem]) for p in paths]


def counts_table(documents: Iterable[Document]) -> str:
    """A markdown table of quote counts by article and type."""
    lines = [
        "| article | direct | indirect | mixed | total |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    total: Counter[str] = Counter()
    for doc in documents:
        by_type = Counter(q.type for q in doc.quotes)
        total.update(by_type)
        cells = " | ".join(str(by_type[t]) for t in QUOTE_TYPES)
        lines.append(f"| {doc.id} | {cells} | {sum(by_type.values())} |")
    cells = " | ".join(str(total[t]) for t in QUOTE_TYPES)
    lines.append(f"| all | {cells} | {sum(total.values())} |")
    return "\n".join(lines)


def review(documents: Iterable[Document]) -> str:
    """Every quote with its paragraph, content in ⟦ ⟧, speaker in {{ }}, cue in << >>."""
    out = []
    for doc in documents:
        out.append(f"##### {doc.id}")
        for number, quote in enumerate(doc.quotes, start=1):
            p_start, p_end = paragraph_bounds(doc.text, quote.start)
            marks = [(quote.start, "⟦"), (quote.end, "⟧")]
            if quote.speaker is not None:
                marks += [(quote.speaker.start, "{{"), (quote.speaker.end, "}}")]
            if quote.cue is not None:
                marks += [(quote.cue.start, "<<"), (quote.cue.end, ">>")]
            para = doc.text[p_start:p_end]
            for offset, mark in sorted(marks, reverse=True):
                para = para[: offset - p_start] + mark + para[offset - p_start :]
            out.append(
                f"[{number}] {quote.type} [{quote.start},{quote.end}) "
                f"names={list(quote.speaker_name)}\n    {para}"
            )
    return "\n".join(out)


def main(argv: Sequence[str] | None = None) -> int:
    """Build, check and write the gold; print the counts (and the review)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--seeds", type=Path, default=SEEDS)
    parser.add_argument(
        "--annotations",
        type=Path,
        default=HERE / "annotations.py",
        help="the annotation module to build (annotator B: gold/annotations_b.py)",
    )
    parser.add_argument("--review", action="store_true", help="print every quote in context")
    args = parser.parse_args(argv)
    documents = build_documents(args.seeds, load_annotations(args.annotations))
    if args.review:
        print(review(documents))
    count = write_documents(args.out, documents)
    print(f"wrote {count} documents to {args.out}")
    print(counts_table(documents))
    return 0


if __name__ == "__main__":
    sys.exit(main())
