"""Unified search (统一搜索): one query, results grouped by type."""

from __future__ import annotations

from typing import Any

from openi_lab import community_schemas as cs

from .base import BaseHandler, endpoint


class SearchHandler(BaseHandler):
    @endpoint(
        "Search projects, orgs, users, datasets, issues, pull requests, models and tasks",
        tag="search",
        response=cs.SearchResults,
        query=("q", "type", "sort", "page", "per_page", "per_group"),
    )
    async def get(self) -> Any:
        req = self.page_request()
        return await self.platform.search.search(
            self.actor,
            self.get_query_argument("q", ""),
            self.str_arg("type") or "all",
            self.str_arg("sort") or "relevance",
            req.page,
            req.per_page,
            self._int_arg("per_group", 5),
        )


class SearchTypesHandler(BaseHandler):
    @endpoint("The searchable types", tag="search", response=list[cs.SearchType])
    async def get(self) -> Any:
        return await self.platform.search.types()


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/search", SearchHandler),
    ("/search/types", SearchTypesHandler),
]
