"""The activity feeds (开源项目动态): home, mine, a user's, an org's, a project's.

Events are rendered here, on the server, as SPEC.md's sentences in English and Chinese, with
the substrings the UI turns into links: the lab extension, the kernel client and any other
client show the same sentence without knowing every event kind.

Visibility is SQL (``permissions.visible_owner_clause`` on the event's project), so a private
project's events never leave the database for someone who may not read it. Totals are capped
(:data:`MAX_TOTAL`, 50 pages of 20): counting a million events for a page number nobody
visits is not worth a slow first page (GitHub's feeds stop at 300 events). Older events are
read on with ``before`` (an event id), which the same indexes answer.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, union
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from ..db.models import Account, Project
from ..db.repo_models import Activity, Watch
from .activity import KINDS
from .errors import Invalid, NotFound
from .pagination import PageRequest, PageResult
from .permissions import can_see_account, visible_owner_clause
from .principal import Principal
from .projects import ProjectService

#: a select of any columns (SQLAlchemy 2.1 types each column)
AnySelect = Select[*tuple[Any, ...]]

#: the most events a feed counts (and so pages through)
MAX_TOTAL = 1_000
ANONYMOUS = Principal(id=0, username="")

Actor = aliased(Account)
Owner = aliased(Account)

_ISSUE_VERBS = {
    "opened": ("opened", "创建了"),
    "closed": ("closed", "关闭了"),
    "reopened": ("reopened", "重新开启了"),
    "commented": ("commented on", "评论了"),
    "merged": ("merged", "合并了"),
}
_TASK_KINDS = {
    "debug": ("debug", "调试"),
    "train": ("training", "训练"),
    "inference": ("inference", "推理"),
    "evaluation": ("evaluation", "评测"),
}


def _article(word: str) -> str:
    """ "an NPU …", "a GPU …": acronyms go by how their first letter is spoken."""
    first = word.split()[0] if word.split() else word
    vowels = "AEFHILMNORSX" if first.isupper() else "AEIOU"
    return "an" if first[:1].upper() in vowels else "a"


def render(
    kind: str, actor: str | None, project: str | None, args: dict[str, Any]
) -> tuple[str, str, list[cs.EventLink]]:
    """``(text_en, text_zh, links)`` of one event; links name substrings of both texts."""
    who = actor or "someone"
    p = project or "a deleted project"
    links: list[cs.EventLink] = []
    if actor:
        links.append(cs.EventLink(text=actor, kind="user", ref=actor))
    if project:
        links.append(cs.EventLink(text=project, kind="project", ref=project))

    if kind == "push":
        ref = str(args.get("ref", ""))
        is_tag = ref.startswith("refs/tags/")
        short = ref.removeprefix("refs/heads/").removeprefix("refs/tags/")
        n = int(args.get("commits", 0) or 0)
        if set(str(args.get("after", "x"))) == {"0"}:
            what_en, what_zh = ("tag", "标签") if is_tag else ("branch", "分支")
            en, zh = (
                f"{who} deleted {what_en} {short} of {p}",
                f"{who} 删除了 {p} 的{what_zh} {short}",
            )
        elif is_tag:
            en, zh = f"{who} pushed tag {short} to {p}", f"{who} 推送了标签 {short} 到 {p}"
        else:
            plural = "commit" if n == 1 else "commits"
            en = f"{who} pushed {n} {plural} to branch {short} of {p}"
            zh = f"{who} 推送了 {n} 个提交到 {p} 的分支 {short}"
            if project:
                links.append(cs.EventLink(text=short, kind="branch", ref=f"{project}:{short}"))
        return en, zh, links
    if kind == "fork":
        fork = str(args.get("fork", ""))
        links.append(cs.EventLink(text=fork, kind="project", ref=fork))
        return f"{who} forked {p} to {fork}", f"{who} 派生了 {p} 到 {fork}", links
    if kind == "star":
        return f"{who} starred {p}", f"{who} 点赞了 {p}", links
    if kind == "release":
        tag = str(args.get("tag", ""))
        if project:
            links.append(cs.EventLink(text=tag, kind="release", ref=f"{project}@{tag}"))
        return f"{who} published release {tag} of {p}", f"{who} 发布了 {p} 的版本 {tag}", links
    if kind.startswith(("issue_", "pull_")):
        noun, _, verb = kind.partition("_")
        is_pull = noun == "pull" or bool(args.get("is_pull"))
        ref = f"{p}#{args.get('number', '?')}"
        if project:
            links.append(cs.EventLink(text=ref, kind="pull" if is_pull else "issue", ref=ref))
        v_en, v_zh = _ISSUE_VERBS.get(verb, (verb, verb))
        n_en, n_zh = ("pull request", "合并请求") if is_pull else ("issue", "任务")
        title = str(args.get("title", "") or "")
        tail_en = f": {title}" if title else ""
        tail_zh = f"：{title}" if title else ""
        return f"{who} {v_en} {n_en} {ref}{tail_en}", f"{who} {v_zh}{n_zh} {ref}{tail_zh}", links
    if kind == "dataset_uploaded":
        ds, f = str(args.get("dataset", "")), str(args.get("file", ""))
        target = f"{p}/{ds}"
        if project:
            links.append(cs.EventLink(text=target, kind="dataset", ref=target))
        return (
            f"{who} uploaded file {f} to dataset {target}",
            f"{who} 上传了文件 {f} 到数据集 {target}",
            links,
        )
    if kind in ("task_created", "task_finished"):
        task, compute = str(args.get("task", "")), str(args.get("compute", ""))
        tk = str(args.get("task_kind", ""))
        tk_en, tk_zh = _TASK_KINDS.get(tk, (tk, tk))
        if project:
            links.append(cs.EventLink(text=task, kind="task", ref=f"{project}/tasks/{tk}/{task}"))
        if kind == "task_created":
            label = f"{compute} {tk_en}"
            return (
                f"{who} created {_article(label)} {label} task {task} in {p}",
                f"{who} 创建了 {compute} {tk_zh}任务 {task}（{p}）",
                links,
            )
        status = str(args.get("status", ""))
        return (
            f"{compute} {tk_en} task {task} of {p} finished: {status}",
            f"{p} 的 {compute} {tk_zh}任务 {task} 已结束：{status}",
            [link for link in links if link.kind != "user"],
        )
    if kind == "model_imported":
        model, version = str(args.get("model", "")), str(args.get("version", ""))
        if project:
            links.append(cs.EventLink(text=model, kind="model", ref=f"{project}/models/{model}"))
        return (
            f"{who} imported model {model} version {version} into {p}",
            f"{who} 导入了模型 {model} 版本 {version} 到 {p}",
            links,
        )
    return f"{who} did {kind} in {p}", f"{who} 在 {p} 中：{kind}", links


def _event_out(a: Activity, actor: Account | None, project: Project | None, owner: Account | None):
    args = json.loads(a.payload or "{}")
    full = f"{owner.name}/{project.name}" if project is not None and owner is not None else None
    en, zh, links = render(a.kind, actor.name if actor else None, full, args)
    return cs.Event(
        id=a.id,
        kind=a.kind,
        actor=cs.EventActor(username=actor.name, full_name=actor.full_name) if actor else None,
        project=full,
        created_at=a.created_at,
        args=args,
        text_en=en,
        text_zh=zh,
        links=links,
    )


def parse_kinds(raw: str | None) -> list[str] | None:
    if not raw:
        return None
    kinds = [k.strip() for k in raw.split(",") if k.strip()]
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise Invalid("kind", f"unknown event kind '{unknown[0]}'")
    return kinds


@dataclass(frozen=True)
class FeedFilter:
    """What a feed request narrows to: event kinds, and events older than one (``before``:
    an event id, for reading on past the :data:`MAX_TOTAL` newest)."""

    kinds: list[str] | None = None
    before: int | None = None


#: ``newest(n)``: the ids of at most the ``n`` newest events of a feed, newest first
Newest = Callable[[int], AnySelect]


class FeedService:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], projects: ProjectService):
        self.sessions = sessions
        self.projects = projects

    def ids(
        self,
        viewer: Principal,
        filt: FeedFilter,
        *where: ColumnElement[bool],
        projects: ColumnElement[bool] | None = None,
    ) -> AnySelect:
        """The ids of the events the viewer may see, newest first.

        Visibility is a correlated EXISTS on the event's project rather than a join or an
        IN-list, so the planner keeps driving from the events' own indexes (backwards by id
        for the home feed, by actor or project and id for theirs) and stops after a page; a
        join let SQLite drive from the projects and sort a million events for each page."""
        visible = select(Project.id).where(
            Project.id == Activity.project_id,
            visible_owner_clause(viewer, Project.owner_id, Project.visibility),
        )
        stmt = select(Activity.id).where(visible.exists(), *where)
        if projects is not None:  # an org's: its projects' events through their index
            stmt = stmt.where(Activity.project_id.in_(select(Project.id).where(projects)))
        if filt.kinds:
            stmt = stmt.where(Activity.kind.in_(filt.kinds))
        if filt.before is not None:
            stmt = stmt.where(Activity.id < filt.before)
        # ids grow with time: newest first is the primary key backwards
        return stmt.order_by(Activity.id.desc())

    def stream(
        self,
        viewer: Principal,
        filt: FeedFilter,
        *where: ColumnElement[bool],
        projects: ColumnElement[bool] | None = None,
    ) -> Newest:
        stmt = self.ids(viewer, filt, *where, projects=projects)
        return lambda n: stmt.limit(n)

    def mine_stream(self, actor: Principal, filt: FeedFilter) -> Newest:
        """Events of watched projects, and my own: the newest ``n`` of each through its own
        index (project and id, actor and id), merged. One scan with an OR of the two made
        PostgreSQL walk every event backwards to count a quiet user's few."""
        watched = select(Watch.project_id).where(Watch.user_id == actor.id)

        def newest(n: int) -> AnySelect:
            arms = [
                self.ids(actor, filt, Activity.project_id.in_(watched)).limit(n).subquery(),
                self.ids(actor, filt, Activity.actor_id == actor.id).limit(n).subquery(),
            ]
            both = union(*[select(arm.c.id) for arm in arms]).subquery()
            return select(both.c.id).order_by(both.c.id.desc()).limit(n)

        return newest

    @staticmethod
    def rows(ids: list[int]) -> AnySelect:
        return (
            select(Activity, Actor, Project, Owner)
            .join(Project, Project.id == Activity.project_id)
            .join(Owner, Owner.id == Project.owner_id)
            .outerjoin(Actor, Actor.id == Activity.actor_id)
            .where(Activity.id.in_(ids))
            .order_by(Activity.id.desc())
        )

    async def page(self, session: AsyncSession, newest: Newest, req: PageRequest) -> PageResult:
        """One page of a feed; its total counts at most the :data:`MAX_TOTAL` newest.
        (Reading those ids once and slicing the page from them measured slower: shipping a
        thousand rows costs more than walking the index twice.)"""
        capped = newest(MAX_TOTAL).order_by(None).subquery()
        total = await session.scalar(select(func.count()).select_from(capped)) or 0
        first = (req.page - 1) * req.per_page
        # the newest first+per_page, then the page's slice (a merged feed's arms need all)
        page = newest(first + req.per_page).limit(req.per_page).offset(first)
        ids = list((await session.scalars(page)).all())
        rows = (await session.execute(self.rows(ids))).all() if ids else []
        items = [_event_out(*row) for row in rows]
        return PageResult(items=items, total=total, page=req.page, per_page=req.per_page)

    async def home(self, filt: FeedFilter, req: PageRequest) -> PageResult:
        """Public events only: the same page for everyone, signed in or not."""
        async with self.sessions() as session:
            return await self.page(session, self.stream(ANONYMOUS, filt), req)

    async def mine(self, actor: Principal, filt: FeedFilter, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            return await self.page(session, self.mine_stream(actor, filt), req)

    async def user(
        self, actor: Principal, username: str, filt: FeedFilter, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            user_id = await session.scalar(
                select(Account.id).where(
                    Account.lower_name == username.lower(), Account.kind == "user"
                )
            )
            if user_id is None:
                raise NotFound(f"user '{username}'")
            newest = self.stream(actor, filt, Activity.actor_id == user_id)
            return await self.page(session, newest, req)

    async def org(
        self, actor: Principal, org: str, filt: FeedFilter, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            account = await session.scalar(
                select(Account).where(Account.lower_name == org.lower(), Account.kind == "org")
            )
            if account is None or not await can_see_account(session, actor, account):
                raise NotFound(f"organisation '{org}'")
            newest = self.stream(actor, filt, projects=Project.owner_id == account.id)
            return await self.page(session, newest, req)

    async def project(
        self, actor: Principal, owner: str, name: str, filt: FeedFilter, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            newest = self.stream(actor, filt, Activity.project_id == project.id)
            return await self.page(session, newest, req)
