"""Cloud-brain task latency and scheduler throughput, beside jupyter-scheduler (not a test).

1. Latency: a trivial script and a one-cell notebook submitted as training tasks through the
   REST API of a real ``jupyter server`` with the platform; submit → RUNNING, submit → first
   log line, submit → finished (p50 of ``--runs``). In the same run jupyter-scheduler
   (installed in its own virtualenv, driven through its REST API ``/scheduler/jobs``) runs the
   same notebook: submit → IN_PROGRESS and submit → COMPLETED.
2. Throughput: ``--queued`` trivial tasks queued at once for one user limited to 4 running
   tasks (a 4-slot CPU queue), on one server, then on two servers sharing one PostgreSQL
   database: tasks claimed per second, and a check that none ran twice (one RUNNING event and
   one log line per task).

    .venv/bin/python benchmarks/tasks.py [--runs 5] [--queued 1000] [--pg URL] [--no-scheduler]

The jupyter-scheduler virtualenv is built once (uv) under ``~/.cache/openi-lab``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable
from datetime import UTC
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")
TOKEN = "bench-token"
BIN = Path(sys.executable).parent
SCHED_VENV = Path(
    os.environ.get(
        "OPENI_BENCH_SCHEDULER_VENV",
        Path.home() / ".cache" / "openi-lab" / "bench-jupyter-scheduler",
    )
)
SCRIPT = 'print("first line", flush=True)\n'
NOTEBOOK = {
    "cells": [
        {
            "cell_type": "code",
            "execution_count": None,
            "id": "c1",
            "metadata": {},
            "outputs": [],
            "source": ['print("first line")'],
        }
    ],
    "metadata": {
        "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}
    },
    "nbformat": 4,
    "nbformat_minor": 5,
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """A ``jupyter server`` child process and a tiny JSON client for it."""

    def __init__(self, jupyter: Path, root: Path, extra: list[str], env: dict[str, str]):
        self.port = free_port()
        self.log = open(root / f"server-{self.port}.log", "w")  # noqa: SIM115
        self.proc = subprocess.Popen(
            [
                str(jupyter), "server", "--no-browser", f"--port={self.port}",
                "--ServerApp.ip=127.0.0.1", f"--IdentityProvider.token={TOKEN}",
                "--allow-root", f"--ServerApp.root_dir={root}", *extra,
            ],
            stdout=self.log, stderr=subprocess.STDOUT, cwd=root, env=env,
        )  # fmt: skip
        for _ in range(600):
            try:
                self.call("GET", "/api/status")
                return
            except (OSError, urllib.error.URLError):
                time.sleep(0.1)
        raise RuntimeError(f"jupyter server did not start; see {self.log.name}")

    def call(self, method: str, path: str, body: object = None) -> Any:
        req = urllib.request.Request(
            f"http://127.0.0.1:{self.port}{path}",
            method=method,
            data=json.dumps(body).encode() if body is not None else None,
            headers={"Authorization": f"token {TOKEN}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=120) as r:
                text = r.read()
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{method} {path}: {exc.code} {exc.read()[:300]!r}") from exc
        return json.loads(text) if text else None

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()


def with_db(url: str, fn: Callable[[Any], T], autocommit: bool = False) -> T:
    """Run ``fn(connection)`` on the platform's own async drivers (aiosqlite, asyncpg)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    async def go() -> T:
        opts: dict[str, Any] = {"isolation_level": "AUTOCOMMIT"} if autocommit else {}
        engine = create_async_engine(url, **opts)
        try:
            async with engine.begin() as conn:
                return await conn.run_sync(fn)
        finally:
            await engine.dispose()

    return asyncio.run(go())


def p50(xs: list[float]) -> float:
    return statistics.median(xs) if xs else float("nan")


# --- the platform ------------------------------------------------------------------------


def openi_server(root: Path, data: Path, extra: list[str] = ()) -> Server:  # type: ignore[assignment]
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
    return Server(
        BIN / "jupyter",
        root,
        [f"--OpeniLabApp.data_dir={data}", "--OpeniLabApp.local_username=bench", *extra],
        env,
    )


def push_code(server: Server, work: Path) -> None:
    """A project whose repository holds the script and the notebook (pushed with git)."""
    server.call("POST", "/openi/api/v1/projects", {"name": "p"})
    repo = work / "code"
    repo.mkdir()
    (repo / "train.py").write_text(SCRIPT)
    (repo / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b", "GIT_AUTHOR_EMAIL": "b@example.org",
        "GIT_COMMITTER_NAME": "b", "GIT_COMMITTER_EMAIL": "b@example.org",
    }  # fmt: skip
    pat = server.call(
        "POST", "/openi/api/v1/user/tokens", {"name": uuid.uuid4().hex[:12], "scopes": ["write"]}
    )["token"]
    url = f"http://bench:{pat}@127.0.0.1:{server.port}/openi/git/bench/p.git"
    for args in (
        ["init", "-q", "-b", "main"],
        ["add", "-A"],
        ["commit", "-qm", "code"],
        ["push", "-q", url, "main"],
    ):
        subprocess.run(["git", *args], cwd=repo, env=env, check=True)


def run_task(server: Server, name: str, boot_file: str) -> tuple[float, float, float]:
    """Submit one training task; → seconds to RUNNING, to the first log line, to finished."""
    base = "/openi/api/v1/projects/bench/p/tasks"
    t0 = time.perf_counter()
    task = server.call(
        "POST", base, {"kind": "train", "name": name, "spec": "cpu-small", "boot_file": boot_file}
    )
    running = first = done = None
    while done is None:
        now = time.perf_counter() - t0
        t = server.call("GET", f"{base}/{task['id']}")
        if running is None and t["status"] != "WAITING":
            running = now
        if first is None and running is not None:
            log = server.call("GET", f"{base}/{task['id']}/logs?offset=0")
            if "first line" in log.get("text", ""):
                first = time.perf_counter() - t0
        if t["status"] in ("SUCCEEDED", "FAILED", "STOPPED"):
            if t["status"] != "SUCCEEDED":
                raise RuntimeError(f"task {name} {t['status']}: {t['reason']}")
            done = time.perf_counter() - t0
            if first is None:
                first = done
        else:
            time.sleep(0.01)
        if now > 120:
            raise RuntimeError(f"task {name} did not finish")
    assert running is not None
    return running, first, done


def latency(work: Path, runs: int) -> dict[str, list[float]]:
    server = openi_server(work, work / "openi-data")
    out: dict[str, list[float]] = {k: [] for k in ("s_run", "s_log", "s_done", "n_run", "n_done")}
    try:
        push_code(server, work)
        run_task(server, "warm-up", "train.py")  # imports, first export: not a user's latency
        for i in range(runs):
            r, f, _ = run_task(server, f"script-{i}", "train.py")
            out["s_run"].append(r)
            out["s_log"].append(f)
            r, _, d = run_task(server, f"nb-{i}", "nb.ipynb")
            out["n_run"].append(r)
            out["n_done"].append(d)
    finally:
        server.stop()
    return out


# --- jupyter-scheduler -------------------------------------------------------------------


def scheduler_venv() -> Path:
    python = SCHED_VENV / "bin" / "python"
    if not python.exists():
        uv = shutil.which("uv") or str(BIN / "uv")
        print(f"building jupyter-scheduler's own virtualenv at {SCHED_VENV} (once)")
        subprocess.run([uv, "venv", "-q", "-p", "python3.11", str(SCHED_VENV)], check=True)
        subprocess.run(
            [uv, "pip", "install", "-q", "-p", str(python),
             "jupyter-scheduler>=2.7", "jupyter-server>=2.10", "ipykernel>=6.29"],
            check=True,
        )  # fmt: skip
    return SCHED_VENV / "bin"


def jupyter_scheduler(work: Path, runs: int) -> dict[str, list[float]]:
    vbin = scheduler_venv()
    root = work / "js-root"
    root.mkdir()
    (root / "nb.ipynb").write_text(json.dumps(NOTEBOOK))
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("JUPYTER", "VIRTUAL_ENV"))},
        "PATH": f"{vbin}{os.pathsep}{os.environ['PATH']}",
        "JUPYTER_DATA_DIR": str(work / "js-data"),
        "JUPYTER_RUNTIME_DIR": str(work / "js-runtime"),
    }
    for d in ("js-data", "js-runtime"):
        (work / d).mkdir()
    server = Server(vbin / "jupyter", root, [], env)
    out: dict[str, list[float]] = {"run": [], "done": []}
    try:
        envs = server.call("GET", "/scheduler/runtime_environments")
        env_name = envs[0]["name"] if envs else "python3"

        def one(name: str) -> tuple[float, float]:
            t0 = time.perf_counter()
            job = server.call(
                "POST",
                "/scheduler/jobs",
                {
                    "name": name,
                    "input_uri": "nb.ipynb",
                    "runtime_environment_name": env_name,
                    "output_formats": ["ipynb"],
                },
            )
            running = None
            while True:
                now = time.perf_counter() - t0
                j = server.call("GET", f"/scheduler/jobs/{job['job_id']}")
                # a new job reads STOPPED until its process starts (jupyter-scheduler 2.x)
                if running is None and j["status"] == "IN_PROGRESS":
                    running = now
                if j["status"] == "COMPLETED":
                    return running or now, now
                stopped = j["status"] == "STOPPED" and running is not None
                if j["status"] == "FAILED" or stopped or now > 120:
                    raise RuntimeError(
                        f"jupyter-scheduler job {name}: {j['status']} {j.get('status_message')}"
                    )
                time.sleep(0.01)

        one("warm-up")
        for i in range(runs):
            r, d = one(f"nb-{i}")
            out["run"].append(r)
            out["done"].append(d)
    finally:
        server.stop()
    return out


# --- throughput --------------------------------------------------------------------------


def queue_first(server: Server) -> None:
    """One real task through the API (it may start at once; it counts like the others)."""
    base = "/openi/api/v1/projects/bench/p/tasks"
    boot = "sh:echo ran $OPENI_TASK_ID"
    server.call(
        "POST", base, {"kind": "train", "name": "q-0", "spec": "cpu-small", "boot_file": boot}
    )


def queue_copies_rest(db_url: str, n: int) -> None:
    """``n - 1`` copies of the API's task row (same commit, spec, boot file, creator),
    inserted in one transaction: a queue that fills at once."""
    from sqlalchemy import inspect, text

    fresh = {  # q-0 may have run already: the copies are new, waiting tasks
        "status": "'WAITING'", "reason": "'queued'", "handle": "NULL", "claim_token": "NULL",
        "node": "NULL", "devices": "'[]'", "exit_code": "NULL", "started_at": "NULL",
        "finished_at": "NULL",
    }  # fmt: skip

    def insert(conn: Any) -> None:
        columns = inspect(conn).get_columns("tasks")
        names = [c["name"] for c in columns if not c.get("computed")]  # not generated ones
        names = [n for n in names if n not in ("id", "name")]
        cols = ", ".join(names)
        values = ", ".join(fresh.get(n, n) for n in names)
        copy = (
            f"INSERT INTO tasks (name, {cols}) SELECT :name, {values} FROM tasks WHERE name = 'q-0'"
        )
        conn.execute(text(copy), [{"name": f"q-{i}"} for i in range(1, n)])

    with_db(db_url, insert)


def throughput(work: Path, n: int, servers: int, pg: str | None) -> tuple[float, int, int]:
    """→ (claims per second, tasks that ran more than once, tasks that never ran)."""
    from sqlalchemy import text

    data = work / f"tp-{servers}-{uuid.uuid4().hex[:6]}"
    data.mkdir()
    if pg:
        name = f"openi_bench_{uuid.uuid4().hex[:8]}"
        admin = pg.replace("postgresql://", "postgresql+asyncpg://", 1)
        with_db(admin, lambda c: c.execute(text(f'CREATE DATABASE "{name}"')), autocommit=True)
        db_url = admin.rsplit("/", 1)[0] + f"/{name}"
    else:
        db_url = f"sqlite+aiosqlite:///{data / 'openi.db'}"
    extra = ["--OpeniLabApp.max_concurrent_tasks=4", f"--OpeniLabApp.database_url={db_url}"]
    first = openi_server(work, data / "d", [*extra, "--OpeniLabApp.node_name=node-1"])
    try:
        code = work / f"code-{data.name}"
        code.mkdir()
        push_code(first, code)
        queue_first(first)
    finally:
        first.stop()
    # the queue fills while no scheduler runs, so that claiming starts from a full queue
    queue_copies_rest(db_url, n)
    started: list[Server] = []
    try:
        for k in range(servers):
            started.append(
                openi_server(work, data / "d", [*extra, f"--OpeniLabApp.node_name=node-{k + 1}"])
            )
        base = "/openi/api/v1/projects/bench/p/tasks"
        deadline = time.time() + 1800
        while time.time() < deadline:
            waiting = started[0].call("GET", f"{base}?status=WAITING&per_page=1")
            running = started[0].call("GET", f"{base}?status=RUNNING&per_page=1")
            if waiting["total"] == 0 and running["total"] == 0:
                break
            time.sleep(0.5)
    finally:
        for s in started:
            s.stop()

    def read(conn: Any) -> tuple[list[Any], int]:
        rows = conn.execute(
            text(
                "SELECT task_id, count(*), min(created_at) FROM task_events "
                "WHERE status = 'RUNNING' GROUP BY task_id"
            )
        ).all()
        return list(rows), int(conn.execute(text("SELECT count(*) FROM tasks")).scalar_one())

    rows, total = with_db(db_url, read)
    twice = sum(1 for _, count, _ in rows if count > 1)
    never = total - len(rows)
    times = sorted(_ts(r[2]) for r in rows)
    for task_id, _, _ in rows:  # one log line each: nothing ran twice on disk either
        log = data / "d" / "tasks" / str(task_id) / "logs" / "task.log"
        if log.exists() and log.read_text().count("ran ") > 1:
            twice += 1
    span = (times[-1] - times[0]) if len(times) > 1 else float("nan")
    return (len(times) - 1) / span, twice, never


def _ts(value: Any) -> float:
    from datetime import datetime

    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return float(value.timestamp())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--queued", type=int, default=1000)
    ap.add_argument(
        "--pg",
        default=os.environ.get("OPENI_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"),
    )
    ap.add_argument("--no-scheduler", action="store_true", help="skip jupyter-scheduler")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="openi-bench-tasks-") as tmp:
        work = Path(tmp)
        (work / "ours").mkdir()
        ours = latency(work / "ours", args.runs)
        print(f"openi_lab, p50 of {args.runs} (local executor, scheduler interval default):")
        print(f"  script   submit → RUNNING     {p50(ours['s_run']):6.2f} s")
        print(f"  script   submit → first log   {p50(ours['s_log']):6.2f} s   (target ≤ 0.5 s)")
        print(f"  notebook submit → RUNNING     {p50(ours['n_run']):6.2f} s")
        print(f"  notebook submit → finished    {p50(ours['n_done']):6.2f} s")
        if not args.no_scheduler:
            js = jupyter_scheduler(work, args.runs)
            print(f"jupyter-scheduler {_js_version()}, p50 of {args.runs}:")
            print(f"  notebook submit → IN_PROGRESS {p50(js['run']):6.2f} s")
            print(f"  notebook submit → COMPLETED   {p50(js['done']):6.2f} s")
            ratio = p50(ours["n_done"]) / p50(js["done"])
            print(
                f"  ratio openi_lab / jupyter-scheduler (notebook finished): {ratio:.2f} "
                "(target ≤ 0.33)"
            )
        rate, twice, never = throughput(work, args.queued, 1, None)
        print(
            f"{args.queued} queued tasks, 4 slots, 1 server (SQLite): {rate:.1f} claims/s; "
            f"ran twice: {twice}; never ran: {never}"
        )
        if args.pg:
            try:
                rate, twice, never = throughput(work, args.queued, 2, args.pg)
                print(
                    f"{args.queued} queued tasks, 4 slots, 2 servers (PostgreSQL): "
                    f"{rate:.1f} claims/s; ran twice: {twice}; never ran: {never}"
                )
            except Exception as exc:  # no PostgreSQL here: say so, keep the rest
                print(f"two servers on PostgreSQL skipped: {exc}")


def _js_version() -> str:
    out = subprocess.run(
        [str(SCHED_VENV / "bin" / "python"), "-c",
         "import jupyter_scheduler as j; print(j.__version__)"],
        capture_output=True, text=True,
    )  # fmt: skip
    return out.stdout.strip()


if __name__ == "__main__":
    main()
