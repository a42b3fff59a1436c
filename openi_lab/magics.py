"""``%openi …``: the platform from a notebook cell."""

from __future__ import annotations

import shlex
import subprocess

from IPython.core.magic import Magics, line_magic, magics_class

from .client import ApiError, Client
from .discovery import DiscoveryError

USAGE = """usage: %openi <command>
  whoami              the signed-in platform user
  orgs [query]        organisations you can see
  projects [owner]    projects you can see
  clone owner/repo [dir]   git clone with a push-ready remote
  issues owner/repo   open issues of a project
"""


@magics_class
class OpeniMagics(Magics):
    _client: Client | None = None

    def client(self) -> Client:
        if OpeniMagics._client is None:
            OpeniMagics._client = Client()
        return OpeniMagics._client

    @line_magic
    def openi(self, line: str) -> object:
        args = shlex.split(line)
        command, rest = (args[0], args[1:]) if args else ("help", [])
        try:
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
            return None
        print(USAGE)
        return None
