"""Roles on resources owned by a user or an organisation.

One rule set for every resource kind (project, dataset, model, task):

* site admins are owners of everything;
* a user owns what their account owns;
* in an org, org owners are owners, team members get their strongest team's permission, other
  members may read;
* anyone may read a public resource, unless it lives in a private org they are not a member of.

The same rules are expressed twice: :func:`resource_role` for one resource and
:func:`visible_owner_clause` as SQL for lists, so lists never filter in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple, Protocol

from sqlalchemy import ColumnElement, Connection, Select, and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from openi_lab.schemas import Role

from ..db.models import Account, OrgMember, Team, TeamMember
from .principal import Principal

ROLE_RANK = {Role.read: 1, Role.write: 2, Role.admin: 3, Role.owner: 4}


class OwnerLike(Protocol):
    """What the rules read of a resource's owner: an :class:`Account`, or just these
    columns (:class:`OwnerFacts`) where a hot path reads no ORM objects."""

    @property
    def id(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def visibility(self) -> str: ...


class OwnerFacts(NamedTuple):
    """An owner's columns that the rules read (an :class:`OwnerLike`)."""

    id: int
    kind: str
    visibility: str


def at_least(role: Role | None, needed: Role) -> bool:
    return role is not None and ROLE_RANK[role] >= ROLE_RANK[needed]


async def org_role(session: AsyncSession, actor: Principal, org_id: int) -> str | None:
    """``'owner'``, ``'member'`` or ``None`` for the actor in an org."""
    return await session.scalar(_membership(actor, org_id))


async def can_see_account(session: AsyncSession, actor: Principal, account: Account) -> bool:
    if account.kind == "user" or account.visibility == "public" or actor.is_admin:
        return True
    return await org_role(session, actor, account.id) is not None


async def resource_role(
    session: AsyncSession, actor: Principal, owner: Account, visibility: str
) -> Role | None:
    """The actor's role on a resource with this owner and visibility; ``None``: invisible."""
    decided, role = _without_org(actor, owner, visibility)
    if decided:
        return role
    membership = await session.scalar(_membership(actor, owner.id))
    perms = (
        (await session.scalars(_team_permissions(actor, owner.id))).all()
        if membership == "member"
        else []
    )
    return _in_org(owner, visibility, membership, perms)


def resource_role_sync(
    session: Session | Connection, actor: Principal, owner: OwnerLike, visibility: str
) -> Role | None:
    """:func:`resource_role` on a synchronous session (``db.engine.SyncSessions``)."""
    decided, role = _without_org(actor, owner, visibility)
    if decided:
        return role
    membership = session.scalar(_membership(actor, owner.id))
    perms = (
        session.scalars(_team_permissions(actor, owner.id)).all() if membership == "member" else []
    )
    return _in_org(owner, visibility, membership, perms)


def _without_org(actor: Principal, owner: OwnerLike, visibility: str) -> tuple[bool, Role | None]:
    """(decided, role): every case that needs no look-up of the actor's org membership."""
    if actor.is_admin or owner.id == actor.id:
        return True, Role.owner
    if owner.kind == "user":
        return True, Role.read if visibility == "public" else None
    return False, None


def _membership(actor: Principal, org_id: int) -> Select[str]:
    return select(OrgMember.role).where(OrgMember.org_id == org_id, OrgMember.user_id == actor.id)


def _team_permissions(actor: Principal, org_id: int) -> Select[str]:
    return (
        select(Team.permission)
        .join(TeamMember, TeamMember.team_id == Team.id)
        .where(Team.org_id == org_id, TeamMember.user_id == actor.id)
    )


def _in_org(
    owner: OwnerLike, visibility: str, membership: str | None, perms: Sequence[str]
) -> Role | None:
    public = Role.read if visibility == "public" else None
    if membership is None:
        return public if owner.visibility == "public" else None
    if membership == "owner":
        return Role.owner
    roles = [Role(p) for p in perms] + [Role.read]
    return max(roles, key=ROLE_RANK.__getitem__)


def visible_owner_clause(actor: Principal, owner_id: Any, visibility: Any) -> ColumnElement[bool]:
    """SQL for "the actor may see a resource of ``owner_id`` with ``visibility``"."""
    if actor.is_admin:
        return and_(True)
    my_orgs = select(OrgMember.org_id).where(OrgMember.user_id == actor.id)
    public_owners = select(Account.id).where(
        or_(Account.kind == "user", Account.visibility == "public")
    )
    return or_(
        owner_id == actor.id,
        owner_id.in_(my_orgs),
        and_(visibility == "public", owner_id.in_(public_owners)),
    )
