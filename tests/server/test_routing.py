"""The grouped API routes pick the same handler as the flat list Jupyter registered."""

from __future__ import annotations

import re
from typing import Any

import pytest
from jupyter_server.utils import url_path_join
from tornado import httputil, web
from tornado.routing import RuleRouter

from openi_lab_server.api import ROUTE_TABLE, NotFoundHandler, routes
from openi_lab_server.api.models import RawUploadHandler
from openi_lab_server.api.routing import GroupRouter, group_key, template_key
from openi_lab_server.git.smart_http import InfoRefsHandler, RpcHandler


@pytest.fixture
def database_url(tmp_path: Any) -> str:
    """Routing has nothing to do with the database: SQLite only."""
    return f"sqlite:///{tmp_path}/openi.db"


def _sample(template: str) -> str:
    """A path the template matches: ``{x}`` → one segment, ``{x*}`` → two."""
    path = re.sub(r"\{\w+\*\}", "some/deep.txt", template)
    return re.sub(r"\{\w+\}", "a-b_1", path)


def _handler(app: web.Application, path: str, method: str = "GET") -> type | None:
    start = httputil.RequestStartLine(method, path, "HTTP/1.1")
    headers = httputil.HTTPHeaders({"Host": "localhost"})
    delegate = app.find_handler(httputil.HTTPServerRequest(start_line=start, headers=headers))
    return getattr(delegate, "handler_class", None)


def _group_routers(app: web.Application) -> list[GroupRouter]:
    found = []
    for outer in app.default_router.rules:
        for rule in getattr(outer.target, "rules", None) or []:
            if isinstance(rule.target, GroupRouter):
                found.append(rule.target)
    return found


def test_every_route_resolves_as_in_the_flat_list(jp_serverapp: Any) -> None:
    app, base = jp_serverapp.web_app, jp_serverapp.base_url
    assert len(_group_routers(app)) == 1, "the server's API routes were not grouped"
    # what Jupyter registered, tried one by one
    flat = web.Application([(url_path_join(base, p), h) for p, h in routes()])
    paths = [_sample(t) for t, _ in ROUTE_TABLE]
    paths += [p + "/" for p in paths]  # every route takes a trailing slash
    paths += [
        "/no-such-thing",
        "/projects/a/b/no-such-resource/x",
        "/projects/a/b/models/m/versions/1.0.0/no-such-action",
        "/",
    ]
    for path in paths:
        url = url_path_join(base, "openi/api/v1") + path
        assert _handler(app, url) is _handler(flat, url), path
    api = url_path_join(base, "openi/api/v1")
    assert _handler(app, api + "/no-such-thing") is NotFoundHandler
    assert _handler(app, api + "/projects/a/b/models/upload") is RawUploadHandler


def test_git_routes_stay_ahead_of_the_api(jp_serverapp: Any) -> None:
    app, git = jp_serverapp.web_app, url_path_join(jp_serverapp.base_url, "openi/git")
    assert _handler(app, git + "/alice/repo.git/info/refs") is InfoRefsHandler
    assert _handler(app, git + "/alice/repo.git/git-upload-pack", "POST") is RpcHandler


def test_group_of_a_path() -> None:
    assert group_key("projects/alice/demo/models/m/versions") == "projects/models"
    assert group_key("projects/alice/demo") == "projects"
    assert group_key("projects/alice/demo/") == "projects"
    assert group_key("model-versions/alice/demo/m@latest") == "model-versions"
    assert template_key("/projects/{owner}/{name}/tasks/{task_id}") == "projects/tasks"


def test_a_route_with_a_parameter_as_its_group_is_refused() -> None:
    with pytest.raises(ValueError, match="literal"):
        template_key("/{kind}/list")
    with pytest.raises(ValueError, match="literal"):
        template_key("/projects/{owner}/{name}/{resource}")
    with pytest.raises(ValueError, match="literal"):
        template_key("/projects/{rest*}/models")


def test_grouping_leaves_a_router_without_the_api_alone() -> None:
    from openi_lab_server.api.routing import group_api_rules

    app = web.Application([("/x", web.RequestHandler)])
    before = [r.target for r in app.default_router.rules]
    assert not group_api_rules(app, "/", "/openi/api/v1", [("/openi/api/v1/y/?", "/y")])
    assert [r.target for r in app.default_router.rules] == before
    assert isinstance(app.default_router, RuleRouter)
