"""An evaluation reduced to its sums, so that parts of a corpus combine.

:class:`~quotes.scoring.EvaluationResult` keeps every document; scoring an
archive on a cluster cannot gather them all. Every figure of the reports is a
sum over documents (counts, confusion cells, per-speaker rows) or a list in
document order (errors, missing ids), so each shard reduces its result to an
:class:`EvaluationSummary` and summaries combine with ``+`` in corpus order.
The reports (:mod:`quotes.report`) render a summary exactly as they render the
result it came from. Pure: no I/O.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from .scoring import (
    DEFAULT_FOCUS,
    DEFAULT_MODES,
    Accuracy,
    Counts,
    EvaluationResult,
    ScoringError,
    SpeakerRow,
    document_counts,
    type_confusion,
)
from .types import QUOTE_TYPES


def _add_counts(a: Mapping[str, Counts], b: Mapping[str, Counts]) -> dict[str, Counts]:
    return {k: a.get(k, Counts()) + b.get(k, Counts()) for k in dict.fromkeys([*a, *b])}


@dataclass(frozen=True)
class EvaluationSummary:
    """The figures of an evaluation of part of a corpus; ``a + b`` is the evaluation of both.

    Errors and the per-speaker table are kept for the focus mode only, which
    is what the reports show.
    """

    modes: tuple[str, ...] = DEFAULT_MODES
    focus: str = DEFAULT_FOCUS
    quote_counts: Mapping[str, Counts] = field(default_factory=dict)
    end_to_end_counts: Mapping[str, Counts] = field(default_factory=dict)
    # mode -> quote type -> counts
    type_counts: Mapping[str, Mapping[str, Counts]] = field(default_factory=dict)
    attributions: Mapping[str, Accuracy] = field(default_factory=dict)
    cue_counts: Counts = field(default_factory=Counts)
    # mode -> (gold type, predicted type) -> pairs
    confusion: Mapping[str, Counter[tuple[str, str]]] = field(default_factory=dict)
    # canonical gold speaker -> (gold, found, found with the right speaker), focus mode
    speaker_counts: Mapping[str, tuple[int, int, int]] = field(default_factory=dict)
    focus_errors: tuple[ScoringError, ...] = ()
    statuses: Counter[str] = field(default_factory=Counter)
    missing_in_pred: tuple[str, ...] = ()
    missing_in_gold: tuple[str, ...] = ()
    input_errors: tuple[str, ...] = ()
    text_mismatches: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()
    failed_documents: tuple[str, ...] = ()

    @classmethod
    def of(cls, result: EvaluationResult) -> EvaluationSummary:
        """The sums of ``result`` (all its documents)."""
        modes, focus = result.modes, result.focus
        type_counts: dict[str, dict[str, Counts]] = {
            m: {k: result.by_type(k, m) for k in QUOTE_TYPES} for m in modes
        }
        confusion: dict[str, Counter[tuple[str, str]]] = {}
        for mode in modes:
            cells: Counter[tuple[str, str]] = Counter()
            for d in result.documents:
                cells.update(type_confusion(d.matches[mode], d.gold_quotes, d.pred_quotes))
            confusion[mode] = cells
        return cls(
            modes=modes,
            focus=focus,
            quote_counts={m: result.quotes(m) for m in modes},
            end_to_end_counts={m: result.end_to_end(m) for m in modes},
            type_counts=type_counts,
            attributions={m: result.attribution(m) for m in modes},
            cue_counts=result.cues(),
            confusion=confusion,
            speaker_counts={
                r.name: (r.gold, r.found, r.found_right_speaker) for r in result.speakers(focus)
            },
            focus_errors=tuple(result.errors(focus)),
            statuses=Counter(d.status for d in result.documents),
            missing_in_pred=tuple(result.missing("pred")),
            missing_in_gold=tuple(result.missing("gold")),
            input_errors=tuple(result.input_errors),
            text_mismatches=tuple(result.text_mismatches),
            duplicate_ids=tuple(result.duplicate_ids),
            failed_documents=tuple(result.failed_documents),
        )

    def __add__(self, other: EvaluationSummary) -> EvaluationSummary:
        if (self.modes, self.focus) != (other.modes, other.focus):
            raise ValueError("cannot combine evaluations with different modes or focus")
        speakers = dict(self.speaker_counts)
        for name, (gold, found, right) in other.speaker_counts.items():
            g, f, r = speakers.get(name, (0, 0, 0))
            speakers[name] = (g + gold, f + found, r + right)
        return EvaluationSummary(
            modes=self.modes,
            focus=self.focus,
            quote_counts=_add_counts(self.quote_counts, other.quote_counts),
            end_to_end_counts=_add_counts(self.end_to_end_counts, other.end_to_end_counts),
            type_counts={
                m: _add_counts(self.type_counts.get(m, {}), other.type_counts.get(m, {}))
                for m in self.modes
            },
            attributions={
                m: self.attributions.get(m, Accuracy()) + other.attributions.get(m, Accuracy())
                for m in self.modes
            },
            cue_counts=self.cue_counts + other.cue_counts,
            confusion={
                m: self.confusion.get(m, Counter()) + other.confusion.get(m, Counter())
                for m in self.modes
            },
            speaker_counts=speakers,
            focus_errors=self.focus_errors + other.focus_errors,
            statuses=self.statuses + other.statuses,
            missing_in_pred=self.missing_in_pred + other.missing_in_pred,
            missing_in_gold=self.missing_in_gold + other.missing_in_gold,
            input_errors=self.input_errors + other.input_errors,
            text_mismatches=self.text_mismatches + other.text_mismatches,
            duplicate_ids=tuple(dict.fromkeys(self.duplicate_ids + other.duplicate_ids)),
            failed_documents=self.failed_documents + other.failed_documents,
        )

    def with_problems(
        self, *, input_errors: Iterable[str], duplicate_ids: Iterable[str]
    ) -> EvaluationSummary:
        """This summary with the corpus-wide reading problems (known only after all shards)."""
        return replace(
            self,
            input_errors=tuple(input_errors),
            duplicate_ids=tuple(dict.fromkeys(duplicate_ids)),
        )

    # --- the interface of EvaluationResult that the reports read ---------------

    def quotes(self, mode: str) -> Counts:
        """Quotes found, span only."""
        return self.quote_counts.get(mode, Counts())

    def end_to_end(self, mode: str) -> Counts:
        """Quotes found with the right speaker."""
        return self.end_to_end_counts.get(mode, Counts())

    def by_type(self, quote_type: str, mode: str) -> Counts:
        """Quotes of one type found with span and type right."""
        return self.type_counts.get(mode, {}).get(quote_type, Counts())

    def attribution(self, mode: str) -> Accuracy:
        """Attribution accuracy on the quotes matched in ``mode``."""
        return self.attributions.get(mode, Accuracy())

    def cues(self) -> Counts:
        """Cue spans, exact."""
        return self.cue_counts

    def type_confusion(self, mode: str) -> dict[str, dict[str, int]]:
        """Matched pairs by gold type then predicted type."""
        cells = self.confusion.get(mode, Counter())
        return {g: {p: cells[g, p] for p in QUOTE_TYPES} for g in QUOTE_TYPES}

    def missing(self, side: Literal["gold", "pred"]) -> list[str]:
        """Ids of documents absent from ``side``."""
        return list(self.missing_in_gold if side == "gold" else self.missing_in_pred)

    def speakers(self, mode: str | None = None) -> list[SpeakerRow]:
        """Per canonical gold speaker, quotes found and missed (focus mode only)."""
        self._check_focus(mode)
        return [
            SpeakerRow(name, *row)
            for name, row in sorted(self.speaker_counts.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ]

    def errors(self, mode: str | None = None) -> list[ScoringError]:
        """Every error of the focus mode, by document then position."""
        self._check_focus(mode)
        return list(self.focus_errors)

    def document_counts(self) -> dict[str, int]:
        """How many documents: on each side, scored on both, on one side only."""
        return document_counts(self.statuses)

    @property
    def document_total(self) -> int:
        """Documents scored (on either side)."""
        return sum(self.statuses.values())

    def _check_focus(self, mode: str | None) -> None:
        if mode is not None and mode != self.focus:
            raise ValueError(f"this summary keeps errors and speakers for {self.focus!r} only")


def combine(summaries: Iterable[EvaluationSummary]) -> EvaluationSummary | None:
    """The sum of ``summaries`` in order (None when there are none)."""
    out: EvaluationSummary | None = None
    for s in summaries:
        out = s if out is None else out + s
    return out
