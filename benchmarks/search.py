"""Unified search and the activity feed at scale, through the real API, beside the bare
database queries they run.

Seeds N each of projects, datasets, issues and models (Chinese and English text, 10 %
private) and E activity events, starts ``jupyter server`` with the platform on that database,
and times as a signed-in non-admin user:

- ``GET /search?q=…`` (all types: a count per type and the first hits of each) for English
  and Chinese words of 2–4+ characters — against the same SQL statements (every type's count
  and page) executed directly on a connection (no HTTP, auth, pydantic);
- ``GET /feed`` pages (home, mine, a project's, a user's) — against their SQL.

Prints p50/p95 in ms and the ratio API/bare. Target (issue #7): search p95 ≤ 50 ms and
≤ 3× the bare query; feed page p95 ≤ 50 ms with 1,000,000 events.

    .venv/bin/python benchmarks/search.py [--n 10000] [--events 1000000] [--rounds 30]
        [--pg postgresql://postgres@127.0.0.1/postgres] [--no-sqlite]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import func, insert, select, text

sys.path.insert(0, str(Path(__file__).resolve().parent))
from upload import Server

from openi_lab import schemas as s
from openi_lab_server.db import migrate
from openi_lab_server.db.dataset_models import Dataset
from openi_lab_server.db.models import Account, Project
from openi_lab_server.db.repo_models import Activity, Watch
from openi_lab_server.db.tracker_models import Issue
from openi_lab_server.services.container import Platform
from openi_lab_server.services.feed import ANONYMOUS, MAX_TOTAL, FeedFilter
from openi_lab_server.services.search import params_of, shape_of, words_of

EN = [
    "image",
    "classification",
    "detection",
    "segmentation",
    "model",
    "training",
    "dataset",
    "transformer",
    "language",
    "speech",
    "recognition",
    "graph",
    "neural",
    "network",
    "reinforcement",
    "learning",
    "vision",
    "benchmark",
    "inference",
    "pipeline",
    "optimizer",
    "baseline",
    "tokenizer",
    "embedding",
    "diffusion",
]
ZH = [
    "图像",
    "分类",
    "目标",
    "检测",
    "语义",
    "分割",
    "模型",
    "训练",
    "数据集",
    "语言",
    "语音",
    "识别",
    "图神经网络",
    "强化学习",
    "视觉",
    "推理",
    "优化器",
    "基线",
    "嵌入",
    "扩散",
    "大模型",
    "昇腾",
    "鹏城",
    "启智",
]
_HAN = (
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动"
    "同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自"
    "二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日"
    "那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变"
    "条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总"
    "次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指"
    "几九区强放决西被干做必战先回则任取据处理"
)
_rng = random.Random(3)
#: a realistic vocabulary: the query words are a few of thousands, so a word matches about
#: 1 % of the rows (not a quarter, as with a vocabulary of fifty words)
VOCAB = (
    EN
    + ZH
    + [
        "".join(_rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(_rng.randint(4, 9)))
        for _ in range(3000)
    ]
    + ["".join(_rng.choice(_HAN) for _ in range(_rng.randint(2, 3))) for _ in range(2000)]
)
QUERIES = ["detection", "图像", "图像分类", "learning rate", "ab", "数据集 training", "昇腾"]
KINDS = ["push", "issue_opened", "issue_commented", "star", "fork", "release", "task_created"]


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(VOCAB) for _ in range(n))


def pct(samples: list[float], q: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(q * len(samples)))]


async def seed(platform: Platform, n: int, events: int) -> tuple[int, str, str, int]:
    rng = random.Random(7)
    now = datetime.now(UTC)
    async with platform.sessions() as session:
        accounts = [
            {"kind": "user", "name": f"user{i}", "lower_name": f"user{i}", "full_name": f"用户{i}"}
            for i in range(200)
        ] + [
            {"kind": "org", "name": f"org{i}", "lower_name": f"org{i}",
             "full_name": sentence(rng, 2)}
            for i in range(50)
        ]  # fmt: skip
        await session.execute(insert(Account), accounts)
        owners = [r[0] for r in await session.execute(select(Account.id).order_by(Account.id))]
        await session.execute(
            insert(Project),
            [
                {"owner_id": owners[i % len(owners)], "name": f"p{i}", "lower_name": f"p{i}",
                 "description": sentence(rng, 12), "topics": " ".join(rng.sample(EN, 2)),
                 "visibility": "private" if i % 10 == 0 else "public",
                 "created_at": now, "updated_at": now - timedelta(minutes=i)}
                for i in range(n)
            ],
        )  # fmt: skip
        pids = [r[0] for r in await session.execute(select(Project.id).order_by(Project.id))]
        await session.execute(
            insert(Dataset),
            [
                {"project_id": pids[i % len(pids)], "name": f"ds{i}", "lower_name": f"ds{i}",
                 "description": sentence(rng, 10), "visibility": "public"}
                for i in range(n)
            ],
        )  # fmt: skip
        await session.execute(
            insert(Issue),
            [
                {"project_id": pids[i % len(pids)], "number": i // len(pids) + 1,
                 "title": sentence(rng, 6), "body": sentence(rng, 30)}
                for i in range(n)
            ],
        )  # fmt: skip
        try:
            from openi_lab_server.db.model_models import RegisteredModel

            await session.execute(
                insert(RegisteredModel),
                [
                    {"project_id": pids[i % len(pids)], "name": f"{rng.choice(EN)}-{i}",
                     "lower_name": f"m{i}"}
                    for i in range(n)
                ],
            )  # fmt: skip
        except Exception as exc:  # the models table is not there yet
            print(f"(models skipped: {type(exc).__name__})")
            await session.rollback()
        await session.execute(
            insert(Watch), [{"project_id": pids[i * 37], "user_id": owners[5]} for i in range(20)]
        )
        await session.commit()
    await seed_events(platform, pids, owners[:200], events, now)
    async with platform.sessions() as session:
        owner, name, pid = (
            await session.execute(
                select(Account.name, Project.name, Project.id)
                .join(Account, Account.id == Project.owner_id)
                .where(Project.visibility == "public")
                .order_by(Project.id)
                .limit(1)
            )
        ).one()
    return owners[5], "user5", f"{owner}/{name}", pid


async def seed_events(
    platform: Platform, pids: list[int], users: list[int], events: int, now: datetime
) -> None:
    rng = random.Random(11)
    start = now - timedelta(days=365)
    step = timedelta(days=365) / max(events, 1)
    chunk = 50_000
    async with platform.engine.begin() as conn:
        raw = await conn.get_raw_connection()
        driver = raw.driver_connection
        for offset in range(0, events, chunk):
            rows = [
                (rng.choice(users), rng.choice(pids), rng.choice(KINDS),
                 json.dumps({"number": i % 50 + 1, "title": "x", "commits": 1}),
                 start + step * i)
                for i in range(offset, min(events, offset + chunk))
            ]  # fmt: skip
            if platform.engine.dialect.name == "postgresql":
                await driver.copy_records_to_table(  # type: ignore[union-attr]
                    "activities",
                    records=rows,
                    columns=["actor_id", "project_id", "kind", "payload", "created_at"],
                )
            else:
                await conn.execute(
                    insert(Activity),
                    [
                        {"actor_id": a, "project_id": p, "kind": k, "payload": pl,
                         "created_at": c}
                        for a, p, k, pl, c in rows
                    ],
                )  # fmt: skip
    # what autovacuum does after a bulk load on PostgreSQL (statistics, and the visibility
    # map that lets index-only scans skip the table); SQLite: statistics
    async with platform.engine.connect() as conn:
        auto = await conn.execution_options(isolation_level="AUTOCOMMIT")
        pg = platform.engine.dialect.name == "postgresql"
        await auto.execute(text("VACUUM ANALYZE" if pg else "ANALYZE"))


async def bare_search(platform: Platform, actor: Any, q: str) -> None:
    """The statement ``GET /search?q=`` runs: every type's count and first hits."""
    svc = platform.search
    words = words_of(q)
    async with platform.sessions() as session:
        present = await svc._tables(session)
        kinds = [k for k in svc.kinds if k.source in present]
        stmt = svc.grouped_stmt(kinds, actor, shape_of(words), "relevance", 5)
        (await session.execute(stmt, params_of(words))).all()


async def bare_feed(platform: Platform, actor: Any, which: str, project_id: int) -> None:
    """The statements a feed page runs: the capped count, the page's ids, its rows."""
    feed = platform.feed
    filt = FeedFilter()
    if which == "home":
        newest = feed.stream(ANONYMOUS, filt)
    elif which == "mine":
        newest = feed.mine_stream(actor, filt)
    elif which == "user":
        newest = feed.stream(actor, filt, Activity.actor_id == actor.id)
    else:
        newest = feed.stream(actor, filt, Activity.project_id == project_id)
    async with platform.sessions() as session:
        capped = newest(MAX_TOTAL).order_by(None).subquery()
        await session.scalar(select(func.count()).select_from(capped))
        ids = list((await session.scalars(newest(20))).all())
        (await session.execute(feed.rows(ids))).all()


def time_http(server: Server, token: str, path: str, rounds: int) -> list[float]:
    conn = server.conn()
    headers = {"Authorization": f"token {token}"}
    samples = []
    for i in range(rounds + 3):
        t0 = time.perf_counter()
        conn.request("GET", f"/openi/api/v1/{path}", headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise RuntimeError(f"{path}: {r.status} {body[:200]!r}")
        if i >= 3:
            samples.append((time.perf_counter() - t0) * 1000)
    conn.close()
    return samples


async def time_bare(fn: Any, rounds: int) -> list[float]:
    samples = []
    for i in range(rounds + 3):
        t0 = time.perf_counter()
        await fn()
        if i >= 3:
            samples.append((time.perf_counter() - t0) * 1000)
    return samples


def report(label: str, api: list[float], bare: list[float]) -> None:
    a50, a95, b50, b95 = pct(api, 0.5), pct(api, 0.95), pct(bare, 0.5), pct(bare, 0.95)
    print(
        f"  {label:<26} API p50 {a50:7.2f} p95 {a95:7.2f} ms | bare p50 {b50:7.2f} "
        f"p95 {b95:7.2f} ms | p95 x{a95 / b95:5.2f}"
    )


async def bench(url: str, n: int, events: int, rounds: int, workdir: Path) -> None:
    platform = Platform.build(url, data_dir=str(workdir / "openi-data"))
    await migrate.upgrade(platform.engine)
    admin = await platform.accounts.ensure_user("bench")  # first user: the admin
    t0 = time.perf_counter()
    uid, username, project, pid = await seed(platform, n, events)
    print(f"{platform.engine.dialect.name}: seeded {n} × 4 rows and {events} events "
          f"in {time.perf_counter() - t0:.0f} s")  # fmt: skip
    actor = await platform.accounts.principal(uid)
    token = (await platform.tokens.create(actor, s.TokenCreate(name="bench"))).token
    del admin
    server = Server(workdir, [f"--OpeniLabApp.database_url={url}"])
    try:
        # the server computes the OpenI index as it starts: time after that
        t0 = time.perf_counter()
        while not server.call("GET", "dashboard/index?per_page=1").get("total"):  # noqa: ASYNC110
            await asyncio.sleep(0.5)
        print(f" (startup index computation: ~{time.perf_counter() - t0:.1f} s)")
        all_api: list[float] = []
        all_bare: list[float] = []
        print(" search (type=all: counts of every type + first hits)")
        for q in QUERIES:
            api = time_http(server, token, f"search?q={quote(q)}", rounds)
            bare = await time_bare(lambda q=q: bare_search(platform, actor, q), rounds)
            all_api += api
            all_bare += bare
            report(f"q={q!r}", api, bare)
        report("ALL QUERIES", all_api, all_bare)
        print(" feed (page of 20, newest first)")
        for which, path in (
            ("home", "feed"),
            ("mine", "feed/mine"),
            ("project", f"projects/{project}/feed"),
            ("user", f"users/{username}/feed"),
        ):
            api = time_http(server, token, path, rounds)
            bare = await time_bare(lambda w=which: bare_feed(platform, actor, w, pid), rounds)
            report(which, api, bare)
    finally:
        server.stop()
        await platform.close()


async def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=10_000)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=30)
    p.add_argument("--pg", default=None, help="PostgreSQL admin URL (a scratch database)")
    p.add_argument("--no-sqlite", action="store_true")
    args = p.parse_args()
    if not args.no_sqlite:
        with tempfile.TemporaryDirectory() as tmp:
            url = f"sqlite:///{tmp}/bench.db"
            await bench(url, args.n, args.events, args.rounds, Path(tmp))
    if args.pg:
        import asyncpg

        name = f"openi_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(args.pg)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            with tempfile.TemporaryDirectory() as tmp:
                url = args.pg.rsplit("/", 1)[0] + "/" + name
                await bench(url, args.n, args.events, args.rounds, Path(tmp))
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            await admin.close()


if __name__ == "__main__":
    asyncio.run(main())
