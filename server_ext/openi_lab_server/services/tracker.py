"""Issues (任务), labels, milestones (里程碑), comments and the project board (看板).

Who may do what (every check starts at :meth:`ProjectService.resolve`):

* the read role sees everything; anyone who can read may open issues and comment (as on
  GitHub), and an issue in a project the caller may not see answers exactly like a missing one;
* the author may edit the title and body of their issue and close or reopen it; everything else
  (labels, assignees, milestone, others' issues, labels and milestones themselves, the board)
  needs the write role;
* comments are edited or deleted by their author or a project admin;
* an archived project is read-only: every change answers 403.

Numbers: issues and pull requests share one sequence per project, handed out by an atomic
upsert of ``issue_counters`` (:func:`next_number`). That row is also the per-project lock
(:func:`lock_tracker`) that serialises board changes, so concurrent writers never race.

The board is created on first use with the columns "To do", "In progress" and "Done"; new
issues land at the bottom of the first column; closed issues stay where they are, flagged
closed. Deleting a column moves its issues to the bottom of the first remaining column; the last
column cannot be deleted.

References: ``#12`` or ``owner/name#12`` in an issue's body or a comment (outside code) records
that the issue mentions issue 12, which then lists it under ``referenced_by`` — only to callers
who may see the mentioning issue. References are kept when the text is edited later, as on
GitHub.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Float, Select, case, cast, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import joinedload, selectinload

from openi_lab import schemas as s

from ..db.models import Account, Project, utcnow
from ..db.tracker_models import (
    BoardCard,
    BoardColumn,
    Comment,
    Issue,
    IssueAssignee,
    IssueCounter,
    IssueLabel,
    IssueReference,
    Label,
    Milestone,
)
from . import activity
from .accounts import user_out
from .errors import Conflict, Forbidden, Invalid, NotFound
from .pagination import PageRequest, PageResult, contains_pattern, paginate
from .permissions import at_least, resource_role, visible_owner_clause
from .principal import Principal
from .projects import ProjectService

#: Columns of a new board (待办, 进行中, 已完成); the UI translates them.
DEFAULT_COLUMNS = ("To do", "In progress", "Done")
#: At most this many references are recorded from one text.
MAX_REFERENCES = 50

_REFERENCE_RE = re.compile(
    r"(?<![\w/#&.-])"
    r"(?:(?P<owner>[A-Za-z0-9][A-Za-z0-9_.-]{0,39})/(?P<name>[A-Za-z0-9][A-Za-z0-9_.-]{0,39}))?"
    r"#(?P<number>[1-9][0-9]{0,8})\b"
)
_CODE_RE = re.compile(r"```.*?(?:```|\Z)|~~~.*?(?:~~~|\Z)|`[^`\n]*`", re.DOTALL)

_ISSUE_LOAD = (
    joinedload(Issue.author),
    joinedload(Issue.closed_by),
    joinedload(Issue.milestone),
    selectinload(Issue.labels),
    selectinload(Issue.assignees),
)


def find_references(text: str) -> list[tuple[str | None, str | None, int]]:
    """``(owner, name, number)`` of each distinct ``#N`` / ``owner/name#N`` outside code."""
    seen: dict[tuple[str | None, str | None, int], None] = {}
    for m in _REFERENCE_RE.finditer(_CODE_RE.sub(" ", text)):
        owner, name = m.group("owner"), m.group("name")
        key = (owner.lower() if owner else None, name.lower() if name else None)
        seen.setdefault((*key, int(m.group("number"))), None)
        if len(seen) >= MAX_REFERENCES:
            break
    return list(seen)


def _upsert(session: AsyncSession, model: Any) -> Any:
    """``INSERT … ON CONFLICT`` for the session's backend."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


async def next_number(session: AsyncSession, project_id: int) -> int:
    """The next issue/pull number of a project, atomically; holds the project's tracker lock
    until the transaction ends (issues and pull requests both take their numbers here)."""
    stmt = (
        _upsert(session, IssueCounter)
        .values(project_id=project_id, last_number=1)
        .on_conflict_do_update(
            index_elements=[IssueCounter.project_id],
            set_={"last_number": IssueCounter.last_number + 1},
        )
        .returning(IssueCounter.last_number)
    )
    return int((await session.execute(stmt)).scalar_one())


async def lock_tracker(session: AsyncSession, project_id: int) -> None:
    """Serialise tracker changes of one project until the transaction ends (a row lock on
    PostgreSQL, the write lock on SQLite)."""
    stmt = (
        _upsert(session, IssueCounter)
        .values(project_id=project_id, last_number=0)
        .on_conflict_do_update(
            index_elements=[IssueCounter.project_id],
            set_={"last_number": IssueCounter.last_number},
        )
    )
    await session.execute(stmt)


@dataclass(frozen=True)
class IssueQuery:
    """Filters and order of an issue list; every one is applied in SQL."""

    state: str = "open"
    labels: list[str] = field(default_factory=list)
    assignee: str | None = None
    milestone: str | None = None
    author: str | None = None
    q: str | None = None
    sort: str = "created"
    direction: str = "desc"

    def __post_init__(self) -> None:
        if self.state not in ("open", "closed", "all"):
            raise Invalid("state", "must be open, closed or all")
        if self.sort not in ("created", "updated", "comments"):
            raise Invalid("sort", "must be created, updated or comments")
        if self.direction not in ("asc", "desc"):
            raise Invalid("direction", "must be asc or desc")


# --- output ------------------------------------------------------------------------------------


def label_out(label: Label) -> s.Label:
    return s.Label(id=label.id, name=label.name, color=label.color, description=label.description)


def _milestone_ref(m: Milestone | None) -> s.MilestoneRef | None:
    if m is None:
        return None
    return s.MilestoneRef(id=m.id, title=m.title, state=s.IssueState(m.state), due_on=m.due_on)


def _user(a: Account | None) -> s.User | None:
    return user_out(a) if a is not None else None


def _full_name(project: Project) -> str:
    return f"{project.owner.name}/{project.name}"


def issue_out(issue: Issue, project: str, refs: list[s.IssueRef] | None = None) -> s.Issue:
    return s.Issue(
        id=issue.id,
        project=project,
        number=issue.number,
        title=issue.title,
        body=issue.body,
        state=s.IssueState(issue.state),
        author=_user(issue.author),
        labels=[label_out(label) for label in issue.labels],
        assignees=[user_out(a) for a in issue.assignees],
        milestone=_milestone_ref(issue.milestone),
        comments=issue.num_comments,
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        closed_at=issue.closed_at,
        closed_by=_user(issue.closed_by),
        is_pull=issue.is_pull,
        referenced_by=refs or [],
    )


def _card_out(issue: Issue, position: int) -> s.IssueCard:
    return s.IssueCard(
        number=issue.number,
        title=issue.title,
        state=s.IssueState(issue.state),
        author=_user(issue.author),
        labels=[label_out(label) for label in issue.labels],
        assignees=[user_out(a) for a in issue.assignees],
        milestone=_milestone_ref(issue.milestone),
        comments=issue.num_comments,
        position=position,
    )


def _comment_out(c: Comment, number: int) -> s.Comment:
    return s.Comment(
        id=c.id,
        issue=number,
        author=_user(c.author),
        body=c.body,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _milestone_out(row: Any) -> s.Milestone:
    m, open_issues, closed_issues, progress = row
    return s.Milestone(
        id=m.id,
        title=m.title,
        state=s.IssueState(m.state),
        due_on=m.due_on,
        description=m.description,
        open_issues=open_issues or 0,
        closed_issues=closed_issues or 0,
        progress=min(1.0, max(0.0, float(progress or 0))),
        created_at=m.created_at,
        updated_at=m.updated_at,
        closed_at=m.closed_at,
    )


def _id(raw: str, what: str) -> int:
    """A numeric path segment; anything else is simply not found."""
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(what)
    return int(raw)


class TrackerService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], projects: ProjectService):
        self.sessions = sessions
        self.projects = projects

    # --- issues ------------------------------------------------------------------------------

    async def list_issues(
        self, actor: Principal, owner: str, name: str, query: IssueQuery, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = self._filtered(project, query).options(*_ISSUE_LOAD)
            page = await paginate(session, stmt, req)
            refs = await self._referenced_by(session, actor, [i.id for i in page.items])
        full = _full_name(project)
        items = [issue_out(i, full, refs.get(i.id)) for i in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    @staticmethod
    def _filtered(project: Project, query: IssueQuery) -> Select[Any]:
        stmt = select(Issue).where(Issue.project_id == project.id, Issue.is_pull.is_(False))
        if query.state != "all":
            stmt = stmt.where(Issue.state == query.state)
        for label in query.labels:
            stmt = stmt.where(
                Issue.id.in_(
                    select(IssueLabel.issue_id)
                    .join(Label, Label.id == IssueLabel.label_id)
                    .where(Label.project_id == project.id, Label.lower_name == label.lower())
                )
            )
        if query.assignee:
            stmt = stmt.where(
                Issue.id.in_(
                    select(IssueAssignee.issue_id)
                    .join(Account, Account.id == IssueAssignee.user_id)
                    .where(Account.lower_name == query.assignee.lower())
                )
            )
        if query.milestone == "none":
            stmt = stmt.where(Issue.milestone_id.is_(None))
        elif query.milestone:
            stmt = stmt.where(
                Issue.milestone_id.in_(
                    select(Milestone.id).where(
                        Milestone.project_id == project.id,
                        Milestone.lower_title == query.milestone.lower(),
                    )
                )
            )
        if query.author:
            stmt = stmt.where(
                Issue.author_id.in_(
                    select(Account.id).where(Account.lower_name == query.author.lower())
                )
            )
        if query.q:
            like = contains_pattern(query.q)
            stmt = stmt.where(
                or_(Issue.title.ilike(like, escape="\\"), Issue.body.ilike(like, escape="\\"))
            )
        column = {
            "created": Issue.created_at,
            "updated": Issue.updated_at,
            "comments": Issue.num_comments,
        }[query.sort]
        if query.direction == "desc":
            return stmt.order_by(column.desc(), Issue.number.desc())
        return stmt.order_by(column.asc(), Issue.number.asc())

    async def create_issue(
        self, actor: Principal, owner: str, name: str, body: s.IssueCreate
    ) -> s.Issue:
        async with self.sessions() as session:
            project, role = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            self._writable(project)
            if (body.labels or body.assignees or body.milestone) and not at_least(
                role, s.Role.write
            ):
                raise Forbidden("you need write access to set labels, assignees or a milestone")
            labels = await self._labels_named(session, project, body.labels)
            assignees = await self._assignable(session, project, body.assignees)
            milestone = await self._milestone_titled(session, project, body.milestone)
            number = await next_number(session, project.id)  # the project's lock from here
            now = utcnow()
            issue = Issue(
                project_id=project.id,
                number=number,
                title=body.title,
                body=body.body,
                author_id=actor.id,
                milestone_id=milestone.id if milestone else None,
                created_at=now,
                updated_at=now,
            )
            issue.labels = labels
            issue.assignees = assignees
            session.add(issue)
            await session.flush()
            await self._put_on_board(session, project.id, issue.id)
            await self._record_references(session, actor, project, issue.id, body.body)
            activity.record(
                session, actor, project.id, "issue_opened", number=number, title=body.title
            )
            await session.commit()
            return await self._issue_out(session, actor, project, issue.id)

    async def get_issue(self, actor: Principal, owner: str, name: str, number: str) -> s.Issue:
        async with self.sessions() as session:
            project, _, issue = await self._issue(session, actor, owner, name, number)
            return await self._issue_out(session, actor, project, issue.id)

    async def count_open(self, session: AsyncSession, project_id: int) -> dict[str, int]:
        """Open issues (not pull requests), for the project's tab counts."""
        open_issues = await session.scalar(
            select(func.count()).where(
                Issue.project_id == project_id, Issue.state == "open", Issue.is_pull.is_(False)
            )
        )
        return {"open_issues": open_issues or 0}

    async def update_issue(
        self, actor: Principal, owner: str, name: str, number: str, body: s.IssueUpdate
    ) -> s.Issue:
        changes = body.model_dump(exclude_unset=True)
        for key in ("title", "body", "state", "labels", "assignees"):
            if key in changes and changes[key] is None:
                raise Invalid(key, "may not be null")
        async with self.sessions() as session:
            project, role, issue = await self._issue(session, actor, owner, name, number)
            if not changes:
                return await self._issue_out(session, actor, project, issue.id)
            self._writable(project)
            writer = at_least(role, s.Role.write)
            mine = issue.author_id == actor.id
            if changes.keys() & {"title", "body"} and not (writer or mine):
                raise Forbidden("only the author or project writers can edit this issue")
            if "state" in changes and not (writer or mine):
                raise Forbidden("only the author or project writers can close or reopen it")
            if changes.keys() & {"labels", "assignees", "milestone"} and not writer:
                raise Forbidden("you need write access to change labels, assignees or milestone")
            if issue.is_pull and body.state == s.IssueState.open:
                from ..db.pull_models import PullRequest  # pulls build on the tracker

                merged = await session.scalar(
                    select(PullRequest.merged).where(PullRequest.issue_id == issue.id)
                )
                if merged:
                    raise Invalid("state", "a merged pull request cannot be reopened")
            if "labels" in changes:
                issue.labels = await self._labels_named(session, project, body.labels or [])
            if "assignees" in changes:
                issue.assignees = await self._assignable(session, project, body.assignees or [])
            if "milestone" in changes:
                milestone = await self._milestone_titled(session, project, body.milestone)
                issue.milestone_id = milestone.id if milestone else None
            if body.title is not None:
                issue.title = body.title
            if body.body is not None:
                issue.body = body.body
                await self._record_references(session, actor, project, issue.id, body.body)
            if body.state is not None and body.state.value != issue.state:
                closing = body.state == s.IssueState.closed
                issue.state = body.state.value
                issue.closed_at = utcnow() if closing else None
                issue.closed_by_id = actor.id if closing else None
                kind = ("pull" if issue.is_pull else "issue") + (
                    "_closed" if closing else "_reopened"
                )
                activity.record(
                    session, actor, project.id, kind, number=issue.number, title=issue.title
                )
            issue.updated_at = utcnow()
            await session.commit()
            return await self._issue_out(session, actor, project, issue.id)

    # --- comments ----------------------------------------------------------------------------

    async def list_comments(
        self, actor: Principal, owner: str, name: str, number: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            _, _, issue = await self._issue(session, actor, owner, name, number)
            stmt = (
                select(Comment)
                .where(Comment.issue_id == issue.id)
                .options(joinedload(Comment.author))
                .order_by(Comment.created_at, Comment.id)
            )
            page = await paginate(session, stmt, req)
        items = [_comment_out(c, issue.number) for c in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def create_comment(
        self, actor: Principal, owner: str, name: str, number: str, body: s.CommentCreate
    ) -> s.Comment:
        async with self.sessions() as session:
            project, _, issue = await self._issue(session, actor, owner, name, number)
            self._writable(project)
            now = utcnow()
            comment = Comment(
                issue_id=issue.id,
                author_id=actor.id,
                body=body.body,
                created_at=now,
                updated_at=now,
            )
            session.add(comment)
            await session.execute(
                update(Issue)
                .where(Issue.id == issue.id)
                .values(num_comments=Issue.num_comments + 1, updated_at=now)
                .execution_options(synchronize_session=False)
            )
            await session.flush()
            await self._record_references(session, actor, project, issue.id, body.body)
            activity.record(
                session, actor, project.id, "issue_commented", number=issue.number,
                title=issue.title, is_pull=issue.is_pull,
            )  # fmt: skip
            await session.commit()
            return await self._comment(session, comment.id, issue.number)

    async def update_comment(
        self,
        actor: Principal,
        owner: str,
        name: str,
        number: str,
        comment_id: str,
        body: s.CommentUpdate,
    ) -> s.Comment:
        async with self.sessions() as session:
            project, issue, comment = await self._own_comment(
                session, actor, owner, name, number, comment_id
            )
            comment.body = body.body
            comment.updated_at = utcnow()
            await self._record_references(session, actor, project, issue.id, body.body)
            activity.record(
                session, actor, project.id, "issue_commented", number=issue.number,
                title=issue.title, is_pull=issue.is_pull,
            )  # fmt: skip
            await session.commit()
            return await self._comment(session, comment.id, issue.number)

    async def delete_comment(
        self, actor: Principal, owner: str, name: str, number: str, comment_id: str
    ) -> None:
        async with self.sessions() as session:
            _, issue, comment = await self._own_comment(
                session, actor, owner, name, number, comment_id
            )
            await session.execute(delete(Comment).where(Comment.id == comment.id))
            await session.execute(
                update(Issue)
                .where(Issue.id == issue.id)
                .values(
                    num_comments=case((Issue.num_comments > 0, Issue.num_comments - 1), else_=0)
                )
                .execution_options(synchronize_session=False)
            )
            await session.commit()

    async def _own_comment(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        number: str,
        comment_id: str,
    ) -> tuple[Project, Issue, Comment]:
        """The comment, if the actor wrote it or administers the project."""
        project, role, issue = await self._issue(session, actor, owner, name, number)
        comment = await session.scalar(
            select(Comment).where(
                Comment.id == _id(comment_id, f"comment {comment_id}"),
                Comment.issue_id == issue.id,
            )
        )
        if comment is None:
            raise NotFound(f"comment {comment_id}")
        if comment.author_id != actor.id and not at_least(role, s.Role.admin):
            raise Forbidden("only the comment's author or a project admin can change it")
        self._writable(project)
        return project, issue, comment

    @staticmethod
    async def _comment(session: AsyncSession, comment_id: int, number: int) -> s.Comment:
        comment = await session.scalar(
            select(Comment)
            .where(Comment.id == comment_id)
            .options(joinedload(Comment.author))
            .execution_options(populate_existing=True)
        )
        assert comment is not None
        return _comment_out(comment, number)

    # --- labels ------------------------------------------------------------------------------

    async def list_labels(
        self, actor: Principal, owner: str, name: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = select(Label).where(Label.project_id == project.id).order_by(Label.lower_name)
            page = await paginate(session, stmt, req)
        return PageResult([label_out(x) for x in page.items], page.total, page.page, page.per_page)

    async def create_label(
        self, actor: Principal, owner: str, name: str, body: s.LabelCreate
    ) -> s.Label:
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            label = Label(
                project_id=project.id,
                name=body.name,
                lower_name=body.name.lower(),
                color=body.color,
                description=body.description,
            )
            session.add(label)
            await self._commit_unique(session, f"label '{body.name}'", "name")
            return label_out(label)

    async def update_label(
        self, actor: Principal, owner: str, name: str, label_name: str, body: s.LabelUpdate
    ) -> s.Label:
        changes = body.model_dump(exclude_unset=True)
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            label = await self._label(session, project, label_name)
            for key, value in changes.items():
                if value is None:
                    raise Invalid(key, "may not be null")
                setattr(label, key, value)
            if body.name is not None:
                label.lower_name = body.name.lower()
            await self._commit_unique(session, f"label '{label.name}'", "name")
            return label_out(label)

    async def delete_label(self, actor: Principal, owner: str, name: str, label_name: str) -> None:
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            label = await self._label(session, project, label_name)
            await session.execute(delete(IssueLabel).where(IssueLabel.label_id == label.id))
            await session.execute(delete(Label).where(Label.id == label.id))
            await session.commit()

    @staticmethod
    async def _label(session: AsyncSession, project: Project, label_name: str) -> Label:
        label = await session.scalar(
            select(Label).where(
                Label.project_id == project.id, Label.lower_name == label_name.strip().lower()
            )
        )
        if label is None:
            raise NotFound(f"label '{label_name}'")
        return label

    # --- milestones --------------------------------------------------------------------------

    @staticmethod
    def _milestone_query(project_id: int) -> Select[Any]:
        """Milestones with their open and closed issue counts and progress, in one query."""
        opened = func.coalesce(func.sum(case((Issue.state == "open", 1), else_=0)), 0)
        closed = func.coalesce(func.sum(case((Issue.state == "closed", 1), else_=0)), 0)
        total = func.count(Issue.id)
        progress = case((total == 0, 0.0), else_=cast(closed, Float) / total)
        return (
            select(Milestone, opened.label("open"), closed.label("closed"), progress)
            .outerjoin(Issue, Issue.milestone_id == Milestone.id)
            .where(Milestone.project_id == project_id)
            .group_by(Milestone.id)
        )

    async def list_milestones(
        self, actor: Principal, owner: str, name: str, state: str | None, req: PageRequest
    ) -> PageResult:
        state = state or "open"
        if state not in ("open", "closed", "all"):
            raise Invalid("state", "must be open, closed or all")
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            stmt = self._milestone_query(project.id)
            if state != "all":
                stmt = stmt.where(Milestone.state == state)
            stmt = stmt.order_by(
                Milestone.due_on.is_(None), Milestone.due_on, Milestone.lower_title
            )
            page = await paginate(session, stmt, req)
        return PageResult(
            [_milestone_out(r) for r in page.items], page.total, page.page, page.per_page
        )

    async def create_milestone(
        self, actor: Principal, owner: str, name: str, body: s.MilestoneCreate
    ) -> s.Milestone:
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            milestone = Milestone(
                project_id=project.id,
                title=body.title,
                lower_title=body.title.lower(),
                description=body.description,
                due_on=body.due_on,
            )
            session.add(milestone)
            await self._commit_unique(session, f"milestone '{body.title}'", "title")
            return await self._milestone_out(session, project.id, milestone.id)

    async def get_milestone(
        self, actor: Principal, owner: str, name: str, milestone_id: str
    ) -> s.Milestone:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            milestone = await self._milestone(session, project, milestone_id)
            return await self._milestone_out(session, project.id, milestone.id)

    async def update_milestone(
        self, actor: Principal, owner: str, name: str, milestone_id: str, body: s.MilestoneUpdate
    ) -> s.Milestone:
        changes = body.model_dump(exclude_unset=True)
        for key in ("title", "description", "state"):
            if key in changes and changes[key] is None:
                raise Invalid(key, "may not be null")
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            milestone = await self._milestone(session, project, milestone_id)
            if body.title is not None:
                milestone.title = body.title
                milestone.lower_title = body.title.lower()
            if body.description is not None:
                milestone.description = body.description
            if "due_on" in changes:
                milestone.due_on = body.due_on
            if body.state is not None and body.state.value != milestone.state:
                milestone.state = body.state.value
                milestone.closed_at = utcnow() if body.state == s.IssueState.closed else None
            milestone.updated_at = utcnow()
            await self._commit_unique(session, f"milestone '{milestone.title}'", "title")
            return await self._milestone_out(session, project.id, milestone.id)

    async def delete_milestone(
        self, actor: Principal, owner: str, name: str, milestone_id: str
    ) -> None:
        """Its issues stay, without a milestone."""
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            milestone = await self._milestone(session, project, milestone_id)
            await session.execute(
                update(Issue)
                .where(Issue.milestone_id == milestone.id)
                .values(milestone_id=None)
                .execution_options(synchronize_session=False)
            )
            await session.execute(delete(Milestone).where(Milestone.id == milestone.id))
            await session.commit()

    async def _milestone_out(
        self, session: AsyncSession, project_id: int, milestone_id: int
    ) -> s.Milestone:
        stmt = self._milestone_query(project_id).where(Milestone.id == milestone_id)
        row = (await session.execute(stmt.execution_options(populate_existing=True))).one()
        return _milestone_out(row)

    @staticmethod
    async def _milestone(session: AsyncSession, project: Project, milestone_id: str) -> Milestone:
        milestone = await session.scalar(
            select(Milestone).where(
                Milestone.project_id == project.id,
                Milestone.id == _id(milestone_id, f"milestone {milestone_id}"),
            )
        )
        if milestone is None:
            raise NotFound(f"milestone {milestone_id}")
        return milestone

    # --- board -------------------------------------------------------------------------------

    async def get_board(self, actor: Principal, owner: str, name: str) -> s.Board:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            if not await self._columns(session, project.id):
                await lock_tracker(session, project.id)
                await self._ensure_board(session, project.id)
                await session.commit()
            return await self._board(session, project.id)

    async def create_column(
        self, actor: Principal, owner: str, name: str, body: s.BoardColumnCreate
    ) -> s.BoardColumn:
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            await lock_tracker(session, project.id)
            columns = await self._ensure_board(session, project.id)
            column = BoardColumn(project_id=project.id, title=body.title, position=len(columns))
            session.add(column)
            await session.commit()
            return self._column_of(await self._board(session, project.id), column.id)

    async def update_column(
        self,
        actor: Principal,
        owner: str,
        name: str,
        column_id: str,
        body: s.BoardColumnUpdate,
    ) -> s.BoardColumn:
        changes = body.model_dump(exclude_unset=True)
        for key, value in changes.items():
            if value is None:
                raise Invalid(key, "may not be null")
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            await lock_tracker(session, project.id)
            columns = await self._ensure_board(session, project.id)
            column = self._find_column(columns, column_id)
            if body.title is not None:
                column.title = body.title
            if body.position is not None:
                order = [c for c in columns if c.id != column.id]
                order.insert(min(body.position, len(order)), column)
                for i, c in enumerate(order):
                    c.position = i
            await session.commit()
            return self._column_of(await self._board(session, project.id), column.id)

    async def delete_column(self, actor: Principal, owner: str, name: str, column_id: str) -> None:
        """Its issues move to the bottom of the first remaining column, in their order."""
        async with self.sessions() as session:
            project = await self._writer(session, actor, owner, name)
            await lock_tracker(session, project.id)
            columns = await self._ensure_board(session, project.id)
            column = self._find_column(columns, column_id)
            rest = [c for c in columns if c.id != column.id]
            if not rest:
                raise Conflict("a board keeps at least one column")
            first = rest[0]
            cards = (
                await session.scalars(
                    select(BoardCard)
                    .where(BoardCard.column_id.in_([column.id, first.id]))
                    .order_by(BoardCard.column_id != first.id, BoardCard.position)
                )
            ).all()
            for i, card in enumerate(cards):
                card.column_id, card.position = first.id, i
            await session.flush()
            await session.execute(delete(BoardColumn).where(BoardColumn.id == column.id))
            for i, c in enumerate(rest):
                c.position = i
            await session.commit()

    async def move_issue(
        self, actor: Principal, owner: str, name: str, number: str, body: s.BoardMove
    ) -> s.Board:
        async with self.sessions() as session:
            project, role, issue = await self._issue(session, actor, owner, name, number)
            if not at_least(role, s.Role.write):
                raise Forbidden(f"you need write access to {owner}/{name}")
            self._writable(project)
            if issue.is_pull:
                raise Invalid("number", "pull requests are not on the board")
            await lock_tracker(session, project.id)
            columns = await self._ensure_board(session, project.id)
            target = next((c for c in columns if c.id == body.column_id), None)
            if target is None:
                raise Invalid("column_id", f"no column {body.column_id} on this board")
            card = await session.get(BoardCard, issue.id)
            if card is None:
                card = BoardCard(issue_id=issue.id, column_id=target.id, position=0)
                session.add(card)
            others = [
                c
                for c in (
                    await session.scalars(
                        select(BoardCard)
                        .where(BoardCard.column_id == target.id)
                        .order_by(BoardCard.position)
                    )
                ).all()
                if c.issue_id != issue.id
            ]
            place = len(others) if body.position is None else min(body.position, len(others))
            others.insert(place, card)
            card.column_id = target.id
            for i, c in enumerate(others):
                c.position = i
            await session.commit()
            return await self._board(session, project.id)

    @staticmethod
    async def _columns(session: AsyncSession, project_id: int) -> list[BoardColumn]:
        return list(
            (
                await session.scalars(
                    select(BoardColumn)
                    .where(BoardColumn.project_id == project_id)
                    .order_by(BoardColumn.position, BoardColumn.id)
                )
            ).all()
        )

    async def _ensure_board(self, session: AsyncSession, project_id: int) -> list[BoardColumn]:
        """The board's columns, made on first use; the caller holds the tracker lock."""
        columns = await self._columns(session, project_id)
        if columns:
            return columns
        columns = [
            BoardColumn(project_id=project_id, title=t, position=i)
            for i, t in enumerate(DEFAULT_COLUMNS)
        ]
        session.add_all(columns)
        await session.flush()
        # issues opened before the board existed (e.g. by an import) start in the first column
        loose = (
            await session.scalars(
                select(Issue.id)
                .where(
                    Issue.project_id == project_id,
                    Issue.is_pull.is_(False),
                    Issue.id.not_in(select(BoardCard.issue_id)),
                )
                .order_by(Issue.number)
            )
        ).all()
        session.add_all(
            BoardCard(issue_id=i, column_id=columns[0].id, position=n) for n, i in enumerate(loose)
        )
        await session.flush()
        return columns

    async def _put_on_board(self, session: AsyncSession, project_id: int, issue_id: int) -> None:
        """A new issue goes to the bottom of the first column (the caller holds the lock)."""
        first = (await self._ensure_board(session, project_id))[0]
        if await session.get(BoardCard, issue_id) is not None:
            return  # placed by _ensure_board just now
        last = await session.scalar(
            select(func.max(BoardCard.position)).where(BoardCard.column_id == first.id)
        )
        position = 0 if last is None else last + 1
        session.add(BoardCard(issue_id=issue_id, column_id=first.id, position=position))
        await session.flush()

    async def _board(self, session: AsyncSession, project_id: int) -> s.Board:
        columns = await self._columns(session, project_id)
        rows = (
            await session.execute(
                select(BoardCard, Issue)
                .join(Issue, Issue.id == BoardCard.issue_id)
                .where(BoardCard.column_id.in_([c.id for c in columns]), Issue.is_pull.is_(False))
                .options(*_ISSUE_LOAD)
                .order_by(BoardCard.position, Issue.number)
                .execution_options(populate_existing=True)
            )
        ).all()
        cards: dict[int, list[s.IssueCard]] = {c.id: [] for c in columns}
        for card, issue in rows:
            cards[card.column_id].append(_card_out(issue, card.position))
        return s.Board(
            columns=[
                s.BoardColumn(id=c.id, title=c.title, position=c.position, issues=cards[c.id])
                for c in columns
            ]
        )

    @staticmethod
    def _find_column(columns: list[BoardColumn], column_id: str) -> BoardColumn:
        wanted = _id(column_id, f"board column {column_id}")
        for c in columns:
            if c.id == wanted:
                return c
        raise NotFound(f"board column {column_id}")

    @staticmethod
    def _column_of(board: s.Board, column_id: int) -> s.BoardColumn:
        return next(c for c in board.columns if c.id == column_id)

    # --- helpers -----------------------------------------------------------------------------

    async def _issue(
        self, session: AsyncSession, actor: Principal, owner: str, name: str, number: str
    ) -> tuple[Project, s.Role, Issue]:
        """The project, the actor's role and the issue; a hidden project answers like a missing
        issue."""
        what = f"issue {owner}/{name}#{number}"
        try:
            project, role = await self.projects.resolve(session, actor, owner, name, s.Role.read)
        except NotFound:
            raise NotFound(what) from None
        issue = await session.scalar(
            select(Issue)
            .where(Issue.project_id == project.id, Issue.number == _id(number, what))
            .options(selectinload(Issue.labels), selectinload(Issue.assignees))
        )
        if issue is None:
            raise NotFound(what)
        return project, role, issue

    async def _writer(
        self, session: AsyncSession, actor: Principal, owner: str, name: str
    ) -> Project:
        project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
        self._writable(project)
        return project

    @staticmethod
    def _writable(project: Project) -> None:
        if project.is_archived:
            raise Forbidden(f"{_full_name(project)} is archived: it is read-only")

    async def _issue_out(
        self, session: AsyncSession, actor: Principal, project: Project, issue_id: int
    ) -> s.Issue:
        issue = await session.scalar(
            select(Issue)
            .where(Issue.id == issue_id)
            .options(*_ISSUE_LOAD)
            .execution_options(populate_existing=True)
        )
        assert issue is not None
        refs = await self._referenced_by(session, actor, [issue.id])
        return issue_out(issue, _full_name(project), refs.get(issue.id))

    @staticmethod
    async def _referenced_by(
        session: AsyncSession, actor: Principal, issue_ids: list[int]
    ) -> dict[int, list[s.IssueRef]]:
        """Issues mentioning each of ``issue_ids`` that the actor may see, oldest first."""
        if not issue_ids:
            return {}
        rows = await session.execute(
            select(
                IssueReference.target_issue_id,
                Account.name,
                Project.name,
                Issue.number,
                Issue.title,
                Issue.state,
                Issue.is_pull,
            )
            .join(Issue, Issue.id == IssueReference.source_issue_id)
            .join(Project, Project.id == Issue.project_id)
            .join(Account, Account.id == Project.owner_id)
            .where(
                IssueReference.target_issue_id.in_(issue_ids),
                visible_owner_clause(actor, Project.owner_id, Project.visibility),
            )
            .order_by(IssueReference.created_at, IssueReference.id)
        )
        out: dict[int, list[s.IssueRef]] = {}
        for target, owner, name, number, title, state, is_pull in rows:
            out.setdefault(target, []).append(
                s.IssueRef(
                    project=f"{owner}/{name}",
                    number=number,
                    title=title,
                    state=s.IssueState(state),
                    is_pull=is_pull,
                )
            )
        return out

    async def _record_references(
        self, session: AsyncSession, actor: Principal, project: Project, source_id: int, text: str
    ) -> None:
        """Remember the issues ``text`` mentions that the actor may see (not the source)."""
        wanted: dict[tuple[str, str], set[int]] = {}
        here = (project.owner.lower_name, project.lower_name)
        for owner, name, number in find_references(text):
            key = (owner, name) if owner and name else here
            wanted.setdefault(key, set()).add(number)
        targets: set[int] = set()
        for (owner, name), numbers in wanted.items():
            if (owner, name) == here:
                project_id = project.id
            else:
                try:
                    other, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
                except NotFound:
                    continue
                project_id = other.id
            ids = await session.scalars(
                select(Issue.id).where(Issue.project_id == project_id, Issue.number.in_(numbers))
            )
            targets.update(ids)
        targets.discard(source_id)
        if not targets:
            return
        now = utcnow()
        await session.execute(
            _upsert(session, IssueReference)
            .values(
                [
                    {"source_issue_id": source_id, "target_issue_id": t, "created_at": now}
                    for t in sorted(targets)
                ]
            )
            .on_conflict_do_nothing(index_elements=["source_issue_id", "target_issue_id"])
        )

    @staticmethod
    async def _labels_named(
        session: AsyncSession, project: Project, names: list[str]
    ) -> list[Label]:
        wanted = {n.strip().lower(): n for n in names}
        if not wanted:
            return []
        found = (
            await session.scalars(
                select(Label).where(
                    Label.project_id == project.id, Label.lower_name.in_(list(wanted))
                )
            )
        ).all()
        known = {label.lower_name for label in found}
        for lower, raw in wanted.items():
            if lower not in known:
                raise Invalid("labels", f"no label '{raw}' in this project")
        return list(found)

    @staticmethod
    async def _assignable(
        session: AsyncSession, project: Project, usernames: list[str]
    ) -> list[Account]:
        """Users who can read the project, by name."""
        wanted = {n.strip().lower(): n for n in usernames}
        if not wanted:
            return []
        users = (
            await session.scalars(
                select(Account).where(Account.kind == "user", Account.lower_name.in_(list(wanted)))
            )
        ).all()
        by_name = {u.lower_name: u for u in users}
        for lower, raw in wanted.items():
            user = by_name.get(lower)
            if user is None:
                raise Invalid("assignees", f"no user '{raw}'")
            who = Principal(id=user.id, username=user.name, is_admin=user.is_admin)
            if await resource_role(session, who, project.owner, project.visibility) is None:
                raise Invalid("assignees", f"'{raw}' cannot see this project")
        return list(users)

    @staticmethod
    async def _milestone_titled(
        session: AsyncSession, project: Project, title: str | None
    ) -> Milestone | None:
        if title is None:
            return None
        milestone = await session.scalar(
            select(Milestone).where(
                Milestone.project_id == project.id, Milestone.lower_title == title.strip().lower()
            )
        )
        if milestone is None:
            raise Invalid("milestone", f"no milestone '{title}' in this project")
        return milestone

    @staticmethod
    async def _commit_unique(session: AsyncSession, what: str, field_name: str) -> None:
        try:
            await session.commit()
        except IntegrityError as exc:
            await session.rollback()
            raise Conflict(f"{what} already exists", [(field_name, "taken")]) from exc
