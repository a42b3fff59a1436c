"""Releases (版本发布): a tag, a title, notes and attached files; source archives."""

from __future__ import annotations

import asyncio
import hashlib
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

from dulwich.objects import Commit, Tag
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import schemas as s

from ..db.models import Account
from ..db.repo_models import Release, ReleaseAsset
from ..git import browse as g
from ..git.cli import GIT
from ..git.names import check_branch
from ..git.store import RepoStore
from . import activity
from .accounts import user_out
from .errors import Conflict, Forbidden, Invalid, NotFound, TooLarge
from .principal import Principal
from .projects import ProjectService

ASSET_NAME = re.compile(r"^[^/\\\x00-\x1f]{1,255}$")
ARCHIVE_FORMATS = {"zip": ("zip", "application/zip"), "tar.gz": ("tar.gz", "application/gzip")}


class AssetUpload:
    """An asset arriving chunk by chunk: hashed and written to a temp file as it comes."""

    def __init__(self, path: Path, limit: int):
        self.path, self.limit = path, limit
        self.size = 0
        self.sha = hashlib.sha256()
        path.parent.mkdir(parents=True, exist_ok=True)
        self.file = path.open("wb")

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.limit:
            raise TooLarge(f"release assets are limited to {self.limit // 2**20} MB")
        self.sha.update(chunk)
        self.file.write(chunk)

    def discard(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


class ReleaseService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        store: RepoStore,
        assets_root: Path,
        max_asset_bytes: int = 2 << 30,
    ):
        self.sessions = sessions
        self.projects = projects
        self.store = store
        self.assets_root = assets_root
        self.max_asset_bytes = max_asset_bytes

    def _out(
        self, r: Release, author: Account | None, assets: list[ReleaseAsset], base: str
    ) -> s.Release:
        return s.Release(
            id=r.id,
            tag=r.tag,
            title=r.title or r.tag,
            notes=r.notes,
            commit=r.commit,
            is_prerelease=r.is_prerelease,
            author=user_out(author) if author else None,
            created_at=r.created_at,
            assets=[
                s.ReleaseAsset(
                    id=a.id,
                    name=a.name,
                    size=a.size,
                    sha256=a.sha256,
                    download_count=a.download_count,
                    download_url=f"{base}/releases/{r.id}/assets/{a.id}",
                )
                for a in assets
            ],
        )

    async def list(self, actor: Principal, owner: str, name: str) -> list[s.Release]:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            rows = (
                await session.execute(
                    select(Release, Account)
                    .outerjoin(Account, Account.id == Release.author_id)
                    .where(Release.project_id == project.id)
                    .order_by(Release.created_at.desc(), Release.id.desc())
                )
            ).all()
            ids = [r.id for r, _ in rows]
            assets = (
                await session.scalars(
                    select(ReleaseAsset)
                    .where(ReleaseAsset.release_id.in_(ids))
                    .order_by(ReleaseAsset.name)
                )
            ).all()
        by_release: dict[int, list[ReleaseAsset]] = {}
        for a in assets:
            by_release.setdefault(a.release_id, []).append(a)
        base = f"openi/api/v1/projects/{owner}/{name}"
        return [self._out(r, u, by_release.get(r.id, []), base) for r, u in rows]

    async def create(
        self, actor: Principal, owner: str, name: str, body: s.ReleaseCreate
    ) -> s.Release:
        check_branch(body.tag, "tag")
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            if project.is_archived:
                raise Forbidden(f"{owner}/{name} is archived: it is read-only")
            pid, default = project.id, project.default_branch
            exists = await session.scalar(
                select(Release.id).where(Release.project_id == pid, Release.tag == body.tag)
            )
            if exists:
                raise Conflict(f"a release for tag '{body.tag}' exists", [("tag", "taken")])
        commit, created_tag = await asyncio.to_thread(
            self._tag, pid, body.tag, body.target, default
        )
        async with self.sessions() as session:
            release = Release(
                project_id=pid,
                tag=body.tag,
                title=body.title,
                notes=body.notes,
                commit=commit,
                author_id=actor.id,
                is_prerelease=body.is_prerelease,
            )
            session.add(release)
            activity.record(session, actor, pid, "release", tag=body.tag, title=body.title)
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                if created_tag:
                    await asyncio.to_thread(self._untag, pid, body.tag)
                raise Conflict(
                    f"a release for tag '{body.tag}' exists", [("tag", "taken")]
                ) from exc
            author = await session.get(Account, actor.id)
        return self._out(release, author, [], f"openi/api/v1/projects/{owner}/{name}")

    def _tag(self, pid: int, tag: str, target: str | None, default: str) -> tuple[str, bool]:
        """The commit the tag names; creates a lightweight tag at ``target`` when missing."""
        repo = self.store.open(pid)
        try:
            ref = b"refs/tags/" + tag.encode()
            refs = repo.refs.as_dict()
            if ref in refs:
                obj = repo[refs[ref]]
                while isinstance(obj, Tag):
                    obj = repo[obj.object[1]]
                if target:
                    raise Invalid("target", f"tag '{tag}' exists already; leave target empty")
                assert isinstance(obj, Commit)
                return obj.id.decode(), False
            try:
                commit = g.resolve(repo, target, default)
            except NotFound:
                raise Invalid("target", f"no branch or commit '{target or default}'") from None
            repo.refs[ref] = commit.id
            return commit.id.decode(), True
        finally:
            repo.close()

    def _untag(self, pid: int, tag: str) -> None:
        repo = self.store.open(pid)
        try:
            repo.refs.remove_if_equals(b"refs/tags/" + tag.encode(), None)
        finally:
            repo.close()

    async def delete(self, actor: Principal, owner: str, name: str, release_id: int) -> None:
        """The release and its files go; the tag stays (delete it with git if wanted)."""
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            release = await session.get(Release, release_id)
            if release is None or release.project_id != project.id:
                raise NotFound(f"release {release_id}")
            await session.delete(release)
            await session.commit()
        await asyncio.to_thread(shutil.rmtree, self.assets_root / str(release_id), True)

    # --- assets -------------------------------------------------------------------------

    async def start_upload(
        self, actor: Principal, owner: str, name: str, release_id: int, filename: str
    ) -> AssetUpload:
        if not ASSET_NAME.match(filename) or filename in (".", ".."):
            raise Invalid("name", "a file name without '/', '\\' or control characters")
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            release = await session.get(Release, release_id)
            if release is None or release.project_id != project.id:
                raise NotFound(f"release {release_id}")
            taken = await session.scalar(
                select(ReleaseAsset.id).where(
                    ReleaseAsset.release_id == release_id, ReleaseAsset.name == filename
                )
            )
            if taken:
                raise Conflict(f"'{filename}' is already attached", [("name", "taken")])
        tmp = self.assets_root / str(release_id) / f".upload-{datetime.now(UTC).timestamp()}"
        return AssetUpload(tmp, self.max_asset_bytes)

    async def finish_upload(
        self, upload: AssetUpload, release_id: int, filename: str
    ) -> s.ReleaseAsset:
        upload.file.close()
        async with self.sessions() as session:
            asset = ReleaseAsset(
                release_id=release_id,
                name=filename,
                size=upload.size,
                sha256=upload.sha.hexdigest(),
                storage_key="",
            )
            session.add(asset)
            try:
                await session.flush()
            except IntegrityError as exc:
                await session.rollback()
                upload.discard()
                raise Conflict(f"'{filename}' is already attached", [("name", "taken")]) from exc
            final = self.assets_root / str(release_id) / str(asset.id)
            asset.storage_key = str(final.relative_to(self.assets_root))
            upload.path.rename(final)
            await session.commit()
            return s.ReleaseAsset(
                id=asset.id,
                name=filename,
                size=upload.size,
                sha256=asset.sha256,
                download_count=0,
                download_url=f"releases/{release_id}/assets/{asset.id}",
            )

    async def open_asset(
        self, actor: Principal, owner: str, name: str, release_id: int, asset_id: int
    ) -> tuple[Path, str, int]:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            asset = await session.get(ReleaseAsset, asset_id)
            release = await session.get(Release, release_id)
            if (
                asset is None
                or release is None
                or asset.release_id != release_id
                or release.project_id != project.id
            ):
                raise NotFound(f"asset {asset_id}")
            asset.download_count += 1
            await session.commit()
            return self.assets_root / asset.storage_key, asset.name, asset.size

    # --- source archives ----------------------------------------------------------------

    async def archive(
        self, actor: Principal, owner: str, name: str, ref: str | None, fmt: str
    ) -> tuple[str, str, AsyncIterator[bytes]]:
        """(file name, content type, chunks) of ``git archive``, streamed from the child."""
        if fmt not in ARCHIVE_FORMATS:
            raise Invalid("format", "zip or tar.gz")
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
            pid, default, pname = project.id, project.default_branch, project.name

        def find() -> str:
            repo = self.store.open(pid)
            try:
                return g.resolve(repo, ref, default).id.decode()
            finally:
                repo.close()

        commit = await asyncio.to_thread(find)
        label = re.sub(r"[^A-Za-z0-9._-]", "-", ref or default)
        ext, ctype = ARCHIVE_FORMATS[fmt]
        prefix = f"{pname}-{label}"

        async def chunks() -> AsyncIterator[bytes]:
            proc = await asyncio.create_subprocess_exec(
                GIT, "archive", f"--format={ext}", f"--prefix={prefix}/", commit,
                cwd=self.store.path(pid), stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            assert proc.stdout is not None
            try:
                while chunk := await proc.stdout.read(64 * 1024):
                    yield chunk
            finally:
                if proc.returncode is None:
                    proc.kill()
                await proc.wait()

        return f"{prefix}.{ext}", ctype, chunks()
