"""The HTML report: one self-contained page (inline CSS, no scripts, no external assets).

Score tables on top, then each article with its gold and predicted quotes side
by side: quotes coloured by type, speakers and cues marked, errors of the
focus mode outlined (miss, false positive, boundary, wrong speaker). Every
piece of text is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from itertools import pairwise

from .report import ERROR_HEADER, error_line, score_tables, speaker_table
from .scoring import DocumentScore, EvaluationResult, ScoringError
from .types import CharSpan, Quote

CSS = """
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0 auto;max-width:1500px;
 padding:1em 1.5em;color:#222;background:#fff}
h1{font-size:1.5em;margin:.3em 0}h2{font-size:1.2em;margin:1.6em 0 .3em;border-top:2px solid #ccc;
 padding-top:.6em}h3{font-size:1em;margin:1em 0 .3em}
table{border-collapse:collapse;margin:.2em 0 1em;font-size:.9em}
td,th{border:1px solid #ddd;padding:.15em .6em;text-align:right;vertical-align:top}
th{background:#f3f3f3}td:first-child,th:first-child{text-align:left}
table.err td,table.err th{text-align:left}
table.err td:last-child{max-width:40em;font-family:Georgia,serif}
table.err b{background:#ffe7a3}
.tables{display:flex;flex-wrap:wrap;gap:0 2em;align-items:flex-start}
.legend span{margin-right:1em;white-space:nowrap}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:1.5em}
.col h3{margin-top:.2em}
.text{white-space:pre-wrap;font-family:Georgia,serif;font-size:15px;line-height:1.75;
 border:1px solid #e4e4e4;padding:.6em .9em;background:#fcfcfc}
.q{border-radius:2px;padding:1px 0;box-decoration-break:clone;-webkit-box-decoration-break:clone}
.direct{background:#cfe3ff}.indirect{background:#d5f2d0}.mixed{background:#f8e2b8}
.spk{border-bottom:3px solid #5b3fc4;font-weight:600}
.cue{text-decoration:underline dotted 2px #555;font-style:italic}
.miss,.fp{outline:2px solid #d21f1f}.boundary{outline:2px dashed #e08a00}
.absorbed{outline:1px dotted #888}
.spk.wrongspk{border-bottom-color:#d21f1f}
sup.n{font:600 10px/1 system-ui,sans-serif;color:#fff;background:#555;border-radius:3px;
 padding:1px 3px;margin-right:2px}
sup.n.miss,sup.n.fp{background:#d21f1f;outline:none}sup.n.boundary{background:#e08a00;outline:none}
sup.n.wrongspk{background:#7a1fd2}
.meta{color:#555;font-size:.9em}
.scroll{max-height:22em;overflow:auto;display:inline-block;padding-right:.5em}
.ok{color:#1a7f37}.bad{color:#d21f1f}
"""


@dataclass(frozen=True)
class _Mark:
    """One quote to draw: its pieces, speaker, cue, label and classes."""

    label: str
    quote: Quote
    classes: tuple[str, ...]
    title: str


def _title(label: str, quote: Quote, note: str) -> str:
    names = "; ".join(quote.speaker_name) or (quote.speaker.text if quote.speaker else "none")
    cue = quote.cue.text if quote.cue else "none"
    return f"{label} {quote.type} — speaker: {names} — cue: {cue}{note}"


def _marks(score: DocumentScore, mode: str) -> tuple[list[_Mark], list[_Mark]]:
    """The gold and predicted quotes of a document with their error classes."""
    match = score.matches[mode]
    gold, pred = score.gold_quotes, score.pred_quotes
    gold_notes: dict[int, tuple[list[str], str]] = {i: ([], "") for i in range(len(gold))}
    pred_notes: dict[int, tuple[list[str], str]] = {i: ([], "") for i in range(len(pred))}
    for gi in match.missed:
        gold_notes[gi] = (["miss"], " — MISSED")
    for pi in match.false_positives:
        pred_notes[pi] = (["fp"], " — FALSE POSITIVE")
    for pi in match.absorbed:
        pred_notes[pi] = (["absorbed"], " — another fragment of a found quote")
    for pair in match.pairs:
        classes, notes = [], []
        if not pair.exact:
            classes.append("boundary")
            notes.append("boundary differs")
        if not pair.speaker_agrees:
            classes.append("wrongspk")
            notes.append("wrong speaker")
        if not pair.type_agrees:
            notes.append("type differs")
        link = f" — matches P{pair.pred + 1}" + (f" ({', '.join(notes)})" if notes else "")
        gold_notes[pair.gold] = (classes, link)
        back = f" — matches G{pair.gold + 1}" + (f" ({', '.join(notes)})" if notes else "")
        pred_notes[pair.pred] = (list(classes), back)
    gold_marks = [
        _Mark(f"G{i + 1}", q, tuple(gold_notes[i][0]), _title(f"G{i + 1}", q, gold_notes[i][1]))
        for i, q in enumerate(gold)
    ]
    pred_marks = [
        _Mark(f"P{i + 1}", q, tuple(pred_notes[i][0]), _title(f"P{i + 1}", q, pred_notes[i][1]))
        for i, q in enumerate(pred)
    ]
    return gold_marks, pred_marks


def marked_text(text: str, marks: Sequence[_Mark]) -> str:
    """``text`` as escaped HTML with every quote piece, speaker and cue wrapped in spans.

    Overlapping quotes are drawn by their innermost (shortest) piece; each
    quote's label is a small badge at its start.
    """
    pieces: list[tuple[CharSpan, int]] = []
    speakers: list[tuple[CharSpan, int]] = []
    cues: list[CharSpan] = []
    for index, mark in enumerate(marks):
        pieces.extend((p, index) for p in mark.quote.pieces())
        if mark.quote.speaker is not None:
            speakers.append((mark.quote.speaker, index))
        if mark.quote.cue is not None:
            cues.append(mark.quote.cue)
    cuts = {0, len(text)}
    for span, _ in pieces + speakers:
        cuts.update((span.start, span.end))
    for span in cues:
        cuts.update((span.start, span.end))
    bounds = sorted(c for c in cuts if 0 <= c <= len(text))
    starts: dict[int, list[int]] = {}
    for span, index in pieces:
        starts.setdefault(span.start, [])
        if index not in starts[span.start]:
            starts[span.start].append(index)
    out: list[str] = []
    for a, b in pairwise(bounds):
        for index in starts.get(a, []):
            mark = marks[index]
            badge = " ".join(("n", *mark.classes))
            out.append(
                f'<sup class="{badge}" title="{escape(mark.title)}">{escape(mark.label)}</sup>'
            )
        if a == b:
            continue
        covering = [(len(s), i) for s, i in pieces if s.start <= a and b <= s.end]
        spk = [i for s, i in speakers if s.start <= a and b <= s.end]
        cue = any(s.start <= a and b <= s.end for s in cues)
        classes: list[str] = []
        title = ""
        if covering:
            index = min(covering)[1]
            mark = marks[index]
            classes.extend(("q", mark.quote.type, *(c for c in mark.classes if c != "wrongspk")))
            title = mark.title
        if spk:
            classes.append("spk")
            if any("wrongspk" in marks[i].classes for i in spk):
                classes.append("wrongspk")
            title = title or "speaker of " + ", ".join(marks[i].label for i in spk)
        if cue:
            classes.append("cue")
        chunk = escape(text[a:b])
        if classes:
            attr = f' title="{escape(title)}"' if title else ""
            out.append(f'<span class="{" ".join(classes)}"{attr}>{chunk}</span>')
        else:
            out.append(chunk)
    for index in starts.get(len(text), []):
        out.append(f'<sup class="n">{escape(marks[index].label)}</sup>')
    return "".join(out)


def _table(title: str, header: Sequence[str], rows: Sequence[Sequence[str]], css: str = "") -> str:
    cls = f' class="{css}"' if css else ""
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<div><h3>{escape(title)}</h3><table{cls}><tr>{head}</tr>{body}</table></div>"


def _error_table(errors: Sequence[ScoringError], mode: str) -> str:
    """A document's errors, the context in full with the erroneous stretch in bold."""
    head = "".join(f"<th>{escape(h)}</th>" for h in ERROR_HEADER[1:])
    rows = []
    for error in errors:
        cells = [escape(c) for c in error_line(error)[1:-1]]
        ctx = error.context
        a = max(error.start, ctx.start) - ctx.start
        b = min(error.end, ctx.end) - ctx.start
        context = (
            escape(ctx.text[:a]) + "<b>" + escape(ctx.text[a:b]) + "</b>" + escape(ctx.text[b:])
        )
        rows.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + f"<td>{context}</td></tr>")
    return (
        f"<div><h3>{escape(f'Errors ({mode}): {len(errors)}')}</h3>"
        f'<table class="err"><tr>{head}</tr>{"".join(rows)}</table></div>'
    )


LEGEND = (
    '<p class="legend"><span class="q direct">direct</span> <span class="q indirect">indirect'
    '</span> <span class="q mixed">mixed</span> <span class="spk">speaker</span> '
    '<span class="cue">cue</span> <span class="q direct miss">miss / false positive</span> '
    '<span class="q direct boundary">boundary differs</span> '
    '<span class="spk wrongspk">wrong speaker</span> '
    '<span class="q direct absorbed">extra fragment</span> '
    "(hover a quote for its speaker, cue and match)</p>"
)


def _document_section(
    score: DocumentScore, mode: str, *, labels: tuple[str, str] = ("Gold", "Predicted")
) -> str:
    """One article: figures, both sides' quotes side by side (titled ``labels``), errors."""
    match = score.matches[mode]
    quotes, e2e = match.quote_counts(), match.end_to_end_counts()
    status = {
        "both": "",
        "gold_only": " — MISSING IN PREDICTIONS (all misses)",
        "pred_only": " — MISSING IN GOLD (all false positives)",
    }[score.status]
    gold_marks, pred_marks = _marks(score, mode)
    text = score.text
    gold_html = marked_text(text, gold_marks) if score.gold is not None else ""
    pred_text = score.pred.text if score.pred is not None else ""
    pred_html = marked_text(pred_text, pred_marks) if score.pred is not None else ""
    errors = score.errors(mode)
    meta = (
        f"{len(score.gold_quotes)} {labels[0].lower()}, {len(score.pred_quotes)}"
        f" {labels[1].lower()} — quotes "
        f"P {quotes.p:.2f} R {quotes.r:.2f} F1 {quotes.f1:.2f}; end to end F1 {e2e.f1:.2f}"
        f" ({escape(mode)}){status}"
    )
    parts = [
        f'<section id="doc-{escape(score.id)}"><h2>{escape(score.id)}</h2>',
        f'<p class="meta">{escape(meta)}</p>',
        '<div class="cols">',
        f'<div class="col"><h3>{escape(labels[0])}</h3><div class="text">{gold_html}</div></div>',
        f'<div class="col"><h3>{escape(labels[1])}</h3><div class="text">{pred_html}</div></div>',
        "</div>",
    ]
    if errors:
        parts.append(_error_table(errors, mode))
    parts.append("</section>")
    return "\n".join(parts)


def render_html(result: EvaluationResult, *, title: str = "quotes evaluate") -> str:
    """The whole report as one HTML page."""
    tables = "".join(_table(*t) for t in score_tables(result))
    speakers = f'<div class="scroll">{_table(*speaker_table(result))}</div>'
    problems = [f"missing in predictions: {i}" for i in result.missing("pred")]
    problems += [f"missing in gold: {i}" for i in result.missing("gold")]
    problems += [f"text differs: {i}" for i in result.text_mismatches]
    problems += [f"duplicate id: {i}" for i in result.duplicate_ids]
    problems += [f"unreadable input: {e}" for e in result.input_errors]
    problem_html = (
        "<h3>Problems</h3><ul>" + "".join(f"<li>{escape(p)}</li>" for p in problems) + "</ul>"
        if problems
        else ""
    )
    toc = ", ".join(f'<a href="#doc-{escape(d.id)}">{escape(d.id)}</a>' for d in result.documents)
    docs = "\n".join(_document_section(d, result.focus) for d in result.documents)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{CSS}</style></head><body>\n"
        f"<h1>{escape(title)}</h1>\n"
        f'<p class="meta">Errors and per-article figures use mode '
        f"<b>{escape(result.focus)}</b>.</p>\n"
        f'<div class="tables">{tables}{speakers}</div>\n{problem_html}\n'
        f'{LEGEND}\n<p class="meta">Articles: {toc}</p>\n{docs}\n</body></html>\n'
    )
