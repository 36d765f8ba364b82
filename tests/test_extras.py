"""Commands whose optional extra is missing say which `pip install` fixes it.

The test environment has every extra, so a missing one is simulated by hiding its
module (``sys.modules[name] = None`` makes ``import name`` fail, as when it is
not installed); .ci/run also checks the real thing in a base-only install.
"""

from __future__ import annotations

import sys

import pytest
from typer.testing import CliRunner

from quotes.cli import app
from quotes.extras import EXTRAS, MissingExtraError, require


@pytest.mark.parametrize(
    ("hidden", "args", "extra"),
    [
        ("label_studio_sdk", ["push", "seeds", "--project", "P"], "labelstudio"),
        ("label_studio_sdk", ["pull", "--project", "P", "-o", "out.jsonl"], "labelstudio"),
        ("label_studio_sdk", ["agreement", "--project", "P"], "labelstudio"),
        ("fastapi", ["serve"], "serve"),
        ("uvicorn", ["serve", "--port", "9999"], "serve"),
        ("distributed", ["extract", "seeds", "-o", "out/", "--dask", "local"], "dask"),
        ("distributed", ["speakers", "gold", "--dask", "local"], "dask"),
        ("distributed", ["evaluate", "-g", "gold", "--dask", "local"], "dask"),
        ("httpx", ["push", "seeds", "--project", "P", "--tool", "doccano"], "doccano"),
        ("httpx", ["pull", "--project", "P", "-o", "out.jsonl", "--tool", "doccano"], "doccano"),
    ],
)
def test_missing_extra_names_the_install(
    monkeypatch: pytest.MonkeyPatch, hidden: str, args: list[str], extra: str
) -> None:
    monkeypatch.setitem(sys.modules, hidden, None)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, result.output
    assert f"pip install 'quotes[{extra}]'" in lines[0]
    assert hidden in lines[0] and f"quotes {args[0]}" in lines[0]


@pytest.mark.parametrize("extra", sorted(EXTRAS))
def test_present_extra_passes(extra: str) -> None:
    require(extra, "test")  # the test install has every extra


def test_require_raises_for_a_hidden_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "httpx", None)
    with pytest.raises(MissingExtraError, match=r"quotes\[labelstudio\]"):
        require("labelstudio", "push")
