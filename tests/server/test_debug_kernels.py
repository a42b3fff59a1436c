"""Debug tasks (调试任务) are Jupyter kernels: real task processes, real kernels, real clients.

A debug task's process is an IPython kernel; the connection file it writes lets a kernel client
run code in it, and while it runs the Jupyter server lists it as a kernelspec that notebooks
attach to (through the server's websocket, as JupyterLab does).
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import stat
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from jupyter_client.asynchronous import AsyncKernelClient
from sqlalchemy import select

from gitutil import Git
from s3server import upload
from taskutil import dataset_zip, full_log, openi_app, project_with_code, task_config, wait_status

T = "projects/alice/lab/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def _logs(platform: Any, task_id: int) -> Path:
    return Path(platform.tasks.data_dir) / "tasks" / str(task_id) / "logs"


async def _connection_file(platform: Any, task_id: int, within: float = 30) -> Path:
    logs = _logs(platform, task_id)
    deadline = time.monotonic() + within
    while not (logs / "kernel.pid").exists():
        assert time.monotonic() < deadline, (logs / "task.log").read_text()
        await asyncio.sleep(0.1)
    return logs / "kernel.json"


async def _client(connection_file: Path) -> AsyncKernelClient:
    kc = AsyncKernelClient(connection_file=str(connection_file))
    kc.load_connection_file()
    kc.start_channels()
    await kc.wait_for_ready(timeout=30)
    return kc


async def _run(kc: AsyncKernelClient, code: str) -> str:
    """Run ``code`` with a kernel client; its printed text (errors as ``ename: evalue``)."""
    out: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")

    await kc.execute_interactive(code, output_hook=hook, timeout=30)
    return "".join(out)


async def _ws_run(ws: Any, code: str, session: str, within: float = 30) -> str:
    """Run ``code`` through the Jupyter server's kernel websocket, as JupyterLab does."""
    msg_id = uuid.uuid4().hex
    await ws.write_message(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "session": session,
                    "username": "alice",
                    "version": "5.3",
                    "date": "",
                },
                "parent_header": {},
                "metadata": {},
                "content": {"code": code, "silent": False, "store_history": True},
                "channel": "shell",
                "buffers": [],
            }
        )
    )
    out: list[str] = []
    while True:
        raw = await asyncio.wait_for(ws.read_message(), within)
        assert raw is not None, "the websocket closed"
        msg = json.loads(raw)
        if msg.get("parent_header", {}).get("msg_id") != msg_id or msg["channel"] != "iopub":
            continue
        kind = msg["msg_type"]
        if kind == "stream":
            out.append(msg["content"]["text"])
        elif kind == "error":
            out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        elif kind == "status" and msg["content"]["execution_state"] == "idle":
            return "".join(out)


async def _jupyter(jp_fetch: Any, *parts: str, method: str = "GET", body: Any = None) -> Any:
    kwargs: dict[str, Any] = {"method": method, "raise_error": False}
    if body is not None or method == "POST":
        kwargs["body"] = json.dumps(body or {})
    r = await jp_fetch(*parts, **kwargs)
    return r.code, (json.loads(r.body) if r.body else None)


async def _specs(jp_fetch: Any) -> dict[str, Any]:
    code, body = await _jupyter(jp_fetch, "api", "kernelspecs")
    assert code == 200
    return dict(body["kernelspecs"])


async def _until(check: Any, within: float = 20, what: str = "") -> None:
    deadline = time.monotonic() + within
    while not await check():
        assert time.monotonic() < deadline, f"timed out: {what}"
        await asyncio.sleep(0.1)


async def test_debug_kernel_runs_code_from_clients_and_notebooks_attach(
    api, platform, git, tmp_path, jp_fetch, jp_ws_fetch, jp_serverapp
):
    from openi_lab_server.compute.kernels import DebugKernels
    from openi_lab_server.db.task_models import Task

    await project_with_code(api, platform, git, tmp_path)
    assert (await api.post("projects/alice/lab/datasets", {"name": "mnist"})).status == 201
    f = await upload(api, "alice/lab", "mnist", "mnist.zip", dataset_zip("digits"))
    created = await api.post(
        T, {"kind": "debug", "name": "dbg", "spec": "gpu-t4", "dataset": f["id"]}
    )
    assert created.status == 201, created.body
    tid = created.body["id"]
    path = f"{T}/{tid}"
    running = await wait_status(api, path, {"RUNNING", "FAILED"})
    assert running["status"] == "RUNNING", running["reason"]
    conn = await _connection_file(platform, tid)
    assert stat.S_IMODE(conn.stat().st_mode) == 0o600  # its key lets anyone run code

    # a kernel client runs code in the task's process: its code dir, dataset and device
    kc = await _client(conn)
    try:
        text = await _run(
            kc,
            "import os\nx = 42\n"
            "print(os.getcwd() == os.environ['OPENI_CODE_DIR'])\n"
            "print(open(os.environ['OPENI_DATASET_DIR'] + '/data.txt').read().strip())\n"
            "print(os.environ['CUDA_VISIBLE_DEVICES'])\n"
            "import train  # the repository's code imports as in a notebook",
        )
        device = running["devices"][0].rsplit(":", 1)[1]
        assert text.split("\n")[:3] == ["True", "digits", device], text

        # the Jupyter server lists it while it runs
        name = f"openi-task-{tid}"
        specs = await _specs(jp_fetch)
        assert specs[name]["spec"]["display_name"] == "OpenI · dbg · gpu-t4"
        assert specs[name]["spec"]["language"] == "python"

        # a restarted server lists exactly the running debug tasks (lost, stale specs fixed)
        app = openi_app(jp_serverapp)
        root = Path(app.data_dir) / "kernels"
        shutil.rmtree(root / "alice" / name)
        (root / "alice" / "openi-task-999").mkdir()
        assert name not in await _specs(jp_fetch)
        await DebugKernels(platform.tasks, app.node_name, root).sync()
        assert sorted(p.name for p in (root / "alice").iterdir()) == [name]
        assert name in await _specs(jp_fetch)

        # a notebook attaches through the server and reaches the same process
        code, kernel = await _jupyter(
            jp_fetch, "api", "kernels", method="POST", body={"name": name}
        )
        assert code == 201, kernel
        ws = await jp_ws_fetch("api", "kernels", kernel["id"], "channels")
        session = uuid.uuid4().hex
        assert await _ws_run(ws, "print(x)", session) == "42\n"

        # interrupting from the notebook interrupts the code running in the task
        run = asyncio.ensure_future(_ws_run(ws, "import time\ntime.sleep(30)", session))
        await asyncio.sleep(1.0)
        code, _ = await _jupyter(
            jp_fetch, "api", "kernels", kernel["id"], "interrupt", method="POST"
        )
        assert code == 204
        assert "KeyboardInterrupt" in await asyncio.wait_for(run, 20)

        # restarting from the notebook clears its variables; shutting down only detaches
        code, _ = await _jupyter(jp_fetch, "api", "kernels", kernel["id"], "restart", method="POST")
        assert code == 200
        assert "NameError" in await _ws_run(ws, "print(x)", session)
        ws.close()
        await _run(kc, "x = 7")
        code, _ = await _jupyter(jp_fetch, "api", "kernels", kernel["id"], method="DELETE")
        assert code == 204
        assert await _run(kc, "print(x + 1)") == "8\n"
        assert (await api.get(path)).body["status"] == "RUNNING"

        # a second notebook session is attached when the task is stopped
        code, kernel = await _jupyter(
            jp_fetch, "api", "kernels", method="POST", body={"name": name}
        )
        assert code == 201, kernel
    finally:
        kc.stop_channels()
    async with platform.sessions() as session_:
        handle = json.loads(await session_.scalar(select(Task.handle).where(Task.id == tid)))
    stopped = await api.post(f"{path}/stop")
    assert stopped.status == 200
    done = await wait_status(api, path, {"STOPPED", "FAILED", "SUCCEEDED"})
    assert done["status"] == "STOPPED" and done["reason"] == "stopped by alice"
    with pytest.raises(ProcessLookupError):
        os.killpg(handle["pgid"], 0)
    assert name not in await _specs(jp_fetch)
    assert not conn.exists()

    async def session_dead() -> bool:
        code, _ = await _jupyter(jp_fetch, "api", "kernels", kernel["id"])
        return bool(code == 404)

    await _until(session_dead, 20, "the attached session sees the kernel dead")

    # run again (再次调试): a new task with the same settings, a kernel again
    again = await api.post(f"{path}/rerun")
    assert again.status == 201, again.body
    new = again.body
    assert new["name"] == "dbg-2" and new["kind"] == "debug"
    assert (new["spec"], new["dataset"], new["boot_file"]) == ("gpu-t4", f["id"], "")
    second = await wait_status(api, f"{T}/{new['id']}", {"RUNNING", "FAILED"})
    assert second["status"] == "RUNNING", second["reason"]
    kc = await _client(await _connection_file(platform, new["id"]))
    try:
        assert "NameError" in await _run(kc, "print(x)")  # a fresh process
    finally:
        kc.stop_channels()
    specs = await _specs(jp_fetch)
    assert specs[f"openi-task-{new['id']}"]["spec"]["display_name"] == "OpenI · dbg-2 · gpu-t4"
    assert (await api.post(f"{T}/{new['id']}/stop")).status == 200
    await wait_status(api, f"{T}/{new['id']}", {"STOPPED"})
    assert f"openi-task-{new['id']}" not in await _specs(jp_fetch)


async def test_idle_debug_kernel_stops_itself_with_the_reason(
    api, platform, git, tmp_path, jp_fetch, jp_serverapp
):
    await project_with_code(api, platform, git, tmp_path)
    # a boot file is optional for a debug task only, and must be a .py file it runs at start
    body = {"kind": "debug", "name": "nb", "spec": "cpu-small", "boot_file": "sh:echo hi"}
    r = await api.post(T, body)
    assert r.status == 422 and r.body["errors"][0]["field"] == "boot_file"
    r = await api.post(T, {"kind": "train", "name": "t", "spec": "cpu-small"})
    assert r.status == 422 and r.body["errors"][0]["field"] == "boot_file"

    scheduler = await openi_app(jp_serverapp).start_scheduler()
    scheduler.debug_idle_timeout = 2.0
    body = {
        "kind": "debug",
        "name": "idle",
        "spec": "cpu-small",
        "boot_file": "train.py",
        "params": [{"name": "epochs", "value": "5"}],
    }
    r = await api.post(T, body)
    assert r.status == 201, r.body
    path = f"{T}/{r.body['id']}"
    await wait_status(api, path, {"RUNNING"})
    kc = await _client(await _connection_file(platform, r.body["id"]))
    try:  # the boot file ran in the kernel's namespace with its parameters, until it failed
        assert await _run(kc, "print(args.epochs)") == "5\n"
    finally:
        kc.stop_channels()
    started = time.monotonic()

    done = await wait_status(api, path, {"STOPPED", "FAILED", "SUCCEEDED"}, within=30)
    assert done["status"] == "STOPPED", done["reason"]
    assert done["reason"].startswith("idle for 2 s"), done["reason"]
    assert time.monotonic() - started < 15
    log = await full_log(api, path)  # (no dataset: train.py fails, the kernel stays up)
    assert "FileNotFoundError" in log and "the kernel keeps running" in log
    assert f"openi-task-{r.body['id']}" not in await _specs(jp_fetch)

    # the spec's time limit stops a debug task too (not a failure: the session ended)
    scheduler.debug_idle_timeout = 0
    r = await api.post(T, {"kind": "debug", "name": "timed", "spec": "cpu-2s"})
    assert r.status == 201, r.body
    done = await wait_status(api, f"{T}/{r.body['id']}", {"STOPPED", "FAILED"}, within=30)
    assert done["status"] == "STOPPED"
    assert done["reason"] == "time limit of 2 s exceeded"
