"""The Label Studio labeling config: the single source of its tag and data key names.

``labelstudio_config/quotes.xml`` uses exactly these names (a test parses it and
checks); the converters, the client and the ML backend import them from here.
The label and relation names are those every tool shares, from
:mod:`quotes.annotation`.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from ..annotation import (
    CUE_LABEL,
    CUE_OF,
    LABEL_TO_TYPE,
    LINK_LABELS,
    PART_LABELS,
    QUOTE_LABELS,
    SAID_BY,
    SPEAKER_LABEL,
)

__all__ = [
    "CUE_LABEL",
    "CUE_OF",
    "LABEL_TO_TYPE",
    "QUOTE_LABELS",
    "SAID_BY",
    "SPEAKER_LABEL",
]

#: Environment variable with the token ``quotes serve`` requires (else --auth-token).
SERVE_TOKEN_ENV = "QUOTES_SERVE_TOKEN"

#: The ``<Text>`` object tag that holds the article.
TEXT_TAG = "text"
#: The task data key of the article text (``value="$text"``).
TEXT_KEY = "text"
#: Task data keys that identify a document and its text version.
DOC_ID_KEY = "doc_id"
TEXT_HASH_KEY = "text_hash"

#: ``<Labels>`` control for quote regions (labels: ``QUOTE_LABELS``, one per quote type).
QUOTE_TAG = "quote"

#: ``<Labels>`` control for the attribution parts of a quote (``Speaker``, ``Cue``).
ATTRIBUTION_TAG = "attribution"
ATTRIBUTION_LABELS: tuple[str, ...] = PART_LABELS

#: Relations: ``said_by`` goes quote -> speaker, ``cue_of`` goes cue -> quote.
RELATIONS: tuple[str, ...] = LINK_LABELS

#: Per-region ``<TextArea>`` on quote regions: the canonical speaker name(s), one a line.
NAME_TAG = "speaker_name"

#: The labeling config of this project.
CONFIG_FILE = Path(__file__).resolve().parents[2] / "labelstudio_config" / "quotes.xml"


class ConfigError(ValueError):
    """A labeling config is missing something the converters need."""


@dataclass(frozen=True)
class ConfigSummary:
    """What a labeling config declares: controls with their labels, relations, text areas."""

    labels: dict[str, tuple[str, ...]]
    relations: tuple[str, ...]
    text_areas: dict[str, bool]
    text_tags: dict[str, str]


def load_config(path: str | Path | None = None) -> str:
    """The labeling config XML (``labelstudio_config/quotes.xml`` by default).

    An installed package (no checkout around it) reads its own copy,
    ``quotes/data/labelstudio_quotes.xml``; a test keeps the two identical.
    """
    if path is None and not CONFIG_FILE.exists():
        from importlib import resources

        packaged = resources.files("quotes").joinpath("data", "labelstudio_quotes.xml")
        return packaged.read_text(encoding="utf-8")
    return Path(path or CONFIG_FILE).read_text(encoding="utf-8")


def summarize_config(xml: str) -> ConfigSummary:
    """Parse a labeling config into the names it declares; raises :class:`ConfigError`."""
    try:
        root = ET.fromstring(xml)
    except ET.ParseError as err:
        raise ConfigError(f"labeling config is not valid XML: {err}") from err
    labels: dict[str, tuple[str, ...]] = {}
    text_areas: dict[str, bool] = {}
    text_tags: dict[str, str] = {}
    relations: list[str] = []
    for node in root.iter():
        name = node.get("name", "")
        if node.tag == "Labels":
            labels[name] = tuple(str(child.get("value")) for child in node if child.tag == "Label")
        elif node.tag == "Relation":
            relations.append(str(node.get("value")))
        elif node.tag == "TextArea":
            text_areas[name] = node.get("perRegion") == "true"
        elif node.tag == "Text":
            text_tags[name] = node.get("value", "")
    return ConfigSummary(labels, tuple(relations), text_areas, text_tags)


def config_problems(xml: str) -> list[str]:
    """Why ``xml`` cannot hold our annotations (empty when it is compatible).

    Compatible means: every tag, label and relation we write is declared with the
    same name; extra labels or tags are allowed (pull reports regions that use them).
    """
    try:
        summary = summarize_config(xml)
    except ConfigError as err:
        return [str(err)]
    problems: list[str] = []
    if summary.text_tags.get(TEXT_TAG) != f"${TEXT_KEY}":
        problems.append(f'no <Text name="{TEXT_TAG}" value="${TEXT_KEY}">')
    wanted = {QUOTE_TAG: tuple(QUOTE_LABELS.values()), ATTRIBUTION_TAG: ATTRIBUTION_LABELS}
    for tag, values in wanted.items():
        if tag not in summary.labels:
            problems.append(f'no <Labels name="{tag}">')
            continue
        missing = [v for v in values if v not in summary.labels[tag]]
        if missing:
            problems.append(f'<Labels name="{tag}"> lacks {", ".join(missing)}')
    missing_relations = [r for r in RELATIONS if r not in summary.relations]
    if missing_relations:
        problems.append(f"<Relations> lacks {', '.join(missing_relations)}")
    if not summary.text_areas.get(NAME_TAG):
        problems.append(f'no per-region <TextArea name="{NAME_TAG}" perRegion="true">')
    return problems
