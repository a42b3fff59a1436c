"""Unified search on SQLite (FTS5 trigram, its vocabulary for short words) and PostgreSQL
(pg_trgm, a grams column for short words): every type, Chinese and English, paging,
visibility in hits and counts, hostile queries."""

from __future__ import annotations

import pytest

from gitutil import Git
from s3server import upload
from taskutil import project_with_code, task_config, token


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _search(client, q: str, **params):
    r = await client.get("search", q=q, **params)
    assert r.status == 200, r.body
    return r.body


async def test_chinese_and_english_queries_find_projects(api):
    await api.post(
        "projects", {"name": "vision", "description": "图像分类 image classification models"}
    )
    await api.post("projects", {"name": "speech", "description": "语音识别 speech recognition"})

    for q in ("图像", "图像分类", "像分", "classification", "CLASSIF", "vis"):
        body = await _search(api, q)
        assert body["counts"]["projects"] == 1, q
        group = body["groups"][0]
        assert group["type"] == "projects" and group["items"][0]["ref"] == "alice/vision", q
    hit = (await _search(api, "图像", type="projects"))["items"][0]
    assert "<mark>图像</mark>" in hit["snippet_html"]
    assert hit["title"] == "alice/vision"
    # every word must match: "图像 speech" matches nothing
    assert (await _search(api, "图像 speech"))["counts"]["projects"] == 0
    assert (await _search(api, "image models"))["counts"]["projects"] == 1
    none = await _search(api, "区块链")
    assert none["total"] == 0 and none["groups"] == []


async def test_every_type_is_searchable(api, as_user, platform, git, tmp_path):
    await project_with_code(api, platform, git, tmp_path, name="zebra-lab")
    await api.patch("projects/alice/zebra-lab", {"description": "zebra stripes detector"})
    await api.post("orgs", {"name": "zebra-org", "full_name": "斑马研究所"})
    await as_user("zebrafan")
    await api.post(
        "projects/alice/zebra-lab/datasets", {"name": "zebra-set", "description": "斑马"}
    )
    await upload(api, "alice/zebra-lab", "zebra-set", "zebra-photos.zip", b"PK zebra")
    await api.post("projects/alice/zebra-lab/issues", {"title": "Zebra crashes", "body": "条纹"})
    secret = await token(platform, "alice")
    repo = tmp_path / "clone-zebra-lab"
    await git.ok("checkout", "-q", "-b", "zebra-fix", cwd=repo)
    await git.commit(repo, {"fix.py": "x = 1\n"}, "Fix")
    await git.ok("push", "-q", git.url("alice/zebra-lab", secret), "zebra-fix", cwd=repo)
    pr = await api.post(
        "projects/alice/zebra-lab/pulls",
        {"title": "Fix the zebra", "head": "zebra-fix", "base": "main"},
    )
    assert pr.status == 201, pr.body
    task = await api.post(
        "projects/alice/zebra-lab/tasks",
        {"name": "zebra-train", "spec": "cpu-small", "boot_file": "train.py", "kind": "train"},
    )
    assert task.status == 201, task.body

    body = await _search(api, "zebra")
    counts = body["counts"]
    for kind in ("projects", "orgs", "users", "datasets", "dataset_files", "issues", "pulls"):
        assert counts[kind] == 1, (kind, counts)
    assert counts["tasks"] == 1
    refs = {g["type"]: g["items"][0]["ref"] for g in body["groups"]}
    assert refs["projects"] == "alice/zebra-lab" and refs["orgs"] == "zebra-org"
    assert refs["users"] == "zebrafan" and refs["datasets"] == "alice/zebra-lab/zebra-set"
    assert refs["dataset_files"] == "alice/zebra-lab/zebra-set"
    assert refs["issues"] == "alice/zebra-lab#1" and refs["pulls"] == "alice/zebra-lab#2"
    assert refs["tasks"] == "alice/zebra-lab/tasks/train/zebra-train"
    assert body["total"] == sum(counts.values())
    types = [t["type"] for t in (await api.get("search/types")).body]
    assert {"projects", "dataset_files", "tasks"} <= set(types)
    # Chinese in an org's full name and an issue body
    assert (await _search(api, "斑马"))["counts"]["orgs"] == 1
    assert (await _search(api, "条纹", type="issues"))["items"][0]["title"] == "Zebra crashes"


async def test_paging_and_sorting(api):
    await api.post("projects", {"name": "pager"})
    for i in range(7):
        await api.post("projects/alice/pager/issues", {"title": f"paging bug {i}"})
    first = await _search(api, "paging", type="issues", per_page=3, sort="created")
    assert first["total"] == 7 and len(first["items"]) == 3
    assert [h["title"] for h in first["items"]] == ["paging bug 6", "paging bug 5", "paging bug 4"]
    last = await _search(api, "paging", type="issues", per_page=3, page=3, sort="created")
    assert [h["title"] for h in last["items"]] == ["paging bug 0"]
    assert (await api.get("search", q="paging", sort="best")).body["errors"][0]["field"] == "sort"
    assert (await api.get("search", q="paging", type="nope")).body["errors"][0]["field"] == "type"
    assert (await api.get("search", q="  ")).body["errors"][0]["field"] == "q"
    assert (await api.get("search", q="x" * 201)).status == 422


async def test_private_things_are_neither_returned_nor_counted(api, as_user):
    bob = await as_user("bob")
    carol = await as_user("carol")
    assert (
        await bob.post(
            "projects", {"name": "secret", "description": "图像 secret", "visibility": "private"}
        )
    ).status == 201
    await bob.post("projects/bob/secret/issues", {"title": "secret 图像 issue"})
    await bob.post("projects/bob/secret/datasets", {"name": "secretset", "description": "图像"})
    await bob.post("projects", {"name": "open", "description": "图像 open"})
    await bob.post(
        "projects/bob/open/datasets",
        {"name": "hidden", "description": "图像", "visibility": "private"},
    )

    seen = await _search(carol, "图像")
    assert seen["counts"]["projects"] == 1 and seen["counts"]["issues"] == 0
    assert seen["counts"]["datasets"] == 0
    assert [h["ref"] for h in seen["groups"][0]["items"]] == ["bob/open"]
    for q in ("secret", "secretset", "hidden"):
        body = await _search(carol, q)
        assert body["total"] == 0, (q, body["counts"])
    mine = await _search(bob, "图像")
    assert mine["counts"]["projects"] == 2 and mine["counts"]["issues"] == 1
    assert mine["counts"]["datasets"] == 2


@pytest.mark.parametrize(
    "q",
    ['"', '""', "'", "*", "NEAR(a b)", "a OR b", "%", "_", "\\", "%%_\\", "a AND", "-x", "^",
     "'; DROP TABLE projects; --", "(", ")", ":", "{x}", "NOT", "\u0000abc", "图*", "a\"b\"c"],
)  # fmt: skip
async def test_query_syntax_never_breaks_the_server(api, q):
    await api.post("projects", {"name": "syntax", "description": 'has "quotes" and 100% of a_b'})
    r = await api.get("search", q=q)
    assert r.status in (200, 422), (q, r.body)
    if r.status == 200:
        assert isinstance(r.body["counts"]["projects"], int)


async def test_literal_wildcards_match_only_themselves(api):
    await api.post("projects", {"name": "percent", "description": "100% done"})
    await api.post("projects", {"name": "plain", "description": "nothing special"})
    assert (await _search(api, "%"))["counts"]["projects"] == 1
    assert (await _search(api, '"quotes"'))["counts"]["projects"] == 0
    assert (await _search(api, "0%"))["counts"]["projects"] == 1


async def test_words_shorter_than_a_trigram_use_the_index_and_follow_changes(api, platform):
    """One- and two-character words anywhere in a value: at its end, as the whole value, in
    any case; the index follows edits and a rebuild (SQLite: padded trigram vocabulary,
    PostgreSQL: the 1-2-character grams column)."""
    await api.post("projects", {"name": "tail", "description": "基于深度学习的图像"})
    await api.post("projects", {"name": "whole", "description": "图像"})
    await api.post("projects", {"name": "ascii", "description": "Model AB test X"})
    await api.post("projects", {"name": "other", "description": "语音 speech"})
    for q, names in (
        ("图像", {"tail", "whole"}),
        ("像", {"tail", "whole"}),
        ("ab", {"ascii"}),
        ("x", {"ascii"}),
        ("Ab 图像", set()),
        ("音", {"other"}),
    ):
        body = await _search(api, q, type="projects")
        assert {i["ref"].split("/")[1] for i in body["items"]} == names, q
        assert body["total"] == len(names), q
    await api.patch("projects/alice/whole", {"description": "语言"})
    assert (await _search(api, "图像"))["counts"]["projects"] == 1
    assert (await _search(api, "语言"))["counts"]["projects"] == 1
    await platform.search.rebuild()
    assert (await _search(api, "图像"))["counts"]["projects"] == 1
    assert (await _search(api, "言"))["counts"]["projects"] == 1


async def test_the_index_follows_changes_and_rebuilds(api, platform):
    await api.post("projects", {"name": "mover", "description": "alpha centauri"})
    assert (await _search(api, "centauri"))["counts"]["projects"] == 1
    await api.patch("projects/alice/mover", {"description": "betelgeuse"})
    assert (await _search(api, "centauri"))["counts"]["projects"] == 0
    assert (await _search(api, "betelgeuse"))["counts"]["projects"] == 1
    await api.patch("projects/alice/mover", {"name": "renamed"})
    hit = (await _search(api, "betelgeuse"))["groups"][0]["items"][0]
    assert hit["ref"] == "alice/renamed"
    done = await platform.search.rebuild()
    assert "projects" in done
    assert (await _search(api, "betelgeuse"))["counts"]["projects"] == 1
    assert (await api.delete("projects/alice/renamed")).status == 204
    assert (await _search(api, "betelgeuse"))["counts"]["projects"] == 0


def test_admin_cli_rebuilds_the_index_and_recomputes(tmp_path):
    """``openi-lab admin search-rebuild`` on the embedded database, then a search still works
    (the SQLite triggers are re-created: a table rebuilt by a later migration loses them)."""
    import asyncio
    import os
    import subprocess
    import sys

    def admin(*args: str) -> subprocess.CompletedProcess[str]:
        env = {**os.environ, "OPENI_LAB_DATA_DIR": str(tmp_path)}
        return subprocess.run(
            [sys.executable, "-m", "openi_lab.cli", "admin", *args],
            capture_output=True, text=True, env=env, timeout=120, check=False,
        )  # fmt: skip

    assert admin("org", "create", "Zhejiang", "--owner", "wangj").returncode != 0  # no user yet
    assert admin("user", "create", "wangj").returncode == 0
    assert admin("org", "create", "Zhejiang", "--owner", "wangj").returncode == 0
    done = admin("search-rebuild")
    assert done.returncode == 0 and "projects" in done.stdout and "accounts" in done.stdout
    assert admin("index-recompute").returncode == 0

    from openi_lab_server.services.container import Platform
    from openi_lab_server.services.principal import Principal

    async def find() -> int:
        platform = Platform.build(f"sqlite:///{tmp_path / 'openi.db'}", data_dir=str(tmp_path))
        try:
            result = await platform.search.search(Principal(id=0, username=""), "zhejiang")
            return result.counts["orgs"]
        finally:
            await platform.close()

    assert asyncio.run(find()) == 1


async def test_models_are_a_search_type_once_their_table_exists(api, as_user, platform):
    from openi_lab_server.db.model_models import RegisteredModel

    types = [t["type"] for t in (await api.get("search/types")).body]
    if "models" not in types:
        pytest.skip("the models area has no table yet")
    bob, carol = await as_user("bob"), await as_user("carol")
    await bob.post("projects", {"name": "zoo"})
    await bob.post("projects", {"name": "vault", "visibility": "private"})
    async with platform.sessions() as session:
        for project, name in (("zoo", "resnet50-图像"), ("vault", "resnet-secret")):
            pid = (await bob.get(f"projects/bob/{project}")).body["id"]
            session.add(RegisteredModel(project_id=pid, name=name, lower_name=name.lower()))
        await session.commit()
    found = await _search(carol, "resnet", type="models")
    assert [h["ref"] for h in found["items"]] == ["bob/zoo/models/resnet50-图像"]
    assert found["counts"]["models"] == 1
    assert (await _search(bob, "resnet"))["counts"]["models"] == 2
    assert (await _search(carol, "图像"))["counts"]["models"] == 1
