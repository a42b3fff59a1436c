"""Model versions as the task side needs them: resolve a reference, materialise the files.

Kept apart from :mod:`.models` (the registry service) so that the tasks service and the
scheduler can use it without a cycle: it depends only on the database and the object store.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import shutil
import uuid
from pathlib import Path
from typing import IO, NamedTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab.model_schemas import SEMVER_RE

from ..compute.workdir import locked
from ..db.dataset_models import StoredObject
from ..db.model_models import ModelAlias, ModelFileRow, ModelVersion, RegisteredModel
from ..db.models import Account, Project
from ..storage.objects import ObjectStore
from .errors import Invalid, NotFound
from .permissions import resource_role
from .principal import Principal


def split_ref(ref: str) -> tuple[str, str, str, str]:
    """``owner/project/model[@version]`` → (owner, project, model, version or 'latest')."""
    path, _, version = ref.partition("@")
    parts = path.strip("/").split("/")
    if len(parts) != 3 or not all(parts):
        raise Invalid("ref", "use owner/project/model[@version|@alias] or a version id")
    return parts[0], parts[1], parts[2], version or "latest"


async def find_version(session: AsyncSession, model_id: int, ref: str) -> ModelVersion | None:
    """A version of a model by semver, alias or ``latest``."""
    if ref == "latest":
        return await session.scalar(
            select(ModelVersion)
            .where(ModelVersion.model_id == model_id)
            .order_by(
                ModelVersion.major.desc(), ModelVersion.minor.desc(), ModelVersion.patch.desc()
            )
            .limit(1)
        )
    if SEMVER_RE.match(ref):
        return await session.scalar(
            select(ModelVersion).where(
                ModelVersion.model_id == model_id, ModelVersion.version == ref
            )
        )
    return await session.scalar(
        select(ModelVersion)
        .join(ModelAlias, ModelAlias.version_id == ModelVersion.id)
        .where(ModelAlias.model_id == model_id, ModelAlias.alias == ref.lower())
    )


async def readable_version(
    session: AsyncSession, actor: Principal, ref: str | int
) -> tuple[ModelVersion, RegisteredModel, Project]:
    """The version a reference names, when the actor may read its project (404 otherwise)."""
    text = str(ref).strip()
    if text.isdigit():
        v = await session.get(ModelVersion, int(text))
        m = await session.get(RegisteredModel, v.model_id) if v else None
    else:
        owner, project_name, model_name, version = split_ref(text)
        m = await session.scalar(
            select(RegisteredModel)
            .join(Project, Project.id == RegisteredModel.project_id)
            .join(Account, Account.id == Project.owner_id)
            .where(
                Account.lower_name == owner.lower(),
                Project.lower_name == project_name.lower(),
                RegisteredModel.lower_name == model_name.lower(),
            )
        )
        v = await find_version(session, m.id, version) if m else None
    p = await session.get(Project, m.project_id) if m else None
    if v is None or m is None or p is None:
        raise NotFound(f"model version '{text}'")
    owner_acc = await session.get(Account, p.owner_id)
    assert owner_acc is not None
    if await resource_role(session, actor, owner_acc, p.visibility) is None:
        raise NotFound(f"model version '{text}'")
    return v, m, p


async def version_path(session: AsyncSession, version_id: int | None) -> str | None:
    """``owner/project/model@1.2.0`` of a version id (None when it is gone)."""
    if version_id is None:
        return None
    row = (
        await session.execute(
            select(Account.name, Project.name, RegisteredModel.name, ModelVersion.version)
            .join(RegisteredModel, RegisteredModel.id == ModelVersion.model_id)
            .join(Project, Project.id == RegisteredModel.project_id)
            .join(Account, Account.id == Project.owner_id)
            .where(ModelVersion.id == version_id)
        )
    ).first()
    return f"{row[0]}/{row[1]}/{row[2]}@{row[3]}" if row else None


def tree_hash(files: list[tuple[str, str]]) -> str:
    """One sha256 for a version's (path, sha256) list: the cache key of its files."""
    h = hashlib.sha256()
    for path, sha in sorted(files):
        h.update(f"{path}\0{sha}\n".encode())
    return h.hexdigest()


class StoredFile(NamedTuple):
    """A version's file and where its bytes are."""

    path: str
    size: int
    sha256: str
    storage_key: str
    #: its bytes are kept in the object's row (a small file), read one file at a time
    in_row: bool


#: the columns of a ``StoredFile``, in order (the file joined to its object)
STORED_FILE_COLUMNS = (
    ModelFileRow.path,
    ModelFileRow.size,
    ModelFileRow.sha256,
    StoredObject.storage_key,
    StoredObject.content.is_not(None),
)


def stored_files(version_id: int) -> Select[str, int, str, str, bool]:
    """The statement for a version's files as ``StoredFile`` rows, by path."""
    return (
        select(*STORED_FILE_COLUMNS)
        .join(StoredObject, StoredObject.sha256 == ModelFileRow.sha256)
        .where(ModelFileRow.version_id == version_id)
        .order_by(ModelFileRow.path)
    )


async def where_bytes(
    sessions: async_sessionmaker[AsyncSession], f: StoredFile
) -> tuple[bytes | None, str]:
    """A file's bytes when its object's row holds them, else None, and its storage key (a
    dataset upload of the same bytes may have moved row-held bytes to the store since)."""
    if not f.in_row:
        return None, f.storage_key
    async with sessions() as session:
        row = (
            await session.execute(
                select(StoredObject.content, StoredObject.storage_key).where(
                    StoredObject.sha256 == f.sha256
                )
            )
        ).first()
    if row is None:
        raise FileNotFoundError(f"object {f.sha256}")
    return row[0], row[1]


class RowReader:
    """Row-held bytes for a worker thread (a zip being streamed, a task's mount), read one
    file at a time on the event loop it was made on: a version may hold thousands of small
    files, which are never all in memory at once."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self.sessions = sessions
        self.loop = asyncio.get_running_loop()

    def open(self, objects: ObjectStore, f: StoredFile) -> IO[bytes]:
        """A file's bytes, from its row or from the object store (blocking: in a thread)."""
        if not f.in_row:  # no trip to the loop
            return objects.open(f.storage_key)
        content, key = asyncio.run_coroutine_threadsafe(
            where_bytes(self.sessions, f), self.loop
        ).result()
        return io.BytesIO(content) if content is not None else objects.open(key)


async def version_blobs(
    sessions: async_sessionmaker[AsyncSession], version_id: int
) -> list[StoredFile]:
    """Every file of a version, by path."""
    async with sessions() as session:
        rows = (await session.execute(stored_files(version_id))).all()
    return [StoredFile(*r) for r in rows]


def materialise_blobs(
    data_dir: Path, objects: ObjectStore, rows: RowReader, blobs: list[StoredFile]
) -> Path:
    """The files laid out ONCE per content under ``<data_dir>/model-cache/<tree hash>/``,
    read-only; concurrent tasks wait on a file lock, a half-written tree is never seen."""
    cache = Path(data_dir) / "model-cache"
    key = tree_hash([(f.path, f.sha256) for f in blobs])
    final = cache / key
    if final.is_dir():
        return final
    with locked(cache / f".{key}.lock"):
        if final.is_dir():
            return final
        tmp = cache / f".{key}.{uuid.uuid4().hex}.tmp"
        try:
            tmp.mkdir(parents=True)
            for blob in blobs:
                target = tmp.joinpath(*blob.path.split("/"))
                target.parent.mkdir(parents=True, exist_ok=True)
                with rows.open(objects, blob) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            for dirpath, _, filenames in os.walk(tmp):
                for f in filenames:
                    (Path(dirpath) / f).chmod(0o444)
                Path(dirpath).chmod(0o555)
            tmp.rename(final)
        except BaseException:
            for dirpath, _, _ in os.walk(tmp):
                Path(dirpath).chmod(0o755)
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    return final


async def materialise(
    sessions: async_sessionmaker[AsyncSession],
    objects: ObjectStore,
    data_dir: Path,
    version_id: int,
) -> Path:
    blobs = await version_blobs(sessions, version_id)
    if not blobs:
        raise NotFound(f"model version {version_id}")
    rows = RowReader(sessions)
    return await asyncio.to_thread(materialise_blobs, data_dir, objects, rows, blobs)


async def task_model_version(session: AsyncSession, actor: Principal, ref: str | int) -> int:
    """``TaskCreate.model_version`` → a version id the actor may read (422 otherwise)."""
    try:
        v, _, _ = await readable_version(session, actor, ref)
    except (NotFound, Invalid) as exc:
        raise Invalid("model_version", f"no model version '{ref}' you may use") from exc
    return v.id


def pin_commit(repo_path: Path, commit: str) -> str:
    """A commit (7–40 hex) of the repository → its full id, or 422 ``commit``."""
    from dulwich.objects import Commit
    from dulwich.repo import Repo

    text = commit.strip().lower()
    if not 7 <= len(text) <= 40 or any(c not in "0123456789abcdef" for c in text):
        raise Invalid("commit", "7 to 40 hexadecimal digits")
    repo = Repo(str(repo_path))
    try:
        if len(text) == 40:
            obj = repo[text.encode()] if text.encode() in repo.object_store else None
        else:
            matches = [sha for sha in repo.object_store if sha.decode().startswith(text)]
            obj = repo[matches[0]] if len(matches) == 1 else None
        if not isinstance(obj, Commit):
            raise Invalid("commit", f"no commit '{commit}' in the repository")
        return obj.id.decode()
    finally:
        repo.close()
