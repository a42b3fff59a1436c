"""/projects: list, create (with a git repository), read, change, delete."""

from __future__ import annotations

from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class ProjectsHandler(BaseHandler):
    @endpoint(
        "Projects the caller may see, recently updated first",
        tag="projects",
        response=s.Page[s.Project],
        query=("owner", "q", "page", "per_page"),
    )
    async def get(self):
        return await self.platform.projects.list(
            self.actor, self.page_request(), owner=self.str_arg("owner"), q=self.str_arg("q")
        )

    @endpoint(
        "Create a project with its git repository (empty, or with README/.gitignore/licence)",
        tag="projects",
        body=s.RepoCreate,
        response=s.Project,
        status=201,
    )
    async def post(self, body: s.RepoCreate) -> s.Project:
        return await self.platform.repos.create(self.actor, body)


class ProjectHandler(BaseHandler):
    @endpoint("One project, with the caller's role", tag="projects", response=s.Project)
    async def get(self, owner: str, name: str) -> s.Project:
        return await self.platform.projects.get(self.actor, owner, name)

    @endpoint(
        "Change name, description, visibility, topics, archived, default branch (admins)",
        tag="projects",
        body=s.RepoUpdate,
        response=s.Project,
    )
    async def patch(self, body: s.RepoUpdate, owner: str, name: str) -> s.Project:
        return await self.platform.repos.update(self.actor, owner, name, body)

    @endpoint("Delete a project and its repository (owners)", tag="projects", status=204)
    async def delete(self, owner: str, name: str) -> None:
        await self.platform.repos.delete(self.actor, owner, name)
