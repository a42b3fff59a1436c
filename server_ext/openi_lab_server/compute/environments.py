"""Execution environments of images: a uv virtual environment built ONCE per content.

``<root>/<key>/`` (``root`` is ``<data_dir>/envs``) is a relocatable venv of this server's
Python with the requirements installed; ``key`` is the sha256 of the normalised requirements
and the Python version, so every image with the same requirements shares one environment.
A build runs under a file lock (``.<key>.lock``), so concurrent tasks and several servers
sharing ``data_dir`` build it once; it is built in a temporary directory and renamed into
place, so a half-built environment is never used. ``<key>.log`` keeps the last build's log and
``<key>.json`` its state (``failed`` with the time, the number of builds).

Layering: the environment does not install Jupyter's machinery. A ``.pth`` file appends this
server's site-packages *after* the environment's own, so the environment's packages win while
``ipykernel``, ``nbclient`` and ``openi_lab`` (the notebook runner, ``Client``) come from the
server. This keeps builds small and fast (and offline-capable), and notebooks run on the image's
interpreter: jupyter_client starts the ``python3`` kernel with ``sys.executable``.

Everything here is blocking: call it in a thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import site
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from .workdir import log_tail

log = logging.getLogger(__name__)

MAX_REQUIREMENTS = 200
MAX_LINE = 500
#: how much of a failed build's log a task's reason quotes
TAIL_BYTES = 2000
LAYER_PTH = "_openi_server_layer.pth"
MARKER = "openi-env.json"
#: bump when the layout of an environment changes, so that old ones are not reused
FORMAT = "1"


class RequirementsError(ValueError):
    """A line that is not a safe PEP 508 requirement; ``line`` is 1-based."""

    def __init__(self, line: int, reason: str):
        super().__init__(f"line {line}: {reason}")
        self.line = line


def normalise(text: str) -> list[str]:
    """Requirement lines → sorted, de-duplicated PEP 508 strings with canonical names.

    Comments and blank lines are dropped. Options (``-e``, ``-r``, ``--index-url``…) and URLs
    other than ``https://`` are refused: an image is shared, so it must not read this
    server's files or pick its own index.
    """
    found: dict[str, str] = {}
    lines = text.splitlines()
    for number, raw in enumerate(lines, 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        if len(line) > MAX_LINE:
            raise RequirementsError(number, f"longer than {MAX_LINE} characters")
        if line.startswith("-"):
            raise RequirementsError(number, f"options such as '{line.split()[0]}' are not allowed")
        try:
            req = Requirement(line)
        except InvalidRequirement as exc:
            raise RequirementsError(number, f"not a PEP 508 requirement ({exc})") from None
        if req.url is not None and not re.match(r"^https://[^\s/]+/", req.url):
            raise RequirementsError(number, "only https:// URLs are allowed")
        req.name = canonicalize_name(req.name)
        text_req = str(req)
        if req.name in found and found[req.name] != text_req:
            raise RequirementsError(number, f"'{req.name}' is listed twice")
        found[req.name] = text_req
        if len(found) > MAX_REQUIREMENTS:
            raise RequirementsError(number, f"at most {MAX_REQUIREMENTS} requirements")
    return sorted(found.values())


def python_tag(python: str = sys.executable) -> str:
    """What makes an environment of one interpreter differ from another's."""
    if python == sys.executable:
        impl, ver = sys.implementation.name, ".".join(map(str, sys.version_info[:3]))
        return f"{impl}-{ver}-{sys.platform}"
    out = subprocess.run(
        [
            python,
            "-c",
            "import sys; print(f'{sys.implementation.name}-"
            '{".".join(map(str, sys.version_info[:3]))}-{sys.platform}\')',
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def env_key(requirements: list[str], python: str = sys.executable) -> str:
    payload = "\n".join([f"format={FORMAT}", f"python={python_tag(python)}", *requirements])
    return hashlib.sha256(payload.encode()).hexdigest()


@dataclass(frozen=True)
class EnvStatus:
    key: str
    #: missing | building | ready | failed
    state: str
    builds: int = 0
    python: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    log_tail: str = ""


def _now() -> datetime:
    return datetime.now(UTC)


def _parse_time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


class EnvironmentStore:
    """Builds and finds environments under ``root``.

    ``index_options`` are passed to ``uv pip install`` as they are (an index mirror, or
    ``--offline --find-links DIR``); they are the administrator's, never a user's.
    """

    def __init__(
        self,
        root: str | Path,
        index_options: list[str] | None = None,
        timeout: float = 1800.0,
        python: str = sys.executable,
    ):
        self.root = Path(root)
        self.index_options = list(index_options or [])
        self.timeout = timeout
        self.python = python
        self._threads: dict[str, threading.Thread] = {}
        self._guard = threading.Lock()

    # --- paths ---------------------------------------------------------------------------

    def key(self, requirements: list[str]) -> str:
        return env_key(requirements, self.python)

    def path(self, key: str) -> Path:
        return self.root / key

    def interpreter(self, key: str) -> Path:
        return self.path(key) / "bin" / "python"

    def log_file(self, key: str) -> Path:
        return self.root / f"{key}.log"

    def _state_file(self, key: str) -> Path:
        return self.root / f"{key}.json"

    def _lock_file(self, key: str) -> Path:
        return self.root / f".{key}.lock"

    # --- status --------------------------------------------------------------------------

    def _state(self, key: str) -> dict[str, str | int]:
        try:
            return json.loads(self._state_file(key).read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def _write_state(self, key: str, state: dict[str, str | int]) -> None:
        tmp = self.root / f".{key}.{uuid.uuid4().hex}.json"
        tmp.write_text(json.dumps(state))
        tmp.replace(self._state_file(key))

    def _locked_elsewhere(self, key: str) -> bool:
        path = self._lock_file(key)
        if not path.exists():
            return False
        with open(path, "a") as f:
            try:
                fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(f, fcntl.LOCK_UN)
        return False

    def status(self, key: str) -> EnvStatus:
        state = self._state(key)
        builds = int(state.get("builds", 0))
        started = _parse_time(str(state.get("started_at") or "") or None)
        finished = _parse_time(str(state.get("finished_at") or "") or None)
        if (self.path(key) / MARKER).is_file():
            python = str(self.interpreter(key))
            return EnvStatus(key, "ready", builds, python, started, finished)
        if self._building_here(key) or self._locked_elsewhere(key):
            return EnvStatus(
                key,
                "building",
                builds,
                None,
                started,
                None,
                log_tail(self.log_file(key), TAIL_BYTES),
            )
        if state.get("state") == "failed":
            tail = log_tail(self.log_file(key), TAIL_BYTES)
            return EnvStatus(key, "failed", builds, None, started, finished, tail)
        return EnvStatus(key, "missing", builds)

    def _building_here(self, key: str) -> bool:
        with self._guard:
            thread = self._threads.get(key)
            return thread is not None and thread.is_alive()

    # --- building ------------------------------------------------------------------------

    def start(self, key: str, requirements: list[str], not_before: datetime | None = None) -> bool:
        """Build in a background thread unless one of this process already does; → started."""
        with self._guard:
            thread = self._threads.get(key)
            if thread is not None and thread.is_alive():
                return False
            thread = threading.Thread(
                target=self._build_quietly,
                args=(key, requirements, not_before),
                name=f"openi-env-{key[:12]}",
                daemon=True,
            )
            self._threads[key] = thread
            thread.start()
            return True

    def _build_quietly(
        self, key: str, requirements: list[str], not_before: datetime | None
    ) -> None:
        try:
            self.build(key, requirements, not_before)
        except Exception:  # the state file and the log say what happened
            log.exception("OpenI environment %s: build crashed", key[:12])

    def wait(self, key: str, timeout: float | None = None) -> None:
        """Wait for this process's build thread of ``key`` (tests, shutdown)."""
        with self._guard:
            thread = self._threads.get(key)
        if thread is not None:
            thread.join(timeout)

    @contextlib.contextmanager
    def _locked(self, key: str) -> Iterator[None]:
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self._lock_file(key), "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def build(
        self, key: str, requirements: list[str], not_before: datetime | None = None
    ) -> EnvStatus:
        """Build ``key`` unless it is ready, or failed at or after ``not_before`` (that
        failure already answers this request); → the status after."""
        with self._locked(key):
            current = self.status_unlocked(key)
            if current.state == "ready":
                return current
            if (
                current.state == "failed"
                and not_before is not None
                and current.finished_at is not None
                and current.finished_at >= not_before
            ):
                return current
            self._build_locked(key, requirements)
        return self.status(key)

    def status_unlocked(self, key: str) -> EnvStatus:
        """The status as the lock holder sees it (the lock itself says nothing then)."""
        state = self._state(key)
        builds = int(state.get("builds", 0))
        finished = _parse_time(str(state.get("finished_at") or "") or None)
        if (self.path(key) / MARKER).is_file():
            return EnvStatus(key, "ready", builds, str(self.interpreter(key)), None, finished)
        if state.get("state") == "failed":
            return EnvStatus(key, "failed", builds, None, None, finished)
        return EnvStatus(key, "missing", builds)

    def _build_locked(self, key: str, requirements: list[str]) -> None:
        from uv import find_uv_bin

        for stale in self.root.glob(f".{key}.*.tmp"):  # a build killed half-way
            shutil.rmtree(stale, ignore_errors=True)
        builds = int(self._state(key).get("builds", 0)) + 1
        started = _now()
        self._write_state(
            key, {"state": "building", "builds": builds, "started_at": started.isoformat()}
        )
        tmp = self.root / f".{key}.{uuid.uuid4().hex}.tmp"
        uv = find_uv_bin()
        env = {k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "JPY_"))}
        env.pop("VIRTUAL_ENV", None)
        env.setdefault("UV_CACHE_DIR", str(self.root / ".uv-cache"))
        env["UV_NO_PROGRESS"] = "1"
        begin = time.monotonic()

        def run(cmd: list[str], out: IO[str]) -> None:
            out.write("$ " + " ".join(cmd) + "\n")
            out.flush()
            left = max(self.timeout - (time.monotonic() - begin), 1.0)
            code = subprocess.run(
                cmd,
                cwd=str(self.root),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                timeout=left,
                check=False,
            ).returncode
            if code != 0:
                raise OSError(f"{Path(cmd[0]).name} {cmd[1]} exited with code {code}")

        ok = False
        with open(self.log_file(key), "w") as out:
            out.write(
                f"== build {builds} of environment {key[:12]}, {started:%Y-%m-%d %H:%M:%S} UTC\n"
            )
            out.write("requirements:\n" + "".join(f"  {r}\n" for r in requirements))
            try:
                run([uv, "venv", "--relocatable", "--python", self.python, str(tmp)], out)
                if requirements:
                    req_file = tmp / "requirements.txt"
                    req_file.write_text("".join(f"{r}\n" for r in requirements))
                    python = str(tmp / "bin" / "python")
                    install = ["pip", "install", "--python", python, "-r", str(req_file)]
                    run([uv, *install, *self.index_options], out)
                self._layer(tmp)
                marker = {
                    "key": key,
                    "requirements": requirements,
                    "python": python_tag(self.python),
                    "built_at": _now().isoformat(),
                }
                (tmp / MARKER).write_text(json.dumps(marker))
                tmp.rename(self.path(key))
                ok = True
            except subprocess.TimeoutExpired:
                out.write(f"the build took longer than {self.timeout:g} s and was stopped\n")
            except OSError as exc:
                out.write(f"build failed: {exc}\n")
            took = time.monotonic() - begin
            out.write(f"== {'ready' if ok else 'FAILED'} after {took:.1f} s\n")
        if not ok:
            shutil.rmtree(tmp, ignore_errors=True)
        self._write_state(
            key,
            {
                "state": "ready" if ok else "failed",
                "builds": builds,
                "started_at": started.isoformat(),
                "finished_at": _now().isoformat(),
            },
        )

    def _layer(self, venv: Path) -> None:
        """Append this server's site-packages after the environment's own (see the module
        docstring); ``addsitedir`` also runs their ``.pth`` files (editable installs)."""
        dirs = [d for d in site.getsitepackages() if Path(d).is_dir()]
        if site.ENABLE_USER_SITE and Path(site.getusersitepackages()).is_dir():
            dirs.append(site.getusersitepackages())
        found = list(venv.glob("lib/python*/site-packages"))
        if not found:
            raise OSError("the new environment has no site-packages directory")
        line = "import site; " + "; ".join(f"site.addsitedir({d!r})" for d in dirs)
        (found[0] / LAYER_PTH).write_text(line + "\n")
