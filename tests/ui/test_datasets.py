"""JupyterLab in real headless Chromium: datasets (数据集) in the OpenI project view.

Open ``OpenI/aiforge`` → Datasets tab → create the dataset ``coco-mini`` → upload a generated
~3 MiB zip with ``set_input_files``: a progress bar appears and reaches 100 % / completed and the
file is listed; its members preview. An upload whose chunk is cut off survives a page reload
and resumes from the server's offset once the same file is chosen again. The command palette's
"OpenI: Pick a dataset…" opens the picker dialog; choosing the file shows it in a notification.
Screenshots land in ``tests/artifacts/``.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import urllib.error
import urllib.request
import zipfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from uihelpers import assert_within, open_sidebar

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
DATASET = "coco-mini"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed"),
]


def _api_status(demo_lab: str, path: str) -> int:
    base, token = demo_lab.split("/lab?token=")
    req = urllib.request.Request(
        f"{base}/openi/api/v1/{path}", headers={"Authorization": f"token {token}"}
    )
    try:
        with urllib.request.urlopen(req, timeout=10) as resp:
            json.load(resp)
            return int(resp.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


def _require_datasets_api(demo_lab: str) -> None:
    if _api_status(demo_lab, "projects/OpenI/aiforge/datasets") == 404:
        pytest.xfail("the datasets API (GET projects/{o}/{n}/datasets) answers 404: not landed")


def _make_zip(path: Path, size: int = 3 * 1024 * 1024) -> Path:
    """A zip of about ``size`` bytes: a CSV, a README and incompressible data."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("README.txt", "coco-mini: a tiny slice of COCO for tests\n")
        zf.writestr(
            "labels.csv",
            "image,label\n" + "".join(f"{i:04d}.jpg,cat{i % 3}\n" for i in range(100)),
        )
        zf.writestr(
            zipfile.ZipInfo("images/blob.bin"), os.urandom(size), compress_type=zipfile.ZIP_STORED
        )
    path.write_bytes(buf.getvalue())
    return path


def _open_datasets_tab(page, demo_lab: str):
    page.goto(demo_lab)
    open_sidebar(page)
    projects = page.locator('[data-testid="openi-section-projects"]')
    projects.get_by_role("button", name="OpenI/aiforge", exact=True).click(timeout=30_000)
    view = page.locator('[data-testid="openi-project-view"]')
    view.wait_for(timeout=30_000)
    view.locator('[data-testid="openi-tab-datasets"]').click()
    view.locator('[data-testid="openi-datasets-tab"]').wait_for(timeout=30_000)
    return view


def _open_dataset(view, name: str):
    view.locator('[data-testid="openi-dataset-link"]', has_text=name).click(timeout=30_000)
    dataset_page = view.locator('[data-testid="openi-dataset-page"]')
    dataset_page.wait_for(timeout=30_000)
    return dataset_page


def _create_dataset(view, page, name: str):
    view.locator('[data-testid="openi-new-dataset"]').click()
    form = view.locator('[data-testid="openi-new-dataset-form"]')
    form.locator('input[name="name"]').fill(name)
    description = form.locator('textarea[name="description"]')
    assert_within(description, form)
    description.fill("A tiny slice of COCO for smoke tests")
    with page.expect_response(
        lambda r: (
            r.request.method == "POST"
            and urlsplit(r.url).path.endswith("/projects/OpenI/aiforge/datasets")
        )
    ) as created:
        form.locator('[data-testid="openi-create-dataset"]').click()
    assert created.value.status == 201, created.value.text()
    dataset_page = view.locator('[data-testid="openi-dataset-page"]')
    dataset_page.get_by_text(name).first.wait_for(timeout=30_000)
    return dataset_page


def _pick_via_palette(page, file_name: str) -> None:
    page.keyboard.press("Control+Shift+C")
    palette = page.locator(".lm-CommandPalette-input")
    palette.wait_for(timeout=10_000)
    palette.fill("Pick a dataset")
    item = page.locator(".lm-CommandPalette-item", has_text="OpenI: Pick a dataset")
    item.first.click(timeout=10_000)
    picker = page.locator('[data-testid="openi-dataset-picker"]')
    picker.wait_for(timeout=30_000)
    row = picker.locator('[data-testid="openi-picker-row"]', has_text=file_name).first
    row.wait_for(timeout=30_000)
    # The tab the server opened on is selected; the row shows owner/project/dataset.
    assert picker.locator('[role="tab"][aria-selected="true"]').count() == 1
    assert f"OpenI/aiforge/{DATASET}" in row.inner_text()
    row.click()
    assert row.get_attribute("aria-selected") == "true"
    page.screenshot(path=str(ARTIFACTS / "openi-dataset-picker.png"))
    page.locator(".jp-Dialog .jp-mod-accept").click()
    picker.wait_for(state="detached", timeout=10_000)


def test_create_dataset_upload_and_pick(demo_lab: str, page, tmp_path: Path) -> None:
    _require_datasets_api(demo_lab)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    ARTIFACTS.mkdir(exist_ok=True)
    view = _open_datasets_tab(page, demo_lab)
    section = page.locator('[data-testid="openi-datasets-section"]')
    sidebar_item = section.locator(
        f'[data-testid="openi-sidebar-dataset"][data-dataset="OpenI/aiforge/{DATASET}"]'
    )
    assert sidebar_item.count() == 0
    dataset_page = _create_dataset(view, page, DATASET)
    # The sidebar follows without a reload: the new dataset, then its uploaded file.
    sidebar_item.wait_for(timeout=10_000)
    assert "0 files" in sidebar_item.inner_text()

    archive = _make_zip(tmp_path / "coco-mini.zip")
    dataset_page.locator('[data-testid="openi-upload-input"]').set_input_files(str(archive))
    upload = dataset_page.locator('[data-testid="openi-upload"]', has_text=archive.name)
    bar = upload.locator('[data-testid="openi-upload-progress"]')
    bar.wait_for(state="visible", timeout=30_000)
    completed = dataset_page.locator(
        '[data-testid="openi-upload"][data-phase="completed"]', has_text=archive.name
    )
    completed.wait_for(timeout=60_000)
    assert bar.get_attribute("value") == "100"
    assert upload.locator('[data-testid="openi-upload-percent"]').inner_text() == "100%"
    sidebar_item.filter(has_text="1 file").wait_for(timeout=10_000)

    files = dataset_page.locator('[data-testid="openi-dataset-files"]')
    row = files.locator('[data-testid="openi-dataset-file"]', has_text=archive.name)
    row.wait_for(timeout=30_000)
    text = row.inner_text()
    assert "MB" in text and "zip" in text, text
    page.screenshot(path=str(ARTIFACTS / "openi-dataset-page.png"))

    # Preview: the members of the zip, then the CSV as a table.
    row.locator('[data-testid="openi-file-preview"]').click()
    members = dataset_page.locator('[data-testid="openi-members"]')
    members.get_by_text("labels.csv").wait_for(timeout=30_000)
    members.get_by_role("button", name="labels.csv").click()
    preview = dataset_page.locator('[data-testid="openi-member-preview"]')
    preview.locator("table").wait_for(timeout=30_000)
    assert "cat0" in preview.inner_text()
    page.screenshot(path=str(ARTIFACTS / "openi-dataset-preview.png"))

    _pick_via_palette(page, archive.name)
    toast = page.locator(".jp-toast-message, .Toastify__toast", has_text=archive.name)
    toast.first.wait_for(timeout=15_000)
    assert f"OpenI/aiforge/{DATASET}" in toast.first.inner_text()
    page.wait_for_timeout(800)  # the toast slides in
    page.screenshot(path=str(ARTIFACTS / "openi-dataset-picked.png"))

    # The sidebar's Datasets section lists it; clicking opens its page in the main area.
    section.locator('[data-testid="openi-dataset-scope-mine"]').click()
    section.get_by_role("button", name=DATASET, exact=True).click(timeout=30_000)
    main_page = page.locator('[data-testid="openi-dataset-view"]')
    main_page.locator('[data-testid="openi-dataset-file"]', has_text=archive.name).wait_for(
        timeout=30_000
    )
    assert not errors, errors


def test_upload_resumes_after_a_page_reload(demo_lab: str, page, tmp_path: Path) -> None:
    _require_datasets_api(demo_lab)
    name = "resume-check"
    view = _open_datasets_tab(page, demo_lab)
    dataset_page = _create_dataset(view, page, name)
    archive = _make_zip(tmp_path / "resume.zip", size=2 * 1024 * 1024)

    # Cut the connection on every chunk: the upload stops, its id kept for later.
    def cut(route) -> None:
        if route.request.method == "PATCH":
            route.abort()
        else:
            route.continue_()

    page.route("**/openi/api/v1/uploads/**", cut)
    dataset_page.locator('[data-testid="openi-upload-input"]').set_input_files(str(archive))
    dataset_page.locator(
        '[data-testid="openi-upload"][data-phase="interrupted"]', has_text=archive.name
    ).wait_for(timeout=60_000)
    page.unroute("**/openi/api/v1/uploads/**")
    stored = page.evaluate("localStorage.getItem('openi_lab:uploads')")
    assert stored and archive.name in stored, stored

    page.reload()
    view = _open_datasets_tab(page, demo_lab)
    dataset_page = _open_dataset(view, name)
    waiting = dataset_page.locator(
        '[data-testid="openi-upload"][data-phase="interrupted"]', has_text=archive.name
    )
    waiting.wait_for(timeout=30_000)
    assert waiting.locator('[data-testid="openi-upload-resume"]').is_visible()
    page.screenshot(path=str(ARTIFACTS / "openi-upload-interrupted.png"))

    # A different file is refused; the same one resumes and completes.
    other = _make_zip(tmp_path / "other.zip", size=1024)
    resume_input = waiting.locator('[data-testid="openi-upload-resume-input"]')
    resume_input.set_input_files(str(other))
    waiting.get_by_text("Choose the same file").wait_for(timeout=10_000)
    resume_input.set_input_files(str(archive))
    dataset_page.locator(
        '[data-testid="openi-upload"][data-phase="completed"]', has_text=archive.name
    ).wait_for(timeout=60_000)
    files = dataset_page.locator('[data-testid="openi-dataset-files"]')
    files.locator('[data-testid="openi-dataset-file"]', has_text=archive.name).wait_for(
        timeout=30_000
    )
    assert page.evaluate("localStorage.getItem('openi_lab:uploads')") in ("[]", None)
