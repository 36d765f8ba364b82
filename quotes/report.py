"""Renderings of an :class:`~quotes.scoring.EvaluationResult`: JSON, text table, Markdown.

The JSON keys are stable and documented in ``docs/readme-evaluate.md``; the
text and Markdown renderings show the same figures for people. The HTML
report lives in :mod:`quotes.report_html`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .scoring import Counts, EvaluationResult, ScoringError
from .summary import EvaluationSummary
from .types import QUOTE_TYPES

#: What the reports render: a whole result, or the sums of a sharded one.
Evaluation = EvaluationResult | EvaluationSummary

#: Version of the JSON report's layout; bumped when a key changes meaning.
REPORT_VERSION = 1
FORMATS: tuple[str, ...] = ("table", "json", "markdown")


def report_dict(result: Evaluation) -> dict[str, Any]:
    """The JSON report as nested dicts (``.quotes.exact.f1`` in jq)."""
    modes = result.modes
    return {
        "version": REPORT_VERSION,
        "modes": list(modes),
        "focus_mode": result.focus,
        "documents": result.document_counts(),
        "missing_documents": {"in_pred": result.missing("pred"), "in_gold": result.missing("gold")},
        "quotes": {m: result.quotes(m).to_dict() for m in modes},
        "end_to_end": {m: result.end_to_end(m).to_dict() for m in modes},
        "by_type": {t: {m: result.by_type(t, m).to_dict() for m in modes} for t in QUOTE_TYPES},
        "attribution_accuracy": {m: result.attribution(m).to_dict() for m in modes},
        "cues": {"exact": result.cues().to_dict()},
        "type_confusion": {m: result.type_confusion(m) for m in modes},
        "speakers": [row.to_dict() for row in result.speakers()],
        "errors": [e.to_dict() for e in result.errors()],
        "input_errors": list(result.input_errors),
        "text_mismatches": list(result.text_mismatches),
        "duplicate_ids": list(result.duplicate_ids),
        "failed_documents": list(result.failed_documents),
    }


def render_json(result: Evaluation) -> str:
    """One JSON object, indented, keys in a fixed order."""
    return json.dumps(report_dict(result), ensure_ascii=False, indent=2)


# --- tables -----------------------------------------------------------------

COUNT_HEADER = ("", "P", "R", "F1", "TP", "FP", "FN")


def _count_row(label: str, counts: Counts) -> list[str]:
    return [
        label,
        f"{counts.p:.3f}",
        f"{counts.r:.3f}",
        f"{counts.f1:.3f}",
        str(counts.tp),
        str(counts.fp),
        str(counts.fn),
    ]


def score_tables(result: Evaluation) -> list[tuple[str, list[str], list[list[str]]]]:
    """The score tables as (title, header, rows): shared by every rendering."""
    modes = result.modes
    tables: list[tuple[str, list[str], list[list[str]]]] = [
        (
            "Quotes (span)",
            ["mode", *COUNT_HEADER[1:]],
            [_count_row(m, result.quotes(m)) for m in modes],
        ),
        (
            "End to end (span and speaker)",
            ["mode", *COUNT_HEADER[1:]],
            [_count_row(m, result.end_to_end(m)) for m in modes],
        ),
        (
            "By type (span and type)",
            ["type / mode", *COUNT_HEADER[1:]],
            [_count_row(f"{t} {m}", result.by_type(t, m)) for t in QUOTE_TYPES for m in modes],
        ),
        ("Cues", ["mode", *COUNT_HEADER[1:]], [_count_row("exact", result.cues())]),
    ]
    acc_rows = []
    for m in modes:
        acc = result.attribution(m)
        value = "n/a" if acc.value is None else f"{acc.value:.3f}"
        acc_rows.append([m, value, str(acc.correct), str(acc.total)])
    tables.append(
        (
            "Attribution accuracy (matched quotes)",
            ["mode", "accuracy", "correct", "total"],
            acc_rows,
        )
    )
    docs = result.document_counts()
    tables.append(("Documents", list(docs), [[str(v) for v in docs.values()]]))
    return tables


def speaker_table(result: Evaluation) -> tuple[str, list[str], list[list[str]]]:
    """The per-speaker table (focus mode)."""
    rows = [
        [r.name, str(r.gold), str(r.found), str(r.found_right_speaker), str(r.missed)]
        for r in result.speakers()
    ]
    return (
        f"Speakers ({result.focus})",
        ["speaker", "gold", "found", "right speaker", "missed"],
        rows,
    )


def _clip(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_line(error: ScoringError) -> list[str]:
    """An error as table cells: document, offsets, kind, gold, prediction, context."""

    def side(q: Any) -> str:
        if q is None:
            return ""
        names = "; ".join(q.speaker_name) or (q.speaker.text if q.speaker else "?")
        return f"{q.type} «{_clip(q.text, 60)}» — {names}"

    return [
        error.document,
        f"{error.start}-{error.end}",
        error.kind,
        side(error.gold),
        side(error.pred),
        _clip(error.context.text, 120),
    ]


ERROR_HEADER = ["document", "offsets", "kind", "gold", "predicted", "context"]


def _aligned(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    widths = [max(len(str(c)) for c in col) for col in zip(header, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        parts = []
        for i, (cell, width) in enumerate(zip(cells, widths, strict=False)):
            last = i == len(widths) - 1
            numeric = i > 0 and cell.replace(".", "").replace("/", "").isdigit()
            if numeric:
                parts.append(cell.rjust(width))
            else:
                parts.append(cell if last else cell.ljust(width))
        return "  ".join(parts).rstrip()

    out = [title, line(header), "  ".join("-" * w for w in widths)]
    out.extend(line(r) for r in rows)
    return "\n".join(out)


def _problems(result: Evaluation) -> list[str]:
    lines = []
    for doc_id in result.missing("pred"):
        lines.append(f"missing in pred (all misses): {doc_id}")
    for doc_id in result.missing("gold"):
        lines.append(f"missing in gold (all false positives): {doc_id}")
    lines.extend(f"text differs between gold and pred: {i}" for i in result.text_mismatches)
    lines.extend(f"duplicate document id (first kept): {i}" for i in result.duplicate_ids)
    lines.extend(f"unreadable input: {e}" for e in result.input_errors)
    lines.extend(f"extractor failed (all misses): {e}" for e in result.failed_documents)
    return lines


def render_table(result: Evaluation, *, errors: bool = True) -> str:
    """Plain aligned text: score tables, problems, speakers, errors."""
    blocks = [_aligned(*t) for t in score_tables(result)]
    problems = _problems(result)
    if problems:
        blocks.append("Problems\n" + "\n".join(problems))
    blocks.append(_aligned(*speaker_table(result)))
    if errors:
        found = result.errors()
        lines = [f"Errors ({result.focus}): {len(found)}"]
        for error in found:
            doc, offsets, kind, gold, pred, context = error_line(error)
            lines.append(f"{doc} {offsets} {kind}")
            lines.extend(
                f"  {label}: {value}"
                for label, value in (("gold", gold), ("pred", pred), ("context", context))
                if value
            )
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _md_cell(cell: str) -> str:
    return cell.replace("|", "\\|").replace("\n", " ")


def _markdown_table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = [
        f"### {title}",
        "",
        "| " + " | ".join(_md_cell(h) or " " for h in header) + " |",
        "|" + "|".join(" --- " if i == 0 else " ---: " for i in range(len(header))) + "|",
    ]
    out.extend("| " + " | ".join(_md_cell(c) for c in r) + " |" for r in rows)
    return "\n".join(out)


def render_markdown(result: Evaluation, *, errors: bool = True) -> str:
    """Markdown tables (GitHub flavour), for a README or an issue."""
    blocks = ["## Evaluation", *(_markdown_table(*t) for t in score_tables(result))]
    problems = _problems(result)
    if problems:
        blocks.append("### Problems\n\n" + "\n".join(f"- {p}" for p in problems))
    blocks.append(_markdown_table(*speaker_table(result)))
    if errors:
        rows = [error_line(e) for e in result.errors()]
        blocks.append(_markdown_table(f"Errors ({result.focus}): {len(rows)}", ERROR_HEADER, rows))
    return "\n\n".join(blocks) + "\n"


def render(result: Evaluation, fmt: str) -> str:
    """The report in ``fmt`` (one of :data:`FORMATS`)."""
    if fmt == "json":
        return render_json(result) + "\n"
    if fmt == "markdown":
        return render_markdown(result)
    if fmt == "table":
        return render_table(result)
    raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
