"""JupyterLab in real headless Chromium: unified search, the digital dashboard and Explore.

- Search from the sidebar's box (English ``aiforge``, then Chinese ``图像`` against a project
  created through the API with the description "图像分类…"): results grouped by type with
  counts and ``<mark>``ed matches; clicking a hit opens the project view.
- Dashboard: after an index recomputation (API, as the demo admin) the sidebar opens the
  dashboard; its charts (Chart.js canvases) are drawn, the ranking lists the projects, a row
  shows that project's radar, contributions and history. Screenshots in
  ``tests/artifacts/openi-dashboard.png`` and ``openi-dashboard-index.png``.
- Explore: the sidebar's feed shows the demo's event sentences with links; the project link
  opens the project, the actor link opens the user page; the projects square sorts by index.
"""

from __future__ import annotations

import json
import shutil
import urllib.request
from pathlib import Path

import pytest

from uihelpers import open_sidebar

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]

# Whether a canvas has drawn pixels (a chart, not an empty box).
CANVAS_DRAWN = """(selector) => {
  const canvas = document.querySelector(selector);
  if (!canvas || !canvas.width || !canvas.height) return false;
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < data.length; i += 4) if (data[i] > 0) painted++;
  return painted > 500;
}"""


def _api(demo_lab: str, method: str, path: str, body: object | None = None) -> object:
    """Calls the OpenI REST API as the demo user (wangj, an admin) with the lab's token."""
    base, token = demo_lab.split("/lab?token=")
    req = urllib.request.Request(
        f"{base}/openi/api/v1/{path}",
        data=None if body is None else json.dumps(body).encode(),
        headers={"Authorization": f"token {token}", "Content-Type": "application/json"},
        method=method,
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        text = resp.read().decode()
    return json.loads(text) if text else None


def _start_task(demo_lab: str, name: str) -> None:
    """A CPU training task in OpenI/aiforge, which the demo server's scheduler runs."""
    _api(
        demo_lab,
        "POST",
        "projects/OpenI/aiforge/tasks",
        {"name": name, "spec": "cpu-small", "boot_file": "sh:echo hello"},
    )


def _search_from_sidebar(page, query: str) -> None:
    box = page.locator('[data-testid="openi-search-input"]')
    box.fill(query)
    box.press("Enter")


def test_search_from_sidebar_in_english_and_chinese_opens_a_project(demo_lab: str, page) -> None:
    _api(demo_lab, "POST", "projects", {"name": "img-cls", "description": "图像分类 baseline"})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(demo_lab)
    open_sidebar(page)

    _search_from_sidebar(page, "aiforge")
    results = page.locator('[data-testid="openi-search-view"]')
    results.wait_for(timeout=30_000)
    group = results.locator('[data-testid="openi-search-group-projects"]')
    group.wait_for(timeout=30_000)
    hit = group.locator('[data-testid="openi-search-hit"]', has_text="OpenI/aiforge")
    assert hit.locator("mark").first.inner_text().lower() == "aiforge"
    assert int(results.locator('[data-testid="openi-search-count-projects"]').inner_text()) >= 1
    assert results.locator('[data-testid="openi-search-count-users"]').inner_text() == "0"

    # A Chinese query, on the projects tab: the hit highlights the Chinese words.
    _search_from_sidebar(page, "图像")
    results.locator('[data-testid="openi-search-tab-projects"]').click()
    hit = results.locator('[data-testid="openi-search-hit"]', has_text="wangj/img-cls")
    hit.wait_for(timeout=30_000)
    assert hit.locator("mark").first.inner_text() == "图像"
    assert "图像分类" in hit.inner_text()
    page.screenshot(path=str(ARTIFACTS / "openi-search.png"))

    hit.locator('[data-testid="openi-search-hit-link"]').click()
    view = page.locator('[data-testid="openi-project-view"]', has_text="img-cls")
    view.wait_for(timeout=30_000)
    assert not errors, errors


def test_an_issue_hit_opens_its_project_on_the_issues_tab(demo_lab: str, page) -> None:
    _api(
        demo_lab,
        "POST",
        "projects/OpenI/aiforge/issues",
        {"title": "Quokka loader drops the last batch", "body": "seen on NPU"},
    )
    page.goto(demo_lab)
    open_sidebar(page)
    _search_from_sidebar(page, "quokka")
    results = page.locator('[data-testid="openi-search-view"]')
    results.locator('[data-testid="openi-search-tab-issues"]').click()
    hit = results.locator('[data-testid="openi-search-hit"]', has_text="Quokka loader")
    hit.wait_for(timeout=30_000)
    hit.locator('[data-testid="openi-search-hit-link"]').click()
    view = page.locator('[data-testid="openi-project-view"]:visible')
    tab = view.locator('[data-testid="openi-tab-issues"]')
    tab.wait_for(timeout=30_000)
    # the issue list of the project is what shows: its Issues tab, not the code
    view.get_by_text("Quokka loader drops the last batch").first.wait_for(timeout=30_000)
    assert tab.get_attribute("aria-selected") == "true"


def test_dashboard_without_tasks_says_so_instead_of_empty_axes(demo_lab: str, page) -> None:
    """Before any task (this module's first dashboard test), no bare 0–1 bar chart."""
    totals = _api(demo_lab, "GET", "dashboard/totals")
    assert isinstance(totals, dict)
    if sum(totals["tasks_by_compute"].values()):
        pytest.skip("a task already exists on this server")
    page.goto(demo_lab)
    open_sidebar(page)
    section = page.locator('[data-testid="openi-section-dashboard"]')
    section.locator('[data-testid="openi-open-dashboard"]').click(timeout=30_000)
    dashboard = page.locator('[data-testid="openi-dashboard"]')
    dashboard.locator('[data-testid="openi-total-users"]').wait_for(timeout=30_000)
    for title in ("Tasks by compute resource", "Compute hours per day"):
        card = dashboard.locator(".openi-Card", has_text=title)
        message = card.locator('[data-testid="openi-empty"]').inner_text(timeout=10_000)
        assert "No tasks yet" in message, title
        assert card.locator("canvas").count() == 0, title


def test_dashboard_draws_its_charts_and_a_project_index(demo_lab: str, page) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    _start_task(demo_lab, "dash-1")
    computed = _api(demo_lab, "POST", "dashboard/index/recompute")
    assert isinstance(computed, dict) and computed["projects"] >= 4
    page.goto(demo_lab)
    open_sidebar(page)
    section = page.locator('[data-testid="openi-section-dashboard"]')
    section.locator('[data-testid="openi-mini-rank"]').first.wait_for(timeout=30_000)
    section.locator('[data-testid="openi-open-dashboard"]').click()

    dashboard = page.locator('[data-testid="openi-dashboard"]')
    dashboard.wait_for(timeout=30_000)
    users = dashboard.locator('[data-testid="openi-total-users"]')
    users.wait_for(timeout=30_000)
    assert int(users.locator(".openi-TotalCard-value").inner_text()) >= 5
    tasks = dashboard.locator('[data-testid="openi-total-tasks"] .openi-TotalCard-value')
    assert int(tasks.inner_text()) >= 1
    for chart in ("openi-chart-tasks-by-compute", "openi-chart-compute-hours"):
        page.wait_for_function(CANVAS_DRAWN, arg=f'[data-testid="{chart}"] canvas', timeout=30_000)
    page.screenshot(path=str(ARTIFACTS / "openi-dashboard.png"))

    # CSV export of the ranking: a real download, the ranking's rows.
    with page.expect_download() as download:
        dashboard.locator('[data-testid="openi-export-index"]').click()
    csv = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert csv[0].startswith("rank,project,index,impact"), csv[:2]
    assert any(",OpenI/aiforge," in line for line in csv[1:]), csv
    assert download.value.suggested_filename == "openi-index.csv"

    row = dashboard.locator('[data-testid="openi-index-row"]', has_text="OpenI/aiforge")
    row.wait_for(timeout=30_000)
    # The sidebar's ranking shows the same number as the dashboard's (26.75, not 26.8).
    index = row.locator("strong").inner_text()
    mini = section.locator('[data-testid="openi-mini-rank"]', has_text="OpenI/aiforge")
    assert mini.locator(".openi-MiniRanking-index").inner_text() == index
    row.click()
    detail = dashboard.locator('[data-testid="openi-project-index-view"]')
    detail.wait_for(timeout=30_000)
    for chart in ("openi-chart-radar", "openi-chart-history"):
        page.wait_for_function(CANVAS_DRAWN, arg=f'[data-testid="{chart}"] canvas', timeout=30_000)
    contributions = detail.locator('[data-testid="openi-index-contributions"]')
    assert "Impact" in contributions.inner_text()
    assert "Stars" in contributions.inner_text()
    detail.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "openi-dashboard-index.png"))


def test_explore_feed_shows_event_sentences_with_links(demo_lab: str, page) -> None:
    _start_task(demo_lab, "feed-1")
    page.goto(demo_lab)
    open_sidebar(page)
    feed = page.locator('[data-testid="openi-explore-feed"]')
    event = feed.locator('[data-testid="openi-event"][data-kind="task_created"]').first
    event.wait_for(timeout=30_000)
    text = event.inner_text()
    assert "wangj created a CPU training task feed-1 in OpenI/aiforge" in text, text
    assert "ago" in text or "now" in text, text

    # The actor opens the user page, the project the project view.
    event.locator('[data-testid="openi-event-link-user"]').click()
    user = page.locator('[data-testid="openi-user-view"]')
    user.locator('[data-testid="openi-user-header"]').wait_for(timeout=30_000)
    assert "王杰" in user.inner_text()
    event.locator('[data-testid="openi-event-link-project"]').click()
    page.locator('[data-testid="openi-project-view"]', has_text="aiforge").wait_for(timeout=30_000)

    # The Explore page's activity tab pages further back: the demo's release.
    page.locator('[data-testid="openi-explore-link-activity"]').click()
    explore = page.locator('[data-testid="openi-explore-view"]')
    release = explore.locator('[data-testid="openi-event"][data-kind="release"]')
    release.first.wait_for(timeout=30_000)
    assert "wangj published release v0.1.0 of OpenI/Yolov5" in release.first.inner_text()

    # The projects square sorted by the OpenI index.
    _api(demo_lab, "POST", "dashboard/index/recompute")
    explore.locator('[data-testid="openi-explore-tab-projects"]').click()
    explore.locator('[data-testid="openi-explore-project"]').first.wait_for(timeout=30_000)
    ranking = _api(demo_lab, "GET", "dashboard/index?per_page=3")
    assert isinstance(ranking, dict)
    top = [row["project"] for row in ranking["items"]]
    explore.locator('[data-testid="openi-explore-sort"]').select_option("index")
    rows = '[data-testid="openi-explore-view"] [data-testid="openi-explore-project"]'
    page.wait_for_function(
        "([rows, top]) => top.every((name, i) => "
        "(document.querySelectorAll(rows)[i] || {}).textContent?.includes(name))",
        arg=[rows, top],
        timeout=30_000,
    )
    assert (
        "OpenI index" in explore.locator('[data-testid="openi-explore-project"]').first.inner_text()
    )


def test_submit_a_project_for_recommendation_and_approve_it(demo_lab: str, page) -> None:
    """ "Submit yours" from the sidebar, approve it as the admin, see it featured."""
    page.goto(demo_lab)
    open_sidebar(page)
    page.locator('[data-testid="openi-submit-recommendation"]').click()
    dialog = page.locator(".jp-Dialog")
    dialog.locator('[data-testid="openi-recommend-target"]').fill("MindSpore/models")
    dialog.locator("textarea").fill("The model zoo everyone starts from")
    dialog.get_by_role("button", name="Submit").click()
    page.get_by_text("Request sent").first.wait_for(timeout=30_000)

    page.locator('[data-testid="openi-explore-link-projects"]').click()
    explore = page.locator('[data-testid="openi-explore-view"]')
    explore.locator('[data-testid="openi-explore-tab-requests"]').click()
    request = explore.locator('[data-testid="openi-recommendation-request"]', has_text="MindSpore")
    request.wait_for(timeout=30_000)
    assert "The model zoo everyone starts from" in request.inner_text()
    request.get_by_role("button", name="Approve").click()
    request.wait_for(state="detached", timeout=30_000)  # no longer pending

    page.locator(".openi-SidebarPanel-header button").first.click()  # refresh the sidebar
    featured = page.locator('[data-testid="openi-recommended-project"]').first
    featured.locator('[data-testid="openi-featured"]').wait_for(timeout=30_000)
    assert "MindSpore/models" in featured.inner_text()


def test_feed_and_dashboard_speak_chinese(demo_lab: str, page) -> None:
    """Settings → Language → 中文: feed sentences, search tabs and the dashboard in Chinese."""
    base, token = demo_lab.split("/lab?token=")
    url = f"{base}/lab/api/settings/@jupyterlab/translation-extension:plugin"
    headers = {"Authorization": f"token {token}", "Content-Type": "application/json"}

    def set_locale(locale: str) -> None:
        body = json.dumps({"raw": json.dumps({"locale": locale})})
        req = urllib.request.Request(url, data=body.encode(), headers=headers, method="PUT")
        with urllib.request.urlopen(req, timeout=10) as resp:
            assert resp.status == 204

    _start_task(demo_lab, "zh-1")
    _api(demo_lab, "POST", "dashboard/index/recompute")
    set_locale("zh_CN")
    try:
        page.goto(demo_lab)
        open_sidebar(page)
        feed = page.locator('[data-testid="openi-explore-feed"]')
        event = feed.locator('[data-testid="openi-event"][data-kind="task_created"]').first
        event.wait_for(timeout=30_000)
        assert "wangj 创建了 CPU 训练任务 zh-1" in event.inner_text()

        _search_from_sidebar(page, "启智")
        results = page.locator('[data-testid="openi-search-view"]')
        group = results.locator('[data-testid="openi-search-group-orgs"]')
        group.wait_for(timeout=30_000)
        assert "组织" in group.inner_text()
        assert group.locator("mark").first.inner_text() == "启智"

        page.locator('[data-testid="openi-open-dashboard"]').click()
        dashboard = page.locator('[data-testid="openi-dashboard"]')
        dashboard.locator('[data-testid="openi-index-row"]').first.click()
        detail = dashboard.locator('[data-testid="openi-project-index-view"]')
        detail.wait_for(timeout=30_000)
        assert "数字看板" in dashboard.inner_text()
        assert "影响力" in detail.locator('[data-testid="openi-index-contributions"]').inner_text()
        page.wait_for_function(CANVAS_DRAWN, arg='[data-testid="openi-chart-radar"] canvas')
        page.screenshot(path=str(ARTIFACTS / "openi-dashboard-zh.png"))
    finally:
        set_locale("en")


def test_fork_network_shows_what_a_fork_changed(demo_lab: str, page, tmp_path: Path) -> None:
    """Fork OpenI/aiforge, push one commit to the fork: the fork network says "1 commit ahead"."""
    import subprocess

    fork = _api(demo_lab, "POST", "projects/OpenI/aiforge/forks", {"name": "aiforge-fork"})
    assert isinstance(fork, dict)
    token = _api(demo_lab, "POST", "user/tokens", {"name": "fork-push", "scopes": ["write"]})
    assert isinstance(token, dict)
    scheme, rest = demo_lab.split("/lab?token=")[0].split("://", 1)
    url = f"{scheme}://wangj:{token['token']}@{rest}/openi/git/{fork['full_name']}.git"
    env = {
        "HOME": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "wangj",
        "GIT_AUTHOR_EMAIL": "wangj@example.org",
        "GIT_COMMITTER_NAME": "wangj",
        "GIT_COMMITTER_EMAIL": "wangj@example.org",
    }
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", url, str(clone)], env=env, check=True, timeout=60)
    (clone / "IMPROVED.md").write_text("A faster data loader\n")
    for args in (["add", "."], ["commit", "-qm", "Faster data loader"], ["push", "-q"]):
        subprocess.run(["git", *args], cwd=clone, env=env, check=True, timeout=60)

    page.goto(demo_lab)
    open_sidebar(page)
    page.locator('[data-testid="openi-explore-link-projects"]').click()
    explore = page.locator('[data-testid="openi-explore-view"]')
    # The parent's row (the fork's row says "forked from OpenI/aiforge" too).
    row = explore.locator('[data-testid="openi-explore-project"]').filter(
        has=page.get_by_role("button", name="OpenI/aiforge", exact=True)
    )
    row.wait_for(timeout=30_000)
    row.locator('[data-testid="openi-forks-link"]').click()
    network = page.locator('[data-testid="openi-project-community-view"]')
    item = network.locator('[data-testid="openi-fork"]', has_text=fork["full_name"])
    item.wait_for(timeout=30_000)
    assert "1 commit ahead, 0 commits behind" in item.inner_text(), item.inner_text()
    page.screenshot(path=str(ARTIFACTS / "openi-fork-network.png"))
    network.locator('[data-testid="openi-project-community-tab-activity"]').click()
    network.locator('[data-testid="openi-event"][data-kind="fork"]').first.wait_for(timeout=30_000)

    # the project view's header says how many forks there are and opens the same network
    page.locator("#openi-lab-sidebar").get_by_role(
        "button", name="OpenI/aiforge", exact=True
    ).first.click()
    header = page.locator('[data-testid="openi-project-header"]:visible')
    forks = header.locator('[data-testid="openi-project-forks-link"]')
    forks.wait_for(timeout=30_000)
    assert forks.inner_text().strip() == "1 fork", forks.inner_text()
    forks.click()
    network.locator('[data-testid="openi-fork"]', has_text=fork["full_name"]).wait_for(
        timeout=30_000
    )
