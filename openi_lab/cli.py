"""``openi-lab``: the platform from a shell.

``openi-lab demo`` starts JupyterLab with demo data; ``openi-lab admin …`` manages users, orgs
and tokens directly in the platform's database (it runs the server package's admin tool in a
child process, so this package never imports the server); ``openi-lab whoami`` calls the API.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from jupyter_core.paths import jupyter_data_dir

DEMO_USER = "wangj"


def demo_command(
    port: int, data_dir: str, open_browser: bool, extra: list[str] | None = None
) -> list[str]:
    """The ``jupyter lab`` command line of the demo (127.0.0.1 only, demo data seeded).

    ``extra`` options (after ``--``) go to JupyterLab unchanged, e.g. ``--ServerApp.root_dir``.
    """
    cmd = [
        sys.executable,
        "-m",
        "jupyterlab",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        f"--OpeniLabApp.data_dir={data_dir}",
        "--OpeniLabApp.seed_demo=True",
        f"--OpeniLabApp.local_username={DEMO_USER}",
    ]
    if not open_browser:
        cmd.append("--no-browser")
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")  # containers and CI machines run as root; 127.0.0.1 only
    return cmd + (extra or [])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="openi-lab", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="start JupyterLab with the platform and demo data")
    demo.add_argument("--port", type=int, default=8888)
    demo.add_argument(
        "--data-dir", default=str(Path(jupyter_data_dir()) / "openi_lab-demo"), help="demo data"
    )
    demo.add_argument("--no-browser", action="store_true")
    sub.add_parser("admin", help="manage users, orgs and tokens (run 'openi-lab admin -h')")
    sub.add_parser("whoami", help="the platform user the API sees")

    args, rest = parser.parse_known_args(argv)
    if args.command == "admin":
        admin = [sys.executable, "-m", "openi_lab_server.admin", *rest]
        os.execv(sys.executable, admin)
    if args.command == "demo":
        Path(args.data_dir).mkdir(parents=True, exist_ok=True)
        extra = [a for a in rest if a != "--"]
        cmd = demo_command(args.port, args.data_dir, not args.no_browser, extra)
        print(f"openi-lab: demo data in {args.data_dir}; signed in as {DEMO_USER}", flush=True)
        os.execv(sys.executable, cmd)
    if rest:
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    if args.command == "whoami":
        from .client import ApiError, Client
        from .discovery import DiscoveryError

        try:
            user = Client().whoami()
        except (ApiError, DiscoveryError) as exc:
            print(f"openi-lab: {exc}", file=sys.stderr)
            return 1
        print(f"{user.username} ({user.full_name})" if user.full_name else user.username)
    return 0


if __name__ == "__main__":
    sys.exit(main())
