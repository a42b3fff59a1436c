"""JupyterLab in real headless Chromium: the OpenI sidebar with the signed-in user.

The server is started with ``openi-lab demo`` itself (the README's first command), on a free
port with a fresh data directory; a screenshot lands in ``tests/artifacts/``.
"""

from __future__ import annotations

import shutil
import urllib.request
from pathlib import Path

import pytest

from uihelpers import open_sidebar

# The demo server and the page are fixtures of conftest.py, shared with the other UI tests.
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def test_sidebar_shows_the_signed_in_user_and_demo_projects(demo_lab: str, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_lab)
    open_sidebar(page)
    page.wait_for_function(
        "document.querySelector('[data-testid=\"openi-current-user\"]').textContent"
        ".includes('wangj')",
        timeout=30_000,
    )
    sections = page.locator('[data-testid^="openi-section-"]')
    keys = [sections.nth(i).get_attribute("data-testid") for i in range(sections.count())]
    assert keys == [
        f"openi-section-{k}"
        for k in ("explore", "projects", "datasets", "cloudbrain", "models", "dashboard")
    ], keys
    projects = page.locator('[data-testid="openi-section-projects"]')
    projects.get_by_text("OpenI/aiforge").wait_for(timeout=30_000)
    assert "vision-lab/segmenter" in projects.inner_text()  # wangj is an admin: sees private
    page.locator('[data-testid="openi-section-explore"]').get_by_text("MindSpore").first.wait_for()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "openi-sidebar.png"))
    assert not errors, errors


def test_palette_commands_are_registered(demo_lab: str, page) -> None:
    page.goto(demo_lab)
    page.locator(".jp-LabShell").wait_for(timeout=60_000)
    palette = page.locator(".lm-CommandPalette-input")
    for _ in range(6):  # the shortcut works once the application has finished starting
        page.keyboard.press("Control+Shift+C")
        try:
            palette.wait_for(timeout=10_000)
            break
        except Exception:
            continue
    palette.wait_for(timeout=10_000)
    palette.fill("OpenI")
    items = page.locator(".lm-CommandPalette-item")
    items.first.wait_for(timeout=10_000)
    labels = items.all_inner_texts()
    assert any("Open OpenI sidebar" in t for t in labels), labels
    assert any("Refresh OpenI" in t for t in labels), labels
    assert any("OpenI API document" in t for t in labels), labels


def test_sidebar_speaks_chinese_when_jupyterlab_does(demo_lab: str, page) -> None:
    """Settings → Language → 中文: the sidebar follows JupyterLab's translator."""
    import json

    base, token = demo_lab.split("/lab?token=")
    url = f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin"
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}

    def set_locale(locale: str) -> None:
        body = json.dumps({"raw": json.dumps({"locale": locale})})
        req = urllib.request.Request(url, data=body.encode(), headers=headers, method="PUT")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204

    set_locale("zh_CN")
    try:
        page.goto(demo_lab)
        open_sidebar(page)
        explore = page.locator('[data-testid="openi-section-explore"]')
        explore.get_by_text("探索").first.wait_for(timeout=30_000)
        projects = page.locator('[data-testid="openi-section-projects"]')
        assert "项目" in projects.inner_text()
        projects.get_by_text("OpenI/aiforge").wait_for(timeout=30_000)
        assert "更新于" in projects.inner_text()
        page.screenshot(path=str(ARTIFACTS / "openi-sidebar-zh.png"))
    finally:
        set_locale("en")


# The placeholder's text width against the box's inner width.
PLACEHOLDER_FITS = """el => {
  const s = getComputedStyle(el);
  const ctx = document.createElement('canvas').getContext('2d');
  ctx.font = s.font;
  const inner = el.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
  return ctx.measureText(el.placeholder).width <= inner;
}"""


def test_project_filters_fit_and_new_project_dialog_keeps_its_actions_together(
    demo_lab: str, page
) -> None:
    page.goto(demo_lab)
    open_sidebar(page)
    projects = page.locator('[data-testid="openi-section-projects"]')
    projects.get_by_text("OpenI/aiforge").wait_for(timeout=30_000)
    # The filter chips stay on one line; the search box shows its whole placeholder.
    tops = {
        round(projects.locator(f'[data-testid="openi-project-filter-{key}"]').bounding_box()["y"])
        for key in ("all", "mine", "orgs", "starred")
    }
    assert len(tops) == 1, tops
    assert projects.locator('[data-testid="openi-project-search"]').evaluate(PLACEHOLDER_FITS)

    # New project: labels above their fields; Cancel and "Create project" in the footer.
    projects.locator('[data-testid="openi-new-project"]').click()
    form = page.locator('[data-testid="openi-new-project-form"]')
    form.wait_for(timeout=10_000)
    owner = form.locator("label", has_text="Owner")
    assert owner.locator("span").bounding_box()["y"] < owner.locator("select").bounding_box()["y"]
    assert page.locator(".jp-Dialog-footer").inner_text().split() == ["Cancel", "Create", "project"]
    assert form.locator("button").count() == 0
    # Enter in the name field creates the project (it used to cancel the dialog).
    name = form.locator('input[name="name"]')
    name.fill("enter-made")
    name.press("Enter")
    form.wait_for(state="detached", timeout=30_000)
    view = page.locator('[data-testid="openi-project-view"]')
    view.locator('[data-testid="openi-project-header"]').get_by_text("enter-made").first.wait_for(
        timeout=30_000
    )
