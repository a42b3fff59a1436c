"""/projects/…: fork, transfer, import, star/watch, protection, clone to workspace."""

from __future__ import annotations

import tempfile
from pathlib import Path

from tornado import web

from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class TransferHandler(BaseHandler):
    @endpoint(
        "Transfer to another user or organisation (owners)",
        tag="repos",
        body=s.Transfer,
        response=s.Project,
    )
    async def post(self, body: s.Transfer, owner: str, name: str) -> s.Project:
        return await self.platform.repos.transfer(self.actor, owner, name, body.new_owner)


class ForksHandler(BaseHandler):
    @endpoint("Forks of a project (派生)", tag="repos", response=s.Page[s.Project], query=("page",))
    async def get(self, owner: str, name: str):
        return await self.platform.repos.list_forks(self.actor, owner, name, self.page_request())

    @endpoint("Fork a project", tag="repos", body=s.ForkCreate, response=s.Project, status=201)
    async def post(self, body: s.ForkCreate, owner: str, name: str) -> s.Project:
        return await self.platform.repos.fork(self.actor, owner, name, body)


class SubscriptionHandler(BaseHandler):
    @endpoint("Whether I star (点赞) and watch (关注) it", tag="repos", response=s.StarState)
    async def get(self, owner: str, name: str) -> s.StarState:
        starred, watching = await self.platform.repos.starred(self.actor, owner, name)
        project = await self.platform.projects.get(self.actor, owner, name)
        return s.StarState(
            starred=starred,
            watching=watching,
            num_stars=project.num_stars,
            num_watches=project.num_watches,
        )


class StarHandler(BaseHandler):
    @endpoint("Star", tag="repos", response=s.Project)
    async def put(self, owner: str, name: str) -> s.Project:
        return await self.platform.repos.set_star(self.actor, owner, name, True)

    @endpoint("Unstar", tag="repos", response=s.Project)
    async def delete(self, owner: str, name: str) -> s.Project:
        return await self.platform.repos.set_star(self.actor, owner, name, False)


class WatchHandler(BaseHandler):
    @endpoint("Watch", tag="repos", response=s.Project)
    async def put(self, owner: str, name: str) -> s.Project:
        return await self.platform.repos.set_watch(self.actor, owner, name, True)

    @endpoint("Unwatch", tag="repos", response=s.Project)
    async def delete(self, owner: str, name: str) -> s.Project:
        return await self.platform.repos.set_watch(self.actor, owner, name, False)


class ProtectionsHandler(BaseHandler):
    @endpoint("Protected branches", tag="repos", response=list[s.Protection])
    async def get(self, owner: str, name: str) -> list[s.Protection]:
        return await self.platform.repos.protections(self.actor, owner, name)


class ProtectionHandler(BaseHandler):
    @endpoint("Protect a branch (admins)", tag="repos", body=s.ProtectionSet, response=s.Protection)
    async def put(self, body: s.ProtectionSet, owner: str, name: str, branch: str):
        return await self.platform.repos.protect(self.actor, owner, name, branch, body)

    @endpoint("Unprotect a branch (admins)", tag="repos", status=204)
    async def delete(self, owner: str, name: str, branch: str) -> None:
        await self.platform.repos.unprotect(self.actor, owner, name, branch)


class StarredHandler(BaseHandler):
    @endpoint(
        "Projects I starred, latest first", tag="repos", response=s.Page[s.Project], query=("page",)
    )
    async def get(self):
        return await self.platform.repos.starred_by(self.actor, self.page_request())


class ImportHandler(BaseHandler):
    @endpoint(
        "Create a project with a copy of another project's history",
        tag="repos",
        body=s.RepoImport,
        response=s.Project,
        status=201,
    )
    async def post(self, body: s.RepoImport) -> s.Project:
        return await self.platform.repos.import_from(self.actor, body)


@web.stream_request_body
class BundleHandler(BaseHandler):
    """POST a ``git bundle`` file as the raw body into an empty project; streamed to disk."""

    _file = None

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self._finished or self.request.method != "POST" or self._actor is None:
            return
        self.request.connection.set_max_body_size(2 << 30)  # type: ignore[union-attr]
        tmp_dir = Path(self.openi_app.data_dir) / "tmp"
        tmp_dir.mkdir(parents=True, exist_ok=True)
        self._file = tempfile.NamedTemporaryFile(dir=tmp_dir, suffix=".bundle", delete=False)  # noqa: SIM115

    async def data_received(self, chunk: bytes) -> None:
        if self._file is not None:
            self._file.write(chunk)

    def on_finish(self) -> None:
        if self._file is not None:
            self._file.close()
            Path(self._file.name).unlink(missing_ok=True)

    @endpoint("Import a git bundle into an empty project", tag="repos", response=s.Project)
    async def post(self, owner: str, name: str) -> s.Project:
        assert self._file is not None
        self._file.flush()
        return await self.platform.repos.import_bundle(
            self.actor, owner, name, Path(self._file.name)
        )


class WorkspaceCloneHandler(BaseHandler):
    @endpoint(
        "Clone into the Jupyter workspace with a push-ready remote",
        tag="repos",
        body=s.WorkspaceClone,
        response=s.WorkspaceCloned,
        status=201,
    )
    async def post(self, body: s.WorkspaceClone, owner: str, name: str) -> s.WorkspaceCloned:
        serverapp = self.settings["serverapp"]
        root = self.settings.get("server_root_dir") or serverapp.root_dir
        me = await self.platform.accounts.me(self.actor)
        author = (me.full_name or me.username, me.email or f"{me.username}@users.openi.local")
        return await self.platform.workspace.clone(
            self.actor, owner, name, root, body.path, serverapp.connection_url, author
        )
