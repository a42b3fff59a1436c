"""The process of a debug task (调试任务): an IPython kernel notebooks attach to.

``python -m openi_lab.debug_kernel --dir=LOGS [--idle-timeout=S] [-- BOOT.py --k=v …]``

The kernel writes its connection file to ``LOGS/kernel.json`` (mode 0600: whoever reads it may
run code) and, once it is ready to answer, its pid to ``LOGS/kernel.pid``; the Jupyter server
attaches notebooks to it through :mod:`openi_lab_server.compute.kernels`. It runs in the task's
process, so it has the task's working directory (the code), environment (``OPENI_*``,
``CUDA_VISIBLE_DEVICES``) and devices.

A notebook that shuts its kernel down only detaches: the task is stopped from the platform. A
restart asked by a notebook clears the namespace instead. After ``S`` seconds without code
running, the kernel writes why to ``LOGS/stop_reason`` and exits with status 0, which the
scheduler shows as the task's reason. An optional ``.py`` boot file runs in the kernel's
namespace first, its output going to the task log.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Any

from ipykernel.ipkernel import IPythonKernel
from ipykernel.kernelapp import IPKernelApp

CONNECTION_NAME = "kernel.json"
PID_NAME = "kernel.pid"
REASON_NAME = "stop_reason"
USAGE = "usage: python -m openi_lab.debug_kernel --dir=LOGS [--idle-timeout=S] [-- BOOT.py ...]"


def human_seconds(seconds: float) -> str:
    """``14400`` → ``4 h``, ``120`` → ``2 min``, ``2`` → ``2 s``."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    return f"{seconds:g} s"


class TaskKernel(IPythonKernel):
    """An IPython kernel that tracks activity and outlives the notebooks attached to it."""

    idle_timeout: float = 0.0
    reason_file: Path | None = None

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._last_activity = time.monotonic()
        self._running = 0
        self._reset_asked = False

    async def execute_request(self, stream: Any, ident: Any, parent: Any) -> None:
        self._reset_if_asked()
        self._running += 1
        self._last_activity = time.monotonic()
        try:
            await super().execute_request(stream, ident, parent)
        finally:
            self._running -= 1
            self._last_activity = time.monotonic()

    async def shutdown_request(self, stream: Any, ident: Any, parent: Any) -> None:
        """Reply, but keep running: a notebook detaching must not end the task. A restart
        clears the namespace, on the main thread (this runs on the control thread) before
        any later code runs."""
        if not self.session:
            return
        restart = bool(parent["content"].get("restart"))
        if restart:
            self._reset_asked = True
            self.io_loop.add_callback(self._reset_if_asked)
        content = {"status": "ok", "restart": restart}
        self.session.send(stream, "shutdown_reply", content, parent, ident=ident)

    def _reset_if_asked(self) -> None:
        if self._reset_asked and self.shell is not None:
            self._reset_asked = False
            self.shell.reset(new_session=False)

    def idle_for(self) -> float:
        """Seconds since code last ran (0 while some runs)."""
        return 0.0 if self._running else time.monotonic() - self._last_activity

    def watch_idle(self) -> None:
        """In a thread: end the kernel once idle for ``idle_timeout`` seconds."""
        limit = self.idle_timeout
        step = max(0.05, min(30.0, limit / 10))
        while True:
            time.sleep(step)
            if self.idle_for() >= limit and getattr(self, "io_loop", None) is not None:
                break
        if self.reason_file is not None:
            tmp = self.reason_file.with_suffix(".tmp")
            tmp.write_text(f"idle for {human_seconds(limit)}: no code ran; the kernel stopped")
            tmp.replace(self.reason_file)
        print(f"openi: idle for {human_seconds(limit)}, stopping", file=sys.__stdout__, flush=True)
        # a clean stop of the loops (as a shutdown request would), then a hard one if it hangs
        threading.Timer(10.0, os._exit, (0,)).start()
        loops = [self.io_loop]
        for stream in (self.control_stream, self.shell_stream):
            if stream is not None and stream.io_loop not in loops:
                loops.append(stream.io_loop)
        for loop in loops:
            loop.add_callback(loop.stop)


def parse_args(argv: list[str]) -> tuple[Path, float, list[str]]:
    logs: Path | None = None
    idle = 0.0
    rest: list[str] = []
    for i, arg in enumerate(argv):
        if arg.startswith("--dir="):
            logs = Path(arg.split("=", 1)[1])
        elif arg.startswith("--idle-timeout="):
            try:
                idle = float(arg.split("=", 1)[1])
            except ValueError:
                raise SystemExit(f"debug_kernel: bad {arg}\n{USAGE}") from None
        elif arg == "--":  # what follows is the boot file and its arguments, whatever they are
            rest = argv[i + 1 :]
            break
        else:
            rest = argv[i:]
            break
    if logs is None:
        raise SystemExit(USAGE)
    return logs, idle, rest


def run_boot_file(app: IPKernelApp, path: str, args: list[str]) -> None:
    """Run ``path`` in the kernel's namespace; output and errors go to the task log."""
    shell = app.shell
    assert shell is not None
    ns = shell.user_ns
    saved_argv = sys.argv
    sys.argv = [path, *args]
    ns["__file__"] = path
    try:
        with (
            contextlib.redirect_stdout(sys.__stdout__),
            contextlib.redirect_stderr(sys.__stderr__),
        ):
            print(f"openi: running {path}", flush=True)
            try:
                code = compile(Path(path).read_bytes(), path, "exec")
                exec(code, ns)
            except BaseException:
                traceback.print_exc()
                print(f"openi: {path} failed; the kernel keeps running", flush=True)
    finally:
        sys.argv = saved_argv
        ns.pop("__file__", None)


def main(argv: list[str] | None = None) -> None:
    logs, idle, rest = parse_args(sys.argv[1:] if argv is None else argv)
    logs.mkdir(parents=True, exist_ok=True)
    for name in (CONNECTION_NAME, PID_NAME, REASON_NAME):
        (logs / name).unlink(missing_ok=True)
    TaskKernel.idle_timeout = idle
    TaskKernel.reason_file = logs / REASON_NAME
    app = IPKernelApp.instance(
        kernel_class=TaskKernel,
        connection_file=str(logs / CONNECTION_NAME),
        ip="127.0.0.1",
        # no "Ctrl-C will not work" banner (there is no parent to poll), no TCP warning: the
        # ports listen on loopback only and every message is signed with the file's key
        parent_handle=1,
        log_level="ERROR",
    )
    app.initialize([])
    if "" not in sys.path:  # code in the working directory imports as in a notebook
        sys.path.insert(0, "")
    if rest:
        run_boot_file(app, rest[0], rest[1:])
    pid_file = logs / PID_NAME
    tmp = pid_file.with_suffix(".tmp")
    tmp.write_text(str(os.getpid()))
    tmp.replace(pid_file)
    print(f"openi: kernel ready (pid {os.getpid()})", file=sys.__stdout__, flush=True)
    kernel = app.kernel
    assert isinstance(kernel, TaskKernel)
    if idle > 0:
        threading.Thread(target=kernel.watch_idle, name="openi-idle", daemon=True).start()
    app.start()
    pid_file.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
