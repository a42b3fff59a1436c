"""JupyterLab in real headless Chromium: the OpenI sidebar with the signed-in user.

The server is started with ``openi-lab demo`` itself (the README's first command), on a free
port with a fresh data directory; a screenshot lands in ``tests/artifacts/``.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def demo_lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root = tmp_path_factory.mktemp("lab")
    port, token = _free_port(), secrets.token_hex(16)
    log = (root / "lab.log").open("w")
    proc = subprocess.Popen(
        [
            sys.executable, "-m", "openi_lab", "demo", "--no-browser",
            "--port", str(port), "--data-dir", str(root / "data"), "--",
            f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
        env={**os.environ, "JUPYTER_CONFIG_DIR": str(root / "config")},
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((root / "lab.log").read_text()) from None
            time.sleep(0.5)
    else:
        proc.terminate()
        raise RuntimeError("JupyterLab did not start:\n" + (root / "lab.log").read_text())
    yield f"{base}/lab?token={token}"
    proc.terminate()
    proc.wait(timeout=30)
    log.close()


@pytest.fixture
def page() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        yield context.new_page()
        browser.close()


def test_sidebar_shows_the_signed_in_user_and_demo_projects(demo_lab: str, page) -> None:
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_lab)
    tab = page.locator('.jp-SideBar [data-id="openi-lab-sidebar"]')
    tab.wait_for(timeout=60_000)
    tab.click()
    user = page.locator('[data-testid="openi-current-user"]')
    user.wait_for(timeout=30_000)
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
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
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
        tab = page.locator('.jp-SideBar [data-id="openi-lab-sidebar"]')
        tab.wait_for(timeout=60_000)
        if not page.locator('[data-testid="openi-current-user"]').is_visible():
            tab.click()
        explore = page.locator('[data-testid="openi-section-explore"]')
        explore.get_by_text("探索").first.wait_for(timeout=30_000)
        projects = page.locator('[data-testid="openi-section-projects"]')
        assert "项目" in projects.inner_text()
        projects.get_by_text("OpenI/aiforge").wait_for(timeout=30_000)
        assert "更新于" in projects.inner_text()
        page.screenshot(path=str(ARTIFACTS / "openi-sidebar-zh.png"))
    finally:
        set_locale("en")
