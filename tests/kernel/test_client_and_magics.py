"""The kernel side against a live server: discovery in a real kernel, the magic, the CLI."""

from __future__ import annotations

import asyncio
import os
import sys
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


async def test_client_finds_the_server_that_started_its_kernel(jp_serverapp, api, monkeypatch):
    monkeypatch.delenv("OPENI_LAB_URL", raising=False)
    jp_serverapp.write_server_info_file()  # what a started server leaves in the runtime dir
    out = await _run_in_kernel(
        jp_serverapp,
        "from openi_lab.client import Client\n"
        "c = Client()\n"
        "print(c.endpoint.source, '|', c.whoami().username)\n",
    )
    assert "parent jupyter server | alice" in out, out


async def test_magic_whoami_and_orgs(jp_serverapp, api):
    jp_serverapp.write_server_info_file()
    await api.post("orgs", {"name": "OpenI", "description": "启智社区"})
    out = await _run_in_kernel(
        jp_serverapp,
        "%load_ext openi_lab\n%openi whoami\n%openi orgs\n%openi nonsense\n",
    )
    assert "alice" in out and "(site admin)" in out, out
    assert "OpenI" in out and "启智社区" in out and "1 organisation(s)" in out
    assert "usage: %openi" in out


async def test_cli_whoami_with_url_and_token_from_the_environment(
    jp_serverapp, as_user, jp_base_url, jp_http_port
):
    bob = await as_user("bob", ["read"])
    token = bob.headers["Authorization"].split()[1]
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
    env = {**os.environ, "OPENI_LAB_URL": url, "OPENI_LAB_TOKEN": token}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openi_lab", "whoami", env=env, stdout=-1, stderr=-1
    )
    stdout, stderr = await proc.communicate()
    assert proc.returncode == 0, stderr.decode()
    assert stdout.decode().strip() == "bob (bob)"

    env["OPENI_LAB_TOKEN"] = "openi_revoked"
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "openi_lab", "whoami", env=env, stdout=-1, stderr=-1
    )
    _, stderr = await proc.communicate()
    assert proc.returncode == 1
    assert "401: invalid token" in stderr.decode()


async def test_client_errors_carry_the_servers_reason(
    jp_serverapp, as_user, jp_base_url, jp_http_port
):
    from openi_lab.client import ApiError, Client

    bob = await as_user("bob")
    token = bob.headers["Authorization"].split()[1]
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"

    def calls() -> tuple[str, ApiError]:
        with Client(url, token) as c:
            created = c.create_org("PCL", description="鹏城")
            try:
                c.create_org("pcl")
            except ApiError as exc:
                return created.name, exc
        raise AssertionError("duplicate org accepted")

    name, err = await asyncio.to_thread(calls)
    assert name == "PCL"
    assert err.status == 409 and "already taken" in err.message
    assert err.errors[0].field == "name"


async def test_magic_clone_and_issues(jp_serverapp, api):
    from pathlib import Path

    jp_serverapp.write_server_info_file()
    await api.post("projects", {"name": "demo", "auto_init": True})
    await api.post("projects/alice/demo/issues", {"title": "Train on Ascend 910"})
    clone = Path(jp_serverapp.root_dir) / "work" / "demo"
    out = await _run_in_kernel(
        jp_serverapp,
        f"%load_ext openi_lab\n%openi clone alice/demo {clone}\n%openi issues alice/demo\n",
    )
    assert f"cloned alice/demo into {clone}/" in out, out
    assert "#1     Train on Ascend 910" in out and "1 open issue(s)" in out
    assert (clone / "README.md").read_text().startswith("# demo")
    remote = (clone / ".git" / "config").read_text()
    assert "openi_" in remote and "/openi/git/alice/demo.git" in remote
