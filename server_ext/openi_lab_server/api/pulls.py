"""/projects/{owner}/{name}/pulls: pull requests (合并请求); their comments, labels and
assignees use the issue endpoints with the same number."""

from __future__ import annotations

from openi_lab import schemas as s

from .base import BaseHandler, endpoint

_PROJECT = "/projects/{owner}/{name}"


class PullsHandler(BaseHandler):
    @endpoint(
        "Pull requests of a project, newest first. state: open (default) | closed (closed "
        "without merging) | merged | all",
        tag="pulls",
        response=s.Page[s.Pull],
        query=("state", "page", "per_page"),
    )
    async def get(self, owner: str, name: str):
        return await self.platform.pulls.list_pulls(
            self.actor, owner, name, self.str_arg("state"), self.page_request()
        )

    @endpoint(
        "Propose a branch (head: 'branch' of this project or 'owner:branch' of a fork of it) "
        "into base (anyone who can read both; 422 when head has nothing new, 409 when an open "
        "pull request already proposes it)",
        tag="pulls",
        body=s.PullCreate,
        response=s.Pull,
        status=201,
    )
    async def post(self, body: s.PullCreate, owner: str, name: str) -> s.Pull:
        return await self.platform.pulls.create(self.actor, owner, name, body)


class PullHandler(BaseHandler):
    @endpoint(
        "One pull request; mergeability is recomputed when either branch moved",
        tag="pulls",
        response=s.Pull,
    )
    async def get(self, owner: str, name: str, number: str) -> s.Pull:
        return await self.platform.pulls.get(self.actor, owner, name, number)

    @endpoint(
        "Edit the title or body, close or reopen (its author or writers; a merged pull "
        "request cannot be reopened)",
        tag="pulls",
        body=s.PullUpdate,
        response=s.Pull,
    )
    async def patch(self, body: s.PullUpdate, owner: str, name: str, number: str) -> s.Pull:
        return await self.platform.pulls.update(self.actor, owner, name, number, body)


class PullCommitsHandler(BaseHandler):
    @endpoint(
        "The head's commits that the base lacks, oldest first (at most 250)",
        tag="pulls",
        response=list[s.CommitInfo],
    )
    async def get(self, owner: str, name: str, number: str) -> list[s.CommitInfo]:
        return await self.platform.pulls.commits(self.actor, owner, name, number)


class PullFilesHandler(BaseHandler):
    @endpoint(
        "Changed files (the diff from the merge base); notebooks with cell-level changes",
        tag="pulls",
        response=list[s.PullFile],
    )
    async def get(self, owner: str, name: str, number: str) -> list[s.PullFile]:
        return await self.platform.pulls.files(self.actor, owner, name, number)


class PullMergeHandler(BaseHandler):
    @endpoint(
        "Merge (writers): method 'merge' writes a merge commit, 'fast-forward' moves the base "
        "branch to the head; 409 on conflicts, when a fast-forward is impossible or the base "
        "moved meanwhile; 422 when not open",
        tag="pulls",
        body=s.PullMerge,
        response=s.Pull,
    )
    async def post(self, body: s.PullMerge, owner: str, name: str, number: str) -> s.Pull:
        return await self.platform.pulls.merge(self.actor, owner, name, number, body)


ROUTES: list[tuple[str, type[BaseHandler]]] = [
    (f"{_PROJECT}/pulls", PullsHandler),
    (f"{_PROJECT}/pulls/{{number}}", PullHandler),
    (f"{_PROJECT}/pulls/{{number}}/commits", PullCommitsHandler),
    (f"{_PROJECT}/pulls/{{number}}/files", PullFilesHandler),
    (f"{_PROJECT}/pulls/{{number}}/merge", PullMergeHandler),
]
