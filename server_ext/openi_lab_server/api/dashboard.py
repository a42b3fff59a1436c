"""The digital dashboard (数字看板) and the OpenI index (OpenI指数)."""

from __future__ import annotations

from typing import Any

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class CsvMixin(BaseHandler):
    async def send_csv(self, text: str, filename: str) -> None:
        """Headers go out with the body (APIHandler.finish would say JSON otherwise)."""
        self.set_header("Content-Type", "text/csv; charset=utf-8")
        self.set_header("Content-Disposition", f'attachment; filename="{filename}"')
        self.write(text.encode())
        await self.flush()
        self.finish()


class TotalsHandler(BaseHandler):
    @endpoint(
        "Platform totals and compute hours per day",
        tag="dashboard",
        response=cs.Totals,
        query=("days",),
    )
    async def get(self) -> Any:
        return await self.platform.openi_index.totals(self.actor, self._int_arg("days", 30))


class TotalsCsvHandler(CsvMixin):
    @endpoint("Compute hours per day as CSV", tag="dashboard", query=("days",))
    async def get(self) -> None:
        text = await self.platform.openi_index.totals_csv(self.actor, self._int_arg("days", 30))
        await self.send_csv(text, "openi-compute-hours.csv")


class IndexHandler(BaseHandler):
    @endpoint(
        "Projects ranked by OpenI index",
        tag="dashboard",
        response=s.Page[cs.IndexRow],
        query=("q", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.openi_index.ranking(
            self.actor, self.str_arg("q"), self.page_request()
        )


class IndexCsvHandler(CsvMixin):
    @endpoint("The ranking as CSV", tag="dashboard")
    async def get(self) -> None:
        text = await self.platform.openi_index.ranking_csv(self.actor)
        await self.send_csv(text, "openi-index.csv")


class RecomputeHandler(BaseHandler):
    @endpoint("Recompute the OpenI index now (admins)", tag="dashboard", response=cs.Recomputed)
    async def post(self) -> Any:
        return await self.platform.openi_index.recompute_as(self.actor)


class WeightsHandler(BaseHandler):
    @endpoint("The index's weights", tag="dashboard", response=cs.Weights)
    async def get(self) -> Any:
        return self.platform.openi_index.weights_out()


class ProjectIndexHandler(BaseHandler):
    @endpoint(
        "A project's OpenI index: dimensions, signals, history, rank",
        tag="dashboard",
        response=cs.ProjectIndex,
        query=("days",),
    )
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.openi_index.project(
            self.actor, owner, name, self._int_arg("days", 90)
        )


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/dashboard/totals", TotalsHandler),
    ("/dashboard/totals.csv", TotalsCsvHandler),
    ("/dashboard/index", IndexHandler),
    ("/dashboard/index.csv", IndexCsvHandler),
    ("/dashboard/index/recompute", RecomputeHandler),
    ("/dashboard/weights", WeightsHandler),
    ("/projects/{owner}/{name}/openi-index", ProjectIndexHandler),
]
