"""Cloud-brain images (云脑镜像): configure an environment once, use it in many tasks.

An image belongs to a user or an organisation and is public or private (the usual rules of
:mod:`.permissions`). Its environment is built by :class:`..compute.environments.
EnvironmentStore` once per content; the scheduler asks :meth:`ImageService.task_python` for
the interpreter of a task and waits (the task stays WAITING) while the environment builds.
"""

from __future__ import annotations

import asyncio
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from openi_lab import image_schemas as i
from openi_lab import schemas as s

from ..compute.environments import EnvironmentStore, EnvStatus, RequirementsError, normalise
from ..db.image_models import Image
from ..db.models import Account, utcnow
from ..db.task_models import Task
from .accounts import user_out
from .errors import Conflict, Forbidden, Invalid, NotFound
from .pagination import PageRequest, PageResult, paginate
from .permissions import at_least, resource_role, visible_owner_clause
from .principal import Principal

Creator = aliased(Account, name="image_creator")
#: task statuses during which an image may not be deleted
IN_USE = ("WAITING", "RUNNING", "STOPPING")


def env_out(st: EnvStatus | None) -> i.ImageEnv:
    if st is None:  # this server's Python: always there
        return i.ImageEnv(key=None, state=i.EnvState.ready, python=sys.executable)
    return i.ImageEnv(
        key=st.key,
        state=i.EnvState(st.state),
        builds=st.builds,
        python=st.python,
        started_at=st.started_at,
        finished_at=st.finished_at,
        log_tail=st.log_tail if st.state in ("building", "failed") else "",
    )


@dataclass(frozen=True)
class TaskPython:
    """What the scheduler may do with a task of an image: run it with ``python``, wait
    (``reason``), or fail it (``failed`` with ``reason``)."""

    python: str | None = None
    reason: str = ""
    failed: bool = False


class ImageService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], envs: EnvironmentStore):
        self.sessions = sessions
        self.envs = envs

    # --- helpers -------------------------------------------------------------------------

    def _requirements(self, environment: i.ImageEnvironment, text: str) -> tuple[str, str]:
        """(normalised requirements, env key) or 422 on ``requirements``."""
        try:
            reqs = normalise(text)
        except RequirementsError as exc:
            raise Invalid("requirements", str(exc)) from None
        if environment is i.ImageEnvironment.server:
            if reqs:
                raise Invalid("requirements", "must be empty for this server's Python")
            return "", ""
        if not reqs:
            raise Invalid("requirements", "list at least one requirement")
        return "\n".join(reqs), self.envs.key(reqs)

    async def _status(self, img: Image) -> EnvStatus | None:
        if img.environment == i.ImageEnvironment.server.value or not img.env_key:
            return None
        return await asyncio.to_thread(self.envs.status, img.env_key)

    async def _out(
        self, session: AsyncSession, img: Image, role: s.Role | None, creator: Account | None
    ) -> i.Image:
        return i.Image(
            id=img.id,
            owner=img.owner.name,
            name=img.name,
            full_name=f"{img.owner.name}/{img.name}",
            description=img.description,
            visibility=s.Visibility(img.visibility),
            container_image=img.container_image,
            environment=i.ImageEnvironment(img.environment),
            requirements=img.requirements,
            env=env_out(await self._status(img)),
            creator=user_out(creator) if creator else None,
            created_at=img.created_at,
            updated_at=img.updated_at,
            can_edit=at_least(role, s.Role.write),
        )

    async def _get(
        self, session: AsyncSession, actor: Principal, image_id: int, need: s.Role = s.Role.read
    ) -> tuple[Image, s.Role]:
        img = await session.get(Image, image_id)
        role = await resource_role(session, actor, img.owner, img.visibility) if img else None
        if img is None or role is None:
            raise NotFound(f"image {image_id}")
        if not at_least(role, need):
            raise Forbidden(f"you need {need.value} access to image {img.owner.name}/{img.name}")
        return img, role

    async def _detail(self, session: AsyncSession, img: Image, role: s.Role) -> i.Image:
        creator = await session.get(Account, img.creator_id) if img.creator_id else None
        return await self._out(session, img, role, creator)

    # --- read ----------------------------------------------------------------------------

    async def list(
        self,
        actor: Principal,
        req: PageRequest,
        q: str | None = None,
        owner: str | None = None,
        name: str | None = None,
    ) -> PageResult:
        """Images the actor may see (public, theirs, their orgs'), recently updated first."""
        stmt = (
            select(Image, Creator)
            .outerjoin(Creator, Creator.id == Image.creator_id)
            .where(visible_owner_clause(actor, Image.owner_id, Image.visibility))
        )
        if owner:
            owner_ids = select(Account.id).where(Account.lower_name == owner.lower())
            stmt = stmt.where(Image.owner_id.in_(owner_ids))
        if name:
            stmt = stmt.where(Image.lower_name == name.lower())
        if q:
            like = f"%{q}%"
            stmt = stmt.where(
                or_(
                    Image.name.ilike(like),
                    Image.description.ilike(like),
                    Image.requirements.ilike(like),
                )
            )
        stmt = stmt.order_by(Image.updated_at.desc(), Image.id.desc())
        async with self.sessions() as session:
            page = await paginate(session, stmt, req)  # type: ignore[arg-type]
            items = []
            for img, creator in page.items:
                role = await resource_role(session, actor, img.owner, img.visibility)
                items.append(await self._out(session, img, role, creator))
        return PageResult(items, page.total, page.page, page.per_page)

    async def get(self, actor: Principal, image_id: int) -> i.Image:
        async with self.sessions() as session:
            img, role = await self._get(session, actor, image_id)
            return await self._detail(session, img, role)

    async def build_log(self, actor: Principal, image_id: int) -> i.ImageBuildLog:
        async with self.sessions() as session:
            img, _ = await self._get(session, actor, image_id)
        st = await self._status(img)
        if st is None:
            return i.ImageBuildLog(key=None, state=i.EnvState.ready, text="")
        path = self.envs.log_file(st.key)

        def read() -> str:
            try:
                return Path(path).read_text(errors="replace")
            except FileNotFoundError:
                return ""

        return i.ImageBuildLog(
            key=st.key, state=i.EnvState(st.state), text=await asyncio.to_thread(read)
        )

    # --- change --------------------------------------------------------------------------

    async def create(self, actor: Principal, body: i.ImageCreate) -> i.Image:
        environment = body.environment or (
            i.ImageEnvironment.requirements
            if body.requirements.strip()
            else i.ImageEnvironment.server
        )
        reqs, key = await asyncio.to_thread(self._requirements, environment, body.requirements)
        async with self.sessions() as session:
            owner_name = body.owner or actor.username
            owner = await session.scalar(
                select(Account).where(Account.lower_name == owner_name.lower())
            )
            if owner is None:
                raise Invalid("owner", f"no user or organisation '{owner_name}'")
            role = await resource_role(session, actor, owner, "private")
            if not at_least(role, s.Role.write):
                raise Forbidden(f"you cannot create images in {owner.name}")
            img = Image(
                owner_id=owner.id,
                name=body.name,
                lower_name=body.name.lower(),
                description=body.description,
                visibility=body.visibility.value,
                container_image=body.container_image,
                environment=environment.value,
                requirements=reqs,
                env_key=key,
                creator_id=actor.id,
            )
            session.add(img)
            full_name = f"{owner.name}/{body.name}"
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(f"image '{full_name}' already exists", [("name", "taken")]) from exc
            await session.refresh(img, ["owner"])
            assert role is not None
            return await self._detail(session, img, role)

    async def update(self, actor: Principal, image_id: int, body: i.ImageUpdate) -> i.Image:
        async with self.sessions() as session:
            img, role = await self._get(session, actor, image_id, s.Role.write)
            if body.name is not None:
                img.name, img.lower_name = body.name, body.name.lower()
            if body.description is not None:
                img.description = body.description
            if body.visibility is not None:
                img.visibility = body.visibility.value
            if body.container_image is not None:
                img.container_image = body.container_image
            if body.environment is not None or body.requirements is not None:
                text = body.requirements if body.requirements is not None else img.requirements
                environment = body.environment or (
                    i.ImageEnvironment.requirements if text.strip() else i.ImageEnvironment.server
                )
                if environment is i.ImageEnvironment.server and body.requirements is None:
                    text = ""  # switching to this server's Python drops the requirements
                reqs, key = await asyncio.to_thread(self._requirements, environment, text)
                img.environment, img.requirements, img.env_key = environment.value, reqs, key
            img.updated_at = utcnow()
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(
                    f"an image '{body.name}' already exists there", [("name", "taken")]
                ) from exc
            await session.refresh(img)
            return await self._detail(session, img, role)

    async def delete(self, actor: Principal, image_id: int) -> None:
        async with self.sessions() as session:
            img, _ = await self._get(session, actor, image_id, s.Role.write)
            used = await session.scalar(
                select(Task.name).where(Task.image_id == img.id, Task.status.in_(IN_USE)).limit(1)
            )
            if used is not None:
                raise Conflict(
                    f"image {img.owner.name}/{img.name} is used by task '{used}', which has not "
                    "ended; stop it first"
                )
            await session.delete(img)
            await session.commit()
        # the environment stays: other images may share it, and it is cheap to keep

    async def build(self, actor: Principal, image_id: int) -> i.ImageEnv:
        """Start building the environment now (a failed one is retried)."""
        async with self.sessions() as session:
            img, _ = await self._get(session, actor, image_id)
        if img.environment == i.ImageEnvironment.server.value or not img.env_key:
            return env_out(None)
        self.envs.start(img.env_key, img.requirements.split("\n"), not_before=utcnow())
        return env_out(await self._status(img))

    # --- for tasks and the scheduler -----------------------------------------------------

    async def resolve_for_task(
        self, session: AsyncSession, actor: Principal, ref: str
    ) -> tuple[int | None, str]:
        """``local`` or ``owner/name`` → (image id, canonical name); 422 on ``image``."""
        if ref == i.LOCAL_IMAGE:
            return None, i.LOCAL_IMAGE
        owner, sep, name = ref.partition("/")
        if not sep or not owner or not name or "/" in name:
            raise Invalid("image", "'local' or 'owner/name' of an image")
        img = await session.scalar(
            select(Image)
            .join(Account, Account.id == Image.owner_id)
            .where(Account.lower_name == owner.lower(), Image.lower_name == name.lower())
        )
        role = await resource_role(session, actor, img.owner, img.visibility) if img else None
        if img is None or role is None:
            raise Invalid("image", f"no image '{ref}' you may use")
        return img.id, f"{img.owner.name}/{img.name}"

    async def task_python(self, image_id: int, task_created_at: datetime) -> TaskPython:
        """The interpreter for a task of this image, or why it waits or fails. A missing
        environment starts building; one that failed after the task was created fails it,
        one that failed before is retried once for it."""
        async with self.sessions() as session:
            img = await session.get(Image, image_id)
            if img is None:
                return TaskPython(reason="its image was deleted", failed=True)
            name = f"{img.owner.name}/{img.name}"
            environment, key, text = img.environment, img.env_key, img.requirements
        if environment == i.ImageEnvironment.server.value or not key:
            return TaskPython(python=sys.executable)
        st = await asyncio.to_thread(self.envs.status, key)
        if st.state == "ready":
            assert st.python is not None
            return TaskPython(python=st.python)
        if st.state == "failed" and st.finished_at and st.finished_at >= task_created_at:
            return TaskPython(
                reason=f"environment {name} failed to build:\n{st.log_tail}", failed=True
            )
        if st.state != "building":
            self.envs.start(key, text.split("\n"), not_before=task_created_at)
        return TaskPython(reason=f"building environment {name}")
