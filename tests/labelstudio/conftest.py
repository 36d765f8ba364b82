"""A real Label Studio server for the whole test session (nothing is installed at run time).

The server is the ``label-studio`` test dependency from pyproject.toml, started on
127.0.0.1 and a free port with a temporary data directory and known
credentials; it is stopped by its own process group id when the session ends.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .lsserver import LabelStudioServer, running_server


@pytest.fixture(scope="session")
def label_studio(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabelStudioServer]:
    """A running Label Studio: ``.url`` and ``.token`` (a legacy API token)."""
    if not Path(sys.executable).with_name("label-studio").exists() and not shutil.which(
        "label-studio"
    ):
        pytest.skip("label-studio is not installed; pip install -e '.[test]'")
    # the default data dir of `quotes studio` under XDG_DATA_HOME=<xdg>: the walkthrough's own
    home = tmp_path_factory.mktemp("xdg")
    with running_server(home / "quotes" / "label-studio") as server:
        yield server


@pytest.fixture
def ls_env(label_studio: LabelStudioServer, monkeypatch: pytest.MonkeyPatch) -> LabelStudioServer:
    """The server, with LABEL_STUDIO_URL and LABEL_STUDIO_API_KEY set for the test."""
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio.url)
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio.token)
    return label_studio
