"""Datasets (数据集): CRUD, files, favourites, downloads, archive previews and the picker.

A dataset lives in a project and has its own visibility: it is public only when both it and
its project are public, and otherwise follows the project's role rules (``permissions``).
Files are rows pointing at content-addressed objects (``objects``, reference counted), so
identical content is stored once whatever the number of datasets holding it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    delete,
    exists,
    false,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import aliased

from openi_lab import schemas as s

from ..db.dataset_models import Dataset, DatasetFavorite, DatasetFile, StoredObject, Upload
from ..db.models import Account, Project, utcnow
from ..storage import archive
from ..storage.objects import ObjectStore
from . import activity
from .accounts import user_out
from .errors import Conflict, Invalid, InvalidBody, NotFound
from .pagination import PageRequest, PageResult, paginate
from .permissions import resource_role, visible_owner_clause
from .principal import Principal
from .projects import ProjectService

#: ``await check(session, file_ids)`` → a description of who uses one of the files
#: ("used by training task OpenI/aiforge#train/resnet-1"), or None. Tasks and models add theirs.
UsageCheck = Callable[[AsyncSession, list[int]], Awaitable[str | None]]

Creator = aliased(Account, name="creator")
SCOPES = ("all", "mine", "public", "favorites")
TABS: tuple[str, ...] = ("project", "mine", "public", "favorites")


def effective_visibility() -> ColumnElement[str]:
    """SQL: ``public`` only when both the dataset and its project are public."""
    return case(
        (and_(Project.visibility == "public", Dataset.visibility == "public"), "public"),
        else_="private",
    )


def visible_dataset_clause(actor: Principal) -> ColumnElement[bool]:
    return visible_owner_clause(actor, Project.owner_id, effective_visibility())


def file_out(f: DatasetFile, d: Dataset, p: Project, creator: Account | None) -> s.DatasetFile:
    return s.DatasetFile(
        id=f.id,
        dataset_id=d.id,
        name=f.name,
        size=f.size,
        sha256=f.sha256,
        kind=f.kind,
        creator=user_out(creator) if creator else None,
        created_at=f.created_at,
        download_count=f.download_count,
        path=f"{p.full_name}/{d.name}/{f.name}",
    )


@dataclass(frozen=True)
class Download:
    storage_key: str
    name: str
    size: int
    sha256: str


class DatasetService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        store: ObjectStore,
    ):
        self.sessions = sessions
        self.projects = projects
        self.store = store
        self.usage_checks: list[UsageCheck] = []
        #: sha256 columns of other tables whose rows hold objects (model files): the garbage
        #: collector keeps an object any of them names
        self.object_holders: list[Any] = []

    # --- look-ups ------------------------------------------------------------------------

    async def resolve(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        dataset: str,
        need: s.Role = s.Role.read,
    ) -> tuple[Project, Dataset, s.Role]:
        """The project, the dataset and the actor's role on it; 404 when invisible."""
        project, _ = await self.projects.resolve(session, actor, owner, name, need)
        ds = await session.scalar(
            select(Dataset).where(
                Dataset.project_id == project.id, Dataset.lower_name == dataset.lower()
            )
        )
        if ds is None:
            raise NotFound(f"dataset '{owner}/{name}/{dataset}'")
        vis = (
            "public" if ds.visibility == "public" and project.visibility == "public" else "private"
        )
        role = await resource_role(session, actor, project.owner, vis)
        if role is None:
            raise NotFound(f"dataset '{owner}/{name}/{dataset}'")
        return project, ds, role

    async def _out(
        self, session: AsyncSession, actor: Principal, d: Dataset, p: Project, role: s.Role | None
    ) -> s.Dataset:
        creator = await session.get(Account, d.creator_id) if d.creator_id else None
        fav = await session.scalar(
            select(DatasetFavorite.id).where(
                DatasetFavorite.dataset_id == d.id, DatasetFavorite.user_id == actor.id
            )
        )
        return self._model(d, p, creator, fav is not None, role)

    @staticmethod
    def _model(
        d: Dataset, p: Project, creator: Account | None, fav: bool, role: s.Role | None
    ) -> s.Dataset:
        return s.Dataset(
            id=d.id,
            project=p.full_name,
            name=d.name,
            description=d.description,
            visibility=s.Visibility(d.visibility),
            creator=user_out(creator) if creator else None,
            created_at=d.created_at,
            updated_at=d.updated_at,
            num_files=d.num_files,
            total_size=d.total_size,
            favorite=fav,
            num_favorites=d.num_favorites,
            role=role,
        )

    def _list_stmt(self, actor: Principal) -> Any:
        fav = (
            exists()
            .where(DatasetFavorite.dataset_id == Dataset.id, DatasetFavorite.user_id == actor.id)
            .label("fav")
        )
        return (
            select(Dataset, Project, Creator, fav)
            .join(Project, Project.id == Dataset.project_id)
            .outerjoin(Creator, Creator.id == Dataset.creator_id)
            .where(visible_dataset_clause(actor))
            .order_by(Dataset.created_at.desc(), Dataset.id.desc())
        )

    async def _page(self, stmt: Any, req: PageRequest) -> PageResult:
        async with self.sessions() as session:
            page = await paginate(session, stmt, req)
        items = [self._model(d, p, c, bool(f), None) for d, p, c, f in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    # --- datasets ------------------------------------------------------------------------

    async def list_all(
        self, actor: Principal, scope: str, q: str | None, req: PageRequest
    ) -> PageResult:
        if scope not in SCOPES:
            raise Invalid("scope", f"one of {', '.join(SCOPES)}")
        stmt = self._list_stmt(actor)
        if scope == "mine":
            stmt = stmt.where(Dataset.creator_id == actor.id)
        elif scope == "public":
            stmt = stmt.where(effective_visibility() == "public")
        elif scope == "favorites":
            stmt = stmt.where(
                Dataset.id.in_(
                    select(DatasetFavorite.dataset_id).where(DatasetFavorite.user_id == actor.id)
                )
            )
        if q:
            like = f"%{q}%"
            stmt = stmt.where(or_(Dataset.name.ilike(like), Dataset.description.ilike(like)))
        return await self._page(stmt, req)

    async def list_project(
        self, actor: Principal, owner: str, name: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
        return await self._page(self._list_stmt(actor).where(Dataset.project_id == project.id), req)

    async def create(
        self, actor: Principal, owner: str, name: str, body: s.DatasetCreate
    ) -> s.Dataset:
        async with self.sessions() as session:
            project, role = await self.projects.resolve(session, actor, owner, name, s.Role.write)
            ds = Dataset(
                project_id=project.id,
                name=body.name,
                lower_name=body.name.lower(),
                description=body.description,
                visibility=body.visibility.value,
                creator_id=actor.id,
            )
            session.add(ds)
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(
                    f"dataset '{body.name}' exists in {owner}/{name}", [("name", "taken")]
                ) from exc
            return await self._out(session, actor, ds, project, role)

    async def get(self, actor: Principal, owner: str, name: str, dataset: str) -> s.Dataset:
        async with self.sessions() as session:
            project, ds, role = await self.resolve(session, actor, owner, name, dataset)
            return await self._out(session, actor, ds, project, role)

    async def update(
        self, actor: Principal, owner: str, name: str, dataset: str, body: s.DatasetUpdate
    ) -> s.Dataset:
        async with self.sessions() as session:
            project, ds, role = await self.resolve(
                session, actor, owner, name, dataset, s.Role.write
            )
            if body.name is not None:
                ds.name, ds.lower_name = body.name, body.name.lower()
            if body.description is not None:
                ds.description = body.description
            if body.visibility is not None:
                ds.visibility = body.visibility.value
            ds.updated_at = utcnow()
            try:
                await session.commit()
            except IntegrityError as exc:
                await session.rollback()
                raise Conflict(
                    f"dataset '{body.name}' exists in {owner}/{name}", [("name", "taken")]
                ) from exc
            return await self._out(session, actor, ds, project, role)

    async def _check_usage(self, session: AsyncSession, file_ids: list[int]) -> None:
        if not file_ids:
            return
        for check in self.usage_checks:
            used = await check(session, file_ids)
            if used:
                raise Conflict(used, [("file", used)])

    async def delete(self, actor: Principal, owner: str, name: str, dataset: str) -> None:
        """The dataset, its files (objects released) and its unfinished uploads."""
        async with self.sessions() as session:
            _, ds, _ = await self.resolve(session, actor, owner, name, dataset, s.Role.write)
            files = (
                await session.execute(
                    select(DatasetFile.id, DatasetFile.sha256).where(
                        DatasetFile.dataset_id == ds.id
                    )
                )
            ).all()
            await self._check_usage(session, [f.id for f in files])
            uploads = (
                await session.scalars(
                    select(Upload).where(Upload.dataset_id == ds.id, Upload.status == "active")
                )
            ).all()
            pending = [(u.id, u.storage_key, u.multipart_id) for u in uploads]
            await session.execute(delete(DatasetFile).where(DatasetFile.dataset_id == ds.id))
            keys = await self.release_objects(session, [f.sha256 for f in files])
            await session.delete(ds)
            await session.commit()
        await asyncio.to_thread(self._remove, keys, pending)

    def _remove(self, keys: list[str], pending: list[tuple[str, str, str | None]]) -> None:
        for key in keys:
            self.store.delete(key)
        for upload_id, key, multipart_id in pending:
            self.store.abort_upload(upload_id, key, multipart_id)

    async def favorite(
        self, actor: Principal, owner: str, name: str, dataset: str, on: bool
    ) -> s.Dataset:
        async with self.sessions() as session:
            project, ds, role = await self.resolve(session, actor, owner, name, dataset)
            mine = (DatasetFavorite.dataset_id == ds.id, DatasetFavorite.user_id == actor.id)
            have = await session.scalar(select(DatasetFavorite.id).where(*mine))
            if on and not have:
                session.add(DatasetFavorite(dataset_id=ds.id, user_id=actor.id))
                try:
                    await session.flush()
                except IntegrityError:  # a concurrent PUT won: already a favourite
                    await session.rollback()
                    return await self.get(actor, owner, name, dataset)
            elif not on and have:
                await session.execute(delete(DatasetFavorite).where(*mine))
            if on != bool(have):
                count = select(func.count()).where(DatasetFavorite.dataset_id == ds.id)
                await session.execute(
                    update(Dataset)
                    .where(Dataset.id == ds.id)
                    .values(num_favorites=count.scalar_subquery())
                )
            await session.commit()
            await session.refresh(ds)
            return await self._out(session, actor, ds, project, role)

    # --- files ---------------------------------------------------------------------------

    async def files(
        self, actor: Principal, owner: str, name: str, dataset: str, req: PageRequest
    ) -> PageResult:
        async with self.sessions() as session:
            project, ds, _ = await self.resolve(session, actor, owner, name, dataset)
            stmt: Any = (
                select(DatasetFile, Creator)
                .outerjoin(Creator, Creator.id == DatasetFile.creator_id)
                .where(DatasetFile.dataset_id == ds.id)
                .order_by(DatasetFile.created_at.desc(), DatasetFile.id.desc())
            )
            page = await paginate(session, stmt, req)
        items = [file_out(f, ds, project, c) for f, c in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    async def _file(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        dataset: str,
        file_id: int,
        need: s.Role = s.Role.read,
    ) -> tuple[Project, Dataset, DatasetFile]:
        project, ds, _ = await self.resolve(session, actor, owner, name, dataset, need)
        f = await session.get(DatasetFile, file_id)
        if f is None or f.dataset_id != ds.id:
            raise NotFound(f"file {file_id}")
        return project, ds, f

    async def delete_file(
        self, actor: Principal, owner: str, name: str, dataset: str, file_id: int
    ) -> None:
        async with self.sessions() as session:
            _, ds, f = await self._file(session, actor, owner, name, dataset, file_id, s.Role.write)
            await self._check_usage(session, [f.id])
            await session.execute(delete(DatasetFile).where(DatasetFile.id == f.id))
            await session.execute(
                update(Dataset)
                .where(Dataset.id == ds.id)
                .values(
                    num_files=Dataset.num_files - 1,
                    total_size=Dataset.total_size - f.size,
                    updated_at=utcnow(),
                )
            )
            keys = await self.release_objects(session, [f.sha256])
            await session.commit()
        await asyncio.to_thread(self._remove, keys, [])

    async def open_download(
        self,
        actor: Principal,
        owner: str,
        name: str,
        dataset: str,
        file_id: int,
    ) -> Download:
        async with self.sessions() as session:
            _, _, f = await self._file(session, actor, owner, name, dataset, file_id)
            key = await session.scalar(
                select(StoredObject.storage_key).where(StoredObject.sha256 == f.sha256)
            )
            if key is None:
                raise NotFound(f"file {file_id}")
            return Download(key, f.name, f.size, f.sha256)

    async def count_download(self, file_id: int) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(DatasetFile)
                .where(DatasetFile.id == file_id)
                .values(download_count=DatasetFile.download_count + 1)
            )
            await session.commit()

    async def _archive(
        self, actor: Principal, owner: str, name: str, dataset: str, file_id: int
    ) -> tuple[str, str]:
        async with self.sessions() as session:
            _, _, f = await self._file(session, actor, owner, name, dataset, file_id)
            if f.kind not in ("zip", "tar.gz"):
                raise Invalid("file_id", "only zip and tar.gz files have members")
            key = await session.scalar(
                select(StoredObject.storage_key).where(StoredObject.sha256 == f.sha256)
            )
        if key is None:
            raise NotFound(f"file {file_id}")
        return key, f.kind

    async def members(
        self,
        actor: Principal,
        owner: str,
        name: str,
        dataset: str,
        file_id: int,
        req: PageRequest,
    ) -> s.MemberList:
        key, kind = await self._archive(actor, owner, name, dataset, file_id)

        def run() -> archive.Listing:
            with self.store.open(key) as f:
                return archive.list_members(f, kind, req.page, req.per_page)

        try:
            listing = await asyncio.to_thread(run)
        except archive.ArchiveError as exc:
            raise InvalidBody(str(exc), [("file_id", exc.flag)]) from exc
        return s.MemberList(
            items=[s.MemberEntry.model_validate(m, from_attributes=True) for m in listing.items],
            total=listing.total,
            page=req.page,
            per_page=req.per_page,
            archive_flags=listing.archive_flags,
        )

    async def preview(
        self, actor: Principal, owner: str, name: str, dataset: str, file_id: int, member: str
    ) -> s.Preview:
        key, kind = await self._archive(actor, owner, name, dataset, file_id)

        def run() -> archive.PreviewData:
            with self.store.open(key) as f:
                return archive.preview_member(f, kind, member)

        try:
            data = await asyncio.to_thread(run)
        except archive.ArchiveError as exc:
            if exc.flag == "missing":
                raise NotFound(f"member '{member}'") from exc
            raise InvalidBody(str(exc), [("name", exc.flag)]) from exc
        return s.Preview.model_validate(data, from_attributes=True)

    # --- objects (shared with uploads) ---------------------------------------------------

    async def release_objects(self, session: AsyncSession, shas: list[str]) -> list[str]:
        """Drop one reference per sha; the storage keys now unreferenced (delete them after
        the commit)."""
        keys: list[str] = []
        for sha in shas:
            await session.execute(
                update(StoredObject)
                .where(StoredObject.sha256 == sha)
                .values(refcount=StoredObject.refcount - 1)
            )
            key = await session.scalar(
                select(StoredObject.storage_key).where(
                    StoredObject.sha256 == sha, StoredObject.refcount <= 0
                )
            )
            if key is not None:
                await session.execute(delete(StoredObject).where(StoredObject.sha256 == sha))
                keys.append(key)
        return keys

    async def collect_garbage(self, grace: timedelta = timedelta(minutes=10)) -> int:
        """Delete objects no dataset file refers to any more (e.g. after a project was deleted
        and the database cascaded its datasets away); run by the housekeeping loop."""
        cutoff = utcnow() - grace
        async with self.sessions() as session:
            orphans = (
                await session.execute(
                    select(StoredObject.sha256, StoredObject.storage_key).where(
                        StoredObject.created_at < cutoff,
                        ~select(DatasetFile.id)
                        .where(DatasetFile.sha256 == StoredObject.sha256)
                        .exists(),
                        *(
                            ~select(col).where(col == StoredObject.sha256).exists()
                            for col in self.object_holders
                        ),
                    )
                )
            ).all()
            if not orphans:
                return 0
            await session.execute(
                delete(StoredObject).where(StoredObject.sha256.in_([o.sha256 for o in orphans]))
            )
            await session.commit()
        await asyncio.to_thread(self._remove, [o.storage_key for o in orphans], [])
        return len(orphans)

    async def add_reference(self, session: AsyncSession, sha: str) -> bool:
        """One more reference to an existing object whose bytes are in the store; False
        when there is none (or its bytes are kept in its row: see ``adopt``)."""
        done = await session.execute(
            update(StoredObject)
            .where(StoredObject.sha256 == sha, StoredObject.content.is_(None))
            .values(refcount=StoredObject.refcount + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def adopt(self, session: AsyncSession, sha: str, key: str) -> bool:
        """One more reference to an object whose bytes are kept in its row (a small model
        file), which from now on has them at ``key`` (an upload's blob of the same content):
        every reader of a dataset file reads the store. False when there is no such object."""
        done = await session.execute(
            update(StoredObject)
            .where(StoredObject.sha256 == sha, StoredObject.content.is_not(None))
            .values(storage_key=key, content=None, refcount=StoredObject.refcount + 1)
        )
        return bool(done.rowcount)  # type: ignore[attr-defined]

    async def add_file(
        self,
        session: AsyncSession,
        ds_id: int,
        filename: str,
        size: int,
        sha: str,
        creator_id: int,
    ) -> DatasetFile:
        """The file row (the object's reference is the caller's business); 409 on its name."""
        taken = await session.scalar(
            select(DatasetFile.id).where(
                DatasetFile.dataset_id == ds_id, DatasetFile.name == filename
            )
        )
        if taken:
            raise Conflict(f"'{filename}' already exists in this dataset", [("filename", "taken")])
        f = DatasetFile(
            dataset_id=ds_id,
            name=filename,
            size=size,
            sha256=sha,
            kind=archive.kind_of(filename),
            creator_id=creator_id,
        )
        session.add(f)
        await session.flush()
        await session.execute(
            update(Dataset)
            .where(Dataset.id == ds_id)
            .values(
                num_files=Dataset.num_files + 1,
                total_size=Dataset.total_size + size,
                updated_at=utcnow(),
            )
        )
        ds = (
            await session.execute(
                select(Dataset.project_id, Dataset.name, Dataset.visibility).where(
                    Dataset.id == ds_id
                )
            )
        ).one()
        if ds.visibility == "public":  # a private dataset's files stay out of every feed
            activity.record_as(
                session, creator_id, ds.project_id, "dataset_uploaded",
                dataset=ds.name, file=filename,
            )  # fmt: skip
        return f

    async def file_by_id(self, actor: Principal, file_id: int) -> s.DatasetFile:
        """One file by id, when its dataset is visible to the actor (404 otherwise)."""
        async with self.sessions() as session:
            row = (
                await session.execute(
                    select(DatasetFile, Dataset, Project, Creator)
                    .join(Dataset, Dataset.id == DatasetFile.dataset_id)
                    .join(Project, Project.id == Dataset.project_id)
                    .outerjoin(Creator, Creator.id == DatasetFile.creator_id)
                    .where(DatasetFile.id == file_id, visible_dataset_clause(actor))
                )
            ).first()
        if row is None:
            raise NotFound(f"dataset file {file_id}")
        return file_out(*row)

    async def file_model(self, session: AsyncSession, file_id: int) -> s.DatasetFile | None:
        row = (
            await session.execute(
                select(DatasetFile, Dataset, Project, Creator)
                .join(Dataset, Dataset.id == DatasetFile.dataset_id)
                .join(Project, Project.id == Dataset.project_id)
                .outerjoin(Creator, Creator.id == DatasetFile.creator_id)
                .where(DatasetFile.id == file_id)
            )
        ).first()
        return file_out(*row) if row else None

    # --- picker --------------------------------------------------------------------------

    async def picker(
        self,
        actor: Principal,
        project: str | None,
        tab: str | None,
        q: str | None,
        req: PageRequest,
    ) -> s.PickerPage:
        """Dataset FILES to choose from, by tab; private datasets of others never appear."""
        if tab is not None and tab not in TABS:
            raise Invalid("tab", f"one of {', '.join(TABS)}")
        async with self.sessions() as session:
            project_id = None
            if project:
                owner, _, pname = project.partition("/")
                if not owner or not pname:
                    raise Invalid("project", "owner/name")
                p, _ = await self.projects.resolve(session, actor, owner, pname, s.Role.read)
                project_id = p.id
            base: Any = (
                select(DatasetFile, Dataset, Project, Creator.name)
                .join(Dataset, Dataset.id == DatasetFile.dataset_id)
                .join(Project, Project.id == Dataset.project_id)
                .outerjoin(Creator, Creator.id == DatasetFile.creator_id)
                .where(
                    visible_dataset_clause(actor),
                    or_(Dataset.visibility == "public", Dataset.creator_id == actor.id),
                )
            )
            if q:
                like = f"%{q}%"
                base = base.where(
                    or_(
                        DatasetFile.name.ilike(like),
                        Dataset.name.ilike(like),
                        Dataset.description.ilike(like),
                    )
                )
            favs = select(DatasetFavorite.dataset_id).where(DatasetFavorite.user_id == actor.id)
            tab_where: dict[str, ColumnElement[bool]] = {
                "project": Dataset.project_id == project_id if project_id is not None else false(),
                "mine": DatasetFile.creator_id == actor.id,
                "public": Dataset.visibility == "public",
                "favorites": Dataset.id.in_(favs),
            }
            counts = {}
            for name, where in tab_where.items():
                counts[name] = (
                    await session.scalar(
                        select(func.count()).select_from(base.where(where).subquery())
                    )
                    or 0
                )
            chosen = tab or next((t for t in TABS if counts[t]), "project")
            stmt = base.where(tab_where[chosen]).order_by(
                DatasetFile.created_at.desc(), DatasetFile.id.desc()
            )
            page = await paginate(session, stmt, req)
        rows = [
            s.PickerRow(
                file_id=f.id,
                file_name=f.name,
                size=f.size,
                sha256=f.sha256,
                kind=f.kind,
                created_at=f.created_at,
                dataset=d.name,
                dataset_id=d.id,
                project=p.full_name,
                path=f"{p.full_name}/{d.name}",
                creator=creator or "",
            )
            for f, d, p, creator in page.items
        ]
        return s.PickerPage(
            items=rows,
            total=page.total,
            page=page.page,
            per_page=page.per_page,
            tab=chosen,
            tab_counts=s.TabCounts(**counts),
        )
