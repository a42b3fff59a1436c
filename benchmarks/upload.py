"""Dataset upload/download throughput through the real API (not a test).

Starts ``jupyter server`` with the platform in a child process, uploads one file in 8 MiB
chunks (``PATCH /uploads/{id}`` with ``Upload-Offset``) and compares with ``cp`` of the same
file; downloads it and compares with reading the file; reports the server's peak RSS growth.
Then does the same upload against a loopback S3 server (moto) and reports MB/s.

    .venv/bin/python benchmarks/upload.py [--size-mib 1024] [--s3-size-mib 1024] [--no-s3]
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHUNK = int(os.environ.get("BENCH_CHUNK_MIB", "8")) << 20
TOKEN = "bench-token"
ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Server:
    def __init__(self, workdir: Path, extra: list[str]):
        self.port = free_port()
        data = workdir / "openi-data"
        self.proc = subprocess.Popen(
            [
                str(BIN / "jupyter"), "server", "--no-browser", f"--port={self.port}",
                "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}", "--allow-root",
                f"--ServerApp.root_dir={workdir}",
                f"--OpeniLabApp.data_dir={data}", "--OpeniLabApp.local_username=bench",
                *extra,
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=workdir,
        )  # fmt: skip
        for _ in range(300):
            try:
                self.call("GET", "user")
                return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("jupyter server did not start")

    def conn(self) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)

    def call(self, method: str, path: str, body: object = None) -> dict:
        c = self.conn()
        data = json.dumps(body).encode() if body is not None else None
        c.request(method, f"/openi/api/v1/{path}", body=data, headers=self.headers())
        r = c.getresponse()
        text = r.read()
        c.close()
        if r.status >= 300:
            raise RuntimeError(f"{method} {path}: {r.status} {text[:300]!r}")
        return json.loads(text) if text else {}

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"token {TOKEN}", "Content-Type": "application/json"}

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def upload(server: Server, path: Path, digest: str, name: str) -> tuple[float, dict]:
    size = path.stat().st_size
    t0 = time.perf_counter()
    up = server.call(
        "POST", "uploads",
        {"project": "bench/p", "dataset": "d", "filename": name, "size": size, "sha256": digest},
    )  # fmt: skip
    c = server.conn()
    headers = server.headers()
    headers["Content-Type"] = "application/offset+octet-stream"
    with path.open("rb") as f:
        offset = 0
        while chunk := f.read(CHUNK):
            headers["Upload-Offset"] = str(offset)
            c.request("PATCH", f"/openi/api/v1/uploads/{up['id']}", body=chunk, headers=headers)
            r = c.getresponse()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"PATCH at {offset}: {r.status} {body[:300]!r}")
            offset += len(chunk)
    c.close()
    done = server.call("POST", f"uploads/{up['id']}/complete")
    return time.perf_counter() - t0, done["file"]


def download(server: Server, file_id: int) -> tuple[float, int]:
    c = server.conn()
    t0 = time.perf_counter()
    c.request(
        "GET", f"/openi/api/v1/projects/bench/p/datasets/d/files/{file_id}/download",
        headers=server.headers(),
    )  # fmt: skip
    r = c.getresponse()
    n = 0
    while block := r.read(1 << 20):
        n += len(block)
    c.close()
    return time.perf_counter() - t0, n


def make_file(path: Path, size: int) -> str:
    block = os.urandom(64 << 20)
    h = hashlib.sha256()
    with path.open("wb") as f:
        left = size
        while left:
            part = block[: min(left, len(block))]
            f.write(part)
            h.update(part)
            left -= len(part)
        # make blocks differ so nothing could be deduplicated by accident
    return h.hexdigest()


def timed(fn) -> float:  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def prepare(server: Server) -> None:
    server.call("POST", "projects", {"name": "p"})
    server.call("POST", "projects/bench/p/datasets", {"name": "d"})


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mib", type=int, default=1024)
    ap.add_argument("--s3-size-mib", type=int, default=1024)
    ap.add_argument("--no-s3", action="store_true")
    args = ap.parse_args()
    mib = 1 << 20
    with tempfile.TemporaryDirectory(prefix="openi-bench-", dir=os.environ.get("TMPDIR")) as tmp:
        work = Path(tmp)
        src = work / "data.bin"
        size = args.size_mib * mib
        t0 = time.perf_counter()
        digest = make_file(src, size)
        print(f"file: {args.size_mib} MiB (sha256 by the client: {time.perf_counter() - t0:.2f} s)")
        os.sync()

        cp_s = timed(lambda: subprocess.run(["cp", str(src), str(work / "copy.bin")], check=True))
        os.sync()
        (work / "copy.bin").unlink()

        def read_all() -> None:
            with src.open("rb") as f:
                while f.read(mib):
                    pass

        read_s = timed(read_all)

        server = Server(work, [])
        try:
            prepare(server)
            base_rss = rss_kib(server.proc.pid, "VmRSS")
            up_s, f = upload(server, src, digest, "data.bin")
            os.sync()
            dl_s, n = download(server, f["id"])
            assert n == size
            peak = rss_kib(server.proc.pid, "VmHWM")
        finally:
            server.stop()
        print(f"cp:              {cp_s:6.2f} s  {size / mib / cp_s:7.0f} MB/s")
        print(
            f"upload (file://): {up_s:5.2f} s  {size / mib / up_s:7.0f} MB/s  "
            f"ratio to cp {up_s / cp_s:.2f}x"
        )
        print(f"read file:       {read_s:6.2f} s  {size / mib / read_s:7.0f} MB/s")
        print(
            f"download:        {dl_s:6.2f} s  {size / mib / dl_s:7.0f} MB/s  "
            f"ratio to reading {dl_s / read_s:.2f}x"
        )
        print(f"server peak RSS growth: {(peak - base_rss) / 1024:.1f} MiB")

        if args.no_s3:
            return
        s3_size = args.s3_size_mib * mib
        if s3_size != size:
            src.unlink()
            digest = make_file(src, s3_size)
        moto_port = free_port()
        moto = subprocess.Popen(
            [str(BIN / "python"), "-m", "moto.server", "-H", "127.0.0.1", "-p", str(moto_port)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            import boto3

            endpoint = f"http://127.0.0.1:{moto_port}"
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", moto_port), 0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            boto3.client(
                "s3", endpoint_url=endpoint, aws_access_key_id="k", aws_secret_access_key="s",
                region_name="us-east-1",
            ).create_bucket(Bucket="bench")  # fmt: skip
            shutil.rmtree(work / "openi-data", ignore_errors=True)
            server = Server(
                work,
                [
                    "--OpeniLabApp.storage_url=s3://bench/objects",
                    f"--OpeniLabApp.s3_endpoint_url={endpoint}",
                    "--OpeniLabApp.s3_key=k", "--OpeniLabApp.s3_secret=s",
                    "--OpeniLabApp.s3_region=us-east-1",
                ],
            )  # fmt: skip
            try:
                prepare(server)
                base_rss = rss_kib(server.proc.pid, "VmRSS")
                up_s, f = upload(server, src, digest, "data.bin")
                peak = rss_kib(server.proc.pid, "VmHWM")
            finally:
                server.stop()
            print(
                f"upload (s3:// loopback moto): {args.s3_size_mib} MiB in {up_s:.2f} s  "
                f"{s3_size / mib / up_s:.0f} MB/s; server peak RSS growth "
                f"{(peak - base_rss) / 1024:.1f} MiB"
            )
        finally:
            moto.terminate()
            moto.wait(10)


if __name__ == "__main__":
    main()
