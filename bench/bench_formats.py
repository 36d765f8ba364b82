"""Benchmark the annotation formats: lossless round trips on the seeds' gold and generated docs.

For each format (brat with our scheme, brat with PolNeAR's, doccano JSONL,
Label Studio JSON) exports the documents with ``quotes.formats`` into a
temporary folder, imports them back and counts the documents that changed.
A round trip keeps what the format holds: brat (ours) and doccano keep
everything an annotation holds (spans, types, fragments, names); Label Studio
has no discontinuous region (fragments dropped); PolNeAR's scheme has no type
and no name (compared on spans only: content, fragments, speaker, cue).

    .venv/bin/python bench/bench_formats.py [-n 1000] [--seed 13]

Prints one JSON object per corpus and format: documents, quotes, documents
changed, export and import seconds.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from quotes.annotation import gold_document, round_trip_differences  # noqa: E402
from quotes.formats import export_documents, import_documents, read_documents  # noqa: E402
from quotes.types import Document, Quote  # noqa: E402
from tests.generate import random_documents  # noqa: E402

#: (name, format, brat scheme, keeps fragments, compares types and names)
CASES = (
    ("brat", "brat", "quotes", True, True),
    ("brat-polnear", "brat", "polnear", True, False),
    ("doccano-jsonl", "doccano-jsonl", "quotes", True, True),
    ("labelstudio-json", "labelstudio-json", "quotes", False, True),
)


def spans_only(doc: Document) -> Document:
    """``doc`` without what PolNeAR's scheme cannot hold: types (from marks) and names.

    Pieces cut only by tabs or line breaks count as one: PolNeAR's scheme keeps
    the pieces brat makes around them (a quote over a line break comes back in
    two fragments, as a selection across lines in brat does).
    """
    import re
    from dataclasses import replace

    from quotes.types import CharSpan

    def merged(quote: Quote) -> tuple[CharSpan, ...]:
        pieces: list[CharSpan] = []
        for piece in quote.pieces():
            if pieces and re.fullmatch(r"[\t\n\r]+", doc.text[pieces[-1].end : piece.start]):
                pieces[-1] = CharSpan.of(doc.text, pieces[-1].start, piece.end)
            else:
                pieces.append(piece)
        return tuple(pieces) if len(pieces) > 1 else ()

    quotes = tuple(
        replace(q, type="indirect", speaker_name=(), fragments=merged(q)) for q in doc.quotes
    )
    return Document(doc.id, doc.text, quotes)


def run(corpus: str, docs: list[Document]) -> None:
    for name, fmt, scheme, fragments, full in CASES:
        with tempfile.TemporaryDirectory(prefix="bench-formats-") as tmp:
            target = Path(tmp) / ("out" if fmt == "brat" else f"out.{fmt}")
            start = time.perf_counter()
            written = export_documents(docs, fmt, target, brat_scheme=scheme)  # type: ignore[arg-type]
            exported = time.perf_counter() - start
            start = time.perf_counter()
            back = import_documents([target], fmt, predictions=True)  # type: ignore[arg-type]
            imported = time.perf_counter() - start
        expected = [gold_document(d, fragments=fragments) for d in docs]
        got = back.documents.get(None, [])
        if not full:
            expected, got = [spans_only(d) for d in expected], [spans_only(d) for d in got]
        changed = round_trip_differences(expected, got)
        print(
            json.dumps(
                {
                    "corpus": corpus,
                    "format": name,
                    "documents": len(docs),
                    "quotes": sum(len(d.quotes) for d in docs),
                    "fragmented_quotes": sum(bool(q.fragments) for d in docs for q in d.quotes),
                    "written": written.written,
                    "errors": len(written.errors) + len(back.errors),
                    "documents_changed": len(changed),
                    "first_change": changed[0] if changed else None,
                    "export_seconds": round(exported, 3),
                    "import_seconds": round(imported, 3),
                }
            ),
            flush=True,
        )


def main() -> None:
    """Round-trip the seeds' gold and ``-n`` generated documents through every format."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-n", "--documents", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    errors: list[str] = []
    run("seeds-gold", read_documents([ROOT / "gold" / "seeds.jsonl"], errors))
    run(f"generated-{args.documents}", random_documents(args.documents, args.seed))
    if errors:
        sys.exit(f"unreadable gold: {errors[:3]}")


if __name__ == "__main__":
    main()
