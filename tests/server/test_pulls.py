"""Pull requests (合并请求) with the real git client: open, review, merge, conflicts, forks."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from gitutil import Git

PROJ = "projects/alice/demo"


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _token(platform, username: str, scopes: list[str] | None = None) -> str:
    from openi_lab import schemas as s

    user = await platform.accounts.ensure_user(username)
    token = await platform.tokens.create(
        user, s.TokenCreate(name="git", scopes=scopes or ["read", "write"])
    )
    return token.token


def _secret(client) -> str:
    return client.headers["Authorization"].split()[1]


async def _project(api, platform, git, tmp_path: Path, name: str = "demo", **extra) -> Path:
    """alice/<name> with a first commit, cloned with alice's write token."""
    created = await api.post("projects", {"name": name, "auto_init": True, **extra})
    assert created.status == 201, created.body
    clone = tmp_path / name
    token = await _token(platform, "alice")
    await git.ok("clone", "-q", git.url(f"alice/{name}", token), str(clone))
    return clone


async def _branch(git: Git, clone: Path, branch: str, files: dict, message: str) -> str:
    await git.ok("checkout", "-q", "-B", branch, cwd=clone)
    sha = await git.commit(clone, files, message)
    await git.ok("push", "-q", "origin", branch, cwd=clone)
    return sha


async def _tip(api, project: str, branch: str) -> dict:
    branches = await api.get(f"{project}/branches")
    return next(b["commit"] for b in branches.body if b["name"] == branch)


async def test_open_review_and_merge_with_a_merge_commit(api, platform, git, tmp_path):
    clone = await _project(api, platform, git, tmp_path)
    assert (await api.post(f"{PROJ}/issues", {"title": "训练脚本"})).body["number"] == 1
    head = await _branch(git, clone, "feature", {"train.py": "print('train')\n"}, "Add training")

    opened = await api.post(
        f"{PROJ}/pulls",
        {"title": "Add training", "body": "fixes #1", "head": "feature", "base": "main"},
    )
    assert opened.status == 201, opened.body
    pr = opened.body
    assert pr["number"] == 2 and pr["is_pull"] and pr["state"] == "open"
    assert (pr["head"], pr["base"], pr["head_sha"]) == ("feature", "main", head)
    assert pr["mergeable"] is True and pr["conflicts"] == [] and pr["merged"] is False
    assert (pr["commits"], pr["additions"], pr["deletions"], pr["changed_files"]) == (1, 1, 0, 1)
    assert pr["merge_base"] == pr["base_sha"] and pr["author"]["username"] == "alice"
    issue = await api.get(f"{PROJ}/issues/1")
    assert [r["number"] for r in issue.body["referenced_by"]] == [2]
    assert (await api.get(f"{PROJ}/issues")).body["total"] == 1  # issues list has no pulls
    assert (await api.get(f"{PROJ}/counts")).body["open_pulls"] == 1

    listed = await api.get(f"{PROJ}/pulls")
    assert [p["number"] for p in listed.body["items"]] == [2] and listed.body["total"] == 1
    assert (await api.get(f"{PROJ}/pulls", state="merged")).body["total"] == 0
    bad = await api.get(f"{PROJ}/pulls", state="maybe")
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "state"
    assert (await api.get(f"{PROJ}/pulls/1")).status == 404  # an issue, not a pull request

    commits = await api.get(f"{PROJ}/pulls/2/commits")
    assert [c["summary"] for c in commits.body] == ["Add training"]
    files = await api.get(f"{PROJ}/pulls/2/files")
    assert [(f["path"], f["status"]) for f in files.body] == [("train.py", "added")]
    assert "+print('train')" in files.body[0]["patch"] and files.body[0]["cells"] is None
    comment = await api.post(f"{PROJ}/issues/2/comments", {"body": "LGTM"})
    assert comment.status == 201 and comment.body["issue"] == 2

    # main moves on (another file): still mergeable, no longer a fast-forward
    await git.ok("checkout", "-q", "main", cwd=clone)
    main_tip = await git.commit(clone, {"eval.py": "print('eval')\n"}, "Add evaluation")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    again = await api.get(f"{PROJ}/pulls/2")
    assert again.body["base_sha"] == main_tip and again.body["mergeable"] is True
    ff = await api.post(f"{PROJ}/pulls/2/merge", {"method": "fast-forward"})
    assert ff.status == 409 and "fast-forward" in ff.body["message"]
    assert (await _tip(api, PROJ, "main"))["sha"] == main_tip

    merged = await api.post(f"{PROJ}/pulls/2/merge", {"method": "merge"})
    assert merged.status == 200, merged.body
    body = merged.body
    assert body["merged"] and body["state"] == "closed" and body["closed_at"]
    assert body["merged_by"]["username"] == "alice" and body["merged_at"]
    tip = await _tip(api, PROJ, "main")
    assert tip["sha"] == body["merged_sha"] and tip["parents"] == [main_tip, head]
    assert tip["summary"] == "Merge pull request #2 from feature"
    await git.ok("pull", "-q", "origin", "main", cwd=clone)
    parents = await git.ok("log", "-1", "--format=%P", cwd=clone)
    assert parents.split() == [main_tip, head]
    assert (clone / "train.py").exists() and (clone / "eval.py").exists()

    again = await api.post(f"{PROJ}/pulls/2/merge", {})
    assert again.status == 422 and again.body["errors"][0]["field"] == "state"
    reopen = await api.patch(f"{PROJ}/pulls/2", {"state": "open"})
    assert reopen.status == 422 and reopen.body["errors"][0]["field"] == "state"
    assert (await api.get(f"{PROJ}/pulls", state="merged")).body["total"] == 1
    assert (await api.get(f"{PROJ}/pulls", state="closed")).body["total"] == 0
    assert (await api.get(f"{PROJ}/pulls", state="all")).body["total"] == 1
    assert (await api.get(f"{PROJ}/counts")).body["open_pulls"] == 0
    # still reviewable after the merge
    assert len((await api.get(f"{PROJ}/pulls/2/commits")).body) == 1
    assert [f["path"] for f in (await api.get(f"{PROJ}/pulls/2/files")).body] == ["train.py"]


async def test_fast_forward_merge_and_pushes_recompute(api, platform, git, tmp_path):
    clone = await _project(api, platform, git, tmp_path)
    await _branch(git, clone, "docs", {"docs.md": "# docs\n"}, "Docs")
    pr = (await api.post(f"{PROJ}/pulls", {"title": "docs", "head": "docs", "base": "main"})).body
    assert pr["number"] == 1 and pr["commits"] == 1
    # the head moves: the pull request follows (on_push, and the next read)
    head = await git.commit(clone, {"docs.md": "# docs\n\nmore\n"}, "More docs")
    await git.ok("push", "-q", "origin", "docs", cwd=clone)
    await platform.pulls.on_push(await _project_id(api), ["refs/heads/docs"])
    now = await api.get(f"{PROJ}/pulls/1")
    assert now.body["head_sha"] == head and now.body["commits"] == 2
    assert now.body["mergeable"] is True

    merged = await api.post(f"{PROJ}/pulls/1/merge", {"method": "fast-forward"})
    assert merged.status == 200, merged.body
    assert merged.body["merged_sha"] == head
    main = await _tip(api, PROJ, "main")
    assert main["sha"] == head and len(main["parents"]) == 1

    # closing and reopening a pull request that was not merged
    await _branch(git, clone, "wip", {"wip.txt": "x\n"}, "WIP")
    wip = (await api.post(f"{PROJ}/pulls", {"title": "wip", "head": "wip", "base": "main"})).body
    closed = await api.patch(f"{PROJ}/pulls/{wip['number']}", {"state": "closed"})
    assert closed.body["state"] == "closed" and not closed.body["merged"]
    assert (await api.get(f"{PROJ}/pulls", state="closed")).body["total"] == 1
    refused = await api.post(f"{PROJ}/pulls/{wip['number']}/merge", {})
    assert refused.status == 422
    dup = await api.post(f"{PROJ}/pulls", {"title": "wip again", "head": "wip", "base": "main"})
    assert dup.status == 201  # the other one is closed
    reopen = await api.patch(f"{PROJ}/pulls/{wip['number']}", {"state": "open"})
    assert reopen.status == 409
    edited = await api.patch(f"{PROJ}/pulls/{wip['number']}", {"title": "Work in progress"})
    assert edited.status == 200 and edited.body["title"] == "Work in progress"


async def _project_id(api) -> int:
    return (await api.get(PROJ)).body["id"]


async def test_a_push_racing_the_merge_is_never_lost(api, platform, git, tmp_path, monkeypatch):
    from dulwich.refs import DiskRefsContainer

    clone = await _project(api, platform, git, tmp_path)
    await _branch(git, clone, "feature", {"f.txt": "f\n"}, "F")
    await git.ok("checkout", "-q", "main", cwd=clone)
    pushed = await git.commit(clone, {"g.txt": "g\n"}, "pushed meanwhile")  # not yet pushed
    assert (
        await api.post(f"{PROJ}/pulls", {"title": "f", "head": "feature", "base": "main"})
    ).status == 201
    original = DiskRefsContainer.set_if_equals

    def racing(self, name, old, new, *args, **kwargs):
        if name == b"refs/heads/main":  # the push lands between the merge and the ref update
            subprocess.run(
                ["git", "push", "-q", "origin", "main"], cwd=clone, env=git.env, check=True
            )
        return original(self, name, old, new, *args, **kwargs)

    monkeypatch.setattr(DiskRefsContainer, "set_if_equals", racing)
    refused = await api.post(f"{PROJ}/pulls/1/merge", {})
    assert refused.status == 409 and "moved" in refused.body["message"]
    monkeypatch.setattr(DiskRefsContainer, "set_if_equals", original)
    assert (await _tip(api, PROJ, "main"))["sha"] == pushed
    again = await api.post(f"{PROJ}/pulls/1/merge", {})
    assert again.status == 200 and (await _tip(api, PROJ, "main"))["parents"][0] == pushed


async def test_conflicts_block_the_merge_until_resolved(api, platform, git, tmp_path):
    clone = await _project(api, platform, git, tmp_path)
    await git.ok("checkout", "-q", "-b", "retitle", cwd=clone)
    await git.commit(clone, {"README.md": "# 启智 demo\n"}, "Retitle on the branch")
    await git.ok("push", "-q", "origin", "retitle", cwd=clone)
    await git.ok("checkout", "-q", "main", cwd=clone)
    main_tip = await git.commit(clone, {"README.md": "# demo project\n"}, "Retitle on main")
    await git.ok("push", "-q", "origin", "main", cwd=clone)

    pr = await api.post(f"{PROJ}/pulls", {"title": "t", "head": "retitle", "base": "main"})
    assert pr.status == 201, pr.body
    assert pr.body["mergeable"] is False and pr.body["conflicts"] == ["README.md"]
    refused = await api.post(f"{PROJ}/pulls/1/merge", {"method": "merge"})
    assert refused.status == 409 and "README.md" in refused.body["message"]
    assert refused.body["errors"][0]["field"] == "README.md"
    assert (await _tip(api, PROJ, "main"))["sha"] == main_tip
    assert not (await api.get(f"{PROJ}/pulls/1")).body["merged"]

    # resolve on the branch: merge main into it and push
    await git.ok("checkout", "-q", "retitle", cwd=clone)
    await git.run("merge", "-q", "main", cwd=clone)
    (clone / "README.md").write_text("# 启智 demo project\n")
    await git.ok("add", "README.md", cwd=clone)
    await git.ok("commit", "-q", "--no-edit", cwd=clone)
    await git.ok("push", "-q", "origin", "retitle", cwd=clone)
    now = await api.get(f"{PROJ}/pulls/1")
    assert now.body["mergeable"] is True and now.body["conflicts"] == []
    merged = await api.post(f"{PROJ}/pulls/1/merge", {"method": "fast-forward"})
    assert merged.status == 200, merged.body


async def test_edits_to_different_lines_of_one_file_merge_cleanly(api, platform, git, tmp_path):
    clone = await _project(api, platform, git, tmp_path)
    text = "".join(f"line {i}\n" for i in range(10))
    await git.commit(clone, {"notes.txt": text}, "Notes")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    await _branch(git, clone, "top", {"notes.txt": "TOP\n" + text[7:]}, "Top")
    await git.ok("checkout", "-q", "main", cwd=clone)
    await git.commit(clone, {"notes.txt": text[:-7] + "BOTTOM\n"}, "Bottom")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    pr = await api.post(f"{PROJ}/pulls", {"title": "t", "head": "top", "base": "main"})
    assert pr.body["mergeable"] is True, pr.body
    assert (await api.post(f"{PROJ}/pulls/1/merge", {})).status == 200
    await git.ok("pull", "-q", "origin", "main", cwd=clone)
    merged = (clone / "notes.txt").read_text()
    assert merged.startswith("TOP\n") and merged.endswith("BOTTOM\n")


async def test_pull_request_from_a_fork(api, platform, git, tmp_path, as_user):
    clone = await _project(api, platform, git, tmp_path)
    bob = await as_user("bob")
    fork = await bob.post(f"{PROJ}/forks", {})
    assert fork.status == 201 and fork.body["full_name"] == "bob/demo"
    fork_clone = tmp_path / "fork"
    await git.ok("clone", "-q", git.url("bob/demo", _secret(bob)), str(fork_clone))
    first = await _branch(git, fork_clone, "npu", {"npu.py": "# ascend\n"}, "NPU support")

    missing = await bob.post(f"{PROJ}/pulls", {"title": "x", "head": "bob:nope", "base": "main"})
    assert missing.status == 422 and missing.body["errors"][0]["field"] == "head"
    nofork = await bob.post(f"{PROJ}/pulls", {"title": "x", "head": "carol:npu", "base": "main"})
    assert nofork.status == 422 and nofork.body["errors"][0]["field"] == "head"
    local = await bob.post(f"{PROJ}/pulls", {"title": "x", "head": "npu", "base": "main"})
    assert local.status == 422 and local.body["errors"][0]["field"] == "head"  # not in alice/demo

    opened = await bob.post(
        f"{PROJ}/pulls", {"title": "NPU support", "head": "bob:npu", "base": "main"}
    )
    assert opened.status == 201, opened.body
    assert opened.body["head"] == "bob:npu" and opened.body["head_sha"] == first
    assert opened.body["mergeable"] is True and opened.body["author"]["username"] == "bob"
    files = await api.get(f"{PROJ}/pulls/1/files")
    assert [f["path"] for f in files.body] == ["npu.py"]
    # bob reads alice/demo only: he proposes, he does not merge
    assert (await bob.post(f"{PROJ}/pulls/1/merge", {})).status == 403

    # a later push to the fork: the next read copies the new commits
    second = await git.commit(fork_clone, {"npu.py": "# ascend\nimport mindspore\n"}, "More")
    await git.ok("push", "-q", "origin", "npu", cwd=fork_clone)
    now = await api.get(f"{PROJ}/pulls/1")
    assert now.body["head_sha"] == second and now.body["commits"] == 2
    merged = await api.post(f"{PROJ}/pulls/1/merge", {})
    assert merged.status == 200, merged.body
    assert merged.body["merged_sha"] != second  # a merge commit even if it could fast-forward
    await git.ok("pull", "-q", "origin", "main", cwd=clone)
    assert (clone / "npu.py").read_text() == "# ascend\nimport mindspore\n"
    log = (await git.ok("log", "--format=%s", cwd=clone)).splitlines()
    assert log[0] == "Merge pull request #1 from bob:npu"
    assert {"More", "NPU support", "Initial commit"} <= set(log)


def _notebook(*sources: str) -> str:
    cells = [
        {"cell_type": "code", "metadata": {}, "source": src, "outputs": [], "execution_count": None}
        for src in sources
    ]
    nb = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1)


async def test_notebook_changes_are_shown_per_cell(api, platform, git, tmp_path):
    clone = await _project(api, platform, git, tmp_path)
    await git.commit(clone, {"train.ipynb": _notebook("import torch", "lr = 0.1")}, "nb")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    await _branch(
        git,
        clone,
        "tune",
        {"train.ipynb": _notebook("import torch", "lr = 0.01", "model.fit()")},
        "Tune",
    )
    pr = await api.post(f"{PROJ}/pulls", {"title": "tune", "head": "tune", "base": "main"})
    assert pr.status == 201, pr.body
    files = (await api.get(f"{PROJ}/pulls/1/files")).body
    assert [f["path"] for f in files] == ["train.ipynb"]
    cells = files[0]["cells"]
    assert [c["kind"] for c in cells] == ["unchanged", "modified", "added"]
    assert "-lr = 0.1" in cells[1]["source_diff"] and "+lr = 0.01" in cells[1]["source_diff"]
    assert cells[2]["new_source"] == "model.fit()" and cells[2]["old_index"] is None


async def test_validation_and_permissions(api, platform, git, tmp_path, as_user):
    clone = await _project(api, platform, git, tmp_path)
    await _branch(git, clone, "feature", {"a.txt": "a\n"}, "A")
    await git.ok("checkout", "-q", "main", cwd=clone)
    await git.ok("push", "-q", "origin", "main:same", cwd=clone)  # no commits ahead of main

    async def refused(body, status, field):
        r = await api.post(f"{PROJ}/pulls", {"title": "t", **body})
        assert r.status == status, r.body
        if field:
            assert r.body["errors"][0]["field"] == field, r.body

    await refused({"head": "main", "base": "main"}, 422, "head")
    await refused({"head": "nope", "base": "main"}, 422, "head")
    await refused({"head": "feature", "base": "nope"}, 422, "base")
    await refused({"head": "same", "base": "main"}, 422, "head")
    await refused({"head": "bad..name", "base": "main"}, 422, "head")
    await refused({"head": "feature"}, 422, "base")
    assert (
        await api.post(f"{PROJ}/pulls", {"title": "t", "head": "feature", "base": "main"})
    ).status == 201
    await refused({"head": "feature", "base": "main"}, 409, "head")
    await refused({"head": "alice:feature", "base": "main"}, 409, "head")

    # a reader of a public project proposes and comments, but does not merge or edit others'
    dave = await as_user("dave")
    await _branch(git, clone, "second", {"b.txt": "b\n"}, "B")
    mine = await dave.post(f"{PROJ}/pulls", {"title": "by dave", "head": "second", "base": "main"})
    assert mine.status == 201 and mine.body["number"] == 2
    assert (await dave.post(f"{PROJ}/pulls/2/merge", {})).status == 403
    assert (await dave.patch(f"{PROJ}/pulls/1", {"title": "mine now"})).status == 403
    assert (await dave.patch(f"{PROJ}/pulls/2", {"title": "by Dave"})).status == 200
    assert (await dave.post(f"{PROJ}/issues/1/comments", {"body": "nice"})).status == 201
    bad = await api.post(f"{PROJ}/pulls/1/merge", {"method": "squash"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "method"

    # an outsider gets the same 404 for a private project's pull request as for a missing one
    secret = await _project(api, platform, git, tmp_path, name="secret", visibility="private")
    await _branch(git, secret, "x", {"x.txt": "x\n"}, "X")
    assert (
        await api.post("projects/alice/secret/pulls", {"title": "x", "head": "x", "base": "main"})
    ).status == 201
    eve = await as_user("eve")
    hidden = await eve.get("projects/alice/secret/pulls/1")
    missing = await eve.get("projects/alice/nothing/pulls/1")
    assert hidden.status == missing.status == 404
    assert hidden.body["message"].replace("secret", "X") == missing.body["message"].replace(
        "nothing", "X"
    )
    assert (await eve.get("projects/alice/secret/pulls")).status == 404
    assert (await eve.get("projects/alice/secret/pulls/1/files")).status == 404
    assert (await eve.post("projects/alice/secret/pulls/1/merge", {})).status == 404
    created = await eve.post(
        "projects/alice/secret/pulls", {"title": "x", "head": "x", "base": "main"}
    )
    assert created.status == 404

    # an archived project is read-only
    assert (await api.patch(PROJ, {"archived": True})).status == 200
    assert (await api.post(f"{PROJ}/pulls/1/merge", {})).status == 403
    assert (await api.get(f"{PROJ}/pulls/1")).status == 200


async def test_a_merged_pull_cannot_be_reopened_through_the_issue_api(api, platform, git, tmp_path):
    clone = await _project(api, platform, git, tmp_path)
    await _branch(git, clone, "x", {"x.txt": "x\n"}, "X")
    await api.post(f"{PROJ}/pulls", {"title": "x", "head": "x", "base": "main"})
    assert (await api.post(f"{PROJ}/pulls/1/merge", {"method": "merge"})).status == 200
    r = await api.patch(f"{PROJ}/issues/1", {"state": "open"})
    assert r.status == 422 and r.body["errors"][0]["field"] == "state"
