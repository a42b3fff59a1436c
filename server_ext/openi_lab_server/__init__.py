"""openi_lab_server: the OpenI platform as a Jupyter server extension."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"


def _jupyter_server_extension_points() -> list[dict[str, Any]]:
    from .app import OpeniLabApp

    return [{"module": "openi_lab_server", "app": OpeniLabApp}]
