"""Notebook boot files: run with nbclient, parameters injected, the executed notebook kept."""

from __future__ import annotations

import nbformat
import pytest

from gitutil import Git
from taskutil import full_log, openi_app, task_config, token, wait_status

T = "projects/alice/nb/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


def _notebook(*cells: tuple[str, list[str]]) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src, metadata={"tags": tags}) for src, tags in cells]
    return nbformat.writes(nb)


TRAIN_NB = _notebook(
    ("import os, pathlib", []),
    ("epochs = 1", ["parameters"]),
    (
        "print(f'epochs={epochs} lr={lr!r}')\n"
        "pathlib.Path(os.environ['OPENI_MODEL_DIR'], 'out.txt').write_text(str(epochs))",
        [],
    ),
)
FAIL_NB = _notebook(("print('before')", []), ("raise ValueError('loss is NaN')", []))


async def _project(api, platform, git, tmp_path) -> None:
    from jupyter_server.serverapp import ServerApp

    await openi_app(ServerApp.instance()).start_scheduler()
    assert (await api.post("projects", {"name": "nb", "auto_init": True})).status == 201
    repo = tmp_path / "clone-nb"
    secret = await token(platform, "alice")
    await git.ok("clone", "-q", git.url("alice/nb", secret), str(repo))
    await git.commit(repo, {"nb/train.ipynb": TRAIN_NB, "fail.ipynb": FAIL_NB}, "notebooks")
    await git.ok("push", "-q", "origin", "main", cwd=repo)


def _task(**over):
    body = {"name": "nb-1", "spec": "cpu-small", "boot_file": "nb/train.ipynb"}
    body.update(over)
    return body


async def test_notebook_runs_with_injected_parameters(api, platform, git, tmp_path):
    await _project(api, platform, git, tmp_path)
    params = [{"name": "epochs", "value": "3"}, {"name": "lr", "value": "fast"}]
    r = await api.post(T, _task(params=params))
    assert r.status == 201, r.body
    path = f"{T}/{r.body['id']}"
    done = await wait_status(api, path, {"SUCCEEDED", "FAILED"}, within=90)
    log = await full_log(api, path)
    assert done["status"] == "SUCCEEDED", (done["reason"], log)
    assert "epochs=3 lr='fast'" in log
    outputs = {o["path"] for o in (await api.get(f"{path}/outputs")).body}
    assert outputs == {"out.txt", "train.executed.ipynb"}
    assert (await _raw(api, f"{path}/outputs/download", "out.txt")) == "3"
    executed = nbformat.reads(
        (await _raw(api, f"{path}/outputs/download", "train.executed.ipynb")), as_version=4
    )
    tags = [c.metadata.get("tags", []) for c in executed.cells]
    assert tags[2] == ["injected-parameters"]  # right after the ``parameters`` cell
    assert "epochs = 3" in executed.cells[2].source and "lr = 'fast'" in executed.cells[2].source
    assert executed.cells[3].outputs[0]["text"] == "epochs=3 lr='fast'\n"


async def _raw(api, route: str, name: str) -> str:
    parts = ["openi", "api", "v1", *route.split("/")]
    resp = await api.fetch(*parts, params={"path": name}, headers=api.headers)
    return resp.body.decode()  # type: ignore[no-any-return]


async def test_failing_notebook_fails_with_the_error_in_the_log_tail(api, platform, git, tmp_path):
    await _project(api, platform, git, tmp_path)
    r = await api.post(T, _task(name="nb-fail", boot_file="fail.ipynb"))
    assert r.status == 201, r.body
    path = f"{T}/{r.body['id']}"
    done = await wait_status(api, path, {"SUCCEEDED", "FAILED"}, within=90)
    assert done["status"] == "FAILED" and done["exit_code"] == 1
    assert "ValueError: loss is NaN" in done["reason"]
    assert "before" in await full_log(api, path)
    outputs = {o["path"] for o in (await api.get(f"{path}/outputs")).body}
    assert outputs == {"fail.executed.ipynb"}


async def test_notebook_boot_file_must_exist(api, platform, git, tmp_path):
    await _project(api, platform, git, tmp_path)
    r = await api.post(T, _task(boot_file="missing.ipynb"))
    assert r.status == 422 and r.body["errors"][0]["field"] == "boot_file"
