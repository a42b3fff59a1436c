"""The model registry (模型管理): models, versions, files, downloads, aliases, Reproduce."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from openi_lab import model_schemas as ms
from openi_lab import schemas as s

from ..services import model_store
from ..services.errors import Invalid
from ..services.models import iter_zip, scratch_dir
from .base import BaseHandler, endpoint, path_int

#: the largest body ``…/models/upload`` takes (bigger files: resumable upload, then import)
MAX_RAW_UPLOAD = 100 << 20


def _filters(h: BaseHandler) -> dict[str, Any]:
    return {"q": h.str_arg("q"), "tag": h.str_arg("tag"), "engine": h.str_arg("engine")}


class AllModelsHandler(BaseHandler):
    @endpoint(
        "Models of every project you can read, recently updated first",
        tag="models",
        response=s.Page[ms.Model],
        query=("q", "tag", "engine", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.models.list_models(
            self.actor, self.page_request(), **_filters(self)
        )


class ModelsHandler(BaseHandler):
    @endpoint(
        "Models of a project",
        tag="models",
        response=s.Page[ms.Model],
        query=("q", "tag", "engine", "page", "per_page"),
    )
    async def get(self, owner: str, name: str) -> Any:
        return await self.platform.models.list_models(
            self.actor, self.page_request(), owner, name, **_filters(self)
        )

    @endpoint(
        "Import a model (导入新模型) from a succeeded training task",
        tag="models",
        body=ms.ModelImport,
        response=ms.ModelVersion,
        status=201,
    )
    async def post(self, body: ms.ModelImport, owner: str, name: str) -> ms.ModelVersion:
        return await self.platform.models.import_from_task(self.actor, owner, name, body)


class UploadImportHandler(BaseHandler):
    @endpoint(
        "Import a model from a completed upload or a dataset file (a zip is expanded)",
        tag="models",
        body=ms.ModelUploadImport,
        response=ms.ModelVersion,
        status=201,
    )
    async def post(self, body: ms.ModelUploadImport, owner: str, name: str) -> ms.ModelVersion:
        return await self.platform.models.import_upload(self.actor, owner, name, body)


class RawUploadHandler(BaseHandler):
    @endpoint(
        "Import a model from the request body (one file or a zip, at most 100 MiB)",
        tag="models",
        response=ms.ModelVersion,
        status=201,
        query=("filename", "name", "version", "tags", "description"),
    )
    async def post(self, owner: str, name: str) -> ms.ModelVersion:
        filename = (self.str_arg("filename") or "").replace("\\", "/").rsplit("/", 1)[-1]
        if not filename or filename in (".", ".."):
            raise Invalid("filename", "is required")
        model = self.str_arg("name")
        if not model:
            raise Invalid("name", "is required")
        data = self.request.body or b""
        if not data:
            raise Invalid("body", "is empty")
        if len(data) > MAX_RAW_UPLOAD:
            raise Invalid("body", f"at most {MAX_RAW_UPLOAD} bytes; use a resumable upload")
        version = self.str_arg("version")
        try:
            checked = ms.ModelUploadImport(
                dataset_file=0,
                name=model,
                version=version,
                tags=self.get_query_argument("tags", ""),
                description=self.get_query_argument("description", ""),
            )
        except ValueError as exc:
            raise Invalid("query", str(exc).splitlines()[-1]) from exc
        if not filename.lower().endswith(".zip"):  # one file: hashed and stored from memory
            return await self.platform.models.import_bytes(
                self.actor,
                owner,
                name,
                data,
                filename,
                checked.name,
                checked.version,
                checked.tags,
                checked.description,
            )
        async with scratch_dir() as tmp:
            local = Path(tmp) / "upload"
            await asyncio.to_thread(local.write_bytes, data)
            return await self.platform.models.import_file(
                self.actor,
                owner,
                name,
                local,
                filename,
                checked.name,
                checked.version,
                checked.tags,
                checked.description,
            )


class ModelHandler(BaseHandler):
    @endpoint("A model with its latest version and aliases", tag="models", response=ms.Model)
    async def get(self, owner: str, name: str, model: str) -> ms.Model:
        return await self.platform.models.get_model(self.actor, owner, name, model)

    @endpoint("Delete a model and every version", tag="models", status=204)
    async def delete(self, owner: str, name: str, model: str) -> None:
        await self.platform.models.delete_model(self.actor, owner, name, model)


class VersionsHandler(BaseHandler):
    @endpoint(
        "Versions of a model, newest first",
        tag="models",
        response=s.Page[ms.ModelVersion],
        query=("tag", "page", "per_page"),
    )
    async def get(self, owner: str, name: str, model: str) -> Any:
        return await self.platform.models.list_versions(
            self.actor, owner, name, model, self.page_request(), self.str_arg("tag")
        )

    @endpoint(
        "New version (创建新版本) from a succeeded training task",
        tag="models",
        body=ms.ModelImport,
        response=ms.ModelVersion,
        status=201,
    )
    async def post(
        self, body: ms.ModelImport, owner: str, name: str, model: str
    ) -> ms.ModelVersion:
        return await self.platform.models.import_from_task(self.actor, owner, name, body, model)


class VersionHandler(BaseHandler):
    @endpoint(
        "A version: files, lineage, metrics, evaluations, aliases",
        tag="models",
        response=ms.ModelVersion,
    )
    async def get(self, owner: str, name: str, model: str, version: str) -> ms.ModelVersion:
        return await self.platform.models.get_version(self.actor, owner, name, model, version)

    @endpoint(
        "Change a version's description or tags",
        tag="models",
        body=ms.VersionUpdate,
        response=ms.ModelVersion,
    )
    async def patch(
        self, body: ms.VersionUpdate, owner: str, name: str, model: str, version: str
    ) -> ms.ModelVersion:
        return await self.platform.models.update_version(
            self.actor, owner, name, model, version, body
        )

    @endpoint("Delete a version (the model goes with its last)", tag="models", status=204)
    async def delete(self, owner: str, name: str, model: str, version: str) -> None:
        await self.platform.models.delete_version(self.actor, owner, name, model, version)


class VersionFilesHandler(BaseHandler):
    @endpoint("The files of a version", tag="models", response=list[ms.ModelFile])
    async def get(self, owner: str, name: str, model: str, version: str) -> Any:
        v = await self.platform.models.get_version(self.actor, owner, name, model, version)
        return v.files


class DownloadHandler(BaseHandler):
    @endpoint(
        "Download a version as a streamed zip, or one file (?path=)",
        tag="models",
        query=("path",),
    )
    async def get(self, owner: str, name: str, model: str, version: str) -> None:
        path = self.str_arg("path")
        filename, rows = await self.platform.models.download(
            self.actor, owner, name, model, version, path
        )
        store = self.platform.store
        self.set_header(
            "Content-Disposition", f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
        )
        if path is not None:
            f = rows[0]
            self.set_header("Content-Type", "application/octet-stream")
            self.set_header("Content-Length", str(f.size))
            self.set_header("ETag", f'"{f.sha256}"')
            content, key = await model_store.where_bytes(self.platform.sessions, f)
            if content is not None:  # a small file, kept in its row
                chunks: Iterator[bytes] = iter((content,))
            else:
                chunks = store.iter_range(key, 0, f.size - 1) if f.size else iter(())
        else:
            self.set_header("Content-Type", "application/zip")
            chunks = iter_zip(store, model_store.RowReader(self.platform.sessions), rows)
        try:
            while True:
                chunk = await asyncio.to_thread(next, chunks, None)
                if chunk is None:
                    break
                if chunk:
                    self.write(chunk)
                    await self.flush()
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                await asyncio.to_thread(close)
        self.finish()


class AliasesHandler(BaseHandler):
    @endpoint("Aliases of a model and who moved them when", tag="models", response=ms.Aliases)
    async def get(self, owner: str, name: str, model: str) -> ms.Aliases:
        return await self.platform.models.aliases(self.actor, owner, name, model)


class AliasHistoryHandler(BaseHandler):
    @endpoint(
        "The alias history, newest first",
        tag="models",
        response=s.Page[ms.AliasEvent],
        query=("alias", "page", "per_page"),
    )
    async def get(self, owner: str, name: str, model: str) -> Any:
        return await self.platform.models.alias_history(
            self.actor, owner, name, model, self.str_arg("alias"), self.page_request()
        )


class AliasHandler(BaseHandler):
    @endpoint(
        "Point an alias (production, staging…) at a version",
        tag="models",
        body=ms.AliasSet,
        response=ms.Aliases,
    )
    async def put(
        self, body: ms.AliasSet, owner: str, name: str, model: str, alias: str
    ) -> ms.Aliases:
        return await self.platform.models.set_alias(self.actor, owner, name, model, alias, body)

    @endpoint("Remove an alias", tag="models", status=204)
    async def delete(self, owner: str, name: str, model: str, alias: str) -> None:
        await self.platform.models.delete_alias(self.actor, owner, name, model, alias)


class ReproduceHandler(BaseHandler):
    @endpoint(
        "Reproduce: a new training task with exactly this version's lineage",
        tag="models",
        body=ms.ReproduceRequest,
        response=s.Task,
        status=201,
    )
    async def post(
        self, body: ms.ReproduceRequest, owner: str, name: str, model: str, version: str
    ) -> s.Task:
        return await self.platform.models.reproduce(self.actor, owner, name, model, version, body)


class VersionByIdHandler(BaseHandler):
    @endpoint("A model version by id", tag="models", response=ms.ModelVersion)
    async def get(self, version_id: str) -> ms.ModelVersion:
        vid = path_int(version_id, "version_id")
        return await self.platform.models.resolve(self.actor, vid)


class ResolveHandler(BaseHandler):
    @endpoint(
        "A model version by reference: owner/project/model[@version|@alias] or an id",
        tag="models",
        response=ms.ModelVersion,
        query=("ref",),
    )
    async def get(self) -> ms.ModelVersion:
        ref = self.str_arg("ref")
        if not ref:
            raise Invalid("ref", "is required")
        return await self.platform.models.resolve(self.actor, ref)


_P = "/projects/{owner}/{name}/models"
_V = _P + "/{model}/versions/{version}"
ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/models", AllModelsHandler),
    ("/model-versions/resolve", ResolveHandler),
    ("/model-versions/{version_id}", VersionByIdHandler),
    (_P, ModelsHandler),
    (_P + "/upload-import", UploadImportHandler),
    (_P + "/upload", RawUploadHandler),
    (_P + "/{model}", ModelHandler),
    (_P + "/{model}/versions", VersionsHandler),
    (_V, VersionHandler),
    (_V + "/files", VersionFilesHandler),
    (_V + "/download", DownloadHandler),
    (_V + "/reproduce", ReproduceHandler),
    (_P + "/{model}/aliases", AliasesHandler),
    (_P + "/{model}/aliases/history", AliasHistoryHandler),
    (_P + "/{model}/aliases/{alias}", AliasHandler),
]
