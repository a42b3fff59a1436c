"""Cloud-brain tasks from the kernel side: the client, ``TaskMonitor`` and ``%openi train``."""

from __future__ import annotations

import asyncio

import pytest
from test_client_and_magics import _run_in_kernel

from gitutil import Git
from openi_lab.client import Client
from openi_lab.magics import train_fields
from openi_lab.widgets import TaskMonitor
from taskutil import project_with_code, task_config, token, wait_status

#: the tests with a live server run it on SQLite
sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
T = "projects/alice/lab/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _client(platform, jp_base_url: str, jp_http_port: int) -> Client:
    secret = await token(platform, "alice")
    return Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", secret)


@sqlite
async def test_client_creates_waits_and_reads_a_task(
    api, platform, git, tmp_path, jp_base_url, jp_http_port
):
    await project_with_code(api, platform, git, tmp_path)
    c = await _client(platform, jp_base_url, jp_http_port)

    def calls():
        specs = {sp.id: sp for sp in c.specs()}
        task = c.create_task(
            "alice/lab", name="dev-1", spec="cpu-small", boot_file="device.py", params={"x": 1}
        )
        done = c.wait_task("alice/lab", task.id, timeout=60)
        text, nxt = c.task_logs("alice/lab", task.id)
        tail, end = c.task_logs("alice/lab", task.id, offset=nxt)
        listed = c.tasks("alice/lab", kind="train", status="SUCCEEDED")
        return specs, task, done, text, nxt, (tail, end), listed

    specs, task, done, text, nxt, (tail, end), listed = await asyncio.to_thread(calls)
    assert specs["cpu-small"].available
    assert task.status == "WAITING" and task.params[0].value == "1"
    assert done.status == "SUCCEEDED", done.reason
    assert "start" in text and "end" in text and nxt == len(text.encode())
    assert tail == "" and end == nxt
    assert [t.id for t in listed.items] == [task.id]


@sqlite
async def test_wait_task_times_out_and_stop_task(
    api, platform, git, tmp_path, jp_base_url, jp_http_port
):
    await project_with_code(api, platform, git, tmp_path)
    c = await _client(platform, jp_base_url, jp_http_port)

    def calls():
        task = c.create_task("alice/lab", name="sleepy", spec="cpu-small", boot_file="sleep.py")
        with pytest.raises(TimeoutError):
            c.wait_task("alice/lab", task.id, timeout=0.3)
        c.stop_task("alice/lab", task.id)
        return c.wait_task("alice/lab", task.id, timeout=30)

    assert (await asyncio.to_thread(calls)).status == "STOPPED"


@sqlite
async def test_task_monitor_follows_a_task_to_the_end(
    api, platform, git, tmp_path, jp_base_url, jp_http_port
):
    await project_with_code(api, platform, git, tmp_path)
    c = await _client(platform, jp_base_url, jp_http_port)
    task = await asyncio.to_thread(
        c.create_task, "alice/lab", name="mon", spec="cpu-small", boot_file="device.py"
    )
    monitor = TaskMonitor("alice/lab", task.id, client=c, autostart=False)
    seen: list[str] = []
    monitor.observe(lambda change: seen.append(change["new"]), names="status")
    for _ in range(300):
        if await asyncio.to_thread(monitor.refresh) in ("SUCCEEDED", "FAILED"):
            break
        await asyncio.sleep(0.1)
    assert monitor.status == "SUCCEEDED" and seen[-1] == "SUCCEEDED"
    await asyncio.to_thread(monitor.refresh)
    assert "start" in monitor.log_text and "end" in monitor.log_text
    assert "mon" in monitor.header.value and "SUCCEEDED" in monitor.header.value
    assert "#2e7d32" in monitor.header.value  # green
    assert "end" in monitor.output.value and monitor.stop_button.disabled

    # the background thread does the same on its own
    again = await asyncio.to_thread(
        c.create_task, "alice/lab", name="mon-2", spec="cpu-small", boot_file="fail.py"
    )
    live = TaskMonitor("alice/lab", again.id, client=c, interval=0.1)
    await asyncio.to_thread(live.join, 60)
    assert live.status == "FAILED" and "boom: the loss is NaN" in live.log_text


def test_train_arguments():
    project, fields, monitor = train_fields(
        ["alice/lab", "train.py", "--name", "t1", "--param", "epochs=3", "--dataset", "7"]
    )
    assert project == "alice/lab" and monitor
    assert fields["boot_file"] == "train.py" and fields["dataset"] == 7
    assert fields["params"] == [{"name": "epochs", "value": "3"}] and fields["spec"] == "cpu-small"
    _, cell, _ = train_fields(["alice/lab", "--no-monitor"], "print('it''s')\n")
    assert cell["boot_file"].startswith('sh:"$OPENI_PYTHON" -u -c ')


@sqlite
async def test_magic_train_in_a_kernel(api, platform, git, tmp_path, jp_serverapp):
    await project_with_code(api, platform, git, tmp_path)
    jp_serverapp.write_server_info_file()
    out = await _run_in_kernel(
        jp_serverapp,
        "%load_ext openi_lab\n"
        "%openi train alice/lab device.py --name magic-1 --param lr=0.1\n"
        "%openi train alice/lab missing.py --name magic-x\n",
    )
    assert "created in alice/lab (WAITING)" in out, out
    assert "boot_file:" in out  # the second one is refused with the field's reason
    tasks = (await api.get(T)).body["items"]
    assert [t["name"] for t in tasks] == ["magic-1"]
    done = await wait_status(api, f"{T}/{tasks[0]['id']}", {"SUCCEEDED", "FAILED"})
    assert done["status"] == "SUCCEEDED", done["reason"]
    assert done["params"] == [{"name": "lr", "value": "0.1"}]

    out = await _run_in_kernel(
        jp_serverapp,
        "%load_ext openi_lab\nget_ipython().run_cell(CELL)\n".replace(
            "CELL",
            repr(
                "%%openi train alice/lab --name cell-1 --param epochs=2 --no-monitor\n"
                "import os, sys\n"
                "print('from the cell', sys.argv[1:], os.environ['OPENI_TASK_ID'])\n"
            ),
        ),
    )
    assert "task" in out and "cell-1 created" in out, out
    cell = next(t for t in (await api.get(T)).body["items"] if t["name"] == "cell-1")
    done = await wait_status(api, f"{T}/{cell['id']}", {"SUCCEEDED", "FAILED"})
    assert done["status"] == "SUCCEEDED", done["reason"]
    log = (await api.get(f"{T}/{cell['id']}/logs")).body["text"]
    assert f"from the cell ['--epochs=2'] {cell['id']}" in log
