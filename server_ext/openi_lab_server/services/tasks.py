"""Cloud-brain tasks (云脑任务): create, list, stop, delete, run again, logs and outputs.

The service records what to run (a commit, a spec, a boot file, a dataset file, parameters)
and the user-facing state; :mod:`..compute.scheduler` claims WAITING tasks and drives an
executor. Every status change is time-stamped in ``task_events`` with its reason.
"""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from dulwich.errors import NotGitRepository
from dulwich.repo import Repo
from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from openi_lab import schemas as s

from ..compute import workdir
from ..compute.resources import Node, Spec, discover, load_specs, spec_out
from ..db.dataset_models import DatasetFile, StoredObject
from ..db.models import Account, Project, utcnow
from ..db.task_models import DeviceAllocation, Task, TaskEvent
from ..git import browse as git_browse
from ..git.names import split_path
from ..git.store import RepoStore
from ..storage.objects import ObjectStore
from . import activity, model_store
from .accounts import user_out
from .datasets import DatasetService
from .errors import Conflict, DomainError, Invalid, NotFound
from .images import ImageService
from .log_stream import read_from
from .pagination import PageRequest, PageResult, paginate
from .principal import Principal
from .projects import ProjectService
from .snapshots import encode as encode_snapshot
from .snapshots import load as load_snapshot
from .snapshots import store as store_snapshot

Creator = aliased(Account, name="task_creator")
Owner = aliased(Account, name="task_owner")
ACTIVE = ("RUNNING", "STOPPING")
FINAL = ("SUCCEEDED", "FAILED", "STOPPED")
#: the largest piece of log one request returns
LOG_CHUNK = 1 << 20


def duration(t: Task) -> float | None:
    if t.started_at is None:
        return None
    end = t.finished_at or utcnow()
    return max((end - t.started_at).total_seconds(), 0.0)


def task_out(
    t: Task,
    project: str,
    creator: Account | None,
    dataset_path: str | None = None,
    events: list[TaskEvent] | None = None,
) -> s.Task:
    return s.Task(
        id=t.id,
        project=project,
        kind=s.TaskKind(t.kind),
        name=t.name,
        description=t.description,
        branch=t.branch,
        commit=t.commit_id,
        image=t.image,
        spec=t.spec_id,
        compute=t.compute,
        boot_file=t.boot_file,
        dataset=t.dataset_file_id,
        dataset_path=dataset_path,
        params=[s.TaskParam.model_construct(**p) for p in json.loads(t.params or "[]")],
        creator=user_out(creator) if creator else None,
        status=s.TaskStatus(t.status),
        reason=t.reason,
        exit_code=t.exit_code,
        devices=json.loads(t.devices or "[]"),
        node=t.node,
        created_at=t.created_at,
        started_at=t.started_at,
        finished_at=t.finished_at,
        duration=duration(t),
        events=[
            s.TaskEvent(status=s.TaskStatus(e.status), reason=e.reason, created_at=e.created_at)
            for e in events or []
        ],
        snapshot_name=t.snapshot_name,
        snapshot_sha256=t.snapshot_sha256,
        model_version_id=t.model_version_id,
    )


async def transition(
    session: AsyncSession,
    task_id: int,
    from_status: tuple[str, ...],
    to: str,
    reason: str,
    **values: Any,
) -> bool:
    """Move a task from one of ``from_status`` to ``to`` (recording the event); False when it
    was not in one of them (someone else moved it first). The caller commits."""
    if to in FINAL:
        values.setdefault("finished_at", utcnow())
    result = await session.execute(
        update(Task)
        .where(Task.id == task_id, Task.status.in_(from_status))
        .values(status=to, reason=reason, **values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        return False
    await session.execute(
        insert(TaskEvent).values(task_id=task_id, status=to, reason=reason, created_at=utcnow())
    )
    if to in FINAL:
        await session.execute(delete(DeviceAllocation).where(DeviceAllocation.task_id == task_id))
        t = (
            await session.execute(
                select(Task.project_id, Task.creator_id, Task.name, Task.kind, Task.compute).where(
                    Task.id == task_id
                )
            )
        ).one()
        activity.record_as(
            session, t.creator_id, t.project_id, "task_finished",
            task=t.name, task_kind=t.kind, compute=t.compute, status=to,
        )  # fmt: skip
    return True


class TaskService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        datasets: DatasetService,
        repos: RepoStore,
        objects: ObjectStore,
        data_dir: Path,
        resource_specs: list[dict[str, Any]] | None = None,
        declared_devices: list[dict[str, Any]] | None = None,
        images: ImageService | None = None,
    ):
        self.sessions = sessions
        self.projects = projects
        self.datasets = datasets
        self.repos = repos
        self.objects = objects
        self.data_dir = Path(data_dir)
        self.specs: dict[str, Spec] = load_specs(resource_specs)
        self.declared_devices = declared_devices or []
        #: resolves ``TaskCreate.image``; None: only ``local`` (this server's Python)
        self.images = images
        self._node: Node | None = None
        #: called after a change the scheduler should see at once (a new task, a stop)
        self.wakers: list[Callable[[], None]] = []
        #: asked before a task is deleted: why it may not be (409), or None (models' lineage)
        self.delete_checks: list[Callable[[AsyncSession, int], Awaitable[str | None]]] = []
        #: awaited after every scheduler pass (the pipeline runner advances its runs)
        #: called after each scheduler pass; a hook answers True while it has work in flight
        self.pass_hooks: list[Callable[[], Awaitable[bool | None]]] = []
        datasets.usage_checks.append(self.dataset_usage)

    # --- resources -----------------------------------------------------------------------

    async def node(self) -> Node:
        if self._node is None:
            self._node = await asyncio.to_thread(discover, self.declared_devices)
        return self._node

    async def list_specs(self, actor: Principal) -> list[s.ResourceSpec]:
        node = await self.node()
        return [spec_out(spec, node) for spec in self.specs.values()]

    def wake(self) -> None:
        for waker in self.wakers:
            waker()

    async def dataset_usage(self, session: AsyncSession, file_ids: list[int]) -> str | None:
        row = (
            await session.execute(
                select(Task.kind, Task.name, Project.name, Owner.name)
                .join(Project, Project.id == Task.project_id)
                .join(Owner, Owner.id == Project.owner_id)
                .where(Task.dataset_file_id.in_(file_ids))
                .limit(1)
            )
        ).first()
        if row is None:
            return None
        kind, name, project, owner = row
        return f"used by {kind} task {owner}/{project}#{name}; delete the task first"

    # --- look-ups ------------------------------------------------------------------------

    async def _task(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        task_id: str | int,
        need: s.Role = s.Role.read,
    ) -> tuple[Project, Task]:
        project, _ = await self.projects.resolve(session, actor, owner, name, need)
        tid = int(task_id) if str(task_id).isdigit() else -1
        t = await session.get(Task, tid)
        if t is None or t.project_id != project.id:
            raise NotFound(f"task {task_id}")
        return project, t

    async def _detail(self, session: AsyncSession, project: Project, t: Task) -> s.Task:
        await session.refresh(t)
        creator = await session.get(Account, t.creator_id) if t.creator_id else None
        events = (
            await session.scalars(
                select(TaskEvent).where(TaskEvent.task_id == t.id).order_by(TaskEvent.id)
            )
        ).all()
        ds_path = None
        if t.dataset_file_id is not None:
            f = await self.datasets.file_model(session, t.dataset_file_id)
            ds_path = f.path if f else None
        path = f"{project.owner.name}/{project.name}"
        out = task_out(t, path, creator, ds_path, list(events))
        out.model_version = await model_store.version_path(session, t.model_version_id)
        return out

    # --- create --------------------------------------------------------------------------

    def _check_boot_file(self, repo_path: Path, commit_id: str, boot_file: str) -> None:
        if not boot_file:
            return  # a debug task without one (create() refuses it for the other kinds)
        if boot_file.startswith("sh:"):
            if not boot_file[3:].strip():
                raise Invalid("boot_file", "'sh:' needs a command")
            return
        parts = split_path(boot_file, "boot_file")
        if not parts:
            raise Invalid("boot_file", "names no file")
        if not parts[-1].endswith((".py", ".ipynb")):
            raise Invalid(
                "boot_file", "a .py script or .ipynb notebook of the repository, or 'sh:…'"
            )
        repo = Repo(str(repo_path))
        try:
            commit = repo[commit_id.encode()]
            try:
                git_browse.blob(repo, commit, "/".join(parts))
            except (NotFound, Invalid) as exc:
                raise Invalid(
                    "boot_file", f"'{boot_file}' is not a file at {commit_id[:10]}"
                ) from exc
        finally:
            repo.close()

    def _resolve_branch(self, project: Project, branch: str) -> tuple[str, str]:
        branch = branch or project.default_branch
        if not self.repos.exists(project.id):
            raise Invalid("branch", "the project has no repository")
        try:
            repo = self.repos.open(project.id)
        except NotGitRepository as exc:
            raise Invalid("branch", "the project has no repository") from exc
        try:
            commit = git_browse.resolve(repo, branch, project.default_branch)
        except DomainError as exc:
            raise Invalid("branch", f"no branch '{branch}'") from exc
        finally:
            repo.close()
        return branch, commit.id.decode()

    async def create(
        self,
        actor: Principal,
        owner: str,
        name: str,
        body: s.TaskCreate,
        snapshot_ref: tuple[str, str] | None = None,
    ) -> s.Task:
        """``snapshot_ref`` (sha256, name): a stored snapshot (a re-run) instead of
        ``body.snapshot``."""
        spec = self.specs.get(body.spec)
        if spec is None:
            raise Invalid("spec", f"no resource spec '{body.spec}'")
        if body.kind == s.TaskKind.debug:
            if body.boot_file and not body.boot_file.endswith(".py"):
                raise Invalid("boot_file", "a debug task runs a .py file in its kernel, or none")
        elif not body.boot_file:
            raise Invalid("boot_file", "is required")
        if body.dataset is not None:
            try:
                await self.datasets.file_by_id(actor, body.dataset)
            except NotFound as exc:
                raise Invalid("dataset", f"no dataset file {body.dataset} you may use") from exc
        if body.snapshot is not None:
            if body.boot_file != body.snapshot.name:
                raise Invalid("boot_file", "must be the snapshot's name (or left out)")
            data, sha = await asyncio.to_thread(encode_snapshot, body.snapshot.content)
            snapshot_ref = (sha, body.snapshot.name)
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            image_id, image = None, body.image
            if self.images is not None:
                image_id, image = await self.images.resolve_for_task(session, actor, body.image)
            elif body.image != "local":
                raise Invalid("image", "only the 'local' image (this server's Python)")
            if snapshot_ref is None:
                branch, commit_id = await asyncio.to_thread(
                    self._resolve_branch, project, body.branch
                )
                if body.commit:  # pinned (Reproduce): the branch may have moved since
                    commit_id = await asyncio.to_thread(
                        model_store.pin_commit, self.repos.path(project.id), body.commit
                    )
                await asyncio.to_thread(
                    self._check_boot_file, self.repos.path(project.id), commit_id, body.boot_file
                )
            else:  # the repository's files too, when it has any
                try:
                    branch, commit_id = await asyncio.to_thread(
                        self._resolve_branch, project, body.branch
                    )
                except Invalid:
                    if body.branch:
                        raise
                    branch, commit_id = project.default_branch, ""
                if body.snapshot is not None:
                    await asyncio.to_thread(store_snapshot, self.objects, data, snapshot_ref[0])
            model_version_id = None
            if body.model_version is not None:
                model_version_id = await model_store.task_model_version(
                    session, actor, body.model_version
                )
            t = Task(
                project_id=project.id,
                kind=body.kind.value,
                name=body.name,
                description=body.description,
                branch=branch,
                commit_id=commit_id,
                image=image,
                image_id=image_id,
                spec_id=spec.id,
                queue=spec.queue,
                compute=spec.compute,
                time_limit=spec.time_limit,
                boot_file=body.boot_file,
                dataset_file_id=body.dataset,
                params=json.dumps([p.model_dump() for p in body.params]),
                creator_id=actor.id,
                status="WAITING",
                reason="waiting to be scheduled",
                snapshot_sha256=snapshot_ref[0] if snapshot_ref else None,
                snapshot_name=snapshot_ref[1] if snapshot_ref else None,
                model_version_id=model_version_id,
            )
            session.add(t)
            try:
                await session.flush()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(
                    f"a {body.kind.value} task '{body.name}' exists in {owner}/{name}",
                    [("name", "taken")],
                ) from exc
            session.add(TaskEvent(task_id=t.id, status="WAITING", reason="created"))
            activity.record(
                session, actor, project.id, "task_created",
                task=t.name, task_kind=t.kind, compute=t.compute,
            )  # fmt: skip
            await session.commit()
            out = await self._detail(session, project, t)
        self.wake()
        return out

    async def rerun(self, actor: Principal, owner: str, name: str, task_id: str) -> s.Task:
        """再次调试: a new task with the same settings, named ``<name>-<n>``."""
        async with self.sessions() as session:
            project, t = await self._task(session, actor, owner, name, task_id, s.Role.write)
            # a rerun of "x-2" is "x-3" (when "x" exists), of anything else "<name>-2"
            stem, _, tail = t.name.rpartition("-")
            prefix = stem if stem and tail.isdigit() else t.name
            taken = set(
                (
                    await session.scalars(
                        select(Task.name).where(
                            Task.project_id == project.id,
                            Task.kind == t.kind,
                            Task.name.startswith(prefix, autoescape=True),
                        )
                    )
                ).all()
            )
            base = stem if stem and tail.isdigit() and stem in taken else t.name
            n = 2
            while True:
                tail = f"-{n}"
                new_name = base[: 64 - len(tail)] + tail
                if new_name not in taken:
                    break
                n += 1
            body = s.TaskCreate(
                kind=s.TaskKind(t.kind),
                name=new_name,
                description=t.description,
                branch=t.branch,
                image=t.image,
                spec=t.spec_id,
                boot_file=t.boot_file,
                dataset=t.dataset_file_id,
                params=[s.TaskParam(**p) for p in json.loads(t.params or "[]")],
                model_version=t.model_version_id,
            )
            snapshot = (
                (t.snapshot_sha256, t.snapshot_name or t.boot_file) if t.snapshot_sha256 else None
            )
        return await self.create(actor, owner, name, body, snapshot)

    # --- read ----------------------------------------------------------------------------

    async def list_project(
        self,
        actor: Principal,
        owner: str,
        name: str,
        kind: str | None,
        status: str | None,
        req: PageRequest,
    ) -> PageResult:
        if kind is not None and kind not in s.TaskKind.__members__:
            raise Invalid("kind", f"one of {', '.join(s.TaskKind.__members__)}")
        if status is not None and status.upper() not in s.TaskStatus.__members__:
            raise Invalid("status", f"one of {', '.join(s.TaskStatus.__members__)}")
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = (
                select(Task, Creator)
                .outerjoin(Creator, Creator.id == Task.creator_id)
                .where(Task.project_id == project.id)
                .order_by(Task.id.desc())
            )
            if kind:
                stmt = stmt.where(Task.kind == kind)
            if status:
                stmt = stmt.where(Task.status == status.upper())
            page = await paginate(session, stmt, req)  # type: ignore[arg-type]
        path = f"{project.owner.name}/{project.name}"
        items = [task_out(t, path, c) for t, c in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def get(self, actor: Principal, owner: str, name: str, task_id: str) -> s.Task:
        async with self.sessions() as session:
            project, t = await self._task(session, actor, owner, name, task_id)
            return await self._detail(session, project, t)

    async def last(self, actor: Principal) -> s.Task | None:
        """The caller's most recent task in a project they may still write (to pre-fill a
        new one), or None."""
        async with self.sessions() as session:
            ids = (
                await session.scalars(
                    select(Task.id)
                    .where(Task.creator_id == actor.id)
                    .order_by(Task.id.desc())
                    .limit(5)
                )
            ).all()
            for tid in ids:
                t = await session.get(Task, tid)
                project = await session.get(Project, t.project_id) if t else None
                if t is None or project is None:
                    continue
                try:
                    await self.projects.resolve(
                        session, actor, project.owner.name, project.name, s.Role.write
                    )
                except DomainError:
                    continue
                return await self._detail(session, project, t)
        return None

    def snapshot_file(self, t: Task) -> tuple[str, bytes] | None:
        """(file name, bytes) of the notebook snapshot a task runs; blocking."""
        if not t.snapshot_sha256:
            return None
        return t.snapshot_name or t.boot_file, load_snapshot(self.objects, t.snapshot_sha256)

    # --- change --------------------------------------------------------------------------

    async def stop(self, actor: Principal, owner: str, name: str, task_id: str) -> s.Task:
        """A waiting task stops at once; a running one becomes STOPPING until its node ends it."""
        async with self.sessions() as session:
            project, t = await self._task(session, actor, owner, name, task_id, s.Role.write)
            reason = f"stopped by {actor.username}"
            stopped = await transition(session, t.id, ("WAITING",), "STOPPED", reason)
            if not stopped and not await transition(
                session, t.id, ("RUNNING",), "STOPPING", reason
            ):
                await session.refresh(t)
                if t.status != "STOPPING":
                    raise Conflict(f"task {t.name} has ended ({t.status})")
            await session.commit()
            out = await self._detail(session, project, t)
        self.wake()
        return out

    async def delete(self, actor: Principal, owner: str, name: str, task_id: str) -> None:
        async with self.sessions() as session:
            _, t = await self._task(session, actor, owner, name, task_id, s.Role.write)
            tid, tname = t.id, t.name
            for check in self.delete_checks:
                if used := await check(session, tid):
                    raise Conflict(used, [("task", used)])
            result = await session.execute(
                delete(Task).where(
                    Task.id == t.id,
                    Task.status.notin_(ACTIVE),
                    Task.claim_token.is_(None) | Task.status.in_(FINAL),
                )
            )
            if result.rowcount != 1:  # type: ignore[attr-defined]
                await session.rollback()
                raise Conflict(f"task {tname} is running; stop it first")
            await session.commit()
        await asyncio.to_thread(workdir.remove, workdir.task_dir(self.data_dir, tid))

    # --- logs and outputs ----------------------------------------------------------------

    async def read_log(
        self, actor: Principal, owner: str, name: str, task_id: str, offset: int
    ) -> s.TaskLog:
        if offset < 0:
            raise Invalid("offset", "must be 0 or more")
        async with self.sessions() as session:
            _, t = await self._task(session, actor, owner, name, task_id)
        path = workdir.task_dir(self.data_dir, t.id).log_file

        data, size = await asyncio.to_thread(read_from, path, offset, LOG_CHUNK)
        start = min(offset, size)
        # never split a UTF-8 character: hold back an incomplete tail for the next poll
        cut = len(data)
        for back in range(1, min(4, len(data)) + 1):
            byte = data[-back]
            if byte & 0xC0 == 0x80:
                continue
            if byte & 0x80 and back < _utf8_len(byte):
                cut = len(data) - back
            break
        data = data[:cut]
        return s.TaskLog(
            offset=start,
            next_offset=start + len(data),
            text=data.decode(errors="replace"),
            size=size,
            done=t.status in FINAL and start + len(data) >= size,
        )

    async def log_source(
        self, actor: Principal, owner: str, name: str, task_id: str
    ) -> tuple[int, Path]:
        """(task id, log file) of a task the caller may read, for the live log stream."""
        async with self.sessions() as session:
            _, t = await self._task(session, actor, owner, name, task_id)
        return t.id, workdir.task_dir(self.data_dir, t.id).log_file

    async def log_file(
        self, actor: Principal, owner: str, name: str, task_id: str
    ) -> tuple[Path, str]:
        async with self.sessions() as session:
            _, t = await self._task(session, actor, owner, name, task_id)
        return workdir.task_dir(self.data_dir, t.id).log_file, f"{t.name}.log"

    async def outputs(
        self, actor: Principal, owner: str, name: str, task_id: str
    ) -> list[s.TaskOutput]:
        async with self.sessions() as session:
            _, t = await self._task(session, actor, owner, name, task_id)
        root = workdir.task_dir(self.data_dir, t.id).model

        def walk() -> list[s.TaskOutput]:
            found = []
            for dirpath, dirnames, filenames in os.walk(root):
                dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
                for f in filenames:
                    p = Path(dirpath) / f
                    if p.is_file() and not p.is_symlink():
                        found.append(
                            s.TaskOutput(path=p.relative_to(root).as_posix(), size=p.stat().st_size)
                        )
            return sorted(found, key=lambda o: o.path)

        return await asyncio.to_thread(walk)

    async def output_file(
        self, actor: Principal, owner: str, name: str, task_id: str, path: str
    ) -> Path:
        async with self.sessions() as session:
            _, t = await self._task(session, actor, owner, name, task_id)
        parts = split_path(path, "path")
        if not parts:
            raise Invalid("path", "names no file")
        root = workdir.task_dir(self.data_dir, t.id).model.resolve()
        target = root.joinpath(*parts)
        try:
            real = target.resolve(strict=True)
        except (FileNotFoundError, RuntimeError) as exc:
            raise NotFound(f"output '{path}'") from exc
        if not real.is_relative_to(root) or not real.is_file() or target.is_symlink():
            raise NotFound(f"output '{path}'")
        return real

    # --- for the scheduler ---------------------------------------------------------------

    async def dataset_source(self, file_id: int | None) -> tuple[str, str, str, str] | None:
        """(sha256, file name, kind, storage key) of a task's dataset file."""
        if file_id is None:
            return None
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(
                        DatasetFile.sha256,
                        DatasetFile.name,
                        DatasetFile.kind,
                        StoredObject.storage_key,
                    )
                    .join(StoredObject, StoredObject.sha256 == DatasetFile.sha256)
                    .where(DatasetFile.id == file_id)
                )
            ).first()
        return tuple(row) if row else None  # type: ignore[return-value]

    def prepare_dataset(self, source: tuple[str, str, str, str]) -> Path:
        sha, filename, kind, key = source
        path, _ = workdir.cached_dataset(
            self.data_dir, sha, filename, kind, lambda: self.objects.open(key)
        )
        return path

    async def count_active(self, session: AsyncSession, user_id: int, kind: str | None) -> int:
        stmt = (
            select(func.count())
            .select_from(Task)
            .where(
                Task.creator_id == user_id,
                Task.status.in_(ACTIVE)
                | ((Task.status == "WAITING") & Task.claim_token.isnot(None)),
            )
        )
        if kind:
            stmt = stmt.where(Task.kind == kind)
        return int(await session.scalar(stmt) or 0)


def _utf8_len(lead: int) -> int:
    if lead >= 0xF0:
        return 4
    if lead >= 0xE0:
        return 3
    if lead >= 0xC0:
        return 2
    return 1
