"""Models (模型) of the registry from a notebook, a shell or a task.

``load_path("owner/project/model", version="latest" | "1.2.0" | alias)`` returns a local
directory with the version's files. Each file is fetched once and kept by its sha256 under
``$OPENI_LAB_CACHE/models/`` (default ``~/.cache/openi_lab/models/<sha256>``), verified, and
the version's tree is laid out (hard links, or copies) under ``models/trees/<tree hash>/``:
loading it again, or another version sharing files, transfers nothing.

``register(project, name, path=None, ...)`` makes a version: from local files (a file or a
directory), or — with no ``path`` — from a finished training task (``task_id``, default the
task this code runs in, ``$OPENI_TASK_ID``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

from . import model_schemas as ms
from .client import ApiError, Client, cache_root
from .datasets import ChecksumError, _locked, _sha256

__all__ = ["cache_dir", "load_path", "register", "version"]

_default_client: Client | None = None


def _client(client: Client | None) -> Client:
    global _default_client
    if client is not None:
        return client
    if _default_client is None:
        _default_client = Client()
    return _default_client


def cache_dir() -> Path:
    """The directory holding cached model files (one per sha256) and version trees."""
    return cache_root() / "models"


def _ref(name: str, version: str) -> str:
    return name if "@" in name else f"{name}@{version}"


def version(name: str, version: str = "latest", client: Client | None = None) -> ms.ModelVersion:
    """The version's metadata (files, lineage, metrics) without downloading anything."""
    return _client(client).model_version(_ref(name, version))


def _tree_hash(files: list[ms.ModelFile]) -> str:
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.path):
        h.update(f"{f.path}\0{f.sha256}\n".encode())
    return h.hexdigest()


def _fetch(c: Client, v: ms.ModelVersion, f: ms.ModelFile) -> Path:
    root = cache_dir()
    cached = root / f.sha256
    if cached.is_file() and cached.stat().st_size == f.size:
        return cached
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f".{f.sha256}.lock"):
        if cached.is_file() and cached.stat().st_size == f.size:
            return cached
        tmp = root / f".{f.sha256}.{uuid.uuid4().hex}.download"
        try:
            c.download_model_file(v, f.path, tmp)
            actual = _sha256(tmp)
            if actual != f.sha256:
                raise ChecksumError(
                    f"{v.path}/{f.path}: downloaded bytes have sha256 {actual}, "
                    f"the registry says {f.sha256}"
                )
            os.replace(tmp, cached)
        finally:
            tmp.unlink(missing_ok=True)
    return cached


def load_path(name: str, version: str = "latest", *, client: Client | None = None) -> Path:
    """A local directory with the files of ``name`` (``owner/project/model``, optionally
    ``@version``) at ``version`` (``latest``, a semver or an alias such as ``production``)."""
    c = _client(client)
    v = c.model_version(_ref(name, version))
    trees = cache_dir() / "trees"
    final = trees / _tree_hash(v.files)
    if final.is_dir():
        return final
    blobs = [(f, _fetch(c, v, f)) for f in v.files]
    trees.mkdir(parents=True, exist_ok=True)
    tmp = trees / f".{final.name}.{uuid.uuid4().hex}.tmp"
    try:
        for f, blob in blobs:
            target = tmp.joinpath(*f.path.split("/"))
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(blob, target)
            except OSError:
                shutil.copyfile(blob, target)
        try:
            tmp.rename(final)
        except OSError:  # another process laid it out first
            if not final.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return final


def register(
    project: str,
    name: str,
    path: str | os.PathLike[str] | None = None,
    *,
    task_id: int | None = None,
    version: str | None = None,
    files: list[str] | None = None,
    tags: str = "",
    description: str = "",
    client: Client | None = None,
) -> ms.ModelVersion:
    """A new version of ``project``'s model ``name``: from ``path`` (a file or a directory),
    or from a succeeded training task (``task_id``; default ``$OPENI_TASK_ID``)."""
    c = _client(client)
    if path is not None:
        return c.upload_model(project, path, name, version, tags, description)
    if task_id is None:
        env = os.environ.get("OPENI_TASK_ID")
        if not env:
            raise ApiError(422, "give a path, or a task_id (no $OPENI_TASK_ID here)")
        task_id = int(env)
    fields: dict[str, Any] = {"name": name, "tags": tags, "description": description}
    if version is not None:
        fields["version"] = version
    if files is not None:
        fields["files"] = files
    return c.import_model(project, task_id, **fields)
