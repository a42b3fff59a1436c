"""Clone a project into the Jupyter workspace, ready for jupyterlab-git or a terminal.

The clone's remote carries a personal access token minted for this purpose (read+write,
90 days, named after the project), so ``git pull`` / ``git push`` work without prompting; the
token is listed under the user's tokens and can be revoked there.

"Run as training task" asks :meth:`WorkspaceService.origin` where a notebook comes from (a
clone of a project here: which project, branch, commit, whether it is committed and pushed)
and may :meth:`WorkspaceService.commit_push` first, with the real ``git`` and the clone's own
credentials. Paths are relative to the Jupyter root and never leave it (links included).
"""

from __future__ import annotations

import asyncio
import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

from openi_lab import schemas as s

from ..git.cli import run_git
from ..git.names import split_path
from .errors import Conflict, Invalid, NotFound
from .principal import Principal
from .projects import ProjectService
from .tokens import TokenService


class WorkspaceService:
    def __init__(self, projects: ProjectService, tokens: TokenService):
        self.projects = projects
        self.tokens = tokens

    async def clone(
        self,
        actor: Principal,
        owner: str,
        name: str,
        root_dir: str,
        rel_path: str | None,
        server_url: str,
        author: tuple[str, str],
    ) -> s.WorkspaceCloned:
        project = await self.projects.get(actor, owner, name)  # 404 unless readable
        parts = split_path(rel_path or project.name)
        if not parts:
            raise Invalid("path", "name a folder inside the workspace")
        target = Path(root_dir).joinpath(*parts)
        if target.exists():
            raise Conflict(
                f"'{'/'.join(parts)}' already exists in the workspace", [("path", "exists")]
            )
        scopes = [s.Scope.read, s.Scope.write] if actor.allows(s.Scope.write) else [s.Scope.read]
        token = await self.tokens.create(
            actor,
            s.TokenCreate(name=f"workspace {owner}/{name}"[:64], scopes=scopes, expires_in_days=90),
        )
        url = urlsplit(server_url)
        netloc = f"{actor.username}:{token.token}@{url.netloc}"
        path = url.path.rstrip("/") + "/" + project.clone_path
        remote = urlunsplit((url.scheme, netloc, path, "", ""))
        env = {"GIT_TERMINAL_PROMPT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"}
        code, out = await run_git("clone", "-q", remote, str(target), env=env)
        if code:
            await self.tokens.delete(actor, token.id)
            raise Conflict("git clone failed: " + out.strip()[-300:])
        for key, value in (("user.name", author[0]), ("user.email", author[1])):
            await run_git("config", key, value, cwd=target)
        shown = urlunsplit((url.scheme, url.netloc, path, "", ""))
        return s.WorkspaceCloned(path="/".join(parts), remote=shown)

    # --- where a workspace file comes from ---------------------------------------------------

    async def origin(
        self, actor: Principal, root_dir: str, rel_path: str, server_url: str
    ) -> s.WorkspaceOrigin:
        """Whether ``rel_path`` lies in a clone of a project of this platform, and its state."""
        root, target, here = await asyncio.to_thread(_inside, root_dir, rel_path)
        shown = target.relative_to(root).as_posix()
        code, top = await run_git("rev-parse", "--show-toplevel", cwd=here, env=_ENV)
        top_dir = await asyncio.to_thread(_real, top.strip()) if code == 0 else None
        if top_dir is None or not top_dir.is_relative_to(root):
            return s.WorkspaceOrigin(path=shown, in_project=False)
        _, remote = await run_git("remote", "get-url", "origin", cwd=top_dir, env=_ENV)
        found = _project_of(remote.strip(), server_url)
        if found is None:
            return s.WorkspaceOrigin(path=shown, in_project=False)
        try:
            project = await self.projects.get(actor, *found)
        except NotFound:
            return s.WorkspaceOrigin(path=shown, in_project=False)
        code, branch = await run_git("symbolic-ref", "-q", "--short", "HEAD", cwd=top_dir, env=_ENV)
        code_head, head = await run_git(
            "rev-parse", "-q", "--verify", "HEAD", cwd=top_dir, env=_ENV
        )
        commit = head.strip() if code_head == 0 else None
        pushed = False
        if code == 0 and commit:
            ref = f"refs/remotes/origin/{branch.strip()}"
            c, remote_head = await run_git(
                "rev-parse", "-q", "--verify", ref, cwd=top_dir, env=_ENV
            )
            pushed = c == 0 and remote_head.strip() == commit
        _, status = await run_git(
            "status", "--porcelain=v1", "-z", "--untracked-files=all", cwd=top_dir, env=_ENV
        )
        dirty = [e[3:] for e in status.split("\0") if len(e) > 3 and e[2] == " "][:500]
        return s.WorkspaceOrigin(
            path=shown,
            in_project=True,
            project=project.full_name,
            repo_path=top_dir.relative_to(root).as_posix(),
            branch=branch.strip() if code == 0 else None,
            commit=commit,
            file=target.relative_to(top_dir).as_posix(),
            dirty=dirty,
            pushed=pushed,
        )

    async def commit_push(
        self, actor: Principal, root_dir: str, rel_path: str, message: str, server_url: str
    ) -> s.WorkspaceOrigin:
        """Commit every change of the clone (``git add -A``) and push its current branch."""
        where = await self.origin(actor, root_dir, rel_path, server_url)
        if not where.in_project or where.repo_path is None:
            raise Invalid("path", "is not in a clone of a project of this platform")
        if where.branch is None:
            raise Conflict("the clone is on a detached HEAD: check out a branch first")
        root, _, _ = await asyncio.to_thread(_inside, root_dir, where.repo_path)
        repo = root / where.repo_path
        if where.dirty:
            code, out = await run_git("add", "-A", cwd=repo, env=_ENV)
            if code == 0:
                code, out = await run_git("commit", "-q", "-m", message, cwd=repo, env=_ENV)
            if code:
                raise Conflict("git commit failed: " + _hide_secrets(out).strip()[-300:])
        code, out = await run_git(
            "push", "-q", "-u", "origin", f"refs/heads/{where.branch}", cwd=repo, env=_ENV
        )
        if code:
            raise Conflict("git push failed: " + _hide_secrets(out).strip()[-300:])
        return await self.origin(actor, root_dir, rel_path, server_url)


#: git run for the workspace: never prompts (a prompt would hang the server)
_ENV = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
_LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1"}


def _real(path: str) -> Path:
    return Path(path).resolve()


def _inside(root_dir: str, rel_path: str) -> tuple[Path, Path, Path]:
    """(root, the existing ``rel_path`` under it, its folder); 422 when it leaves the root.
    Blocking."""
    root = Path(root_dir).resolve()
    target = root.joinpath(*split_path(rel_path))
    try:
        real = target.resolve(strict=True)
    except (FileNotFoundError, RuntimeError) as exc:
        raise NotFound(f"workspace path '{rel_path}'") from exc
    if not real.is_relative_to(root):
        raise Invalid("path", "is outside the workspace")
    return root, real, real if real.is_dir() else real.parent


def _project_of(remote: str, server_url: str) -> tuple[str, str] | None:
    """(owner, name) when ``remote`` is a git URL of this server, else None."""
    r, us = urlsplit(remote), urlsplit(server_url)
    if r.scheme not in ("http", "https") or r.port != us.port:
        return None
    if r.hostname != us.hostname and not {r.hostname, us.hostname} <= _LOCAL_HOSTS:
        return None
    base = re.escape(unquote(us.path).rstrip("/"))
    m = re.fullmatch(base + r"/openi/git/([^/]+)/([^/]+?)(?:\.git)?/?", unquote(r.path))
    return (m.group(1), m.group(2)) if m else None


def _hide_secrets(text: str) -> str:
    """git echoes remote URLs; their ``user:token@`` part must not reach the browser."""
    return re.sub(r"//[^/@\s]+@", "//", text)
