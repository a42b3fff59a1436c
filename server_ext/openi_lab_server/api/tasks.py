"""Cloud-brain tasks (云脑任务): resource specs, tasks, their logs and outputs."""

from __future__ import annotations

import contextlib
from typing import Any

from tornado.iostream import StreamClosedError

from openi_lab import schemas as s

from ..services.errors import Invalid
from ..services.log_stream import follow
from .base import BaseHandler, endpoint

CHUNK = 1 << 20


class SpecsHandler(BaseHandler):
    @endpoint(
        "Resource specs (规格), each with whether this server can run it",
        tag="tasks",
        response=list[s.ResourceSpec],
    )
    async def get(self) -> Any:
        return await self.platform.tasks.list_specs(self.actor)


class TasksHandler(BaseHandler):
    @endpoint(
        "Tasks of a project, newest first",
        tag="tasks",
        response=s.Page[s.Task],
        query=("kind", "status", "page", "per_page"),
    )
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.tasks.list_project(
            self.actor,
            owner,
            name,
            self.str_arg("kind"),
            self.str_arg("status"),
            self.page_request(),
        )

    @endpoint(
        "Create a task (write role); it waits until the scheduler starts it",
        tag="tasks",
        body=s.TaskCreate,
        response=s.Task,
        status=201,
    )
    async def post(self, body: s.TaskCreate, owner: str, name: str) -> s.Task:
        return await self.platform.tasks.create(self.actor, owner, name, body)


class TaskHandler(BaseHandler):
    @endpoint("A task with its status history", tag="tasks", response=s.Task)
    async def get(self, owner: str, name: str, task_id: str) -> s.Task:
        return await self.platform.tasks.get(self.actor, owner, name, task_id)

    @endpoint("Delete a task (409 while it runs)", tag="tasks", status=204)
    async def delete(self, owner: str, name: str, task_id: str) -> None:
        await self.platform.tasks.delete(self.actor, owner, name, task_id)


class StopHandler(BaseHandler):
    @endpoint("Stop a task (停止)", tag="tasks", response=s.Task)
    async def post(self, owner: str, name: str, task_id: str) -> s.Task:
        return await self.platform.tasks.stop(self.actor, owner, name, task_id)


class RerunHandler(BaseHandler):
    @endpoint(
        "Run again (再次调试): a new task with the same settings",
        tag="tasks",
        response=s.Task,
        status=201,
    )
    async def post(self, owner: str, name: str, task_id: str) -> s.Task:
        return await self.platform.tasks.rerun(self.actor, owner, name, task_id)


class LogsHandler(BaseHandler):
    @endpoint(
        "Log text from a byte offset; poll from next_offset until done",
        tag="tasks",
        response=s.TaskLog,
        query=("offset",),
    )
    async def get(self, owner: str, name: str, task_id: str) -> s.TaskLog:
        offset = self._int_arg("offset", 0)
        return await self.platform.tasks.read_log(self.actor, owner, name, task_id, offset)


class LogStreamHandler(BaseHandler):
    """Server-sent events: ``log`` (``id:`` = byte offset after it), ``status``, ``end``."""

    _gone = False

    def on_connection_close(self) -> None:
        self._gone = True

    @endpoint(
        "Live log as server-sent events (text/event-stream); resumes from Last-Event-ID or "
        "offset; events log, status and end",
        tag="tasks",
        query=("offset",),
    )
    async def get(self, owner: str, name: str, task_id: str) -> None:
        resume = self.request.headers.get("Last-Event-ID", "").strip()
        offset = int(resume) if resume.isdigit() else self._int_arg("offset", 0)
        if offset < 0:
            raise Invalid("offset", "must be 0 or more")
        tid, path = await self.platform.tasks.log_source(self.actor, owner, name, task_id)
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("Cache-Control", "no-cache")
        self.set_header("X-Accel-Buffering", "no")  # nginx: pass each event on at once
        stream = follow(self.platform.tasks.sessions, tid, path, offset)
        try:
            async for text in stream:
                if self._gone:
                    break
                self.write(text)
                await self.flush()
        except StreamClosedError:
            pass
        finally:
            await stream.aclose()
        with contextlib.suppress(StreamClosedError):
            self.finish()


class LastTaskHandler(BaseHandler):
    @endpoint(
        "Your most recent task (to pre-fill a new one), or null",
        tag="tasks",
        response=s.Task | None,
    )
    async def get(self) -> s.Task | None:
        return await self.platform.tasks.last(self.actor)


class LogDownloadHandler(BaseHandler):
    @endpoint("The whole log file", tag="tasks")
    async def get(self, owner: str, name: str, task_id: str) -> None:
        path, filename = await self.platform.tasks.log_file(self.actor, owner, name, task_id)
        await self.send_file(path, filename, "text/plain; charset=utf-8", missing_ok=True)


class OutputsHandler(BaseHandler):
    @endpoint(
        "Files the task wrote to its model directory",
        tag="tasks",
        response=list[s.TaskOutput],
    )
    async def get(self, owner: str, name: str, task_id: str) -> Any:
        return await self.platform.tasks.outputs(self.actor, owner, name, task_id)


class OutputDownloadHandler(BaseHandler):
    @endpoint("Download one output file", tag="tasks", query=("path",))
    async def get(self, owner: str, name: str, task_id: str) -> None:
        path = self.get_query_argument("path", "")
        if not path:
            raise Invalid("path", "is required")
        real = await self.platform.tasks.output_file(self.actor, owner, name, task_id, path)
        await self.send_file(real, real.name, "application/octet-stream", missing_ok=True)


_T = "/projects/{owner}/{name}/tasks"
ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/specs", SpecsHandler),
    ("/tasks/last", LastTaskHandler),
    (_T, TasksHandler),
    (_T + "/{task_id}", TaskHandler),
    (_T + "/{task_id}/stop", StopHandler),
    (_T + "/{task_id}/rerun", RerunHandler),
    (_T + "/{task_id}/logs", LogsHandler),
    (_T + "/{task_id}/logs/stream", LogStreamHandler),
    (_T + "/{task_id}/logs/download", LogDownloadHandler),
    (_T + "/{task_id}/outputs", OutputsHandler),
    (_T + "/{task_id}/outputs/download", OutputDownloadHandler),
]
