"""Clone a project into the Jupyter workspace, ready for jupyterlab-git or a terminal.

The clone's remote carries a personal access token minted for this purpose (read+write,
90 days, named after the project), so ``git pull`` / ``git push`` work without prompting; the
token is listed under the user's tokens and can be revoked there.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from openi_lab import schemas as s

from ..git.cli import run_git
from ..git.names import split_path
from .errors import Conflict, Invalid
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
