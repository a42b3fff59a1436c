"""Explore (探索): the projects square, organisations, users, the signed-in user's issues,
pull requests and milestones across projects, the home page's recommendations with their
"submit yours" requests, and a project's fork network (commits ahead/behind its parent).

Every list filters in SQL with the platform's visibility rules; recommendations show curated
entries first and are topped up with public projects (and orgs) by their OpenI index.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from dulwich.errors import NotGitRepository
from dulwich.object_store import OverlayObjectStore
from dulwich.walk import Walker
from sqlalchemy import ColumnElement, Select, and_, delete, exists, func, or_, select, true
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from ..db.community_models import CuratedRecommendation, ProjectIndex, RecommendationRequest
from ..db.models import Account, OrgMember, Project
from ..db.tracker_models import Comment, Issue, IssueAssignee, Milestone
from ..git.store import RepoStore
from .accounts import orgs_seen_by, user_out
from .errors import Conflict, Forbidden, Invalid, NotFound
from .pagination import PageRequest, PageResult, contains_pattern, paginate
from .permissions import org_role, visible_owner_clause
from .principal import Principal
from .projects import ProjectService, project_out

#: a select of any columns (SQLAlchemy 2.1 types each column)
AnySelect = Select[*tuple[Any, ...]]

PROJECT_SORTS = {
    "updated": (Project.updated_at.desc(), Project.id.desc()),
    "created": (Project.created_at.desc(), Project.id.desc()),
    "stars": (Project.num_stars.desc(), Project.updated_at.desc(), Project.id.desc()),
    "forks": (Project.num_forks.desc(), Project.updated_at.desc(), Project.id.desc()),
    "name": (Project.lower_name, Project.id),
}
ORG_SORTS = ("projects", "members", "created", "name")
USER_SORTS = ("created", "name", "projects")
ANONYMOUS = Principal(id=0, username="")


def explore_project(p: Project, index: float | None) -> cs.ExploreProject:
    base = project_out(p).model_dump()
    return cs.ExploreProject(**base, openi_index=index, owner_kind=p.owner.kind)


def _visible(actor: Principal) -> ColumnElement[bool]:
    return visible_owner_clause(actor, Project.owner_id, Project.visibility)


class ExploreService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        store: RepoStore,
    ):
        self.sessions = sessions
        self.projects = projects
        self.store = store

    # --- projects ------------------------------------------------------------------------

    def _projects(self, actor: Principal) -> AnySelect:
        return (
            select(Project, ProjectIndex.score)
            .outerjoin(ProjectIndex, ProjectIndex.project_id == Project.id)
            .where(_visible(actor))
        )

    async def list_projects(
        self,
        actor: Principal,
        q: str | None,
        topic: str | None,
        sort: str,
        req: PageRequest,
    ) -> PageResult:
        stmt = self._projects(actor)
        if sort == "index":
            order: tuple[Any, ...] = (
                func.coalesce(ProjectIndex.score, -1.0).desc(),
                Project.updated_at.desc(),
                Project.id.desc(),
            )
        elif sort in PROJECT_SORTS:
            order = PROJECT_SORTS[sort]
        else:
            raise Invalid("sort", f"must be one of index, {', '.join(PROJECT_SORTS)}")
        if q:
            stmt = stmt.where(
                or_(
                    Project.name.ilike(contains_pattern(q), escape="\\"),
                    Project.description.ilike(contains_pattern(q), escape="\\"),
                )
            )
        if topic:
            stmt = stmt.where(
                (" " + Project.topics + " ").like(
                    contains_pattern(f" {topic.lower()} "), escape="\\"
                )
            )
        async with self.sessions() as session:
            page = await paginate(session, stmt.order_by(*order), req)
        page.items[:] = [explore_project(p, score) for p, score in page.items]
        return page

    async def topics(self, actor: Principal, limit: int) -> list[cs.TopicCount]:
        if not 1 <= limit <= 100:
            raise Invalid("limit", "must be between 1 and 100")
        async with self.sessions() as session:
            rows = await session.scalars(
                select(Project.topics).where(_visible(actor), Project.topics != "")
            )
            counts = Counter(t for topics in rows for t in topics.split())
        return [
            cs.TopicCount(topic=t, count=n)
            for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        ]

    # --- orgs and users ------------------------------------------------------------------

    @staticmethod
    def _org_out(row: Any, curated: bool | None = None) -> Any:
        org, members, teams, projects = row
        fields = dict(
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
        if curated is None:
            return s.Org(**fields)
        return cs.RecommendedOrg(**fields, curated=curated)

    async def list_orgs(
        self, actor: Principal, q: str | None, sort: str, req: PageRequest
    ) -> PageResult:
        if sort not in ORG_SORTS:
            raise Invalid("sort", f"must be one of {', '.join(ORG_SORTS)}")
        stmt = orgs_seen_by(actor)
        if q:
            stmt = stmt.where(
                or_(
                    Account.name.ilike(contains_pattern(q), escape="\\"),
                    Account.full_name.ilike(contains_pattern(q), escape="\\"),
                )
            )
        order = {
            "projects": (stmt.selected_columns.projects.desc(), Account.lower_name),
            "members": (stmt.selected_columns.members.desc(), Account.lower_name),
            "created": (Account.created_at.desc(), Account.id.desc()),
            "name": (Account.lower_name,),
        }[sort]
        async with self.sessions() as session:
            page = await paginate(session, stmt.order_by(*order), req)
        page.items[:] = [self._org_out(r) for r in page.items]
        return page

    async def list_users(
        self, actor: Principal, q: str | None, sort: str, req: PageRequest
    ) -> PageResult:
        if sort not in USER_SORTS:
            raise Invalid("sort", f"must be one of {', '.join(USER_SORTS)}")
        seen: ColumnElement[bool] = true()
        if not actor.is_admin:
            seen = or_(Project.visibility == "public", Project.owner_id == actor.id)
        projects = (
            select(func.count())
            .where(Project.owner_id == Account.id, seen)
            .correlate(Account)
            .scalar_subquery()
            .label("projects")
        )
        stmt = select(Account, projects).where(Account.kind == "user")
        if q:
            stmt = stmt.where(
                or_(
                    Account.name.ilike(contains_pattern(q), escape="\\"),
                    Account.full_name.ilike(contains_pattern(q), escape="\\"),
                )
            )
        order = {
            "created": (Account.created_at.desc(), Account.id.desc()),
            "name": (Account.lower_name,),
            "projects": (projects.desc(), Account.lower_name),
        }[sort]
        async with self.sessions() as session:
            page = await paginate(session, stmt.order_by(*order), req)
        page.items[:] = [
            cs.ExploreUser(**user_out(a).model_dump(), project_count=n) for a, n in page.items
        ]
        return page

    # --- my issues, pull requests and milestones -----------------------------------------

    async def involved_issues(
        self,
        actor: Principal,
        kind: str,
        filter_: str,
        state: str,
        req: PageRequest,
    ) -> PageResult:
        if kind not in ("issues", "pulls"):
            raise Invalid("type", "must be issues or pulls")
        if filter_ not in ("all", "created", "assigned", "commented"):
            raise Invalid("filter", "must be all, created, assigned or commented")
        if state not in ("open", "closed", "all"):
            raise Invalid("state", "must be open, closed or all")
        created = Issue.author_id == actor.id
        assigned = exists().where(
            IssueAssignee.issue_id == Issue.id, IssueAssignee.user_id == actor.id
        )
        commented = exists().where(Comment.issue_id == Issue.id, Comment.author_id == actor.id)
        wanted = {"created": created, "assigned": assigned, "commented": commented}
        where = or_(*wanted.values()) if filter_ == "all" else wanted[filter_]
        Owner = Account.__table__.alias("owner")
        Author = Account.__table__.alias("author")
        stmt = (
            select(
                Issue,
                Owner.c.name,
                Project.name,
                Author.c.name,
                created.label("c"),
                assigned.label("a"),
                commented.label("m"),
            )
            .join(Project, Project.id == Issue.project_id)
            .join(Owner, Owner.c.id == Project.owner_id)
            .outerjoin(Author, Author.c.id == Issue.author_id)
            .where(Issue.is_pull.is_(kind == "pulls"), where, _visible(actor))
            .order_by(Issue.updated_at.desc(), Issue.id.desc())
        )
        if state != "all":
            stmt = stmt.where(Issue.state == state)
        async with self.sessions() as session:
            page = await paginate(session, stmt, req)
        page.items[:] = [
            cs.InvolvedIssue(
                id=i.id,
                project=f"{owner}/{pname}",
                number=i.number,
                title=i.title,
                state=i.state,
                is_pull=i.is_pull,
                author=author,
                comments=i.num_comments,
                created_at=i.created_at,
                updated_at=i.updated_at,
                involvement=[
                    k for k, on in (("created", c), ("assigned", a), ("commented", m)) if on
                ],
            )
            for i, owner, pname, author, c, a, m in page.items
        ]
        return page

    async def involved_milestones(
        self, actor: Principal, state: str, req: PageRequest
    ) -> PageResult:
        if state not in ("open", "closed", "all"):
            raise Invalid("state", "must be open, closed or all")
        mine = select(Issue.project_id).where(
            or_(
                Issue.author_id == actor.id,
                Issue.id.in_(
                    select(IssueAssignee.issue_id).where(IssueAssignee.user_id == actor.id)
                ),
                Issue.id.in_(select(Comment.issue_id).where(Comment.author_id == actor.id)),
            )
        )
        my_orgs = select(OrgMember.org_id).where(OrgMember.user_id == actor.id)
        open_ = (
            select(func.count())
            .where(Issue.milestone_id == Milestone.id, Issue.state == "open")
            .correlate(Milestone)
            .scalar_subquery()
        )
        closed = (
            select(func.count())
            .where(Issue.milestone_id == Milestone.id, Issue.state == "closed")
            .correlate(Milestone)
            .scalar_subquery()
        )
        Owner = Account.__table__.alias("owner")
        stmt = (
            select(Milestone, Owner.c.name, Project.name, open_, closed)
            .join(Project, Project.id == Milestone.project_id)
            .join(Owner, Owner.c.id == Project.owner_id)
            .where(
                _visible(actor),
                or_(
                    Project.id.in_(mine),
                    Project.owner_id == actor.id,
                    Project.owner_id.in_(my_orgs),
                ),
            )
            .order_by(Milestone.updated_at.desc(), Milestone.id.desc())
        )
        if state != "all":
            stmt = stmt.where(Milestone.state == state)
        async with self.sessions() as session:
            page = await paginate(session, stmt, req)
        page.items[:] = [
            cs.InvolvedMilestone(
                id=m.id,
                project=f"{owner}/{pname}",
                title=m.title,
                state=m.state,
                due_on=m.due_on,
                open_issues=o,
                closed_issues=c,
                updated_at=m.updated_at,
            )
            for m, owner, pname, o, c in page.items
        ]
        return page

    # --- recommendations -----------------------------------------------------------------

    async def recommendations(self, actor: Principal, limit: int) -> cs.Recommendations:
        if not 1 <= limit <= 50:
            raise Invalid("limit", "must be between 1 and 50")
        async with self.sessions() as session:
            curated = (
                await session.execute(
                    select(CuratedRecommendation.kind, CuratedRecommendation.target_id).order_by(
                        CuratedRecommendation.position, CuratedRecommendation.id
                    )
                )
            ).all()
            pids = [t for k, t in curated if k == "project"]
            oids = [t for k, t in curated if k == "org"]
            projects = await self._recommended_projects(session, actor, pids, limit)
            orgs = await self._recommended_orgs(session, actor, oids, limit)
        return cs.Recommendations(orgs=orgs, projects=projects)

    async def _recommended_projects(
        self, session: AsyncSession, actor: Principal, pids: list[int], limit: int
    ) -> list[cs.RecommendedProject]:
        out: list[cs.RecommendedProject] = []
        if pids:
            rows = (
                (await session.execute(self._projects(actor).where(Project.id.in_(pids))))
                .unique()
                .all()
            )
            by_id = {p.id: (p, score) for p, score in rows}
            for pid in pids:
                if pid in by_id and len(out) < limit:
                    p, score = by_id[pid]
                    out.append(self._rec_project(p, score, True))
        if len(out) < limit:
            rows = (
                (
                    await session.execute(
                        self._projects(ANONYMOUS)
                        .where(ProjectIndex.score.is_not(None), Project.id.not_in(pids or [-1]))
                        .order_by(ProjectIndex.rank)
                        .limit(limit - len(out))
                    )
                )
                .unique()
                .all()
            )
            out += [self._rec_project(p, score, False) for p, score in rows]
        return out

    @staticmethod
    def _rec_project(p: Project, score: float | None, curated: bool) -> cs.RecommendedProject:
        base = explore_project(p, score).model_dump()
        return cs.RecommendedProject(**base, curated=curated)

    async def _recommended_orgs(
        self, session: AsyncSession, actor: Principal, oids: list[int], limit: int
    ) -> list[cs.RecommendedOrg]:
        out: list[cs.RecommendedOrg] = []
        if oids:
            rows = (await session.execute(orgs_seen_by(actor).where(Account.id.in_(oids)))).all()
            by_id = {r[0].id: r for r in rows}
            out = [self._org_out(by_id[i], True) for i in oids if i in by_id][:limit]
        if len(out) < limit:
            strength = (
                select(func.sum(ProjectIndex.score))
                .join(Project, Project.id == ProjectIndex.project_id)
                .where(Project.owner_id == Account.id, Project.visibility == "public")
                .correlate(Account)
                .scalar_subquery()
            )
            rows = (
                await session.execute(
                    orgs_seen_by(actor)
                    .where(
                        Account.visibility == "public",
                        Account.id.not_in(oids or [-1]),
                        strength.is_not(None),
                    )
                    .order_by(strength.desc(), Account.lower_name)
                    .limit(limit - len(out))
                )
            ).all()
            out += [self._org_out(r, False) for r in rows]
        return out

    async def _target(self, session: AsyncSession, kind: str, target: str) -> int:
        """The id of an org name or an ``owner/name`` project (422 ``target`` if unknown)."""
        if kind == "org":
            oid = await session.scalar(
                select(Account.id).where(
                    Account.lower_name == target.lower(), Account.kind == "org"
                )
            )
            if oid is None:
                raise Invalid("target", f"no organisation '{target}'")
            return oid
        owner, _, name = target.partition("/")
        pid = await session.scalar(
            select(Project.id)
            .join(Account, Account.id == Project.owner_id)
            .where(Account.lower_name == owner.lower(), Project.lower_name == name.lower())
        )
        if pid is None:
            raise Invalid("target", f"no project '{target}' (use owner/name)")
        return pid

    @staticmethod
    async def _target_names(
        session: AsyncSession, pairs: list[tuple[str, int]]
    ) -> dict[tuple[str, int], str]:
        names: dict[tuple[str, int], str] = {}
        oids = [t for k, t in pairs if k == "org"]
        pids = [t for k, t in pairs if k == "project"]
        if oids:
            for i, n in await session.execute(
                select(Account.id, Account.name).where(Account.id.in_(oids))
            ):
                names[("org", i)] = n
        if pids:
            for i, o, n in await session.execute(
                select(Project.id, Account.name, Project.name)
                .join(Account, Account.id == Project.owner_id)
                .where(Project.id.in_(pids))
            ):
                names[("project", i)] = f"{o}/{n}"
        return names

    @staticmethod
    def _admin(actor: Principal) -> None:
        if not actor.is_admin:
            raise Forbidden("only site admins curate recommendations")

    async def list_curated(self, actor: Principal) -> list[cs.Curated]:
        self._admin(actor)
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(CuratedRecommendation, Account.name)
                    .outerjoin(Account, Account.id == CuratedRecommendation.created_by_id)
                    .order_by(CuratedRecommendation.position, CuratedRecommendation.id)
                )
            ).all()
            names = await self._target_names(session, [(c.kind, c.target_id) for c, _ in rows])
        return [
            cs.Curated(
                id=c.id,
                kind=c.kind,
                target=names.get((c.kind, c.target_id), "(deleted)"),
                position=c.position,
                created_at=c.created_at,
                created_by=by,
            )
            for c, by in rows
        ]

    async def add_curated(self, actor: Principal, body: cs.CuratedCreate) -> cs.Curated:
        self._admin(actor)
        async with self.sessions() as session:
            target_id = await self._target(session, body.kind, body.target)
            row = CuratedRecommendation(
                kind=body.kind,
                target_id=target_id,
                position=body.position,
                created_by_id=actor.id,
                created_at=datetime.now(UTC),
            )
            session.add(row)
            try:
                await session.commit()
            except IntegrityError as exc:
                raise Conflict(
                    f"{body.target} is already recommended", [("target", "taken")]
                ) from exc
        return cs.Curated(
            id=row.id,
            kind=body.kind,
            target=body.target,
            position=row.position,
            created_at=row.created_at,
            created_by=actor.username,
        )

    async def delete_curated(self, actor: Principal, curated_id: int) -> None:
        self._admin(actor)
        async with self.sessions() as session:
            done = await session.execute(
                delete(CuratedRecommendation).where(CuratedRecommendation.id == curated_id)
            )
            if not done.rowcount:  # type: ignore[attr-defined]
                raise NotFound(f"recommendation {curated_id}")
            await session.commit()

    # --- "submit yours" ------------------------------------------------------------------

    async def request(self, actor: Principal, body: cs.RecRequestCreate) -> cs.RecRequest:
        async with self.sessions() as session:
            if body.kind == "org":
                target_id = await self._target(session, "org", body.target)
                if not actor.is_admin and await org_role(session, actor, target_id) != "owner":
                    raise Forbidden(f"only owners of {body.target} may submit it")
            else:
                owner, _, name = body.target.partition("/")
                project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.admin)
                if project.visibility != "public":
                    raise Invalid("target", "only public projects can be recommended")
                target_id = project.id
            taken = await session.scalar(
                select(func.count()).where(
                    or_(
                        and_(
                            RecommendationRequest.kind == body.kind,
                            RecommendationRequest.target_id == target_id,
                            RecommendationRequest.status == "pending",
                        ),
                    )
                )
            )
            curated = await session.scalar(
                select(CuratedRecommendation.id).where(
                    CuratedRecommendation.kind == body.kind,
                    CuratedRecommendation.target_id == target_id,
                )
            )
            if taken or curated:
                what = "already recommended" if curated else "already waiting for a decision"
                raise Conflict(f"{body.target} is {what}", [("target", "taken")])
            row = RecommendationRequest(
                kind=body.kind,
                target_id=target_id,
                reason=body.reason,
                status="pending",
                requester_id=actor.id,
                note="",
                created_at=datetime.now(UTC),
            )
            session.add(row)
            await session.commit()
            return await self._request_out(session, row)

    async def _request_out(self, session: AsyncSession, r: RecommendationRequest) -> cs.RecRequest:
        names = await self._target_names(session, [(r.kind, r.target_id)])
        people = dict(
            (
                await session.execute(
                    select(Account.id, Account.name).where(
                        Account.id.in_([r.requester_id or -1, r.decided_by_id or -1])
                    )
                )
            ).all()
        )
        return cs.RecRequest(
            id=r.id,
            kind=r.kind,
            target=names.get((r.kind, r.target_id), "(deleted)"),
            reason=r.reason,
            status=r.status,
            requester=people.get(r.requester_id or -1),
            created_at=r.created_at,
            decided_by=people.get(r.decided_by_id or -1),
            decided_at=r.decided_at,
            note=r.note,
        )

    async def list_requests(self, actor: Principal, status: str, req: PageRequest) -> PageResult:
        if status not in ("pending", "approved", "rejected", "all"):
            raise Invalid("status", "must be pending, approved, rejected or all")
        stmt = select(RecommendationRequest).order_by(RecommendationRequest.id.desc())
        if status != "all":
            stmt = stmt.where(RecommendationRequest.status == status)
        if not actor.is_admin:
            stmt = stmt.where(RecommendationRequest.requester_id == actor.id)
        async with self.sessions() as session:
            page = await paginate(session, stmt, req)
            page.items[:] = [await self._request_out(session, r) for r in page.items]
        return page

    async def decide(
        self, actor: Principal, request_id: int, approve: bool, body: cs.RecDecision
    ) -> cs.RecRequest:
        self._admin(actor)
        async with self.sessions() as session:
            r = await session.get(RecommendationRequest, request_id)
            if r is None:
                raise NotFound(f"recommendation request {request_id}")
            if r.status != "pending":
                raise Conflict(f"the request is already {r.status}", [("status", r.status)])
            r.status = "approved" if approve else "rejected"
            r.decided_by_id, r.decided_at, r.note = actor.id, datetime.now(UTC), body.note
            if approve:
                already = await session.scalar(
                    select(CuratedRecommendation.id).where(
                        CuratedRecommendation.kind == r.kind,
                        CuratedRecommendation.target_id == r.target_id,
                    )
                )
                if already is None:
                    position = await session.scalar(
                        select(func.coalesce(func.max(CuratedRecommendation.position), 0))
                    )
                    session.add(
                        CuratedRecommendation(
                            kind=r.kind,
                            target_id=r.target_id,
                            position=(position or 0) + 1,
                            created_by_id=actor.id,
                            created_at=datetime.now(UTC),
                        )
                    )
            await session.commit()
            return await self._request_out(session, r)

    # --- fork network --------------------------------------------------------------------

    async def fork_network(
        self, actor: Principal, owner: str, name: str, req: PageRequest
    ) -> cs.ForkNetwork:
        async with self.sessions() as session:
            parent, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = (
                self._projects(actor)
                .where(Project.fork_parent_id == parent.id)
                .order_by(Project.pushed_at.desc().nulls_last(), Project.id.desc())
            )
            page = await paginate(session, stmt, req)
            parent_id, branch = parent.id, parent.default_branch
            grand = parent.fork_parent.full_name if parent.fork_parent else None
            full = parent.full_name
        items = []
        for p, score in page.items:
            ahead, behind, last = await asyncio.to_thread(
                self._ahead_behind, parent_id, branch, p.id, p.default_branch
            )
            items.append(
                cs.ForkInfo(
                    project=explore_project(p, score),
                    branch=p.default_branch,
                    ahead_by=ahead,
                    behind_by=behind,
                    last_commit=last,
                    pushed_at=p.pushed_at,
                )
            )
        return cs.ForkNetwork(
            project=full,
            parent=grand,
            default_branch=branch,
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            items=items,
        )

    def _ahead_behind(
        self, parent_id: int, parent_branch: str, fork_id: int, fork_branch: str
    ) -> tuple[int | None, int | None, str | None]:
        """Commits on the fork's branch missing from the parent's, and the reverse.

        Forks are copies of the parent's repository, so the walk reads both object stores
        through one overlay (no objects are copied)."""
        try:
            parent, fork = self.store.open(parent_id), self.store.open(fork_id)
        except NotGitRepository:
            return None, None, None
        try:
            base = parent.refs.as_dict().get(b"refs/heads/" + parent_branch.encode())
            head = fork.refs.as_dict().get(b"refs/heads/" + fork_branch.encode())
            if base is None or head is None:
                return None, None, head.decode() if head else None
            both = OverlayObjectStore([fork.object_store, parent.object_store])
            ahead = sum(1 for _ in Walker(both, [head], exclude=[base]))
            behind = sum(1 for _ in Walker(both, [base], exclude=[head]))
            return ahead, behind, head.decode()
        finally:
            parent.close()
            fork.close()
