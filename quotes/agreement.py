"""Inter-annotator agreement: ``quotes agreement``, pairwise, on the documents both annotated.

Every figure comes from the scorer (:mod:`quotes.scoring`): for each pair of
annotators (A, B), A's documents are scored as gold and B's as predictions on
the documents both annotated, so the pair's quote F1 is exactly what
``quotes evaluate --gold A.jsonl --pred B.jsonl`` reports on those documents.
F1 does not depend on which side is gold in the span modes ``exact`` and
``partial`` (matching is one-to-one); precision and recall swap. The
``coverage`` modes measure how much of A's span B covers, so they are not
symmetric. Documents only one of the two annotated are counted, not scored.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from .scoring import (
    DEFAULT_FOCUS,
    DEFAULT_MODES,
    DocumentScore,
    EvaluationResult,
    evaluate_documents,
)
from .types import QUOTE_TYPES, Document

#: How many of the most disagreeing documents each pair shows.
TOP_DOCUMENTS = 5


@dataclass(frozen=True)
class PairAgreement:
    """Two annotators' agreement: A scored as gold against B, on the documents both annotated."""

    first: str
    second: str
    result: EvaluationResult
    only_first: tuple[str, ...]
    only_second: tuple[str, ...]

    def disagreements(self, mode: str | None = None) -> list[tuple[DocumentScore, int]]:
        """Documents with their number of disagreements in ``mode``, most first.

        A disagreement is one scoring error: a quote only one of them marked, a
        boundary, a speaker or a type that differs. Ties go to the lower end to
        end F1, then to document order. Documents they agree on fully are left out.
        """
        mode = mode or self.result.focus
        counted = [(d, len(d.errors(mode))) for d in self.result.documents]
        ranked = sorted(
            ((d, n) for d, n in counted if n),
            key=lambda item: (-item[1], item[0].matches[mode].end_to_end_counts().f1),
        )
        return ranked


@dataclass(frozen=True)
class AgreementResult:
    """Agreement of every pair of annotators, with the counts behind it."""

    annotators: Mapping[str, int]
    pairs: tuple[PairAgreement, ...]
    focus: str = DEFAULT_FOCUS
    input_errors: tuple[str, ...] = ()


def agreement(
    annotators: Mapping[str, Iterable[Document]],
    *,
    modes: Sequence[str] = DEFAULT_MODES,
    focus: str = DEFAULT_FOCUS,
    input_errors: Sequence[str] = (),
) -> AgreementResult:
    """Pairwise agreement of ``annotators`` (name → their documents), in the given order.

    A document id repeated within one annotator's documents keeps its first one
    (the scorer's rule, reported in the pair's ``duplicate_ids``).
    """
    docs = {name: list(found) for name, found in annotators.items()}
    pairs = []
    for first, second in combinations(docs, 2):
        ids_first = {d.id for d in docs[first]}
        ids_second = {d.id for d in docs[second]}
        shared = ids_first & ids_second
        result = evaluate_documents(
            [d for d in docs[first] if d.id in shared],
            [d for d in docs[second] if d.id in shared],
            modes=modes,
            focus=focus,
        )
        pairs.append(
            PairAgreement(
                first,
                second,
                result,
                tuple(d.id for d in docs[first] if d.id not in ids_second),
                tuple(d.id for d in docs[second] if d.id not in ids_first),
            )
        )
    return AgreementResult(
        annotators={name: len({d.id for d in found}) for name, found in docs.items()},
        pairs=tuple(pairs),
        focus=focus,
        input_errors=tuple(input_errors),
    )


def agreement_paths(
    paths: Sequence[str | Path], *, modes: Sequence[str] = DEFAULT_MODES, focus: str = DEFAULT_FOCUS
) -> AgreementResult:
    """Agreement of per-annotator JSONL files (one annotator per file, named by its stem)."""
    from .io import InputError, iter_annotated_documents

    errors: list[str] = []
    annotators: dict[str, list[Document]] = {}
    for path in paths:
        name = Path(path).stem if Path(path).suffix == ".jsonl" else str(path)
        if name in annotators:
            name = str(path)
        found = annotators.setdefault(name, [])
        for item in iter_annotated_documents([path]):
            if isinstance(item, InputError):
                errors.append(str(item))
            else:
                found.append(item)
    return agreement(annotators, modes=modes, focus=focus, input_errors=errors)


# --- renderings ---------------------------------------------------------------


def _f1(result: EvaluationResult, key: str, mode: str) -> dict[str, Any]:
    if key == "quotes":
        return result.quotes(mode).to_dict()
    if key == "end_to_end":
        return result.end_to_end(mode).to_dict()
    return result.cues().to_dict()


def _side(quote: Any) -> dict[str, Any] | None:
    if quote is None:
        return None
    return {
        "type": quote.type,
        "start": quote.start,
        "end": quote.end,
        "text": quote.text,
        "speaker_name": list(quote.speaker_name),
        "speaker": None if quote.speaker is None else quote.speaker.text,
        "cue": None if quote.cue is None else quote.cue.text,
    }


#: What a scoring error kind means between two annotators (A is scored as gold).
KIND_NAMES = {
    "miss": "only A",
    "false_positive": "only B",
    "boundary": "boundary",
    "wrong_speaker": "speaker",
    "wrong_type": "type",
}


def agreement_dict(found: AgreementResult, *, top: int = TOP_DOCUMENTS) -> dict[str, Any]:
    """The JSON form: annotators, then per pair every figure with its counts and the
    most disagreeing documents with the spans side by side."""
    focus = found.focus
    pairs = []
    for pair in found.pairs:
        result = pair.result
        modes = result.modes
        pairs.append(
            {
                "a": pair.first,
                "b": pair.second,
                "documents": {
                    "both": len(result.documents),
                    "only_a": list(pair.only_first),
                    "only_b": list(pair.only_second),
                },
                "quotes": {m: result.quotes(m).to_dict() for m in modes},
                "end_to_end": {m: result.end_to_end(m).to_dict() for m in modes},
                "by_type": {
                    t: {m: result.by_type(t, m).to_dict() for m in modes} for t in QUOTE_TYPES
                },
                "cues": {"exact": result.cues().to_dict()},
                "attribution_accuracy": {m: result.attribution(m).to_dict() for m in modes},
                "quotes_a": sum(len(d.gold_quotes) for d in result.documents),
                "quotes_b": sum(len(d.pred_quotes) for d in result.documents),
                "most_disagreeing": [
                    {
                        "document": doc.id,
                        "disagreements": count,
                        "spans": [
                            {
                                "kind": KIND_NAMES[e.kind],
                                "start": e.start,
                                "end": e.end,
                                "a": _side(e.gold),
                                "b": _side(e.pred),
                            }
                            for e in doc.errors(focus)
                        ],
                    }
                    for doc, count in pair.disagreements(focus)[:top]
                ],
            }
        )
    return {
        "focus_mode": focus,
        "annotators": dict(found.annotators),
        "pairs": pairs,
        "input_errors": list(found.input_errors),
    }


def _pair_rows(found: AgreementResult) -> list[list[str]]:
    mode = found.focus
    rows = []
    for pair in found.pairs:
        r = pair.result
        quotes, e2e, cues = r.quotes(mode), r.end_to_end(mode), r.cues()
        rows.append(
            [
                pair.first,
                pair.second,
                str(len(r.documents)),
                f"{quotes.f1:.3f}",
                f"{e2e.f1:.3f}",
                *(f"{r.by_type(t, mode).f1:.3f}" for t in QUOTE_TYPES),
                f"{cues.f1:.3f}",
                f"{quotes.tp}/{quotes.fp}/{quotes.fn}",
                f"{len(pair.only_first)}/{len(pair.only_second)}",
            ]
        )
    return rows


PAIR_HEADER = [
    "A",
    "B",
    "docs",
    "quote F1",
    "end to end F1",
    *(f"{t} F1" for t in QUOTE_TYPES),
    "cue F1",
    "matched/only B/only A",
    "docs only A/only B",
]


def pair_count_tables(found: AgreementResult) -> list[tuple[str, list[str], list[list[str]]]]:
    """Per pair, the counts behind every figure: P, R, F1, matched, only B, only A."""
    from .report import COUNT_HEADER, _count_row

    mode = found.focus
    tables = []
    for pair in found.pairs:
        r = pair.result
        rows = [
            _count_row("quotes", r.quotes(mode)),
            _count_row("end to end", r.end_to_end(mode)),
            *(_count_row(t, r.by_type(t, mode)) for t in QUOTE_TYPES),
            _count_row("cues (exact)", r.cues()),
        ]
        title = (
            f"{pair.first} (A) vs {pair.second} (B), {mode}: {len(r.documents)} document(s)"
            f" both annotated, {len(pair.only_first)} only A, {len(pair.only_second)} only B;"
            " TP = both, FP = only B, FN = only A"
        )
        tables.append((title, ["", *COUNT_HEADER[1:]], rows))
    return tables


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _brief(quote: Any) -> str:
    if quote is None:
        return "—"
    names = "; ".join(quote.speaker_name) or (quote.speaker.text if quote.speaker else "?")
    return f"{quote.type} «{_clip(quote.text, 60)}» — {names}"


def _disagreement_lines(found: AgreementResult, top: int) -> list[tuple[str, list[list[str]]]]:
    """Per pair, a title and rows: document, kind, A's span, B's span."""
    out = []
    for pair in found.pairs:
        rows = []
        for doc, count in pair.disagreements(found.focus)[:top]:
            for error in doc.errors(found.focus):
                rows.append(
                    [
                        f"{doc.id} ({count})",
                        KIND_NAMES[error.kind],
                        _brief(error.gold),
                        _brief(error.pred),
                    ]
                )
        title = f"Most disagreeing documents, {pair.first} (A) vs {pair.second} (B)"
        out.append((title, rows))
    return out


def render_agreement(found: AgreementResult, fmt: str, *, top: int = TOP_DOCUMENTS) -> str:
    """The agreement report as ``table``, ``json`` or ``markdown``."""
    from .report import _aligned, _markdown_table

    if fmt == "json":
        return json.dumps(agreement_dict(found, top=top), ensure_ascii=False, indent=2) + "\n"
    counts = [[name, str(n)] for name, n in found.annotators.items()]
    title = f"Agreement ({found.focus}; A scored as gold, B as predictions)"
    tables = [
        ("Annotators", ["annotator", "documents"], counts),
        (title, PAIR_HEADER, _pair_rows(found)),
        *pair_count_tables(found),
    ]
    header = ["document (disagreements)", "kind", "A", "B"]
    tables += [(t, header, rows) for t, rows in _disagreement_lines(found, top)]
    problems = [f"unreadable input: {e}" for e in found.input_errors]
    if fmt == "markdown":
        blocks = ["## Agreement", *(_markdown_table(*t) for t in tables)]
        if problems:
            blocks.append("### Problems\n\n" + "\n".join(f"- {p}" for p in problems))
        return "\n\n".join(blocks) + "\n"
    if fmt == "table":
        blocks = [_aligned(*t) for t in tables]
        if problems:
            blocks.append("Problems\n" + "\n".join(problems))
        return "\n\n".join(blocks) + "\n"
    raise ValueError(f"unknown format {fmt!r}; use table, json or markdown")


def render_agreement_html(
    found: AgreementResult, *, title: str = "quotes agreement", top: int = TOP_DOCUMENTS
) -> str:
    """One self-contained page: the pair table, then per pair its most disagreeing
    documents with both annotators' quotes side by side (the evaluate report's view)."""
    from html import escape

    from .report_html import CSS, LEGEND, _document_section, _table

    counts = [[name, str(n)] for name, n in found.annotators.items()]
    head = (
        _table("Annotators", ["annotator", "documents"], counts)
        + _table(f"Agreement ({found.focus})", PAIR_HEADER, _pair_rows(found))
        + "".join(_table(*t) for t in pair_count_tables(found))
    )
    sections = []
    for pair in found.pairs:
        worst = pair.disagreements(found.focus)[:top]
        sections.append(
            f"<h2>{escape(pair.first)} (A) vs {escape(pair.second)} (B): "
            f"{len(worst)} most disagreeing document(s)</h2>"
            '<p class="meta">A is scored as gold: a miss is a quote only A marked, a false'
            " positive one only B marked.</p>"
        )
        sections.extend(
            _document_section(doc, found.focus, labels=(pair.first, pair.second))
            for doc, _ in worst
        )
    problems = "".join(f"<li>{escape(e)}</li>" for e in found.input_errors)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="meta">Pairwise agreement on the documents both annotated, mode '
        f"<b>{escape(found.focus)}</b>.</p>\n"
        f'<div class="tables">{head}</div>\n'
        + (f"<h3>Problems</h3><ul>{problems}</ul>\n" if problems else "")
        + f"{LEGEND}\n"
        + "\n".join(sections)
        + "\n</body></html>\n"
    )
