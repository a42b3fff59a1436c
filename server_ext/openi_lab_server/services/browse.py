"""Browsing a project's repository through the API: refs, trees, files, history, diffs,
README. Permission first (read role), then the git work in a thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any, TypeVar

from dulwich.repo import Repo
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import schemas as s

from ..db.repo_models import BranchProtection, Release
from ..git import browse as g
from ..git.store import RepoStore
from ..render import detect_text, render_markdown, render_notebook
from ..render.notebook import NotebookRenderError
from .errors import Invalid, NotFound
from .principal import Principal
from .projects import ProjectService

T = TypeVar("T")
#: files above this size are not decoded into the JSON answer (use the raw endpoint)
MAX_TEXT_BYTES = 1_000_000
MAX_RENDER_BYTES = 2_000_000


class BrowseService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        store: RepoStore,
        counters: list[Callable[[AsyncSession, int], Any]] | None = None,
    ):
        self.sessions = sessions
        self.projects = projects
        self.store = store
        #: extra counts (open issues, open pulls) registered by the tracker
        self.counters = counters or []

    async def _project(self, actor: Principal, owner: str, name: str) -> tuple[int, str, set[str]]:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            protected = set(
                (
                    await session.scalars(
                        select(BranchProtection.branch).where(
                            BranchProtection.project_id == project.id
                        )
                    )
                ).all()
            )
            return project.id, project.default_branch, protected

    async def _in_repo(self, project_id: int, fn: Callable[[Repo], T]) -> T:
        def run() -> T:
            if not self.store.exists(project_id):
                raise NotFound("repository")
            repo = self.store.open(project_id)
            try:
                return fn(repo)
            finally:
                repo.close()

        return await asyncio.to_thread(run)

    async def branches(self, actor: Principal, owner: str, name: str) -> list[s.RefInfo]:
        pid, default, protected = await self._project(actor, owner, name)
        rows = await self._in_repo(pid, g.branches)
        out = [
            s.RefInfo(
                name=r["name"],
                commit=s.CommitInfo(**r["commit"]),
                protected=r["name"] in protected,
                is_default=r["name"] == default,
            )
            for r in rows
        ]
        out.sort(key=lambda b: (not b.is_default, -b.commit.committed_at.timestamp()))
        return out

    async def tags(self, actor: Principal, owner: str, name: str) -> list[s.RefInfo]:
        pid, _, _ = await self._project(actor, owner, name)
        rows = await self._in_repo(pid, g.tags)
        out = [s.RefInfo(name=r["name"], commit=s.CommitInfo(**r["commit"])) for r in rows]
        out.sort(key=lambda t: -t.commit.committed_at.timestamp())
        return out

    async def tree(
        self, actor: Principal, owner: str, name: str, ref: str | None, path: str
    ) -> s.Tree:
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> s.Tree:
            commit = g.resolve(repo, ref, default)
            entries = g.tree(repo, commit, path)
            return s.Tree(
                ref=ref or default,
                commit=commit.id.decode(),
                path="/".join(p for p in path.split("/") if p),
                entries=[s.TreeEntry(**e.__dict__) for e in entries],
            )

        return await self._in_repo(pid, run)

    async def file(
        self, actor: Principal, owner: str, name: str, ref: str | None, path: str
    ) -> s.FileContent:
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> s.FileContent:
            commit = g.resolve(repo, ref, default)
            blob = g.blob(repo, commit, path)
            data = blob.as_raw_string()
            info = detect_text(data, limit=MAX_TEXT_BYTES)
            return s.FileContent(
                ref=ref or default,
                commit=commit.id.decode(),
                path=path,
                size=len(data),
                sha=blob.id.decode(),
                is_binary=info.is_binary,
                encoding=info.encoding,
                text=info.text,
                truncated=info.truncated,
            )

        return await self._in_repo(pid, run)

    async def split_ref_path(
        self, actor: Principal, owner: str, name: str, rest: str
    ) -> tuple[str, str]:
        pid, _, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> tuple[str, str]:
            names = {
                r.split(b"/", 2)[2].decode(errors="replace")
                for r in repo.refs.as_dict()
                if r.startswith((b"refs/heads/", b"refs/tags/"))
            }
            parts = rest.split("/")
            for i in range(len(parts) - 1, 0, -1):
                if "/".join(parts[:i]) in names:
                    return "/".join(parts[:i]), "/".join(parts[i:])
            return parts[0], "/".join(parts[1:])  # a commit sha, or a ref that 404s

        return await self._in_repo(pid, run)

    async def raw(
        self, actor: Principal, owner: str, name: str, ref: str | None, path: str
    ) -> tuple[bytes, str]:
        """The file's bytes and its sha (blobs are read whole by git itself, so is this)."""
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> tuple[bytes, str]:
            blob = g.blob(repo, g.resolve(repo, ref, default), path)
            return blob.as_raw_string(), blob.id.decode()

        return await self._in_repo(pid, run)

    async def commits(
        self,
        actor: Principal,
        owner: str,
        name: str,
        ref: str | None,
        path: str | None,
        page: int,
        per_page: int,
    ) -> tuple[list[s.CommitInfo], bool]:
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> tuple[list[s.CommitInfo], bool]:
            commit = g.resolve(repo, ref, default)
            rows, more = g.log(repo, commit, path, (page - 1) * per_page, per_page)
            return [s.CommitInfo(**r) for r in rows], more

        return await self._in_repo(pid, run)

    async def commit(self, actor: Principal, owner: str, name: str, sha: str) -> s.CommitDetail:
        pid, default, _ = await self._project(actor, owner, name)
        if not (7 <= len(sha) <= 40 and all(c in "0123456789abcdef" for c in sha)):
            raise Invalid("sha", "must be 7 to 40 lower-case hex digits")

        def run(repo: Repo) -> s.CommitDetail:
            commit = g.resolve(repo, sha, default)
            files = [s.FileDiff(**f) for f in g.commit_diff(repo, commit)]
            return s.CommitDetail(**g.commit_info(commit), files=files)

        return await self._in_repo(pid, run)

    async def compare(
        self, actor: Principal, owner: str, name: str, base: str, head: str
    ) -> s.Compare:
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> s.Compare:
            result = g.compare(repo, g.resolve(repo, base, default), g.resolve(repo, head, default))
            result["commits"] = [s.CommitInfo(**c) for c in result["commits"]]
            result["files"] = [s.FileDiff(**f) for f in result["files"]]
            return s.Compare(**result)

        return await self._in_repo(pid, run)

    async def readme(
        self, actor: Principal, owner: str, name: str, ref: str | None, base_url: str
    ) -> s.Rendered:
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> s.Rendered:
            found = g.find_readme(repo, g.resolve(repo, ref, default))
            if found is None:
                raise NotFound("README")
            path, blob = found
            data = blob.as_raw_string()[:MAX_RENDER_BYTES]
            text = detect_text(data, limit=MAX_RENDER_BYTES).text or ""
            if path.lower().endswith((".md", ".markdown")):
                return s.Rendered(path=path, html=render_markdown(text, base_url=base_url))
            from html import escape

            return s.Rendered(path=path, html=f"<pre>{escape(text)}</pre>")

        return await self._in_repo(pid, run)

    async def render(
        self, actor: Principal, owner: str, name: str, ref: str | None, path: str, base_url: str
    ) -> s.Rendered:
        """Markdown and notebooks as safe HTML (nothing from the file can run in the page)."""
        pid, default, _ = await self._project(actor, owner, name)

        def run(repo: Repo) -> s.Rendered:
            blob = g.blob(repo, g.resolve(repo, ref, default), path)
            if blob.raw_length() > MAX_RENDER_BYTES:
                raise Invalid("path", f"'{path}' is too large to render; download it instead")
            data = blob.as_raw_string()
            lower = path.lower()
            if lower.endswith(".ipynb"):
                try:
                    return s.Rendered(path=path, html=render_notebook(data))
                except NotebookRenderError as exc:
                    raise Invalid("path", f"'{path}' is not a readable notebook: {exc}") from exc
            if lower.endswith((".md", ".markdown")):
                text = detect_text(data, limit=MAX_RENDER_BYTES).text or ""
                return s.Rendered(path=path, html=render_markdown(text, base_url=base_url))
            raise Invalid("path", "only markdown and notebooks are rendered")

        return await self._in_repo(pid, run)

    async def counts(self, actor: Principal, owner: str, name: str) -> s.RepoCounts:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            releases = await session.scalar(
                select(func.count()).where(Release.project_id == project.id)
            )
            extra: dict[str, int] = {}
            for counter in self.counters:
                extra.update(await counter(session, project.id))
            pid, forks, stars, watches = (
                project.id,
                project.num_forks,
                project.num_stars,
                project.num_watches,
            )

        def refs(repo: Repo) -> tuple[int, int]:
            all_refs = repo.refs.as_dict()
            heads = sum(1 for r in all_refs if r.startswith(b"refs/heads/"))
            tag_count = sum(1 for r in all_refs if r.startswith(b"refs/tags/"))
            return heads, tag_count

        heads, tag_count = await self._in_repo(pid, refs)
        return s.RepoCounts(
            branches=heads,
            tags=tag_count,
            releases=releases or 0,
            open_issues=extra.get("open_issues", 0),
            open_pulls=extra.get("open_pulls", 0),
            forks=forks,
            stars=stars,
            watches=watches,
        )
