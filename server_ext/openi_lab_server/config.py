"""Defaults shared by the server extension and the admin CLI, so both find the same data."""

from __future__ import annotations

import os
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir


def default_data_dir() -> str:
    return os.environ.get("OPENI_LAB_DATA_DIR") or str(Path(jupyter_data_dir()) / "openi_lab")


def default_database_url(data_dir: str) -> str:
    return os.environ.get("OPENI_LAB_DATABASE_URL") or f"sqlite:///{Path(data_dir) / 'openi.db'}"


def default_storage_url(data_dir: str) -> str:
    return os.environ.get("OPENI_LAB_STORAGE_URL") or (Path(data_dir) / "objects").as_uri()
