"""Helpers of the model registry tests: a tiny real model (numpy logistic regression)."""

from __future__ import annotations

import functools
import io
import random
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from apiclient import ApiClient
from gitutil import Git
from taskutil import openi_app, token, wait_status

TRAIN = """\
import argparse, json, os, pathlib, pickle
import numpy as np
p = argparse.ArgumentParser()
p.add_argument("--epochs", type=int, default=100)
args = p.parse_args()
data = np.loadtxt(pathlib.Path(os.environ["OPENI_DATASET_DIR"]) / "points.csv", delimiter=",")
x, y = data[:, :2], data[:, 2]
w, b = np.zeros(2), 0.0
for _ in range(args.epochs):
    z = 1 / (1 + np.exp(-(x @ w + b)))
    w -= 0.1 * x.T @ (z - y) / len(y)
    b -= 0.1 * float(np.mean(z - y))
z = 1 / (1 + np.exp(-(x @ w + b)))
loss = float(-np.mean(y * np.log(z + 1e-9) + (1 - y) * np.log(1 - z + 1e-9)))
acc = float(np.mean((z > 0.5) == y))
out = pathlib.Path(os.environ["OPENI_MODEL_DIR"])
(out / "model.pkl").write_bytes(pickle.dumps({"w": w.tolist(), "b": b}))
(out / "metrics.json").write_text(json.dumps({"accuracy": acc, "loss": loss}))
print(f"accuracy={acc:.3f} loss={loss:.3f}")
"""

_LOAD = """\
import json, os, pathlib, pickle
import numpy as np
pretrained = pathlib.Path(os.environ["OPENI_PRETRAIN_MODEL_DIR"])
model = pickle.loads((pretrained / "model.pkl").read_bytes())
data = np.loadtxt(pathlib.Path(os.environ["OPENI_DATASET_DIR"]) / "points.csv", delimiter=",")
z = 1 / (1 + np.exp(-(data[:, :2] @ np.array(model["w"]) + model["b"])))
out = pathlib.Path(os.environ["OPENI_MODEL_DIR"])
"""
EVALUATE = (
    _LOAD
    + """\
acc = float(np.mean((z > 0.5) == data[:, 2]))
(out / "metrics.json").write_text(json.dumps({"eval_accuracy": acc}))
print(f"eval_accuracy={acc:.3f}")
"""
)
INFER = (
    _LOAD
    + """\
(out / "pred.csv").write_text("\\n".join(str(int(v > 0.5)) for v in z) + "\\n")
"""
)
FAIL = "import sys\nprint('evaluation broke')\nsys.exit(2)\n"
CODE = {"train.py": TRAIN, "evaluate.py": EVALUATE, "infer.py": INFER, "fail_eval.py": FAIL}


@functools.cache
def _find_numpy_python() -> str | None:
    for candidate in (sys.executable, shutil.which("python3"), "/usr/bin/python3"):
        if not candidate:
            continue
        probe = subprocess.run(
            [candidate, "-c", "import numpy, sys; print(sys.executable)"],
            capture_output=True,
            text=True,
        )
        if probe.returncode == 0:
            return probe.stdout.strip()
    return None


def numpy_python() -> str:
    """An interpreter with numpy for the model's tasks (``sh:<python> train.py``)."""
    found = _find_numpy_python()
    if found is None:  # numpy is a test dependency: its absence is a broken install
        pytest.fail("no Python with numpy here; install the test extra (make install)")
    return found


def points_zip(n: int = 200, seed: int = 7) -> bytes:
    """Two separable blobs of 2-D points with 0/1 labels, as ``points.csv`` in a zip."""
    rnd = random.Random(seed)
    rows = []
    for i in range(n):
        label = i % 2
        cx = 2.0 if label else -2.0
        rows.append(f"{rnd.gauss(cx, 1.0):.4f},{rnd.gauss(cx, 1.0):.4f},{label}")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("points.csv", "\n".join(rows) + "\n")
    return buf.getvalue()


@dataclass
class ModelRepo:
    path: Path
    commit: str
    dataset: bytes


async def project_with_model_code(
    api: ApiClient, platform: Any, git: Git, tmp_path: Path, py: str, name: str = "lab"
) -> ModelRepo:
    """alice/<name> with the model's scripts on main and an empty dataset ``points``; the
    scheduler started."""
    from jupyter_server.serverapp import ServerApp

    await openi_app(ServerApp.instance()).start_scheduler()
    created = await api.post("projects", {"name": name, "auto_init": True})
    assert created.status == 201, created.body
    assert (await api.post(f"projects/alice/{name}/datasets", {"name": "points"})).status == 201
    secret = await token(platform, "alice")
    repo = tmp_path / f"clone-{name}"
    await git.ok("clone", "-q", git.url(f"alice/{name}", secret), str(repo))
    sha = await git.commit(repo, dict(CODE), "Add the model's scripts")
    await git.ok("push", "-q", "origin", "main", cwd=repo)
    return ModelRepo(repo, sha, points_zip())


async def train_and_wait(
    api: ApiClient, py: str, dataset_id: int, name: str, project: str = "alice/lab"
) -> dict[str, Any]:
    body = {
        "name": name,
        "spec": "cpu-small",
        "branch": "main",
        "boot_file": f"sh:{py} train.py",
        "dataset": dataset_id,
        "params": [{"name": "epochs", "value": "300"}],
    }
    r = await api.post(f"projects/{project}/tasks", body)
    assert r.status == 201, r.body
    return await wait_status(
        api, f"projects/{project}/tasks/{r.body['id']}", {"SUCCEEDED", "FAILED"}, 60
    )
