"""Repositories through the REST API: create, browse, abuse, render, fork, settings, releases."""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import zipfile

import pytest

from gitutil import Git


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _push_files(api, platform, git, tmp_path, project: str, files: dict) -> str:
    from openi_lab import schemas as s

    me = await platform.accounts.ensure_user("alice")
    token = (await platform.tokens.create(me, s.TokenCreate(name="t", scopes=["write"]))).token
    repo = tmp_path / project.replace("/", "_")
    await git.ok("clone", "-q", git.url(project, token), str(repo))
    for name, content in files.items():
        if isinstance(content, tuple):  # ("symlink", target)
            (repo / name).parent.mkdir(parents=True, exist_ok=True)
            os.symlink(content[1], repo / name)
            files = {k: v for k, v in files.items() if k != name}
    sha = await git.commit(
        repo, {k: v for k, v in files.items() if not isinstance(v, tuple)}, "add files"
    )
    await git.ok("push", "-q", "origin", "HEAD", cwd=repo)
    return sha


async def test_create_validates_and_refuses_duplicates(api, as_user):
    ok = await api.post("projects", {"name": "yolo", "auto_init": True, "description": "检测"})
    assert ok.status == 201 and ok.body["default_branch"] == "main"
    assert (await api.post("projects", {"name": "YOLO"})).status == 409
    bad = await api.post("projects", {"name": "../evil"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "name"
    lic = await api.post("projects", {"name": "x", "license": "gpl-9"})
    assert lic.status == 422 and lic.body["errors"][0]["field"] == "license"
    bob = await as_user("bob")
    assert (await bob.post("projects", {"owner": "alice", "name": "mine"})).status == 403


async def test_browse_tree_file_commits_and_compare(api, platform, git, tmp_path, jp_fetch):
    await api.post("projects", {"name": "code", "auto_init": True})
    await _push_files(
        api,
        platform,
        git,
        tmp_path,
        "alice/code",
        {"src/train.py": "import torch\n", "data/中文.txt": "数据集".encode("gb18030")},
    )
    root = await api.get("projects/alice/code/tree")
    assert [(e["name"], e["type"]) for e in root.body["entries"]] == [
        ("data", "dir"),
        ("src", "dir"),
        ("README.md", "file"),
    ]
    sub = await api.get("projects/alice/code/tree", path="src")
    assert sub.body["entries"][0]["path"] == "src/train.py"
    f = await api.get("projects/alice/code/file", path="src/train.py")
    assert f.body["text"] == "import torch\n" and not f.body["is_binary"]
    zh = await api.get("projects/alice/code/file", path="data/中文.txt")
    assert zh.body["text"] == "数据集" and zh.body["encoding"] == "gb18030"
    log = await api.get("projects/alice/code/commits", per_page=1)
    assert log.body["items"][0]["summary"] == "add files" and log.body["total"] == 2
    detail = await api.get(f"projects/alice/code/commits/{log.body['items'][0]['sha'][:10]}")
    assert {f["path"] for f in detail.body["files"]} == {"src/train.py", "data/中文.txt"}
    assert (
        "+import torch"
        in next(f for f in detail.body["files"] if f["path"] == "src/train.py")["patch"]
    )
    first = (await api.get("projects/alice/code/commits", page=2, per_page=1)).body["items"][0]
    cmp = await api.get("projects/alice/code/compare", base=first["sha"], head="main")
    assert cmp.body["ahead_by"] == 1 and cmp.body["behind_by"] == 0
    counts = await api.get("projects/alice/code/counts")
    assert counts.body["branches"] == 1 and counts.body["tags"] == 0
    raw = await jp_fetch(
        "openi", "api", "v1", "projects", "alice", "code", "raw", params={"path": "src/train.py"}
    )
    assert raw.body == b"import torch\n" and raw.headers["ETag"]


@pytest.mark.parametrize(
    "path",
    ["../etc/passwd", "src/../../x", "/etc/passwd", "C:/windows", "a\x00b", ".git/config"],
)
async def test_path_abuse_answers_4xx(api, path):
    await api.post("projects", {"name": "safe", "auto_init": True})
    for endpoint in ("tree", "file", "raw", "render"):
        r = await api.get(f"projects/alice/safe/{endpoint}", path=path)
        assert 400 <= r.status < 500, (endpoint, path, r.status)
        if "\x00" in path:  # tornado strips control characters: "ab" is simply not there
            assert r.status == 404
        else:
            assert r.body["errors"][0]["field"] == "path", r.body


async def test_encoded_dots_and_bad_refs(api):
    await api.post("projects", {"name": "safe", "auto_init": True})
    r = await api.get("projects/alice/safe/file", path="%2e%2e/%2e%2e/etc/passwd")
    assert r.status == 404  # a file literally named so: there is none, and nothing escapes
    for ref in ("bad..ref", "main~1^", "with space", "a:b", "-flag"):
        r = await api.get("projects/alice/safe/tree", ref=ref)
        assert r.status == 422 and r.body["errors"][0]["field"] == "ref", ref
    assert (await api.get("projects/alice/safe/tree", ref="nosuchbranch")).status == 404


async def test_symlinks_are_shown_but_never_followed(api, platform, git, tmp_path):
    await api.post("projects", {"name": "links", "auto_init": True})
    await _push_files(
        api,
        platform,
        git,
        tmp_path,
        "alice/links",
        {"passwd": ("symlink", "/etc/passwd"), "up": ("symlink", "../.."), "ok.txt": "ok\n"},
    )
    tree = await api.get("projects/alice/links/tree")
    entry = next(e for e in tree.body["entries"] if e["name"] == "passwd")
    assert entry["type"] == "symlink" and entry["target"] == "/etc/passwd"
    for path in ("passwd", "up/etc/passwd"):
        r = await api.get("projects/alice/links/file", path=path)
        assert r.status == 422 and "symbolic link" in r.body["message"], r.body
        assert (await api.get("projects/alice/links/raw", path=path)).status == 422


async def test_readme_and_notebooks_render_without_scripts(api, platform, git, tmp_path, jp_fetch):
    readme = (
        "# Hello\n\n<script>alert(1)</script>\n\n<svg onload=alert(2)><circle/></svg>\n\n"
        "[click](javascript:alert(3)) <img src=x onerror=alert(4)>\n\n[docs](docs/guide.md)\n"
    )
    nb = {
        "nbformat": 4,
        "nbformat_minor": 5,
        "metadata": {},
        "cells": [
            {
                "cell_type": "code",
                "execution_count": 1,
                "id": "a",
                "metadata": {},
                "source": "display(HTML(...))",
                "outputs": [
                    {
                        "output_type": "display_data",
                        "metadata": {},
                        "data": {
                            "text/html": "<b>bold</b><script>alert(5)</script>"
                            "<a href='#' onclick='alert(6)'>x</a>"
                        },
                    }
                ],
            }
        ],
    }
    await api.post("projects", {"name": "docs"})
    await _push_files(
        api,
        platform,
        git,
        tmp_path,
        "alice/docs",
        {"README.md": readme, "demo.ipynb": json.dumps(nb)},
    )
    html = (await api.get("projects/alice/docs/readme")).body["html"]
    assert "<h1>Hello</h1>" in html
    for bad in ("<script", "onload", "onerror", 'href="javascript:', "<svg", "alert(1)"):
        assert bad not in html.lower(), bad
    # relative links resolve into the repository, and the link target serves the file
    assert 'href="/a%40b/openi/api/v1/projects/alice/docs/blob/main/docs/guide.md"' in html
    blob = await jp_fetch(
        "openi", "api", "v1", "projects", "alice", "docs", "blob", "main", "demo.ipynb",
        raise_error=False,
    )  # fmt: skip
    assert blob.code == 200, blob.body[:300]
    assert json.loads(blob.body)["nbformat"] == 4
    rendered = (await api.get("projects/alice/docs/render", path="demo.ipynb")).body["html"]
    assert "<b>bold</b>" in rendered
    for bad in ("<script", "onclick", "alert(5)"):
        assert bad not in rendered.lower(), bad
    raw = await jp_fetch(
        "openi", "api", "v1", "projects", "alice", "docs", "raw", params={"path": "README.md"}
    )
    assert raw.code == 200 and raw.headers["Content-Type"].startswith("text/plain")
    assert "sandbox" in raw.headers["Content-Security-Policy"]


async def test_fork_rename_transfer_archive_delete(api, platform, as_user):
    await api.post("projects", {"name": "models", "auto_init": True, "description": "zoo"})
    bob = await as_user("bob")
    fork = await bob.post("projects/alice/models/forks", {})
    assert fork.status == 201 and fork.body["fork_parent"] == "alice/models"
    assert fork.body["full_name"] == "bob/models" and fork.body["description"] == "zoo"
    forks = await api.get("projects/alice/models/forks")
    assert [p["full_name"] for p in forks.body["items"]] == ["bob/models"]
    assert (await api.get("projects/alice/models")).body["num_forks"] == 1
    files = await bob.get("projects/bob/models/tree")
    assert [e["name"] for e in files.body["entries"]] == ["README.md"]

    renamed = await api.patch(
        "projects/alice/models", {"name": "model-zoo", "topics": ["cv", "npu"]}
    )
    assert renamed.body["full_name"] == "alice/model-zoo" and renamed.body["topics"] == [
        "cv",
        "npu",
    ]
    assert (
        await api.get("projects/alice/model-zoo/tree")
    ).status == 200  # repo followed the rename
    assert (await bob.patch("projects/alice/model-zoo", {"description": "x"})).status == 403
    await api.post("orgs", {"name": "OpenI"})
    moved = await api.post("projects/alice/model-zoo/transfer", {"new_owner": "OpenI"})
    assert moved.body["full_name"] == "OpenI/model-zoo"
    assert (await bob.post("projects/bob/models/transfer", {"new_owner": "OpenI"})).status == 403
    bad_branch = await api.patch("projects/OpenI/model-zoo", {"default_branch": "nope"})
    assert bad_branch.status == 422 and bad_branch.body["errors"][0]["field"] == "default_branch"
    archived = await api.patch("projects/OpenI/model-zoo", {"archived": True})
    assert archived.body["is_archived"] is True

    app = platform
    repo_dir = app.repos.store.path(fork.body["id"])
    assert repo_dir.exists()
    assert (await bob.delete("projects/bob/models")).status == 204
    assert not repo_dir.exists()
    assert (await bob.get("projects/bob/models")).status == 404
    assert (await api.get("projects/OpenI/model-zoo")).body["num_forks"] == 0


async def test_star_watch_and_my_starred(api, as_user):
    await api.post("projects", {"name": "popular", "auto_init": True})
    bob = await as_user("bob")
    assert (await bob.put("projects/alice/popular/star")).body["num_stars"] == 1
    assert (await bob.put("projects/alice/popular/star")).body["num_stars"] == 1  # idempotent
    assert (await api.put("projects/alice/popular/star")).body["num_stars"] == 2
    assert (await bob.put("projects/alice/popular/watch")).body["num_watches"] == 1
    sub = await bob.get("projects/alice/popular/subscription")
    assert sub.body == {"starred": True, "watching": True, "num_stars": 2, "num_watches": 1}
    starred = await bob.get("user/starred")
    assert [p["full_name"] for p in starred.body["items"]] == ["alice/popular"]
    assert (await bob.delete("projects/alice/popular/star")).body["num_stars"] == 1
    assert (await bob.get("user/starred")).body["total"] == 0


async def test_releases_assets_and_archives(api, jp_fetch, as_user):
    await api.post("projects", {"name": "rel", "auto_init": True})
    r = await api.post(
        "projects/alice/rel/releases", {"tag": "v1.0.0", "title": "First", "notes": "🎉"}
    )
    assert r.status == 201, r.body
    assert (await api.post("projects/alice/rel/releases", {"tag": "v1.0.0"})).status == 409
    bad = await api.post("projects/alice/rel/releases", {"tag": "v1..0"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "tag"
    tags = await api.get("projects/alice/rel/tags")
    assert [t["name"] for t in tags.body] == ["v1.0.0"]
    rid = r.body["id"]

    payload = os.urandom(300_000)
    up = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "rel",
        "releases",
        str(rid),
        "assets",
        method="POST",
        body=payload,
        params={"name": "model.ckpt"},
    )
    asset = json.loads(up.body)
    assert asset["size"] == len(payload) and asset["sha256"] == hashlib.sha256(payload).hexdigest()
    dup = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "rel",
        "releases",
        str(rid),
        "assets",
        method="POST",
        body=b"x",
        params={"name": "model.ckpt"},
        raise_error=False,
    )
    assert dup.code == 409
    evil = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "rel",
        "releases",
        str(rid),
        "assets",
        method="POST",
        body=b"x",
        params={"name": "../../x"},
        raise_error=False,
    )
    assert evil.code == 422
    got = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "rel",
        "releases",
        str(rid),
        "assets",
        str(asset["id"]),
    )
    assert got.body == payload
    listed = await api.get("projects/alice/rel/releases")
    assert listed.body[0]["assets"][0]["download_count"] == 1
    bob = await as_user("bob")
    assert (await bob.post("projects/alice/rel/releases", {"tag": "v2"})).status == 403

    z = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "rel",
        "archive",
        params={"ref": "v1.0.0", "format": "zip"},
    )
    names = zipfile.ZipFile(io.BytesIO(z.body)).namelist()
    assert "rel-v1.0.0/README.md" in names
    t = await jp_fetch(
        "openi", "api", "v1", "projects", "alice", "rel", "archive", params={"format": "tar.gz"}
    )
    with tarfile.open(fileobj=io.BytesIO(t.body)) as tar:
        assert "rel-main/README.md" in tar.getnames()
    assert (await api.get("projects/alice/rel/archive", format="rar")).status == 422
    assert (await api.delete(f"projects/alice/rel/releases/{rid}")).status == 204
    assert (await api.get("projects/alice/rel/releases")).body == []


async def test_import_from_project_and_from_bundle(api, jp_fetch, git, tmp_path):
    await api.post("projects", {"name": "origin", "auto_init": True, "license": "mit"})
    copy = await api.post("projects/import", {"name": "copy", "source": "alice/origin"})
    assert copy.status == 201 and copy.body["fork_parent"] is None
    assert "LICENSE" in [
        e["name"] for e in (await api.get("projects/alice/copy/tree")).body["entries"]
    ]
    hidden = await api.post("projects/import", {"name": "x", "source": "nobody/nothing"})
    assert hidden.status == 404

    src = tmp_path / "src"
    await git.ok("init", "-q", "-b", "trunk", str(src))
    await git.commit(src, {"a.py": "a = 1\n"}, "from elsewhere")
    await git.ok("bundle", "create", "-q", str(tmp_path / "x.bundle"), "--all", cwd=src)
    await api.post("projects", {"name": "bundled"})
    resp = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "bundled",
        "bundle",
        method="POST",
        body=(tmp_path / "x.bundle").read_bytes(),
    )
    project = json.loads(resp.body)
    assert project["default_branch"] == "trunk"
    log = await api.get("projects/alice/bundled/commits")
    assert log.body["items"][0]["summary"] == "from elsewhere"
    again = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "bundled",
        "bundle",
        method="POST",
        body=(tmp_path / "x.bundle").read_bytes(),
        raise_error=False,
    )
    assert again.code == 409
    await api.post("projects", {"name": "junk"})
    junk = await jp_fetch(
        "openi",
        "api",
        "v1",
        "projects",
        "alice",
        "junk",
        "bundle",
        method="POST",
        body=b"not a bundle",
        raise_error=False,
    )
    assert junk.code == 422


async def test_clone_to_workspace_then_push(api, jp_serverapp, git):
    await api.post("projects", {"name": "ws", "auto_init": True})
    r = await api.post("projects/alice/ws/workspace-clone", {"path": "work/ws"})
    assert r.status == 201, r.body
    assert "openi_" not in r.body["remote"]  # the secret is not echoed
    clone = jp_serverapp.root_dir and __import__("pathlib").Path(jp_serverapp.root_dir) / "work/ws"
    assert (clone / "README.md").exists()
    await git.commit(clone, {"notes.md": "from the workspace\n"}, "workspace commit")
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    log = await api.get("projects/alice/ws/commits")
    assert log.body["items"][0]["summary"] == "workspace commit"
    again = await api.post("projects/alice/ws/workspace-clone", {"path": "work/ws"})
    assert again.status == 409
    escape = await api.post("projects/alice/ws/workspace-clone", {"path": "../outside"})
    assert escape.status == 422
    tokens = await api.get("user/tokens")
    assert any(t["name"] == "workspace alice/ws" for t in tokens.body)


async def test_counts_follow_issues_and_releases(api):
    await api.post("projects", {"name": "tabs", "auto_init": True})
    await api.post("projects/alice/tabs/issues", {"title": "one"})
    await api.post("projects/alice/tabs/issues", {"title": "two"})
    await api.patch("projects/alice/tabs/issues/2", {"state": "closed"})
    await api.post("projects/alice/tabs/releases", {"tag": "v1"})
    counts = (await api.get("projects/alice/tabs/counts")).body
    assert counts == {
        "branches": 1, "tags": 1, "releases": 1, "open_issues": 1, "open_pulls": 0,
        "forks": 0, "stars": 0, "watches": 0,
    }  # fmt: skip
