"""Pydantic models of cloud-brain images (云脑镜像) and their execution environments.

An image is configured once and used by anyone's tasks: a container image address for
clusters, and a local environment, either this server's Python or a virtual environment built
once from a requirements list (shared by every image with the same requirements).
"""

from __future__ import annotations

import re
from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AfterValidator, Field, WithJsonSchema

from .schemas import Name, User, Visibility, _Input, _Model

#: ``[registry[:port]/]path[:tag][@sha256:digest]``, lower-case path components as Docker
#: requires (the grammar of distribution/reference, without its 255-character whole limit).
CONTAINER_IMAGE_PATTERN = (
    r"^(?:(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.(?:[a-zA-Z0-9]"
    r"(?:[a-zA-Z0-9-]*[a-zA-Z0-9])?))*(?::[0-9]+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
    r"(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$"
)
_CONTAINER_RE = re.compile(CONTAINER_IMAGE_PATTERN)


def _check_container(value: str) -> str:
    if value and not _CONTAINER_RE.match(value):
        raise ValueError(
            "not a container image reference such as 'registry.example.com/team/pytorch:2.1' "
            "(lower-case path, optional :tag and @sha256:digest)"
        )
    return value


ContainerImage = Annotated[
    str,
    Field(max_length=255),
    AfterValidator(_check_container),
    WithJsonSchema({"type": "string", "maxLength": 255, "pattern": CONTAINER_IMAGE_PATTERN}),
]
#: The built-in image: the Python this server runs on.
LOCAL_IMAGE = "local"


class ImageEnvironment(StrEnum):
    """Where a task's Python comes from."""

    #: this server's own interpreter and packages
    server = "server"
    #: a virtual environment built once from the image's requirements
    requirements = "requirements"


class EnvState(StrEnum):
    missing = "missing"
    building = "building"
    ready = "ready"
    failed = "failed"


class ImageEnv(_Model):
    """The state of an image's environment (shared by images with the same requirements)."""

    #: sha256 of the normalised requirements and the Python version; None for ``server``
    key: str | None = None
    state: EnvState
    #: how many times it was built (once, unless a build failed and was retried)
    builds: int = 0
    #: the interpreter tasks run with, once ready
    python: str | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    #: the end of the build log (while building, and after a failure)
    log_tail: str = ""


class Image(_Model):
    id: int
    owner: str
    name: str
    #: ``owner/name``: what a task's ``image`` names
    full_name: str
    description: str
    visibility: Visibility
    container_image: str
    environment: ImageEnvironment
    #: normalised: one PEP 508 requirement per line, sorted
    requirements: str
    env: ImageEnv
    creator: User | None = None
    created_at: datetime
    updated_at: datetime
    #: the caller may edit, delete and rebuild it
    can_edit: bool = False


class ImageCreate(_Input):
    #: a user or an organisation where the caller may write (default: the caller)
    owner: str | None = None
    name: Name
    description: str = Field("", max_length=255)
    visibility: Visibility = Visibility.public
    container_image: ContainerImage = ""
    #: default: ``requirements`` when requirements are given, else ``server``
    environment: ImageEnvironment | None = None
    #: PEP 508 requirements, one a line (``#`` comments allowed; no options, no local paths)
    requirements: str = Field("", max_length=20_000)


class ImageUpdate(_Input):
    name: Name | None = None
    description: str | None = Field(None, max_length=255)
    visibility: Visibility | None = None
    container_image: ContainerImage | None = None
    environment: ImageEnvironment | None = None
    requirements: str | None = Field(None, max_length=20_000)


class ImageBuildLog(_Model):
    key: str | None
    state: EnvState
    text: str
