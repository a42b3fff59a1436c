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
from typing import Any

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
    add_dataset_parser(sub)

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
    if args.command == "dataset":
        return dataset_main(args)
    return 0


# --- openi-lab dataset ---------------------------------------------------------------------

DATASET_HELP = """datasets (数据集) through the API (OPENI_LAB_URL / OPENI_LAB_TOKEN):
  openi-lab dataset upload owner/project/dataset FILE [--create]   resumable; run again to resume
  openi-lab dataset ls owner/project[/dataset]                     datasets, or a dataset's files
  openi-lab dataset download ID_OR_PATH [DEST]                     via the local sha256 cache
exit codes: 0 done, 1 the platform refused or cannot be reached, 2 bad arguments or local file,
130 interrupted"""


def add_dataset_parser(sub: Any) -> None:
    dataset = sub.add_parser(
        "dataset",
        help="upload, list and download datasets",
        description=DATASET_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    ds = dataset.add_subparsers(dest="dataset_command", required=True)
    up = ds.add_parser("upload", help="upload FILE into owner/project/dataset (resumable)")
    up.add_argument("target", metavar="owner/project/dataset")
    up.add_argument("file", metavar="FILE")
    up.add_argument("--create", action="store_true", help="create the dataset if missing")
    up.add_argument("--description", default="", help="description of a created dataset")
    up.add_argument("--private", action="store_true", help="a created dataset is private")
    up.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    ls = ds.add_parser("ls", help="datasets of a project, or files of a dataset")
    ls.add_argument("target", metavar="owner/project[/dataset]")
    dl = ds.add_parser(
        "download", help="download a dataset file (id or owner/project/dataset/name)"
    )
    dl.add_argument("ref", metavar="ID_OR_PATH")
    dl.add_argument("dest", metavar="DEST", nargs="?", help="file or directory (default: .)")
    dl.add_argument("--quiet", "-q", action="store_true", help="no progress bar")


def _fail(message: str, code: int = 1) -> int:
    print(f"openi-lab: {message}", file=sys.stderr)
    return code


def _explain(exc: Any, what: str) -> str:
    """One line naming what went wrong, with the server's reason."""
    fields = ", ".join(f"{e.field}: {e.reason}" for e in exc.errors)
    reason = exc.message + (f" ({fields})" if fields and fields not in exc.message else "")
    if exc.status == 0:
        return reason
    if exc.status == 401:
        return f"not signed in (401: {reason}); set OPENI_LAB_TOKEN"
    if exc.status == 403:
        return f"{what}: not allowed (403: {reason})"
    if exc.status == 404:
        return f"{what}: not found (404: {reason})"
    if exc.status == 413:
        return f"{what}: too large for the platform or your quota (413: {reason})"
    if exc.status == 422 and any(e.field == "sha256" for e in exc.errors):
        return f"{what}: the stored bytes do not match the file's sha256 (422: {reason})"
    return f"{what}: {exc.status}: {reason}"


def _human(n: float) -> str:
    for unit in ("B", "KB", "MB", "GB", "TB"):
        if n < 1024 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} TB"


def dataset_main(args: argparse.Namespace) -> int:
    from . import datasets
    from .client import ApiError, Client
    from .discovery import DiscoveryError

    command = args.dataset_command
    what = str(getattr(args, "target", None) or getattr(args, "ref", ""))
    try:
        if command == "upload":
            parts = args.target.strip("/").split("/")
            if len(parts) != 3 or not all(parts):
                return _fail(f"expected owner/project/dataset, got {args.target!r}", 2)
            path = Path(args.file)
            if not path.is_file():
                return _fail(f"{args.file}: no such file", 2)
            if path.stat().st_size == 0:
                return _fail(f"{args.file}: empty file (nothing to upload)", 2)
            project, name = f"{parts[0]}/{parts[1]}", parts[2]
            client = Client()
            if args.create:
                try:
                    client.dataset(project, name)
                except ApiError as exc:
                    if exc.status != 404:
                        raise
                    visibility = "private" if args.private else "public"
                    client.create_dataset(project, name, args.description, visibility)
                    print(f"created dataset {args.target}", file=sys.stderr)
            bar = None if args.quiet else datasets._TextProgress(path.name, path.stat().st_size)
            try:
                f = client.upload(project, name, path, progress=bar.update if bar else None)
            finally:
                if bar:
                    bar.finish()
            print(f"{f.id}\t{f.path}\t{f.size}\t{f.sha256}")
            return 0
        if command == "ls":
            parts = args.target.strip("/").split("/")
            if len(parts) not in (2, 3) or not all(parts):
                return _fail(f"expected owner/project[/dataset], got {args.target!r}", 2)
            project = f"{parts[0]}/{parts[1]}"
            client = Client()
            if len(parts) == 2:
                page, n = 1, 0
                while True:
                    ds = client.project_datasets(project, page=page, per_page=100)
                    for d in ds.items:
                        lock = "private" if d.visibility == "private" else "public "
                        print(
                            f"{d.name:<24} {lock} {d.num_files:>5} files "
                            f"{_human(d.total_size):>10}  {d.description}"
                        )
                    n += len(ds.items)
                    if n >= ds.total or not ds.items:
                        break
                    page += 1
                print(f"{ds.total} dataset(s)", file=sys.stderr)
                return 0
            client.dataset(project, parts[2])  # 404 names the dataset when missing
            count = 0
            for f in client._iter_files(project, parts[2]):
                count += 1
                print(
                    f"{f.id:>6}  {_human(f.size):>10}  {f.created_at:%Y-%m-%d %H:%M}  "
                    f"{f.sha256[:12]}  {f.name}"
                )
            print(f"{count} file(s)", file=sys.stderr)
            return 0
        if command == "download":
            ref: int | str = int(args.ref) if args.ref.isdigit() else args.ref
            dest = args.dest or "."
            out = datasets.download(ref, dest, client=Client(), progress=not args.quiet)
            print(out.resolve())
            return 0
    except KeyboardInterrupt:
        hint = "; run the same command again to resume" if command != "ls" else ""
        return _fail(f"interrupted{hint}", 130)
    except ApiError as exc:
        return _fail(_explain(exc, what))
    except DiscoveryError as exc:
        return _fail(str(exc))
    except (ValueError, OSError) as exc:
        return _fail(str(exc), 2)
    return _fail(f"unknown dataset command {command!r}", 2)


if __name__ == "__main__":
    sys.exit(main())
