"""The REST API under /openi/api/v1: one module per resource, all handlers thin."""

from __future__ import annotations

from typing import Any

from jupyter_server.utils import url_path_join
from tornado import web

from ..git.smart_http import git_routes
from . import (
    browse,
    dashboard,
    datasets,
    explore,
    feed,
    images,
    models,
    openapi,
    orgs,
    pipelines,
    projects,
    pulls,
    releases,
    repos,
    search,
    tasks,
    teams,
    tokens,
    tracker,
    users,
    workspace,
)
from .base import API_PREFIX, BaseHandler, path_regex
from .routing import group_api_rules

#: (path template, handler): the single source of the routes and of the OpenAPI paths.
ROUTE_TABLE: list[tuple[str, type[BaseHandler]]] = [
    ("/openapi.json", openapi.OpenAPIHandler),
    ("/user", users.MeHandler),
    ("/user/orgs", users.MyOrgsHandler),
    ("/user/tokens", tokens.TokensHandler),
    ("/user/tokens/{token_id}", tokens.TokenHandler),
    ("/users", users.UsersHandler),
    ("/users/{username}", users.UserHandler),
    ("/users/{username}/orgs", users.UserOrgsHandler),
    ("/orgs", orgs.OrgsHandler),
    ("/orgs/{org}", orgs.OrgHandler),
    ("/orgs/{org}/members", orgs.OrgMembersHandler),
    ("/orgs/{org}/members/{username}", orgs.OrgMemberHandler),
    ("/orgs/{org}/teams", teams.TeamsHandler),
    ("/orgs/{org}/teams/{team}", teams.TeamHandler),
    ("/orgs/{org}/teams/{team}/members", teams.TeamMembersHandler),
    ("/orgs/{org}/teams/{team}/members/{username}", teams.TeamMemberHandler),
    ("/user/starred", repos.StarredHandler),
    ("/projects", projects.ProjectsHandler),
    ("/projects/import", repos.ImportHandler),
    ("/projects/{owner}/{name}", projects.ProjectHandler),
    ("/projects/{owner}/{name}/transfer", repos.TransferHandler),
    ("/projects/{owner}/{name}/bundle", repos.BundleHandler),
    ("/projects/{owner}/{name}/workspace-clone", repos.WorkspaceCloneHandler),
    ("/projects/{owner}/{name}/forks", repos.ForksHandler),
    ("/projects/{owner}/{name}/subscription", repos.SubscriptionHandler),
    ("/projects/{owner}/{name}/star", repos.StarHandler),
    ("/projects/{owner}/{name}/watch", repos.WatchHandler),
    ("/projects/{owner}/{name}/protections", repos.ProtectionsHandler),
    ("/projects/{owner}/{name}/protections/{branch}", repos.ProtectionHandler),
    ("/projects/{owner}/{name}/branches", browse.BranchesHandler),
    ("/projects/{owner}/{name}/tags", browse.TagsHandler),
    ("/projects/{owner}/{name}/tree", browse.TreeHandler),
    ("/projects/{owner}/{name}/file", browse.FileHandler),
    ("/projects/{owner}/{name}/raw", browse.RawHandler),
    ("/projects/{owner}/{name}/blob/{rest*}", browse.BlobHandler),
    ("/projects/{owner}/{name}/commits", browse.CommitsHandler),
    ("/projects/{owner}/{name}/commits/{sha}", browse.CommitHandler),
    ("/projects/{owner}/{name}/compare", browse.CompareHandler),
    ("/projects/{owner}/{name}/readme", browse.ReadmeHandler),
    ("/projects/{owner}/{name}/render", browse.RenderHandler),
    ("/projects/{owner}/{name}/counts", browse.CountsHandler),
    *tracker.ROUTES,
    *pulls.ROUTES,
    *releases.ROUTES,
    *datasets.ROUTES,
    *tasks.ROUTES,
    *models.ROUTES,
    *pipelines.ROUTES,
    *images.ROUTES,
    *feed.ROUTES,
    *explore.ROUTES,
    *search.ROUTES,
    *dashboard.ROUTES,
    *workspace.ROUTES,
]


class NotFoundHandler(BaseHandler):
    """Unknown API paths answer a JSON 404 rather than the lab's HTML page."""

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if not self._finished:
            self.fail(404, f"no such API endpoint: {self.request.path}")


def _pattern(template: str) -> str:
    return url_path_join(API_PREFIX, path_regex(template)) + "/?"


def routes() -> list[tuple[str, Any]]:
    table: list[tuple[str, Any]] = git_routes()
    table += [(_pattern(t), h) for t, h in ROUTE_TABLE]
    table.append((url_path_join(API_PREFIX, ".*"), NotFoundHandler))
    return table


def group_routes(app: web.Application, base_url: str) -> bool:
    """Once Jupyter has added :func:`routes`: the API's rules grouped for one dict lookup
    per request (see :mod:`.routing`)."""
    try:
        return group_api_rules(
            app, base_url, API_PREFIX, [(_pattern(t), t) for t, _ in ROUTE_TABLE]
        )
    except ValueError:  # a route that cannot be grouped: the flat list still serves
        return False
