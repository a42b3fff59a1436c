"""JupyterLab in real headless Chromium: cloud-brain images (云脑镜像).

Sidebar → Cloud brain → Images: empty at first; "New image" with a bad requirement shows the
server's reason under the requirements field; fixed, the image is listed as "Not built yet".
Then ``OpenI/aiforge`` → Cloud brain tab → New task: the image select offers it and says its
environment will be built when the first task starts. Screenshots in ``tests/artifacts/``.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from uihelpers import assert_within, open_sidebar

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_create_an_image_and_pick_it_for_a_task(demo_lab: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.goto(demo_lab)
    open_sidebar(page)
    section = page.locator('[data-testid="openi-images-section"]')
    section.wait_for(timeout=30_000)
    # "New image" is a button beside the search box, not a full-width box under it.
    new_image = section.locator('[data-testid="openi-new-image"]').bounding_box()
    search = section.locator('[data-testid="openi-image-search"]').bounding_box()
    assert new_image and search and abs(new_image["y"] - search["y"]) < 4, (new_image, search)
    section.locator('[data-testid="openi-new-image"]').click()
    form = section.locator('[data-testid="openi-new-image-form"]')
    # Fields, hints and buttons keep the section's side padding: nothing touches its edges.
    for field in form.locator("input, textarea, select, .openi-Field-hint, button").all():
        assert_within(field, section, margin=8)
    form.locator('[data-testid="openi-image-name"]').fill("sklearn-env")
    form.locator("textarea[name=description]").fill("scikit-learn for the course")
    requirements = form.locator('[data-testid="openi-image-requirements"]')
    requirements.fill("-e .")
    form.locator('[data-testid="openi-create-image"]').click()
    problem = form.locator('[data-testid="openi-field-error-requirements"]')
    problem.wait_for(timeout=15_000)
    assert "not allowed" in problem.inner_text()

    requirements.fill("scikit-learn==1.5.*\nnumpy>=1.26")
    form.locator('[data-testid="openi-create-image"]').click()
    form.wait_for(state="detached", timeout=15_000)
    item = section.locator('[data-testid="openi-image-item"]').filter(has_text="sklearn-env")
    item.wait_for(timeout=15_000)
    badge = item.locator('[data-testid="openi-image-env-state"]')
    assert badge.get_attribute("data-state") == "missing", badge.inner_text()
    assert "numpy>=1.26, scikit-learn==1.5.*" in item.inner_text()
    section.screenshot(path=str(ARTIFACTS / "openi-images.png"))

    projects = page.locator('[data-testid="openi-section-projects"]')
    projects.get_by_role("button", name="OpenI/aiforge", exact=True).click(timeout=30_000)
    view = page.locator('[data-testid="openi-project-view"]')
    view.wait_for(timeout=30_000)
    view.locator('[data-testid="openi-tab-cloudbrain"]').click()
    tab = view.locator('[data-testid="openi-tasks-tab"]')
    tab.wait_for(timeout=30_000)
    tab.locator('[data-testid="openi-task-kind-train"]').click()
    tab.locator('[data-testid="openi-new-task"]').click()
    task_form = tab.locator('[data-testid="openi-new-task-form"]')
    select = task_form.locator('[data-testid="openi-task-image"]')
    select.wait_for(timeout=30_000)
    assert select.input_value() == "local"
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=\"openi-task-image\"] option')]"
        ".some(o => o.value.endsWith('/sklearn-env'))",
        timeout=15_000,
    )
    value = select.locator("option", has_text="sklearn-env").get_attribute("value")
    assert value and value.endswith("/sklearn-env")
    select.select_option(value)
    state = task_form.locator('[data-testid="openi-task-image-state"]')
    state.wait_for(timeout=10_000)
    assert "built when the first task starts" in state.inner_text()
    task_form.screenshot(path=str(ARTIFACTS / "openi-task-image.png"))
