"""The OpenI index: three projects worked out by hand, weights that change the ranking, the
per-project explanation, history, ranking list, CSV and the dashboard's totals."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import update

from openi_lab_server.db.models import Project
from openi_lab_server.services.openi_index import merge_weights


async def _three_projects(api, as_user, platform) -> datetime:
    """a: 100 days old, 2 issues (1 closed), no star; b: 50 days, 1 closed issue, 1 star;
    c: new, no issue, 2 stars. Everything else is equal (so normalises to 0)."""
    bob, carol = await as_user("bob"), await as_user("carol")
    for name in ("a", "b", "c"):
        assert (await api.post("projects", {"name": name})).status == 201
    for n, project in ((1, "a"), (2, "a"), (1, "b")):
        await api.post(f"projects/alice/{project}/issues", {"title": f"bug {n}"})
    await api.patch("projects/alice/a/issues/1", {"state": "closed"})
    await api.patch("projects/alice/b/issues/1", {"state": "closed"})
    await bob.put("projects/alice/b/star")
    await bob.put("projects/alice/c/star")
    await carol.put("projects/alice/c/star")
    now = datetime.now(UTC) + timedelta(seconds=1)
    async with platform.sessions() as session:
        for name, days in (("a", 100), ("b", 50), ("c", 0)):
            await session.execute(
                update(Project)
                .where(Project.name == name)
                .values(created_at=now - timedelta(days=days))
            )
        await session.commit()
    return now


# Worked out on paper with SPEC's default weights (see the docstring above):
#   impact       = stars .2 of 1.0 → a 0, b 10, c 20
#   completeness = (closed .2 × {100,100,0} + age .1 × {100,50,0}) / .8 → 37.5, 31.25, 0
#   liveness     = issues_30d .2 × {100,50,0} → 20, 10, 0
#   health       = closed/all {.5, 1, 0} → 50, 100, 0
#   growth       = issues_growth .2 × {100,50,0} → 20, 10, 0
#   index a = .3×0 + .1×37.5 + .3×20 + .1×50 + .1×20 = 16.75
#   index b = .3×10 + .1×31.25 + .3×10 + .1×100 + .1×10 = 20.125
#   index c = .3×20 = 6
HAND = {"a": 16.75, "b": 20.125, "c": 6.0}


async def test_three_projects_match_the_hand_computation(api, as_user, platform):
    now = await _three_projects(api, as_user, platform)
    done = await platform.openi_index.recompute(now=now)
    assert done.projects == 3

    rows = (await api.get("dashboard/index")).body
    assert [r["project"] for r in rows["items"]] == ["alice/b", "alice/a", "alice/c"]
    for r in rows["items"]:
        assert r["index"] == pytest.approx(HAND[r["project"][-1]])
    assert [r["rank"] for r in rows["items"]] == [1, 2, 3]

    a = (await api.get("projects/alice/a/openi-index")).body
    assert a["index"] == pytest.approx(16.75) and a["rank"] == 2 and a["total_projects"] == 3
    dims = {d["key"]: d for d in a["dimensions"]}
    assert dims["completeness"]["score"] == pytest.approx(37.5)
    assert dims["project_health"]["score"] == pytest.approx(50)
    assert dims["liveness"]["contribution"] == pytest.approx(6.0)
    signals = {sig["key"]: sig for d in a["dimensions"] for sig in d["signals"]}
    assert signals["age_days"]["raw"] == pytest.approx(100, abs=0.01)
    assert signals["closed_ratio"]["normalised"] == pytest.approx(50)
    assert signals["closed_issues"]["contribution"] == pytest.approx(0.1 * 0.2 / 0.8 * 100)
    total = sum(sig["contribution"] for d in a["dimensions"] for sig in d["signals"])
    assert total == pytest.approx(a["index"])
    assert [(p["index"], p["rank"]) for p in a["history"]] == [(pytest.approx(16.75), 2)]

    explore = await api.get("explore/projects", sort="index")
    assert [p["full_name"] for p in explore.body["items"]] == ["alice/b", "alice/a", "alice/c"]
    assert explore.body["items"][0]["openi_index"] == pytest.approx(20.125)


async def test_changing_a_weight_changes_the_ranking(api, as_user, platform):
    now = await _three_projects(api, as_user, platform)
    index = platform.openi_index
    index.weights = merge_weights(
        {k: 0.0 for k in ("completeness", "liveness", "project_health", "growth")} | {"impact": 1.0}
    )
    await index.recompute(now=now)
    rows = (await api.get("dashboard/index")).body["items"]
    assert [(r["project"], r["index"]) for r in rows] == [
        ("alice/c", pytest.approx(20)),
        ("alice/b", pytest.approx(10)),
        ("alice/a", pytest.approx(0)),
    ]
    # only age counts: the oldest first
    index.weights = merge_weights(
        {k: 0.0 for k in ("impact", "liveness", "project_health", "growth")}
        | {"completeness": {"weight": 1, "signals": {"closed_issues": 0, "releases": 0}}}
    )
    await index.recompute(now=now)
    rows = (await api.get("dashboard/index")).body["items"]
    assert [r["project"] for r in rows] == ["alice/a", "alice/b", "alice/c"]
    weights = (await api.get("dashboard/weights")).body["dimensions"]
    assert {d["key"]: d["weight"] for d in weights}["impact"] == 0.0


def test_bad_weights_are_refused():
    with pytest.raises(ValueError, match="unknown dimension"):
        merge_weights({"beauty": 1})
    with pytest.raises(ValueError, match="unknown signal"):
        merge_weights({"impact": {"signals": {"likes": 1}}})
    with pytest.raises(ValueError, match="negative"):
        merge_weights({"impact": -1})
    assert merge_weights(None)["impact"][0] == 0.3


async def test_recompute_csv_private_rows_and_totals(api, as_user, platform):
    bob, carol = await as_user("bob"), await as_user("carol")
    await bob.post("projects", {"name": "hidden", "visibility": "private"})
    await bob.post("projects", {"name": "shown"})
    assert (await carol.post("dashboard/index/recompute")).status == 403
    r = await api.post("dashboard/index/recompute")
    assert r.status == 200 and r.body["projects"] == 2
    assert [x["project"] for x in (await carol.get("dashboard/index")).body["items"]] == [
        "bob/shown"
    ]
    assert (await carol.get("projects/bob/hidden/openi-index")).status == 404
    assert (await bob.get("projects/bob/hidden/openi-index")).status == 200

    resp = await api.fetch("openi", "api", "v1", "dashboard", "index.csv", raise_error=False)
    assert resp.code == 200 and resp.headers["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(resp.body.decode())))
    assert table[0][:3] == ["rank", "project", "index"] and len(table) == 3

    totals = (await api.get("dashboard/totals", days=7)).body
    assert totals["users"] == 3 and totals["projects"] == 2 and totals["public_projects"] == 1
    assert len(totals["compute_hours_per_day"]) == 7
    assert (await api.get("dashboard/totals", days=0)).body["errors"][0]["field"] == "days"
    resp = await api.fetch("openi", "api", "v1", "dashboard", "totals.csv", raise_error=False)
    assert resp.body.decode().splitlines()[0] == "day,compute,hours"


async def test_pushes_make_contributors_and_commits(
    api, as_user, platform, tmp_path, jp_http_port, jp_base_url
):
    from gitutil import Git
    from taskutil import token

    git = Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")
    assert (await api.post("projects", {"name": "busy", "auto_init": True})).status == 201
    await api.post("projects", {"name": "idle"})
    clone = tmp_path / "busy"
    await git.ok("clone", "-q", git.url("alice/busy", await token(platform, "alice")), str(clone))
    await git.commit(clone, {"a.py": "a = 1\n"}, "A")
    await git.commit(clone, {"b.py": "b = 1\n"}, "B")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    await platform.openi_index.recompute()

    busy = (await api.get("projects/alice/busy/openi-index")).body
    raw = {sig["key"]: sig["raw"] for d in busy["dimensions"] for sig in d["signals"]}
    assert raw["contributors"] == 1 and raw["key_contributors"] == 1
    assert raw["new_contributors"] == 1 and raw["commits_30d"] == 2
    assert raw["commits_growth"] == 2 and raw["contributors_growth"] == 1
    assert busy["rank"] == 1
