"""Optional parts of the install: which command needs which extra.

The base install is the extractor, the scorer and the speaker table. Label
Studio's SDK comes with ``quotes[labelstudio]``, the ML backend's web stack
with ``quotes[serve]`` and the doccano client's HTTP library with
``quotes[doccano]``; a command whose extra is missing stops with one line
naming the ``pip install`` that fixes it, instead of a traceback.
"""

from __future__ import annotations

import importlib

#: extra → the modules it brings that the commands import
EXTRAS: dict[str, tuple[str, ...]] = {
    "labelstudio": ("label_studio_sdk", "httpx"),
    "serve": ("fastapi", "uvicorn"),
    "dask": ("distributed",),
    "doccano": ("httpx",),
}


class MissingExtraError(RuntimeError):
    """A command needs an optional dependency that is not installed."""


def require(extra: str, command: str) -> None:
    """Raise :class:`MissingExtraError` naming the fix when ``extra`` is not installed.

    >>> require("labelstudio", "push")  # silent when the SDK is there
    """
    for module in EXTRAS[extra]:
        try:
            importlib.import_module(module)
        except ImportError as err:
            raise MissingExtraError(
                f"`quotes {command}` needs the {extra!r} extra ({module} is not installed): "
                f"run `pip install 'quotes[{extra}]'` "
                f"(in a checkout: `pip install -e '.[{extra}]'`)"
            ) from err
