"""Live task logs: the event stream beside polling (not a test).

    .venv/bin/python benchmarks/log_stream.py [--lines 40] [--every 0.25] [--poll 1.0]

A real ``jupyter server`` with the platform runs one training task that prints ``--lines``
lines, one every ``--every`` seconds, each carrying the time it was written. Two viewers
follow it at once: ``Client.stream_logs`` (server-sent events, what the task page and
``TaskMonitor`` now use) and a poller of ``logs?offset=`` every ``--poll`` seconds (what they
did before). Prints, per viewer, the p50/p95 delay from a line being written to the viewer
having it, and how many HTTP requests it made; then the ratios.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tasks import TOKEN, openi_server  # the server helper of the tasks benchmark

from openi_lab.client import Client


def delays(text: str, seen_at: float, found: dict[int, float]) -> None:
    """Record, for each ``tick <n> <written at>`` line not seen before, how late it came."""
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "tick" and int(parts[1]) not in found:
            found[int(parts[1])] = seen_at - float(parts[2])


def pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(q * len(xs)))] if xs else float("nan")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--lines", type=int, default=40)
    ap.add_argument("--every", type=float, default=0.25)
    ap.add_argument("--poll", type=float, default=1.0)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="openi-bench-logs-"))
    server = openi_server(work, work / "openi-data")
    try:
        server.call("POST", "/openi/api/v1/projects", {"name": "p", "auto_init": True})
        boot = (
            "sh:python3 -u -c 'import time\n"
            f"for i in range({args.lines}):\n"
            '    print("tick", i, time.time(), flush=True)\n'
            f"    time.sleep({args.every})'"
        )
        base = "/openi/api/v1/projects/bench/p/tasks"
        body = {"name": uuid.uuid4().hex[:8], "spec": "cpu-small", "boot_file": boot}
        task = server.call("POST", base, body)
        client = Client(f"http://127.0.0.1:{server.port}/", TOKEN)
        streamed: dict[int, float] = {}
        polled: dict[int, float] = {}
        requests = {"stream": 0, "poll": 0}

        def stream() -> None:
            requests["stream"] += 1  # one long response (no reconnect happened)
            for event in client.stream_logs("bench/p", task["id"]):
                if event.event == "log":
                    delays(event.text, time.time(), streamed)

        def poll() -> None:
            offset, done, tail = 0, False, ""
            while not done:
                url = f"http://127.0.0.1:{server.port}{base}/{task['id']}/logs?offset={offset}"
                req = urllib.request.Request(url, headers={"Authorization": f"token {TOKEN}"})
                with urllib.request.urlopen(req, timeout=60) as r:
                    log = json.loads(r.read())
                requests["poll"] += 1
                tail += log["text"]
                complete, _, tail = tail.rpartition("\n")
                delays(complete, time.time(), polled)
                offset, done = log["next_offset"], log["done"]
                if not done:
                    time.sleep(args.poll)

        threads = [threading.Thread(target=stream), threading.Thread(target=poll)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(300)
        client.close()
    finally:
        server.stop()

    print(f"{args.lines} lines, one every {args.every:g} s; poller every {args.poll:g} s")
    for name, key, found in (("stream (SSE)", "stream", streamed), ("polling", "poll", polled)):
        xs = list(found.values())
        print(
            f"  {name:13s} lines {len(xs):3d}  delay p50 {statistics.median(xs) * 1000:6.0f} ms"
            f"  p95 {pct(xs, 0.95) * 1000:6.0f} ms  HTTP requests {requests[key]}"
        )
    s50, p50 = statistics.median(streamed.values()), statistics.median(polled.values())
    print(f"  ratio polling/stream: delay p50 {p50 / s50:.1f}x, ", end="")
    print(f"requests {requests['poll'] / max(requests['stream'], 1):.0f}x")


if __name__ == "__main__":
    main()
