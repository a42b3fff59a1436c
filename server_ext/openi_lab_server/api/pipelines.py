"""Pipelines (流水线): definitions, one-click runs and their steps."""

from __future__ import annotations

from typing import Any

from openi_lab import model_schemas as ms
from openi_lab import schemas as s

from .base import BaseHandler, endpoint


class PipelinesHandler(BaseHandler):
    @endpoint(
        "Pipelines of a project, each with its last run",
        tag="pipelines",
        response=s.Page[ms.Pipeline],
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.pipelines.list(self.actor, owner, name, self.page_request())

    @endpoint(
        "Create a pipeline from a definition or a YAML/JSON file of the repository",
        tag="pipelines",
        body=ms.PipelineCreate,
        response=ms.Pipeline,
        status=201,
    )
    async def post(self, body: ms.PipelineCreate, owner: str, name: str) -> ms.Pipeline:
        return await self.platform.pipelines.create(self.actor, owner, name, body)


class PipelineHandler(BaseHandler):
    @endpoint("A pipeline", tag="pipelines", response=ms.Pipeline)
    async def get(self, owner: str, name: str, pipeline: str) -> ms.Pipeline:
        return await self.platform.pipelines.get(self.actor, owner, name, pipeline)

    @endpoint("Replace a pipeline's definition", tag="pipelines", body=ms.PipelineCreate,
              response=ms.Pipeline)  # fmt: skip
    async def put(
        self, body: ms.PipelineCreate, owner: str, name: str, pipeline: str
    ) -> ms.Pipeline:
        return await self.platform.pipelines.update(self.actor, owner, name, pipeline, body)

    @endpoint("Delete a pipeline and its runs (409 while one runs)", tag="pipelines", status=204)
    async def delete(self, owner: str, name: str, pipeline: str) -> None:
        await self.platform.pipelines.delete(self.actor, owner, name, pipeline)


class RunsHandler(BaseHandler):
    @endpoint(
        "Runs of a pipeline, newest first, with their steps",
        tag="pipelines",
        response=s.Page[ms.PipelineRun],
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str, pipeline: str) -> Any:
        return await self.platform.pipelines.list_runs(
            self.actor, owner, name, pipeline, self.page_request()
        )

    @endpoint(
        "Run the pipeline (一键运行); reuse: skip steps whose inputs did not change",
        tag="pipelines",
        body=ms.PipelineRunCreate,
        response=ms.PipelineRun,
        status=201,
    )
    async def post(
        self, body: ms.PipelineRunCreate, owner: str, name: str, pipeline: str
    ) -> ms.PipelineRun:
        return await self.platform.pipelines.start_run(self.actor, owner, name, pipeline, body)


class RunHandler(BaseHandler):
    @endpoint("A pipeline run with every step's status and task", tag="pipelines",
              response=ms.PipelineRun)  # fmt: skip
    async def get(self, owner: str, name: str, run_id: str) -> ms.PipelineRun:
        return await self.platform.pipelines.get_run(self.actor, owner, name, run_id)


class CancelHandler(BaseHandler):
    @endpoint("Cancel a run: its task stops, later steps are skipped", tag="pipelines",
              response=ms.PipelineRun)  # fmt: skip
    async def post(self, owner: str, name: str, run_id: str) -> ms.PipelineRun:
        return await self.platform.pipelines.cancel_run(self.actor, owner, name, run_id)


_P = "/projects/{owner}/{name}"
ROUTES: list[tuple[str, type[BaseHandler]]] = [
    (_P + "/pipelines", PipelinesHandler),
    (_P + "/pipelines/{pipeline}", PipelineHandler),
    (_P + "/pipelines/{pipeline}/runs", RunsHandler),
    (_P + "/pipeline-runs/{run_id}", RunHandler),
    (_P + "/pipeline-runs/{run_id}/cancel", CancelHandler),
]
