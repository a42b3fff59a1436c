"""Pipelines: train → register → evaluate → inference in one click, on the local executor."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest

from gitutil import Git
from modelutil import numpy_python, project_with_model_code
from s3server import upload
from taskutil import task_config

P = "projects/alice/lab"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def pipeline_yaml(py: str, dataset: int, evaluate: str = "evaluate.py") -> str:
    return f"""\
name: lr
description: numpy logistic regression
steps:
  - name: train
    kind: train
    boot_file: "sh:{py} train.py"
    spec: cpu-small
    dataset: {dataset}
    params: {{epochs: 200}}
  - name: register
    kind: register
    model: lr-model
    tags: nightly
  - name: evaluate
    kind: evaluation
    boot_file: "sh:{py} {evaluate}"
    spec: cpu-small
    dataset: {dataset}
  - name: infer
    kind: inference
    boot_file: "sh:{py} infer.py"
    spec: cpu-small
    dataset: {dataset}
"""


async def wait_run(api, run_id: int, within: float = 90.0) -> dict:
    deadline = time.monotonic() + within
    while True:
        r = await api.get(f"{P}/pipeline-runs/{run_id}")
        assert r.status == 200, r.body
        if r.body["status"] != "RUNNING":
            return r.body  # type: ignore[no-any-return]
        assert time.monotonic() < deadline, r.body
        await asyncio.sleep(0.2)


async def _setup(api, platform, git, tmp_path, evaluate: str = "evaluate.py"):
    py = numpy_python()
    repo = await project_with_model_code(api, platform, git, tmp_path, py)
    f = await upload(api, "alice/lab", "points", "points.zip", repo.dataset)
    text = pipeline_yaml(py, f["id"], evaluate)
    await git.commit(repo.path, {"openi-pipeline.yaml": text}, "Add the pipeline")
    await git.ok("push", "-q", "origin", "main", cwd=repo.path)
    return py, f, text


async def test_a_pipeline_from_the_repository_runs_every_step_and_reuses_on_request(
    api, platform, git, tmp_path
):
    await _setup(api, platform, git, tmp_path)
    created = await api.post(f"{P}/pipelines", {"path": "openi-pipeline.yaml", "branch": "main"})
    assert created.status == 201, created.body
    assert created.body["name"] == "lr" and created.body["source"] == "repo"
    assert created.body["definition"]["steps"][1]["from"] == "train"  # filled in: the last
    assert [s["kind"] for s in created.body["definition"]["steps"]] == [
        "train", "register", "evaluation", "inference",
    ]  # fmt: skip

    started = await api.post(f"{P}/pipelines/lr/runs", {})
    assert started.status == 201, started.body
    assert started.body["number"] == 1 and started.body["steps"][0]["status"] == "RUNNING"
    assert [s["status"] for s in started.body["steps"][1:]] == ["PENDING"] * 3
    run = await wait_run(api, started.body["id"])
    assert run["status"] == "SUCCEEDED", run
    steps = {s["name"]: s for s in run["steps"]}
    assert all(s["status"] == "SUCCEEDED" for s in run["steps"])
    assert steps["register"]["model_version"] == "alice/lab/lr-model@0.0.1"
    assert steps["train"]["task_path"] == f"alice/lab/tasks/{steps['train']['task_id']}"
    # the steps ran in order: each started after the one before it finished
    order = [steps[n] for n in ("train", "register", "evaluate", "infer")]
    for before, after in itertools.pairwise(order):
        assert after["started_at"] >= before["finished_at"]
    ev = (await api.get(f"{P}/tasks/{steps['evaluate']['task_id']}")).body
    assert ev["kind"] == "evaluation" and ev["model_version"] == "alice/lab/lr-model@0.0.1"
    version = (await api.get(f"{P}/models/lr-model/versions/0.0.1")).body
    assert version["tags"] == ["nightly", "pipeline"] and version["metrics"]["accuracy"] > 0.8
    assert version["evaluations"][0]["metrics"]["eval_accuracy"] > 0.8

    # inputs unchanged and reuse asked: nothing runs again
    again = await api.post(f"{P}/pipelines/lr/runs", {"reuse": True})
    run2 = await wait_run(api, again.body["id"])
    assert run2["status"] == "SUCCEEDED" and run2["number"] == 2
    assert [s["status"] for s in run2["steps"]] == ["REUSED"] * 4
    assert [s["task_id"] for s in run2["steps"]] == [s["task_id"] for s in run["steps"]]
    assert run2["steps"][0]["reused_from_run"] == 1
    listing = (await api.get(f"{P}/pipelines")).body["items"][0]
    assert listing["last_run"]["number"] == 2
    runs = (await api.get(f"{P}/pipelines/lr/runs")).body
    assert [r["number"] for r in runs["items"]] == [2, 1]


async def test_a_failing_evaluation_fails_the_run_and_later_steps_never_start(
    api, platform, git, tmp_path
):
    py, f, _ = await _setup(api, platform, git, tmp_path, evaluate="fail_eval.py")
    definition = {
        "name": "broken",
        "steps": [
            {"name": "train", "kind": "train", "boot_file": f"sh:{py} train.py",
             "spec": "cpu-small", "dataset": f["id"]},
            {"name": "register", "kind": "register"},
            {"name": "evaluate", "kind": "evaluation", "boot_file": f"sh:{py} fail_eval.py",
             "spec": "cpu-small", "dataset": f["id"]},
            {"name": "infer", "kind": "inference", "boot_file": f"sh:{py} infer.py",
             "spec": "cpu-small", "dataset": f["id"]},
        ],
    }  # fmt: skip
    created = await api.post(f"{P}/pipelines", {"definition": definition})
    assert created.status == 201, created.body
    started = await api.post(f"{P}/pipelines/broken/runs", {})
    run = await wait_run(api, started.body["id"])
    assert run["status"] == "FAILED"
    assert [s["status"] for s in run["steps"]] == ["SUCCEEDED", "SUCCEEDED", "FAILED", "SKIPPED"]
    assert "evaluate" in run["reason"] and "FAILED" in run["reason"]
    assert run["steps"][3]["task_id"] is None
    await asyncio.sleep(0.5)  # a few scheduler passes later, still nothing started
    tasks = (await api.get(f"{P}/tasks", kind="inference")).body
    assert tasks["total"] == 0
    run = (await api.get(f"{P}/pipeline-runs/{run['id']}")).body
    assert run["steps"][3]["status"] == "SKIPPED"


async def test_definitions_are_checked_and_name_the_field(api, platform, git, tmp_path):
    await _setup(api, platform, git, tmp_path)
    no_train = {"name": "x", "steps": [{"name": "reg", "kind": "register"}]}
    r = await api.post(f"{P}/pipelines", {"definition": no_train})
    assert r.status == 422 and "train" in r.body["message"]
    no_boot = {"name": "x", "steps": [{"name": "t", "kind": "train", "spec": "cpu-small"}]}
    r = await api.post(f"{P}/pipelines", {"definition": no_boot})
    assert r.status == 422 and "boot_file" in r.body["message"]
    r = await api.post(f"{P}/pipelines", {"path": "nope.yaml"})
    assert r.status == 422 and r.body["errors"][0]["field"] == "path"
    r = await api.post(f"{P}/pipelines", {"path": "train.py"})  # Python is not a definition
    assert r.status == 422 and r.body["errors"][0]["field"].startswith("path")
    ok = await api.post(f"{P}/pipelines", {"path": "openi-pipeline.yaml"})
    assert ok.status == 201
    dup = await api.post(f"{P}/pipelines", {"path": "openi-pipeline.yaml"})
    assert dup.status == 409
    assert (await api.get(f"{P}/pipeline-runs/999")).status == 404
    assert (await api.delete(f"{P}/pipelines/lr")).status == 204
