"""``%openi …``: the platform from a notebook cell."""

from __future__ import annotations

import argparse
import shlex
import subprocess
import time
from typing import Any

from IPython.core.magic import Magics, line_cell_magic, magics_class

from . import community_schemas as cs
from .client import ApiError, Client
from .discovery import DiscoveryError

USAGE = """usage: %openi <command>
  whoami              the signed-in platform user
  orgs [query]        organisations you can see
  projects [owner]    projects you can see
  clone owner/repo [dir]   git clone with a push-ready remote
  issues owner/repo   open issues of a project
  models [owner/repo] models of a project (or all you can read)
  search WORDS [--type T] [--page N]
                      unified search: projects, orgs, users, datasets, issues, pull
                      requests, models, tasks (T: one of them for a page of it)
  train owner/repo BOOT_FILE [--spec cpu-small] [--name N] [--branch main]
        [--dataset FILE_ID] [--param k=v ...] [--kind train] [--no-monitor]
                      create a cloud-brain task (BOOT_FILE: a .py or .ipynb of the
                      repository, or 'sh:command') and follow it in a TaskMonitor
%%openi train owner/repo [options]
                      the cell is the code: it runs as `$OPENI_PYTHON -u -c CELL` (no
                      commit is made; the cell, quoted, must fit the 1024-character
                      boot command) in a checkout of the branch
"""

#: what ``sh:`` runs for a ``%%openi train`` cell
CELL_BOOT = 'sh:"$OPENI_PYTHON" -u -c '


class _UsageError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # never SystemExit inside a kernel
        raise _UsageError(message)


def _train_parser(cell: bool) -> argparse.ArgumentParser:
    p = _Parser(prog="%%openi train" if cell else "%openi train", add_help=False)
    p.add_argument("project")
    if not cell:
        p.add_argument("boot_file")
    p.add_argument("--spec", default="cpu-small")
    p.add_argument("--name")
    p.add_argument("--branch", default="")
    p.add_argument("--kind", default="train")
    p.add_argument("--description", default="")
    p.add_argument("--dataset", type=int)
    p.add_argument("--param", action="append", default=[])
    p.add_argument("--no-monitor", action="store_true")
    return p


def train_fields(args: list[str], cell: str | None = None) -> tuple[str, dict[str, Any], bool]:
    """``%openi train`` arguments → (project, ``create_task`` fields, show a monitor)."""
    ns = _train_parser(cell is not None).parse_args(args)
    params = []
    for item in ns.param:
        name, sep, value = item.partition("=")
        if not sep:
            raise _UsageError(f"--param {item}: expected name=value")
        params.append({"name": name, "value": value})
    boot = CELL_BOOT + shlex.quote(cell) if cell is not None else ns.boot_file
    name = ns.name or f"{ns.kind}-{time.strftime('%Y%m%d-%H%M%S')}"
    fields = {
        "kind": ns.kind,
        "name": name,
        "description": ns.description,
        "branch": ns.branch,
        "spec": ns.spec,
        "boot_file": boot,
        "dataset": ns.dataset,
        "params": params,
    }
    return ns.project, fields, not ns.no_monitor


def _print_models(client: Client, project: str | None) -> None:
    from .widgets.upload_progress import human_bytes

    page = client.models(project, per_page=100)
    for m in page.items:
        latest = m.latest.version if m.latest else "—"
        creator = m.creator.username if m.creator else "—"
        print(
            f"{m.project + '/' + m.name:<36} {latest:<10} {m.num_versions:>3} versions "
            f"{human_bytes(m.size):>9}  {m.engine:<12} {m.compute or '—':<4} "
            f"{m.created_at:%Y-%m-%d}  {creator}"
        )
    print(f"{page.total} model(s)")


def print_search(client: Client, args: list[str]) -> None:
    """``%openi search …``: a block per type with its count, or one type's page."""
    parser = _Parser(prog="%openi search", add_help=False)
    parser.add_argument("words", nargs="+")
    parser.add_argument("--type", default="all")
    parser.add_argument("--page", type=int, default=1)
    opts = parser.parse_args(args)
    result = client.search(" ".join(opts.words), type=opts.type, page=opts.page)
    groups = result.groups or [
        cs.SearchGroup(type=result.type, count=result.total, items=result.items)
    ]
    for group in groups:
        print(f"{group.type} ({group.count})")
        for hit in group.items:
            extra = f"  {hit.title}" if hit.title != hit.ref else ""
            print(f"  {hit.ref}{extra}")
    if not result.total:
        print(f"nothing found for '{result.q}'")


@magics_class
class OpeniMagics(Magics):
    _client: Client | None = None

    def client(self) -> Client:
        if OpeniMagics._client is None:
            OpeniMagics._client = Client()
        return OpeniMagics._client

    @line_cell_magic
    def openi(self, line: str, cell: str | None = None) -> object:
        args = shlex.split(line)
        command, rest = (args[0], args[1:]) if args else ("help", [])
        if cell is not None and command != "train":
            print(USAGE)
            return None
        try:
            if command == "train":
                return self._train(rest, cell)
            if command == "whoami":
                user = self.client().whoami()
                admin = " (site admin)" if user.is_admin else ""
                print(f"{user.username} · {user.full_name or '—'}{admin}")
                return None
            if command == "orgs":
                page = self.client().orgs(q=rest[0] if rest else None)
                for org in page.items:
                    print(f"{org.name:<20} {org.member_count:>3} members  {org.description}")
                print(f"{page.total} organisation(s)")
                return None
            if command == "projects":
                projects = self.client().projects(owner=rest[0] if rest else None)
                for p in projects.items:
                    lock = "🔒 " if p.visibility == "private" else ""
                    print(f"{lock}{p.full_name:<30} {p.description}")
                print(f"{projects.total} project(s)")
                return None
            if command == "clone" and rest:
                target = self.client().clone(rest[0], rest[1] if len(rest) > 1 else None)
                print(f"cloned {rest[0]} into {target}/")
                return None
            if command == "models":
                _print_models(self.client(), rest[0] if rest else None)
                return None
            if command == "search" and rest:
                print_search(self.client(), rest)
                return None
            if command == "issues" and rest:
                issues = self.client().issues(rest[0])
                for issue in issues.items:
                    print(f"#{issue.number:<5} {issue.title}")
                print(f"{issues.total} open issue(s)")
                return None
        except subprocess.CalledProcessError as exc:
            print(f"openi: git failed ({exc.returncode})")
            return None
        except (ApiError, DiscoveryError) as exc:
            print(f"openi: {exc}")
            for err in getattr(exc, "errors", []):
                print(f"  {err.field}: {err.reason}")
            return None
        except _UsageError as exc:
            print(f"openi train: {exc}")
        print(USAGE)
        return None

    def _train(self, args: list[str], cell: str | None) -> object:
        from IPython.display import display

        from .widgets import TaskMonitor

        project, fields, monitor = train_fields(args, cell)
        task = self.client().create_task(project, **fields)
        print(f"task {task.id} {task.name} created in {project} ({task.status.value})")
        if monitor:
            display(TaskMonitor(project, task.id, client=self.client()))
        return None
