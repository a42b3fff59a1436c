"""Helpers of the cloud-brain task tests: a project with code pushed by git, polling."""

from __future__ import annotations

import asyncio
import io
import time
import zipfile
from pathlib import Path
from typing import Any

from apiclient import ApiClient
from gitutil import Git

SPECS: list[dict[str, Any]] = [
    {"id": "cpu-small", "compute": "CPU", "cpu": 1, "memory_gib": 0.1, "queue": "cpu"},
    {
        "id": "cpu-2s",
        "compute": "CPU",
        "cpu": 1,
        "memory_gib": 0.1,
        "queue": "cpu-2s",
        "time_limit": 2,
    },
    {
        "id": "gpu-t4",
        "compute": "GPU",
        "accelerator": "T4",
        "cards": 1,
        "cpu": 1,
        "memory_gib": 0.1,
    },
    {
        "id": "npu-910",
        "compute": "NPU",
        "accelerator": "Ascend-910",
        "cards": 1,
        "cpu": 1,
        "memory_gib": 0.1,
    },
]

TRAIN = """\
import argparse, os, pathlib
parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=1)
args = parser.parse_args()
data = pathlib.Path(os.environ["OPENI_DATASET_DIR"])
text = (data / "data.txt").read_text().strip()
print(f"epochs={args.epochs} data={text}")
out = pathlib.Path(os.environ["OPENI_MODEL_DIR"]) / "model.txt"
out.write_text(f"trained {args.epochs} on {text}\\n")
"""

SLEEPER = """\
import os, pathlib, subprocess, sys, time
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
pathlib.Path(os.environ["OPENI_MODEL_DIR"], "child.pid").write_text(str(child.pid))
print("ready", flush=True)
time.sleep(float(sys.argv[1].split("=")[1]) if len(sys.argv) > 1 else 60)
child.kill()
print("done", flush=True)
"""

FAIL = """\
import sys
print("loading the data")
print("boom: the loss is NaN")
sys.exit(3)
"""

DEVICE = """\
import os, sys, time
print("start", time.time(), os.environ["CUDA_VISIBLE_DEVICES"], flush=True)
time.sleep(0.8)
print("end", time.time(), flush=True)
"""


def task_config(config: dict[str, Any]) -> dict[str, Any]:
    config["OpeniLabApp"].update(
        resource_specs=SPECS,
        declared_devices=[{"kind": "GPU", "type": "T4", "ids": ["0", "1"]}],
        scheduler_interval=0.05,
        max_concurrent_tasks=10,
    )
    return config


def dataset_zip(text: str = "hello-data") -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("data.txt", text + "\n")
    return buf.getvalue()


async def token(platform: Any, username: str) -> str:
    from openi_lab import schemas as s

    user = await platform.accounts.ensure_user(username)
    created = await platform.tokens.create(
        user, s.TokenCreate(name="git", scopes=["read", "write"])
    )
    return str(created.token)


def openi_app(serverapp: Any) -> Any:
    return serverapp.web_app.settings["openi_lab"]


async def project_with_code(
    api: ApiClient, platform: Any, git: Git, tmp_path: Path, name: str = "lab"
) -> str:
    """alice/<name> with train.py, sleep.py, fail.py and device.py pushed to main; the
    scheduler started (pytest-jupyter does not start extensions)."""
    from jupyter_server.serverapp import ServerApp

    await openi_app(ServerApp.instance()).start_scheduler()
    created = await api.post("projects", {"name": name, "auto_init": True})
    assert created.status == 201, created.body
    secret = await token(platform, "alice")
    repo = tmp_path / f"clone-{name}"
    await git.ok("clone", "-q", git.url(f"alice/{name}", secret), str(repo))
    files = {"train.py": TRAIN, "sleep.py": SLEEPER, "fail.py": FAIL, "device.py": DEVICE}
    sha = await git.commit(repo, files, "Add the scripts")
    await git.ok("push", "-q", "origin", "main", cwd=repo)
    return sha


async def wait_status(
    api: ApiClient, path: str, statuses: set[str], within: float = 30.0
) -> dict[str, Any]:
    deadline = time.monotonic() + within
    while True:
        r = await api.get(path)
        assert r.status == 200, r.body
        if r.body["status"] in statuses:
            return r.body  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, f"still {r.body['status']}: {r.body['reason']}"
        await asyncio.sleep(0.1)


async def full_log(api: ApiClient, path: str) -> str:
    r = await api.get(f"{path}/logs", offset=0)
    assert r.status == 200, r.body
    return str(r.body["text"])
