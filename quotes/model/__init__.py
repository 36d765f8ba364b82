"""The trained half of the extractor.

:class:`QuoteModel` joins the attribution scorers (:mod:`.attribution`: which
cues report speech, what they introduce, who speaks) and the confidence
calibrator (:mod:`.calibration`). It runs inside the ``quote_extractor``
component: the rules' first pass is replaced by the model's attributions,
and the rules' assembly (quotation marks, types, multi-paragraph quotes) and
speaker resolution run on them as they do on the rules' own.

The model shipped with the package lives in ``quotes/data/model/``;
``quotes train`` makes new ones (:mod:`.training`).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from pathlib import Path

from spacy.tokens import Doc

from ..cues import CueLexicon
from ..rules import find_quotes
from ..rules.text import reading
from ..speakers import attribute_speakers
from ..types import CharSpan, Quote, Speaker
from .attribution import AttributionModel, Decoded, ModelSettings
from .calibration import Calibrator, quote_features, speaker_kind
from .candidates import DocView
from .policy import SCOPES, Scope

#: Where the shipped model lives inside the package.
SHIPPED = ("data", "model")


class ModelLoadError(RuntimeError):
    """A model directory that cannot be read, with the fix."""


class QuoteModel:
    """Attribution scorers plus the confidence calibrator, saved in one directory."""

    def __init__(self, attribution: AttributionModel, calibrator: Calibrator | None = None):
        self.attribution = attribution
        self.calibrator = calibrator

    @property
    def version(self) -> str:
        return self.attribution.settings.version

    @property
    def settings(self) -> ModelSettings:
        return self.attribution.settings

    def decode(
        self, doc: Doc, lexicon: CueLexicon, scope: Scope = "quotes"
    ) -> tuple[DocView, list[Decoded]]:
        """The document's view and the model's attributions in it."""
        view = DocView.with_rules(doc, lexicon)
        # cue verbs a user added ("extra_cues") are cues, whatever the model learned
        extra = frozenset(lexicon.verbs) - frozenset(CueLexicon.default().verbs)
        return view, self.attribution.decode(view, scope, extra)

    def extract(
        self,
        doc: Doc,
        lexicon: CueLexicon,
        resolve_speakers: bool = True,
        scope: Scope = "quotes",
    ) -> tuple[list[Quote], list[Speaker]]:
        """The quotes and speakers of a parsed document, with calibrated confidence.

        ``scope`` (:mod:`.policy`): ``quotes`` as the guidelines define them,
        or ``speech``, every attribution of speech as PolNeAR annotates it.
        """
        with reading(doc):
            _, decoded = self.decode(doc, lexicon, scope)
            quotes = find_quotes(doc, lexicon, [d.attribution for d in decoded])
        base = {id(q): q.confidence for q in quotes}
        speakers: list[Speaker] = []
        if resolve_speakers:
            resolved, speakers = attribute_speakers(doc, quotes)
            base = {id(r): base[id(q)] for q, r in zip(quotes, resolved, strict=True)}
            quotes = resolved
        # the first attribution of each cue, looked up once per quote (not a scan per quote)
        by_cue: dict[CharSpan, Decoded] = {}
        for item in decoded:
            by_cue.setdefault(item.attribution.cue, item)
        calibrated = [
            self.calibrate(q, by_cue.get(q.cue) if q.cue is not None else None, base[id(q)])
            for q in quotes
        ]
        return calibrated, speakers

    def calibrate(self, quote: Quote, decoded: Decoded | None, base: float) -> Quote:
        """``quote`` with its confidence replaced by the calibrated probability;
        ``decoded``: the model's attribution of the quote's cue, if any."""
        if self.calibrator is None:
            return quote
        probability = self.calibrator.probability(
            quote_features(quote, decoded, base), speaker_kind(quote), floating=quote.cue is None
        )
        return quote.with_speaker(quote.speaker, quote.speaker_name, round(probability, 4))

    # --- saving -------------------------------------------------------------------

    def to_disk(self, path: str | Path) -> None:
        """Scorers' weights and settings, and ``calibration.json``, under ``path``."""
        target = Path(path)
        self.attribution.to_disk(target)
        if self.calibrator is not None:
            (target / "calibration.json").write_text(
                json.dumps(self.calibrator.to_dict(), indent=2) + "\n", encoding="utf-8"
            )

    @classmethod
    def from_disk(cls, path: str | Path) -> QuoteModel:
        """The model saved under ``path``; :class:`ModelLoadError` names what is missing."""
        source = Path(path)
        for name in ("settings.json", "weights.npz"):
            if not (source / name).is_file():
                raise ModelLoadError(
                    f"{source} is not a quotes model directory (no {name}); pass a directory "
                    "written by `quotes train`, or leave out --model-dir for the shipped model"
                )
        calibration = source / "calibration.json"
        calibrator = None
        if calibration.is_file():
            calibrator = Calibrator.from_dict(json.loads(calibration.read_text(encoding="utf-8")))
        return cls(AttributionModel.from_disk(source), calibrator)


def shipped_model_dir() -> Path:
    """The directory of the model shipped in the package."""
    return Path(str(resources.files("quotes").joinpath(*SHIPPED)))


#: Models kept loaded: the shipped one and the few latest (``quotes serve`` swaps
#: in a new directory after each fine-tuning; older ones must not pile up).
LOADED_MODELS = 4


@lru_cache(maxsize=LOADED_MODELS)
def _load_cached(path: str) -> QuoteModel:
    return QuoteModel.from_disk(path)


def load_model(model_dir: str | Path | None = None) -> QuoteModel:
    """The model in ``model_dir``, or the shipped one; loaded once per directory
    (of the :data:`LOADED_MODELS` used last)."""
    path = Path(model_dir) if model_dir else shipped_model_dir()
    return _load_cached(str(path.resolve()))


__all__ = [
    "SCOPES",
    "AttributionModel",
    "Calibrator",
    "ModelLoadError",
    "ModelSettings",
    "QuoteModel",
    "Scope",
    "load_model",
    "shipped_model_dir",
]
