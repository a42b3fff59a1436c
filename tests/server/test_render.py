"""Rendering for code hosting: what a reader of a README, notebook or diff would notice."""

from __future__ import annotations

import base64
from html.parser import HTMLParser
from typing import Any

import nbformat
import pytest

from openi_lab_server.render import (
    NotebookRenderError,
    detect_text,
    diff_notebooks,
    render_markdown,
    render_notebook,
    render_notebook_diff,
)

BASE = "https://openi.example/wangj/demo/src/branch/main/"
RAW = "https://openi.example/wangj/demo/raw/branch/main/"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(32))
PNG = base64.b64encode(PNG_BYTES).decode()


class Page(HTMLParser):
    """The elements of a rendered fragment, as a browser's parser sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def tags(self, name: str) -> list[dict[str, str]]:
        return [attrs for tag, attrs in self.elements if tag == name]


def assert_inert(html: str) -> Page:
    """Nothing in the fragment can run: no script/svg, no handlers, styles or script URLs."""
    page = Page(html)
    for tag, attrs in page.elements:
        assert tag not in ("script", "svg", "iframe", "object", "embed", "style", "math"), tag
        for name, value in attrs.items():
            assert not name.startswith("on"), (tag, name, value)
            assert name != "style", (tag, value)
            url = "".join(value.split()).lower()
            assert not url.startswith(("javascript:", "vbscript:")), (tag, name, value)
            if url.startswith("data:"):
                assert tag == "img" and name == "src", (tag, name, value)
                assert url.startswith(
                    (
                        "data:image/png",
                        "data:image/jpeg",
                        "data:image/gif",
                        "data:image/webp",
                        "data:image/svg+xml",
                    )
                ), value
    return page


# --- markdown ---------------------------------------------------------------------------

README = """\
# Demo project

<script>alert(1)</script>

<img src=x onerror=alert(1)>

<svg onload=alert(1)><circle r="5"/></svg>

Links: [bad](javascript:alert(1)), <a href="JaVaScRiPt:alert(2)">mixed case</a>,
<a href="java&#x09;script:alert(3)">tab</a>, <a href="data:text/html,<script>x</script>">data</a>
and <span onmouseover="alert(4)" style="position:fixed">hover</span>.

| Model | Top-1 |
|:------|------:|
| ResNet | 76.1 |

```python
import openi
```

See [the guide](docs/guide.md), [section](#usage) and ![diagram](img/arch.png).
"""


def test_readme_attacks_are_removed_and_content_survives() -> None:
    html = render_markdown(README, base_url=BASE, image_base_url=RAW)
    page = assert_inert(html)
    text = "".join(page.text)
    assert "alert(1)" not in html.replace("javascript:alert(1)", "")  # only the inert link text
    assert "<svg" not in html and "onload" not in html and "onerror" not in html
    # what the author meant is still there
    assert page.tags("h1") and "Demo project" in text
    assert page.tags("table") and [a.get("align") for a in page.tags("th")] == ["left", "right"]
    assert {"class": "language-python"} in page.tags("code")
    assert "import openi" in text
    hrefs = [a.get("href") for a in page.tags("a")]
    assert BASE + "docs/guide.md" in hrefs and "#usage" in hrefs
    assert {"src": RAW + "img/arch.png", "alt": "diagram"} in page.tags("img")
    for link in page.tags("a"):
        assert link["rel"] == "nofollow noopener noreferrer"


def test_markdown_without_base_keeps_relative_links_and_only_raster_data_images() -> None:
    html = render_markdown(
        "[doc](docs/x.md) ![ok](data:image/png;base64,iVBORw0KGgo=) "
        '<img src="data:image/svg+xml;base64,PHN2Zz4="> <img src="data:text/html,x">\n\n'
        "- [x] done\n- [ ] todo\n\n~~old~~"
    )
    page = assert_inert(html)
    assert page.tags("a")[0]["href"] == "docs/x.md"
    srcs = [img.get("src") for img in page.tags("img")]
    assert srcs == ["data:image/png;base64,iVBORw0KGgo=", None, None]
    boxes = page.tags("input")
    assert [b.get("type") for b in boxes] == ["checkbox", "checkbox"]
    assert all("disabled" in b for b in boxes) and "checked" in boxes[0]
    assert page.tags("s") or page.tags("del")
    with pytest.raises(ValueError):
        render_markdown("x", base_url="javascript:alert(1)//")


# --- notebooks --------------------------------------------------------------------------


def _notebook(*cells: Any) -> str:
    nb = nbformat.v4.new_notebook()
    nb.cells = list(cells)
    nb.metadata["language_info"] = {"name": "python"}
    return nbformat.writes(nb)


def hostile_notebook() -> str:
    out = nbformat.v4.new_output
    return _notebook(
        nbformat.v4.new_markdown_cell("## Training <img src=x onerror=alert(1)>"),
        nbformat.v4.new_code_cell(
            "model.fit(x, y)",
            execution_count=7,
            outputs=[
                out("stream", name="stdout", text="\x1b[32mepoch 1\x1b[0m\n10%\r100%\n"),
                out(
                    "display_data",
                    data={
                        "text/html": "<b onclick='steal()'>table</b><script>alert(1)</script>",
                        "text/plain": "<table>",
                    },
                ),
                out("display_data", data={"application/javascript": "alert(2)"}),
                out("display_data", data={"image/svg+xml": "<svg onload='alert(3)'/>"}),
                out(
                    "display_data",
                    data={"application/vnd.jupyter.widget-view+json": {"model_id": "m"}},
                ),
                out("execute_result", execution_count=7, data={"image/png": PNG}),
                out(
                    "error",
                    ename="ValueError",
                    evalue="bad",
                    traceback=["\x1b[0;31mValueError\x1b[0m: bad"],
                ),
            ],
        ),
    )


def test_notebook_renders_without_executable_content() -> None:
    html = render_notebook(hostile_notebook())
    page = assert_inert(html)
    text = "".join(page.text)
    for marker in ("alert(", "steal()", "onclick", "onload", "onerror", "<script"):
        assert marker not in html, marker
    # what the reader came for is shown
    assert page.tags("h2") and "Training" in text
    assert {"class": "language-python"} in page.tags("code") and "model.fit(x, y)" in text
    assert "[7]" in text  # execution count prompts
    assert "epoch 1" in text and "\x1b" not in text and "10%" not in text
    assert "table" in text  # the HTML output, minus its script
    assert "(JavaScript output not shown)" in text and "(Widget output not shown)" in text
    srcs = [img["src"] for img in page.tags("img")]
    assert f"data:image/png;base64,{PNG}" in srcs
    svg = [s for s in srcs if s.startswith("data:image/svg+xml;base64,")]
    assert len(svg) == 1  # the SVG is only a picture
    assert "ValueError: bad" in text


def test_notebook_huge_or_forged_outputs_are_cut() -> None:
    out = nbformat.v4.new_output
    source = _notebook(
        nbformat.v4.new_code_cell(
            "print('x' * 10_000)",
            outputs=[
                out("stream", name="stdout", text="x" * 10_000),
                out("display_data", data={"image/png": base64.b64encode(b"GIF89a...").decode()}),
                out("display_data", data={"image/jpeg": "not base64!"}),
            ],
        )
    )
    page = assert_inert(render_notebook(source, max_output_bytes=1000))
    text = "".join(page.text)
    assert "x" * 1000 in text and "x" * 1001 not in text
    assert "output truncated" in text
    assert page.tags("img") == []  # a GIF claiming to be PNG and bad base64 are not shown


@pytest.mark.parametrize(
    "source",
    [b"{not json", "[]", '{"cells": []}', b"\xff\xfe\x00garbage", '{"nbformat": 99, "cells": 3}'],
)
def test_not_a_notebook_raises_a_clear_error(source: str | bytes) -> None:
    with pytest.raises(NotebookRenderError) as info:
        render_notebook(source)
    assert isinstance(info.value, ValueError) and str(info.value)


# --- notebook diffs ---------------------------------------------------------------------


def _code_cells(*sources: str) -> str:
    return _notebook(*(nbformat.v4.new_code_cell(s) for s in sources))


def test_cell_inserted_in_the_middle_is_one_addition() -> None:
    old = _code_cells("import numpy as np", "x = np.arange(10)", "print(x.sum())", "plot(x)")
    new = _code_cells(
        "import numpy as np", "x = np.arange(10)", "y = x ** 2", "print(x.sum())", "plot(x)"
    )
    changes = diff_notebooks(old, new)
    assert [c.kind for c in changes].count("added") == 1
    assert [c.kind for c in changes].count("unchanged") == 4
    added = next(c for c in changes if c.kind == "added")
    assert (added.new_index, added.old_index, added.new_source) == (2, None, "y = x ** 2")
    assert [(c.old_index, c.new_index) for c in changes if c.kind == "unchanged"] == [
        (0, 0),
        (1, 1),
        (2, 3),
        (3, 4),
    ]


def test_modified_cell_has_a_unified_diff_and_outputs_are_flagged_apart() -> None:
    out = nbformat.v4.new_output
    old = _notebook(
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("lr = 0.1\nepochs = 10\ntrain(lr, epochs)"),
        nbformat.v4.new_code_cell("evaluate()", outputs=[out("stream", name="stdout", text="0.7")]),
        nbformat.v4.new_code_cell("cleanup()"),
    )
    new = _notebook(
        nbformat.v4.new_markdown_cell("# Title"),
        nbformat.v4.new_code_cell("lr = 0.01\nepochs = 10\ntrain(lr, epochs)"),
        nbformat.v4.new_code_cell("evaluate()", outputs=[out("stream", name="stdout", text="0.9")]),
    )
    changes = diff_notebooks(old, new)
    assert [c.kind for c in changes] == ["unchanged", "modified", "modified", "removed"]
    edited = changes[1]
    assert edited.source_diff is not None and not edited.outputs_changed
    assert "-lr = 0.1" in edited.source_diff and "+lr = 0.01" in edited.source_diff
    assert " epochs = 10" in edited.source_diff and edited.source_diff.startswith("--- ")
    rerun = changes[2]
    assert rerun.source_diff is None and rerun.outputs_changed
    assert changes[3].old_source == "cleanup()" and changes[3].new_index is None

    html = render_notebook_diff(old, new)
    text = "".join(assert_inert(html).text)
    assert "1 unchanged cell" in text and "+lr = 0.01" in text and "Outputs changed" in text


def test_notebook_added_or_deleted_and_diff_html_is_escaped() -> None:
    nb = _code_cells("<script>alert(1)</script>", "b = 2")
    assert [c.kind for c in diff_notebooks(None, nb)] == ["added", "added"]
    assert [c.kind for c in diff_notebooks(nb, None)] == ["removed", "removed"]
    assert diff_notebooks(None, None) == []
    html = render_notebook_diff(None, nb)
    assert_inert(html)
    assert "&lt;script&gt;" in html
    with pytest.raises(NotebookRenderError):
        diff_notebooks(nb, "{oops")


# --- text detection ---------------------------------------------------------------------


def test_gb18030_chinese_text_is_detected_and_decoded() -> None:
    text = "# 启智社区\n模型训练与数据集管理，欢迎贡献代码。\n"
    info = detect_text(text.encode("gb18030"), limit=1 << 20)
    assert (info.is_binary, info.encoding, info.text, info.truncated) == (
        False,
        "gb18030",
        text,
        False,
    )
    utf8 = detect_text(text.encode("utf-8"), limit=1 << 20)
    assert (utf8.encoding, utf8.text) == ("utf-8", text)
    bom = detect_text(b"\xef\xbb\xbf" + text.encode("utf-8"), limit=1 << 20)
    assert (bom.encoding, bom.text) == ("utf-8-sig", text)
    utf16 = detect_text(text.encode("utf-16"), limit=1 << 20)
    assert (utf16.is_binary, utf16.encoding, utf16.text) == (False, "utf-16", text)


def test_nul_bytes_mean_binary_and_large_files_are_not_decoded() -> None:
    blob = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
    info = detect_text(blob, limit=1 << 20)
    assert info.is_binary and info.text is None and info.size == len(blob)
    assert detect_text(PNG_BYTES, limit=1 << 20).is_binary

    big = ("数据" * 1000).encode("utf-8")
    info = detect_text(big, limit=100)
    assert (info.is_binary, info.encoding, info.text, info.truncated) == (
        False,
        "utf-8",
        None,
        True,
    )
    assert info.size == len(big)
    head = detect_text(big[:4097], limit=1 << 20, size=50_000_000)  # only the start was read
    assert (head.encoding, head.truncated, head.size) == ("utf-8", True, 50_000_000)
    empty = detect_text(b"", limit=10)
    assert (empty.is_binary, empty.text, empty.truncated) == (False, "", False)
