"""The OpenI index (OpenI指数) and the digital dashboard (数字看板).

Each signal (stars, closed issues, commits in the last 30 days…) is min–max normalised to
0–100 over all projects (0 for everyone when all projects are equal); a dimension's score is
the sub-weighted mean of its signals; the index is the weighted sum of the six dimensions.
A dimension's score therefore stays within 0–100 and every signal has an additive
contribution to the index, ``weight × sub_weight / Σ sub_weights × normalised``, which is what
a project page shows to explain its index.

The computation reads aggregates of the whole platform, so it runs on a schedule (the app's
housekeeping loop) and on demand (admin POST), stores the latest scores in ``project_index``
and one snapshot per project and day in ``project_index_history``.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import community_schemas as cs
from openi_lab import schemas as s

from ..db.community_models import ProjectIndex, ProjectIndexHistory
from ..db.dataset_models import Dataset, DatasetFile
from ..db.models import Account, Project
from ..db.repo_models import Activity, Release, ReleaseAsset
from ..db.task_models import Task
from ..db.tracker_models import Comment, Issue
from .errors import Forbidden, Invalid, NotFound
from .pagination import PageRequest, PageResult, contains_pattern, paginate
from .permissions import visible_owner_clause
from .principal import Principal
from .projects import ProjectService

WINDOW = timedelta(days=30)


@dataclass(frozen=True)
class Sig:
    key: str
    name_en: str
    name_zh: str


@dataclass(frozen=True)
class Dim:
    key: str
    name_en: str
    name_zh: str
    signals: tuple[Sig, ...]


DIMENSIONS: tuple[Dim, ...] = (
    Dim(
        "impact",
        "Impact",
        "影响力",
        (
            Sig("watches", "Watches", "关注数"),
            Sig("stars", "Stars", "点赞数"),
            Sig("forks", "Forks", "派生数"),
            Sig("downloads", "Code downloads", "代码下载量"),
            Sig("comments", "Comments", "评论数"),
            Sig("views", "Page views", "浏览量"),
        ),
    ),
    Dim(
        "completeness",
        "Completeness",
        "成熟度",
        (
            Sig("closed_issues", "Closed issues", "已解决任务数"),
            Sig("releases", "Releases", "版本发布数"),
            Sig("age_days", "Age (days)", "项目年龄"),
            Sig("models", "Models", "模型数"),
            Sig("wiki", "Wiki pages", "百科页面数"),
        ),
    ),
    Dim(
        "liveness",
        "Liveness",
        "活跃度",
        (
            Sig("commits_30d", "Commits (30 days)", "提交数"),
            Sig("issues_30d", "Issues (30 days)", "任务数"),
            Sig("pulls_30d", "Pull requests (30 days)", "合并请求数"),
            Sig("releases_30d", "Releases (30 days)", "版本发布数"),
        ),
    ),
    Dim(
        "project_health",
        "Project health",
        "项目健康度",
        (Sig("closed_ratio", "Closed / all issues", "任务完成比例"),),
    ),
    Dim(
        "team_health",
        "Team health",
        "团队健康度",
        (
            Sig("contributors", "Contributors", "贡献者数"),
            Sig("key_contributors", "Key contributors", "关键贡献者数"),
            Sig("new_contributors", "New contributors (30 days)", "新贡献者数"),
        ),
    ),
    Dim(
        "growth",
        "Growth",
        "项目发展趋势",
        (
            Sig("lines_growth", "Code lines growth", "代码行数增长"),
            Sig("issues_growth", "Issues growth", "任务数增长"),
            Sig("contributors_growth", "Contributors growth", "贡献者增长"),
            Sig("commits_growth", "Commits growth", "提交数增长"),
            Sig("comments_growth", "Comments growth", "评论数增长"),
        ),
    ),
)
DIM_KEYS = tuple(d.key for d in DIMENSIONS)

#: SPEC.md's defaults: {dimension: (weight, {signal: sub-weight})}
DEFAULT_WEIGHTS: dict[str, tuple[float, dict[str, float]]] = {
    "impact": (
        0.3,
        {
            "watches": 0.1,
            "stars": 0.2,
            "forks": 0.3,
            "downloads": 0.2,
            "comments": 0.1,
            "views": 0.1,
        },
    ),
    "completeness": (
        0.1,
        {"closed_issues": 0.2, "releases": 0.3, "age_days": 0.1, "models": 0.1, "wiki": 0.1},
    ),
    "liveness": (
        0.3,
        {"commits_30d": 0.2, "issues_30d": 0.2, "pulls_30d": 0.2, "releases_30d": 0.4},
    ),
    "project_health": (0.1, {"closed_ratio": 1.0}),
    "team_health": (0.1, {"contributors": 0.2, "key_contributors": 0.6, "new_contributors": 0.2}),
    "growth": (
        0.1,
        {
            "lines_growth": 0.2,
            "issues_growth": 0.2,
            "contributors_growth": 0.2,
            "commits_growth": 0.2,
            "comments_growth": 0.2,
        },
    ),
}

#: a contributor with at least this share of a project's pushes is a key contributor
KEY_SHARE = 0.1

Weights = dict[str, tuple[float, dict[str, float]]]


def merge_weights(overrides: dict[str, Any] | None) -> Weights:
    """SPEC's defaults with ``{"impact": {"weight": 0.5, "signals": {"stars": 1}}}`` applied;
    unknown keys and negative weights raise ``ValueError`` (a configuration mistake)."""
    merged = {k: (w, dict(sub)) for k, (w, sub) in DEFAULT_WEIGHTS.items()}
    for key, value in (overrides or {}).items():
        if key not in merged:
            raise ValueError(f"openi_index_weights: unknown dimension '{key}'")
        weight, sub = merged[key]
        if isinstance(value, int | float):
            value = {"weight": value}
        if not isinstance(value, dict) or set(value) - {"weight", "signals"}:
            raise ValueError(f"openi_index_weights['{key}']: use {{'weight', 'signals'}}")
        weight = float(value.get("weight", weight))
        for sig, w in (value.get("signals") or {}).items():
            if sig not in sub:
                raise ValueError(f"openi_index_weights['{key}']: unknown signal '{sig}'")
            sub[sig] = float(w)
        if weight < 0 or any(w < 0 for w in sub.values()):
            raise ValueError(f"openi_index_weights['{key}']: weights must not be negative")
        merged[key] = (weight, sub)
    return merged


def score(
    raw: dict[int, dict[str, float]], weights: Weights
) -> dict[int, tuple[float, dict[str, float], dict[str, tuple[float, float, float]]]]:
    """``{project: (index, {dimension: score}, {signal: (raw, normalised, contribution)})}``.

    Pure: the hand-computed test checks this against numbers worked out on paper."""
    keys = [sig.key for d in DIMENSIONS for sig in d.signals]
    lo = {k: min((r.get(k, 0.0) for r in raw.values()), default=0.0) for k in keys}
    hi = {k: max((r.get(k, 0.0) for r in raw.values()), default=0.0) for k in keys}
    out = {}
    for pid, values in raw.items():
        dims: dict[str, float] = {}
        sigs: dict[str, tuple[float, float, float]] = {}
        index = 0.0
        for d in DIMENSIONS:
            weight, sub = weights[d.key]
            total_sub = sum(sub.values())
            dim = 0.0
            for sig in d.signals:
                v = float(values.get(sig.key, 0.0))
                span = hi[sig.key] - lo[sig.key]
                norm = (v - lo[sig.key]) / span * 100 if span > 0 else 0.0
                share = sub[sig.key] / total_sub if total_sub > 0 else 0.0
                dim += share * norm
                sigs[sig.key] = (v, norm, weight * share * norm)
            dims[d.key] = dim
            index += weight * dim
        out[pid] = (index, dims, sigs)
    return out


def ranked(scores: dict[int, Any]) -> list[int]:
    """Project ids, highest index first (ties: the older project first)."""
    return sorted(scores, key=lambda pid: (-round(scores[pid][0], 9), pid))


class IndexService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        weights: dict[str, Any] | None = None,
    ):
        self.sessions = sessions
        self.projects = projects
        self.weights = merge_weights(weights)

    # --- signals -------------------------------------------------------------------------

    async def signals(self, session: AsyncSession, now: datetime) -> dict[int, dict[str, float]]:
        """The raw signals of every project, from aggregates of the platform's tables."""
        recent, before = now - WINDOW, now - 2 * WINDOW
        raw: dict[int, dict[str, float]] = {}
        for pid, watches, stars, forks, created in await session.execute(
            select(
                Project.id,
                Project.num_watches,
                Project.num_stars,
                Project.num_forks,
                Project.created_at,
            )
        ):
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            raw[pid] = {
                "watches": watches,
                "stars": stars,
                "forks": forks,
                "age_days": max(0.0, (now - created).total_seconds() / 86400),
            }

        def put(key: str, rows: Any) -> None:
            for pid, value in rows:
                if pid in raw:
                    raw[pid][key] = float(value or 0)

        issue_rows = await session.execute(
            select(Issue.project_id, Issue.is_pull, Issue.state, Issue.created_at)
        )
        counts: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for pid, is_pull, state, created in issue_rows:
            c = counts[pid]
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            if is_pull:
                c["pulls_30d"] += created >= recent
                continue
            c["issues"] += 1
            c["closed_issues"] += state == "closed"
            c["issues_30d"] += created >= recent
            c["issues_prev"] += before <= created < recent
        for pid, c in counts.items():
            if pid not in raw:
                continue
            raw[pid].update({k: c[k] for k in ("closed_issues", "issues_30d", "pulls_30d")})
            raw[pid]["closed_ratio"] = c["closed_issues"] / c["issues"] if c["issues"] else 0.0
            raw[pid]["issues_growth"] = c["issues_30d"] - c["issues_prev"]

        comments = await session.execute(
            select(Issue.project_id, Comment.created_at).join(Issue, Issue.id == Comment.issue_id)
        )
        cc: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
        for pid, created in comments:
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            cc[pid][0] += 1
            cc[pid][1] += created >= recent
            cc[pid][2] += before <= created < recent
        for pid, (n, last, prev) in cc.items():
            if pid in raw:
                raw[pid]["comments"] = n
                raw[pid]["comments_growth"] = last - prev

        put(
            "releases",
            await session.execute(
                select(Release.project_id, func.count()).group_by(Release.project_id)
            ),
        )
        put(
            "releases_30d",
            await session.execute(
                select(Release.project_id, func.count())
                .where(Release.created_at >= recent)
                .group_by(Release.project_id)
            ),
        )
        put(
            "downloads",
            await session.execute(
                select(Release.project_id, func.sum(ReleaseAsset.download_count))
                .join(ReleaseAsset, ReleaseAsset.release_id == Release.id)
                .group_by(Release.project_id)
            ),
        )
        tables = await (await session.connection()).run_sync(
            lambda c: set(inspect(c).get_table_names())
        )
        if "models" in tables:
            from ..db.model_models import RegisteredModel

            put(
                "models",
                await session.execute(
                    select(RegisteredModel.project_id, func.count()).group_by(
                        RegisteredModel.project_id
                    )
                ),
            )
        await self._pushes(session, raw, now)
        return raw

    @staticmethod
    async def _pushes(
        session: AsyncSession, raw: dict[int, dict[str, float]], now: datetime
    ) -> None:
        """Contributors from the push events (grouped in SQL: a million events are not read
        into Python); commit counts (``commits`` in the payload) of the last 60 days only."""
        recent, before = now - WINDOW, now - 2 * WINDOW
        pushed = (Activity.kind == "push", Activity.actor_id.is_not(None))
        people: dict[int, dict[int, list[Any]]] = defaultdict(dict)
        for pid, actor, n, first in await session.execute(
            select(
                Activity.project_id, Activity.actor_id, func.count(), func.min(Activity.created_at)
            )
            .where(*pushed, Activity.project_id.is_not(None))
            .group_by(Activity.project_id, Activity.actor_id)
        ):
            if pid is None or actor is None:
                continue
            first = first if first.tzinfo else first.replace(tzinfo=UTC)
            # [pushes, first push, commits last 30 days, commits the 30 before]
            people[pid][actor] = [n, first, 0.0, 0.0]
        for pid, actor, created, payload in await session.execute(
            select(
                Activity.project_id, Activity.actor_id, Activity.created_at, Activity.payload
            ).where(*pushed, Activity.created_at >= before)
        ):
            entry = people.get(pid or 0, {}).get(actor or 0)
            if entry is None:
                continue
            created = created if created.tzinfo else created.replace(tzinfo=UTC)
            commits = float(json.loads(payload or "{}").get("commits", 0) or 0)
            entry[2 if created >= recent else 3] += commits
        for pid, team in people.items():
            if pid not in raw:
                continue
            total = sum(e[0] for e in team.values())
            r = raw[pid]
            r["contributors"] = len(team)
            r["key_contributors"] = sum(1 for e in team.values() if e[0] / total >= KEY_SHARE)
            r["new_contributors"] = sum(1 for e in team.values() if e[1] >= recent)
            r["commits_30d"] = sum(e[2] for e in team.values())
            r["commits_growth"] = r["commits_30d"] - sum(e[3] for e in team.values())
            active = sum(1 for e in team.values() if e[2] > 0)
            was_active = sum(1 for e in team.values() if e[3] > 0)
            r["contributors_growth"] = active - was_active

    # --- computation ---------------------------------------------------------------------

    async def recompute(self, now: datetime | None = None) -> cs.Recomputed:
        now = now or datetime.now(UTC)
        async with self.sessions() as session:
            raw = await self.signals(session, now)
            # pure arithmetic over every project: off the event loop
            scores = await asyncio.to_thread(score, raw, self.weights)
            order = ranked(scores)
            await session.execute(delete(ProjectIndex))
            today = now.date()
            await session.execute(
                delete(ProjectIndexHistory).where(ProjectIndexHistory.day == today)
            )
            current, history = [], []
            for rank, pid in enumerate(order, start=1):
                index, dims, sigs = scores[pid]
                current.append(
                    {
                        "project_id": pid,
                        "score": index,
                        "rank": rank,
                        "computed_at": now,
                        "signals": json.dumps(sigs),
                        **dims,
                    }
                )
                history.append({"project_id": pid, "day": today, "score": index, "rank": rank})
            if current:
                await session.execute(insert(ProjectIndex), current)
                await session.execute(insert(ProjectIndexHistory), history)
            await session.commit()
        return cs.Recomputed(computed_at=now, projects=len(order))

    async def recompute_as(self, actor: Principal) -> cs.Recomputed:
        if not actor.is_admin:
            raise Forbidden("only site admins may recompute the OpenI index")
        return await self.recompute()

    # --- reading -------------------------------------------------------------------------

    def weights_out(self) -> cs.Weights:
        return cs.Weights(
            dimensions=[
                cs.DimensionWeight(
                    key=d.key,
                    name_en=d.name_en,
                    name_zh=d.name_zh,
                    weight=self.weights[d.key][0],
                    signals=[
                        cs.SignalWeight(
                            key=sig.key,
                            name_en=sig.name_en,
                            name_zh=sig.name_zh,
                            weight=self.weights[d.key][1][sig.key],
                        )
                        for sig in d.signals
                    ],
                )
                for d in DIMENSIONS
            ]
        )

    async def project(
        self, actor: Principal, owner: str, name: str, days: int = 90
    ) -> cs.ProjectIndex:
        if not 1 <= days <= 3660:
            raise Invalid("days", "must be between 1 and 3660")
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            row = await session.get(ProjectIndex, project.id)
            if row is None:
                raise NotFound(f"the OpenI index of '{owner}/{name}' (not computed yet)")
            total = await session.scalar(select(func.count()).select_from(ProjectIndex)) or 0
            since = row.computed_at.date() - timedelta(days=days - 1)
            points = (
                await session.execute(
                    select(ProjectIndexHistory)
                    .where(
                        ProjectIndexHistory.project_id == project.id,
                        ProjectIndexHistory.day >= since,
                    )
                    .order_by(ProjectIndexHistory.day)
                )
            ).scalars()
            history = [cs.IndexPoint(day=p.day, index=p.score, rank=p.rank) for p in points]
            full = project.full_name
        sigs = json.loads(row.signals)
        dims = []
        for d in DIMENSIONS:
            weight, sub = self.weights[d.key]
            total_sub = sum(sub.values())
            signals = [
                cs.SignalScore(
                    key=sig.key,
                    name_en=sig.name_en,
                    name_zh=sig.name_zh,
                    weight=sub[sig.key],
                    raw=sigs.get(sig.key, [0, 0, 0])[0],
                    normalised=sigs.get(sig.key, [0, 0, 0])[1],
                    contribution=sigs.get(sig.key, [0, 0, 0])[2],
                )
                for sig in d.signals
            ]
            dim_score = getattr(row, d.key)
            dims.append(
                cs.DimensionScore(
                    key=d.key,
                    name_en=d.name_en,
                    name_zh=d.name_zh,
                    weight=weight,
                    score=dim_score,
                    contribution=weight * dim_score,
                    signals=signals,
                )
            )
            del total_sub
        return cs.ProjectIndex(
            project=full,
            index=row.score,
            rank=row.rank,
            total_projects=total,
            computed_at=row.computed_at,
            dimensions=dims,
            history=history,
        )

    def _ranking(self, actor: Principal, q: str | None) -> Any:
        stmt = (
            select(ProjectIndex, Account.name, Project.name)
            .join(Project, Project.id == ProjectIndex.project_id)
            .join(Account, Account.id == Project.owner_id)
            .where(visible_owner_clause(actor, Project.owner_id, Project.visibility))
            .order_by(ProjectIndex.rank)
        )
        if q:
            pattern = contains_pattern(q)
            stmt = stmt.where(Project.lower_name.like(pattern.lower(), escape="\\"))
        return stmt

    @staticmethod
    def _row(r: ProjectIndex, owner: str, name: str) -> cs.IndexRow:
        return cs.IndexRow(
            project=f"{owner}/{name}",
            rank=r.rank,
            index=r.score,
            dimensions={k: getattr(r, k) for k in DIM_KEYS},
            computed_at=r.computed_at,
        )

    async def ranking(self, actor: Principal, q: str | None, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            page = await paginate(session, self._ranking(actor, q), req)
        page.items[:] = [self._row(*row) for row in page.items]
        return page

    async def ranking_csv(self, actor: Principal) -> str:
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["rank", "project", "index", *DIM_KEYS, "computed_at"])
        async with self.sessions() as session:
            for r, owner, name in await session.execute(self._ranking(actor, None)):
                w.writerow(
                    [
                        r.rank,
                        f"{owner}/{name}",
                        f"{r.score:.4f}",
                        *(f"{getattr(r, k):.4f}" for k in DIM_KEYS),
                        r.computed_at.isoformat(),
                    ]
                )
        return out.getvalue()

    # --- platform totals -----------------------------------------------------------------

    async def totals(self, actor: Principal, days: int = 30) -> cs.Totals:
        """Platform-wide counts (no names: public figures) and compute hours per day."""
        if not 1 <= days <= 366:
            raise Invalid("days", "must be between 1 and 366")
        now = datetime.now(UTC)
        start = datetime.combine(now.date() - timedelta(days=days - 1), datetime.min.time(), UTC)
        async with self.sessions() as session:

            async def count(stmt: Any) -> int:
                return int(await session.scalar(stmt) or 0)

            accounts = dict(
                (
                    await session.execute(select(Account.kind, func.count()).group_by(Account.kind))
                ).all()
            )
            tables = await (await session.connection()).run_sync(
                lambda c: set(inspect(c).get_table_names())
            )
            models = None
            if "models" in tables:
                from ..db.model_models import RegisteredModel

                models = await count(select(func.count()).select_from(RegisteredModel))
            by_compute = dict(
                (
                    await session.execute(select(Task.compute, func.count()).group_by(Task.compute))
                ).all()
            )
            by_status = dict(
                (
                    await session.execute(select(Task.status, func.count()).group_by(Task.status))
                ).all()
            )
            runs = await session.execute(
                select(Task.compute, Task.started_at, Task.finished_at).where(
                    Task.started_at.is_not(None),
                    (Task.finished_at.is_(None)) | (Task.finished_at >= start),
                )
            )
            hours: dict[date, dict[str, float]] = {
                (start + timedelta(days=i)).date(): {} for i in range(days)
            }
            for compute, started, finished in runs:
                if started is None:
                    continue
                _spread(hours, compute, started, finished or now, start, now)
            return cs.Totals(
                users=accounts.get("user", 0),
                orgs=accounts.get("org", 0),
                projects=await count(select(func.count()).select_from(Project)),
                public_projects=await count(
                    select(func.count()).where(Project.visibility == "public")
                ),
                datasets=await count(select(func.count()).select_from(Dataset)),
                dataset_files=await count(select(func.count()).select_from(DatasetFile)),
                models=models,
                tasks=sum(by_compute.values()),
                tasks_by_compute=by_compute,
                tasks_by_status=by_status,
                compute_hours_per_day=[
                    cs.ComputeDay(day=d, hours={k: round(v, 6) for k, v in h.items()})
                    for d, h in sorted(hours.items())
                ],
                computed_at=now,
            )

    async def totals_csv(self, actor: Principal, days: int = 30) -> str:
        t = await self.totals(actor, days)
        out = io.StringIO()
        w = csv.writer(out)
        w.writerow(["day", "compute", "hours"])
        for d in t.compute_hours_per_day:
            for compute, h in sorted(d.hours.items()):
                w.writerow([d.day.isoformat(), compute, f"{h:.6f}"])
        return out.getvalue()


def _spread(
    hours: dict[date, dict[str, float]],
    compute: str,
    started: datetime,
    finished: datetime,
    start: datetime,
    now: datetime,
) -> None:
    """Add a run's hours to each day it overlaps (within the window)."""
    started = started if started.tzinfo else started.replace(tzinfo=UTC)
    finished = finished if finished.tzinfo else finished.replace(tzinfo=UTC)
    a, b = max(started, start), min(finished, now)
    while a < b:
        midnight = datetime.combine(a.date() + timedelta(days=1), datetime.min.time(), UTC)
        end = min(b, midnight)
        day = hours.get(a.date())
        if day is not None:
            day[compute] = day.get(compute, 0.0) + (end - a).total_seconds() / 3600
        a = end
