"""A task's live log as server-sent events: lines while it runs, resume, end, privacy."""

from __future__ import annotations

import asyncio
import itertools

import pytest

from gitutil import Git
from openi_lab.client import Client
from taskutil import project_with_code, task_config, token, wait_status

T = "projects/alice/lab/tasks"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def _client(platform, jp_base_url: str, jp_http_port: int) -> Client:
    return Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", await token(platform, "alice"))


async def test_stream_follows_a_running_task_then_resumes_and_ends(
    api, platform, git, tmp_path, jp_base_url, jp_http_port
):
    await project_with_code(api, platform, git, tmp_path)
    c = await _client(platform, jp_base_url, jp_http_port)
    body = {"name": "live", "spec": "cpu-small", "boot_file": "sleep.py"}
    created = await api.post(T, {**body, "params": [{"name": "t", "value": "1.5"}]})
    assert created.status == 201, created.body
    tid = created.body["id"]

    events = await asyncio.to_thread(lambda: list(c.stream_logs("alice/lab", tid)))
    kinds = [e.event for e in events]
    assert kinds[-1] == "end" and events[-1].status == "SUCCEEDED"
    statuses = [e.status for e in events if e.event == "status"]
    assert statuses[0] in ("WAITING", "RUNNING") and statuses[-1] == "SUCCEEDED"
    assert "RUNNING" in statuses
    logs = [e for e in events if e.event == "log"]
    # "ready" came while the task slept, before "done" was written: two separate events
    ready = next(i for i, e in enumerate(logs) if "ready" in e.text)
    assert "done" not in logs[ready].text
    assert any("done" in e.text for e in logs[ready + 1 :])
    # offsets chain without gaps and the text is the whole log
    text = "".join(e.text for e in logs)
    assert logs[0].offset == 0
    assert all(a.next_offset == b.offset for a, b in itertools.pairwise(logs))
    full = await api.get(f"{T}/{tid}/logs", offset=0)
    assert text == full.body["text"]

    # resume from a byte offset: only what follows it
    after = text.index("done")
    again = await asyncio.to_thread(lambda: list(c.stream_logs("alice/lab", tid, offset=after)))
    assert "".join(e.text for e in again if e.event == "log") == text[after:]
    assert again[-1].event == "end" and again[-1].status == "SUCCEEDED"


async def test_raw_event_stream_and_last_event_id(api, platform, git, tmp_path, jp_fetch):
    """The wire format: ``id:`` is the byte offset; ``Last-Event-ID`` resumes like ?offset=."""
    await project_with_code(api, platform, git, tmp_path)
    body = {"name": "quick", "spec": "cpu-small", "boot_file": "device.py"}
    tid = (await api.post(T, body)).body["id"]
    await wait_status(api, f"{T}/{tid}", {"SUCCEEDED"})
    log = (await api.get(f"{T}/{tid}/logs", offset=0)).body
    parts = ["openi", "api", "v1", *T.split("/"), str(tid), "logs", "stream"]
    resp = await jp_fetch(*parts)
    assert resp.headers["Content-Type"].startswith("text/event-stream")
    wire = resp.body.decode()
    assert f"id: {log['size']}\nevent: end\n" in wire
    assert '"status": "SUCCEEDED"' in wire
    skip = log["text"].index("end")
    resumed = await jp_fetch(*parts, headers={"Last-Event-ID": str(skip)})
    wire = resumed.body.decode()
    assert '"text": "start' not in wire and f'"offset": {skip}' in wire
    bad = await jp_fetch(*parts, params={"offset": "-1"}, raise_error=False)
    assert bad.code == 422


async def test_private_task_stream_is_hidden_from_outsiders(
    api, platform, git, tmp_path, as_user, jp_base_url, jp_http_port
):
    await project_with_code(api, platform, git, tmp_path)
    assert (await api.patch("projects/alice/lab", {"visibility": "private"})).status == 200
    body = {"name": "secret", "spec": "cpu-small", "boot_file": "device.py"}
    tid = (await api.post(T, body)).body["id"]
    bob = await as_user("bob")
    r = await bob.get(f"{T}/{tid}/logs/stream")
    assert r.status == 404
    bob_client = Client(
        f"http://127.0.0.1:{jp_http_port}{jp_base_url}", bob.headers["Authorization"][6:]
    )
    with pytest.raises(Exception) as caught:
        await asyncio.to_thread(lambda: next(bob_client.stream_logs("alice/lab", tid)))
    assert getattr(caught.value, "status", None) == 404


async def test_task_monitor_widget_follows_the_stream(
    api, platform, git, tmp_path, jp_base_url, jp_http_port
):
    from openi_lab.widgets import TaskMonitor

    await project_with_code(api, platform, git, tmp_path)
    c = await _client(platform, jp_base_url, jp_http_port)
    body = {"name": "watched", "spec": "cpu-small", "boot_file": "fail.py"}
    tid = (await api.post(T, body)).body["id"]
    # a polling monitor would wait ten minutes between looks: only the stream can finish it
    monitor = TaskMonitor("alice/lab", tid, client=c, interval=600)
    await asyncio.to_thread(monitor.join, 60)
    assert monitor.done and monitor.status == "FAILED"
    assert "boom: the loss is NaN" in monitor.log_text
    assert "FAILED" in monitor.header.value and "boom" in monitor.output.value
