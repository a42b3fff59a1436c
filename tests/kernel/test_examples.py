"""The example notebooks execute, top to bottom, in a real kernel against a live server."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


async def test_getting_started_runs_against_the_platform(
    as_user, api, jp_base_url, jp_http_port, monkeypatch
):
    bob = await as_user("bob", ["read"])
    await api.post("orgs", {"name": "OpenI"})
    monkeypatch.setenv("OPENI_LAB_URL", f"http://127.0.0.1:{jp_http_port}{jp_base_url}")
    monkeypatch.setenv("OPENI_LAB_TOKEN", bob.headers["Authorization"].split()[1])
    nb = nbformat.read(EXAMPLES / "getting-started.ipynb", as_version=4)
    client = NotebookClient(nb, timeout=60, kernel_name="python3")  # the kernel inherits our env
    await client.async_execute()
    text = "".join(
        out.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )
    assert "signed in as bob" in text
    assert "OpenI        1 members, 0 projects" in text
    assert "0 projects:" in text
    assert "bob · bob" in text
