"""Demo data and the admin CLI, run as a user would run them."""

from __future__ import annotations

import os
import subprocess
import sys

from openi_lab_server.db import migrate
from openi_lab_server.services import demo
from openi_lab_server.services.container import Platform
from openi_lab_server.services.pagination import PageRequest
from openi_lab_server.services.tracker import IssueQuery


async def test_demo_seeds_a_believable_platform_once(database_url, tmp_path):
    platform = Platform.build(database_url, data_dir=str(tmp_path))
    await migrate.upgrade(platform.engine)
    assert await demo.seed(platform, "wangj") is True
    assert await demo.seed(platform, "wangj") is False  # idempotent
    me = await platform.accounts.ensure_user("wangj")
    assert me.is_admin
    users = await platform.accounts.list_users(None, PageRequest(1, 50))
    assert users.total == 1 + len(demo.USERS)
    eve = await platform.accounts.ensure_user("eve-outsider")
    public = await platform.accounts.list_orgs(eve, None, PageRequest(1, 50))
    assert sorted(o.name for o in public.items) == ["MindSpore", "OpenI"]
    openi = next(o for o in public.items if o.name == "OpenI")
    assert openi.team_count == 2 and openi.member_count >= 3 and openi.project_count == 2
    seen = await platform.projects.list(eve, PageRequest(1, 50))
    names = {p.full_name for p in seen.items}
    assert "OpenI/aiforge" in names and "vision-lab/segmenter" not in names
    assert "wangj/mnist-demo" not in names
    issues = await platform.tracker.list_issues(
        me, "OpenI", "aiforge", IssueQuery(), PageRequest(1, 50)
    )
    assert issues.total == 3 and issues.items[0].title.startswith("Dataset picker")
    releases = await platform.releases.list(eve, "OpenI", "Yolov5")
    assert [r.tag for r in releases] == ["v0.1.0"]
    mine = await platform.projects.list(me, PageRequest(1, 50))
    assert {"wangj/mnist-demo", "vision-lab/segmenter"} <= {p.full_name for p in mine.items}
    await platform.close()


def _admin(tmp_path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OPENI_LAB_DATA_DIR": str(tmp_path)}
    return subprocess.run(
        [sys.executable, "-m", "openi_lab.cli", "admin", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_admin_cli_creates_users_orgs_teams_and_tokens(tmp_path):
    assert (
        _admin(tmp_path, "user", "create", "wangj", "--admin", "--full-name", "王杰").returncode
        == 0
    )
    assert _admin(tmp_path, "user", "create", "tangl").returncode == 0
    org = _admin(tmp_path, "org", "create", "OpenI", "--owner", "wangj", "--private")
    assert org.returncode == 0 and "private organisation OpenI" in org.stdout
    assert (
        _admin(tmp_path, "team", "create", "OpenI", "core", "--permission", "write").returncode == 0
    )
    assert _admin(tmp_path, "team", "add", "OpenI", "core", "tangl").returncode == 0
    token = _admin(tmp_path, "token", "create", "tangl", "--scopes", "read")
    assert token.returncode == 0 and token.stdout.strip().startswith("openi_")
    listed = _admin(tmp_path, "user", "list")
    assert "wangj\t王杰\tadmin" in listed.stdout and "tangl" in listed.stdout
    assert (tmp_path / "openi.db").exists()


def test_admin_cli_explains_bad_input(tmp_path):
    bad = _admin(tmp_path, "user", "create", "bad name")
    assert bad.returncode == 2 and "letters, digits" in bad.stderr
    assert _admin(tmp_path, "user", "create", "wangj").returncode == 0
    dup = _admin(tmp_path, "user", "create", "WANGJ")
    assert dup.returncode == 1 and "already taken" in dup.stderr
    missing = _admin(tmp_path, "token", "create", "nobody")
    assert missing.returncode == 1 and "not found" in missing.stderr
