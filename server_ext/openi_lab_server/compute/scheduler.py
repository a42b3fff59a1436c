"""The scheduler: claims WAITING tasks, allocates devices, starts and watches them.

One loop per server: at once when woken (a task submitted, a process ended), otherwise every
``interval`` seconds while tasks wait or run here, backing off to ``idle_interval`` when there
is nothing to watch, so an idle server does no database work worth the name. Several servers may
share one database: a task is claimed by a conditional UPDATE (``status='WAITING' AND
claim_token IS NULL``), so exactly one scheduler starts it; devices are rows of
``device_allocations`` whose unique key makes holding one exclusive. Each queue (one per spec
family) is served first in, first out; a user's running tasks are limited. ``step()`` is one
pass, so tests drive it by hand.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sys
import uuid
from collections.abc import Awaitable, Callable
from datetime import timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError

from ..db.models import Account, utcnow
from ..db.task_models import DeviceAllocation, Task
from ..services import model_store
from ..services.images import TaskPython
from ..services.tasks import ACTIVE, TaskService, transition
from . import kernels, workdir
from .executor import Executor, Submission
from .resources import Spec

log = logging.getLogger(__name__)


def next_wait(previous: float, busy: bool, interval: float, idle_interval: float) -> float:
    """The pause before the next pass: ``interval`` while there is work, doubling up to
    ``idle_interval`` while there is none (a wake-up cuts any pause short)."""
    if busy:
        return interval
    return min(max(previous, interval) * 2, idle_interval)


class Scheduler:
    def __init__(
        self,
        tasks: TaskService,
        executor: Executor,
        *,
        node: str | None = None,
        max_concurrent_tasks: int = 4,
        max_concurrent_debug_tasks: int = 1,
        interval: float = 0.2,
        idle_interval: float = 2.0,
        batch: int = 8,
        debug_idle_timeout: float = kernels.DEFAULT_IDLE_TIMEOUT,
    ):
        self.tasks = tasks
        self.executor = executor
        self.node = node or socket.gethostname()
        self.max_tasks = max_concurrent_tasks
        self.max_debug = max_concurrent_debug_tasks
        self.interval = interval
        self.idle_interval = max(idle_interval, interval)
        self.batch = batch
        self.debug_idle_timeout = debug_idle_timeout
        #: how long the loop waits before its next pass when not woken
        self.wait = interval
        #: awaited with (task, status) when a task of this node turns RUNNING or ends
        self.listeners: list[Callable[[Task, str], Awaitable[None]]] = []
        self._wake = asyncio.Event()
        self._loop_task: asyncio.Task[None] | None = None

    # --- life cycle ----------------------------------------------------------------------

    async def start(self) -> None:
        await self.reconcile()
        self.tasks.wakers.append(self.wake)
        self.executor.on_change = self.wake
        self._loop_task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        """Stop scheduling; the task processes keep running (a restart re-attaches them)."""
        with contextlib.suppress(ValueError):
            self.tasks.wakers.remove(self.wake)
        task, self._loop_task = self._loop_task, None
        while task is not None and not task.done():
            if not task.cancelling():  # the first time, and again if a cancel was lost
                task.cancel()
            await asyncio.wait({task}, timeout=1)
        if task is not None and not task.cancelled():
            task.exception()  # retrieved: a failure was logged by the loop already

    def wake(self) -> None:
        self._wake.set()

    async def _run(self) -> None:
        while True:
            busy = True
            try:
                busy = await self.step()
            except asyncio.CancelledError:
                raise
            except Exception:  # keep scheduling; the next pass retries
                log.exception("OpenI scheduler pass failed")
            self.wait = next_wait(self.wait, busy, self.interval, self.idle_interval)
            # asyncio.timeout, not wait_for: on Python 3.11 wait_for loses a cancellation
            # that arrives as the event is set, and stop() then waited for ever
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self.wait):
                    await self._wake.wait()
            if self._wake.is_set():
                self.wait = self.interval
            self._wake.clear()

    async def step(self) -> bool:
        """One pass: finish or stop what this node runs, then start what may start. True when
        something is left to watch (tasks running here or waiting, a hook's work)."""
        busy = await self.watch()
        busy = await self.schedule() or busy
        for hook in list(self.tasks.pass_hooks):
            try:
                busy = bool(await hook()) or busy
            except Exception:  # one broken hook must not stop the scheduler
                log.exception("OpenI scheduler hook failed")
                busy = True
        return busy

    # --- watching ------------------------------------------------------------------------

    async def _mine(self, statuses: tuple[str, ...]) -> list[Task]:
        async with self.tasks.sessions() as session:
            return list(
                (
                    await session.scalars(
                        select(Task).where(
                            Task.node == self.node,
                            Task.status.in_(statuses),
                            Task.handle.isnot(None),
                        )
                    )
                ).all()
            )

    async def _finish(self, t: Task, to: str, reason: str, exit_code: int | None = None) -> None:
        async with self.tasks.sessions() as session:
            await transition(session, t.id, ACTIVE, to, reason, exit_code=exit_code)
            await session.commit()
        await self._notify(t, to)

    async def _notify(self, t: Task, status: str) -> None:
        for listener in self.listeners:
            try:
                await listener(t, status)
            except Exception:  # a listener never stops scheduling
                log.exception("OpenI task listener failed for task %s", t.id)

    def _result(self, t: Task, exit_code: int | None, vanished: str) -> tuple[str, str]:
        if exit_code == 0 and t.kind == "debug":  # its kernel ended itself (idle limit)
            wd = workdir.task_dir(self.tasks.data_dir, t.id)
            return "STOPPED", kernels.stop_reason(wd) or "the kernel exited"
        if exit_code == 0:
            return "SUCCEEDED", "exit code 0"
        tail = workdir.log_tail(workdir.task_dir(self.tasks.data_dir, t.id).log_file)
        head = f"exit code {exit_code}" if exit_code is not None else vanished
        return "FAILED", f"{head}\n{tail}" if tail else head

    async def watch(self) -> bool:
        """Finish what ended or ran out of time; True when tasks are active here."""
        now = utcnow()
        active = await self._mine(ACTIVE)
        for t in active:
            assert t.handle is not None
            if t.status == "STOPPING":
                await self.executor.cancel(t.handle)
                await self._finish(t, "STOPPED", t.reason or "stopped")
                continue
            st = await self.executor.status(t.handle)
            if not st.running:
                to, reason = self._result(t, st.exit_code, st.reason or "the process vanished")
                await self._finish(t, to, reason, st.exit_code)
            elif (
                t.time_limit
                and t.started_at is not None
                and now - t.started_at > timedelta(seconds=t.time_limit)
            ):
                await self.executor.cancel(t.handle)
                # a debug session that reaches its limit has ended, not failed
                to = "STOPPED" if t.kind == "debug" else "FAILED"
                await self._finish(t, to, f"time limit of {t.time_limit:g} s exceeded")
        return bool(active)

    async def reconcile(self) -> None:
        """On start-up: re-attach this node's live tasks, fail the vanished, free stale claims."""
        running = await self._mine(ACTIVE)
        found = await self.executor.reconcile([t.handle for t in running if t.handle])
        for t in running:
            st = found.get(t.handle or "")
            if st is None or st.running:
                continue
            if t.status == "STOPPING":
                await self._finish(t, "STOPPED", t.reason or "stopped")
                continue
            vanished = "the process vanished while the server was down"
            to, reason = self._result(t, st.exit_code, vanished)
            await self._finish(t, to, reason, st.exit_code)
        async with self.tasks.sessions() as session:
            stale = (
                await session.scalars(
                    select(Task.id).where(
                        Task.node == self.node,
                        Task.status == "WAITING",
                        Task.claim_token.isnot(None),
                    )
                )
            ).all()
            if stale:
                await session.execute(
                    delete(DeviceAllocation).where(DeviceAllocation.task_id.in_(stale))
                )
                await session.execute(
                    update(Task)
                    .where(Task.id.in_(stale), Task.status == "WAITING")
                    .values(claim_token=None, node=None, devices="[]")
                )
            await session.commit()

    # --- scheduling ----------------------------------------------------------------------

    async def _set_reason(self, t: Task, reason: str) -> None:
        if t.reason == reason:
            return
        async with self.tasks.sessions() as session:
            await session.execute(
                update(Task)
                .where(Task.id == t.id, Task.status == "WAITING", Task.claim_token.is_(None))
                .values(reason=reason)
            )
            await session.commit()

    async def schedule(self) -> bool:
        """Start what may start; True when tasks wait (here or for another server)."""
        async with self.tasks.sessions() as session:
            waiting = (
                await session.scalars(
                    select(Task)
                    .where(Task.status == "WAITING", Task.claim_token.is_(None))
                    .order_by(Task.id)
                    .limit(500)
                )
            ).all()
        if not waiting:
            return False
        node = await self.tasks.node()
        blocked: set[str] = set()
        #: users at their limit in this pass (all their tasks / their debug tasks): later
        #: tasks of theirs are not tried again, so a long queue costs one claim, not hundreds
        full: dict[tuple[int | None, bool], str] = {}  # (user, debug only) → the reason
        same_reason: dict[str, list[int]] = {}  # set in one statement after the pass
        pythons: dict[int, str] = {}
        started = 0
        for t in waiting:
            if started >= self.batch:
                break
            if t.queue in blocked:
                continue
            reason = full.get((t.creator_id, False)) or full.get((t.creator_id, t.kind == "debug"))
            if reason is not None:
                if reason != t.reason:
                    same_reason.setdefault(reason, []).append(t.id)
                continue
            spec = self.tasks.specs.get(t.spec_id)
            if spec is None:
                await self._set_reason(t, f"waiting: no resource spec '{t.spec_id}' here")
                continue
            ok, why = node.can_serve(spec)
            if not ok:
                await self._set_reason(t, f"waiting: {why}")
                continue
            python = await self._python(t, pythons)
            if python is None:
                continue  # its image's environment builds (or failed: the task has ended)
            claimed = await self._claim(t, spec)
            if isinstance(claimed, str):
                await self._set_reason(t, claimed)
                if claimed.startswith("waiting for"):
                    blocked.add(t.queue)  # FIFO: later tasks of the queue wait behind it
                elif claimed.startswith("waiting: you run"):
                    full[(t.creator_id, " debug tasks " in claimed)] = claimed
                continue
            if claimed is None:
                continue  # another scheduler took it
            token, devices = claimed
            await self._launch(t, token, devices, python)
            started += 1
        for reason, ids in same_reason.items():
            async with self.tasks.sessions() as session:
                await session.execute(
                    update(Task)
                    .where(Task.id.in_(ids), Task.status == "WAITING", Task.claim_token.is_(None))
                    .values(reason=reason)
                )
                await session.commit()
        return True

    async def _python(self, t: Task, ready: dict[int, str]) -> str | None:
        """The interpreter of the task's image (``ready`` caches it for one pass); None while
        the image's environment builds (the task waits, saying so) or when it failed to
        build (the task fails with the build log's tail)."""
        images = self.tasks.images
        if t.image_id is None or images is None:
            if t.image == "local" or images is None:
                return sys.executable
            check = TaskPython(reason=f"image {t.image} was deleted", failed=True)
        elif t.image_id in ready:
            return ready[t.image_id]
        else:
            check = await images.task_python(t.image_id, t.created_at)
        if check.python is not None:
            ready[t.image_id or 0] = check.python
            return check.python
        if check.failed:
            async with self.tasks.sessions() as session:
                await transition(session, t.id, ("WAITING",), "FAILED", check.reason)
                await session.commit()
        else:
            await self._set_reason(t, check.reason)
        return None

    async def _claim(self, t: Task, spec: Spec) -> tuple[str, list[str]] | str | None:
        """Claim ``t`` for this node with its devices: (token, devices), a reason, or None."""
        token = uuid.uuid4().hex
        node = await self.tasks.node()
        async with self.tasks.sessions() as session:
            if t.creator_id is not None and session.get_bind().dialect.name == "postgresql":
                # one claim at a time per user, so that the limits hold across servers
                await session.execute(
                    select(Account.id).where(Account.id == t.creator_id).with_for_update()
                )
            result = await session.execute(
                update(Task)
                .where(Task.id == t.id, Task.status == "WAITING", Task.claim_token.is_(None))
                .values(claim_token=token, node=self.node)
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                return None
            if t.creator_id is not None:
                active = await self.tasks.count_active(session, t.creator_id, None) - 1
                if active >= self.max_tasks:
                    await session.rollback()
                    return f"waiting: you run {active} tasks (at most {self.max_tasks} at once)"
                if t.kind == "debug":
                    debug = await self.tasks.count_active(session, t.creator_id, "debug") - 1
                    if debug >= self.max_debug:
                        await session.rollback()
                        return (
                            f"waiting: you run {debug} debug tasks "
                            f"(at most {self.max_debug} at once)"
                        )
            devices: list[str] = []
            if spec.cards:
                held = set(
                    (
                        await session.scalars(
                            select(DeviceAllocation.device).where(
                                DeviceAllocation.node == self.node
                            )
                        )
                    ).all()
                )
                free = [d.key for d in node.matching(spec) if d.key not in held]
                if len(free) < spec.cards:
                    await session.rollback()
                    return f"waiting for {spec.cards} free {spec.accelerator}"
                devices = free[: spec.cards]
                session.add_all(
                    DeviceAllocation(node=self.node, device=d, task_id=t.id) for d in devices
                )
                try:
                    await session.flush()
                except IntegrityError:
                    await session.rollback()
                    return f"waiting for {spec.cards} free {spec.accelerator}"
                await session.execute(
                    update(Task).where(Task.id == t.id).values(devices=json.dumps(devices))
                )
            await session.commit()
        return token, devices

    async def _launch(
        self, t: Task, token: str, devices: list[str], python: str = sys.executable
    ) -> None:
        wd = workdir.task_dir(self.tasks.data_dir, t.id)
        try:
            source = await self.tasks.dataset_source(t.dataset_file_id)
            dataset = (
                await asyncio.to_thread(self.tasks.prepare_dataset, source) if source else None
            )
            snapshot = await asyncio.to_thread(self.tasks.snapshot_file, t)
            await asyncio.to_thread(
                workdir.prepare,
                wd,
                self.tasks.repos.path(t.project_id),
                t.commit_id,
                dataset,
                snapshot,
            )
            pretrained = (
                await model_store.materialise(
                    self.tasks.sessions, self.tasks.objects, self.tasks.data_dir, t.model_version_id
                )
                if t.model_version_id is not None
                else None
            )
            await asyncio.to_thread(workdir.link_pretrain_model, wd, pretrained)
            params = [(p["name"], p["value"]) for p in json.loads(t.params or "[]")]
            submission = Submission(
                task_id=t.id,
                command=(
                    kernels.kernel_command(wd, t.boot_file, params, self.debug_idle_timeout, python)
                    if t.kind == "debug"
                    else workdir.command(t.boot_file, params, python=python)
                ),
                workdir=str(wd.root),
                env=workdir.environment(wd, t.id, t.compute, devices, python=python),
                devices=devices,
            )
            handle = await self.executor.submit(submission)
        except Exception as exc:
            log.warning("OpenI task %s could not start", t.id, exc_info=True)
            async with self.tasks.sessions() as session:
                await transition(session, t.id, ("WAITING",), "FAILED", f"could not start: {exc}")
                await session.commit()
            return
        where = f" on {self.node}" + (f" ({', '.join(devices)})" if devices else "")
        async with self.tasks.sessions() as session:
            ok = await transition(
                session,
                t.id,
                ("WAITING",),
                "RUNNING",
                f"started{where}",
                handle=handle,
                started_at=utcnow(),
            )
            await session.commit()
        if ok:
            await self._notify(t, "RUNNING")
        if not ok:  # stopped while it was starting
            await self.executor.cancel(handle)
            async with self.tasks.sessions() as session:
                await session.execute(
                    delete(DeviceAllocation).where(DeviceAllocation.task_id == t.id)
                )
                await session.commit()
