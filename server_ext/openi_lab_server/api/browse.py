"""Browsing a repository: branches, tags, tree, file, raw, commits, compare, README, render."""

from __future__ import annotations

import mimetypes

from openi_lab import schemas as s

from .base import BaseHandler, endpoint

REF_PATH = ("ref", "path")


class BrowseHandler(BaseHandler):
    def ref_path(self) -> tuple[str | None, str]:
        return self.str_arg("ref"), self.get_query_argument("path", "")

    def tree_url(self, owner: str, name: str, ref: str | None, default: str) -> str:
        """Base of relative links and images in rendered markdown: the ``blob`` route."""
        return f"{self.base_url}openi/api/v1/projects/{owner}/{name}/blob/{ref or default}/"


class BranchesHandler(BrowseHandler):
    @endpoint("Branches, default first", tag="code", response=list[s.RefInfo])
    async def get(self, owner: str, name: str) -> list[s.RefInfo]:
        return await self.platform.browse.branches(self.actor, owner, name)


class TagsHandler(BrowseHandler):
    @endpoint("Tags, newest first", tag="code", response=list[s.RefInfo])
    async def get(self, owner: str, name: str) -> list[s.RefInfo]:
        return await self.platform.browse.tags(self.actor, owner, name)


class TreeHandler(BrowseHandler):
    @endpoint("A directory at a ref", tag="code", response=s.Tree, query=REF_PATH)
    async def get(self, owner: str, name: str) -> s.Tree:
        ref, path = self.ref_path()
        return await self.platform.browse.tree(self.actor, owner, name, ref, path)


class FileHandler(BrowseHandler):
    @endpoint("A file at a ref (text decoded)", tag="code", response=s.FileContent, query=REF_PATH)
    async def get(self, owner: str, name: str) -> s.FileContent:
        ref, path = self.ref_path()
        return await self.platform.browse.file(self.actor, owner, name, ref, path)


class RawHandler(BrowseHandler):
    @endpoint("A file's bytes (download)", tag="code", query=REF_PATH)
    async def get(self, owner: str, name: str) -> None:
        ref, path = self.ref_path()
        await self.send_raw(owner, name, ref, path)

    async def send_raw(self, owner: str, name: str, ref: str | None, path: str) -> None:
        data, sha = await self.platform.browse.raw(self.actor, owner, name, ref, path)
        filename = path.rsplit("/", 1)[-1]
        kind = mimetypes.guess_type(filename)[0] or "application/octet-stream"
        # never let a repository's HTML or SVG run in the platform's origin
        if kind.startswith("text/") or kind in ("image/svg+xml", "application/javascript"):
            kind = "text/plain; charset=utf-8"
        self.set_header("Content-Type", kind)
        self.set_header("Content-Security-Policy", "sandbox; default-src 'none'")
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("ETag", f'"{sha}"')
        if self.get_query_argument("download", ""):
            self.set_header("Content-Disposition", f"attachment; filename*=UTF-8''{filename}")
        for i in range(0, len(data), 64 * 1024):
            self.write(data[i : i + 64 * 1024])
            await self.flush()
        self.finish()


class CommitsHandler(BrowseHandler):
    @endpoint(
        "History at a ref (optionally of one path), newest first",
        tag="code",
        response=s.Page[s.CommitInfo],
        query=("ref", "path", "page", "per_page"),
    )
    async def get(self, owner: str, name: str):
        req = self.page_request()
        ref, path = self.str_arg("ref"), self.str_arg("path")
        rows, more = await self.platform.browse.commits(
            self.actor, owner, name, ref, path, req.page, req.per_page
        )
        # the total is not counted (that walks all history); -1 means "more pages follow"
        total = (req.page - 1) * req.per_page + len(rows) + (1 if more else 0)
        return s.Page[s.CommitInfo](items=rows, total=total, page=req.page, per_page=req.per_page)


class CommitHandler(BrowseHandler):
    @endpoint("A commit with its diff", tag="code", response=s.CommitDetail)
    async def get(self, owner: str, name: str, sha: str) -> s.CommitDetail:
        return await self.platform.browse.commit(self.actor, owner, name, sha)


class CompareHandler(BrowseHandler):
    @endpoint("Compare two refs", tag="code", response=s.Compare, query=("base", "head"))
    async def get(self, owner: str, name: str) -> s.Compare:
        base = self.get_query_argument("base", "")
        head = self.get_query_argument("head", "")
        return await self.platform.browse.compare(self.actor, owner, name, base, head)


class ReadmeHandler(BrowseHandler):
    @endpoint("The README as safe HTML", tag="code", response=s.Rendered, query=("ref",))
    async def get(self, owner: str, name: str) -> s.Rendered:
        ref = self.str_arg("ref")
        project = await self.platform.projects.get(self.actor, owner, name)
        base = self.tree_url(owner, name, ref, project.default_branch)
        return await self.platform.browse.readme(self.actor, owner, name, ref, base)


class RenderHandler(BrowseHandler):
    @endpoint(
        "A markdown file or notebook as safe HTML", tag="code", response=s.Rendered, query=REF_PATH
    )
    async def get(self, owner: str, name: str) -> s.Rendered:
        ref, path = self.ref_path()
        project = await self.platform.projects.get(self.actor, owner, name)
        folder = path.rsplit("/", 1)[0] + "/" if "/" in path else ""
        base = self.tree_url(owner, name, ref, project.default_branch) + folder
        return await self.platform.browse.render(self.actor, owner, name, ref, path, base)


class CountsHandler(BrowseHandler):
    @endpoint("Counts for the project tabs", tag="code", response=s.RepoCounts)
    async def get(self, owner: str, name: str) -> s.RepoCounts:
        return await self.platform.browse.counts(self.actor, owner, name)


class BlobHandler(RawHandler):
    """``blob/<ref>/<path>``: what relative links in rendered markdown point to; the ref is
    the longest branch or tag name that prefixes the rest, as on GitHub."""

    @endpoint("A file's bytes by ref and path in the URL", tag="code")
    async def get(self, owner: str, name: str, rest: str) -> None:
        ref, path = await self.platform.browse.split_ref_path(self.actor, owner, name, rest)
        await self.send_raw(owner, name, ref, path)
