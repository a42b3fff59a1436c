"""The scheduler on its own: restart (reconcile) and two schedulers sharing one database."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time

import pytest
from sqlalchemy import select

from gitutil import Git
from openi_lab import schemas as s
from taskutil import full_log, openi_app, project_with_code, task_config, wait_status

T = "projects/alice/lab/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def test_a_restarted_server_reattaches_running_tasks(
    api, platform, git, tmp_path, jp_serverapp
):
    from openi_lab_server.compute.local import LocalExecutor
    from openi_lab_server.compute.scheduler import Scheduler
    from openi_lab_server.db.task_models import Task

    await project_with_code(api, platform, git, tmp_path)
    app = openi_app(jp_serverapp)
    body = {"spec": "cpu-small", "boot_file": "sleep.py", "params": [{"name": "t", "value": "1.5"}]}
    live = (await api.post(T, {**body, "name": "survivor"})).body
    lost = (await api.post(T, {**body, "name": "lost"})).body
    await wait_status(api, f"{T}/{live['id']}", {"RUNNING"})
    await wait_status(api, f"{T}/{lost['id']}", {"RUNNING"})
    await app.scheduler.stop()  # the server goes down; its tasks keep running
    app.scheduler = None
    async with platform.sessions() as session:
        handle = await session.scalar(select(Task.handle).where(Task.id == lost["id"]))
    await asyncio.sleep(0.3)
    os.killpg(json.loads(handle)["pgid"], signal.SIGKILL)  # one dies while nobody watches

    restarted = Scheduler(platform.tasks, LocalExecutor(), node=app.node_name, interval=0.05)
    await restarted.reconcile()
    gone = (await api.get(f"{T}/{lost['id']}")).body
    assert gone["status"] == "FAILED"
    assert "vanished while the server was down" in gone["reason"]
    assert (await api.get(f"{T}/{live['id']}")).body["status"] == "RUNNING"
    deadline = time.monotonic() + 20
    while (await api.get(f"{T}/{live['id']}")).body["status"] == "RUNNING":
        assert time.monotonic() < deadline
        await restarted.step()
        await asyncio.sleep(0.1)
    done = (await api.get(f"{T}/{live['id']}")).body
    assert done["status"] == "SUCCEEDED", done["reason"]
    log = await full_log(api, f"{T}/{live['id']}")
    assert "ready" in log and "done" in log


async def test_two_servers_never_run_a_task_twice(api, platform, git, tmp_path, jp_serverapp):
    from openi_lab_server.compute.local import LocalExecutor
    from openi_lab_server.compute.scheduler import Scheduler
    from openi_lab_server.db.task_models import Task

    await project_with_code(api, platform, git, tmp_path)
    app = openi_app(jp_serverapp)
    await app.scheduler.stop()
    app.scheduler = None
    ran = tmp_path / "ran.txt"
    alice = await platform.accounts.principal((await platform.accounts.get_user("alice")).id)
    for i in range(200):
        await platform.tasks.create(
            alice,
            "alice",
            "lab",
            s.TaskCreate(
                name=f"quick-{i}",
                spec="cpu-small",
                boot_file=f'sh:echo "$OPENI_TASK_ID" >> {ran}',
            ),
        )
    # a second "server": its own platform, engine and connection pool on the same database
    other = app._build_platform()
    a = Scheduler(platform.tasks, LocalExecutor(), node="node-a", max_concurrent_tasks=200, batch=8)
    b = Scheduler(other.tasks, LocalExecutor(), node="node-b", max_concurrent_tasks=200, batch=8)
    deadline = time.monotonic() + 180
    while True:
        await asyncio.gather(a.step(), b.step())
        async with platform.sessions() as session:
            rows = (await session.execute(select(Task.id, Task.status, Task.node))).all()
        if all(r.status in ("SUCCEEDED", "FAILED") for r in rows):
            break
        assert time.monotonic() < deadline, [r.status for r in rows]
        await asyncio.sleep(0.02)
    assert {r.status for r in rows} == {"SUCCEEDED"}
    ids = sorted(int(line) for line in ran.read_text().split())
    assert ids == sorted(r.id for r in rows)  # every task exactly once
    nodes = {r.node for r in rows}
    assert nodes == {"node-a", "node-b"}, nodes
    await other.close()


def test_an_idle_scheduler_backs_off_and_a_busy_one_does_not():
    from openi_lab_server.compute.scheduler import next_wait

    waits = [0.2]
    for _ in range(6):  # nothing to watch: 0.4, 0.8, 1.6, then the idle ceiling
        waits.append(next_wait(waits[-1], False, 0.2, 2.0))
    assert waits == [0.2, 0.4, 0.8, 1.6, 2.0, 2.0, 2.0]
    assert next_wait(2.0, True, 0.2, 2.0) == 0.2  # a task waits or runs: look often again


async def test_a_task_submitted_to_an_idle_scheduler_starts_at_once(
    api, platform, git, tmp_path, jp_serverapp
):
    """However long the scheduler's idle pause, a submission wakes it: the task does not
    wait for the pause to run out."""
    await project_with_code(api, platform, git, tmp_path)
    sched = openi_app(jp_serverapp).scheduler
    sched.idle_interval = sched.wait = 600.0
    await asyncio.sleep(2.5)  # the pause under way (at most 2 s) ends; the next is 600 s
    assert sched.wait == 600.0
    body = {"spec": "cpu-small", "boot_file": "sleep.py", "params": [{"name": "t", "value": "0"}]}
    t = (await api.post(T, {**body, "name": "wakes"})).body
    await wait_status(api, f"{T}/{t['id']}", {"RUNNING", "SUCCEEDED"}, within=30)
