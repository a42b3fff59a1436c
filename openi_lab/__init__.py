"""openi_lab: the kernel side of the OpenI platform — client, widgets, magics and CLI.

``%load_ext openi_lab`` registers the ``%openi`` magic. Nothing here imports tornado,
SQLAlchemy or the server: everything goes through the REST API.
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    return [{"src": "labextension", "dest": "openi_lab"}]


def load_ipython_extension(ipython: Any) -> None:
    from .magics import OpeniMagics

    ipython.register_magics(OpeniMagics)


def unload_ipython_extension(ipython: Any) -> None:  # magics stay until restart, like others
    return None
