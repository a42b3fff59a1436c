"""``Client.search`` and ``%openi search`` in a real kernel against a live server."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def _run_in_kernel(jp_serverapp: Any, code: str) -> str:
    """Execute ``code`` in a kernel the Jupyter server started; return its stdout."""
    km = jp_serverapp.kernel_manager
    kernel_id = await km.start_kernel(kernel_name="python3")
    client = km.get_kernel(kernel_id).client()
    client.start_channels()
    out: list[str] = []

    def hook(msg: dict[str, Any]) -> None:
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append("\n".join(msg["content"]["traceback"]))

    try:
        await client.wait_for_ready(timeout=60)
        await client.execute_interactive(code, output_hook=hook, timeout=60)
    finally:
        client.stop_channels()
        await km.shutdown_kernel(kernel_id, now=True)
    return "".join(out)


async def test_search_from_a_notebook(jp_serverapp, api):
    jp_serverapp.write_server_info_file()
    await api.post("projects", {"name": "yolov5", "description": "目标检测 object detection"})
    await api.post("projects/alice/yolov5/issues", {"title": "检测 is slow"})
    out = await _run_in_kernel(
        jp_serverapp,
        "from openi_lab.client import Client\n"
        "r = Client().search('检测')\n"
        "print(r.counts['projects'], r.counts['issues'], r.groups[0].items[0].title_html)\n"
        "%load_ext openi_lab\n"
        "%openi search 检测\n"
        "%openi search 检测 --type issues\n"
        "%openi search 区块链\n",
    )
    assert "1 1 alice/yolov5" in out, out
    assert "projects (1)\n  alice/yolov5" in out, out
    assert "issues (1)\n  alice/yolov5#1  检测 is slow" in out, out
    assert "nothing found for '区块链'" in out, out
