"""A transfer progress bar for notebooks: bar, bytes, percentage and speed."""

from __future__ import annotations

import html
import time

import ipywidgets as w
from traitlets import Int, Unicode


def human_bytes(n: float) -> str:
    """``1536`` → ``1.5 KB`` (binary multiples, as file browsers show them)."""
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if abs(n) < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"  # pragma: no cover


class UploadProgress(w.HBox):
    """``update(done, total)`` from :meth:`openi_lab.client.Client.upload`'s ``progress``
    callback; ``finish()`` and ``fail(message)`` end it. ``done``, ``total`` and ``state``
    (``running``, ``done``, ``failed``) are traitlets, so tests and other widgets can read
    or observe them."""

    done = Int(0)
    total = Int(0)
    state = Unicode("running")

    def __init__(self, description: str = "", total: int = 0, **kwargs: object):
        self.bar = w.FloatProgress(
            value=0,
            min=0,
            max=max(total, 1),
            description=description,
            bar_style="info",
            style={"description_width": "initial"},
            layout=w.Layout(width="55%"),
        )
        self.label = w.HTML()
        super().__init__([self.bar, self.label], **kwargs)
        self.total = total
        self._start = time.monotonic()
        self._first = 0
        self._started = False
        self._render()

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        if not self._started:  # a resumed upload starts from the server's offset
            self._started, self._first = True, done
            self._start = time.monotonic()
        self.done = done
        self._render()

    def speed(self) -> float:
        """Bytes per second since the first update (resumed bytes excluded)."""
        elapsed = time.monotonic() - self._start
        return (self.done - self._first) / elapsed if elapsed > 0 else 0.0

    def text(self) -> str:
        pct = 100 * self.done / self.total if self.total else 0
        parts = [f"{human_bytes(self.done)} / {human_bytes(self.total)}", f"{pct:.0f}%"]
        if self.state == "running" and self.done > self._first:
            parts.append(f"{self.speed() / 1e6:.1f} MB/s")
        if self.state == "done":
            parts.append("完成 done")
        return " · ".join(parts)

    def _render(self, extra: str = "") -> None:
        self.bar.max = max(self.total, 1)
        self.bar.value = min(self.done, self.bar.max)
        self.label.value = html.escape(self.text()) + (
            f' <span style="color:var(--jp-error-color1,#d32f2f)">{html.escape(extra)}</span>'
            if extra
            else ""
        )

    def finish(self) -> None:
        if self.state == "running":
            self.state = "done"
            self.bar.bar_style = "success"
            self._render()

    def fail(self, message: str = "") -> None:
        self.state = "failed"
        self.bar.bar_style = "danger"
        self._render(message)
