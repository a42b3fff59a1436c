"""JupyterLab in real headless Chromium: "Run as training task" (作为训练任务运行).

A notebook outside any clone (``oneclick.ipynb`` in the Jupyter root) → its toolbar button →
the dialog: project ``OpenI/aiforge``, spec ``cpu-small``, parameter ``epochs=3`` → Run → the
task's page opens in the main area, follows the live log over the event stream and reaches
SUCCEEDED with the notebook's output; it says the task runs a notebook snapshot. Clicking the
button again pre-fills the dialog from that task. Screenshots in
``tests/artifacts/openi-oneclick-*.png``.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

NOTEBOOK = {
    "nbformat": 4,
    "nbformat_minor": 5,
    "metadata": {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    },
    "cells": [
        {
            "id": "params",
            "cell_type": "code",
            "metadata": {"tags": ["parameters"]},
            "execution_count": None,
            "outputs": [],
            "source": "epochs = 1",
        },
        {
            "id": "work",
            "cell_type": "code",
            "metadata": {},
            "execution_count": None,
            "outputs": [],
            "source": "print(f'oneclick-epochs={epochs}')",
        },
    ],
}


def _put_notebook(lab_url: str, path: str) -> str:
    """Write the notebook through the contents API; → the URL that opens it in the lab."""
    parts = urlsplit(lab_url)
    base = f"{parts.scheme}://{parts.netloc}"
    body = json.dumps({"type": "notebook", "format": "json", "content": NOTEBOOK}).encode()
    req = urllib.request.Request(
        f"{base}/api/contents/{path}?{parts.query}", data=body, method="PUT"
    )
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=30) as resp:
        assert resp.status in (200, 201)
    return f"{base}/lab/tree/{path}?{parts.query}"


def test_run_notebook_as_training_task(demo_lab: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(_put_notebook(demo_lab, "oneclick.ipynb"))
    button = page.locator('.jp-NotebookPanel [data-testid="openi-run-as-task"]')
    button.first.wait_for(timeout=60_000)
    button.first.click()

    form = page.locator('[data-testid="openi-oneclick-form"]')
    form.wait_for(timeout=30_000)
    source = form.locator('[data-testid="openi-oneclick-source"]')
    assert "snapshot" in source.inner_text()
    assert form.locator('[data-testid="openi-oneclick-name"]').input_value().startswith("oneclick-")
    form.locator('[data-testid="openi-oneclick-project"]').fill("OpenI/aiforge")
    form.locator('[data-testid="openi-oneclick-spec"]').select_option("cpu-small")
    form.locator('[data-testid="openi-oneclick-add-param"]').click()
    param = form.locator('[data-testid="openi-oneclick-param"]').first
    param.locator("input").nth(0).fill("epochs")
    param.locator("input").nth(1).fill("3")
    page.screenshot(path=str(ARTIFACTS / "openi-oneclick-dialog.png"))
    assert page.locator(".jp-Dialog-footer").inner_text().split() == ["Cancel", "Run"]
    # Enter in a field runs the task (it used to cancel the dialog)
    form.locator('[data-testid="openi-oneclick-name"]').press("Enter")

    task_page = page.locator('[data-testid="openi-task-widget"] [data-testid="openi-task-page"]')
    task_page.wait_for(timeout=30_000)
    assert task_page.locator('[data-testid="openi-task-snapshot"]').count() == 1
    task_page.locator('[data-testid="openi-task-title"] [data-status="SUCCEEDED"]').wait_for(
        timeout=120_000
    )
    page.wait_for_function(
        "() => (document.querySelector("
        '\'[data-testid="openi-task-widget"] [data-testid="openi-task-log"]\') || {})'
        ".textContent?.includes('oneclick-epochs=3')",
        timeout=30_000,
    )
    log = task_page.locator('[data-testid="openi-task-log"]')
    assert log.get_attribute("data-mode") == "stream"  # the event stream, not polling
    outputs = task_page.locator('[data-testid="openi-task-outputs"]')
    outputs.wait_for(timeout=30_000)
    assert "oneclick.executed.ipynb" in outputs.inner_text()
    page.screenshot(path=str(ARTIFACTS / "openi-oneclick-task.png"))

    # the next run starts from this one
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="oneclick.ipynb").click()
    page.locator('.jp-NotebookPanel [data-testid="openi-run-as-task"]').first.click()
    form = page.locator('[data-testid="openi-oneclick-form"]')
    form.wait_for(timeout=30_000)
    form.locator('[data-testid="openi-oneclick-prefilled"]').wait_for(timeout=10_000)
    assert form.locator('[data-testid="openi-oneclick-project"]').input_value() == "OpenI/aiforge"
    assert form.locator('[data-testid="openi-oneclick-spec"]').input_value() == "cpu-small"
    param = form.locator('[data-testid="openi-oneclick-param"]').first
    assert param.locator("input").nth(1).input_value() == "3"


def _api(lab_url: str, method: str, path: str, body: dict) -> dict:
    parts = urlsplit(lab_url)
    req = urllib.request.Request(
        f"{parts.scheme}://{parts.netloc}/openi/api/v1/{path}?{parts.query}",
        data=json.dumps(body).encode(),
        method=method,
    )
    req.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(req, timeout=60) as resp:
        return json.loads(resp.read() or b"null")  # type: ignore[no-any-return]


def test_notebook_in_a_clone_is_committed_pushed_and_run(demo_lab: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _api(demo_lab, "POST", "projects/OpenI/aiforge/workspace-clone", {"path": "aiforge"})
    page.goto(_put_notebook(demo_lab, "aiforge/clone-nb.ipynb"))
    # the restored layout may hold the first test's notebook too: use this one's toolbar
    tab = page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="clone-nb.ipynb")
    tab.wait_for(timeout=60_000)
    tab.click()
    button = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) [data-testid="openi-run-as-task"]')
    button.wait_for(timeout=60_000)
    button.click()

    form = page.locator('[data-testid="openi-oneclick-form"]')
    form.wait_for(timeout=30_000)
    source = form.locator('[data-testid="openi-oneclick-source"]').inner_text()
    assert "clone-nb.ipynb" in source and "OpenI/aiforge" in source
    assert form.locator('[data-testid="openi-oneclick-project"]').count() == 0
    dirty = form.locator('[data-testid="openi-oneclick-dirty"]')
    assert "clone-nb.ipynb" in dirty.inner_text()
    assert form.locator('[data-testid="openi-oneclick-commit"]').is_checked()
    form.locator('[data-testid="openi-oneclick-message"]').fill("Add clone-nb from the lab")
    form.locator('[data-testid="openi-oneclick-spec"]').select_option("cpu-small")
    page.screenshot(path=str(ARTIFACTS / "openi-oneclick-clone-dialog.png"))
    page.locator('.jp-Dialog [data-testid="openi-oneclick-run"]').click()

    task_page = page.locator('[data-testid="openi-task-widget"] [data-testid="openi-task-page"]')
    task_page.wait_for(timeout=30_000)
    task_page.locator('[data-testid="openi-task-title"] [data-status="SUCCEEDED"]').wait_for(
        timeout=120_000
    )
    assert task_page.locator('[data-testid="openi-task-snapshot"]').count() == 0
    page.wait_for_function(
        "() => [...document.querySelectorAll("
        '\'[data-testid="openi-task-widget"] [data-testid="openi-task-log"]\')]'
        ".some(e => e.textContent.includes('oneclick-epochs=3'))",
        timeout=30_000,
    )
    # the commit is on the platform: the task ran it
    parts = urlsplit(demo_lab)
    url = (
        f"{parts.scheme}://{parts.netloc}/openi/api/v1/projects/OpenI/aiforge/commits?{parts.query}"
    )
    with urllib.request.urlopen(url, timeout=30) as resp:
        commits = json.loads(resp.read())
    assert commits["items"][0]["summary"] == "Add clone-nb from the lab"
    assert commits["items"][0]["short_sha"] in task_page.inner_text()
