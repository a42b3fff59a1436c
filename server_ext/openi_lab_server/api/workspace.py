"""/workspace/…: where a notebook of the Jupyter workspace comes from; commit and push it.

Both act on the files of this Jupyter server with the credentials its clones carry, so only
the server's own user may call them (another user's token answers 403).
"""

from __future__ import annotations

from openi_lab import schemas as s

from ..services.errors import Forbidden, Invalid
from .base import _LOCAL_PROVIDERS, BaseHandler, endpoint


class _WorkspaceHandler(BaseHandler):
    def _root(self) -> str:
        if (
            self._platform_secret() is not None
            and type(self.identity_provider) in _LOCAL_PROVIDERS
            and self.actor.username != self.openi_app.local_username
        ):
            raise Forbidden("the workspace of this server belongs to another user")
        serverapp = self.settings["serverapp"]
        return str(self.settings.get("server_root_dir") or serverapp.root_dir)

    @property
    def _server_url(self) -> str:
        return str(self.settings["serverapp"].connection_url)


class OriginHandler(_WorkspaceHandler):
    @endpoint(
        "Whether a workspace file lies in a clone of a project here (project, branch, commit, "
        "uncommitted files, pushed)",
        tag="workspace",
        response=s.WorkspaceOrigin,
        query=("path",),
    )
    async def get(self) -> s.WorkspaceOrigin:
        path = self.get_query_argument("path", "")
        if not path:
            raise Invalid("path", "is required")
        return await self.platform.workspace.origin(
            self.actor, self._root(), path, self._server_url
        )


class CommitPushHandler(_WorkspaceHandler):
    @endpoint(
        "Commit every change of the clone holding a workspace file and push its branch",
        tag="workspace",
        body=s.WorkspaceCommitPush,
        response=s.WorkspaceOrigin,
    )
    async def post(self, body: s.WorkspaceCommitPush) -> s.WorkspaceOrigin:
        return await self.platform.workspace.commit_push(
            self.actor, self._root(), body.path, body.message, self._server_url
        )


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    ("/workspace/origin", OriginHandler),
    ("/workspace/commit-push", CommitPushHandler),
]
