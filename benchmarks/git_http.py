"""Clone benchmark: our /openi/git endpoint beside C git's ``git http-backend``, one run.

    .venv/bin/python benchmarks/git_http.py [--commits 5000] [--kb-per-commit 10] [--rounds 3]

Builds a synthetic repository (N commits, each adding ~K KB of incompressible data, so the
history weighs about N*K KB), serves the same bare repository from both servers, times
``git clone --bare`` from each (median of rounds) and samples the serving process's RSS.
Prints the time ratio (target ≤ 1.5×) and the server's RSS growth (target ≤ 150 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

GIT = shutil.which("git") or "git"


def make_repo(path: Path, commits: int, kb: int) -> None:
    """A bare repo built with ``git fast-import`` (seconds, not minutes)."""
    subprocess.run([GIT, "init", "-q", "--bare", "-b", "main", str(path)], check=True)
    proc = subprocess.Popen([GIT, "fast-import", "--quiet"], cwd=path, stdin=subprocess.PIPE)
    assert proc.stdin is not None
    for i in range(commits):
        data = os.urandom(kb * 512).hex().encode()  # kb KB of incompressible text
        msg = f"commit {i}\n".encode()
        proc.stdin.write(b"commit refs/heads/main\n")
        proc.stdin.write(f"committer Bench <b@example.org> {1_700_000_000 + i} +0000\n".encode())
        proc.stdin.write(b"data %d\n%s\n" % (len(msg), msg))
        if i == 0:
            proc.stdin.write(b"deleteall\n")
        proc.stdin.write(f"M 644 inline data/{i % 500}.txt\n".encode())
        proc.stdin.write(b"data %d\n%s\n" % (len(data), data))
    proc.stdin.close()
    assert proc.wait() == 0
    subprocess.run([GIT, "repack", "-adq"], cwd=path, check=False)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


class RssSampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak, self.running = pid, 0.0, True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, rss_mb(self.pid))
            time.sleep(0.02)


def http_backend_server(root: Path, port: int) -> ThreadingHTTPServer:
    """``git http-backend`` behind a streaming CGI relay (the C git baseline)."""

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _cgi(self) -> None:
            path, _, query = self.path.partition("?")
            env = {
                **os.environ,
                "GIT_PROJECT_ROOT": str(root),
                "GIT_HTTP_EXPORT_ALL": "1",
                "REQUEST_METHOD": self.command,
                "PATH_INFO": path,
                "QUERY_STRING": query,
                "CONTENT_TYPE": self.headers.get("Content-Type", ""),
                "REMOTE_ADDR": "127.0.0.1",
            }
            if self.headers.get("Content-Encoding"):
                env["HTTP_CONTENT_ENCODING"] = self.headers["Content-Encoding"]
            if self.headers.get("Git-Protocol"):
                env["GIT_PROTOCOL"] = self.headers["Git-Protocol"]
            length = int(self.headers.get("Content-Length") or 0)
            chunked = self.headers.get("Transfer-Encoding") == "chunked"
            proc = subprocess.Popen(
                [GIT, "http-backend"], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE
            )
            assert proc.stdin is not None and proc.stdout is not None

            def feed() -> None:
                assert proc.stdin is not None
                if chunked:
                    while True:
                        size = int(self.rfile.readline().strip() or b"0", 16)
                        if size == 0:
                            self.rfile.readline()
                            break
                        proc.stdin.write(self.rfile.read(size))
                        self.rfile.readline()
                else:
                    remaining = length
                    while remaining:
                        chunk = self.rfile.read(min(65536, remaining))
                        if not chunk:
                            break
                        proc.stdin.write(chunk)
                        remaining -= len(chunk)
                proc.stdin.close()

            feeder = threading.Thread(target=feed)
            feeder.start()
            status, headers = "200 OK", []
            while (line := proc.stdout.readline().rstrip(b"\r\n")) != b"":
                key, _, value = line.decode().partition(": ")
                if key.lower() == "status":
                    status = value
                else:
                    headers.append((key, value))
            self.send_response(int(status.split()[0]), status.partition(" ")[2])
            for key, value in headers:
                self.send_header(key, value)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while chunk := proc.stdout.read1(65536):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.write(b"0\r\n\r\n")
            feeder.join()
            proc.wait()

        do_GET = do_POST = _cgi

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    server.protocol_version = "HTTP/1.1"
    return server


def time_clone(url: str, dest_root: Path, rounds: int, pid: int) -> tuple[float, float]:
    times, peak = [], 0.0
    base = rss_mb(pid)
    for i in range(rounds):
        dest = dest_root / f"clone-{i}"
        sampler = RssSampler(pid)
        sampler.start()
        start = time.perf_counter()
        subprocess.run([GIT, "clone", "-q", "--bare", url, str(dest)], check=True)
        times.append(time.perf_counter() - start)
        sampler.running = False
        sampler.join()
        peak = max(peak, sampler.peak)
        shutil.rmtree(dest)
    return statistics.median(times), peak - base


def serve_and_clone(tmp: Path, source: Path, transport: str, rounds: int) -> tuple[float, float]:
    """Clone time and server RSS growth through a real Jupyter server with the extension."""
    port, token, data = free_port(), secrets.token_hex(16), tmp / f"openi-{transport}"
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "server", "--no-browser", "--allow-root",
         f"--port={port}", "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={token}",
         f"--OpeniLabApp.data_dir={data}", "--OpeniLabApp.local_username=bench",
         f"--OpeniLabApp.git_transport={transport}", f"--ServerApp.root_dir={tmp}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        api = f"http://127.0.0.1:{port}/openi/api/v1"
        for _ in range(200):
            try:
                urllib.request.urlopen(f"{api}/user?token={token}", timeout=1)
                break
            except OSError:
                time.sleep(0.2)
        req = urllib.request.Request(
            f"{api}/projects?token={token}",
            data=json.dumps({"name": "synthetic"}).encode(),
            headers={"Content-Type": "application/json"},
            method="POST",
        )
        project = json.load(urllib.request.urlopen(req))
        target = data / "repositories" / f"{project['id']}.git"
        shutil.rmtree(target)
        subprocess.run([GIT, "clone", "-q", "--bare", str(source), str(target)], check=True)
        url = f"http://127.0.0.1:{port}/openi/git/bench/synthetic.git"
        return time_clone(url, tmp, rounds, server.pid)
    finally:
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--kb-per-commit", type=int, default=18)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--transports", default="git,dulwich", help="ours: git and/or dulwich")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_s:
        tmp = Path(tmp_s)
        source = tmp / "synthetic.git"
        t0 = time.perf_counter()
        make_repo(source, args.commits, args.kb_per_commit)
        pack_mb = sum(p.stat().st_size for p in (source / "objects").rglob("*") if p.is_file())
        print(
            f"synthetic repository: {args.commits} commits, {pack_mb / 2**20:.1f} MB packed "
            f"(built in {time.perf_counter() - t0:.1f} s)"
        )

        results: dict[str, tuple[float, float]] = {}
        for transport in args.transports.split(","):
            results[transport] = serve_and_clone(tmp, source, transport, args.rounds)

        # the baseline: C git's http-backend
        bport = free_port()
        backend = http_backend_server(tmp, bport)
        thread = threading.Thread(target=backend.serve_forever, daemon=True)
        thread.start()
        try:
            c_git, c_rss = time_clone(
                f"http://127.0.0.1:{bport}/synthetic.git", tmp, args.rounds, os.getpid()
            )
        finally:
            backend.shutdown()

    print(f"git http-backend (C git):   {c_git:6.2f} s   relay RSS growth  {c_rss:6.1f} MB")
    for transport, (secs, rss) in results.items():
        print(
            f"openi_lab ({transport + ' transport':<17}) {secs:6.2f} s   server RSS growth "
            f"{rss:6.1f} MB   x{secs / c_git:5.2f} of C git"
        )
    print("targets: <= 1.5x C git, RSS growth <= 150 MB")


if __name__ == "__main__":
    main()
