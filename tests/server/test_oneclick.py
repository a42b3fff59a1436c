""" "Run as training task" (作为训练任务运行) from a notebook, server side: where a workspace
notebook comes from, commit and push with the real git, notebook snapshots as tasks, and the
last task for pre-filling the dialog."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from sqlalchemy import select

from gitutil import Git
from taskutil import full_log, openi_app, project_with_code, task_config, wait_status

T = "projects/alice/lab/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def notebook(*cells: tuple[str, list[str]]) -> dict:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for src, tags in cells]
    return json.loads(nbformat.writes(nb))


SNAPSHOT = notebook(
    ("import os, pathlib", []),
    ("epochs = 1", ["parameters"]),
    (
        "print(f'twice={epochs * 2} repo_file={os.path.exists(\"train.py\")}')\n"
        "pathlib.Path(os.environ['OPENI_MODEL_DIR'], 'out.txt').write_text(str(epochs))",
        [],
    ),
)


async def _start_scheduler() -> None:
    from jupyter_server.serverapp import ServerApp

    await openi_app(ServerApp.instance()).start_scheduler()


# --- origin and commit-push ----------------------------------------------------------------


async def test_origin_and_commit_push_in_a_workspace_clone(api, jp_serverapp, git, as_user):
    root = Path(jp_serverapp.root_dir)
    await api.post("projects", {"name": "ws", "auto_init": True})
    assert (await api.post("projects/alice/ws/workspace-clone", {"path": "work/ws"})).status == 201
    nb_file = root / "work/ws/exp/train.ipynb"
    nb_file.parent.mkdir()
    nb_file.write_text(json.dumps(SNAPSHOT))

    r = await api.get("workspace/origin", path="work/ws/exp/train.ipynb")
    assert r.status == 200, r.body
    o = r.body
    assert o["in_project"] and o["project"] == "alice/ws" and o["repo_path"] == "work/ws"
    assert o["branch"] == "main" and o["file"] == "exp/train.ipynb"
    assert o["dirty"] == ["exp/train.ipynb"] and o["pushed"] is True
    before = o["commit"]

    done = await api.post(
        "workspace/commit-push", {"path": "work/ws/exp/train.ipynb", "message": "add the notebook"}
    )
    assert done.status == 200, done.body
    assert done.body["dirty"] == [] and done.body["pushed"] is True
    assert done.body["commit"] != before
    log = await api.get("projects/alice/ws/commits")
    assert log.body["items"][0]["summary"] == "add the notebook"
    assert log.body["items"][0]["sha"] == done.body["commit"]
    shown = await api.get("projects/alice/ws/file", path="exp/train.ipynb")
    assert shown.status == 200

    # a local commit not pushed yet is told apart from a pushed one
    await git.commit(root / "work/ws", {"notes.md": "x\n"}, "local only")
    o = (await api.get("workspace/origin", path="work/ws/exp/train.ipynb")).body
    assert o["dirty"] == [] and o["pushed"] is False
    pushed = await api.post("workspace/commit-push", {"path": "work/ws", "message": "unused"})
    assert pushed.body["pushed"] is True
    log = await api.get("projects/alice/ws/commits")
    assert log.body["items"][0]["summary"] == "local only"

    # another user's token may not touch this server's workspace
    bob = await as_user("bob")
    assert (await bob.get("workspace/origin", path="work/ws")).status == 403
    refused = await bob.post("workspace/commit-push", {"path": "work/ws", "message": "m"})
    assert refused.status == 403


async def test_origin_outside_a_clone_and_outside_the_root(api, jp_serverapp, git, tmp_path):
    root = Path(jp_serverapp.root_dir)
    (root / "loose.ipynb").write_text(json.dumps(SNAPSHOT))
    r = await api.get("workspace/origin", path="loose.ipynb")
    assert r.status == 200 and r.body["in_project"] is False and r.body["project"] is None
    # a git repository whose remote is elsewhere is not a platform clone
    other = root / "elsewhere"
    other.mkdir()
    await git.ok("init", "-q", cwd=other)
    await git.ok("remote", "add", "origin", "https://example.org/a/b.git", cwd=other)
    (other / "n.ipynb").write_text("{}")
    assert (await api.get("workspace/origin", path="elsewhere/n.ipynb")).body["in_project"] is False
    refused = await api.post("workspace/commit-push", {"path": "loose.ipynb", "message": "m"})
    assert refused.status == 422 and refused.body["errors"][0]["field"] == "path"

    for bad in ("../outside.ipynb", "/etc/passwd"):
        r = await api.get("workspace/origin", path=bad)
        assert r.status == 422 and r.body["errors"][0]["field"] == "path", bad
    (tmp_path / "secret.ipynb").write_text("{}")
    (root / "link.ipynb").symlink_to(tmp_path / "secret.ipynb")
    r = await api.get("workspace/origin", path="link.ipynb")
    assert r.status == 422 and "outside" in r.body["message"]
    assert (await api.get("workspace/origin", path="missing.ipynb")).status == 404
    assert (await api.get("workspace/origin")).status == 422


# --- snapshots -----------------------------------------------------------------------------


async def test_snapshot_task_runs_the_notebook_with_params_and_keeps_it(
    api, platform, git, tmp_path
):
    head = await project_with_code(api, platform, git, tmp_path)
    body = {
        "name": "from-nb",
        "spec": "cpu-small",
        "snapshot": {"name": "experiment.ipynb", "content": SNAPSHOT},
        "params": [{"name": "epochs", "value": "3"}],
    }
    r = await api.post(T, body)
    assert r.status == 201, r.body
    task = r.body
    assert task["boot_file"] == "experiment.ipynb" and task["snapshot_name"] == "experiment.ipynb"
    assert task["commit"] == head and task["branch"] == "main"
    path = f"{T}/{task['id']}"
    done = await wait_status(api, path, {"SUCCEEDED", "FAILED"}, within=90)
    log = await full_log(api, path)
    assert done["status"] == "SUCCEEDED", (done["reason"], log)
    assert "twice=6 repo_file=True" in log  # beside the repository's files
    outputs = {o["path"] for o in (await api.get(f"{path}/outputs")).body}
    assert outputs == {"out.txt", "experiment.executed.ipynb"}

    # stored once by content, in the object store
    sha = task["snapshot_sha256"]
    assert platform.store.exists(f"snapshots/{sha[:2]}/{sha}.ipynb")
    from openi_lab_server.db.task_models import Task

    async with platform.sessions() as session:
        row = (await session.execute(select(Task.snapshot_name).where(Task.id == task["id"]))).one()
    assert row[0] == "experiment.ipynb"

    # run again keeps the snapshot; the last task pre-fills the next one
    again = await api.post(f"{path}/rerun")
    assert again.status == 201 and again.body["snapshot_sha256"] == sha
    last = await api.get("tasks/last")
    assert last.status == 200 and last.body["id"] == again.body["id"]
    assert last.body["project"] == "alice/lab" and last.body["params"][0]["value"] == "3"


async def test_snapshot_in_a_project_without_commits(api):
    await _start_scheduler()
    assert (await api.get("tasks/last")).body is None
    assert (await api.post("projects", {"name": "empty"})).status == 201
    body = {
        "name": "solo",
        "spec": "cpu-small",
        "snapshot": {"name": "a.ipynb", "content": SNAPSHOT},
    }
    r = await api.post("projects/alice/empty/tasks", body)
    assert r.status == 201, r.body
    assert r.body["commit"] == ""
    done = await wait_status(
        api, f"projects/alice/empty/tasks/{r.body['id']}", {"SUCCEEDED", "FAILED"}, within=90
    )
    log = await full_log(api, f"projects/alice/empty/tasks/{r.body['id']}")
    assert done["status"] == "SUCCEEDED", log
    assert "twice=2 repo_file=False" in log


async def test_bad_snapshots_and_roles_are_refused(api, platform, git, tmp_path, as_user):
    await project_with_code(api, platform, git, tmp_path)
    base = {"name": "bad", "spec": "cpu-small"}

    async def refused(snapshot: dict, **over) -> dict:
        r = await api.post(T, {**base, "snapshot": snapshot, **over})
        assert r.status == 422, r.body
        return r.body

    err = await refused({"name": "x.ipynb", "content": {"cells": "nope"}})
    assert err["errors"][0]["field"] == "snapshot.content"
    err = await refused({"name": "x.ipynb", "content": {**SNAPSHOT, "nbformat": 3}})
    assert err["errors"][0]["field"] == "snapshot.content"
    big = notebook(("x = '" + "a" * (9 << 20) + "'", []))
    err = await refused({"name": "x.ipynb", "content": big})
    assert "MiB" in err["errors"][0]["reason"]
    err = await refused({"name": "x.py", "content": SNAPSHOT})
    assert err["errors"][0]["field"] == "snapshot.name"
    err = await refused({"name": "../x.ipynb", "content": SNAPSHOT})
    assert err["errors"][0]["field"] == "snapshot.name"
    err = await refused({"name": "x.ipynb", "content": SNAPSHOT}, boot_file="train.py")
    assert err["errors"][0]["field"] == "boot_file"

    # bob may read the public project but not write it: no task, no snapshot stored
    bob = await as_user("bob")
    r = await bob.post(T, {**base, "snapshot": {"name": "x.ipynb", "content": SNAPSHOT}})
    assert r.status in (403, 404), r.body
    assert platform.store.list_keys("snapshots") == []
