"""Shared fixtures: one real spaCy pipeline for the whole session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from quotes import load_pipeline

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
GOLD = ROOT / "gold"
DEV = ROOT.parent / "shared" / "dev"
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def nlp():
    """The rules' pipeline (``quote_extractor`` without the trained model), loaded
    once: the tables of rules test the rules; tests/test_model.py tests the model."""
    return load_pipeline(rules_only=True)


@pytest.fixture(scope="session")
def model_nlp():
    """The default pipeline: the rules with the shipped model, loaded once."""
    return load_pipeline()


@pytest.fixture(scope="session")
def dev_dir() -> Path:
    """``../shared/dev``; tests that need it skip when it is absent."""
    if not (DEV / "ggt_dev.jsonl").exists():
        pytest.skip("third-party dev data (../shared/dev) is not present")
    return DEV


@pytest.fixture
def rule_bug(monkeypatch: pytest.MonkeyPatch) -> None:
    """A rule bug, a fault no input causes on purpose: the rules raise
    ``ValueError("rule bug")`` on any text containing BOOM, for this test only."""
    import quotes.component as component

    real = component.find_quotes

    def failing(doc: Any, lexicon: Any) -> Any:
        if "BOOM" in doc.text:
            raise ValueError("rule bug")
        return real(doc, lexicon)

    monkeypatch.setattr(component, "find_quotes", failing)
