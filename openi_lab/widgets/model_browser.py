"""``ModelBrowser``: the models of a project (or every model you can read), their versions,
and one click to load a version into the notebook (``openi_lab.models.load_path``).

``browser.value`` is the chosen :class:`~openi_lab.model_schemas.ModelVersion` (or None);
``browser.path`` the local directory after 加载 (Load). Plain ipywidgets state, so code and
tests drive it without a browser: ``browser.search.value = "lr"``, ``browser.refresh()``,
``browser.choose_model(0)``, ``browser.choose_version(0)``, ``browser.load()``.
"""

from __future__ import annotations

import html
from typing import Any

import ipywidgets as w
from traitlets import Any as AnyTrait
from traitlets import List, Unicode

from .. import model_schemas as ms
from ..client import ApiError, Client
from .upload_progress import human_bytes


class ModelBrowser(w.VBox):
    """Models → versions → load; ``value`` is the chosen ModelVersion."""

    value = AnyTrait(None, allow_none=True, help="the chosen ModelVersion, or None")
    path = Unicode("", help="the local directory of the loaded version")
    models: List[Any] = List(help="the Models listed")
    versions: List[Any] = List(help="the versions of the chosen model")

    def __init__(self, project: str | None = None, client: Client | None = None, **kw: Any):
        self.project = project
        self._client = client
        self.search = w.Text(
            placeholder="搜索模型 Search models",
            continuous_update=False,
            layout=w.Layout(width="60%"),
        )
        self.search.observe(lambda _: self.refresh(), "value")
        self.model_list = w.Select(options=[], rows=8, layout=w.Layout(width="100%"))
        self.version_list = w.Select(options=[], rows=6, layout=w.Layout(width="100%"))
        self.detail = w.HTML()
        self.status = w.HTML()
        self.load_button = w.Button(description="加载 Load", icon="download", disabled=True)
        self.load_button.on_click(lambda _: self.load())
        self.model_list.observe(self._on_model, "index")
        self.version_list.observe(self._on_version, "index")
        super().__init__(
            [
                w.HBox([self.search, w.Button(description="Search", icon="search")]),
                w.HTML("<b>模型 Models</b>"),
                self.model_list,
                w.HTML("<b>版本 Versions</b>"),
                self.version_list,
                self.detail,
                w.HBox([self.load_button, self.status]),
            ],
            **kw,
        )
        self.children[0].children[1].on_click(lambda _: self.refresh())
        self.refresh()

    def client(self) -> Client:
        if self._client is None:
            self._client = Client()
        return self._client

    def refresh(self) -> None:
        try:
            page = self.client().models(self.project, q=self.search.value or None, per_page=100)
        except ApiError as exc:
            self.status.value = f"<span style='color:#c00'>{html.escape(exc.message)}</span>"
            return
        self.models = list(page.items)
        self.model_list.options = [
            f"{m.project}/{m.name}  ·  {m.latest.version if m.latest else '—'}  ·  "
            f"{m.num_versions} versions  ·  {human_bytes(m.size)}  ·  {m.engine}"
            for m in self.models
        ]
        self.status.value = "" if self.models else "没有模型 No models yet"

    def choose_model(self, index: int) -> None:
        self.model_list.index = index

    def choose_version(self, index: int) -> None:
        self.version_list.index = index

    def _on_model(self, change: Any) -> None:
        if change.new is None or change.new >= len(self.models):
            return
        m: ms.Model = self.models[change.new]
        page = self.client().model_versions(m.project, m.name, per_page=100)
        self.versions = list(page.items)
        self.version_list.options = [
            f"{v.version}{' (' + ', '.join(v.aliases) + ')' if v.aliases else ''}  ·  "
            f"{v.created_at:%Y-%m-%d %H:%M}  ·  {v.creator.username if v.creator else '—'}"
            for v in self.versions
        ]
        self.value = None
        self.load_button.disabled = True

    def _on_version(self, change: Any) -> None:
        if change.new is None or change.new >= len(self.versions):
            return
        v: ms.ModelVersion = self.client().model_version(self.versions[change.new].id)
        self.value = v
        metrics = ", ".join(f"{k}={val}" for k, val in v.metrics.items()) or "—"
        lineage = v.lineage
        source = (
            f"task {html.escape(lineage.task_name or '')} @ {(lineage.commit or '')[:10]}"
            if lineage.source == "task"
            else lineage.source
        )
        self.detail.value = (
            f"<code>{html.escape(v.path)}</code> · {v.engine} · {human_bytes(v.size)} · "
            f"{v.num_files} files<br>metrics: {html.escape(metrics)}<br>from: {source}"
        )
        self.load_button.disabled = False

    def load(self) -> str:
        from ..models import load_path

        if self.value is None:
            return ""
        self.status.value = "下载中 Downloading…"
        self.path = str(load_path(self.value.path, client=self.client()))
        self.status.value = f"<code>{html.escape(self.path)}</code>"
        return self.path
