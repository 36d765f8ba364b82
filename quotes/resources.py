"""Loading the rule data files shipped in ``quotes/data`` (rules as data)."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any


def data_lines(name: str) -> list[list[str]]:
    """Non-comment lines of a data file, each split on tabs (or white space)."""
    text = resources.files("quotes").joinpath("data", name).read_text(encoding="utf-8")
    rows = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        rows.append(line.split("\t") if "\t" in line else line.split())
    return rows


@cache
def data_json(name: str) -> Any:
    """A JSON data file."""
    text = resources.files("quotes").joinpath("data", name).read_text(encoding="utf-8")
    return json.loads(text)


@cache
def word_set(name: str) -> frozenset[str]:
    """The first column of a data file, lowercased."""
    return frozenset(row[0].lower() for row in data_lines(name))
