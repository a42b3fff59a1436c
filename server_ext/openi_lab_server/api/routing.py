"""The API's routes grouped by their first literal segments, for one dict lookup per request.

Tornado tries a server's URL rules one by one, so a request to the last of the platform's
~140 API routes ran ~140 regular expressions (0.1 ms of a 1.5 ms request here). Jupyter
registers an extension's routes as a flat list (and checks each handler's authentication
there), so the flat rules are regrouped in place afterwards: every API route is picked
by its group, the path's first segment below ``/openi/api/v1`` or, below
``/projects/{owner}/{name}/``, the resource segment after them (``models``, ``tasks`` …),
and only that group's rules are tried, in their original order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from jupyter_server.utils import url_path_join
from tornado import httputil, web
from tornado.routing import PathMatches, Router, Rule

#: a template's segments that name its group must be literal: ``/projects/{owner}/{name}/X``
_PROJECT_RESOURCE = 3


def group_key(path: str) -> str:
    """The group of a path below the API prefix (no leading slash): its first segment, or
    ``projects/<X>`` for a project's resource ``projects/{owner}/{name}/<X>/…``."""
    segs = path.strip("/").split("/", _PROJECT_RESOURCE + 1)
    if segs[0] == "projects" and len(segs) > _PROJECT_RESOURCE:
        return f"projects/{segs[_PROJECT_RESOURCE]}"
    return segs[0]


def template_key(template: str) -> str:
    """:func:`group_key` of every path a route template matches; refuses a template whose
    group segments are not literal, or whose segments before them may span slashes (its
    paths could belong to any group)."""
    key = group_key(template)
    segs = template.strip("/").split("/")
    decide = segs[: _PROJECT_RESOURCE + 1] if segs[0] == "projects" else segs[:1]
    if "{" in key or "{" in segs[0] or any("*}" in seg for seg in decide):
        raise ValueError(f"route {template!r}: its group segments must be literal")
    return key


class GroupRouter(Router):
    """Tries only the rules of the request's group (see :func:`group_key`). Not a
    ``ReversibleRouter``: the API names no routes for ``reverse_url``."""

    def __init__(self, app: web.Application, prefix: str, groups: dict[str, list[Rule]]):
        self.app = app
        self.prefix = prefix.rstrip("/") + "/"
        self.groups = groups

    def find_handler(
        self, request: httputil.HTTPServerRequest, **kwargs: Any
    ) -> httputil.HTTPMessageDelegate | None:
        path = request.path or ""
        if not path.startswith(self.prefix):
            return None
        for rule in self.groups.get(group_key(path[len(self.prefix) :]), ()):
            params = rule.matcher.match(request)
            if params is not None:
                return self.app.get_handler_delegate(
                    request, rule.target, rule.target_kwargs, **params
                )
        return None


def group_api_rules(
    app: web.Application, base_url: str, api_prefix: str, templates: Iterable[tuple[str, str]]
) -> bool:
    """Regroup, in place, the router that holds the API routes given as (tornado pattern
    without ``base_url``, template): they become one rule of a :class:`GroupRouter`, at the
    place of the first of them; the router's other rules stay as they were. False when no
    router holds them (nothing changed)."""
    keys = {url_path_join(base_url, pattern) + "$": template_key(t) for pattern, t in templates}
    for outer in app.default_router.rules:
        router = outer.target
        rules: list[Rule] = list(getattr(router, "rules", None) or [])
        ours = [(r, keys[p]) for r in rules if (p := _regex_of(r)) in keys]
        if len(ours) != len(keys):
            continue
        groups: dict[str, list[Rule]] = {}
        for r, key in ours:
            groups.setdefault(key, []).append(r)
        prefix = url_path_join(base_url, api_prefix)
        grouped = Rule(PathMatches(re.escape(prefix) + "/.*"), GroupRouter(app, prefix, groups))
        first = rules.index(ours[0][0])
        rest = [r for r in rules if _regex_of(r) not in keys]
        router.rules = [*rest[:first], grouped, *rest[first:]]
        return True
    return False


def _regex_of(rule: Rule) -> str:
    regex = getattr(rule.matcher, "regex", None)
    return str(regex.pattern) if regex is not None else ""
