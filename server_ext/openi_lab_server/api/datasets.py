"""Datasets (数据集), their files (download, archive members and previews), resumable uploads
and the dataset picker."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import quote

from tornado import iostream, web

from openi_lab import schemas as s

from ..services.errors import DomainError, Invalid
from ..services.pagination import PageRequest
from ..services.uploads import ChunkWrite
from .base import BaseHandler, endpoint, path_int

_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
#: tasks started from sync tornado callbacks (connection closed): kept until done
_BACKGROUND: set[asyncio.Task[Any]] = set()


def _spawn(coro: Any) -> None:
    task = asyncio.ensure_future(coro)
    _BACKGROUND.add(task)
    task.add_done_callback(_BACKGROUND.discard)


class DatasetsHandler(BaseHandler):
    @endpoint(
        "Datasets you may see, newest first",
        tag="datasets",
        response=s.Page[s.Dataset],
        query=("scope", "q", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.datasets.list_all(
            self.actor,
            self.get_query_argument("scope", "all") or "all",
            self.str_arg("q"),
            self.page_request(),
        )


class ProjectDatasetsHandler(BaseHandler):
    @endpoint(
        "Datasets of a project, newest first",
        tag="datasets",
        response=s.Page[s.Dataset],
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.datasets.list_project(
            self.actor, owner, name, self.page_request()
        )

    @endpoint(
        "Create a dataset (write role)",
        tag="datasets",
        body=s.DatasetCreate,
        response=s.Dataset,
        status=201,
    )
    async def post(self, body: s.DatasetCreate, owner: str, name: str) -> s.Dataset:
        return await self.platform.datasets.create(self.actor, owner, name, body)


class DatasetHandler(BaseHandler):
    @endpoint("A dataset", tag="datasets", response=s.Dataset)
    async def get(self, owner: str, name: str, dataset: str) -> s.Dataset:
        return await self.platform.datasets.get(self.actor, owner, name, dataset)

    @endpoint("Change a dataset", tag="datasets", body=s.DatasetUpdate, response=s.Dataset)
    async def patch(self, body: s.DatasetUpdate, owner: str, name: str, dataset: str) -> s.Dataset:
        return await self.platform.datasets.update(self.actor, owner, name, dataset, body)

    @endpoint("Delete a dataset (409 when one of its files is in use)", tag="datasets", status=204)
    async def delete(self, owner: str, name: str, dataset: str) -> None:
        await self.platform.datasets.delete(self.actor, owner, name, dataset)


class FavoriteHandler(BaseHandler):
    @endpoint("Favourite a dataset (收藏)", tag="datasets", response=s.Dataset)
    async def put(self, owner: str, name: str, dataset: str) -> s.Dataset:
        return await self.platform.datasets.favorite(self.actor, owner, name, dataset, True)

    @endpoint("Remove a dataset from your favourites", tag="datasets", response=s.Dataset)
    async def delete(self, owner: str, name: str, dataset: str) -> s.Dataset:
        return await self.platform.datasets.favorite(self.actor, owner, name, dataset, False)


class FilesHandler(BaseHandler):
    @endpoint(
        "Files of a dataset, newest first",
        tag="datasets",
        response=s.Page[s.DatasetFile],
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str, dataset: str) -> Any:
        return await self.platform.datasets.files(
            self.actor, owner, name, dataset, self.page_request()
        )


class FileHandler(BaseHandler):
    @endpoint("Delete a file (409 when a task or model uses it)", tag="datasets", status=204)
    async def delete(self, owner: str, name: str, dataset: str, file_id: str) -> None:
        await self.platform.datasets.delete_file(
            self.actor, owner, name, dataset, path_int(file_id, "file_id")
        )


class DownloadHandler(BaseHandler):
    @endpoint("Download a file, streamed (Range: bytes=a-b → 206)", tag="datasets")
    async def get(self, owner: str, name: str, dataset: str, file_id: str) -> None:
        datasets = self.platform.datasets
        fid = path_int(file_id, "file_id")
        dl = await datasets.open_download(self.actor, owner, name, dataset, fid)
        start, end, partial = 0, dl.size - 1, False
        header = self.request.headers.get("Range")
        if header:
            m = _RANGE.match(header.strip())
            if m and (m[1] or m[2]):
                if m[1]:
                    start = int(m[1])
                    end = min(int(m[2]), dl.size - 1) if m[2] else dl.size - 1
                else:  # the last N bytes
                    start = max(dl.size - int(m[2]), 0)
                ok = start <= end and start < dl.size and (m[1] or int(m[2]) > 0)
            else:
                ok = False
            if not ok:
                self.clear()
                self.set_status(416)
                self.set_header("Content-Range", f"bytes */{dl.size}")
                self.set_header("Content-Type", "application/json")
                body = s.Error(status=416, message=f"range not satisfiable: {header}")
                self.finish(body.model_dump_json())
                return
            partial = True
        if start == 0:
            await datasets.count_download(fid)
        self.set_status(206 if partial else 200)
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(dl.name)}")
        self.set_header("Accept-Ranges", "bytes")
        self.set_header("ETag", f'"{dl.sha256}"')
        self.set_header("Content-Length", str(end - start + 1 if dl.size else 0))
        if partial:
            self.set_header("Content-Range", f"bytes {start}-{end}/{dl.size}")
        if dl.size:
            chunks = datasets.store.iter_range(dl.storage_key, start, end)
            try:
                while (chunk := await asyncio.to_thread(next, chunks, None)) is not None:
                    self.write(chunk)
                    await self.flush()
            except iostream.StreamClosedError:
                return
            finally:
                chunks.close()
        self.finish()


class MembersHandler(BaseHandler):
    @endpoint(
        "Members of a zip or tar.gz file, with safety flags",
        tag="datasets",
        response=s.MemberList,
        query=("page", "per_page"),
    )
    async def get(self, owner: str, name: str, dataset: str, file_id: str) -> s.MemberList:
        return await self.platform.datasets.members(
            self.actor, owner, name, dataset, path_int(file_id, "file_id"), self.page_request()
        )


class PreviewHandler(BaseHandler):
    @endpoint(
        "Preview one archive member (text, CSV, JSON, image thumbnail)",
        tag="datasets",
        response=s.Preview,
        query=("name",),
    )
    async def get(self, owner: str, name: str, dataset: str, file_id: str) -> s.Preview:
        member = self.get_query_argument("name", "")
        if not member:
            raise Invalid("name", "the member to preview")
        return await self.platform.datasets.preview(
            self.actor, owner, name, dataset, path_int(file_id, "file_id"), member
        )


class PickerHandler(BaseHandler):
    @endpoint(
        "Dataset files to choose from (tabs project, mine, public, favorites)",
        tag="datasets",
        response=s.PickerPage,
        query=("project", "tab", "q", "page", "per_page"),
    )
    async def get(self) -> s.PickerPage:
        req = PageRequest(self._int_arg("page", 1), self._int_arg("per_page", 10))
        return await self.platform.datasets.picker(
            self.actor, self.str_arg("project"), self.str_arg("tab"), self.str_arg("q"), req
        )


# --- uploads -------------------------------------------------------------------------------


class _OffsetErrors(BaseHandler):
    """A 409 about the offset also carries ``offset`` (a number) at the top of the body."""

    def fail(self, status: int, message: str, errors: list[tuple[str, str]] | None = None) -> None:
        offset = next((r for f, r in errors or [] if f == "offset"), None)
        if status != 409 or offset is None or not offset.isdigit():
            super().fail(status, message, errors)
            return
        self.clear()
        self.set_status(status)
        self.set_header("Content-Type", "application/json")
        self.set_header("Upload-Offset", offset)
        body = s.Error(
            status=status,
            message=message,
            errors=[s.FieldError(field=f, reason=r) for f, r in errors or []],
        ).model_dump(mode="json")
        body["offset"] = int(offset)
        self.finish(json.dumps(body))


class UploadsHandler(BaseHandler):
    @endpoint(
        "Start a resumable upload (completes at once when the content is already stored)",
        tag="uploads",
        body=s.UploadCreate,
        response=s.Upload,
        status=201,
    )
    async def post(self, body: s.UploadCreate) -> s.Upload:
        return await self.platform.uploads.create(self.actor, body)


@web.stream_request_body
class UploadHandler(_OffsetErrors):
    """PATCH streams the chunk (``Upload-Offset`` header, raw body) straight to storage."""

    chunk: ChunkWrite | None = None

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self._finished or self.request.method != "PATCH" or self._actor is None:
            return
        if not self._actor.allows(s.Scope.write):
            return  # the endpoint answers 403 before anything is stored
        uploads = self.platform.uploads
        try:
            raw = self.request.headers.get("Upload-Offset", "").strip()
            if not raw.isdigit():
                raise Invalid("Upload-Offset", "the header must give the chunk's offset")
            length_raw = self.request.headers.get("Content-Length")
            length = int(length_raw) if length_raw and length_raw.isdigit() else None
            self.chunk = await uploads.begin_chunk(
                self._actor, self.path_kwargs["upload_id"], int(raw), length
            )
        except DomainError as exc:
            self.fail(exc.status, exc.message, exc.errors)
            return
        limit = self.chunk.size - self.chunk.offset
        cap = uploads.max_chunk()
        if cap is not None:
            limit = min(limit, cap)
        self.request.connection.set_max_body_size(max(limit, 0))  # type: ignore[union-attr]

    async def data_received(self, chunk: bytes) -> None:
        if self.chunk is None:
            return
        try:
            await self.chunk.feed(chunk)
            await self.platform.uploads.renew(self.chunk)
        except DomainError as exc:
            cw, self.chunk = self.chunk, None
            await self.platform.uploads.abort_chunk(cw)
            self.fail(exc.status, exc.message, exc.errors)

    def on_connection_close(self) -> None:
        self._drop_chunk()
        super().on_connection_close()

    def on_finish(self) -> None:
        self._drop_chunk()

    def _drop_chunk(self) -> None:
        if self.chunk is not None and not self.chunk.done:
            cw, self.chunk = self.chunk, None
            _spawn(self.platform.uploads.abort_chunk(cw))

    @endpoint(
        "An upload: ask its offset after a broken connection", tag="uploads", response=s.Upload
    )
    async def get(self, upload_id: str) -> s.Upload:
        up = await self.platform.uploads.get(self.actor, upload_id)
        self.set_header("Upload-Offset", str(up.offset))
        return up

    @endpoint(
        "Send a chunk: header Upload-Offset, raw body (application/offset+octet-stream)",
        tag="uploads",
        response=s.Upload,
    )
    async def patch(self, upload_id: str) -> s.Upload | None:
        if self._finished:
            return None
        if self.chunk is None:
            raise Invalid("body", "the chunk was refused")
        cw, self.chunk = self.chunk, None
        up = await self.platform.uploads.finish_chunk(self.actor, cw)
        self.set_header("Upload-Offset", str(up.offset))
        return up

    @endpoint("Abort an upload (its parts are removed)", tag="uploads", status=204)
    async def delete(self, upload_id: str) -> None:
        await self.platform.uploads.abort(self.actor, upload_id)


class UploadCompleteHandler(_OffsetErrors):
    @endpoint(
        "Complete an upload: sha256 checked, the file appears in the dataset",
        tag="uploads",
        response=s.Upload,
    )
    async def post(self, upload_id: str) -> s.Upload:
        return await self.platform.uploads.complete(self.actor, upload_id)


_DS = "/projects/{owner}/{name}/datasets/{dataset}"


class DatasetFileByIdHandler(BaseHandler):
    @endpoint("A dataset file by id (tasks and notebooks refer to files so)", tag="datasets",
              response=s.DatasetFile)  # fmt: skip
    async def get(self, file_id: str) -> s.DatasetFile:
        return await self.platform.datasets.file_by_id(self.actor, path_int(file_id, "file_id"))


ROUTES = [
    ("/datasets", DatasetsHandler),
    ("/dataset-picker", PickerHandler),
    ("/dataset-files/{file_id}", DatasetFileByIdHandler),
    ("/projects/{owner}/{name}/datasets", ProjectDatasetsHandler),
    (_DS, DatasetHandler),
    (_DS + "/favorite", FavoriteHandler),
    (_DS + "/files", FilesHandler),
    (_DS + "/files/{file_id}", FileHandler),
    (_DS + "/files/{file_id}/download", DownloadHandler),
    (_DS + "/files/{file_id}/members", MembersHandler),
    (_DS + "/files/{file_id}/members/preview", PreviewHandler),
    ("/uploads", UploadsHandler),
    ("/uploads/{upload_id}", UploadHandler),
    ("/uploads/{upload_id}/complete", UploadCompleteHandler),
]
