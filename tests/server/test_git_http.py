"""The real git client against /openi/git: clone, fetch, push, permissions, protection."""

from __future__ import annotations

import pytest

from gitutil import Git


@pytest.fixture(params=["git", "dulwich"])
def transport(request: pytest.FixtureRequest, database_url: str) -> str:
    """C git's upload/receive-pack, and the dulwich fallback (on SQLite: same code path)."""
    if request.param == "dulwich" and not database_url.startswith("sqlite"):
        pytest.skip("the dulwich transport is exercised on SQLite only")
    return request.param


@pytest.fixture
def jp_server_config(jp_server_config, transport):
    jp_server_config["OpeniLabApp"]["git_transport"] = transport
    return jp_server_config


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _token(platform, username: str, scopes: list[str]) -> str:
    from openi_lab import schemas as s

    user = await platform.accounts.ensure_user(username)
    token = await platform.tokens.create(user, s.TokenCreate(name="git", scopes=scopes))
    return token.token


async def test_anonymous_clone_of_a_public_repo(api, git, tmp_path):
    created = await api.post(
        "projects", {"name": "demo", "auto_init": True, "license": "mit", "gitignore": "python"}
    )
    assert created.status == 201, created.body
    assert created.body["clone_path"] == "openi/git/alice/demo.git"
    await git.ok("clone", "-q", git.url("alice/demo"), str(tmp_path / "demo"))
    files = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert files == [".git", ".gitignore", "LICENSE", "README.md"]
    assert (tmp_path / "demo" / "README.md").read_text().startswith("# demo")
    branch = await git.ok("branch", "--show-current", cwd=tmp_path / "demo")
    assert branch.strip() == "main"


async def test_private_repo_needs_a_token(api, platform, git, tmp_path):
    await api.post("projects", {"name": "secret", "visibility": "private", "auto_init": True})
    code, out = await git.run("clone", git.url("alice/secret"), str(tmp_path / "a"))
    assert code != 0 and ("401" in out or "could not read Username" in out), out
    token = await _token(platform, "alice", ["read"])
    await git.ok("clone", "-q", git.url("alice/secret", token), str(tmp_path / "b"))
    assert (tmp_path / "b" / "README.md").exists()
    outsider = await _token(platform, "eve", ["read", "write"])
    code, out = await git.run("clone", git.url("alice/secret", outsider), str(tmp_path / "c"))
    assert code != 0 and "not found" in out, out  # 404: as if it did not exist


async def test_push_commits_and_a_new_branch_records_activity(api, platform, git, tmp_path):
    await api.post("projects", {"name": "work", "auto_init": True})
    token = await _token(platform, "alice", ["read", "write"])
    repo = tmp_path / "work"
    await git.ok("clone", "-q", git.url("alice/work", token), str(repo))
    await git.commit(repo, {"train.py": "print('train')\n"}, "Add training script")
    sha = await git.commit(repo, {"eval.py": "print('eval')\n"}, "Add evaluation")
    await git.ok("push", "-q", "origin", "main", cwd=repo)
    await git.ok("checkout", "-q", "-b", "feature/npu", cwd=repo)
    await git.commit(repo, {"npu.py": "# ascend\n"}, "NPU support")
    await git.ok("push", "-q", "origin", "feature/npu", cwd=repo)

    branches = await api.get("projects/alice/work/branches")
    assert [b["name"] for b in branches.body] == ["main", "feature/npu"]
    assert branches.body[0]["commit"]["sha"] == sha and branches.body[0]["is_default"]
    log = await api.get("projects/alice/work/commits", ref="main")
    assert [c["summary"] for c in log.body["items"]][:2] == [
        "Add evaluation",
        "Add training script",
    ]
    project = await api.get("projects/alice/work")
    assert project.body["pushed_at"] is not None

    from sqlalchemy import select

    from openi_lab_server.db.repo_models import Activity

    async with platform.sessions() as session:
        rows = (await session.scalars(select(Activity).where(Activity.kind == "push"))).all()
    payloads = sorted(r.payload for r in rows)
    assert len(rows) == 2
    assert any('"ref": "refs/heads/main"' in p and '"commits": 2' in p for p in payloads)
    assert any("feature/npu" in p and '"commits": 1' in p for p in payloads)

    # fetch brings the other branch to a second clone
    other = tmp_path / "other"
    await git.ok("clone", "-q", git.url("alice/work"), str(other))
    await git.ok("fetch", "-q", "origin", "feature/npu", cwd=other)


async def test_read_only_members_and_read_tokens_cannot_push(api, platform, git, tmp_path):
    await api.post("orgs", {"name": "OpenI"})
    await api.post("orgs/OpenI/teams", {"name": "readers", "permission": "read"})
    await api.put("orgs/OpenI/teams/readers/members/bob")  # ensure_user below creates bob
    await platform.accounts.ensure_user("bob")
    await api.put("orgs/OpenI/teams/readers/members/bob")
    await api.post("projects", {"owner": "OpenI", "name": "aiforge", "auto_init": True})
    bob = await _token(platform, "bob", ["read", "write"])
    repo = tmp_path / "aiforge"
    await git.ok("clone", "-q", git.url("OpenI/aiforge", bob), str(repo))
    await git.commit(repo, {"x.py": "x = 1\n"}, "bob's change")
    code, out = await git.run("push", "origin", "main", cwd=repo)
    assert code != 0 and "403" in out, out

    alice_read = await _token(platform, "alice", ["read"])
    await git.ok("remote", "set-url", "origin", git.url("OpenI/aiforge", alice_read), cwd=repo)
    code, out = await git.run("push", "origin", "main", cwd=repo)
    assert code != 0 and "403" in out, out
    branches = await api.get("projects/OpenI/aiforge/branches")
    assert branches.body[0]["commit"]["summary"] == "Initial commit"  # nothing moved


async def test_protected_branch_refuses_force_push_and_deletion(api, platform, git, tmp_path):
    await api.post("projects", {"name": "prot", "auto_init": True})
    bad = await api.put("projects/alice/prot/protections/bad..name", {})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "branch"
    assert (await api.put("projects/alice/prot/protections/main", {})).status == 200
    token = await _token(platform, "alice", ["read", "write"])
    repo = tmp_path / "prot"
    await git.ok("clone", "-q", git.url("alice/prot", token), str(repo))
    await git.commit(repo, {"a.txt": "a\n"}, "fast-forward is fine")
    await git.ok("push", "-q", "origin", "main", cwd=repo)
    await git.ok("reset", "-q", "--hard", "HEAD~1", cwd=repo)
    await git.commit(repo, {"b.txt": "b\n"}, "rewritten history")
    code, out = await git.run("push", "--force", "origin", "main", cwd=repo)
    assert code != 0 and "force push to protected refs/heads/main refused" in out, out
    code, out = await git.run("push", "origin", ":main", cwd=repo)
    assert code != 0, out
    log = await api.get("projects/alice/prot/commits", ref="main")
    assert log.body["items"][0]["summary"] == "fast-forward is fine"

    assert (await api.delete("projects/alice/prot/protections/main")).status == 204
    await git.ok("push", "-q", "--force", "origin", "main", cwd=repo)
    log = await api.get("projects/alice/prot/commits", ref="main")
    assert log.body["items"][0]["summary"] == "rewritten history"


async def test_archived_repo_refuses_pushes(api, platform, git, tmp_path):
    await api.post("projects", {"name": "old", "auto_init": True})
    token = await _token(platform, "alice", ["read", "write"])
    repo = tmp_path / "old"
    await git.ok("clone", "-q", git.url("alice/old", token), str(repo))
    assert (await api.patch("projects/alice/old", {"archived": True})).body["is_archived"]
    await git.commit(repo, {"late.txt": "too late\n"}, "late")
    code, out = await git.run("push", "origin", "main", cwd=repo)
    assert code != 0 and "403" in out, out
    await git.ok("pull", "-q", cwd=repo)  # reading still works
