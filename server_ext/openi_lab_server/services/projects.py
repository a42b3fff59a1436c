"""Projects (项目): the resource every later capability hangs off.

Code hosting adds the git repository; here live the owner, the visibility and the listing.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import Connection, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from openi_lab import schemas as s

from ..db.models import Account, Project
from .errors import Conflict, Forbidden, NotFound
from .pagination import PageRequest, PageResult, paginate
from .permissions import (
    OwnerLike,
    at_least,
    resource_role,
    resource_role_sync,
    visible_owner_clause,
)
from .principal import Principal


class ProjectLike(Protocol):
    """What the access rule reads of a project: a :class:`Project`, or just its columns
    where a hot path reads no ORM objects."""

    @property
    def owner(self) -> OwnerLike: ...
    @property
    def visibility(self) -> str: ...


def project_out(p: Project, role: s.Role | None = None) -> s.Project:
    return s.Project(
        id=p.id,
        owner=p.owner.name,
        name=p.name,
        full_name=f"{p.owner.name}/{p.name}",
        description=p.description,
        visibility=s.Visibility(p.visibility),
        created_at=p.created_at,
        updated_at=p.updated_at,
        role=role,
        default_branch=p.default_branch,
        is_archived=p.is_archived,
        fork_parent=p.fork_parent.full_name if p.fork_parent_id and p.fork_parent else None,
        topics=p.topics.split(),
        num_stars=p.num_stars,
        num_forks=p.num_forks,
        num_watches=p.num_watches,
        pushed_at=p.pushed_at,
        clone_path=f"openi/git/{p.owner.name}/{p.name}.git",
    )


class ProjectService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions

    async def list(
        self, actor: Principal, req: PageRequest, owner: str | None = None, q: str | None = None
    ) -> PageResult:
        """Projects the actor may see, most recently updated first."""
        stmt = select(Project).where(
            visible_owner_clause(actor, Project.owner_id, Project.visibility)
        )
        if owner:
            stmt = stmt.join(Account, Account.id == Project.owner_id).where(
                Account.lower_name == owner.lower()
            )
        if q:
            like = f"%{q}%"
            stmt = stmt.where(or_(Project.name.ilike(like), Project.description.ilike(like)))
        async with self.sessions() as session:
            page = await paginate(
                session, stmt.order_by(Project.updated_at.desc(), Project.id.desc()), req
            )
        items = [project_out(p) for p in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def get(self, actor: Principal, owner: str, name: str) -> s.Project:
        async with self.sessions() as session:
            project, role = await self.resolve(session, actor, owner, name, s.Role.read)
            return project_out(project, role)

    async def create(self, actor: Principal, body: s.ProjectCreate) -> s.Project:
        """Create under the actor or an org where the actor may write."""
        async with self.sessions() as session:
            owner_name = body.owner or actor.username
            owner = await session.scalar(
                select(Account).where(Account.lower_name == owner_name.lower())
            )
            if owner is None:
                raise NotFound(f"owner '{owner_name}'")
            role = await resource_role(session, actor, owner, "private")
            if not at_least(role, s.Role.write):
                raise Forbidden(f"you cannot create projects in {owner.name}")
            project = Project(
                owner_id=owner.id,
                name=body.name,
                lower_name=body.name.lower(),
                description=body.description,
                visibility=body.visibility.value,
            )
            session.add(project)
            full_name = f"{owner.name}/{body.name}"
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(
                    f"project '{full_name}' already exists", [("name", "taken")]
                ) from exc
            await session.refresh(project, ["owner"])
            return project_out(project, s.Role.owner)

    async def resolve(
        self, session: AsyncSession, actor: Principal, owner: str, name: str, need: s.Role
    ) -> tuple[Project, s.Role]:
        """The project and the actor's role, or 404 (invisible) / 403 (role below ``need``).

        Every service working on a project's contents (repository, issues, datasets…) starts
        here, so the permission rule is applied in one place.
        """
        project = await session.scalar(
            select(Project)
            .join(Account, Account.id == Project.owner_id)
            .where(Account.lower_name == owner.lower(), Project.lower_name == name.lower())
        )
        role = await self.authorize(session, actor, project, owner, name, need)
        assert project is not None
        return project, role

    @staticmethod
    async def authorize(
        session: AsyncSession,
        actor: Principal,
        project: Project | None,
        owner: str,
        name: str,
        need: s.Role = s.Role.read,
    ) -> s.Role:
        """:meth:`resolve`'s rule for a project a caller already read (or found missing):
        404 when invisible, 403 when the role is below ``need``."""
        role = (
            await resource_role(session, actor, project.owner, project.visibility)
            if project
            else None
        )
        return ProjectService._decide(role, owner, name, need)

    @staticmethod
    def authorize_sync(
        session: Session | Connection,
        actor: Principal,
        project: ProjectLike | None,
        owner: str,
        name: str,
        need: s.Role = s.Role.read,
    ) -> s.Role:
        """:meth:`authorize` on a synchronous session (``db.engine.SyncSessions``), for a
        project read as an ORM object or as the columns the rule needs."""
        role = (
            resource_role_sync(session, actor, project.owner, project.visibility)
            if project
            else None
        )
        return ProjectService._decide(role, owner, name, need)

    @staticmethod
    def _decide(role: s.Role | None, owner: str, name: str, need: s.Role) -> s.Role:
        """404 when invisible (or missing: ``role`` None), 403 when below ``need``."""
        if role is None:
            raise NotFound(f"project '{owner}/{name}'")
        if not at_least(role, need):
            raise Forbidden(f"you need {need.value} access to {owner}/{name}")
        return role
