"""Repositories (代码): create, import, fork, rename, transfer, archive, delete; stars and
watches; branch protection; who may use git over HTTP, and what a push records."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import schemas as s

from ..db.models import Account, Project
from ..db.repo_models import BranchProtection, Star, Watch
from ..git import names
from ..git.cli import run_git
from ..git.store import Author, RepoStore
from . import activity
from .errors import Conflict, Forbidden, Invalid, NotFound, Unauthorized
from .pagination import PageRequest, PageResult, paginate
from .permissions import ROLE_RANK, at_least, resource_role, visible_owner_clause
from .principal import Principal
from .projects import ProjectService, project_out

ANONYMOUS = Principal(id=-1, username="anonymous", scopes=frozenset({s.Scope.read}))
GITIGNORE = {
    "python": b"__pycache__/\n*.py[cod]\n.ipynb_checkpoints/\n.venv/\ndist/\nbuild/\n*.egg-info/\n",
}
LICENSES = {
    "mit": "MIT License\n\nCopyright (c) {year} {owner}\n\nPermission is hereby granted, free of "
    "charge, to any person obtaining a copy of this software and associated documentation "
    'files (the "Software"), to deal in the Software without restriction, including without '
    "limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or "
    "sell copies of the Software, subject to the conditions in the full MIT License text.\n",
    "apache-2.0": "Copyright {year} {owner}\n\nLicensed under the Apache License, Version 2.0 "
    '(the "License"); you may not use this file except in compliance with the License.\n'
    "You may obtain a copy of the License at http://www.apache.org/licenses/LICENSE-2.0\n",
}


@dataclass
class GitAccess:
    """What the git transport needs after authorisation."""

    project_id: int
    path: Path
    role: s.Role
    principal: Principal
    env: dict[str, str] = field(default_factory=dict)
    max_push_bytes: int = 2 << 30


class RepoService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        store: RepoStore,
    ):
        self.sessions = sessions
        self.projects = projects
        self.store = store
        #: called after a push with the project id and the refs that moved
        self.push_hooks: list[Callable[[int, list[str]], Awaitable[None]]] = []

    # --- create, fork -------------------------------------------------------------------

    async def create(self, actor: Principal, body: s.RepoCreate) -> s.Project:
        """A project with its bare repository; with ``auto_init``, a first commit."""
        project = await self.projects.create(actor, body)
        files: dict[str, bytes] = {}
        if body.auto_init:
            files["README.md"] = f"# {body.name}\n\n{body.description}\n".encode()
        if body.gitignore:
            files[".gitignore"] = GITIGNORE[body.gitignore]
        if body.license:
            text = LICENSES[body.license].format(year=datetime.now(UTC).year, owner=project.owner)
            files["LICENSE"] = text.encode()
        author = await self._author(actor)
        try:
            await asyncio.to_thread(
                self.store.create, project.id, body.default_branch, files or None, author
            )
        except Exception:
            await self._drop_project(project.id)  # no project row without its repository
            raise
        if files:
            await self._touch_pushed(project.id)
        return await self.projects.get(actor, project.owner, project.name)

    async def fork(self, actor: Principal, owner: str, name: str, body: s.ForkCreate) -> s.Project:
        async with self.sessions() as session:
            parent, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            parent_id, parent_desc, parent_branch = (
                parent.id,
                parent.description,
                parent.default_branch,
            )
        create = s.ProjectCreate(
            owner=body.owner or actor.username,
            name=body.name or name,
            description=parent_desc,
            visibility=s.Visibility.public if body.visibility is None else body.visibility,
        )
        fork = await self.projects.create(actor, create)
        try:
            await asyncio.to_thread(self.store.fork, parent_id, fork.id)
        except Exception:
            await self._drop_project(fork.id)
            raise
        async with self.sessions() as session:
            await session.execute(
                update(Project)
                .where(Project.id == fork.id)
                .values(fork_parent_id=parent_id, default_branch=parent_branch)
            )
            await session.execute(
                update(Project)
                .where(Project.id == parent_id)
                .values(num_forks=Project.num_forks + 1)
            )
            session.add(activity.event(actor, parent_id, "fork", fork=fork.full_name))
            await session.commit()
        return await self.projects.get(actor, fork.owner, fork.name)

    async def import_from(self, actor: Principal, body: s.RepoImport) -> s.Project:
        """A new project with a full copy of another project's history (not a fork)."""
        owner, _, name = body.source.partition("/")
        async with self.sessions() as session:
            source, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            source_id, branch = source.id, source.default_branch
        create = s.ProjectCreate(
            owner=body.owner, name=body.name, description=body.description,
            visibility=body.visibility,
        )  # fmt: skip
        project = await self.projects.create(actor, create)
        try:
            await asyncio.to_thread(self.store.fork, source_id, project.id)
        except Exception:
            await self._drop_project(project.id)
            raise
        async with self.sessions() as session:
            await session.execute(
                update(Project)
                .where(Project.id == project.id)
                .values(default_branch=branch, pushed_at=datetime.now(UTC))
            )
            await session.commit()
        return await self.projects.get(actor, project.owner, project.name)

    async def import_bundle(
        self, actor: Principal, owner: str, name: str, bundle: Path
    ) -> s.Project:
        """Fill an empty project from a ``git bundle`` file (verified first)."""
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            pid = project.id
        path = self.store.path(pid)
        code, out = await run_git("bundle", "verify", str(bundle), cwd=path)
        if code != 0:
            reason = (out.strip().splitlines() or ["not a git bundle"])[-1]
            raise Invalid("body", f"not a valid git bundle: {reason}")
        code, out = await run_git("show-ref", cwd=path)
        if out.strip():
            raise Conflict(f"{owner}/{name} is not empty; import into a new project")
        code, out = await run_git("fetch", "-q", str(bundle), "+refs/heads/*:refs/heads/*",
                               "+refs/tags/*:refs/tags/*", cwd=path)  # fmt: skip
        if code != 0:
            raise Invalid("body", "the bundle could not be imported: " + out.strip()[-300:])
        branches = (
            await run_git("for-each-ref", "--format=%(refname:short)", "refs/heads", cwd=path)
        )[1].split()
        async with self.sessions() as session:
            row = await session.get(Project, pid)
            assert row is not None
            if branches and row.default_branch not in branches:
                row.default_branch = "main" if "main" in branches else branches[0]
                await asyncio.to_thread(self._set_head, pid, row.default_branch)
            row.pushed_at = datetime.now(UTC)
            await session.commit()
        return await self.projects.get(actor, owner, name)

    async def starred_by(self, actor: Principal, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            stmt = (
                select(Project)
                .join(Star, Star.project_id == Project.id)
                .where(Star.user_id == actor.id)
                .where(visible_owner_clause(actor, Project.owner_id, Project.visibility))
                .order_by(Star.created_at.desc())
            )
            page = await paginate(session, stmt, req)
        return PageResult(
            [project_out(p) for p in page.items], page.total, page.page, page.per_page
        )

    async def list_forks(
        self, actor: Principal, owner: str, name: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            parent, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = (
                select(Project)
                .where(Project.fork_parent_id == parent.id)
                .where(visible_owner_clause(actor, Project.owner_id, Project.visibility))
                .order_by(Project.created_at.desc())
            )
            page = await paginate(session, stmt, req)
        return PageResult(
            [project_out(p) for p in page.items], page.total, page.page, page.per_page
        )

    # --- settings -----------------------------------------------------------------------

    async def update(
        self, actor: Principal, owner: str, name: str, body: s.RepoUpdate
    ) -> s.Project:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.admin)
            changes = body.model_dump(exclude_unset=True)
            for key, value in changes.items():
                if value is None:
                    raise Invalid(key, "may not be null")
            if "name" in changes:
                project.name, project.lower_name = body.name, body.name.lower()  # type: ignore[assignment,union-attr]
            if "description" in changes:
                project.description = body.description or ""
            if "visibility" in changes:
                project.visibility = body.visibility.value  # type: ignore[union-attr]
            if "topics" in changes:
                project.topics = " ".join(body.topics or [])
            if "archived" in changes:
                project.is_archived = bool(body.archived)
            if "default_branch" in changes:
                branch = names.check_branch(body.default_branch or "", "default_branch")
                await asyncio.to_thread(self._set_head, project.id, branch)
                project.default_branch = branch
            new_name = project.name
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(f"'{owner}/{new_name}' already exists", [("name", "taken")]) from exc
        return await self.projects.get(actor, owner, new_name)

    def _set_head(self, project_id: int, branch: str) -> None:
        repo = self.store.open(project_id)
        try:
            if b"refs/heads/" + branch.encode() not in repo.refs:
                raise Invalid("default_branch", f"no branch named '{branch}'")
            repo.refs.set_symbolic_ref(b"HEAD", b"refs/heads/" + branch.encode())
        finally:
            repo.close()

    async def transfer(self, actor: Principal, owner: str, name: str, new_owner: str) -> s.Project:
        """Move to another owner: the actor must own the project and be able to create there."""
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.owner)
            target = await session.scalar(
                select(Account).where(Account.lower_name == new_owner.lower())
            )
            if target is None:
                raise Invalid("new_owner", f"no user or organisation named '{new_owner}'")
            if not at_least(await resource_role(session, actor, target, "private"), s.Role.write):
                raise Forbidden(f"you cannot create projects in {target.name}")
            project.owner_id = target.id
            target_name, project_name = target.name, project.name
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(f"{target_name} already has a project named {project_name}") from exc
        return await self.projects.get(actor, target_name, project_name)

    async def delete(self, actor: Principal, owner: str, name: str) -> None:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.owner)
            project_id, parent_id = project.id, project.fork_parent_id
            await session.delete(project)
            if parent_id is not None:
                await session.execute(
                    update(Project)
                    .where(Project.id == parent_id, Project.num_forks > 0)
                    .values(num_forks=Project.num_forks - 1)
                )
            await session.commit()
        await asyncio.to_thread(self.store.delete, project_id)

    # --- stars and watches --------------------------------------------------------------

    async def set_star(self, actor: Principal, owner: str, name: str, on: bool) -> s.Project:
        return await self._toggle(actor, owner, name, on, Star, "num_stars", "star")

    async def set_watch(self, actor: Principal, owner: str, name: str, on: bool) -> s.Project:
        return await self._toggle(actor, owner, name, on, Watch, "num_watches", None)

    async def _toggle(
        self,
        actor: Principal,
        owner: str,
        name: str,
        on: bool,
        table: type[Star] | type[Watch],
        counter: str,
        event: str | None,
    ) -> s.Project:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            exists = await session.scalar(
                select(table.id).where(table.project_id == project.id, table.user_id == actor.id)
            )
            if on and exists is None:
                session.add(table(project_id=project.id, user_id=actor.id))
                if event:
                    session.add(activity.event(actor, project.id, event))
            elif not on and exists is not None:
                await session.execute(delete(table).where(table.id == exists))
            count = select(func.count()).where(table.project_id == project.id).scalar_subquery()
            await session.flush()
            await session.execute(
                update(Project).where(Project.id == project.id).values({counter: count})
            )
            try:
                await session.commit()
            except IntegrityError:  # a double click: the other request already did it
                await session.rollback()
        return await self.projects.get(actor, owner, name)

    async def starred(self, actor: Principal, owner: str, name: str) -> tuple[bool, bool]:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            star = await session.scalar(
                select(Star.id).where(Star.project_id == project.id, Star.user_id == actor.id)
            )
            watch = await session.scalar(
                select(Watch.id).where(Watch.project_id == project.id, Watch.user_id == actor.id)
            )
            return star is not None, watch is not None

    # --- branch protection --------------------------------------------------------------

    async def protections(self, actor: Principal, owner: str, name: str) -> list[s.Protection]:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            rows = await session.scalars(
                select(BranchProtection)
                .where(BranchProtection.project_id == project.id)
                .order_by(BranchProtection.branch)
            )
            return [s.Protection.model_validate(r) for r in rows]

    async def protect(
        self, actor: Principal, owner: str, name: str, branch: str, body: s.ProtectionSet
    ) -> s.Protection:
        names.check_branch(branch)
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.admin)
            row = await session.scalar(
                select(BranchProtection).where(
                    BranchProtection.project_id == project.id, BranchProtection.branch == branch
                )
            )
            if row is None:
                row = BranchProtection(project_id=project.id, branch=branch)
                session.add(row)
            row.allow_force_push = body.allow_force_push
            row.allow_deletion = body.allow_deletion
            row.push_role = body.push_role.value
            await session.commit()
            return s.Protection.model_validate(row)

    async def unprotect(self, actor: Principal, owner: str, name: str, branch: str) -> None:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.admin)
            result = await session.execute(
                delete(BranchProtection).where(
                    BranchProtection.project_id == project.id, BranchProtection.branch == branch
                )
            )
            if not getattr(result, "rowcount", 0):
                raise NotFound(f"protection of '{branch}'")
            await session.commit()

    # --- git over HTTP ------------------------------------------------------------------

    async def git_access(
        self, principal: Principal | None, owner: str, name: str, write: bool
    ) -> GitAccess:
        """Who may fetch or push: anonymous reads public repos; pushes need a write token."""
        actor = principal or ANONYMOUS
        async with self.sessions() as session:
            try:
                project, role = await self.projects.resolve(
                    session, actor, owner, name, s.Role.read
                )
            except NotFound:
                if principal is None:  # let git ask for credentials, as GitHub does
                    raise Unauthorized("authentication required") from None
                raise
            if write:
                if principal is None:
                    raise Unauthorized("pushing needs a personal access token")
                if not principal.allows(s.Scope.write):
                    raise Forbidden("this token lacks the 'write' scope")
                if not at_least(role, s.Role.write):
                    raise Forbidden(f"you have read access only to {owner}/{name}")
                if project.is_archived:
                    raise Forbidden(f"{owner}/{name} is archived: it is read-only")
            rules = (
                await session.scalars(
                    select(BranchProtection).where(BranchProtection.project_id == project.id)
                )
            ).all()
            project_id = project.id
        if not await asyncio.to_thread(self.store.exists, project_id):
            raise NotFound(f"repository of '{owner}/{name}'")
        env = {"OPENI_NOFORCE_REFS": "", "OPENI_NODELETE_REFS": "", "OPENI_READONLY_REFS": ""}
        for rule in rules:
            ref = f"refs/heads/{rule.branch}"
            if not rule.allow_force_push:
                env["OPENI_NOFORCE_REFS"] += f" {ref}"
            if not rule.allow_deletion:
                env["OPENI_NODELETE_REFS"] += f" {ref}"
            if ROLE_RANK[role] < ROLE_RANK[s.Role(rule.push_role)]:
                env["OPENI_READONLY_REFS"] += f" {ref}"
        return GitAccess(project_id, self.store.path(project_id), role, actor, env)

    async def record_push(self, access: GitAccess, commands: list[tuple[str, str, str]]) -> None:
        """After receive-pack: an activity per ref that really moved, and pushed_at."""
        moved = await asyncio.to_thread(self._moved_refs, access.project_id, commands)
        if not moved:
            return
        for hook in self.push_hooks:  # e.g. pull requests whose branches moved
            await hook(access.project_id, [ref for ref, *_ in moved])
        async with self.sessions() as session:
            for ref, old, new, count in moved:
                session.add(
                    activity.event(
                        access.principal,
                        access.project_id,
                        "push",
                        ref=ref,
                        before=old,
                        after=new,
                        commits=count,
                    )
                )
            await session.execute(
                update(Project)
                .where(Project.id == access.project_id)
                .values(pushed_at=datetime.now(UTC), updated_at=datetime.now(UTC))
            )
            await session.commit()

    def _moved_refs(
        self, project_id: int, commands: list[tuple[str, str, str]]
    ) -> list[tuple[str, str, str, int]]:
        from dulwich.walk import Walker

        repo = self.store.open(project_id)
        try:
            moved = []
            refs = repo.refs.as_dict()
            for old, new, ref in commands:
                current = refs.get(ref.encode())
                now = current.decode() if current else "0" * 40
                if now != new:
                    continue  # rejected by git or the hook
                count = 0
                if new != "0" * 40:
                    # new commits only: not reachable from the old tip or any other branch
                    exclude = [old.encode()] if old != "0" * 40 else []
                    exclude += [
                        sha
                        for name, sha in refs.items()
                        if name.startswith(b"refs/heads/") and name != ref.encode()
                    ]
                    count = sum(
                        1 for _ in Walker(repo.object_store, [new.encode()], exclude=exclude)
                    )
                moved.append((ref, old, new, count))
            return moved
        finally:
            repo.close()

    # --- helpers ------------------------------------------------------------------------

    async def _author(self, actor: Principal) -> Author:
        async with self.sessions() as session:
            user = await session.get(Account, actor.id)
        if user is None:
            return Author(actor.username, f"{actor.username}@users.openi.local")
        return Author(user.full_name or user.name, user.email or f"{user.name}@users.openi.local")

    async def _touch_pushed(self, project_id: int) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(Project).where(Project.id == project_id).values(pushed_at=datetime.now(UTC))
            )
            await session.commit()

    async def _drop_project(self, project_id: int) -> None:
        async with self.sessions() as session:
            await session.execute(delete(Project).where(Project.id == project_id))
            await session.commit()
