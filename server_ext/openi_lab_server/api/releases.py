"""/projects/{o}/{n}/releases, their assets (streamed both ways) and source archives."""

from __future__ import annotations

from urllib.parse import quote

from tornado import web

from openi_lab import schemas as s

from ..services.errors import DomainError, Invalid
from .base import BaseHandler, endpoint, path_int


class ReleasesHandler(BaseHandler):
    @endpoint("Releases, newest first", tag="releases", response=list[s.Release])
    async def get(self, owner: str, name: str) -> list[s.Release]:
        return await self.platform.releases.list(self.actor, owner, name)

    @endpoint(
        "Publish a release (tags the target when the tag is new)",
        tag="releases",
        body=s.ReleaseCreate,
        response=s.Release,
        status=201,
    )
    async def post(self, body: s.ReleaseCreate, owner: str, name: str) -> s.Release:
        return await self.platform.releases.create(self.actor, owner, name, body)


class ReleaseHandler(BaseHandler):
    @endpoint("Delete a release and its files (the tag stays)", tag="releases", status=204)
    async def delete(self, owner: str, name: str, release_id: str) -> None:
        rid = path_int(release_id, "release_id")
        await self.platform.releases.delete(self.actor, owner, name, rid)


@web.stream_request_body
class AssetsHandler(BaseHandler):
    """POST the file's bytes as the body, ``?name=<file name>``; hashed while it streams."""

    upload = None

    async def prepare(self) -> None:  # type: ignore[override]
        await super().prepare()
        if self._finished or self.request.method != "POST" or self._actor is None:
            return
        if not self._actor.allows(s.Scope.write):
            return  # the endpoint answers 403 before anything is stored
        self.request.connection.set_max_body_size(  # type: ignore[union-attr]
            self.platform.releases.max_asset_bytes
        )
        kw = self.path_kwargs
        try:
            self.upload = await self.platform.releases.start_upload(
                self._actor,
                kw["owner"],
                kw["name"],
                path_int(kw["release_id"], "release_id"),
                self.get_query_argument("name", ""),
            )
        except DomainError as exc:
            self.fail(exc.status, exc.message, exc.errors)

    async def data_received(self, chunk: bytes) -> None:
        if self.upload is not None:
            try:
                self.upload.write(chunk)
            except DomainError as exc:
                self.upload.discard()
                self.upload = None
                self.fail(exc.status, exc.message, exc.errors)

    def on_connection_close(self) -> None:
        if self.upload is not None:
            self.upload.discard()

    @endpoint(
        "Attach a file (raw body, ?name=)",
        tag="releases",
        response=s.ReleaseAsset,
        status=201,
        query=("name",),
    )
    async def post(self, owner: str, name: str, release_id: str) -> s.ReleaseAsset:
        if self.upload is None:
            raise Invalid("body", "upload was refused")
        upload, self.upload = self.upload, None
        return await self.platform.releases.finish_upload(
            upload, int(release_id), self.get_query_argument("name")
        )


class AssetHandler(BaseHandler):
    @endpoint("Download an attached file", tag="releases")
    async def get(self, owner: str, name: str, release_id: str, asset_id: str) -> None:
        path, filename, _ = await self.platform.releases.open_asset(
            self.actor,
            owner,
            name,
            path_int(release_id, "release_id"),
            path_int(asset_id, "asset_id"),
        )
        await self.send_file(path, filename)


class ArchiveHandler(BaseHandler):
    @endpoint("Source archive of a ref, streamed", tag="releases", query=("ref", "format"))
    async def get(self, owner: str, name: str) -> None:
        filename, ctype, chunks = await self.platform.releases.archive(
            self.actor, owner, name, self.str_arg("ref"), self.get_query_argument("format", "zip")
        )
        self.set_header("Content-Type", ctype)
        self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{quote(filename)}")
        async for chunk in chunks:
            self.write(chunk)
            await self.flush()
        self.finish()


ROUTES = [
    ("/projects/{owner}/{name}/releases", ReleasesHandler),
    ("/projects/{owner}/{name}/releases/{release_id}", ReleaseHandler),
    ("/projects/{owner}/{name}/releases/{release_id}/assets", AssetsHandler),
    ("/projects/{owner}/{name}/releases/{release_id}/assets/{asset_id}", AssetHandler),
    ("/projects/{owner}/{name}/archive", ArchiveHandler),
]
