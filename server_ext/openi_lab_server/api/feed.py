"""The activity feeds (开源项目动态): home, mine, a user's, an org's, a project's."""

from __future__ import annotations

from typing import Any

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from ..services.feed import parse_kinds
from .base import BaseHandler, endpoint

_Q = ("kind", "page", "per_page")


class HomeFeedHandler(BaseHandler):
    @endpoint("Public events, newest first", tag="feed", response=s.Page[cs.Event], query=_Q)
    async def get(self) -> Any:
        return await self.platform.feed.home(parse_kinds(self.str_arg("kind")), self.page_request())


class MyFeedHandler(BaseHandler):
    @endpoint(
        "Events of the projects I watch and my own", tag="feed", response=s.Page[cs.Event], query=_Q
    )
    async def get(self) -> Any:
        return await self.platform.feed.mine(
            self.actor, parse_kinds(self.str_arg("kind")), self.page_request()
        )


class UserFeedHandler(BaseHandler):
    @endpoint("A user's actions", tag="feed", response=s.Page[cs.Event], query=_Q)
    async def get(self, username: str) -> Any:
        return await self.platform.feed.user(
            self.actor, username, parse_kinds(self.str_arg("kind")), self.page_request()
        )


class OrgFeedHandler(BaseHandler):
    @endpoint(
        "Events of an organisation's projects", tag="feed", response=s.Page[cs.Event], query=_Q
    )
    async def get(self, org: str) -> Any:
        return await self.platform.feed.org(
            self.actor, org, parse_kinds(self.str_arg("kind")), self.page_request()
        )


class ProjectFeedHandler(BaseHandler):
    @endpoint("A project's events (动态)", tag="feed", response=s.Page[cs.Event], query=_Q)
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.feed.project(
            self.actor, owner, name, parse_kinds(self.str_arg("kind")), self.page_request()
        )


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/feed", HomeFeedHandler),
    ("/feed/mine", MyFeedHandler),
    ("/users/{username}/feed", UserFeedHandler),
    ("/orgs/{org}/feed", OrgFeedHandler),
    ("/projects/{owner}/{name}/feed", ProjectFeedHandler),
]
