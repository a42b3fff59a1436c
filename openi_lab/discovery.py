"""Find the platform's URL and a credential without being told.

Order: ``OPENI_LAB_URL`` / ``OPENI_LAB_TOKEN`` (explicit, e.g. in a shell or a task
container); else the Jupyter server that started this kernel (its ``jpserver-<pid>.json``
runtime file, with the server's token or, under JupyterHub, ``JUPYTERHUB_API_TOKEN``); else the
only Jupyter server running for this user.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

from jupyter_core.paths import jupyter_runtime_dir


class DiscoveryError(RuntimeError):
    pass


@dataclass(frozen=True)
class Endpoint:
    #: server root, ending with ``/`` (the API lives under ``openi/api/v1/``)
    base_url: str
    token: str | None
    source: str


def _from_env() -> Endpoint | None:
    url = os.environ.get("OPENI_LAB_URL")
    if not url:
        return None
    return Endpoint(url.rstrip("/") + "/", os.environ.get("OPENI_LAB_TOKEN") or None, "env")


def _server_files() -> list[Path]:
    runtime = Path(jupyter_runtime_dir())
    return sorted(runtime.glob("jpserver-*.json"), key=lambda p: p.stat().st_mtime, reverse=True)


def _from_info(path: Path, source: str) -> Endpoint:
    info = json.loads(path.read_text())
    token = info.get("token") or os.environ.get("JUPYTERHUB_API_TOKEN") or None
    return Endpoint(info["url"].rstrip("/") + "/", token, source)


def _alive(path: Path) -> bool:
    try:
        pid = int(path.stem.split("-", 1)[1])
        os.kill(pid, 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def discover() -> Endpoint:
    """The endpoint to use, or a :class:`DiscoveryError` that says what to set."""
    env = _from_env()
    if env:
        return env
    parent = Path(jupyter_runtime_dir()) / f"jpserver-{os.getppid()}.json"
    if parent.exists():
        return _from_info(parent, "parent jupyter server")
    alive = [p for p in _server_files() if _alive(p)]
    if len(alive) == 1:
        return _from_info(alive[0], "running jupyter server")
    hint = "set OPENI_LAB_URL (and OPENI_LAB_TOKEN) to the Jupyter server running openi_lab"
    if not alive:
        raise DiscoveryError(f"no running Jupyter server found; {hint}")
    raise DiscoveryError(f"{len(alive)} Jupyter servers are running; {hint}")
