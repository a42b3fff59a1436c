"""Dataset upload/download throughput through the real API (not a test).

Starts ``jupyter server`` with the platform in a child process, uploads files in the chunks
the server announces (``PATCH /uploads/{id}`` with ``Upload-Offset``) and compares with
``cp`` of the same file, and with ``cp`` followed by hashing the copy (the least a store that
verifies a sha256 must do), and with a bare receiver (a socket, reused buffers, write and
hash threads: no HTTP, no database; the floor of any server on this machine); downloads and
compares with reading the file; reports the server's peak RSS growth. The product's own
``openi_lab.Client.upload`` runs once too. Then the same upload against a loopback S3 server
(moto), in MB/s.

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
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

#: chunk size override (MiB); by default the one the server announces
CHUNK = int(os.environ.get("BENCH_CHUNK_MIB", "0")) << 20
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
    """The tus-style protocol as a lean client does it: the server's advised chunk size, each
    chunk's bytes handed to the kernel with ``sendfile`` (as curl or a browser would stream
    them), one keep-alive connection."""
    size = path.stat().st_size
    t0 = time.perf_counter()
    up = server.call(
        "POST", "uploads",
        {"project": "bench/p", "dataset": "d", "filename": name, "size": size, "sha256": digest},
    )  # fmt: skip
    chunk = CHUNK or int(up["chunk_size"])
    sock = socket.create_connection(("127.0.0.1", server.port))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # headers, then the body
    auth = server.headers()["Authorization"]
    with path.open("rb") as f:
        offset = 0
        while offset < size:
            length = min(chunk, size - offset)
            head = (
                f"PATCH /openi/api/v1/uploads/{up['id']} HTTP/1.1\r\n"
                f"Host: 127.0.0.1:{server.port}\r\nAuthorization: {auth}\r\n"
                "Content-Type: application/offset+octet-stream\r\n"
                f"Upload-Offset: {offset}\r\nContent-Length: {length}\r\n\r\n"
            )
            sock.sendall(head.encode())
            sock.sendfile(f, offset, length)
            r = http.client.HTTPResponse(sock)
            r.begin()
            body = r.read()
            if r.status != 200:
                raise RuntimeError(f"PATCH at {offset}: {r.status} {body[:300]!r}")
            offset += length
    sock.close()
    done = server.call("POST", f"uploads/{up['id']}/complete")
    return time.perf_counter() - t0, done["file"]


def client_upload(server: Server, path: Path) -> float:
    """The product's own kernel-side client end to end (its sha256 pass included)."""
    from openi_lab.client import Client

    client = Client(f"http://127.0.0.1:{server.port}/", TOKEN, timeout=600)
    t0 = time.perf_counter()
    client.upload("bench/p", "d", path, filename="via-client.bin")
    return time.perf_counter() - t0


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


def hash_file(path: Path) -> None:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            h.update(block)


def bare_receive(path: Path, work: Path) -> float:
    """The least any receiver on this machine can do: one TCP connection on loopback, the
    bytes ``sendfile``d by the client, received into reused buffers, written and sha256'd on
    two threads (no HTTP, no database, no checks). The physical floor for the API's upload."""
    size = path.stat().st_size
    step, ring = 4 << 20, 4
    out = work / "bare.bin"
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(120)
    port = listener.getsockname()[1]
    digest = hashlib.sha256()

    def write_at(fd: int, view: memoryview, pos: int) -> None:
        while view:  # a short write: the rest
            n = os.pwrite(fd, view, pos)
            view, pos = view[n:], pos + n

    def serve() -> None:
        conn, _ = listener.accept()
        conn.settimeout(120)
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        bufs = [memoryview(bytearray(step)) for _ in range(ring)]
        jobs: list[list[Future[object]]] = [[] for _ in range(ring)]
        with ThreadPoolExecutor(1) as writer, ThreadPoolExecutor(1) as hasher:
            pos, turn = 0, 0
            while pos < size:
                slot = turn % ring
                turn += 1
                for job in jobs[slot]:
                    job.result()
                view = bufs[slot][: min(step, size - pos)]
                got = 0
                while got < len(view):
                    n = conn.recv_into(view[got:])
                    if not n:
                        raise EOFError
                    got += n
                jobs[slot] = [
                    writer.submit(write_at, fd, view, pos),
                    hasher.submit(digest.update, view),
                ]
                pos += got
            for js in jobs:
                for job in js:
                    job.result()
        os.close(fd)
        conn.sendall(b"ok")
        conn.close()

    t0 = time.perf_counter()
    with ThreadPoolExecutor(1) as server:
        done = server.submit(serve)
        with socket.create_connection(("127.0.0.1", port), 120) as sock, path.open("rb") as f:
            sock.sendfile(f, 0, size)
            assert sock.recv(2) == b"ok"
        done.result()
    elapsed = time.perf_counter() - t0
    listener.close()
    out.unlink()
    return elapsed


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
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    mib = 1 << 20
    with tempfile.TemporaryDirectory(prefix="openi-bench-", dir=os.environ.get("TMPDIR")) as tmp:
        work = Path(tmp)
        size = args.size_mib * mib
        rounds = max(args.rounds, 1)
        # distinct random content per round: nothing can be deduplicated by accident
        files = [work / f"data{i}.bin" for i in range(rounds + 1)]
        t0 = time.perf_counter()
        digests = [make_file(f, size) for f in files]
        print(
            f"file: {args.size_mib} MiB x {len(files)} "
            f"(written and hashed by the client in {time.perf_counter() - t0:.1f} s); "
            f"medians of {rounds} rounds"
        )
        os.sync()
        copy = work / "copy.bin"

        def cp(src: Path, verify: bool) -> float:
            t = timed(lambda: subprocess.run(["cp", str(src), str(copy)], check=True))
            if verify:
                t += timed(lambda: hash_file(copy))
            os.sync()
            copy.unlink()
            return t

        cp_s = statistics.median(cp(files[i], False) for i in range(rounds))
        cp_hash_s = statistics.median(cp(files[i], True) for i in range(rounds))
        # the floor of any upload that checks a sha256 before the object appears: hashing
        # the bytes once, on one core (sha256 is sequential), from the page cache
        hash_s = statistics.median(timed(lambda i=i: hash_file(files[i])) for i in range(rounds))

        def bare(i: int) -> float:
            t = bare_receive(files[i], work)
            os.sync()
            return t

        bare_s = statistics.median(bare(i) for i in range(rounds))

        def read_all() -> None:
            with files[0].open("rb") as f:
                while f.read(mib):
                    pass

        read_s = statistics.median(timed(read_all) for _ in range(rounds))

        server = Server(work, [])
        try:
            prepare(server)
            base_rss = rss_kib(server.proc.pid, "VmRSS")
            ups = []
            for i in range(rounds):
                up_s, f = upload(server, files[i], digests[i], f"data{i}.bin")
                ups.append(up_s)
                if i < rounds - 1:
                    # as cp's copy is removed after each round: the next round writes into
                    # freed pages, not fresh ones (on a VM, first-touched memory costs more)
                    server.call("DELETE", f"projects/bench/p/datasets/d/files/{f['id']}")
                os.sync()
            up_s = statistics.median(ups)
            dls = []
            for _ in range(rounds):
                dl_s, n = download(server, f["id"])
                assert n == size
                dls.append(dl_s)
            dl_s = statistics.median(dls)
            client_s = client_upload(server, files[rounds])
            peak = rss_kib(server.proc.pid, "VmHWM")
        finally:
            server.stop()
        rate = size / mib
        print(f"cp:                       {cp_s:6.2f} s  {rate / cp_s:7.0f} MB/s")
        print(f"cp + sha256 of the copy:  {cp_hash_s:6.2f} s  {rate / cp_hash_s:7.0f} MB/s")
        print(
            f"sha256 alone (the floor): {hash_s:6.2f} s  {rate / hash_s:7.0f} MB/s  "
            f"= {hash_s / cp_s:.2f}x cp"
        )
        print(
            f"bare receiver (floor):    {bare_s:6.2f} s  {rate / bare_s:7.0f} MB/s  "
            f"= {bare_s / cp_s:.2f}x cp  (socket -> write + sha256 threads, no HTTP)"
        )
        print(
            f"upload (file://, API):    {up_s:6.2f} s  {rate / up_s:7.0f} MB/s  "
            f"ratio to cp {up_s / cp_s:.2f}x, to cp + sha256 {up_s / cp_hash_s:.2f}x, "
            f"to the bare receiver {up_s / bare_s:.2f}x"
        )
        print(
            f"openi_lab.Client.upload:  {client_s:6.2f} s  {rate / client_s:7.0f} MB/s  "
            "(its own sha256 pass included)"
        )
        print(f"read file:                {read_s:6.2f} s  {rate / read_s:7.0f} MB/s")
        print(
            f"download:                 {dl_s:6.2f} s  {rate / dl_s:7.0f} MB/s  "
            f"ratio to reading {dl_s / read_s:.2f}x"
        )
        print(f"server peak RSS growth:   {(peak - base_rss) / 1024:.1f} MiB")
        for extra in files[1:]:
            extra.unlink()
        src, digest = files[0], digests[0]

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
