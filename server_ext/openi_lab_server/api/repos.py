"""/projects: create with a repository, settings, fork, transfer, star/watch, protection."""

from __future__ import annotations

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
