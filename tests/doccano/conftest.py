"""A real doccano server for the whole test session, from its own virtual environment.

The first run creates ``.venv-doccano`` (a minute or two; ``.ci/run`` does it
before the tests); set ``QUOTES_SKIP_DOCCANO=1`` to skip these tests where
PyPI cannot be reached.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from .dcserver import DoccanoServer, running_server


@pytest.fixture(scope="session")
def doccano(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DoccanoServer]:
    """A running doccano: ``.url``, ``.username``, ``.password``."""
    if os.environ.get("QUOTES_SKIP_DOCCANO"):
        pytest.skip("QUOTES_SKIP_DOCCANO is set")
    with running_server(tmp_path_factory.mktemp("doccano")) as server:
        yield server


@pytest.fixture
def dc_env(doccano: DoccanoServer, monkeypatch: pytest.MonkeyPatch) -> DoccanoServer:
    """The server, with DOCCANO_URL, DOCCANO_USERNAME and DOCCANO_PASSWORD set for the test."""
    monkeypatch.setenv("DOCCANO_URL", doccano.url)
    monkeypatch.setenv("DOCCANO_USERNAME", doccano.username)
    monkeypatch.setenv("DOCCANO_PASSWORD", doccano.password)
    monkeypatch.delenv("DOCCANO_API_KEY", raising=False)
    return doccano
