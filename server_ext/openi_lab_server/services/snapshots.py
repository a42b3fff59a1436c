"""Notebook snapshots: a notebook sent with a task instead of a file of the repository.

"Run as training task" on a notebook that is not in a clone of a platform project sends the
notebook itself. It is validated as nbformat 4, stored once per content in the object store
(``snapshots/<sha[:2]>/<sha256>.ipynb``, so a re-run or an identical notebook shares the
bytes) and written into the task's ``code/`` when it starts. Blocking: call in a thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

import nbformat

from ..storage.objects import ObjectStore
from .errors import Invalid

#: the largest notebook (serialised JSON) a task may carry
MAX_SNAPSHOT_BYTES = 8 << 20


def encode(content: dict[str, Any]) -> tuple[bytes, str]:
    """The notebook as stored (JSON, nbformat's layout) and its sha256; 422 on a bad one."""
    data = json.dumps(content, ensure_ascii=False, indent=1, sort_keys=True).encode()
    if len(data) > MAX_SNAPSHOT_BYTES:
        raise Invalid("snapshot.content", f"larger than {MAX_SNAPSHOT_BYTES >> 20} MiB")
    try:
        nb = nbformat.from_dict(content)
        if nb.get("nbformat") != 4:
            raise ValueError("only nbformat 4 notebooks can run")
        nbformat.validate(nb, version=4)
    except (ValueError, KeyError, TypeError, nbformat.ValidationError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise Invalid("snapshot.content", f"not a valid notebook: {first[:200]}") from exc
    return data, hashlib.sha256(data).hexdigest()


def key(sha256: str) -> str:
    return f"snapshots/{sha256[:2]}/{sha256}.ipynb"


def store(objects: ObjectStore, data: bytes, sha256: str) -> None:
    """Keep the bytes unless the same content is stored already."""
    if objects.exists(key(sha256)):
        return
    fd, tmp = tempfile.mkstemp(suffix=".ipynb")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        if objects.is_local:  # fsspec's local put does not create the folders
            Path(objects.full(key(sha256))).parent.mkdir(parents=True, exist_ok=True)
        objects.put_file(key(sha256), tmp)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def load(objects: ObjectStore, sha256: str) -> bytes:
    with objects.open(key(sha256)) as f:
        return f.read()
