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


def assert_within(inner: Any, outer: Any, margin: float = 0) -> None:
    """``inner``'s box lies inside ``outer``'s, ``margin`` pixels from its sides at least."""
    a, b = inner.bounding_box(), outer.bounding_box()
    assert a and b, (a, b)
    assert a["x"] >= b["x"] + margin - 0.5, (a, b)
    assert a["x"] + a["width"] <= b["x"] + b["width"] - margin + 0.5, (a, b)


def assert_in_view(page: Any, locator: Any) -> None:
    """``locator`` is on screen and not covered: what a user sees without scrolling."""
    box = locator.bounding_box()
    assert box, "not rendered"
    size = page.viewport_size
    assert box["y"] >= 0 and box["y"] + box["height"] <= size["height"], (box, size)
    on_top = locator.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return el.contains(document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2)); }"
    )
    assert on_top, "covered or scrolled away inside its container"
