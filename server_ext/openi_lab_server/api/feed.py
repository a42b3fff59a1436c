"""The activity feeds (开源项目动态): home, mine, a user's, an org's, a project's."""

from __future__ import annotations

from typing import Any

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from ..services.errors import Invalid
from ..services.feed import FeedFilter, parse_kinds
from .base import BaseHandler, endpoint


class FeedHandler(BaseHandler):
    def feed_filter(self) -> FeedFilter:
        """``kind`` (comma-separated) and ``before`` (an event id) of the query."""
        before = None
        if self.str_arg("before") is not None:
            before = self._int_arg("before", 0)
            if before < 1:
                raise Invalid("before", "must be an event id (a positive integer)")
        return FeedFilter(parse_kinds(self.str_arg("kind")), before)


_Q = ("kind", "before", "page", "per_page")


class HomeFeedHandler(FeedHandler):
    @endpoint("Public events, newest first", tag="feed", response=s.Page[cs.Event], query=_Q)
    async def get(self) -> Any:
        return await self.platform.feed.home(self.feed_filter(), self.page_request())


class MyFeedHandler(FeedHandler):
    @endpoint(
        "Events of the projects I watch and my own", tag="feed", response=s.Page[cs.Event], query=_Q
    )
    async def get(self) -> Any:
        return await self.platform.feed.mine(self.actor, self.feed_filter(), self.page_request())


class UserFeedHandler(FeedHandler):
    @endpoint("A user's actions", tag="feed", response=s.Page[cs.Event], query=_Q)
    async def get(self, username: str) -> Any:
        return await self.platform.feed.user(
            self.actor, username, self.feed_filter(), self.page_request()
        )


class OrgFeedHandler(FeedHandler):
    @endpoint(
        "Events of an organisation's projects", tag="feed", response=s.Page[cs.Event], query=_Q
    )
    async def get(self, org: str) -> Any:
        return await self.platform.feed.org(
            self.actor, org, self.feed_filter(), self.page_request()
        )


class ProjectFeedHandler(FeedHandler):
    @endpoint("A project's events (动态)", tag="feed", response=s.Page[cs.Event], query=_Q)
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.feed.project(
            self.actor, owner, name, self.feed_filter(), self.page_request()
        )


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/feed", HomeFeedHandler),
    ("/feed/mine", MyFeedHandler),
    ("/users/{username}/feed", UserFeedHandler),
    ("/orgs/{org}/feed", OrgFeedHandler),
    ("/projects/{owner}/{name}/feed", ProjectFeedHandler),
]
