"""Benchmarks: the platform's list and permission paths beside raw SQL, in one run.

    .venv/bin/python benchmarks/run.py [--orgs 2000] [--pg postgresql://postgres@127.0.0.1/postgres]

Seeds N organisations (5 members and 2 teams each) and N projects, then times, per backend:
- ``list_orgs`` (visible orgs with member/team/project counts, one page of 20) against the
  equivalent hand-written SQL;
- ``projects.get`` (lookup + role resolution for a team member) against a raw lookup.
Prints medians and the ratio service/raw. Speed is measured here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import insert, text

from openi_lab_server.db import migrate
from openi_lab_server.db.models import Account, OrgMember, Project, Team, TeamMember
from openi_lab_server.services.container import Platform
from openi_lab_server.services.pagination import PageRequest

RAW_ORGS = """
SELECT a.id, a.name, a.full_name, a.description, a.visibility, a.created_at,
  (SELECT count(*) FROM org_members m WHERE m.org_id = a.id),
  (SELECT count(*) FROM teams t WHERE t.org_id = a.id),
  (SELECT count(*) FROM projects p WHERE p.owner_id = a.id)
FROM accounts a
WHERE a.kind = 'org' AND (a.visibility = 'public'
  OR a.id IN (SELECT org_id FROM org_members WHERE user_id = :uid))
ORDER BY a.lower_name LIMIT 20 OFFSET 0
"""
RAW_COUNT = """
SELECT count(*) FROM accounts a WHERE a.kind = 'org' AND (a.visibility = 'public'
  OR a.id IN (SELECT org_id FROM org_members WHERE user_id = :uid))
"""
RAW_PROJECT = """
SELECT p.* FROM projects p JOIN accounts a ON a.id = p.owner_id
WHERE a.lower_name = :owner AND p.lower_name = :name
"""


async def seed(platform: Platform, n: int) -> tuple[int, str]:
    users = [
        {"kind": "user", "name": f"u{i}", "lower_name": f"u{i}", "full_name": ""} for i in range(n)
    ]
    orgs = [
        {
            "kind": "org",
            "name": f"org{i}",
            "lower_name": f"org{i}",
            "full_name": "",
            "visibility": "private" if i % 3 == 0 else "public",
        }
        for i in range(n)
    ]
    async with platform.sessions() as s:
        await s.execute(insert(Account), users + orgs)
        ids = {r.name: r.id for r in (await s.execute(text("SELECT id, name FROM accounts")))}
        members = [
            {"org_id": ids[f"org{i}"], "user_id": ids[f"u{(i + k) % n}"], "role": "member"}
            for i in range(n)
            for k in range(5)
        ]
        await s.execute(insert(OrgMember), members)
        teams = [
            {
                "org_id": ids[f"org{i}"],
                "name": f"t{k}",
                "lower_name": f"t{k}",
                "permission": "write",
            }
            for i in range(n)
            for k in range(2)
        ]
        await s.execute(insert(Team), teams)
        team_ids = [r[0] for r in await s.execute(text("SELECT id FROM teams ORDER BY id"))]
        await s.execute(
            insert(TeamMember),
            [{"team_id": t, "user_id": ids[f"u{j % n}"]} for j, t in enumerate(team_ids)],
        )
        await s.execute(
            insert(Project),
            [
                {"owner_id": ids[f"org{i}"], "name": f"p{i}", "lower_name": f"p{i}",
                 "visibility": "private", "description": ""}
                for i in range(n)
            ],
        )  # fmt: skip
        await s.commit()
    return ids["u0"], "org0"


async def median_ms(fn: Callable[[], Awaitable[object]], rounds: int = 200) -> float:
    for _ in range(10):
        await fn()
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        await fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


async def bench(url: str, n: int) -> None:
    platform = Platform.build(url)
    await migrate.upgrade(platform.engine)
    uid, org = await seed(platform, n)
    actor = await platform.accounts.principal(uid)
    page = PageRequest(1, 20)

    async def raw_orgs() -> None:
        async with platform.sessions() as s:
            await s.execute(text(RAW_COUNT), {"uid": uid})
            (await s.execute(text(RAW_ORGS), {"uid": uid})).all()

    async def raw_project() -> None:
        async with platform.sessions() as s:
            (await s.execute(text(RAW_PROJECT), {"owner": org, "name": "p0"})).all()

    rows = [
        ("list_orgs (page of 20, counts)", lambda: platform.accounts.list_orgs(actor, None, page),
         raw_orgs),
        ("projects.get + role", lambda: platform.projects.get(actor, org, "p0"), raw_project),
    ]  # fmt: skip
    backend = platform.engine.url.get_backend_name()
    for name, service, raw in rows:
        ms, base = await median_ms(service), await median_ms(raw)
        print(f"{backend:<10} {name:<34} {ms:8.2f} ms   raw SQL {base:7.2f} ms   x{ms / base:5.2f}")
    await platform.close()


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--orgs", type=int, default=2000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    print(f"{args.orgs} orgs, {5 * args.orgs} memberships, {2 * args.orgs} teams, "
          f"{args.orgs} projects; medians of 200 calls")  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        await bench(f"sqlite:///{tmp}/bench.db", args.orgs)
    try:
        import asyncpg

        name = f"openi_bench_{uuid.uuid4().hex[:8]}"
        admin = await asyncpg.connect(args.pg, timeout=3)
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            await bench(args.pg.rsplit("/", 1)[0] + "/" + name, args.orgs)
        finally:
            await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            await admin.close()
    except OSError as exc:
        print(f"postgresql skipped: {exc}")


if __name__ == "__main__":
    asyncio.run(main())
