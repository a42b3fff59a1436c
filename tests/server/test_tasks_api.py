"""Cloud-brain tasks through the API: specs, create and validate, run, logs, outputs, stop."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest
from sqlalchemy import select

from gitutil import Git
from s3server import upload
from taskutil import (
    dataset_zip,
    full_log,
    project_with_code,
    task_config,
    wait_status,
)

T = "projects/alice/lab/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def _task(**over):
    body = {"name": "train-1", "spec": "cpu-small", "boot_file": "train.py", "branch": "main"}
    body.update(over)
    return body


async def test_specs_say_what_this_server_can_run(api):
    r = await api.get("specs")
    assert r.status == 200
    specs = {s["id"]: s for s in r.body}
    assert specs["cpu-small"]["available"] and specs["cpu-small"]["compute"] == "CPU"
    assert specs["gpu-t4"]["available"]  # two T4s declared by configuration
    assert specs["gpu-t4"]["label"].startswith("GPU: 1 * T4")
    assert not specs["npu-910"]["available"]
    assert specs["npu-910"]["reason"] == "no Ascend-910 on this server"


async def test_train_task_runs_with_dataset_parameters_logs_and_outputs(
    api, platform, git, tmp_path, jp_serverapp
):
    commit = await project_with_code(api, platform, git, tmp_path)
    assert (await api.post("projects/alice/lab/datasets", {"name": "mnist"})).status == 201
    f = await upload(api, "alice/lab", "mnist", "mnist.zip", dataset_zip("digits"))
    body = _task(dataset=f["id"], params=[{"name": "epochs", "value": "3"}], description="训练")
    created = await api.post(T, body)
    assert created.status == 201, created.body
    task = created.body
    assert task["status"] == "WAITING" and task["commit"] == commit
    assert task["dataset_path"] == "alice/lab/mnist/mnist.zip"
    path = f"{T}/{task['id']}"
    done = await wait_status(api, path, {"SUCCEEDED", "FAILED"})
    assert done["status"] == "SUCCEEDED", done["reason"]
    assert done["exit_code"] == 0 and done["duration"] > 0
    assert [e["status"] for e in done["events"]] == ["WAITING", "RUNNING", "SUCCEEDED"]
    log = await full_log(api, path)
    assert "epochs=3 data=digits" in log
    part = await api.get(f"{path}/logs", offset=5)
    assert part.body["text"] == log[5:] and part.body["done"]
    assert part.body["next_offset"] == part.body["size"]
    outputs = await api.get(f"{path}/outputs")
    assert outputs.body == [{"path": "model.txt", "size": len("trained 3 on digits\n")}]
    dl = await jp_fetch_raw(api, f"{path}/outputs/download", path="model.txt")
    assert dl == b"trained 3 on digits\n"
    assert b"epochs=3" in await jp_fetch_raw(api, f"{path}/logs/download")
    assert (await api.get(f"{path}/outputs/download", path="../logs/task.log")).status == 422

    data_dir = Path(jp_serverapp.web_app.settings["openi_lab"].data_dir)
    cache = data_dir / "dataset-cache"
    entries = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert [p.name for p in entries] == [f["sha256"]]
    inode = entries[0].stat().st_ino
    assert not os.access(entries[0] / "data.txt", os.W_OK) or os.geteuid() == 0

    again = await api.post(f"{path}/rerun")
    assert again.status == 201, again.body
    assert again.body["name"] == "train-1-2" and again.body["params"] == body["params"]
    second = await wait_status(api, f"{T}/{again.body['id']}", {"SUCCEEDED", "FAILED"})
    assert second["status"] == "SUCCEEDED", second["reason"]
    entries = [p for p in cache.iterdir() if not p.name.startswith(".")]
    assert len(entries) == 1 and entries[0].stat().st_ino == inode  # extracted once

    listed = await api.get(T, kind="train", status="SUCCEEDED")
    assert listed.body["total"] == 2
    row = listed.body["items"][0]
    assert row["name"] == "train-1-2" and row["compute"] == "CPU"
    assert row["creator"]["username"] == "alice" and row["created_at"]
    assert (await api.get(T, kind="debug")).body["total"] == 0

    # the dataset file is in use: it cannot be deleted while a task records it
    gone = await api.delete(f"projects/alice/lab/datasets/mnist/files/{f['id']}")
    assert gone.status == 409 and "train-1" in gone.body["message"]
    assert (await api.delete(path)).status == 204
    assert (await api.delete(f"{T}/{again.body['id']}")).status == 204
    assert (await api.get(path)).status == 404
    gone = await api.delete(f"projects/alice/lab/datasets/mnist/files/{f['id']}")
    assert gone.status == 204


async def jp_fetch_raw(api, route: str, **params) -> bytes:
    parts = ["openi", "api", "v1", *route.split("/")]
    resp = await api.fetch(*parts, params=params or None, headers=api.headers)
    return resp.body  # type: ignore[no-any-return]


async def test_bad_input_names_the_field(api, platform, git, tmp_path, as_user):
    await project_with_code(api, platform, git, tmp_path)
    cases = [
        (_task(name="训练任务"), "name"),
        (_task(name="a" * 65), "name"),
        (_task(name="has space"), "name"),
        (_task(description="d" * 256), "description"),
        (_task(branch="no-such-branch"), "branch"),
        (_task(boot_file="../x.py"), "boot_file"),
        (_task(boot_file="/etc/passwd.py"), "boot_file"),
        (_task(boot_file="missing.py"), "boot_file"),
        (_task(spec="gpu-a100"), "spec"),
        (_task(params=[{"name": "bad name", "value": "1"}]), "params.0.name"),
    ]
    for body, field in cases:
        r = await api.post(T, body)
        assert r.status == 422, (body, r.body)
        assert field in [e["field"] for e in r.body["errors"]], (body, r.body)
    # a dataset in a private project the user cannot see
    await api.post("projects", {"name": "secret", "visibility": "private"})
    await api.post("projects/alice/secret/datasets", {"name": "hidden"})
    f = await upload(api, "alice/secret", "hidden", "h.zip", dataset_zip())
    await api.post("projects/alice/lab/collaborators/bob", {"permission": "write"})
    bob = await as_user("bob")
    r = await bob.post(T, _task(dataset=f["id"]))
    assert r.status in (404, 422), r.body
    assert r.status == 404 or r.body["errors"][0]["field"] == "dataset"
    r = await api.post(T, _task(dataset=999999))
    assert r.status == 422 and r.body["errors"][0]["field"] == "dataset"
    assert (await api.post(T, _task())).status == 201
    dup = await api.post(T, _task())
    assert dup.status == 409 and dup.body["errors"][0]["field"] == "name"
    assert (await api.post(T, _task(kind="debug"))).status == 201  # unique per kind


async def test_unservable_spec_waits_with_the_reason(api, platform, git, tmp_path):
    await project_with_code(api, platform, git, tmp_path)
    r = await api.post(T, _task(spec="npu-910"))
    assert r.status == 201
    await asyncio.sleep(0.5)
    task = (await api.get(f"{T}/{r.body['id']}")).body
    assert task["status"] == "WAITING"
    assert task["reason"] == "waiting: no Ascend-910 on this server"
    stopped = await api.post(f"{T}/{r.body['id']}/stop")
    assert stopped.body["status"] == "STOPPED"
    assert (await api.post(f"{T}/{r.body['id']}/stop")).status == 409


async def test_stop_kills_the_whole_process_group(api, platform, git, tmp_path):
    from openi_lab_server.db.task_models import Task

    await project_with_code(api, platform, git, tmp_path)
    r = await api.post(T, _task(name="sleepy", boot_file="sleep.py"))
    path = f"{T}/{r.body['id']}"
    await wait_status(api, path, {"RUNNING"})
    for _ in range(100):
        if "ready" in await full_log(api, path):
            break
        await asyncio.sleep(0.1)
    assert (await api.delete(path)).status == 409  # not while running
    async with platform.sessions() as session:
        handle = json.loads(
            await session.scalar(select(Task.handle).where(Task.id == r.body["id"]))
        )
    child = _child_pid(platform, r.body["id"])
    stop = await api.post(f"{path}/stop")
    assert stop.status == 200 and stop.body["status"] in ("STOPPING", "STOPPED")
    done = await wait_status(api, path, {"STOPPED", "FAILED", "SUCCEEDED"})
    assert done["status"] == "STOPPED" and done["reason"] == "stopped by alice"
    with pytest.raises(ProcessLookupError):
        os.killpg(handle["pgid"], 0)
    with pytest.raises(ProcessLookupError):
        os.kill(child, 0)
    assert (await api.delete(path)).status == 204


def _child_pid(platform, task_id: int) -> int:
    root = Path(platform.tasks.data_dir) / "tasks" / str(task_id) / "model" / "child.pid"
    return int(root.read_text())


async def test_time_limit_fails_the_task(api, platform, git, tmp_path):
    await project_with_code(api, platform, git, tmp_path)
    r = await api.post(T, _task(name="slow", spec="cpu-2s", boot_file="sleep.py"))
    done = await wait_status(api, f"{T}/{r.body['id']}", {"FAILED", "SUCCEEDED"}, within=20)
    assert done["status"] == "FAILED"
    assert "time limit" in done["reason"]
    assert 1.5 < done["duration"] < 10


async def test_failing_script_reports_exit_code_and_log_tail(api, platform, git, tmp_path):
    await project_with_code(api, platform, git, tmp_path)
    r = await api.post(T, _task(name="broken", boot_file="fail.py"))
    done = await wait_status(api, f"{T}/{r.body['id']}", {"FAILED", "SUCCEEDED"})
    assert done["status"] == "FAILED" and done["exit_code"] == 3
    assert done["reason"].startswith("exit code 3")
    assert "boom: the loss is NaN" in done["reason"]


async def test_devices_are_allocated_exclusively(api, platform, git, tmp_path):
    await project_with_code(api, platform, git, tmp_path)
    ids = []
    for i in range(3):
        r = await api.post(T, _task(name=f"gpu-{i}", spec="gpu-t4", boot_file="device.py"))
        assert r.status == 201, r.body
        ids.append(r.body["id"])
    runs = []
    for tid in ids:
        done = await wait_status(api, f"{T}/{tid}", {"SUCCEEDED", "FAILED"})
        assert done["status"] == "SUCCEEDED", done["reason"]
        log = await full_log(api, f"{T}/{tid}")
        start = next(line.split() for line in log.splitlines() if line.startswith("start"))
        end = next(line.split() for line in log.splitlines() if line.startswith("end"))
        assert done["devices"] == [f"GPU:{start[2]}"]
        runs.append((float(start[1]), float(end[1]), start[2]))
    for i, a in enumerate(runs):
        for b in runs[i + 1 :]:
            if a[0] < b[1] and b[0] < a[1]:  # they overlapped in time
                assert a[2] != b[2], runs
    async with platform.sessions() as session:
        from openi_lab_server.db.task_models import DeviceAllocation

        assert (await session.scalars(select(DeviceAllocation))).all() == []
