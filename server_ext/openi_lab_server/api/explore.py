"""Explore (探索): lists across the platform, recommendations and the fork network."""

from __future__ import annotations

from typing import Any

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from .base import BaseHandler, endpoint, path_int


class ExploreProjectsHandler(BaseHandler):
    @endpoint(
        "The projects square",
        tag="explore",
        response=s.Page[cs.ExploreProject],
        query=("q", "topic", "sort", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.explore.list_projects(
            self.actor,
            self.str_arg("q"),
            self.str_arg("topic"),
            self.str_arg("sort") or "updated",
            self.page_request(),
        )


class TopicsHandler(BaseHandler):
    @endpoint(
        "Topics of visible projects, most used first",
        tag="explore",
        response=list[cs.TopicCount],
        query=("limit",),
    )
    async def get(self) -> Any:
        return await self.platform.explore.topics(self.actor, self._int_arg("limit", 30))


class ExploreOrgsHandler(BaseHandler):
    @endpoint(
        "Organisations",
        tag="explore",
        response=s.Page[s.Org],
        query=("q", "sort", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.explore.list_orgs(
            self.actor, self.str_arg("q"), self.str_arg("sort") or "projects", self.page_request()
        )


class ExploreUsersHandler(BaseHandler):
    @endpoint(
        "Users",
        tag="explore",
        response=s.Page[cs.ExploreUser],
        query=("q", "sort", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.explore.list_users(
            self.actor, self.str_arg("q"), self.str_arg("sort") or "created", self.page_request()
        )


class InvolvedIssuesHandler(BaseHandler):
    @endpoint(
        "Issues or pull requests I created, am assigned to or commented on",
        tag="explore",
        response=s.Page[cs.InvolvedIssue],
        query=("type", "filter", "state", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.explore.involved_issues(
            self.actor,
            self.str_arg("type") or "issues",
            self.str_arg("filter") or "all",
            self.str_arg("state") or "open",
            self.page_request(),
        )


class InvolvedMilestonesHandler(BaseHandler):
    @endpoint(
        "Milestones of projects I work on",
        tag="explore",
        response=s.Page[cs.InvolvedMilestone],
        query=("state", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.explore.involved_milestones(
            self.actor, self.str_arg("state") or "open", self.page_request()
        )


class RecommendationsHandler(BaseHandler):
    @endpoint(
        "Recommended organisations and projects",
        tag="explore",
        response=cs.Recommendations,
        query=("limit",),
    )
    async def get(self) -> Any:
        return await self.platform.explore.recommendations(self.actor, self._int_arg("limit", 8))


class CuratedHandler(BaseHandler):
    @endpoint("Curated recommendations (admins)", tag="explore", response=list[cs.Curated])
    async def get(self) -> Any:
        return await self.platform.explore.list_curated(self.actor)

    @endpoint(
        "Recommend an org or project (admins)",
        tag="explore",
        body=cs.CuratedCreate,
        response=cs.Curated,
        status=201,
    )
    async def post(self, body: cs.CuratedCreate) -> Any:
        return await self.platform.explore.add_curated(self.actor, body)


class CuratedItemHandler(BaseHandler):
    @endpoint("Stop recommending (admins)", tag="explore", status=204)
    async def delete(self, curated_id: str) -> None:
        await self.platform.explore.delete_curated(self.actor, path_int(curated_id, "curated_id"))


class RecRequestsHandler(BaseHandler):
    @endpoint(
        "Recommendation requests (admins: all; others: their own)",
        tag="explore",
        response=s.Page[cs.RecRequest],
        query=("status", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.explore.list_requests(
            self.actor, self.str_arg("status") or "pending", self.page_request()
        )

    @endpoint(
        "Submit my org or project for recommendation",
        tag="explore",
        body=cs.RecRequestCreate,
        response=cs.RecRequest,
        status=201,
    )
    async def post(self, body: cs.RecRequestCreate) -> Any:
        return await self.platform.explore.request(self.actor, body)


class ApproveHandler(BaseHandler):
    @endpoint(
        "Approve a request (admins)", tag="explore", body=cs.RecDecision, response=cs.RecRequest
    )
    async def post(self, body: cs.RecDecision, request_id: str) -> Any:
        rid = path_int(request_id, "request_id")
        return await self.platform.explore.decide(self.actor, rid, True, body)


class RejectHandler(BaseHandler):
    @endpoint(
        "Reject a request (admins)", tag="explore", body=cs.RecDecision, response=cs.RecRequest
    )
    async def post(self, body: cs.RecDecision, request_id: str) -> Any:
        rid = path_int(request_id, "request_id")
        return await self.platform.explore.decide(self.actor, rid, False, body)


class ForkNetworkHandler(BaseHandler):
    @endpoint(
        "Forks with commits ahead/behind the parent's default branch",
        tag="explore",
        response=cs.ForkNetwork,
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.explore.fork_network(
            self.actor, owner, name, self.page_request()
        )


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/explore/projects", ExploreProjectsHandler),
    ("/explore/topics", TopicsHandler),
    ("/explore/orgs", ExploreOrgsHandler),
    ("/explore/users", ExploreUsersHandler),
    ("/explore/issues", InvolvedIssuesHandler),
    ("/explore/milestones", InvolvedMilestonesHandler),
    ("/recommendations", RecommendationsHandler),
    ("/recommendations/curated", CuratedHandler),
    ("/recommendations/curated/{curated_id}", CuratedItemHandler),
    ("/recommendation-requests", RecRequestsHandler),
    ("/recommendation-requests/{request_id}/approve", ApproveHandler),
    ("/recommendation-requests/{request_id}/reject", RejectHandler),
    ("/projects/{owner}/{name}/fork-network", ForkNetworkHandler),
]
