"""Pipelines (流水线): train → register → evaluate (→ inference) in one click.

A run freezes its definition and commit, then advances on every scheduler pass (a hook of the
tasks service): the first unfinished step is checked or started. A step starts only when the
one before it SUCCEEDED (or was REUSED); a failed step fails the run and every later step is
SKIPPED, never started. Starting a step is claimed by a conditional UPDATE (PENDING →
RUNNING), so two servers sharing the database never start it twice.

``reuse: true`` skips a step whose inputs (commit, boot file, spec, image, dataset sha256,
parameters, the model version it takes) equal those of a succeeded step of an earlier run.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
from typing import Any

import yaml
from dulwich.repo import Repo
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import model_schemas as ms
from openi_lab import schemas as s

from ..db.dataset_models import DatasetFile
from ..db.model_models import Pipeline, PipelineRunRow, PipelineStepRow
from ..db.models import Account, Project, utcnow
from ..db.task_models import Task
from ..git import browse as git_browse
from . import model_store
from .accounts import user_out
from .errors import Conflict, DomainError, Invalid, InvalidBody, NotFound
from .models import ModelService
from .pagination import PageRequest, PageResult, paginate
from .principal import Principal
from .projects import ProjectService
from .tasks import TaskService

log = logging.getLogger(__name__)
DONE = ("SUCCEEDED", "REUSED")
TASK_FINAL = {"SUCCEEDED", "FAILED", "STOPPED"}
MAX_DEFINITION_BYTES = 256 * 1024
#: how long a claimed step may be without its task before it counts as lost
STARTING_GRACE_S = 120.0


def parse_definition(text: str, field: str) -> ms.PipelineDef:
    """YAML or JSON text → a checked definition; 422 naming ``field`` (and the step field)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise Invalid(field, f"is not valid YAML or JSON: {exc}") from exc
    return check_definition(data, field)


def check_definition(data: Any, field: str) -> ms.PipelineDef:
    try:
        return ms.PipelineDef.model_validate(data)
    except ValidationError as exc:
        errors = [(".".join([field, *(str(p) for p in e["loc"])]), e["msg"]) for e in exc.errors()]
        raise InvalidBody("; ".join(f"{f}: {r}" for f, r in errors), errors) from exc


def _starting(step: PipelineStepRow) -> bool:
    started = step.started_at
    return started is not None and (utcnow() - started).total_seconds() < STARTING_GRACE_S


def inputs_hash(values: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(values, sort_keys=True).encode()).hexdigest()


def task_name(pipeline: str, run_id: int, step: str) -> str:
    base = re.sub(r"[^A-Za-z0-9_-]", "-", pipeline)
    tail = f"-{run_id}-{step}"
    return base[: 64 - len(tail)] + tail


class PipelineService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        tasks: TaskService,
        models: ModelService,
    ):
        self.sessions = sessions
        self.projects = projects
        self.tasks = tasks
        self.models = models
        self._lock = asyncio.Lock()
        tasks.pass_hooks.append(self.advance)

    # --- definitions ---------------------------------------------------------------------

    def _read_file(self, project: Project, branch: str, path: str) -> tuple[str, str]:
        """(text, commit) of a definition file of the repository at ``branch``."""
        if not self.tasks.repos.exists(project.id):
            raise Invalid("path", "the project has no repository")
        repo = Repo(str(self.tasks.repos.path(project.id)))
        try:
            try:
                commit = git_browse.resolve(repo, branch or None, project.default_branch)
            except DomainError as exc:
                raise Invalid("branch", f"no branch '{branch}'") from exc
            try:
                blob = git_browse.blob(repo, commit, path)
            except DomainError as exc:
                raise Invalid(
                    "path", f"no file '{path}' on {branch or project.default_branch}"
                ) from exc
            data = blob.as_raw_string()
            if len(data) > MAX_DEFINITION_BYTES:
                raise Invalid("path", "the definition is larger than 256 KiB")
            return data.decode("utf-8", errors="replace"), commit.id.decode()
        finally:
            repo.close()

    async def _definition(
        self, project: Project, body: ms.PipelineCreate
    ) -> tuple[ms.PipelineDef, str]:
        if body.definition is not None:
            return body.definition, "ui"
        assert body.path is not None
        text, _ = await asyncio.to_thread(self._read_file, project, body.branch, body.path)
        return parse_definition(text, "path"), "repo"

    async def _pipeline(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        pipeline: str,
        need: s.Role = s.Role.read,
    ) -> tuple[Project, Pipeline]:
        project, _ = await self.projects.resolve(session, actor, owner, name, need)
        p = await session.scalar(
            select(Pipeline).where(
                Pipeline.project_id == project.id, Pipeline.lower_name == pipeline.lower()
            )
        )
        if p is None:
            raise NotFound(f"pipeline '{pipeline}'")
        return project, p

    async def _out(self, session: AsyncSession, project: Project, p: Pipeline) -> ms.Pipeline:
        creator = await session.get(Account, p.creator_id) if p.creator_id else None
        last = await session.scalar(
            select(PipelineRunRow)
            .where(PipelineRunRow.pipeline_id == p.id)
            .order_by(PipelineRunRow.id.desc())
            .limit(1)
        )
        return ms.Pipeline(
            id=p.id,
            project=project.full_name,
            name=p.name,
            description=p.description,
            source=p.source,
            path=p.path,
            branch=p.branch,
            definition=ms.PipelineDef.model_validate_json(p.definition),
            creator=user_out(creator) if creator else None,
            created_at=p.created_at,
            updated_at=p.updated_at,
            last_run=await self._run_out(session, project, p, last, steps=False) if last else None,
        )

    async def create(
        self, actor: Principal, owner: str, name: str, body: ms.PipelineCreate
    ) -> ms.Pipeline:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            definition, source = await self._definition(project, body)
            pname = body.name or definition.name
            p = Pipeline(
                project_id=project.id,
                name=pname,
                lower_name=pname.lower(),
                description=body.description or definition.description,
                source=source,
                path=body.path,
                branch=body.branch,
                definition=definition.model_dump_json(by_alias=True),
                creator_id=actor.id if actor.id > 0 else None,
                num_runs=0,
            )
            session.add(p)
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(f"pipeline '{pname}' exists", [("name", "taken")]) from exc
            return await self._out(session, project, p)

    async def update(
        self, actor: Principal, owner: str, name: str, pipeline: str, body: ms.PipelineCreate
    ) -> ms.Pipeline:
        async with self.sessions() as session:
            project, p = await self._pipeline(session, actor, owner, name, pipeline, s.Role.write)
            definition, source = await self._definition(project, body)
            if body.name and body.name.lower() != p.lower_name:
                p.name, p.lower_name = body.name, body.name.lower()
            p.description = body.description or definition.description
            p.source, p.path, p.branch = source, body.path, body.branch
            p.definition = definition.model_dump_json(by_alias=True)
            p.updated_at = utcnow()
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(f"pipeline '{body.name}' exists", [("name", "taken")]) from exc
            return await self._out(session, project, p)

    async def list(self, actor: Principal, owner: str, name: str, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            page = await paginate(
                session,
                select(Pipeline)
                .where(Pipeline.project_id == project.id)
                .order_by(Pipeline.updated_at.desc(), Pipeline.id.desc()),
                req,
            )
            items = [await self._out(session, project, p) for p in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def get(self, actor: Principal, owner: str, name: str, pipeline: str) -> ms.Pipeline:
        async with self.sessions() as session:
            project, p = await self._pipeline(session, actor, owner, name, pipeline)
            return await self._out(session, project, p)

    async def delete(self, actor: Principal, owner: str, name: str, pipeline: str) -> None:
        async with self.sessions() as session:
            _, p = await self._pipeline(session, actor, owner, name, pipeline, s.Role.write)
            running = await session.scalar(
                select(PipelineRunRow.id).where(
                    PipelineRunRow.pipeline_id == p.id, PipelineRunRow.status == "RUNNING"
                )
            )
            if running:
                raise Conflict(f"pipeline '{p.name}' has a running run; cancel it first")
            await session.delete(p)
            await session.commit()

    # --- runs ----------------------------------------------------------------------------

    async def _run_out(
        self,
        session: AsyncSession,
        project: Project,
        p: Pipeline,
        r: PipelineRunRow,
        steps: bool = True,
    ) -> ms.PipelineRun:
        creator = await session.get(Account, r.creator_id) if r.creator_id else None
        out = ms.PipelineRun(
            id=r.id,
            pipeline=p.name,
            project=project.full_name,
            number=r.number,
            status=r.status,
            reason=r.reason,
            reuse=bool(r.reuse),
            commit=r.commit_id,
            creator=user_out(creator) if creator else None,
            created_at=r.created_at,
            finished_at=r.finished_at,
        )
        if not steps:
            return out
        rows = (
            await session.execute(
                select(PipelineStepRow, Task.name, Task.project_id)
                .outerjoin(Task, Task.id == PipelineStepRow.task_id)
                .where(PipelineStepRow.run_id == r.id)
                .order_by(PipelineStepRow.index)
            )
        ).all()
        for st, tname, tproject in rows:
            tp = await session.get(Project, tproject) if tproject else None
            out.steps.append(
                ms.PipelineStep(
                    index=st.index,
                    name=st.name,
                    kind=st.kind,
                    status=st.status,
                    reason=st.reason,
                    task_id=st.task_id,
                    task_name=tname,
                    task_path=f"{tp.full_name}/tasks/{st.task_id}" if tp else None,
                    model_version=await model_store.version_path(session, st.model_version_id),
                    model_version_id=st.model_version_id,
                    reused_from_run=st.reused_from_run,
                    started_at=st.started_at,
                    finished_at=st.finished_at,
                )
            )
        return out

    async def start_run(
        self,
        actor: Principal,
        owner: str,
        name: str,
        pipeline: str,
        body: ms.PipelineRunCreate,
    ) -> ms.PipelineRun:
        """一键运行: freeze the definition (re-read from the repository) and the commit."""
        async with self.sessions() as session:
            project, p = await self._pipeline(session, actor, owner, name, pipeline, s.Role.write)
            if p.source == "repo" and p.path:
                text, commit = await asyncio.to_thread(self._read_file, project, p.branch, p.path)
                definition = parse_definition(text, "path")
                p.definition = definition.model_dump_json(by_alias=True)
            else:
                definition = ms.PipelineDef.model_validate_json(p.definition)
                try:
                    _, commit = await asyncio.to_thread(
                        self.tasks._resolve_branch, project, p.branch
                    )
                except Invalid:
                    commit = ""
            await session.execute(
                update(Pipeline)
                .where(Pipeline.id == p.id)
                .values(num_runs=Pipeline.num_runs + 1, updated_at=utcnow())
            )
            number = int(
                await session.scalar(select(Pipeline.num_runs).where(Pipeline.id == p.id)) or 1
            )
            r = PipelineRunRow(
                pipeline_id=p.id,
                number=number,
                status="RUNNING",
                reason="",
                reuse=int(body.reuse),
                commit_id=commit or None,
                definition=definition.model_dump_json(by_alias=True),
                creator_id=actor.id if actor.id > 0 else None,
            )
            session.add(r)
            await session.flush()
            session.add_all(
                PipelineStepRow(
                    run_id=r.id, index=i, name=st.name, kind=st.kind, status="PENDING", reason=""
                )
                for i, st in enumerate(definition.steps)
            )
            await session.commit()
            run_id = r.id
        async with self._lock:
            await self.advance_run(run_id)
        return await self.get_run(actor, owner, name, str(run_id))

    async def list_runs(
        self, actor: Principal, owner: str, name: str, pipeline: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            project, p = await self._pipeline(session, actor, owner, name, pipeline)
            page = await paginate(
                session,
                select(PipelineRunRow)
                .where(PipelineRunRow.pipeline_id == p.id)
                .order_by(PipelineRunRow.id.desc()),
                req,
            )
            items = [await self._run_out(session, project, p, r) for r in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def _run(
        self, session: AsyncSession, actor: Principal, owner: str, name: str, run_id: str
    ) -> tuple[Project, Pipeline, PipelineRunRow]:
        project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
        r = await session.get(PipelineRunRow, int(run_id)) if run_id.isdigit() else None
        p = await session.get(Pipeline, r.pipeline_id) if r else None
        if r is None or p is None or p.project_id != project.id:
            raise NotFound(f"pipeline run {run_id}")
        return project, p, r

    async def get_run(self, actor: Principal, owner: str, name: str, run_id: str) -> ms.PipelineRun:
        async with self.sessions() as session:
            project, p, r = await self._run(session, actor, owner, name, run_id)
            await session.refresh(r)
            return await self._run_out(session, project, p, r)

    async def cancel_run(
        self, actor: Principal, owner: str, name: str, run_id: str
    ) -> ms.PipelineRun:
        async with self.sessions() as session:
            await self.projects.resolve(session, actor, owner, name, s.Role.write)
            _, _, r = await self._run(session, actor, owner, name, run_id)
            if r.status != "RUNNING":
                raise Conflict(f"the run has ended ({r.status})")
            running = await session.scalar(
                select(PipelineStepRow).where(
                    PipelineStepRow.run_id == r.id, PipelineStepRow.status == "RUNNING"
                )
            )
            task_id = running.task_id if running else None
            await self._fail(session, r.id, running, "CANCELLED", "cancelled")
            await session.commit()
        if task_id is not None:
            try:
                t_owner, t_name = await self._task_project(task_id)
                await self.tasks.stop(actor, t_owner, t_name, str(task_id))
            except DomainError:
                pass  # it ended meanwhile
        return await self.get_run(actor, owner, name, run_id)

    async def _task_project(self, task_id: int) -> tuple[str, str]:
        async with self.sessions() as session:
            t = await session.get(Task, task_id)
            p = await session.get(Project, t.project_id) if t else None
            if p is None:
                raise NotFound(f"task {task_id}")
            return p.owner.name, p.name

    # --- advancing -----------------------------------------------------------------------

    async def advance(self) -> bool:
        """Advance every running run (a scheduler hook: called after each pass); True while
        runs are running, so the scheduler keeps looking often."""
        if self._lock.locked():
            return True
        async with self._lock:
            async with self.sessions() as session:
                ids = (
                    await session.scalars(
                        select(PipelineRunRow.id)
                        .where(PipelineRunRow.status == "RUNNING")
                        .order_by(PipelineRunRow.id)
                        .limit(100)
                    )
                ).all()
            for run_id in ids:
                try:
                    await self.advance_run(run_id)
                except Exception:  # one broken run must not stop the others
                    log.exception("OpenI pipeline run %s could not advance", run_id)
        return bool(ids)

    async def _fail(
        self,
        session: AsyncSession,
        run_id: int,
        step: PipelineStepRow | None,
        run_status: str,
        reason: str,
    ) -> None:
        now = utcnow()
        if step is not None:
            await session.execute(
                update(PipelineStepRow)
                .where(PipelineStepRow.id == step.id)
                .values(status="FAILED", reason=reason, finished_at=now)
            )
        await session.execute(
            update(PipelineStepRow)
            .where(PipelineStepRow.run_id == run_id, PipelineStepRow.status == "PENDING")
            .values(status="SKIPPED", reason="an earlier step did not succeed")
        )
        where = f"step '{step.name}': " if step is not None else ""
        await session.execute(
            update(PipelineRunRow)
            .where(PipelineRunRow.id == run_id, PipelineRunRow.status == "RUNNING")
            .values(status=run_status, reason=f"{where}{reason}", finished_at=now)
        )

    async def advance_run(self, run_id: int) -> None:
        """Check the running step; start the next when it succeeded; stop at a failure."""
        for _ in range(32):  # REUSED and register steps finish at once: go on to the next
            async with self.sessions() as session:
                r = await session.get(PipelineRunRow, run_id)
                if r is None or r.status != "RUNNING":
                    return
                steps = list(
                    (
                        await session.scalars(
                            select(PipelineStepRow)
                            .where(PipelineStepRow.run_id == run_id)
                            .order_by(PipelineStepRow.index)
                        )
                    ).all()
                )
                current = next((st for st in steps if st.status not in DONE), None)
                if current is None:
                    await session.execute(
                        update(PipelineRunRow)
                        .where(PipelineRunRow.id == run_id, PipelineRunRow.status == "RUNNING")
                        .values(
                            status="SUCCEEDED", reason="every step succeeded", finished_at=utcnow()
                        )
                    )
                    await session.commit()
                    return
                if current.status == "RUNNING":
                    t = await session.get(Task, current.task_id) if current.task_id else None
                    if t is None and current.task_id is None and _starting(current):
                        return  # another server is creating its task
                    if t is None:
                        await self._fail(session, run_id, current, "FAILED", "its task was deleted")
                        await session.commit()
                        return
                    if t.status not in TASK_FINAL:
                        return  # still running
                    if t.status != "SUCCEEDED":
                        first = (t.reason or t.status).splitlines()[0]
                        await self._fail(
                            session, run_id, current, "FAILED", f"task {t.name} {t.status}: {first}"
                        )
                        await session.commit()
                        return
                    await session.execute(
                        update(PipelineStepRow)
                        .where(PipelineStepRow.id == current.id)
                        .values(status="SUCCEEDED", reason="", finished_at=utcnow())
                    )
                    await session.commit()
                    continue
                if current.status != "PENDING":  # FAILED or SKIPPED left behind: end the run
                    await self._fail(session, run_id, None, "FAILED", current.reason or "failed")
                    await session.commit()
                    return
                claimed = await session.execute(
                    update(PipelineStepRow)
                    .where(PipelineStepRow.id == current.id, PipelineStepRow.status == "PENDING")
                    .values(status="RUNNING", started_at=utcnow())
                )
                await session.commit()
                if claimed.rowcount != 1:  # type: ignore[attr-defined]
                    return  # another server started it
                step_id = current.id
                definition = ms.PipelineDef.model_validate_json(r.definition)
                spec = definition.steps[current.index]
                by_name = {st.name: st for st in steps}
            try:
                finished = await self._start_step(run_id, step_id, definition, spec, by_name)
            except DomainError as exc:
                async with self.sessions() as session:
                    st = await session.get(PipelineStepRow, step_id)
                    await self._fail(session, run_id, st, "FAILED", exc.message)
                    await session.commit()
                return
            if not finished:
                return

    async def _actor(self, session: AsyncSession, run: PipelineRunRow) -> Principal:
        a = await session.get(Account, run.creator_id) if run.creator_id else None
        if a is None:
            raise Conflict("the run's creator is gone")
        return Principal(id=a.id, username=a.name, is_admin=a.is_admin)

    async def _step_inputs(
        self,
        session: AsyncSession,
        project: Project,
        run: PipelineRunRow,
        spec: ms.PipelineStepDef,
        upstream: PipelineStepRow | None,
    ) -> tuple[dict[str, Any], str]:
        """(the inputs that decide the step's result, the commit its task uses)."""
        commit = run.commit_id or ""
        if spec.kind == "register":
            return {
                "kind": "register",
                "upstream": upstream.inputs_hash if upstream else None,
                "files": spec.files,
                "model": spec.model,
            }, commit
        if spec.branch:
            _, commit = await asyncio.to_thread(self.tasks._resolve_branch, project, spec.branch)
        ds_sha = (
            await session.scalar(select(DatasetFile.sha256).where(DatasetFile.id == spec.dataset))
            if spec.dataset is not None
            else None
        )
        return {
            "kind": spec.kind,
            "commit": commit,
            "boot_file": spec.boot_file,
            "spec": spec.spec,
            "image": spec.image,
            "dataset": ds_sha,
            "params": [p.model_dump() for p in spec.params],
            "model_version": upstream.model_version_id if upstream else None,
        }, commit

    async def _start_step(
        self,
        run_id: int,
        step_id: int,
        definition: ms.PipelineDef,
        spec: ms.PipelineStepDef,
        by_name: dict[str, PipelineStepRow],
    ) -> bool:
        """Start (or reuse, or for ``register`` do) one claimed step; True when it is done."""
        upstream = by_name.get(spec.from_) if spec.from_ else None
        async with self.sessions() as session:
            r = await session.get(PipelineRunRow, run_id)
            assert r is not None
            p = await session.get(Pipeline, r.pipeline_id)
            assert p is not None
            project = await session.get(Project, p.project_id)
            assert project is not None
            owner, pname = project.owner.name, project.name
            actor = await self._actor(session, r)
            values, commit = await self._step_inputs(session, project, r, spec, upstream)
            digest = inputs_hash(values)
            await session.execute(
                update(PipelineStepRow)
                .where(PipelineStepRow.id == step_id)
                .values(inputs_hash=digest)
            )
            await session.commit()
            if r.reuse:
                earlier = (
                    await session.execute(
                        select(PipelineStepRow, PipelineRunRow.number)
                        .join(PipelineRunRow, PipelineRunRow.id == PipelineStepRow.run_id)
                        .where(
                            PipelineRunRow.pipeline_id == p.id,
                            PipelineRunRow.id != run_id,
                            PipelineStepRow.name == spec.name,
                            PipelineStepRow.kind == spec.kind,
                            PipelineStepRow.inputs_hash == digest,
                            PipelineStepRow.status.in_(DONE),
                        )
                        .order_by(PipelineStepRow.id.desc())
                        .limit(1)
                    )
                ).first()
                if earlier is not None and (
                    earlier[0].task_id is not None or earlier[0].model_version_id is not None
                ):
                    prev, number = earlier
                    await session.execute(
                        update(PipelineStepRow)
                        .where(PipelineStepRow.id == step_id)
                        .values(
                            status="REUSED",
                            reason=f"inputs unchanged since run #{number}",
                            task_id=prev.task_id,
                            model_version_id=prev.model_version_id,
                            reused_from_run=number,
                            finished_at=utcnow(),
                        )
                    )
                    await session.commit()
                    return True
        if spec.kind == "register":
            assert upstream is not None
            if upstream.task_id is None:
                raise Conflict(f"step '{upstream.name}' has no task to import from")
            tags = " ".join(dict.fromkeys([*spec.tags.split(), "pipeline"]))
            version = await self.models.import_from_task(
                actor,
                owner,
                pname,
                ms.ModelImport(
                    task_id=upstream.task_id,
                    files=spec.files,
                    name=spec.model or definition.name,
                    tags=tags,
                    description=f"pipeline {definition.name}, run {run_id}",
                ),
            )
            async with self.sessions() as session:
                await session.execute(
                    update(PipelineStepRow)
                    .where(PipelineStepRow.id == step_id)
                    .values(
                        status="SUCCEEDED",
                        model_version_id=version.id,
                        task_id=upstream.task_id,
                        finished_at=utcnow(),
                    )
                )
                await session.commit()
            return True
        assert spec.boot_file is not None and spec.spec is not None
        body = s.TaskCreate(
            kind=s.TaskKind(spec.kind),
            name=task_name(definition.name, run_id, spec.name),
            description=f"pipeline {definition.name}, step {spec.name}",
            branch=spec.branch,
            commit=commit or None,
            image=spec.image,
            spec=spec.spec,
            boot_file=spec.boot_file,
            dataset=spec.dataset,
            params=spec.params,
            model_version=upstream.model_version_id if upstream else None,
        )
        task = await self.tasks.create(actor, owner, pname, body)
        async with self.sessions() as session:
            await session.execute(
                update(PipelineStepRow).where(PipelineStepRow.id == step_id).values(task_id=task.id)
            )
            await session.commit()
        return False
