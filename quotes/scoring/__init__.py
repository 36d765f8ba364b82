"""Scoring predicted quotes against gold: matching modes, P/R/F1, errors.

Pure functions over :mod:`quotes.types`: documents in, results out. Reading
files and running the extractor happen at the edge, in
:func:`quotes.evaluation.evaluate_paths`. The counting rules, in one place:

* **Normalization** (:func:`normalize_span`): both sides drop enclosing
  quotation marks, outer white space and edge punctuation (``. , ; :``). The
  result is a narrower :class:`CharSpan`, so overlap stays a character count.
* **Tokens** (:func:`tokens`): the runs of ``\\w+`` (Unicode word characters)
  of a span's text, no model involved. ``don't`` is two tokens, ``5.5`` two.
* **Modes** (:func:`piece_matches`): ``exact`` (normalized spans identical),
  ``partial`` (the overlap holds at least half of the tokens of the longer
  span) and ``coverageNN`` (the prediction covers at least NN % of the gold
  span's characters; ``coverage30``/``coverage80`` are the Gender Gap Tracker's
  loose and strict rules). Identical normalized spans match in every mode.
* **Matching** (:func:`match_document`): one-to-one and greedy, largest
  character overlap first; ties go to the pair whose speaker agrees, then whose
  type agrees, then to the earliest gold and earliest prediction.
* **Fragments**: a gold quote with ``fragments`` offers each fragment as a
  target, so the extractor's one-quote-per-piece output can match every piece.
  The gold quote counts once: it is found when one fragment is matched
  (``exact``, ``partial``), or, in ``coverage`` modes, when the predictions
  matched to its fragments together cover the threshold share of all its
  fragment characters. A prediction matched to a further fragment of a found
  gold quote is neither a true nor a false positive ("absorbed"); one matched to
  a gold quote that is not found is a false positive.
* **Speakers** (:func:`speakers_agree`): names agree by the scorer's own rules,
  :func:`quotes.scoring.names.names_agree` (not the extractor's
  :mod:`quotes.names`), with the gold document's names as the context a
  surname alone needs. A gold quote without a canonical name but with a speaker
  span (PolNeAR) agrees when the predicted speaker span overlaps it or a
  predicted name agrees with its text; a gold quote with no source at all
  agrees only with a prediction that has none either.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from ..marks import CLOSING_MARKS, DOUBLE_MARKS, SINGLE_MARKS
from ..types import QUOTE_TYPES, CharSpan, Document, Quote
from .names import name_agrees, names_agree, split_names

#: The modes every evaluation reports (the JSON keys ``quotes.<mode>``).
DEFAULT_MODES: tuple[str, ...] = ("exact", "partial", "coverage30", "coverage80")
#: The mode whose matches give the error list and the per-speaker table.
DEFAULT_FOCUS = "partial"

_EDGE_PUNCT = frozenset(".,;:")
# a closing single mark follows punctuation; after a letter it is an apostrophe
_BEFORE_CLOSING = frozenset(".,;:!?…—–-")
_TOKEN = re.compile(r"\w+")
_MODE = re.compile(r"^(exact|partial|coverage(\d{1,3}))$")
_CLOSERS = "".join(sorted(CLOSING_MARKS)) + ")"
_SENTENCE_END = re.compile(r"[.!?…][" + re.escape(_CLOSERS) + r"]*\s+|\n")

ErrorKind = Literal["false_positive", "miss", "boundary", "wrong_speaker", "wrong_type"]
ERROR_KINDS: tuple[ErrorKind, ...] = (
    "miss",
    "false_positive",
    "boundary",
    "wrong_speaker",
    "wrong_type",
)


# --- spans ------------------------------------------------------------------


def _strippable(char: str) -> bool:
    return char.isspace() or char in _EDGE_PUNCT or char in DOUBLE_MARKS


def normalize_span(span: CharSpan) -> CharSpan:
    """``span`` without enclosing quotation marks, outer white space and edge punctuation.

    ``“We will win,”`` → ``We will win``. Double marks (" “ ” « » „) go from
    either edge; single marks go in pairs (``‘Yes’``), as a leading ``‘``, or
    as a closing ``’``/``'`` after punctuation, so that an apostrophe ending a
    word (``the players’``) stays. A span made only of such characters is
    returned unchanged, so a normalized span is empty only if the raw one was.
    """
    text = span.text
    i, j = 0, len(text)
    while True:
        before = (i, j)
        while i < j and _strippable(text[i]):
            i += 1
        while j > i and _strippable(text[j - 1]):
            j -= 1
        if j - i >= 2 and text[i] in SINGLE_MARKS and text[j - 1] in SINGLE_MARKS:
            i, j = i + 1, j - 1
        if i < j and text[i] == "‘":
            i += 1
        if j - i >= 2 and text[j - 1] in "’'" and text[j - 2] in _BEFORE_CLOSING:
            j -= 1
        if (i, j) == before:
            break
    if i >= j:
        return span
    return CharSpan(span.start + i, span.start + j, text[i:j])


def tokens(text: str) -> list[str]:
    """The ``\\w+`` runs of ``text``: the token unit of the ``partial`` mode."""
    return _TOKEN.findall(text)


@lru_cache(maxsize=65536)
def _token_count(text: str) -> int:
    return len(_TOKEN.findall(text))


def _intersection_text(a: CharSpan, b: CharSpan) -> str:
    start, end = max(a.start, b.start), min(a.end, b.end)
    return a.text[start - a.start : end - a.start] if start < end else ""


def _covered(target: CharSpan, pieces: Sequence[CharSpan]) -> int:
    """Characters of ``target`` covered by the union of ``pieces``."""
    covered, reach = 0, target.start
    for piece in sorted(pieces, key=lambda p: p.start):
        start, end = max(piece.start, reach), min(piece.end, target.end)
        if end > start:
            covered += end - start
            reach = end
    return covered


@lru_cache(maxsize=64)
def parse_mode(mode: str) -> tuple[str, float]:
    """``("exact"|"partial"|"coverage", threshold)`` for a mode name; ValueError if unknown."""
    found = _MODE.match(mode)
    if found is None:
        raise ValueError(
            f"unknown mode {mode!r}; use exact, partial or coverageNN (e.g. coverage80)"
        )
    if found.group(2) is not None:
        percent = int(found.group(2))
        if not 0 < percent <= 100:
            raise ValueError(f"coverage threshold {percent} must be in 1..100")
        return "coverage", percent / 100
    return found.group(1), 0.0


def piece_matches(gold: CharSpan, pred: Sequence[CharSpan], mode: str) -> bool:
    """True when the (normalized) prediction pieces match one (normalized) gold piece."""
    kind, threshold = parse_mode(mode)
    if any(p.start == gold.start and p.end == gold.end for p in pred):
        return True
    if kind == "exact":
        return False
    if kind == "coverage":
        return len(gold) > 0 and _covered(gold, pred) >= threshold * len(gold)
    gold_tokens = _token_count(gold.text)
    for piece in pred:
        if gold.overlap(piece) == 0:
            continue
        shared = _token_count(_intersection_text(gold, piece))
        if 2 * shared >= max(gold_tokens, _token_count(piece.text)):
            return True
    return False


# --- speakers ---------------------------------------------------------------


def speakers_agree(gold: Quote, pred: Quote, document_names: Collection[str] = ()) -> bool:
    """True when the predicted quote names the gold quote's source (see module doc).

    ``document_names``: the canonical names of the gold document's quotes.
    """
    if gold.speaker_name:
        return names_agree(gold.speaker_name, pred.speaker_name, document_names)
    if gold.speaker is not None:
        if pred.speaker is not None and (
            pred.speaker.overlap(gold.speaker) > 0 or pred.speaker == gold.speaker
        ):
            return True
        return any(
            name_agrees(gold.speaker.text, name, document_names) for name in pred.speaker_name
        )
    return not pred.speaker_name and pred.speaker is None


def document_names(gold: Iterable[Quote]) -> frozenset[str]:
    """The canonical names of a gold document's quotes, joined names split."""
    return frozenset(split_names(name for q in gold for name in q.speaker_name))


def has_source(quote: Quote) -> bool:
    """True when a gold quote states who said it (a canonical name or a speaker span)."""
    return bool(quote.speaker_name) or quote.speaker is not None


def speaker_label(quote: Quote) -> str:
    """The per-speaker table key of a gold quote: its names, else its speaker text."""
    if quote.speaker_name:
        return " & ".join(quote.speaker_name)
    if quote.speaker is not None:
        return f"[{quote.speaker.text}]"
    return "(no speaker)"


# --- counts -----------------------------------------------------------------


def _ratio(num: int, den: int, rest: int) -> float:
    # nothing to count: perfect when nothing went wrong on the other side either
    if den == 0:
        return 1.0 if rest == 0 else 0.0
    return num / den


@dataclass(frozen=True)
class Counts:
    """True positives, false positives and misses, with precision, recall and F1.

    With nothing predicted, precision is 1.0 when nothing was missed either
    (else 0.0); with nothing to find, recall is 1.0 when nothing was predicted.
    """

    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def p(self) -> float:
        return _ratio(self.tp, self.tp + self.fp, self.fn)

    @property
    def r(self) -> float:
        return _ratio(self.tp, self.tp + self.fn, self.fp)

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 0.0 if p + r == 0 else 2 * p * r / (p + r)

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    def to_dict(self) -> dict[str, float | int]:
        """``{"p", "r", "f1", "tp", "fp", "fn"}``, ratios rounded to 4 places."""
        return {
            "p": round(self.p, 4),
            "r": round(self.r, 4),
            "f1": round(self.f1, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
        }


def total(counts: Iterable[Counts]) -> Counts:
    """The sum of ``counts``."""
    out = Counts()
    for c in counts:
        out = out + c
    return out


@dataclass(frozen=True)
class Accuracy:
    """A share of correct items: ``correct / total`` (None when there are none)."""

    correct: int = 0
    total: int = 0

    @property
    def value(self) -> float | None:
        return None if self.total == 0 else self.correct / self.total

    def __add__(self, other: Accuracy) -> Accuracy:
        return Accuracy(self.correct + other.correct, self.total + other.total)

    def to_dict(self) -> dict[str, float | int | None]:
        """``{"accuracy", "correct", "total"}``."""
        value = self.value
        return {
            "accuracy": None if value is None else round(value, 4),
            "correct": self.correct,
            "total": self.total,
        }


# --- matching ---------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A gold quote found by a prediction (the one with the largest overlap)."""

    gold: int
    pred: int
    overlap: int
    exact: bool
    speaker_agrees: bool
    type_agrees: bool


@dataclass(frozen=True)
class DocumentMatch:
    """The one-to-one matching of one document's quotes in one mode (indices into the quotes)."""

    mode: str
    pairs: tuple[Pair, ...] = ()
    missed: tuple[int, ...] = ()
    false_positives: tuple[int, ...] = ()
    absorbed: tuple[int, ...] = ()

    def quote_counts(self) -> Counts:
        """Quotes found (span only)."""
        return Counts(len(self.pairs), len(self.false_positives), len(self.missed))

    def end_to_end_counts(self) -> Counts:
        """Quotes found with the right speaker; a wrong speaker is one fp and one fn."""
        right = sum(p.speaker_agrees for p in self.pairs)
        wrong = len(self.pairs) - right
        return Counts(right, len(self.false_positives) + wrong, len(self.missed) + wrong)


def _pieces(quote: Quote) -> tuple[CharSpan, ...]:
    return tuple(normalize_span(p) for p in quote.pieces())


@dataclass
class _Prepared:
    """What every mode of one document shares: normalized pieces, touching pairs, agreement."""

    gold_pieces: list[tuple[CharSpan, ...]]
    pred_pieces: list[tuple[CharSpan, ...]]
    # (gold, fragment, pred, overlap) for every pair that overlaps or is identical
    touching: list[tuple[int, int, int, int]]
    agree: dict[tuple[int, int], bool]
    names: frozenset[str] = frozenset()


def _prepare(gold: Sequence[Quote], pred: Sequence[Quote]) -> _Prepared:
    gold_pieces = [_pieces(q) for q in gold]
    pred_pieces = [_pieces(q) for q in pred]
    bounds = [(min(p.start for p in pp), max(p.end for p in pp)) for pp in pred_pieces]
    touching = []
    for gi, pieces in enumerate(gold_pieces):
        for fi, piece in enumerate(pieces):
            for pi, (low, high) in enumerate(bounds):
                # only overlapping or identical (possibly empty) spans can match
                if low > piece.end or high < piece.start:
                    continue
                ppieces = pred_pieces[pi]
                overlap = sum(piece.overlap(p) for p in ppieces)
                if overlap or any(p.start == piece.start and p.end == piece.end for p in ppieces):
                    touching.append((gi, fi, pi, overlap))
    return _Prepared(gold_pieces, pred_pieces, touching, {}, document_names(gold))


def match_document(
    gold: Sequence[Quote], pred: Sequence[Quote], mode: str, *, prepared: _Prepared | None = None
) -> DocumentMatch:
    """Match one document's predicted quotes to its gold quotes, one-to-one (see module doc)."""
    kind, threshold = parse_mode(mode)
    prep = prepared if prepared is not None else _prepare(gold, pred)
    gold_pieces, pred_pieces, agree = prep.gold_pieces, prep.pred_pieces, prep.agree
    candidates: list[tuple[int, int, int, int, int, int, int, int]] = []
    for gi, fi, pi, overlap in prep.touching:
        piece, ppieces = gold_pieces[gi][fi], pred_pieces[pi]
        if not piece_matches(piece, ppieces, mode):
            continue
        if (gi, pi) not in agree:
            agree[gi, pi] = speakers_agree(gold[gi], pred[pi], prep.names)
        same_type = gold[gi].type == pred[pi].type
        candidates.append(
            (-overlap, -agree[gi, pi], -same_type, piece.start, ppieces[0].start, gi, fi, pi)
        )
    candidates.sort()
    used_units: set[tuple[int, int]] = set()
    used_preds: set[int] = set()
    assigned: dict[int, list[tuple[int, int, int]]] = defaultdict(list)  # gold → (pred, fi, ov)
    for neg_overlap, _, _, _, _, gi, fi, pi in candidates:
        if (gi, fi) in used_units or pi in used_preds:
            continue
        used_units.add((gi, fi))
        used_preds.add(pi)
        assigned[gi].append((pi, fi, -neg_overlap))
    pairs: list[Pair] = []
    missed: list[int] = []
    false_positives = set(range(len(pred))) - used_preds
    absorbed: list[int] = []
    for gi, pieces in enumerate(gold_pieces):
        got = assigned.get(gi, [])
        found = bool(got)
        if found and kind == "coverage" and len(pieces) > 1:
            covering = [p for pi, _, _ in got for p in pred_pieces[pi]]
            size = sum(len(p) for p in pieces)
            found = sum(_covered(p, covering) for p in pieces) >= threshold * size
        if not found:
            missed.append(gi)
            false_positives.update(pi for pi, _, _ in got)
            continue
        pi, fi, overlap = got[0]
        piece = pieces[fi]
        exact = any(p.start == piece.start and p.end == piece.end for p in pred_pieces[pi])
        pairs.append(Pair(gi, pi, overlap, exact, agree[gi, pi], gold[gi].type == pred[pi].type))
        absorbed.extend(p for p, _, _ in got[1:])
    return DocumentMatch(
        mode=mode,
        pairs=tuple(pairs),
        missed=tuple(missed),
        false_positives=tuple(sorted(false_positives)),
        absorbed=tuple(sorted(absorbed)),
    )


def by_type_counts(
    match: DocumentMatch, gold: Sequence[Quote], pred: Sequence[Quote]
) -> dict[str, Counts]:
    """Per type, quotes found with the right span and the right type.

    A pair whose types differ is a miss of the gold type and a false positive
    of the predicted type (``type_confusion`` shows these pairs).
    """
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter(pred[i].type for i in match.false_positives)
    fn: Counter[str] = Counter(gold[i].type for i in match.missed)
    for pair in match.pairs:
        g, p = gold[pair.gold].type, pred[pair.pred].type
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
    return {t: Counts(tp[t], fp[t], fn[t]) for t in QUOTE_TYPES}


def attribution_accuracy(match: DocumentMatch, gold: Sequence[Quote]) -> Accuracy:
    """Matched quotes with the right speaker, over matched quotes whose gold has a source."""
    pairs = [p for p in match.pairs if has_source(gold[p.gold])]
    return Accuracy(sum(p.speaker_agrees for p in pairs), len(pairs))


def cue_counts(gold: Sequence[Quote], pred: Sequence[Quote]) -> Counts:
    """Distinct cue spans (normalized), matched by identical offsets, whatever the quotes.

    Two quotes sharing one cue (an interrupted quote) give one cue.
    """

    def spans(quotes: Sequence[Quote]) -> set[tuple[int, int]]:
        out = set()
        for q in quotes:
            if q.cue is not None:
                cue = normalize_span(q.cue)
                out.add((cue.start, cue.end))
        return out

    g, p = spans(gold), spans(pred)
    return Counts(len(g & p), len(p - g), len(g - p))


def type_confusion(
    match: DocumentMatch, gold: Sequence[Quote], pred: Sequence[Quote]
) -> Counter[tuple[str, str]]:
    """Matched pairs counted by (gold type, predicted type)."""
    return Counter((gold[p.gold].type, pred[p.pred].type) for p in match.pairs)


# --- documents and errors ---------------------------------------------------


def sentence_context(text: str, start: int, end: int, limit: int = 240) -> CharSpan:
    """The sentence(s) around ``[start, end)``: from the previous sentence end or
    line break to the next, at most ``limit`` characters beyond either edge."""
    low = max(0, start - limit)
    left = low
    for found in _SENTENCE_END.finditer(text, low, start):
        left = found.end()
    if left == low and low > 0:
        # cut at a word boundary when no sentence boundary was in reach
        space = text.find(" ", low, start)
        left = space + 1 if space >= 0 else low
    high = min(len(text), end + limit)
    right = high
    found_end = _SENTENCE_END.search(text, max(end - 1, start), high)
    if found_end is not None:
        right = found_end.start() + 1 if text[found_end.start()] != "\n" else found_end.start()
        # keep closing marks right after the sentence end
        while right < high and text[right] in _CLOSERS:
            right += 1
    left = min(left, start)
    right = max(right, end)
    return CharSpan.of(text, left, right)


@dataclass(frozen=True)
class ScoringError:
    """One thing an annotator should look at: where, what kind, gold and prediction."""

    document: str
    kind: ErrorKind
    start: int
    end: int
    gold: Quote | None
    pred: Quote | None
    context: CharSpan

    def to_dict(self) -> dict[str, object]:
        """The JSON form (see docs/readme-evaluate.md, ``errors``)."""
        return {
            "document": self.document,
            "kind": self.kind,
            "start": self.start,
            "end": self.end,
            "gold": None if self.gold is None else _quote_brief(self.gold),
            "pred": None if self.pred is None else _quote_brief(self.pred),
            "context": self.context.to_dict(),
        }


def _quote_brief(quote: Quote) -> dict[str, object]:
    return {
        "type": quote.type,
        "start": quote.start,
        "end": quote.end,
        "text": quote.text,
        "speaker": None if quote.speaker is None else quote.speaker.text,
        "speaker_name": list(quote.speaker_name),
        "cue": None if quote.cue is None else quote.cue.text,
    }


DocumentStatus = Literal["both", "gold_only", "pred_only"]


@dataclass(frozen=True)
class DocumentScore:
    """One document's gold and prediction and their matching in every mode."""

    id: str
    gold: Document | None
    pred: Document | None
    matches: Mapping[str, DocumentMatch]
    cues: Counts

    @property
    def status(self) -> DocumentStatus:
        if self.gold is None:
            return "pred_only"
        return "both" if self.pred is not None else "gold_only"

    @property
    def text(self) -> str:
        source = self.gold if self.gold is not None else self.pred
        assert source is not None
        return source.text

    @property
    def gold_quotes(self) -> tuple[Quote, ...]:
        return () if self.gold is None else self.gold.quotes

    @property
    def pred_quotes(self) -> tuple[Quote, ...]:
        return () if self.pred is None else self.pred.quotes

    def errors(self, mode: str) -> list[ScoringError]:
        """The errors of this document in ``mode``, in text order."""
        match = self.matches[mode]
        gold, pred, text = self.gold_quotes, self.pred_quotes, self.text
        out: list[ScoringError] = []

        def add(kind: ErrorKind, span: CharSpan, g: Quote | None, p: Quote | None) -> None:
            start, end = span.start, span.end
            if g is not None and p is not None:
                start, end = min(g.start, p.start), max(g.end, p.end)
            out.append(
                ScoringError(self.id, kind, start, end, g, p, sentence_context(text, start, end))
            )

        for gi in match.missed:
            add("miss", gold[gi].content, gold[gi], None)
        for pi in match.false_positives:
            add("false_positive", pred[pi].content, None, pred[pi])
        for pair in match.pairs:
            g, p = gold[pair.gold], pred[pair.pred]
            if not pair.exact:
                add("boundary", g.content, g, p)
            if not pair.speaker_agrees:
                add("wrong_speaker", g.content, g, p)
            if not pair.type_agrees:
                add("wrong_type", g.content, g, p)
        out.sort(key=lambda e: (e.start, e.end, ERROR_KINDS.index(e.kind)))
        return out


def score_document(
    gold: Document | None, pred: Document | None, modes: Sequence[str] = DEFAULT_MODES
) -> DocumentScore:
    """Match one document in every mode; a missing side counts as a document with no quotes."""
    if gold is None and pred is None:
        raise ValueError("score_document needs a gold or a predicted document")
    doc_id = (gold or pred).id  # type: ignore[union-attr]
    g = () if gold is None else gold.quotes
    p = () if pred is None else pred.quotes
    prepared = _prepare(g, p)
    matches = {mode: match_document(g, p, mode, prepared=prepared) for mode in modes}
    return DocumentScore(doc_id, gold, pred, matches, cue_counts(g, p))


@dataclass(frozen=True)
class SpeakerRow:
    """Gold quotes of one canonical speaker: how many, found, found with the speaker right."""

    name: str
    gold: int
    found: int
    found_right_speaker: int

    @property
    def missed(self) -> int:
        return self.gold - self.found

    def to_dict(self) -> dict[str, object]:
        return {
            "name": self.name,
            "gold": self.gold,
            "found": self.found,
            "found_right_speaker": self.found_right_speaker,
            "missed": self.missed,
        }


def document_counts(status: Counter[str]) -> dict[str, int]:
    """How many documents, from the count of each status (both, gold only, predictions only)."""
    return {
        "gold": status["both"] + status["gold_only"],
        "pred": status["both"] + status["pred_only"],
        "both": status["both"],
        "gold_only": status["gold_only"],
        "pred_only": status["pred_only"],
    }


@dataclass(frozen=True)
class EvaluationResult:
    """Scores of a whole run: every document, aggregated on demand."""

    documents: tuple[DocumentScore, ...]
    modes: tuple[str, ...] = DEFAULT_MODES
    focus: str = DEFAULT_FOCUS
    input_errors: tuple[str, ...] = ()
    text_mismatches: tuple[str, ...] = ()
    duplicate_ids: tuple[str, ...] = ()
    #: documents the extractor could not process (``id: reason``); scored as all misses
    failed_documents: tuple[str, ...] = ()
    # per-mode sums of by_type_counts, filled on first use (the dict itself is fixed)
    _by_type: dict[str, dict[str, Counts]] = field(default_factory=dict, compare=False, repr=False)

    def quotes(self, mode: str) -> Counts:
        """Quotes found, span only."""
        return total(d.matches[mode].quote_counts() for d in self.documents)

    def end_to_end(self, mode: str) -> Counts:
        """Quotes found with the right speaker."""
        return total(d.matches[mode].end_to_end_counts() for d in self.documents)

    def by_type(self, quote_type: str, mode: str) -> Counts:
        """Quotes of one type found with span and type right."""
        if mode not in self._by_type:
            sums: dict[str, Counts] = dict.fromkeys(QUOTE_TYPES, Counts())
            for d in self.documents:
                for kind, counts in by_type_counts(
                    d.matches[mode], d.gold_quotes, d.pred_quotes
                ).items():
                    sums[kind] = sums[kind] + counts
            self._by_type[mode] = sums
        return self._by_type[mode][quote_type]

    def attribution(self, mode: str) -> Accuracy:
        """Attribution accuracy on the quotes matched in ``mode``."""
        out = Accuracy()
        for d in self.documents:
            out = out + attribution_accuracy(d.matches[mode], d.gold_quotes)
        return out

    def cues(self) -> Counts:
        """Cue spans, exact."""
        return total(d.cues for d in self.documents)

    def type_confusion(self, mode: str) -> dict[str, dict[str, int]]:
        """Matched pairs by gold type then predicted type."""
        counts: Counter[tuple[str, str]] = Counter()
        for d in self.documents:
            counts.update(type_confusion(d.matches[mode], d.gold_quotes, d.pred_quotes))
        return {g: {p: counts[g, p] for p in QUOTE_TYPES} for g in QUOTE_TYPES}

    def missing(self, side: Literal["gold", "pred"]) -> list[str]:
        """Ids of documents absent from ``side``."""
        status = "pred_only" if side == "gold" else "gold_only"
        return [d.id for d in self.documents if d.status == status]

    def speakers(self, mode: str | None = None) -> list[SpeakerRow]:
        """Per canonical gold speaker, quotes found and missed; most quotes first."""
        mode = mode or self.focus
        rows: dict[str, list[int]] = {}
        for d in self.documents:
            match = d.matches[mode]
            found = {p.gold: p.speaker_agrees for p in match.pairs}
            for gi, quote in enumerate(d.gold_quotes):
                row = rows.setdefault(speaker_label(quote), [0, 0, 0])
                row[0] += 1
                if gi in found:
                    row[1] += 1
                    row[2] += found[gi]
        return [
            SpeakerRow(name, *row)
            for name, row in sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0]))
        ]

    def errors(self, mode: str | None = None) -> list[ScoringError]:
        """Every error in ``mode`` (default: the focus mode), by document then position."""
        mode = mode or self.focus
        return [e for d in self.documents for e in d.errors(mode)]

    def document_counts(self) -> dict[str, int]:
        """How many documents: on each side, scored on both, on one side only."""
        return document_counts(Counter(d.status for d in self.documents))

    @property
    def document_total(self) -> int:
        """Documents scored (on either side)."""
        return len(self.documents)


def evaluate_documents(
    gold: Iterable[Document],
    pred: Iterable[Document],
    *,
    modes: Sequence[str] = DEFAULT_MODES,
    focus: str = DEFAULT_FOCUS,
    input_errors: Sequence[str] = (),
) -> EvaluationResult:
    """Join gold and predicted documents by id and score them in every mode.

    Documents come out in gold order, then predicted-only ones in their order.
    A repeated id keeps its first document and is listed in ``duplicate_ids``;
    a pair whose texts differ is still scored and listed in ``text_mismatches``.
    """
    modes = tuple(dict.fromkeys((*modes, focus)))
    for mode in modes:
        parse_mode(mode)
    duplicates: list[str] = []

    def by_id(docs: Iterable[Document]) -> dict[str, Document]:
        out: dict[str, Document] = {}
        for doc in docs:
            if doc.id in out:
                duplicates.append(doc.id)
            else:
                out[doc.id] = doc
        return out

    gold_docs, pred_docs = by_id(gold), by_id(pred)
    ids = list(gold_docs) + [i for i in pred_docs if i not in gold_docs]
    scores = tuple(score_document(gold_docs.get(i), pred_docs.get(i), modes) for i in ids)
    mismatches = tuple(
        i
        for i in ids
        if i in gold_docs and i in pred_docs and gold_docs[i].text != pred_docs[i].text
    )
    return EvaluationResult(
        documents=scores,
        modes=modes,
        focus=focus,
        input_errors=tuple(input_errors),
        text_mismatches=mismatches,
        duplicate_ids=tuple(dict.fromkeys(duplicates)),
    )
