"""Datasets from the kernel side against a live server: resumable uploads through ``Client``,
``openi_lab.datasets`` (sha256 cache, archive members) and ``openi-lab dataset``."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import os
import re
import sys
import tarfile
import time
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest

from openi_lab import datasets
from openi_lab.client import ApiError, Client

pytestmark = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)

KiB = 1024


async def _setup(as_user: Any, jp_base_url: str, jp_http_port: int, tmp_path: Path) -> Any:
    """bob, his project ``bob/aiforge`` with a dataset ``mnist``, and a Client as bob."""
    bob = await as_user("bob")
    created = await bob.post("projects", {"name": "aiforge"})
    assert created.status == 201, created.body
    created = await bob.post(
        "projects/bob/aiforge/datasets", {"name": "mnist", "description": "手写数字"}
    )
    assert created.status == 201, created.body
    token = bob.headers["Authorization"].split()[1]
    url = f"http://127.0.0.1:{jp_http_port}{jp_base_url}"
    client = Client(url, token)
    client.retry_backoff = 0.05
    return SimpleNamespace(api=bob, client=client, url=url, token=token, cwd=tmp_path)


def _data(size: int, seed: int = 0) -> bytes:
    """Incompressible, reproducible bytes."""
    out, block = bytearray(), hashlib.sha256(str(seed).encode()).digest()
    while len(out) < size:
        block = hashlib.sha256(block).digest()
        out += block
    return bytes(out[:size])


def _patch_bytes(client: Client) -> list[int]:
    """Records the body size of every PATCH that the server accepted."""
    sent: list[int] = []

    def hook(response: httpx.Response) -> None:
        if response.request.method == "PATCH" and response.status_code == 200:
            sent.append(int(response.request.headers["Content-Length"]))

    client._http.event_hooks["response"].append(hook)
    return sent


@pytest.fixture
def jp_server_config(jp_server_config: dict[str, Any]) -> dict[str, Any]:
    """The shared server config, with files limited to 1 MiB (to see the 413)."""
    jp_server_config["OpeniLabApp"]["max_upload_bytes"] = 1024 * KiB
    return jp_server_config


@pytest.fixture(autouse=True)
def _cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("OPENI_LAB_CACHE", str(cache))
    return cache


async def test_multi_chunk_upload_reports_monotonic_progress(
    as_user, jp_base_url, jp_http_port, tmp_path
):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(300 * KiB + 123)
    src = tmp_path / "train.bin"
    src.write_bytes(payload)
    sent = _patch_bytes(env.client)
    seen: list[tuple[int, int]] = []

    f = await asyncio.to_thread(
        env.client.upload,
        "bob/aiforge",
        "mnist",
        src,
        progress=lambda done, total: seen.append((done, total)),
        chunk_size=128 * KiB,
    )
    assert f.name == "train.bin" and f.size == len(payload)
    assert f.sha256 == hashlib.sha256(payload).hexdigest()
    assert f.path == "bob/aiforge/mnist/train.bin"
    assert sent == [128 * KiB, 128 * KiB, len(payload) - 256 * KiB]
    dones = [d for d, _ in seen]
    assert dones == sorted(dones) and len(set(dones)) == len(dones)
    assert dones[-1] == len(payload) and {t for _, t in seen} == {len(payload)}
    assert 64 * KiB in dones  # progress within chunks, not only at their ends

    files = await asyncio.to_thread(env.client.dataset_files, "bob/aiforge", "mnist")
    assert [x.name for x in files.items] == ["train.bin"]
    # no upload state is left behind once the upload completed
    assert not list((tmp_path / "cache" / "uploads").glob("*.json"))


async def test_upload_resumes_from_the_servers_offset(as_user, jp_base_url, jp_http_port, tmp_path):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(200 * KiB, seed=1)
    src = tmp_path / "val.bin"
    src.write_bytes(payload)
    sha = hashlib.sha256(payload).hexdigest()
    chunk = 96 * KiB  # sent in 64 KiB blocks: the stop comes in the middle of chunk 2

    class Stop(Exception):
        pass

    def interrupted() -> int:
        def stop_in_second_chunk(done: int, total: int) -> None:
            if done > chunk:
                raise Stop  # like Ctrl-C in the middle of an upload

        with pytest.raises(Stop):
            env.client.upload(
                "bob/aiforge", "mnist", src, progress=stop_in_second_chunk, chunk_size=chunk
            )
        # the interrupted upload is remembered; ask the server where it stands (it settles
        # the cut chunk once it sees the connection close)
        (state,) = (tmp_path / "cache" / "uploads").glob("*.json")
        upload_id = json.loads(state.read_text())["id"]
        seen = [-1]
        for _ in range(30):
            offset = int(env.client.request("GET", f"uploads/{upload_id}")["offset"])
            if offset == seen[-1]:
                break
            seen.append(offset)
            time.sleep(0.2)
        return offset

    offset = await asyncio.to_thread(interrupted)
    # the first chunk counts; of the cut one, the bytes that arrived are kept (tus)
    assert chunk <= offset < 2 * chunk
    sent = _patch_bytes(env.client)
    seen: list[int] = []
    f = await asyncio.to_thread(
        env.client.upload,
        "bob/aiforge",
        "mnist",
        src,
        progress=lambda done, total: seen.append(done),
        chunk_size=chunk,
    )
    assert f.sha256 == sha and f.size == len(payload)
    assert sum(sent) == len(payload) - offset  # only the rest went up
    assert seen[0] == offset and seen[-1] == len(payload)


async def test_upload_started_by_hand_is_resumed(as_user, jp_base_url, jp_http_port, tmp_path):
    """The first chunk goes up through ``client.request``; ``upload`` then sends the rest."""
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(150 * KiB, seed=2)
    src = tmp_path / "test.bin"
    src.write_bytes(payload)
    sha = hashlib.sha256(payload).hexdigest()
    first = 64 * KiB

    def by_hand() -> str:
        up = env.client.request(
            "POST",
            "uploads",
            json={
                "project": "bob/aiforge",
                "dataset": "mnist",
                "filename": "test.bin",
                "size": len(payload),
                "sha256": sha,
            },
        )
        assert up["status"] == "active" and up["offset"] == 0
        after = env.client.request(
            "PATCH",
            f"uploads/{up['id']}",
            content=payload[:first],
            headers={
                "Upload-Offset": "0",
                "Content-Type": "application/offset+octet-stream",
            },
        )
        assert after["offset"] == first
        return str(up["id"])

    upload_id = await asyncio.to_thread(by_hand)
    sent = _patch_bytes(env.client)
    f = await asyncio.to_thread(
        env.client.upload, "bob/aiforge", "mnist", src, chunk_size=first, upload_id=upload_id
    )
    assert f.sha256 == sha
    assert sum(sent) == len(payload) - first


async def test_upload_survives_broken_connections(as_user, jp_base_url, jp_http_port, tmp_path):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(260 * KiB, seed=3)
    src = tmp_path / "flaky.bin"
    src.write_bytes(payload)
    real = env.client._http._transport
    patches = [0]

    class Flaky(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            if request.method == "PATCH":
                patches[0] += 1
                if patches[0] == 2:  # the chunk arrives, the answer is lost
                    real.handle_request(request).read()
                    raise httpx.ReadError("connection reset by peer")
                if patches[0] == 4:  # nothing gets through
                    raise httpx.ConnectError("connection refused")
            return real.handle_request(request)

    env.client._http._transport = Flaky()
    f = await asyncio.to_thread(env.client.upload, "bob/aiforge", "mnist", src, chunk_size=64 * KiB)
    assert f.sha256 == hashlib.sha256(payload).hexdigest()
    assert patches[0] >= 6


async def test_identical_bytes_are_stored_once(as_user, jp_base_url, jp_http_port, tmp_path):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(100 * KiB, seed=4)
    (tmp_path / "a.bin").write_bytes(payload)
    (tmp_path / "copy.bin").write_bytes(payload)
    first = await asyncio.to_thread(
        env.client.upload, "bob/aiforge", "mnist", tmp_path / "a.bin", chunk_size=64 * KiB
    )
    sent = _patch_bytes(env.client)
    seen: list[tuple[int, int]] = []
    second = await asyncio.to_thread(
        env.client.upload,
        "bob/aiforge",
        "mnist",
        tmp_path / "copy.bin",
        progress=lambda d, t: seen.append((d, t)),
    )
    assert sent == []  # dedup: completed at once, no chunk sent
    assert second.sha256 == first.sha256 and second.name == "copy.bin"
    assert seen == [(len(payload), len(payload))]


async def test_upload_errors_name_the_reason(as_user, jp_base_url, jp_http_port, tmp_path):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    src = tmp_path / "x.bin"
    src.write_bytes(b"x" * 10)
    with pytest.raises(ApiError) as missing:
        await asyncio.to_thread(env.client.upload, "bob/aiforge", "nope", src)
    assert missing.value.status == 404
    (tmp_path / "empty.bin").write_bytes(b"")
    with pytest.raises(ValueError, match="empty"):
        await asyncio.to_thread(env.client.upload, "bob/aiforge", "mnist", tmp_path / "empty.bin")


def _zip_bytes() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("a.txt", "第一行 first line\nsecond line\n")
        z.writestr("images/0.png", _data(5000, seed=9))
    return buf.getvalue()


def _tar_bytes() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as t:
        data = b"label,value\n1,2\n"
        info = tarfile.TarInfo("data/labels.csv")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    return buf.getvalue()


async def test_download_is_cached_by_sha256_and_members_open(
    as_user, jp_base_url, jp_http_port, tmp_path, _cache
):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    archive = tmp_path / "mnist.zip"
    archive.write_bytes(_zip_bytes())
    (tmp_path / "labels.tar.gz").write_bytes(_tar_bytes())
    c = env.client
    zf = await asyncio.to_thread(c.upload, "bob/aiforge", "mnist", archive)
    tf = await asyncio.to_thread(c.upload, "bob/aiforge", "mnist", tmp_path / "labels.tar.gz")
    assert zf.kind == "zip" and tf.kind == "tar.gz"
    downloads: list[str] = []
    c._http.event_hooks["request"].append(
        lambda r: downloads.append(r.url.path) if r.url.path.endswith("/download") else None
    )

    def read_all() -> dict[str, Any]:
        path = datasets.download(zf.id, client=c)
        again = datasets.download("bob/aiforge/mnist/mnist.zip", client=c)
        copy = datasets.download(zf.id, tmp_path / "out", client=c)
        with datasets.open(zf.id, member="a.txt", client=c) as fh:
            first_line = fh.readline().decode()
        with datasets.open("bob/aiforge/mnist/labels.tar.gz", "data/labels.csv", client=c) as fh:
            csv = fh.read()
        with datasets.open(zf, client=c) as fh:
            whole = fh.read()
        counted = {f.name: f.download_count for f in c.dataset_files("bob/aiforge", "mnist").items}
        return locals()

    (tmp_path / "out").mkdir()
    got = await asyncio.to_thread(read_all)
    assert got["path"] == _cache / "datasets" / zf.sha256
    assert got["again"] == got["path"]
    assert got["copy"] == tmp_path / "out" / "mnist.zip"
    assert got["copy"].read_bytes() == archive.read_bytes() == got["whole"]
    assert got["first_line"] == "第一行 first line\n"
    assert got["csv"] == b"label,value\n1,2\n"
    assert len(downloads) == 2  # one transfer per content, then the cache
    assert got["counted"] == {"mnist.zip": 1, "labels.tar.gz": 1}
    assert not [p for p in (_cache / "datasets").iterdir() if p.name.endswith(".download")]

    with pytest.raises(KeyError, match=r"b\.txt"):
        await asyncio.to_thread(datasets.open, zf.id, member="b.txt", client=c)


async def test_download_resumes_and_verifies(as_user, jp_base_url, jp_http_port, tmp_path, _cache):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(120 * KiB, seed=5)
    (tmp_path / "big.bin").write_bytes(payload)
    c = env.client
    f = await asyncio.to_thread(c.upload, "bob/aiforge", "mnist", tmp_path / "big.bin")
    ranges: list[str | None] = []
    c._http.event_hooks["request"].append(
        lambda r: (
            ranges.append(r.headers.get("Range")) if r.url.path.endswith("/download") else None
        )
    )
    # a transfer that broke after 50 KiB left its part behind: only the rest is asked for
    (_cache / "datasets").mkdir(parents=True)
    part = _cache / "datasets" / f".{f.sha256}.download.part"
    part.write_bytes(payload[: 50 * KiB])
    path = await asyncio.to_thread(datasets.download, f.id, client=c)
    assert path.read_bytes() == payload
    assert ranges == [f"bytes={50 * KiB}-"]

    # bytes that do not match the recorded sha256 never enter the cache
    path.unlink()
    part.write_bytes(b"\0" * len(payload))
    with pytest.raises(datasets.ChecksumError):
        await asyncio.to_thread(datasets.download, f.id, client=c)
    assert not path.exists() and not part.exists()
    assert (await asyncio.to_thread(datasets.download, f.id, client=c)).read_bytes() == payload


async def _cli(env: Any, *args: str) -> tuple[int, str, str]:
    """``openi-lab dataset …`` in a child process (``OPENI_LAB_CACHE`` is the test's)."""
    environ = {**os.environ, "OPENI_LAB_URL": env.url, "OPENI_LAB_TOKEN": env.token}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "openi_lab",
        "dataset",
        *args,
        env=environ,
        cwd=env.cwd,
        stdout=-1,
        stderr=-1,
    )
    out, err = await proc.communicate()
    return proc.returncode or 0, out.decode(), err.decode()


async def test_cli_upload_ls_download(as_user, jp_base_url, jp_http_port, tmp_path, _cache):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(90 * KiB, seed=6)
    src = tmp_path / "cli.bin"
    src.write_bytes(payload)

    rc, out, err = await _cli(env, "upload", "bob/aiforge/cifar", str(src), "--create")
    assert rc == 0, err
    assert "created dataset bob/aiforge/cifar" in err
    assert "100%" in err and "cli.bin" in err  # the tqdm bar, on stderr
    file_id, path, size, sha = out.strip().split("\t")
    assert path == "bob/aiforge/cifar/cli.bin" and int(size) == len(payload)
    assert sha == hashlib.sha256(payload).hexdigest()

    rc, out, err = await _cli(env, "ls", "bob/aiforge")
    assert rc == 0, err
    assert "cifar" in out and "mnist" in out and "手写数字" in out
    rc, out, err = await _cli(env, "ls", "bob/aiforge/cifar")
    assert rc == 0 and "cli.bin" in out and sha[:12] in out

    dest = tmp_path / "dl"
    dest.mkdir()
    rc, out, err = await _cli(env, "download", file_id, str(dest))
    assert rc == 0, err
    assert Path(out.strip()) == dest / "cli.bin"
    assert (dest / "cli.bin").read_bytes() == payload
    rc, out, err = await _cli(env, "download", "bob/aiforge/cifar/cli.bin", "-q")
    assert rc == 0, err
    assert (
        Path(out.strip()) == (tmp_path / "cli.bin").resolve()
        and (tmp_path / "cli.bin").read_bytes() == payload
    )


async def test_cli_errors_exit_non_zero_with_a_message(
    as_user, jp_base_url, jp_http_port, tmp_path, _cache
):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    src = tmp_path / "f.bin"
    src.write_bytes(b"payload")
    rc, _, err = await _cli(env, "upload", "bob/aiforge/mnist", str(tmp_path / "missing"))
    assert rc == 2 and "no such file" in err and "missing" in err
    rc, _, err = await _cli(env, "upload", "bob/aiforge/nope", str(src))
    assert rc == 1 and "not found (404" in err, err
    rc, _, err = await _cli(env, "upload", "bob-aiforge", str(src))
    assert rc == 2 and "expected owner/project/dataset" in err
    rc, _, err = await _cli(env, "ls", "bob/nothing")
    assert rc == 1 and "404" in err
    rc, _, err = await _cli(env, "download", "999999")
    assert rc == 1 and "404" in err


async def test_cli_upload_resumes_an_interrupted_upload(
    as_user, jp_base_url, jp_http_port, tmp_path, _cache
):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(200 * KiB, seed=7)
    src = tmp_path / "resume.bin"
    src.write_bytes(payload)
    chunk = 96 * KiB

    def interrupted() -> str:
        def stop(done: int, total: int) -> None:
            if done > chunk:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            env.client.upload("bob/aiforge", "mnist", src, progress=stop, chunk_size=chunk)
        (state,) = (_cache / "uploads").glob("*.json")
        return str(json.loads(state.read_text())["id"])

    upload_id = await asyncio.to_thread(interrupted)
    rc, out, err = await _cli(env, "upload", "bob/aiforge/mnist", str(src))
    assert rc == 0, err
    resumed = re.search(r"resuming at (\d+) of (\d+) bytes", err)
    assert resumed and "100%" in err, err
    # at least the whole first chunk; of the cut one, what arrived (tus)
    assert chunk <= int(resumed[1]) < 2 * chunk and int(resumed[2]) == len(payload)
    assert out.split("\t")[1] == "bob/aiforge/mnist/resume.bin"
    # the same upload finished: nothing started over
    status = await asyncio.to_thread(env.client.request, "GET", f"uploads/{upload_id}")
    assert status["status"] == "completed" and status["file"]["path"].endswith("resume.bin")
    # uploading it again into another name: the platform has the bytes already
    rc, out, err = await _cli(env, "upload", "bob/aiforge/cifar", str(src), "--create")
    assert rc == 0 and "already stored on the platform" in err, err


async def test_bytes_that_changed_under_the_upload_are_refused(
    as_user, jp_base_url, jp_http_port, tmp_path, _cache
):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    payload = _data(150 * KiB, seed=8)
    src = tmp_path / "moving.bin"
    src.write_bytes(payload)

    def change_the_tail(done: int, total: int) -> None:
        with src.open("r+b") as fh:  # same size, other bytes: the sha256 no longer matches
            fh.seek(100 * KiB)
            fh.write(b"\0" * KiB)

    with pytest.raises(ApiError) as refused:
        await asyncio.to_thread(
            env.client.upload,
            "bob/aiforge",
            "mnist",
            src,
            progress=change_the_tail,
            chunk_size=64 * KiB,
        )
    assert refused.value.status == 422
    assert [e.field for e in refused.value.errors] == ["sha256"]
    files = await asyncio.to_thread(env.client.dataset_files, "bob/aiforge", "mnist")
    assert files.total == 0
    assert not list((_cache / "uploads").glob("*.json"))

    from openi_lab.cli import _explain

    assert "do not match the file's sha256 (422" in _explain(refused.value, "x")


async def test_cli_says_when_a_file_is_too_large(as_user, jp_base_url, jp_http_port, tmp_path):
    env = await _setup(as_user, jp_base_url, jp_http_port, tmp_path)
    big = tmp_path / "big.bin"
    big.write_bytes(_data(1024 * KiB + 1, seed=10))
    rc, _, err = await _cli(env, "upload", "bob/aiforge/mnist", str(big))
    assert rc == 1
    assert "too large for the platform or your quota (413" in err, err
