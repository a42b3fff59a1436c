"""Users, organisations, org membership and teams."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import ColumnElement, Select, delete, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import schemas as s

from ..db.models import Account, OrgMember, Project, Team, TeamMember
from .errors import Conflict, Forbidden, Invalid, NotFound
from .pagination import PageRequest, PageResult, contains_pattern, paginate
from .permissions import can_see_account, org_role
from .principal import Principal
from .ttl_cache import TtlCache


def user_out(a: Account) -> s.User:
    return s.User(
        id=a.id,
        username=a.name,
        full_name=a.full_name,
        email=a.email,
        avatar_url=None,
        is_admin=a.is_admin,
        created_at=a.created_at,
    )


def sanitize_username(raw: str) -> str:
    """Turn an external identity (OS user, hub user, e-mail) into a valid platform name."""
    name = re.sub(r"[^A-Za-z0-9_.-]", "-", raw.split("@")[0])[:40].strip("-.")
    if not name or not name[0].isalnum():
        name = f"u{name}"[:40]
    return name


def orgs_seen_by(actor: Principal) -> Select[Any]:
    """Orgs the actor may see, with member, team and *visible* project counts in one query:
    a private project is counted only for who may see it (an org's page and Explore agree)."""
    mine = select(OrgMember.org_id).where(OrgMember.user_id == actor.id)
    members = select(func.count()).where(OrgMember.org_id == Account.id).correlate(Account)
    teams = select(func.count()).where(Team.org_id == Account.id).correlate(Account)
    seen: ColumnElement[bool] = true()
    if not actor.is_admin:
        seen = or_(Project.visibility == "public", Project.owner_id.in_(mine))
    projects = select(func.count()).where(Project.owner_id == Account.id, seen).correlate(Account)
    stmt = select(
        Account,
        members.scalar_subquery().label("members"),
        teams.scalar_subquery().label("teams"),
        projects.scalar_subquery().label("projects"),
    ).where(Account.kind == "org")
    if not actor.is_admin:
        stmt = stmt.where(or_(Account.visibility == "public", Account.id.in_(mine)))
    return stmt


class AccountService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], admin_users: set[str]):
        self.sessions = sessions
        self.admin_users = {u.lower() for u in admin_users}
        # a user's id, name and admin flag are fixed once created (no rename, promotion or
        # deletion of users exists): a Jupyter user's account is looked up once a minute
        self._users: TtlCache[str, Principal] = TtlCache(60.0)

    # --- users -----------------------------------------------------------------------------

    async def ensure_user(self, username: str, full_name: str = "") -> Principal:
        """The platform user behind a Jupyter identity, created on first sight.

        The first user of a new platform becomes its admin, as do names in ``admin_users``.
        """
        name = sanitize_username(username)
        known = self._users.get(name)
        if known is not None:
            return known
        async with self.sessions() as session:
            user = await self._account(session, name, "user")
            if user is None:
                first = not await session.scalar(select(func.count()).select_from(Account))
                user = Account(
                    kind="user",
                    name=name,
                    lower_name=name.lower(),
                    full_name=full_name,
                    is_admin=first or name.lower() in self.admin_users,
                )
                session.add(user)
                try:
                    await session.commit()
                except IntegrityError:  # another server created it at the same moment
                    await session.rollback()
                    user = await self._account(session, name, "user")
                    assert user is not None
            principal = Principal(id=user.id, username=user.name, is_admin=user.is_admin)
        self._users.put(name, principal)
        return principal

    async def principal(self, user_id: int) -> Principal:
        async with self.sessions() as session:
            user = await session.get(Account, user_id)
            if user is None:
                raise NotFound("user")
            return Principal(id=user.id, username=user.name, is_admin=user.is_admin)

    async def me(self, actor: Principal) -> s.User:
        async with self.sessions() as session:
            user = await session.get(Account, actor.id)
            if user is None:
                raise NotFound("user")
            return user_out(user)

    async def create_user(self, actor: Principal, body: s.UserCreate) -> s.User:
        if not actor.is_admin:
            raise Forbidden("only site admins can create users")
        async with self.sessions() as session:
            user = Account(
                kind="user",
                name=body.username,
                lower_name=body.username.lower(),
                full_name=body.full_name,
                email=body.email,
                is_admin=body.is_admin,
            )
            await self._insert(session, user, "username", body.username)
            return user_out(user)

    async def get_user(self, username: str) -> s.User:
        async with self.sessions() as session:
            user = await self._account(session, username, "user")
            if user is None:
                raise NotFound(f"user '{username}'")
            return user_out(user)

    async def list_users(self, q: str | None, req: PageRequest) -> PageResult:
        stmt = select(Account).where(Account.kind == "user")
        if q:
            stmt = stmt.where(
                or_(
                    Account.name.ilike(contains_pattern(q), escape="\\"),
                    Account.full_name.ilike(contains_pattern(q)),
                )
            )
        async with self.sessions() as session:
            page = await paginate(session, stmt.order_by(Account.lower_name), req)
        return PageResult([user_out(u) for u in page.items], page.total, page.page, page.per_page)

    # --- organisations ---------------------------------------------------------------------

    @staticmethod
    def _org_out(row: Any) -> s.Org:
        org, members, teams, projects = row
        return s.Org(
            id=org.id,
            name=org.name,
            full_name=org.full_name,
            description=org.description,
            visibility=s.Visibility(org.visibility),
            created_at=org.created_at,
            member_count=members,
            team_count=teams,
            project_count=projects,
        )

    async def create_org(self, actor: Principal, body: s.OrgCreate) -> s.Org:
        async with self.sessions() as session:
            org = Account(
                kind="org",
                name=body.name,
                lower_name=body.name.lower(),
                full_name=body.full_name,
                description=body.description,
                visibility=body.visibility.value,
            )
            await self._insert(session, org, "name", body.name, flush_only=True)
            session.add(OrgMember(org_id=org.id, user_id=actor.id, role="owner"))
            await session.commit()
        return await self.get_org(actor, body.name)

    async def get_org(self, actor: Principal, name: str) -> s.Org:
        async with self.sessions() as session:
            await self._visible_org(session, actor, name)
            row = (
                await session.execute(orgs_seen_by(actor).where(Account.lower_name == name.lower()))
            ).one()
            return self._org_out(row)

    async def list_orgs(
        self, actor: Principal, q: str | None, req: PageRequest, member: str | None = None
    ) -> PageResult:
        """Orgs the actor may see; with ``member``, only that user's orgs."""
        stmt = orgs_seen_by(actor)
        if member is not None:
            async with self.sessions() as session:
                user = await self._account(session, member, "user")
            if user is None:
                raise NotFound(f"user '{member}'")
            stmt = stmt.where(
                Account.id.in_(select(OrgMember.org_id).where(OrgMember.user_id == user.id))
            )
        if q:
            stmt = stmt.where(
                or_(
                    Account.name.ilike(contains_pattern(q), escape="\\"),
                    Account.full_name.ilike(contains_pattern(q)),
                )
            )
        async with self.sessions() as session:
            page = await paginate(session, stmt.order_by(Account.lower_name), req)
        return PageResult(
            [self._org_out(r) for r in page.items], page.total, page.page, page.per_page
        )

    async def update_org(self, actor: Principal, name: str, body: s.OrgUpdate) -> s.Org:
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            for key, value in body.model_dump(exclude_unset=True).items():
                if value is None:
                    raise Invalid(key, "may not be null")
                setattr(org, key, value.value if isinstance(value, s.Visibility) else value)
            await session.commit()
        return await self.get_org(actor, name)

    async def list_members(self, actor: Principal, name: str, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            org = await self._visible_org(session, actor, name)
            stmt = (
                select(OrgMember)
                .join(Account, Account.id == OrgMember.user_id)
                .where(OrgMember.org_id == org.id)
                .order_by(OrgMember.role.desc(), Account.lower_name)
            )
            page = await paginate(session, stmt, req)
        items = [s.Member(user=user_out(m.user), role=s.OrgRole(m.role)) for m in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def set_member(
        self, actor: Principal, name: str, username: str, role: s.OrgRole
    ) -> s.Member:
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            user = await self._user(session, username)
            member = await session.scalar(
                select(OrgMember).where(OrgMember.org_id == org.id, OrgMember.user_id == user.id)
            )
            if member is None:
                member = OrgMember(org_id=org.id, user_id=user.id, role=role.value)
                session.add(member)
            else:
                if member.role == "owner" and role != s.OrgRole.owner:
                    await self._keep_an_owner(session, org.id)
                member.role = role.value
            await session.commit()
            return s.Member(user=user_out(user), role=role)

    async def remove_member(self, actor: Principal, name: str, username: str) -> None:
        """Org owners remove anyone; a member may leave. The last owner cannot go."""
        async with self.sessions() as session:
            org = await self._visible_org(session, actor, name)
            user = await self._user(session, username)
            if user.id != actor.id:
                await self._require_owner(session, actor, org)
            member = await session.scalar(
                select(OrgMember).where(OrgMember.org_id == org.id, OrgMember.user_id == user.id)
            )
            if member is None:
                raise NotFound(f"member '{username}'")
            if member.role == "owner":
                await self._keep_an_owner(session, org.id)
            teams = select(Team.id).where(Team.org_id == org.id)
            await session.execute(
                delete(TeamMember).where(
                    TeamMember.user_id == user.id, TeamMember.team_id.in_(teams)
                )
            )
            await session.delete(member)
            await session.commit()

    # --- teams -----------------------------------------------------------------------------

    @staticmethod
    def _team_out(org: Account, team: Team, members: int) -> s.Team:
        return s.Team(
            id=team.id,
            org=org.name,
            name=team.name,
            description=team.description,
            permission=s.TeamPermission(team.permission),
            member_count=members,
            created_at=team.created_at,
        )

    def _team_query(self, org_id: int) -> Select[Any]:
        count = (
            select(func.count()).where(TeamMember.team_id == Team.id).correlate(Team)
        ).scalar_subquery()
        return select(Team, count).where(Team.org_id == org_id)

    async def list_teams(self, actor: Principal, name: str, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            org = await self._member_org(session, actor, name)
            page = await paginate(session, self._team_query(org.id).order_by(Team.lower_name), req)
        items = [self._team_out(org, t, n) for t, n in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def create_team(self, actor: Principal, name: str, body: s.TeamCreate) -> s.Team:
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            team = Team(
                org_id=org.id,
                name=body.name,
                lower_name=body.name.lower(),
                description=body.description,
                permission=body.permission.value,
            )
            session.add(team)
            org_name = org.name
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(
                    f"team '{body.name}' already exists in {org_name}", [("name", "taken")]
                ) from exc
            return self._team_out(org, team, 0)

    async def get_team(self, actor: Principal, name: str, team_name: str) -> s.Team:
        async with self.sessions() as session:
            org = await self._member_org(session, actor, name)
            team = await self._team(session, org, team_name)
            row = (await session.execute(self._team_query(org.id).where(Team.id == team.id))).one()
            return self._team_out(org, row[0], row[1])

    async def update_team(
        self, actor: Principal, name: str, team_name: str, body: s.TeamUpdate
    ) -> s.Team:
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            team = await self._team(session, org, team_name)
            for key, value in body.model_dump(exclude_unset=True).items():
                if value is None:
                    raise Invalid(key, "may not be null")
                setattr(team, key, getattr(value, "value", value))
            await session.commit()
        return await self.get_team(actor, name, team_name)

    async def delete_team(self, actor: Principal, name: str, team_name: str) -> None:
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            team = await self._team(session, org, team_name)
            await session.execute(delete(TeamMember).where(TeamMember.team_id == team.id))
            await session.delete(team)
            await session.commit()

    async def list_team_members(
        self, actor: Principal, name: str, team_name: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            org = await self._member_org(session, actor, name)
            team = await self._team(session, org, team_name)
            stmt = (
                select(Account)
                .join(TeamMember, TeamMember.user_id == Account.id)
                .where(TeamMember.team_id == team.id)
                .order_by(Account.lower_name)
            )
            page = await paginate(session, stmt, req)
        return PageResult([user_out(u) for u in page.items], page.total, page.page, page.per_page)

    async def add_team_member(
        self, actor: Principal, name: str, team_name: str, username: str
    ) -> s.User:
        """Adding someone to a team makes them an org member too, as on GitHub."""
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            team = await self._team(session, org, team_name)
            user = await self._user(session, username)
            if await org_role(session, Principal(user.id, user.name), org.id) is None:
                session.add(OrgMember(org_id=org.id, user_id=user.id, role="member"))
            exists = await session.scalar(
                select(TeamMember.id).where(
                    TeamMember.team_id == team.id, TeamMember.user_id == user.id
                )
            )
            if exists is None:
                session.add(TeamMember(team_id=team.id, user_id=user.id))
            await session.commit()
            return user_out(user)

    async def remove_team_member(
        self, actor: Principal, name: str, team_name: str, username: str
    ) -> None:
        async with self.sessions() as session:
            org = await self._owned_org(session, actor, name)
            team = await self._team(session, org, team_name)
            user = await self._user(session, username)
            result = await session.execute(
                delete(TeamMember).where(
                    TeamMember.team_id == team.id, TeamMember.user_id == user.id
                )
            )
            if not getattr(result, "rowcount", 0):
                raise NotFound(f"team member '{username}'")
            await session.commit()

    # --- helpers ---------------------------------------------------------------------------

    @staticmethod
    async def _account(session: AsyncSession, name: str, kind: str | None) -> Account | None:
        stmt = select(Account).where(Account.lower_name == name.lower())
        if kind:
            stmt = stmt.where(Account.kind == kind)
        return await session.scalar(stmt)

    async def _user(self, session: AsyncSession, username: str) -> Account:
        user = await self._account(session, username, "user")
        if user is None:
            raise NotFound(f"user '{username}'")
        return user

    async def _visible_org(self, session: AsyncSession, actor: Principal, name: str) -> Account:
        org = await self._account(session, name, "org")
        if org is None or not await can_see_account(session, actor, org):
            raise NotFound(f"organisation '{name}'")
        return org

    async def _member_org(self, session: AsyncSession, actor: Principal, name: str) -> Account:
        """Teams are internal: members (and site admins) see them, others are refused."""
        org = await self._visible_org(session, actor, name)
        if not actor.is_admin and await org_role(session, actor, org.id) is None:
            raise Forbidden(f"only members of {org.name} can see its teams")
        return org

    async def _require_owner(self, session: AsyncSession, actor: Principal, org: Account) -> None:
        if not actor.is_admin and await org_role(session, actor, org.id) != "owner":
            raise Forbidden(f"only owners of {org.name} can do this")

    async def _owned_org(self, session: AsyncSession, actor: Principal, name: str) -> Account:
        org = await self._visible_org(session, actor, name)
        await self._require_owner(session, actor, org)
        return org

    @staticmethod
    async def _team(session: AsyncSession, org: Account, team_name: str) -> Team:
        team = await session.scalar(
            select(Team).where(Team.org_id == org.id, Team.lower_name == team_name.lower())
        )
        if team is None:
            raise NotFound(f"team '{team_name}'")
        return team

    @staticmethod
    async def _keep_an_owner(session: AsyncSession, org_id: int) -> None:
        owners = await session.scalar(
            select(func.count()).where(OrgMember.org_id == org_id, OrgMember.role == "owner")
        )
        if (owners or 0) <= 1:
            raise Conflict("an organisation must keep at least one owner")

    @staticmethod
    async def _insert(
        session: AsyncSession, account: Account, field: str, name: str, flush_only: bool = False
    ) -> None:
        session.add(account)
        try:
            await (session.flush() if flush_only else session.commit())
        except IntegrityError as exc:
            await session.rollback()
            raise Conflict(f"the name '{name}' is already taken", [(field, "taken")]) from exc
