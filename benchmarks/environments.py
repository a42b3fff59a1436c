"""Image environments: N tasks on images with the same requirements, shared vs per task.

    .venv/bin/python benchmarks/environments.py [--tasks 8] [--packages 30]

Writes ``--packages`` tiny wheels into a folder (offline: ``--offline --find-links``), then
gets a ready interpreter for ``--tasks`` tasks two ways: the baseline builds a uv venv per task
(what a platform without shared environments does), ours asks :class:`EnvironmentStore`
(the first task builds, every other one finds it ready; several threads at once, as the
scheduler's build threads and a second server would). Prints both times and the ratio, and
the cost of one status look-up (what each scheduler pass pays per waiting task).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from openi_lab_server.compute.environments import EnvironmentStore
from wheelutil import make_wheel


def baseline(root: Path, reqs: list[str], options: list[str], tasks: int) -> float:
    from uv import find_uv_bin

    uv = find_uv_bin()
    req_file = root / "requirements.txt"
    req_file.write_text("\n".join(reqs) + "\n")
    start = time.perf_counter()
    for n in range(tasks):
        venv = root / f"task-{n}"
        subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(venv)], check=True)
        python = str(venv / "bin" / "python")
        cmd = [uv, "pip", "install", "-q", "--python", python, "-r", str(req_file), *options]
        subprocess.run(cmd, check=True)
    return time.perf_counter() - start


def shared(root: Path, reqs: list[str], options: list[str], tasks: int) -> tuple[float, int]:
    store = EnvironmentStore(root, options)
    key = store.key(reqs)
    start = time.perf_counter()
    threads = [threading.Thread(target=store.build, args=(key, reqs)) for _ in range(tasks)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    took = time.perf_counter() - start
    assert store.status(key).state == "ready"
    return took, store.status(key).builds


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=8)
    parser.add_argument("--packages", type=int, default=30)
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="openi-env-bench-"))
    try:
        wheels = tmp / "wheels"
        for n in range(args.packages):
            make_wheel(wheels, f"benchpkg{n}", "1.0", f"VALUE = {n}\n")
        reqs = [f"benchpkg{n}==1.0" for n in range(args.packages)]
        options = ["--offline", "--find-links", str(wheels)]
        os.environ["UV_CACHE_DIR"] = str(tmp / "uv-cache")  # shared by both: fair
        (tmp / "baseline").mkdir()
        base = baseline(tmp / "baseline", reqs, options, args.tasks)
        ours, builds = shared(tmp / "envs", reqs, options, args.tasks)
        store = EnvironmentStore(tmp / "envs", options)
        key = store.key(reqs)
        rounds = 1000
        start = time.perf_counter()
        for _ in range(rounds):
            store.status(key)
        lookup = (time.perf_counter() - start) / rounds
        print(f"{args.tasks} tasks, {args.packages} requirements (offline wheels)")
        print(f"  baseline, a venv per task : {base:7.2f} s")
        print(f"  shared environment        : {ours:7.2f} s  ({builds} build)")
        print(f"  ratio baseline/shared     : {base / ours:7.1f}x")
        print(f"  one status look-up        : {lookup * 1e6:7.0f} µs")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
