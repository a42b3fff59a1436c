"""JupyterLab in real headless Chromium: cloud-brain tasks (云脑任务) in the OpenI project view.

Open ``OpenI/aiforge`` → Cloud brain tab → Train sub-tab → New task: name ``smoke-1``, spec
``cpu-small``, boot file ``sh:echo hello-from-task && ls`` → the list shows it; its page shows
the status reach SUCCEEDED (the demo server's scheduler runs it) and the live log the echo.
Screenshot in ``tests/artifacts/openi-task.png``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from uihelpers import open_sidebar

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TASK = "smoke-1"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_train_task_runs_and_logs(demo_lab: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(demo_lab)
    open_sidebar(page)
    projects = page.locator('[data-testid="openi-section-projects"]')
    projects.get_by_role("button", name="OpenI/aiforge", exact=True).click(timeout=30_000)
    view = page.locator('[data-testid="openi-project-view"]')
    view.wait_for(timeout=30_000)
    view.locator('[data-testid="openi-tab-cloudbrain"]').click()
    tab = view.locator('[data-testid="openi-tasks-tab"]')
    tab.wait_for(timeout=30_000)
    tab.locator('[data-testid="openi-task-kind-train"]').click()
    tab.locator('[data-testid="openi-new-task"]').click()

    form = tab.locator('[data-testid="openi-new-task-form"]')
    form.wait_for(timeout=30_000)
    # One task is being made: the singular kind.
    assert form.locator("h3").inner_text() == "New task · Training task"
    name = form.locator('[data-testid="openi-task-name"]')
    # The default name is <username><yyyymmddHHMMss>.
    page.wait_for_function(
        "() => /^wangj\\d{14}$/.test("
        "document.querySelector('[data-testid=\"openi-task-name\"]').value)",
        timeout=30_000,
    )
    # Inline validation while typing.
    name.fill("bad name!")
    form.locator('[data-testid="openi-task-name-check"]').wait_for(timeout=10_000)
    name.fill(TASK)
    form.locator('[data-testid="openi-task-name-check"]').wait_for(state="detached")
    spec = form.locator('[data-testid="openi-task-spec"]')
    spec.wait_for(timeout=30_000)
    spec.select_option("cpu-small")
    form.locator('[data-testid="openi-task-boot-file"]').fill("sh:echo hello-from-task && ls")
    form.locator('[data-testid="openi-create-task"]').click()

    row = tab.locator('[data-testid="openi-task-row"]', has_text=TASK)
    row.wait_for(timeout=30_000)
    row.locator('[data-testid="openi-task-link"]').click()

    task_page = tab.locator('[data-testid="openi-task-page"]')
    task_page.wait_for(timeout=30_000)
    task_page.locator('[data-testid="openi-task-title"] [data-status="SUCCEEDED"]').wait_for(
        timeout=60_000
    )
    log = task_page.locator('[data-testid="openi-task-log"]')
    page.wait_for_function(
        "() => (document.querySelector('[data-testid=\"openi-task-log\"]') || {})"
        ".textContent?.includes('hello-from-task')",
        timeout=30_000,
    )
    assert "hello-from-task" in log.inner_text()
    assert task_page.locator('[data-testid="openi-task-kind"]').inner_text() == "Training task"
    timeline = task_page.locator('[data-testid="openi-task-timeline"]')
    assert timeline.locator('[data-status="SUCCEEDED"]').count() >= 1
    page.screenshot(path=str(ARTIFACTS / "openi-task.png"))
