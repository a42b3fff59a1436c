"""/projects: listing and reading; code hosting adds creation with a repository."""

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


class ProjectHandler(BaseHandler):
    @endpoint("One project, with the caller's role", tag="projects", response=s.Project)
    async def get(self, owner: str, name: str) -> s.Project:
        return await self.platform.projects.get(self.actor, owner, name)
