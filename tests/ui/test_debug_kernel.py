"""JupyterLab in real headless Chromium: a debug task (调试任务) is a kernel notebooks run on.

Open ``OpenI/aiforge`` → Cloud brain → Debug tasks → New task (no boot file) → its page shows
RUNNING → "Open notebook" opens a notebook whose kernel is "OpenI · dbg-ui · cpu-small"; a cell
runs in the task (its code directory) → the launcher lists the kernel → Stop → the kernel
leaves the launcher. Screenshot in ``tests/artifacts/openi-debug-kernel.png``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from playwright.sync_api import expect

from uihelpers import open_sidebar

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
TASK = "dbg-ui"
KERNEL = f"OpenI · {TASK} · cpu-small"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_debug_task_opens_a_notebook_on_its_kernel(demo_lab: str, page) -> None:
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
    tab.locator('[data-testid="openi-task-kind-debug"]').click()
    tab.locator('[data-testid="openi-new-task"]').click()

    form = tab.locator('[data-testid="openi-new-task-form"]')
    form.wait_for(timeout=30_000)
    form.locator('[data-testid="openi-task-name"]').fill(TASK)
    spec = form.locator('[data-testid="openi-task-spec"]')
    spec.wait_for(timeout=30_000)
    spec.select_option("cpu-small")
    assert form.locator('[data-testid="openi-task-boot-file"]').input_value() == ""
    form.locator('[data-testid="openi-create-task"]').click()  # no boot file needed

    row = tab.locator('[data-testid="openi-task-row"]', has_text=TASK)
    row.wait_for(timeout=30_000)
    row.locator('[data-testid="openi-task-link"]').click()
    task_page = tab.locator('[data-testid="openi-task-page"]')
    task_page.locator('[data-testid="openi-task-title"] [data-status="RUNNING"]').wait_for(
        timeout=60_000
    )
    # the kernel says so in the task's live log once it listens (a fresh install compiles
    # ipykernel's modules on this first start)
    task_page.locator('[data-testid="openi-task-log"]', has_text="kernel ready").wait_for(
        timeout=120_000
    )

    task_page.locator('[data-testid="openi-task-page-open-notebook"]').click()
    panel = page.locator(".jp-NotebookPanel:visible")
    panel.wait_for(timeout=30_000)
    panel.locator(".jp-Toolbar-kernelName", has_text=KERNEL).wait_for(timeout=120_000)
    page.get_by_text(f"{KERNEL} | Idle").wait_for(timeout=60_000)  # connected to it
    cell = panel.locator(".jp-Cell .cm-content").first
    cell.click()
    page.keyboard.type("import os; print('cwd=' + os.getcwd(), os.environ['OPENI_TASK_ID'])")
    page.keyboard.press("Shift+Enter")
    output = panel.locator(".jp-OutputArea-output", has_text="cwd=")
    output.wait_for(timeout=60_000)
    # it ran in the task: the working directory is the task's code
    assert re.search(r"cwd=\S+/tasks/(\d+)/code \1", output.first.inner_text())
    page.screenshot(path=str(ARTIFACTS / "openi-debug-kernel.png"))

    # the launcher lists the running task's kernel
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-addButton:visible").first.click()
    launcher = page.locator(".jp-Launcher:visible")
    launcher.wait_for(timeout=30_000)
    launcher.locator(".jp-LauncherCard", has_text=KERNEL).first.wait_for(timeout=30_000)

    # stopping the task takes it out of the launcher
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-tab", has_text="aiforge").first.click()
    view.locator('[data-testid="openi-task-page-stop"]').click()
    task_page.locator('[data-testid="openi-task-title"] [data-status="STOPPED"]').wait_for(
        timeout=60_000
    )
    page.locator(".lm-DockPanel-tabBar .lm-TabBar-addButton:visible").first.click()
    launcher = page.locator(".jp-Launcher:visible")
    launcher.wait_for(timeout=30_000)
    expect(launcher.locator(".jp-LauncherCard", has_text=KERNEL)).to_have_count(0, timeout=30_000)
