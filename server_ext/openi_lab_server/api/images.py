"""Cloud-brain images (云脑镜像) and the build of their environments."""

from __future__ import annotations

from typing import Any

from openi_lab import image_schemas as i
from openi_lab import schemas as s

from .base import BaseHandler, endpoint, path_int


class ImagesHandler(BaseHandler):
    @endpoint(
        "Images you may see (public, yours, your organisations'), recently updated first",
        tag="images",
        response=s.Page[i.Image],
        query=("q", "owner", "name", "page", "per_page"),
    )
    async def get(self) -> Any:
        return await self.platform.images.list(
            self.actor,
            self.page_request(),
            q=self.str_arg("q"),
            owner=self.str_arg("owner"),
            name=self.str_arg("name"),
        )

    @endpoint(
        "Create an image for yourself or an organisation where you may write",
        tag="images",
        body=i.ImageCreate,
        response=i.Image,
        status=201,
    )
    async def post(self, body: i.ImageCreate) -> i.Image:
        return await self.platform.images.create(self.actor, body)


class ImageHandler(BaseHandler):
    @endpoint("An image with the state of its environment", tag="images", response=i.Image)
    async def get(self, image_id: str) -> i.Image:
        return await self.platform.images.get(self.actor, path_int(image_id, "image_id"))

    @endpoint(
        "Edit an image (write role); new requirements mean a new environment",
        tag="images",
        body=i.ImageUpdate,
        response=i.Image,
    )
    async def patch(self, body: i.ImageUpdate, image_id: str) -> i.Image:
        return await self.platform.images.update(self.actor, path_int(image_id, "image_id"), body)

    @endpoint(
        "Delete an image (409 while a task that has not ended uses it)", tag="images", status=204
    )
    async def delete(self, image_id: str) -> None:
        await self.platform.images.delete(self.actor, path_int(image_id, "image_id"))


class BuildHandler(BaseHandler):
    @endpoint("The state of the image's environment", tag="images", response=i.ImageEnv)
    async def get(self, image_id: str) -> i.ImageEnv:
        image = await self.platform.images.get(self.actor, path_int(image_id, "image_id"))
        return image.env

    @endpoint(
        "Build the environment now (once per content; a failed build is retried)",
        tag="images",
        response=i.ImageEnv,
        status=202,
    )
    async def post(self, image_id: str) -> i.ImageEnv:
        return await self.platform.images.build(self.actor, path_int(image_id, "image_id"))


class BuildLogHandler(BaseHandler):
    @endpoint(
        "The whole log of the environment's last build", tag="images", response=i.ImageBuildLog
    )
    async def get(self, image_id: str) -> i.ImageBuildLog:
        return await self.platform.images.build_log(self.actor, path_int(image_id, "image_id"))


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/images", ImagesHandler),
    ("/images/{image_id}", ImageHandler),
    ("/images/{image_id}/build", BuildHandler),
    ("/images/{image_id}/build/log", BuildLogHandler),
]
