"""``DatasetPicker``: choose one dataset file (选择数据集), as the platform's task forms do.

The rules are the server's (``GET /dataset-picker``): rows are dataset files, newest first,
10 a page, in four tabs — 当前项目 (the current project's datasets), 我的数据集 (files I
uploaded), 公开数据集 (public datasets), 我收藏的 (datasets I favourited) — opening on the
first non-empty one; the search looks within the current tab. The widget presents them and
keeps a single choice: ``picker.value`` is the chosen :class:`~openi_lab.schemas.PickerRow`
(or ``None``) and can be observed::

    picker = DatasetPicker(project="OpenI/aiforge")
    picker.observe(lambda change: print(change.new.file_name), "value")
    picker

Everything is plain ipywidgets state, so code (and tests) can drive it without a browser:
``picker.tab = "public"``, ``picker.search.value = "mnist"``, ``picker.page = 2``,
``picker.select(0)`` (the same handler a row's button calls) and ``picker.clear()``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import Int, List, Unicode, observe

from .. import schemas as s
from ..client import ApiError, Client
from .upload_progress import human_bytes

#: tab id → label (Chinese, English), in the server's order
TABS: dict[str, tuple[str, str]] = {
    "project": ("当前项目", "Current project"),
    "mine": ("我的数据集", "My datasets"),
    "public": ("公开数据集", "Public datasets"),
    "favorites": ("我收藏的", "Favorites"),
}

_ELLIPSIS = "white-space:nowrap;overflow:hidden;text-overflow:ellipsis;min-width:0"


def _one_line(text: str, style: str = "") -> str:
    """One line, cut with an ellipsis by CSS, the whole text in the tooltip."""
    t = html.escape(text, quote=True)
    return f'<div title="{t}" style="{_ELLIPSIS};{style}">{t}</div>'


class DatasetPicker(w.VBox):
    """A single-choice picker of dataset files; ``value`` is the chosen PickerRow."""

    value = AnyTrait(None, allow_none=True, help="the chosen PickerRow, or None")
    tab = Unicode("", help="project, mine, public or favorites ('' until the first load)")
    query = Unicode("", help="the search text applied to the current tab")
    page = Int(1)
    per_page = Int(10)
    total = Int(0)
    pages = Int(1)
    rows: List[Any] = List(help="the PickerRows on the current page")
    tab_counts = AnyTrait({})
    error = Unicode("")

    def __init__(
        self,
        project: str | None = None,
        *,
        client: Client | None = None,
        tab: str | None = None,
        per_page: int = 10,
        **kwargs: Any,
    ):
        self.project = project
        self._client = client
        self._loading = False
        self.tab_buttons: dict[str, w.Button] = {}
        for key, (zh, en) in TABS.items():
            button = w.Button(
                description=f"{zh} {en}",
                tooltip=f"{zh} · {en}",
                layout=w.Layout(width="auto"),
            )
            button.on_click(self._on_tab_click)
            button.tab_id = key
            self.tab_buttons[key] = button
        self.search = w.Text(
            placeholder="在当前标签中搜索 Search this tab…",
            continuous_update=False,
            layout=w.Layout(width="60%"),
        )
        self.search.observe(self._on_search, "value")
        self.search_button = w.Button(description="搜索 Search", layout=w.Layout(width="auto"))
        self.search_button.on_click(lambda _b: self._on_search(None))
        self.row_box = w.VBox(layout=w.Layout(width="100%"))
        self.row_buttons: list[w.Button] = []
        self.prev_button = w.Button(description="‹", tooltip="上一页 Previous page")
        self.next_button = w.Button(description="›", tooltip="下一页 Next page")
        for b in (self.prev_button, self.next_button):
            b.layout = w.Layout(width="36px")
        self.prev_button.on_click(lambda _b: self.goto(self.page - 1))
        self.next_button.on_click(lambda _b: self.goto(self.page + 1))
        self.page_label = w.HTML()
        self.jump = w.BoundedIntText(
            value=1, min=1, max=1, description="跳至 Go to", layout=w.Layout(width="150px")
        )
        self.jump_button = w.Button(description="跳转 Go", layout=w.Layout(width="auto"))
        self.jump_button.on_click(lambda _b: self.goto(self.jump.value))
        self.chosen = w.HTML()
        self.message = w.HTML()
        super().__init__(
            [
                w.HBox(list(self.tab_buttons.values())),
                w.HBox([self.search, self.search_button]),
                self.message,
                self.row_box,
                w.HBox(
                    [
                        self.prev_button,
                        self.page_label,
                        self.next_button,
                        self.jump,
                        self.jump_button,
                    ]
                ),
                self.chosen,
            ],
            **kwargs,
        )
        self.add_class("openi-dataset-picker")
        self._loading = True
        self.per_page = per_page
        if tab:
            self.tab = tab
        self._loading = False
        self.refresh()

    # --- state ---------------------------------------------------------------------------

    @property
    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
        return self._client

    def refresh(self) -> None:
        """Ask the server for the current tab, search and page, and redraw."""
        try:
            result = self.client.picker(
                project=self.project,
                tab=self.tab or None,
                q=self.query or None,
                page=self.page,
                per_page=self.per_page,
            )
        except ApiError as exc:
            self.error = exc.message
            self.message.value = (
                f'<span style="color:var(--jp-error-color1,#d32f2f)">{html.escape(str(exc))}</span>'
            )
            return
        self.error = ""
        self.message.value = ""
        self._apply(result)

    def _apply(self, result: s.PickerPage) -> None:
        self._loading = True
        try:
            self.tab = result.tab
            self.tab_counts = result.tab_counts.model_dump()
            self.total = result.total
            self.pages = max(1, -(-result.total // result.per_page))
            self.page = result.page
            self.rows = list(result.items)
        finally:
            self._loading = False
        self._draw()

    @observe("tab")
    def _tab_changed(self, change: Any) -> None:
        if self._loading:
            return
        self._loading = True
        self.page = 1  # the search text stays: it searches within whichever tab is shown
        self._loading = False
        self.refresh()

    @observe("query")
    def _query_changed(self, change: Any) -> None:
        if self._loading:
            return
        self._loading = True
        self.page = 1
        self._loading = False
        self.refresh()

    @observe("page")
    def _page_changed(self, change: Any) -> None:
        if not self._loading:
            self.refresh()

    @observe("value")
    def _value_changed(self, change: Any) -> None:
        self._draw_rows()
        self._draw_chosen()

    # --- handlers (the buttons call these; so can code) ----------------------------------

    def _on_tab_click(self, button: w.Button) -> None:
        self.tab = button.tab_id

    def _on_search(self, _change: Any) -> None:
        self.query = self.search.value.strip()

    def _on_row_click(self, button: w.Button) -> None:
        self.select(button.row_index)

    def goto(self, page: int) -> None:
        """Show page ``page`` (clamped to 1…pages)."""
        self.page = max(1, min(int(page), self.pages))

    def select(self, index: int) -> s.PickerRow:
        """Choose the ``index``-th row of the current page (single choice: replaces any
        earlier one); choosing the chosen row again keeps it."""
        row: s.PickerRow = self.rows[index]
        self.value = row
        return row

    def clear(self) -> None:
        self.value = None

    # --- drawing -------------------------------------------------------------------------

    def _draw(self) -> None:
        counts = self.tab_counts or {}
        for key, button in self.tab_buttons.items():
            zh, en = TABS[key]
            n = counts.get(key)
            button.description = f"{zh} {en}" + (f" ({n})" if n is not None else "")
            button.button_style = "info" if key == self.tab else ""
        if self.search.value.strip() != self.query:
            self.search.unobserve(self._on_search, "value")
            self.search.value = self.query
            self.search.observe(self._on_search, "value")
        self.page_label.value = (
            f"第 {self.page} / {self.pages} 页 · 共 {self.total} 个文件 "
            f"(page {self.page} of {self.pages}, {self.total} files)"
        )
        self.prev_button.disabled = self.page <= 1
        self.next_button.disabled = self.page >= self.pages
        self.jump.max = self.pages
        self.jump.value = self.page
        self._draw_rows()
        self._draw_chosen()

    def _draw_rows(self) -> None:
        chosen = self.value.file_id if self.value is not None else None
        buttons, lines = [], []
        for i, row in enumerate(self.rows):
            on = row.file_id == chosen
            button = w.Button(
                icon="dot-circle-o" if on else "circle-o",
                tooltip=f"选择 Choose {row.file_name}",
                button_style="info" if on else "",
                layout=w.Layout(width="36px", min_width="36px"),
            )
            button.row_index = i
            button.on_click(self._on_row_click)
            buttons.append(button)
            meta = f"{human_bytes(row.size)} · {row.created_at:%Y-%m-%d %H:%M} · {row.creator}"
            text = w.HTML(
                _one_line(row.file_name, "font-weight:600" if on else "")
                + _one_line(f"{row.path}", "opacity:0.75;font-size:90%")
                + _one_line(meta, "opacity:0.6;font-size:85%"),
                layout=w.Layout(flex="1 1 auto", min_width="0", overflow="hidden"),
            )
            lines.append(w.HBox([button, text], layout=w.Layout(width="100%")))
        if not self.rows:
            empty = "没有匹配的文件 No matching files" if self.query else "没有文件 No files"
            lines.append(w.HTML(f"<i>{empty}</i>"))
        self.row_buttons = buttons
        self.row_box.children = lines

    def _draw_chosen(self) -> None:
        row = self.value
        if row is None:
            self.chosen.value = "<i>未选择 Nothing chosen</i>"
        else:
            self.chosen.value = (
                '<div style="display:flex;gap:0.5em"><span style="white-space:nowrap">'
                "已选择 Chosen:</span>" + _one_line(f"{row.path}/{row.file_name}") + "</div>"
            )
