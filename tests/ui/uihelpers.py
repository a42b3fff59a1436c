"""Helpers shared by the browser tests."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import TimeoutError as PlaywrightTimeout

SIDEBAR_TAB = '.jp-SideBar [data-id="openi-lab-sidebar"]'


def open_sidebar(page: Any) -> None:
    """Make the OpenI sidebar visible, whatever the restored layout does meanwhile.

    JupyterLab restores the last layout asynchronously: a single "click if hidden" can race
    with the restorer and close the panel it was about to show, so check, click, re-check.
    """
    tab = page.locator(SIDEBAR_TAB)
    tab.wait_for(timeout=60_000)
    user = page.locator('[data-testid="openi-current-user"]')
    for _ in range(3):
        try:
            user.wait_for(state="visible", timeout=5_000)
            return
        except PlaywrightTimeout:
            if not user.is_visible():
                tab.click()
    user.wait_for(state="visible", timeout=15_000)
