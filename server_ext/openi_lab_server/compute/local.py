"""The local executor: each task a child process on this machine.

Every task runs in its own session (``start_new_session``) so that it outlives a server
restart and can be killed as a whole process group. A tiny ``sh`` wrapper writes the exit code
to ``logs/exit_code``, so a task re-attached after a restart still has a known result. The
handle (JSON: pid, pgid, start time, workdir) is all a new server needs to find it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import AsyncIterator
from pathlib import Path

from .executor import Executor, ExecutorStatus, Submission
from .workdir import EXIT_NAME, LOG_NAME

#: ``sh -c WRAPPER sh cmd args…``: run the command, then record its exit code atomically.
WRAPPER = (
    '"$@"; code=$?; echo "$code" > "$OPENI_EXIT_FILE.tmp" && '
    'mv "$OPENI_EXIT_FILE.tmp" "$OPENI_EXIT_FILE"; exit "$code"'
)


def _proc_stat(pid: int) -> tuple[str, str] | None:
    """(state, start time in clock ticks) from /proc, or None when there is no such process."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError, PermissionError):
        return None
    fields = raw.rsplit(")", 1)[1].split()
    return fields[0], fields[19]


def _alive(pid: int, start: str | None) -> bool:
    """True while ``pid`` is the same live (not zombie) process that was started."""
    st = _proc_stat(pid)
    if st is None:
        if not Path("/proc").is_dir():  # not Linux: signal 0 is the best there is
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return False
            except PermissionError:
                return True
            return True
        return False
    state, started = st
    if start and started != start:
        return False  # the pid was reused
    if state in ("Z", "X"):
        with contextlib.suppress(ChildProcessError, OSError):
            os.waitpid(pid, os.WNOHANG)  # reap our own child
        return False
    return True


def _read_from(path: Path, offset: int) -> bytes:
    try:
        with open(path, "rb") as f:
            f.seek(offset)
            return f.read()
    except FileNotFoundError:
        return b""


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class LocalExecutor(Executor):
    """Child processes of this server; ``kill_grace`` seconds between SIGTERM and SIGKILL."""

    def __init__(self, kill_grace: float = 3.0):
        self.kill_grace = kill_grace
        self._children: dict[int, subprocess.Popen[bytes]] = {}

    async def submit(self, submission: Submission) -> str:
        return self._spawn(submission)  # fork+exec of a small sh: quick enough to do inline

    def _spawn(self, submission: Submission) -> str:
        workdir = Path(submission.workdir)
        logs = workdir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        env = dict(submission.env)
        env["OPENI_EXIT_FILE"] = str(logs / EXIT_NAME)
        (logs / EXIT_NAME).unlink(missing_ok=True)
        with open(logs / LOG_NAME, "ab") as log:
            proc = subprocess.Popen(
                ["/bin/sh", "-c", WRAPPER, "sh", *submission.command],
                cwd=str(workdir / "code"),
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                close_fds=True,
            )
        self._children[proc.pid] = proc
        self._watch_exit(proc.pid)
        st = _proc_stat(proc.pid)
        handle = {
            "pid": proc.pid,
            "pgid": proc.pid,
            "start": st[1] if st else None,
            "started_at": time.time(),
            "workdir": str(workdir),
        }
        return json.dumps(handle)

    def _watch_exit(self, pid: int) -> None:
        """Tell the scheduler the moment the process ends (a pidfd becomes readable then),
        so that a finished task's slot is reused without waiting for the next pass."""
        if not hasattr(os, "pidfd_open"):
            return
        try:
            loop = asyncio.get_running_loop()
            fd = os.pidfd_open(pid)
        except (RuntimeError, OSError):  # no loop, or a kernel without pidfds: polling only
            return

        def exited() -> None:
            loop.remove_reader(fd)
            os.close(fd)
            if self.on_change is not None:
                self.on_change()

        loop.add_reader(fd, exited)

    def _poll(self, pid: int) -> None:
        proc = self._children.get(pid)
        if proc is not None and proc.poll() is not None:
            del self._children[pid]

    async def status(self, handle: str) -> ExecutorStatus:
        h = json.loads(handle)
        pid = int(h["pid"])
        self._poll(pid)
        if pid in self._children or _alive(pid, h.get("start")):
            return ExecutorStatus(handle, running=True)
        exit_file = Path(h["workdir"]) / "logs" / EXIT_NAME
        try:
            code = int(exit_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return ExecutorStatus(
                handle, running=False, reason="the process vanished without an exit code"
            )
        return ExecutorStatus(handle, running=False, exit_code=code)

    async def cancel(self, handle: str) -> None:
        """SIGTERM to the whole process group, SIGKILL after ``kill_grace`` seconds."""
        h = json.loads(handle)
        pgid = int(h["pgid"])
        if not _alive(int(h["pid"]), h.get("start")) and not group_alive(pgid):
            return
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.kill_grace
        while time.monotonic() < deadline:
            self._poll(int(h["pid"]))
            if not group_alive(pgid):
                return
            await asyncio.sleep(0.05)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pgid, signal.SIGKILL)
        for _ in range(100):
            self._poll(int(h["pid"]))
            if not group_alive(pgid):
                return
            await asyncio.sleep(0.02)

    async def logs(self, handle: str, follow: bool = False) -> AsyncIterator[str]:
        h = json.loads(handle)
        path = Path(h["workdir"]) / "logs" / LOG_NAME
        offset = 0
        while True:
            running = follow and (await self.status(handle)).running
            data = await asyncio.to_thread(_read_from, path, offset)
            if data:
                offset += len(data)
                yield data.decode(errors="replace")
            if not running:
                return
            await asyncio.sleep(0.2)

    async def reconcile(self, handles: list[str]) -> dict[str, ExecutorStatus]:
        """Every handle's status: live processes are simply watched again from now on."""
        return {handle: await self.status(handle) for handle in handles}
