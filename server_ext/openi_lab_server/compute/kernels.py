"""Debug tasks (调试任务) as Jupyter kernels.

A debug task's process is an IPython kernel (:mod:`openi_lab.debug_kernel`) with the task's
working directory, environment and devices. While it runs, a kernelspec
``<data_dir>/kernels/<user>/openi-task-<id>/kernel.json`` ("OpenI · <task> · <spec>") exists for
the task's creator; the Jupyter server of that user lists ``<data_dir>/kernels/<user>`` among its
kernel directories, so the task shows in JupyterLab's launcher and kernel picker. The spec names
the :class:`TaskKernelProvisioner`, which starts no process: it attaches to the running kernel
through the connection file the kernel wrote, and detaching (a notebook shutting its kernel
down) never ends the task; the platform stops it.

:class:`DebugKernels` writes a spec when its task turns RUNNING and removes it when the task
ends (scheduler listeners), and brings the directory in line with the database on start-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.connect import KernelConnectionInfo
from jupyter_client.provisioning import KernelProvisionerBase
from jupyter_client.provisioning.factory import KernelProvisionerFactory
from sqlalchemy import select
from traitlets import Float, Int, Unicode

from ..db.models import Account
from ..db.task_models import Task
from ..services.tasks import FINAL, TaskService
from . import workdir
from .local import _alive, _proc_stat

PROVISIONER = "openi-task"
ENTRY_POINT = "openi_lab_server.compute.kernels:TaskKernelProvisioner"
SPEC_PREFIX = "openi-task-"
#: the files :mod:`openi_lab.debug_kernel` writes in logs/ (not imported from there: that
#: module imports ipykernel, which the server need not load)
CONNECTION_NAME = "kernel.json"
PID_NAME = "kernel.pid"
REASON_NAME = "stop_reason"
#: default idle limit of a debug kernel (seconds without code running)
DEFAULT_IDLE_TIMEOUT = 4 * 3600.0


def kernel_command(
    wd: workdir.WorkDir,
    boot_file: str,
    params: list[tuple[str, str]],
    idle_timeout: float,
    python: str = sys.executable,
) -> list[str]:
    """The command of a debug task: the kernel, then an optional ``.py`` run in it at start.

    ``-P``: a repository's own ``openi_lab/`` cannot shadow the kernel module (the kernel puts
    the working directory back on ``sys.path`` once it is up)."""
    cmd = [python, "-u", "-P", "-m", "openi_lab.debug_kernel", f"--dir={wd.logs}"]
    if idle_timeout > 0:
        cmd.append(f"--idle-timeout={idle_timeout:g}")
    if boot_file:
        cmd += ["--", boot_file, *(f"--{name}={value}" for name, value in params)]
    return cmd


def stop_reason(wd: workdir.WorkDir) -> str:
    """Why the kernel ended itself (its idle limit), or ``""``."""
    try:
        return (wd.logs / REASON_NAME).read_text().strip()
    except FileNotFoundError:
        return ""


def spec_name(task_id: int) -> str:
    return f"{SPEC_PREFIX}{task_id}"


def register_provisioner() -> None:
    """Make ``openi-task`` known even where the package's entry points are not (re)installed
    (an editable install made before the entry point existed)."""
    from importlib.metadata import EntryPoint

    factory = KernelProvisionerFactory.instance()
    if PROVISIONER not in factory.provisioners:
        factory.provisioners[PROVISIONER] = EntryPoint(
            name=PROVISIONER, value=ENTRY_POINT, group="jupyter_client.kernel_provisioners"
        )


def serve(serverapp: Any, user_dir: Path) -> None:
    """Let ``serverapp`` list the kernelspecs under ``user_dir`` (this server user's tasks)."""
    register_provisioner()
    ksm = getattr(serverapp, "kernel_spec_manager", None)
    if ksm is None:
        return
    user_dir.mkdir(parents=True, exist_ok=True)
    if str(user_dir) not in ksm.kernel_dirs:
        ksm.kernel_dirs.append(str(user_dir))


class DebugKernels:
    """Keeps ``<root>/<user>/openi-task-<id>/`` in line with this node's running debug tasks."""

    def __init__(self, tasks: TaskService, node: str, root: Path):
        self.tasks = tasks
        self.node = node
        self.root = Path(root)

    def user_dir(self, username: str) -> Path:
        return self.root / username

    async def on_task(self, t: Task, status: str) -> None:
        """Scheduler listener: a debug task started (write its spec) or ended (remove it)."""
        if t.kind != "debug":
            return
        if status == "RUNNING":
            async with self.tasks.sessions() as session:
                row = (
                    await session.execute(
                        select(Task, Account.name)
                        .join(Account, Account.id == Task.creator_id)
                        .where(Task.id == t.id)
                    )
                ).first()
            if row is not None and row[0].status == "RUNNING":
                await asyncio.to_thread(self._write, row[0], row[1])
        elif status in FINAL:
            await asyncio.to_thread(self._remove, t.id)

    async def sync(self) -> None:
        """On start-up: specs for exactly the debug tasks this node runs."""
        async with self.tasks.sessions() as session:
            rows = (
                await session.execute(
                    select(Task, Account.name)
                    .join(Account, Account.id == Task.creator_id)
                    .where(Task.kind == "debug", Task.status == "RUNNING", Task.node == self.node)
                )
            ).all()
        await asyncio.to_thread(self._sync, [(t, name) for t, name in rows])

    def _sync(self, rows: list[tuple[Task, str]]) -> None:
        keep = {t.id for t, _ in rows}
        if self.root.is_dir():
            for spec_dir in self.root.glob(f"*/{SPEC_PREFIX}*"):
                tail = spec_dir.name[len(SPEC_PREFIX) :]
                if not tail.isdigit() or int(tail) not in keep:
                    shutil.rmtree(spec_dir, ignore_errors=True)
        for t, username in rows:
            self._write(t, username)

    def _write(self, t: Task, username: str) -> None:
        wd = workdir.task_dir(self.tasks.data_dir, t.id)
        spec = {
            "argv": [],
            "display_name": f"OpenI · {t.name} · {t.spec_id}",
            "language": "python",
            "interrupt_mode": "signal",
            "metadata": {
                "kernel_provisioner": {
                    "provisioner_name": PROVISIONER,
                    "config": {"task_id": t.id, "logs": str(wd.logs)},
                },
                "openi": {"task_id": t.id, "task": t.name, "spec": t.spec_id},
            },
        }
        parent = self.user_dir(username)
        final = parent / spec_name(t.id)
        tmp = parent / f".{spec_name(t.id)}.{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        (tmp / "kernel.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1))
        if final.exists():
            shutil.rmtree(final, ignore_errors=True)
        tmp.rename(final)

    def _remove(self, task_id: int) -> None:
        if self.root.is_dir():
            for spec_dir in self.root.glob(f"*/{spec_name(task_id)}"):
                shutil.rmtree(spec_dir, ignore_errors=True)
        wd = workdir.task_dir(self.tasks.data_dir, task_id)
        for name in (CONNECTION_NAME, PID_NAME):  # a killed kernel leaves them behind
            (wd.logs / name).unlink(missing_ok=True)


class TaskKernelProvisioner(KernelProvisionerBase):
    """Attaches a Jupyter kernel session to a running debug task's kernel; starts nothing.

    ``poll`` reports the task's kernel process; kill, terminate and shut-down only detach this
    session (the kernel is the task's, and the platform stops tasks). Interrupts are forwarded
    as SIGINT to the kernel process. Config (from the kernelspec): ``task_id``, ``logs``.
    """

    task_id = Int(0, help="The debug task's id.").tag(config=True)
    logs = Unicode(help="Its logs/ directory, where the kernel writes its files.").tag(config=True)
    #: how long ``launch_kernel`` waits for a kernel that is still starting
    ready_timeout = Float(60.0).tag(config=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.pid: int | None = None
        self._start: str | None = None
        self._attached = False

    # --- the task's kernel ---------------------------------------------------------------

    def _spec_exists(self) -> bool:
        resource_dir = getattr(self.kernel_spec, "resource_dir", "")
        return bool(resource_dir) and Path(resource_dir).is_dir()

    def _read(self) -> tuple[int, dict[str, Any]] | None:
        """(pid, connection info) once the kernel is ready, else None."""
        try:
            pid = int((Path(self.logs) / PID_NAME).read_text().strip())
            info = json.loads((Path(self.logs) / CONNECTION_NAME).read_text())
        except (FileNotFoundError, ValueError):
            return None
        return pid, info

    def _kernel_alive(self) -> bool:
        return self.pid is not None and _alive(self.pid, self._start)

    @property
    def has_process(self) -> bool:
        return self._attached

    async def poll(self) -> int | None:
        if self._attached and self._kernel_alive():
            return None
        return 0

    async def wait(self) -> int | None:
        while True:  # the task's process is not ours to wait for: poll it
            if await self.poll() is not None:
                return 0
            await asyncio.sleep(0.1)

    async def send_signal(self, signum: int) -> None:
        """Only interrupts reach the kernel, and not while a session shuts down."""
        if signum != signal.SIGINT or getattr(self.parent, "shutting_down", False):
            return
        if self._attached and self._kernel_alive():
            assert self.pid is not None
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(self.pid, signal.SIGINT)

    async def kill(self, restart: bool = False) -> None:
        self._attached = False

    async def terminate(self, restart: bool = False) -> None:
        self._attached = False

    async def shutdown_requested(self, restart: bool = False) -> None:
        """The kernel only replied (it keeps running): the session is over once asked."""
        self._attached = False

    async def cleanup(self, restart: bool = False) -> None:
        self._attached = False

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        kwargs = await super().pre_launch(**kwargs)
        kwargs["cmd"] = []  # nothing is started
        return kwargs

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> KernelConnectionInfo:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.ready_timeout
        while True:
            if not self._spec_exists():
                raise RuntimeError(f"debug task {self.task_id} is not running")
            found = await asyncio.to_thread(self._read)
            if found is not None:
                pid, info = found
                stat = _proc_stat(pid)
                if stat is not None:
                    break
            if loop.time() > deadline:
                raise RuntimeError(f"debug task {self.task_id}: its kernel did not start")
            await asyncio.sleep(0.1)
        self.pid, self._start = pid, stat[1]
        key = info.get("key", "")
        info["key"] = key.encode() if isinstance(key, str) else key
        info.pop("kernel_name", None)
        self.connection_info = info  # type: ignore[assignment]
        self._attached = True
        return self.connection_info

    async def post_launch(self, **kwargs: Any) -> None:
        """No automatic restart: when the task ends, the session is simply dead."""
        restarter = getattr(self.parent, "_restarter", None)
        if restarter is not None:
            restarter.restart_limit = 0

    async def get_provisioner_info(self) -> dict[str, Any]:
        info = await super().get_provisioner_info()
        info.update(task_id=self.task_id, logs=self.logs, pid=self.pid, start=self._start)
        return info

    async def load_provisioner_info(self, provisioner_info: dict[str, Any]) -> None:
        await super().load_provisioner_info(provisioner_info)
        self.task_id = int(provisioner_info.get("task_id", self.task_id))
        self.logs = str(provisioner_info.get("logs", self.logs))
        self.pid = provisioner_info.get("pid")
        self._start = provisioner_info.get("start")
        self._attached = self.pid is not None
