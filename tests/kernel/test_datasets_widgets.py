"""``DatasetPicker`` and ``UploadProgress`` driven without a browser, against a live server,
and ``examples/datasets.ipynb`` executed in a real kernel."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from openi_lab.client import Client
from openi_lab.widgets import DatasetPicker, UploadProgress

#: the tests with a live server run it on SQLite
sqlite = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPENI_LAB_CACHE", str(cache))
    return cache


async def _client_for(user: Any, jp_base_url: str, jp_http_port: int) -> Client:
    token = user.headers["Authorization"].split()[1]
    return Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", token)


async def _platform(as_user: Any, jp_base_url: str, jp_http_port: int, tmp_path: Path) -> Any:
    """bob: ``bob/aiforge`` (dataset ``mnist``, 12 files) and an empty ``bob/empty``;
    carol: ``carol/vision`` with a public ``coco`` (1 file, bob's favourite) and a private
    ``secret`` (1 file)."""
    bob = await as_user("bob")
    carol = await as_user("carol")
    for user, project in ((bob, "aiforge"), (bob, "empty"), (carol, "vision")):
        r = await user.post("projects", {"name": project})
        assert r.status == 201, r.body
    for user, path, body in (
        (bob, "bob/aiforge", {"name": "mnist", "description": "handwritten digits"}),
        (carol, "carol/vision", {"name": "coco", "description": "common objects"}),
        (carol, "carol/vision", {"name": "secret", "visibility": "private"}),
    ):
        r = await user.post(f"projects/{path}/datasets", body)
        assert r.status == 201, r.body
    bob_c = await _client_for(bob, jp_base_url, jp_http_port)
    carol_c = await _client_for(carol, jp_base_url, jp_http_port)

    def fill() -> None:
        for i in range(12):
            f = tmp_path / f"train-{i:02d}.bin"
            f.write_bytes(f"bob's file {i}\n".encode())
            bob_c.upload("bob/aiforge", "mnist", f)
        for dataset, name in (("coco", "coco-val.zip"), ("secret", "secret-train.bin")):
            f = tmp_path / name
            f.write_bytes(f"carol's {name}\n".encode())
            carol_c.upload("carol/vision", dataset, f)
        bob_c.favorite("carol/vision", "coco")

    await asyncio.to_thread(fill)
    carol_c.close()
    return bob_c


@sqlite
async def test_picker_tabs_search_paging_and_single_choice(
    as_user, jp_base_url, jp_http_port, tmp_path
):
    client = await _platform(as_user, jp_base_url, jp_http_port, tmp_path)
    picker = await asyncio.to_thread(DatasetPicker, project="bob/aiforge", client=client)
    # opens on the first non-empty tab, newest first, 10 a page
    assert picker.tab == "project"
    assert picker.tab_counts == {"project": 12, "mine": 12, "public": 13, "favorites": 1}
    assert picker.total == 12 and picker.pages == 2 and picker.page == 1
    assert [r.file_name for r in picker.rows] == [f"train-{i:02d}.bin" for i in range(11, 1, -1)]
    assert picker.tab_buttons["project"].button_style == "info"
    assert "当前项目" in picker.tab_buttons["project"].description
    assert "Current project (12)" in picker.tab_buttons["project"].description
    assert "第 1 / 2 页" in picker.page_label.value and "12 files" in picker.page_label.value
    assert len(picker.row_buttons) == 10 and picker.value is None
    first_row = picker.row_box.children[0].children[1].value
    assert 'title="train-11.bin"' in first_row and "text-overflow:ellipsis" in first_row
    assert "bob/aiforge/mnist" in first_row

    # paging: the next button, the jump box
    await asyncio.to_thread(picker.next_button.click)
    assert picker.page == 2 and [r.file_name for r in picker.rows] == [
        "train-01.bin",
        "train-00.bin",
    ]
    assert picker.next_button.disabled and not picker.prev_button.disabled
    picker.jump.value = 1
    await asyncio.to_thread(picker.jump_button.click)
    assert picker.page == 1 and len(picker.rows) == 10

    # single choice, observable
    chosen: list[Any] = []
    picker.observe(lambda change: chosen.append(change.new), "value")
    await asyncio.to_thread(picker.row_buttons[1].click)
    assert picker.value.file_name == "train-10.bin"
    assert picker.value.path == "bob/aiforge/mnist" and picker.value.project == "bob/aiforge"
    await asyncio.to_thread(picker.row_buttons[0].click)
    assert picker.value.file_name == "train-11.bin"
    assert [r.file_name for r in chosen] == ["train-10.bin", "train-11.bin"]
    styles = [b.button_style for b in picker.row_buttons]
    assert styles.count("info") == 1 and styles[0] == "info"
    assert "bob/aiforge/mnist/train-11.bin" in picker.chosen.value

    # search narrows within the tab, back to page 1
    await asyncio.to_thread(setattr, picker.search, "value", "train-1")
    assert picker.query == "train-1" and picker.page == 1
    assert [r.file_name for r in picker.rows] == ["train-11.bin", "train-10.bin"]
    assert picker.total == 2 and picker.pages == 1
    await asyncio.to_thread(setattr, picker.search, "value", "no such thing")
    assert picker.total == 0 and "No matching files" in picker.row_box.children[0].value
    await asyncio.to_thread(setattr, picker.search, "value", "")

    # other tabs: public datasets of projects I can see (never carol's private one)
    await asyncio.to_thread(picker.tab_buttons["public"].click)
    assert picker.tab == "public" and picker.total == 13 and picker.page == 1
    assert picker.rows[0].file_name == "coco-val.zip" and picker.rows[0].path == "carol/vision/coco"
    assert "secret-train.bin" not in {r.file_name for r in picker.rows}
    await asyncio.to_thread(setattr, picker, "tab", "favorites")
    assert [r.file_name for r in picker.rows] == ["coco-val.zip"]
    await asyncio.to_thread(setattr, picker.search, "value", "objects")  # dataset description
    assert picker.total == 1
    # the choice survives tab switches until another row is clicked
    assert picker.value.file_name == "train-11.bin"
    await asyncio.to_thread(picker.row_buttons[0].click)
    assert picker.value.file_name == "coco-val.zip" and picker.value.path == "carol/vision/coco"
    picker.clear()
    assert picker.value is None and "Nothing chosen" in picker.chosen.value

    # a project without datasets opens on the next non-empty tab
    other = await asyncio.to_thread(DatasetPicker, project="bob/empty", client=client)
    assert other.tab == "mine" and other.total == 12
    client.close()


@sqlite
async def test_picker_shows_the_servers_refusal(as_user, jp_base_url, jp_http_port, tmp_path):
    bob = await as_user("bob")
    client = await _client_for(bob, jp_base_url, jp_http_port)
    picker = await asyncio.to_thread(DatasetPicker, project="nobody/nothing", client=client)
    assert picker.error and "404" in picker.message.value
    assert picker.value is None
    client.close()


def test_upload_progress_widget_shows_bytes_percent_and_speed():
    bar = UploadProgress(description="上传 a.zip", total=4 * 1024 * 1024)
    bar.update(1024 * 1024, 4 * 1024 * 1024)
    bar.update(2 * 1024 * 1024, 4 * 1024 * 1024)
    assert bar.bar.value == 2 * 1024 * 1024 and bar.bar.max == 4 * 1024 * 1024
    assert "2.0 MB / 4.0 MB" in bar.label.value and "50%" in bar.label.value
    assert "MB/s" in bar.label.value
    bar.update(4 * 1024 * 1024)
    bar.finish()
    assert bar.state == "done" and bar.bar.bar_style == "success" and "100%" in bar.label.value
    failed = UploadProgress(total=10)
    failed.fail("413: quota exceeded")
    assert failed.state == "failed" and "quota exceeded" in failed.label.value


@sqlite
async def test_datasets_notebook_runs_against_the_platform(
    as_user, jp_base_url, jp_http_port, tmp_path, monkeypatch
):
    bob = await as_user("bob")
    monkeypatch.setenv("OPENI_LAB_URL", f"http://127.0.0.1:{jp_http_port}{jp_base_url}")
    monkeypatch.setenv("OPENI_LAB_TOKEN", bob.headers["Authorization"].split()[1])
    nb = nbformat.read(EXAMPLES / "datasets.ipynb", as_version=4)
    client = NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )  # the kernel inherits our env, OPENI_LAB_CACHE included
    await client.async_execute()
    outputs = [out for cell in nb.cells if cell.cell_type == "code" for out in cell.outputs]
    text = "".join(out.get("text", "") for out in outputs)
    assert "dataset bob/datasets-demo/digits: 0 file(s)" in text
    assert "uploaded bob/datasets-demo/digits/digits.zip" in text
    assert "picked bob/datasets-demo/digits/digits.zip from the 'project' tab" in text
    assert "first line: 0 1 2 3 4 5 6 7 8 9" in text
    widgets = [
        out["data"]["application/vnd.jupyter.widget-view+json"]
        for out in outputs
        if "application/vnd.jupyter.widget-view+json" in out.get("data", {})
    ]
    assert len(widgets) >= 2  # the upload progress bar and the picker
    cached = list((tmp_path / "cache" / "datasets").iterdir())
    assert [p.name for p in cached if not p.name.startswith(".")] != []
