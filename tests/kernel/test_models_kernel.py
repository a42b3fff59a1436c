"""Models from the kernel side: ``load_path`` and ``%openi models`` in a real kernel,
``register`` and ``ModelBrowser`` through the client."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

import pytest
from test_client_and_magics import _run_in_kernel

from openi_lab import models
from openi_lab.client import ApiError, Client
from openi_lab.widgets import ModelBrowser
from taskutil import token

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
P = "projects/alice/lab"


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPENI_LAB_CACHE", str(cache))
    return cache


async def _model(api: Any) -> None:
    assert (await api.post("projects", {"name": "lab", "auto_init": True})).status == 201
    for i, body in enumerate((b"weights v1", b"weights v2")):
        r = await api.call("POST", f"{P}/models/upload", body, filename="w.pt", name="net")
        assert r.status == 201 and r.body["version"] == f"0.0.{i + 1}", r.body
    r = await api.put(f"{P}/models/net/aliases/production", {"version": "0.0.1"})
    assert r.status == 200


async def test_load_path_in_a_real_kernel(api, jp_serverapp, tmp_path, _cache):
    await _model(api)
    jp_serverapp.write_server_info_file()
    code = (
        "import os\n"
        f"os.environ['OPENI_LAB_CACHE'] = {str(_cache)!r}\n"
        "from openi_lab import models\n"
        "p = models.load_path('alice/lab/net')\n"
        "print('latest', (p / 'w.pt').read_bytes())\n"
        "q = models.load_path('alice/lab/net', version='production')\n"
        "print('production', (q / 'w.pt').read_bytes())\n"
        "print('again', models.load_path('alice/lab/net@0.0.1') == q)\n"
        "%load_ext openi_lab\n"
        "%openi models alice/lab\n"
    )
    out = await _run_in_kernel(jp_serverapp, code)
    assert "latest b'weights v2'" in out, out
    assert "production b'weights v1'" in out and "again True" in out, out
    assert "alice/lab/net" in out and "0.0.2" in out and "1 model(s)" in out, out
    # each file was fetched once: the third load came from the sha256 cache
    v1 = (await api.get(f"{P}/models/net/versions/0.0.1")).body
    assert v1["download_count"] == 1
    cached = {p.name for p in _cache.joinpath("models").iterdir() if len(p.name) == 64}
    assert cached == {hashlib.sha256(b"weights v1").hexdigest(),
                      hashlib.sha256(b"weights v2").hexdigest()}  # fmt: skip


async def test_register_and_browse_through_the_client(
    api, platform, jp_http_port, jp_base_url, tmp_path
):
    await _model(api)
    secret = await token(platform, "alice")
    client = Client(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", secret)
    folder = tmp_path / "export"
    (folder / "sub").mkdir(parents=True)
    (folder / "model.onnx").write_bytes(b"onnx")
    (folder / "sub" / "labels.txt").write_text("cat\ndog\n")
    v = await asyncio.to_thread(
        models.register, "alice/lab", "exported", folder, tags="demo", client=client
    )
    assert v.engine == "ONNX" and sorted(f.path for f in v.files) == [
        "model.onnx", "sub/labels.txt",
    ]  # fmt: skip
    with pytest.raises(ApiError) as err:  # not in a task, and no task id
        await asyncio.to_thread(models.register, "alice/lab", "x", client=client)
    assert err.value.status == 422

    browser = await asyncio.to_thread(ModelBrowser, "alice/lab", client)
    assert len(browser.models) == 2
    index = next(i for i, m in enumerate(browser.models) if m.name == "net")
    await asyncio.to_thread(browser.choose_model, index)
    assert [x.version for x in browser.versions] == ["0.0.2", "0.0.1"]
    await asyncio.to_thread(browser.choose_version, 1)
    assert browser.value.version == "0.0.1" and "production" in browser.value.aliases
    path = await asyncio.to_thread(browser.load)
    assert await asyncio.to_thread(Path(path, "w.pt").read_bytes) == b"weights v1"
    client.close()
