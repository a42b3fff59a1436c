"""Cloud-brain images (云脑镜像): visibility, validation, environments built once, tasks on them.

Environments are built for real with uv, offline: the test writes a tiny wheel by hand and the
server installs from that folder (``OpeniLabApp.env_index_options``), so no network is needed.
"""

from __future__ import annotations

import asyncio
import fcntl
from pathlib import Path
from typing import IO

import nbformat
import pytest

from gitutil import Git
from openi_lab.client import Client
from taskutil import full_log, project_with_code, task_config, token, wait_status
from wheelutil import make_wheel

T = "projects/alice/lab/tasks"
USES_TINY = """\
import sys, tinypkg
print("tiny", tinypkg.VALUE, sys.executable, flush=True)
"""


@pytest.fixture
def jp_server_config(jp_server_config, tmp_path):
    wheels = tmp_path / "wheels"
    make_wheel(wheels, "tinypkg", "1.0", "VALUE = 42\n")
    config = task_config(jp_server_config)
    config["OpeniLabApp"]["env_index_options"] = ["--offline", "--find-links", str(wheels)]
    return config


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def _hold_lock(path: Path) -> IO[str]:
    """Take an environment's build lock as another server building it would."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = open(path, "a")  # noqa: SIM115 (the caller closes it)
    fcntl.flock(lock, fcntl.LOCK_EX)
    return lock


def _fields(r) -> list[str]:
    return [e["field"] for e in r.body["errors"]]


async def test_visibility_ownership_and_validation(api, as_user):
    bob = await as_user("bob")
    carol = await as_user("carol")
    r = await bob.post("images", {"name": "secret-env", "visibility": "private"})
    assert r.status == 201, r.body
    secret = r.body
    assert secret["full_name"] == "bob/secret-env" and secret["environment"] == "server"
    assert secret["env"]["state"] == "ready" and secret["can_edit"]
    r = await bob.post(
        "images",
        {
            "name": "tiny",
            "description": "一个很小的环境",
            "container_image": "registry.example.com/openi/pytorch:2.1-cuda11.8",
            "requirements": "# what we need\nTinyPkg == 1.0  # pinned\n\n",
        },
    )
    assert r.status == 201, r.body
    tiny = r.body
    assert tiny["environment"] == "requirements" and tiny["requirements"] == "tinypkg==1.0"
    assert tiny["env"]["state"] == "missing" and len(tiny["env"]["key"]) == 64
    assert tiny["creator"]["username"] == "bob"

    # carol sees the public image, not the private one (absent, not forbidden)
    listed = await carol.get("images")
    assert [x["full_name"] for x in listed.body["items"]] == ["bob/tiny"]
    assert not listed.body["items"][0]["can_edit"]
    assert (await carol.get(f"images/{secret['id']}")).status == 404
    assert (await carol.get(f"images/{tiny['id']}")).status == 200
    mine = await bob.get("images")
    assert {x["name"] for x in mine.body["items"]} == {"secret-env", "tiny"}
    assert [x["name"] for x in (await bob.get("images", q="tinypkg")).body["items"]] == ["tiny"]
    assert (await bob.get("images", owner="bob", name="TINY")).body["total"] == 1
    assert (await bob.get("images", per_page=1)).body["total"] == 2

    # only who may write changes it
    assert (await carol.patch(f"images/{tiny['id']}", {"description": "x"})).status == 403
    assert (await carol.delete(f"images/{tiny['id']}")).status == 403
    assert (await carol.delete(f"images/{secret['id']}")).status == 404
    edited = await bob.patch(
        f"images/{tiny['id']}", {"description": "small", "visibility": "private"}
    )
    assert edited.status == 200 and edited.body["description"] == "small"
    assert (await carol.get(f"images/{tiny['id']}")).status == 404

    # an organisation's images: members may create them, outsiders may not
    assert (await bob.post("orgs", {"name": "lab-team"})).status == 201
    r = await bob.post("images", {"owner": "lab-team", "name": "shared"})
    assert r.status == 201 and r.body["full_name"] == "lab-team/shared"
    assert (await carol.post("images", {"owner": "lab-team", "name": "mine"})).status == 403

    cases = [
        ({"name": "has space"}, "name"),
        ({"name": "a" * 41}, "name"),
        ({"name": "ok", "description": "d" * 256}, "description"),
        ({"name": "ok", "visibility": "secret"}, "visibility"),
        ({"name": "ok", "container_image": "Bad/UPPER case"}, "container_image"),
        ({"name": "ok", "requirements": "-e ."}, "requirements"),
        ({"name": "ok", "requirements": "--index-url https://evil/simple\nx"}, "requirements"),
        ({"name": "ok", "requirements": "pkg @ file:///etc/passwd"}, "requirements"),
        ({"name": "ok", "requirements": "not a requirement!"}, "requirements"),
        ({"name": "ok", "requirements": "a==1\nA==2"}, "requirements"),
        ({"name": "ok", "requirements": "\n".join(f"p{n}" for n in range(201))}, "requirements"),
        ({"name": "ok", "environment": "server", "requirements": "x"}, "requirements"),
        ({"name": "ok", "environment": "requirements"}, "requirements"),
        ({"name": "ok", "owner": "nobody-here"}, "owner"),
    ]
    for body, field in cases:
        r = await bob.post("images", body)
        assert r.status == 422, (body, r.body)
        assert field in _fields(r), (body, r.body)
    r = await bob.post("images", {"name": "line", "requirements": "ok-pkg\n\nbad pkg"})
    assert "line 3" in r.body["message"]
    dup = await bob.post("images", {"name": "Tiny"})
    assert dup.status == 409 and _fields(dup) == ["name"]
    assert (await bob.get("images/abc")).status == 422
    assert (await bob.get("images/999999")).status == 404


async def test_tasks_share_one_build_and_run_on_the_image_python(
    api, platform, git, tmp_path, jp_base_url, jp_http_port
):
    await project_with_code(api, platform, git, tmp_path)
    repo = tmp_path / "clone-lab"
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(USES_TINY)]
    files = {"uses_tiny.py": USES_TINY, "uses_tiny.ipynb": nbformat.writes(nb)}
    await git.commit(repo, files, "Use tinypkg")
    await git.ok("push", "-q", "origin", "main", cwd=repo)

    client = Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", await token(platform, "alice"))
    a = await asyncio.to_thread(client.create_image, "tiny-a", requirements="tinypkg==1.0")
    b = (await api.post("images", {"name": "tiny-b", "requirements": "TinyPkg==1.0\n"})).body
    assert a.env.key == b["env"]["key"]  # same content, one environment
    got = await asyncio.to_thread(client.get_image, "alice/tiny-b")
    assert got.id == b["id"] and got.env.state == "missing"
    assert [x.name for x in (await asyncio.to_thread(client.list_images)).items] == [
        "tiny-b",
        "tiny-a",
    ]

    # another server builds the environment right now: it holds the environment's lock
    envs = Path(platform.images.envs.root)
    lock = _hold_lock(envs / f".{a.env.key}.lock")
    try:
        body = {"spec": "cpu-small", "boot_file": "uses_tiny.py"}
        t1 = await api.post(T, {**body, "name": "on-a", "image": "alice/tiny-a"})
        t2 = await api.post(T, {**body, "name": "on-b", "image": "alice/TINY-B"})
        assert t1.status == 201 and t2.status == 201, (t1.body, t2.body)
        assert t1.body["image"] == "alice/tiny-a" and t2.body["image"] == "alice/tiny-b"
        for t, name in ((t1, "alice/tiny-a"), (t2, "alice/tiny-b")):
            await _wait_reason(api, f"{T}/{t.body['id']}", f"building environment {name}")
        assert (await api.get(f"images/{a.id}/build")).body["state"] == "building"
    finally:
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()

    logs = []
    for t in (t1, t2):
        done = await wait_status(api, f"{T}/{t.body['id']}", {"SUCCEEDED", "FAILED"})
        assert done["status"] == "SUCCEEDED", done["reason"]
        logs.append(await full_log(api, f"{T}/{t.body['id']}"))
    env = (await api.get(f"images/{a.id}/build")).body
    assert env["state"] == "ready" and env["builds"] == 1
    python = env["python"]
    assert python == str(envs / a.env.key / "bin" / "python")
    assert all(f"tiny 42 {python}" in log for log in logs), logs
    # a notebook's kernel runs on the image's interpreter too (ipykernel comes from the server)
    nb_task = await api.post(
        T, {**body, "name": "nb-on-b", "boot_file": "uses_tiny.ipynb", "image": "alice/tiny-b"}
    )
    done = await wait_status(api, f"{T}/{nb_task.body['id']}", {"SUCCEEDED", "FAILED"}, 60)
    assert done["status"] == "SUCCEEDED", done["reason"]
    assert f"tiny 42 {python}" in await full_log(api, f"{T}/{nb_task.body['id']}")
    assert (await api.get(f"images/{b['id']}")).body["env"]["builds"] == 1
    build_log = (await api.get(f"images/{a.id}/build/log")).body
    assert build_log["text"].count("== build ") == 1 and "tinypkg==1.0" in build_log["text"]
    again = await api.post(f"images/{a.id}/build")
    assert again.status == 202 and again.body["state"] == "ready"
    await asyncio.sleep(0.2)
    assert (await api.get(f"images/{a.id}/build")).body["builds"] == 1  # ready: not rebuilt

    # the built-in image still works, and a task keeps the interpreter of the server
    local = await api.post(T, {**body, "name": "on-local", "boot_file": "train.py"})
    assert local.status == 201 and local.body["image"] == "local"

    # an image in use by a task that has not ended cannot be deleted
    sleepy = await api.post(
        T, {"name": "sleepy", "spec": "cpu-small", "boot_file": "sleep.py", "image": "alice/tiny-a"}
    )
    await wait_status(api, f"{T}/{sleepy.body['id']}", {"RUNNING"})
    busy = await api.delete(f"images/{a.id}")
    assert busy.status == 409 and "sleepy" in busy.body["message"]
    await api.post(f"{T}/{sleepy.body['id']}/stop")
    await wait_status(api, f"{T}/{sleepy.body['id']}", {"STOPPED"})
    assert (await api.delete(f"images/{a.id}")).status == 204
    # the finished tasks keep the image's name; a run again names an image that is gone
    assert (await api.get(f"{T}/{t1.body['id']}")).body["image"] == "alice/tiny-a"
    rerun = await api.post(f"{T}/{t1.body['id']}/rerun")
    assert rerun.status == 422 and _fields(rerun) == ["image"]
    # the environment stays for tiny-b
    assert (await api.get(f"images/{b['id']}")).body["env"]["state"] == "ready"


async def test_a_failed_build_fails_the_task_and_private_images_stay_private(
    api, platform, git, tmp_path, as_user
):
    await project_with_code(api, platform, git, tmp_path)
    img = (await api.post("images", {"name": "broken", "requirements": "nosuchpkg==1.0"})).body
    body = {"spec": "cpu-small", "boot_file": "train.py", "image": "alice/broken"}
    t = await api.post(T, {**body, "name": "doomed"})
    assert t.status == 201, t.body
    done = await wait_status(api, f"{T}/{t.body['id']}", {"SUCCEEDED", "FAILED"})
    assert done["status"] == "FAILED"
    assert done["reason"].startswith("environment alice/broken failed to build")
    assert "nosuchpkg" in done["reason"]
    env = (await api.get(f"images/{img['id']}")).body["env"]
    assert env["state"] == "failed" and "nosuchpkg" in env["log_tail"] and env["builds"] == 1
    # a task created after the failure retries the build once for itself
    t2 = await api.post(T, {**body, "name": "doomed-again"})
    done = await wait_status(api, f"{T}/{t2.body['id']}", {"SUCCEEDED", "FAILED"})
    assert done["status"] == "FAILED" and "nosuchpkg" in done["reason"]
    assert (await api.get(f"images/{img['id']}/build")).body["builds"] == 2

    # another user's private image: not listed, 404, and 422 on ``image`` in a task
    bob = await as_user("bob")
    carol = await as_user("carol")
    assert (await carol.post("projects", {"name": "c-lab", "auto_init": True})).status == 201
    ct = "projects/carol/c-lab/tasks"
    body = {"spec": "cpu-small", "boot_file": "sh:echo hi"}
    hidden = (await bob.post("images", {"name": "hidden", "visibility": "private"})).body
    assert (await carol.get(f"images/{hidden['id']}")).status == 404
    assert "bob/hidden" not in [x["full_name"] for x in (await carol.get("images")).body["items"]]
    for ref in ("bob/hidden", "bob/none", "not-a-ref", "a/b/c"):
        r = await carol.post(ct, {**body, "name": "peek", "image": ref})
        assert r.status == 422 and _fields(r) == ["image"], (ref, r.body)
    ok = await carol.post(ct, {**body, "name": "plain", "image": "local"})
    assert ok.status == 201, ok.body
    done = await wait_status(api, f"{ct}/{ok.body['id']}", {"SUCCEEDED", "FAILED"})
    assert done["status"] == "SUCCEEDED", done["reason"]


async def _wait_reason(api, path: str, reason: str, within: float = 15.0) -> None:
    deadline = asyncio.get_running_loop().time() + within
    while True:
        r = await api.get(path)
        if r.body["status"] == "WAITING" and r.body["reason"] == reason:
            return
        assert r.body["status"] == "WAITING", r.body
        assert asyncio.get_running_loop().time() < deadline, r.body["reason"]
        await asyncio.sleep(0.05)
