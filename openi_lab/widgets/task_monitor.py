"""A cloud-brain task followed live in a notebook: name, status, duration and the log."""

from __future__ import annotations

import html
import threading

import ipywidgets as w
from traitlets import Unicode

from .. import schemas as s
from ..client import TASK_FINAL, ApiError, Client

STATUS_COLORS = {
    "WAITING": "#757575",
    "RUNNING": "#1976d2",
    "STOPPING": "#ef6c00",
    "SUCCEEDED": "#2e7d32",
    "FAILED": "#d32f2f",
    "STOPPED": "#ef6c00",
}
#: the most log text kept in the widget (the head is dropped beyond it)
MAX_LOG_CHARS = 200_000


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    m, sec = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m:02d}:{sec:02d}"


class TaskMonitor(w.VBox):
    """``TaskMonitor("owner/project", task_id)`` follows the task live in a background thread
    until it ends: the server's event stream (``Client.stream_logs``) brings each log line as
    it is written and each status change; should the stream fail, it polls the task and its
    log every ``interval`` seconds instead. ``status`` is a traitlet (observe it);
    ``log_text`` holds the log so far. ``refresh()`` does one poll, so tests (or code without
    a browser) can drive it with ``autostart=False``."""

    status = Unicode("")

    def __init__(
        self,
        project: str,
        task_id: int,
        client: Client | None = None,
        interval: float = 1.0,
        autostart: bool = True,
        **kwargs: object,
    ):
        self.project = project
        self.task_id = task_id
        self.client = client or Client()
        self.interval = interval
        self.task: s.Task | None = None
        self.log_text = ""
        self.offset = 0
        self.error = ""
        self._halt = threading.Event()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self.header = w.HTML()
        self.stop_button = w.Button(description="停止 Stop", button_style="warning")
        self.stop_button.on_click(lambda _: self.stop_task())
        self.output = w.HTML(layout=w.Layout(max_height="320px", overflow="auto"))
        super().__init__([w.HBox([self.header, self.stop_button]), self.output], **kwargs)
        self._render()
        if autostart:
            self.start()

    # --- polling ---------------------------------------------------------------------------

    def refresh(self) -> str:
        """Fetch the task and any new log text once; returns the status."""
        with self._lock:
            try:
                self.task = self.client.task(self.project, self.task_id)
                while True:  # a log grows in chunks: read all there is now
                    log = self.client.task_log(self.project, self.task_id, self.offset)
                    self.log_text = (self.log_text + log.text)[-MAX_LOG_CHARS:]
                    self.offset = log.next_offset
                    if not log.text or log.next_offset >= log.size:
                        break
                self.error = ""
            except ApiError as exc:
                self.error = str(exc)
            if self.task is not None:
                self.status = self.task.status.value
            self._render()
            return self.status

    @property
    def done(self) -> bool:
        return self.task is not None and self.task.status in TASK_FINAL

    def _follow(self) -> bool:
        """Follow the event stream to its end; False when it failed (then poll)."""
        try:
            for event in self.client.stream_logs(self.project, self.task_id, self.offset):
                if self._halt.is_set():
                    return True
                with self._lock:
                    if event.event == "log" and event.offset == self.offset:
                        self.log_text = (self.log_text + event.text)[-MAX_LOG_CHARS:]
                        self.offset = event.next_offset
                        self._render()
                        continue
                if event.event in ("status", "end"):
                    self._refresh_task()
                if event.event == "end":
                    return True
        except ApiError as exc:
            with self._lock:
                self.error = str(exc)
        return False

    def _refresh_task(self) -> None:
        with self._lock:
            try:
                self.task = self.client.task(self.project, self.task_id)
                self.status = self.task.status.value
                self.error = ""
            except ApiError as exc:
                self.error = str(exc)
            self._render()

    def _run(self) -> None:
        if self._follow():
            return
        while not self._halt.is_set():
            self.refresh()
            if self.done:
                self.refresh()  # the last lines written after the status changed
                return
            self._halt.wait(self.interval)

    def start(self) -> None:
        if self._thread is None or not self._thread.is_alive():
            self._halt.clear()
            self._thread = threading.Thread(target=self._run, daemon=True, name="TaskMonitor")
            self._thread.start()

    def close_monitor(self) -> None:
        """Stop polling (the task goes on)."""
        self._halt.set()

    def join(self, timeout: float | None = None) -> None:
        if self._thread is not None:
            self._thread.join(timeout)

    def stop_task(self) -> None:
        """Ask the server to stop the task."""
        try:
            self.client.stop_task(self.project, self.task_id)
        except ApiError as exc:
            self.error = str(exc)
        self.refresh()

    # --- view ------------------------------------------------------------------------------

    def text(self) -> str:
        """``name · STATUS · duration`` (and the reason once it ended)."""
        t = self.task
        if t is None:
            return f"task {self.task_id} · …"
        parts = [t.name, t.status.value, _duration(t.duration)]
        if t.status in TASK_FINAL and t.reason:
            parts.append(t.reason.splitlines()[0])
        return " · ".join(parts)

    def _render(self) -> None:
        t = self.task
        color = STATUS_COLORS.get(self.status, "#757575")
        head = html.escape(self.text())
        if t is not None:
            head = (
                f"<b>{html.escape(t.name)}</b> · "
                f"<span style='color:{color};font-weight:bold'>{t.status.value}</span> · "
                f"{html.escape(_duration(t.duration))}"
            )
            if t.status in TASK_FINAL and t.reason:
                head += f" · {html.escape(t.reason.splitlines()[0])}"
        if self.error:
            head += f' <span style="color:#d32f2f">{html.escape(self.error)}</span>'
        self.header.value = head
        self.stop_button.disabled = t is None or t.status in TASK_FINAL
        self.output.value = (
            "<pre style='margin:0;white-space:pre-wrap;font-size:12px'>"
            f"{html.escape(self.log_text)}</pre>"
        )
