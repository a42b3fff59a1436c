"""The model registry (模型管理): models, versions with their lineage, aliases, downloads.

A version's files live in the object store, sha256-addressed and shared with datasets (one
blob per content, reference-counted in ``objects``). Its lineage is a snapshot of the training
task (commit, dataset file and sha256, image, spec, parameters) taken at import, and the task
and dataset file it names cannot be deleted while the version exists.

Version numbers: the model row is locked (an UPDATE as the transaction's first statement, which
also takes SQLite's write lock before anything is read), so concurrent imports of one model get
distinct numbers; the unique key on (model, version) stays the last word.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import zipfile
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, Any, NamedTuple, cast

from sqlalchemy import (
    Connection,
    Integer,
    String,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session, aliased

from openi_lab import model_schemas as ms
from openi_lab import schemas as s

from ..compute import workdir
from ..db.dataset_models import DatasetFile, StoredObject, Upload
from ..db.engine import SyncSessions, WouldBlock
from ..db.model_models import (
    ModelAlias,
    ModelAliasEvent,
    ModelFileRow,
    ModelVersion,
    ModelVersionTag,
    RegisteredModel,
)
from ..db.models import Account, Project, UTCDateTime, utcnow
from ..db.repo_models import Activity
from ..db.task_models import Task
from ..storage import archive
from ..storage.objects import ObjectStore
from . import activity, engines, model_store
from .accounts import user_out
from .datasets import DatasetService
from .errors import Conflict, Invalid, NotFound
from .pagination import PageRequest, PageResult, paginate
from .permissions import OwnerFacts, resource_role, resource_role_sync, visible_owner_clause
from .principal import Principal
from .projects import ProjectService
from .tasks import TaskService

Owner = aliased(Account, name="model_owner")
Creator = aliased(Account, name="model_creator")
Me = aliased(Account, name="me")
Latest = aliased(ModelVersion, name="latest_version")
LineageTask = aliased(Task, name="lineage_task")
#: a version's aliases and files (``:version_id``)
_VERSION_ALIASES = (
    select(ModelAlias.alias)
    .where(ModelAlias.version_id == bindparam("version_id", type_=Integer))
    .order_by(ModelAlias.alias)
)
_VERSION_FILES = (
    select(ModelFileRow.path, ModelFileRow.size, ModelFileRow.sha256)
    .where(ModelFileRow.version_id == bindparam("version_id", type_=Integer))
    .order_by(ModelFileRow.path)
)

_ORDER = (ModelVersion.major.desc(), ModelVersion.minor.desc(), ModelVersion.patch.desc())
#: lock model ``:model_id`` (its first write); None when it was dropped meanwhile
_LOCK_MODEL = (
    update(RegisteredModel)
    .where(RegisteredModel.id == bindparam("model_id", type_=Integer))
    .values(updated_at=bindparam("now", type_=UTCDateTime()))
    .returning(RegisteredModel.id)
)
#: its newest (major, minor, patch), read by a statement of its own after the lock: on
#: PostgreSQL a subquery of the locking UPDATE would see the data as of before it waited
#: for the lock, and miss the version whose import it waited for
_NEWEST = (
    select(ModelVersion.major, ModelVersion.minor, ModelVersion.patch)
    .where(ModelVersion.model_id == bindparam("model_id", type_=Integer))
    .order_by(*_ORDER)
    .limit(1)
)
#: how many versions of ``:model_id`` have tag ``:tag`` (one tag row each; from the index)
_TAG_COUNT = (
    select(func.count())
    .select_from(ModelVersionTag)
    .where(
        ModelVersionTag.model_id == bindparam("model_id", type_=Integer),
        ModelVersionTag.tag == bindparam("tag", type_=String),
    )
)
_VERSION_TAKEN = select(ModelVersion.id).where(
    ModelVersion.model_id == bindparam("model_id", type_=Integer),
    ModelVersion.version == bindparam("version", type_=String),
)
#: one version more for model ``:model_id`` (and ``:version_id`` its newest)
_COUNT_VERSION = (
    update(RegisteredModel)
    .where(RegisteredModel.id == bindparam("model_id", type_=Integer))
    .values(
        num_versions=RegisteredModel.num_versions + 1,
        updated_at=bindparam("now", type_=UTCDateTime()),
    )
)
_COUNT_VERSION_LATEST = _COUNT_VERSION.values(
    latest_version_id=bindparam("version_id", type_=Integer)
)
_ADD_REFERENCE = (
    update(StoredObject)
    .where(StoredObject.sha256 == bindparam("sha", type_=String))
    .values(refcount=StoredObject.refcount + 1)
)


@functools.cache
def _upsert_object(dialect: str) -> Any:
    """Insert an object (``:sha256``, ``:size``…) or, when its content is stored, count one
    reference more: built once per dialect."""
    ins = (sqlite if dialect == "sqlite" else postgresql).insert(StoredObject)
    return ins.on_conflict_do_update(
        index_elements=[StoredObject.sha256],
        set_={"refcount": StoredObject.refcount + 1},
    )


#: the columns a new version is inserted with (every one but the id)
_VERSION_COLUMNS = tuple(c.key for c in ModelVersion.__table__.columns if c.key != "id")
_INSERT_VERSION = insert(ModelVersion).returning(ModelVersion.id)
_INSERT_FILE = insert(ModelFileRow)
_INSERT_TAG = insert(ModelVersionTag)
_INSERT_ACTIVITY = insert(Activity)
#: the largest ``metrics.json`` read
MAX_METRICS_BYTES = 64 * 1024
#: the most an uploaded zip may expand to
MAX_MODEL_BYTES = 50 << 30
RETRIES = 40
#: names that would collide with the API's routes under ``…/models/``
RESERVED = frozenset({"upload", "upload-import"})


@contextlib.asynccontextmanager
async def scratch_dir() -> AsyncIterator[Path]:
    """A temporary directory made and removed in a thread: it may hold a large extracted
    archive, and deleting that must not stall the event loop."""
    tmp = await asyncio.to_thread(tempfile.mkdtemp, prefix="openi-model-")
    try:
        yield Path(tmp)
    finally:
        await asyncio.to_thread(shutil.rmtree, tmp, True)


#: bodies up to this size are hashed on the event loop (a thread hop costs more)
INLINE_HASH_BYTES = 256 * 1024
#: model files up to this size are kept in their object's row, not in the object store: a
#: small import creates no file (0.2-1 ms each on this VM's ext4) and leaves none behind
#: when refused
IN_ROW_BYTES = 64 * 1024
#: the most of one import's new content kept in rows (its first small files; the rest go to
#: the store): an import of many small files holds little in memory and in the write lock
IN_ROW_IMPORT_BYTES = 1 << 20
#: the most an import takes from memory on the event loop (``SyncSessions.blocking(inline=
#: True)``): all of it goes into rows, so the job touches no store
INLINE_JOB_BYTES = IN_ROW_BYTES


@dataclass
class Staged:
    """Files ready to become a version: (path, size, sha256), their bytes not yet stored
    (``pending``: a local file or the bytes themselves), and the blobs this import wrote."""

    files: list[tuple[str, int, str]]
    #: sha256 → storage key of the blobs this import stored (new content)
    written: dict[str, str] = field(default_factory=dict)
    #: sha256 → bytes of the new content kept in its object's row (small files)
    in_row: dict[str, bytes] = field(default_factory=dict)
    #: sha256 → where its bytes are, for the blobs the store may lack (checked by ``_register``)
    pending: dict[str, Path | bytes] = field(default_factory=dict)


def read_metrics(path: Path) -> dict[str, Any]:
    """A ``metrics.json`` object (numbers and short strings kept), ``{}`` when absent or bad."""
    try:
        if path.is_symlink() or path.stat().st_size > MAX_METRICS_BYTES:
            return {}
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict):
        return {}
    return {
        str(k)[:64]: v
        for k, v in data.items()
        if isinstance(v, int | float | bool) or (isinstance(v, str) and len(v) <= 256)
    }


def walk_outputs(root: Path) -> dict[str, Path]:
    """Regular files under a task's ``model/`` (links are never followed), by relative path."""
    found: dict[str, Path] = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if not (Path(dirpath) / d).is_symlink()]
        for f in filenames:
            p = Path(dirpath) / f
            if p.is_file() and not p.is_symlink():
                found[p.relative_to(root).as_posix()] = p
    return found


def sha256_file(path: Path) -> tuple[int, str]:
    h, size = hashlib.sha256(), 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
            size += len(chunk)
    return size, h.hexdigest()


#: where model blobs are kept in the object store
BLOB_PREFIX = "models"
#: how long bytes no row names are kept before ``sweep_blobs`` removes them
SWEEP_GRACE = timedelta(days=1)


def blob_key(sha: str) -> str:
    """Model blobs are addressed by content, so two imports of one file write one blob."""
    return f"{BLOB_PREFIX}/{sha[:2]}/{sha}"


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_CLOEXEC", 0)


def put_blob(objects: ObjectStore, key: str, local: Path | bytes) -> None:
    """Store a file (or bytes) under ``key``; on disk through a temporary name, so that a
    reader never sees half of it (two writers of one key write the same bytes)."""
    if not objects.is_local:
        if isinstance(local, bytes):
            objects.fs.pipe_file(objects.full(key), local)
        else:
            objects.put_file(key, local)
        return
    target = Path(objects.full(key))
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{id(local)}.tmp")
    try:
        if isinstance(local, bytes):
            _write_new(tmp, local)
        else:
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(local, tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)  # a full disk leaves no half-written temporary behind
        raise


def _write_new(path: Path, data: bytes) -> None:
    """Bytes to a new file with os-level calls (``open()`` adds an fstat and an ioctl to
    every file)."""
    try:
        fd = os.open(path, _NEW_FILE, 0o666)  # as open(): the umask decides
    except FileNotFoundError:  # the first blob of its prefix (one of 256)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, _NEW_FILE, 0o666)  # as open(): the umask decides
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


def iter_zip(
    objects: ObjectStore, rows: model_store.RowReader, files: list[model_store.StoredFile]
) -> Iterator[bytes]:
    """A zip of the files streamed in pieces; blocking, so iterate in a thread."""

    class Sink:
        def __init__(self) -> None:
            self.parts: list[bytes] = []
            self.pos = 0

        def write(self, b: bytes) -> int:
            self.parts.append(bytes(b))
            self.pos += len(b)
            return len(b)

        def tell(self) -> int:
            return self.pos

        def flush(self) -> None:
            pass

        def take(self) -> bytes:
            out, self.parts = b"".join(self.parts), []
            return out

    sink = Sink()
    with zipfile.ZipFile(cast(IO[bytes], sink), "w", zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for f in files:
            with (
                rows.open(objects, f) as src,
                zf.open(f.path, "w", force_zip64=True) as dst,
            ):
                while chunk := src.read(1 << 20):
                    dst.write(chunk)
                    if sink.parts:
                        yield sink.take()
            if sink.parts:
                yield sink.take()
    if sink.parts:
        yield sink.take()


def _tags(raw: str) -> list[str]:
    return raw.split()


#: :meth:`ModelService._found_stmt`'s columns: the project, its owner, the model …
_FOUND_COLUMNS: list[Any] = [
    Project.id, Project.name, Project.visibility,
    Account.id, Account.name, Account.kind, Account.visibility,
    RegisteredModel.id, RegisteredModel.name, RegisteredModel.num_versions,
]  # fmt: skip
#: … and the creator of a new version (account ``:me``), as ``s.User`` takes them
_ME_COLUMNS: list[Any] = [Me.id, Me.name, Me.full_name, Me.email, Me.is_admin, Me.created_at]


def _project_model_query(cols: list[Any], n_shas: int, me: bool = False) -> Any:
    """``cols`` of project ``:owner``/``:name`` (joined with its owner), its model
    ``:model`` if any and account ``:me`` if asked, then whether each of ``:h0``… is
    stored: the one shape of the registry's project look-ups."""
    stmt = (
        select(
            *cols,
            *(
                select(StoredObject.sha256)
                .where(StoredObject.sha256 == bindparam(f"h{i}", type_=String))
                .exists()
                for i in range(n_shas)
            ),
        )
        .select_from(Project)
        .join(Account, Account.id == Project.owner_id)
        .outerjoin(
            RegisteredModel,
            and_(
                RegisteredModel.project_id == Project.id,
                RegisteredModel.lower_name == bindparam("model", type_=String),
            ),
        )
    )
    if me:
        stmt = stmt.outerjoin(Me, Me.id == bindparam("me", type_=Integer))
    return stmt.where(
        Account.lower_name == bindparam("owner", type_=String),
        Project.lower_name == bindparam("name", type_=String),
    )


class ModelRef(NamedTuple):
    """A model's columns that the hot paths need (no ORM object)."""

    id: int
    name: str
    num_versions: int


@dataclass(slots=True)
class FoundModel:
    """A project and its model as the hot paths read them (a ``ProjectLike`` for the
    access rule): the project's columns, its owner's, the model's if it exists, which
    contents asked for are stored (``have``) and the actor's account (``me``) if asked."""

    id: int
    full_name: str
    visibility: str
    owner: OwnerFacts
    model: ModelRef | None
    have: set[str] = field(default_factory=set)
    me: s.User | None = None


class ModelService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        datasets: DatasetService,
        tasks: TaskService,
        objects: ObjectStore,
        data_dir: Path,
        db: SyncSessions,
    ):
        self.sessions = sessions
        #: the hot paths (get a version, list versions, import) run as one unit each
        self.db = db
        self.projects = projects
        self.datasets = datasets
        self.tasks = tasks
        self.objects = objects
        self.data_dir = Path(data_dir)
        tasks.delete_checks.append(self.task_usage)
        datasets.usage_checks.insert(0, self.dataset_usage)  # the lineage says the most
        datasets.object_holders.append(ModelFileRow.sha256)

    # --- lineage guards ------------------------------------------------------------------

    async def _user_of(self, session: AsyncSession, clause: Any) -> str | None:
        vid = await session.scalar(select(ModelVersion.id).where(clause).limit(1))
        path = await model_store.version_path(session, vid)
        if path is None:
            return None
        return f"used by model {path}; delete that version first"

    async def task_usage(self, session: AsyncSession, task_id: int) -> str | None:
        return await self._user_of(session, ModelVersion.task_id == task_id)

    async def dataset_usage(self, session: AsyncSession, file_ids: list[int]) -> str | None:
        return await self._user_of(session, ModelVersion.dataset_file_id.in_(file_ids))

    # --- look-ups ------------------------------------------------------------------------

    @staticmethod
    @functools.cache
    def _project_model_stmt(n_shas: int) -> Any:
        """The project (with its owner), its model ``:model`` if any, and whether each of
        ``:h0``… is stored; built once per number of contents (building a statement costs
        more than running it), the names are parameters ``:owner``, ``:name``."""
        return _project_model_query([Project, RegisteredModel], n_shas)

    @staticmethod
    def _project_model_params(owner: str, name: str, model: str, inline: list[str]) -> Any:
        params = {"owner": owner.lower(), "name": name.lower(), "model": model.lower()}
        params.update((f"h{i}", h) for i, h in enumerate(inline))
        return params

    async def _project_model(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        need: s.Role,
        shas: list[str] | None = None,
    ) -> tuple[Project, RegisteredModel | None, set[str]]:
        """The project (the rule of ``ProjectService.resolve``: 404 unless the actor may see
        it, 403 below ``need``), its model of that name if any, and which of ``shas`` the
        object store holds: one statement (a few contents are EXISTS columns)."""
        shas = shas or []
        inline = shas if len(shas) <= 16 else []
        row = (
            await session.execute(
                self._project_model_stmt(len(inline)),
                self._project_model_params(owner, name, model, inline),
            )
        ).first()
        project = row[0] if row else None
        await self.projects.authorize(session, actor, project, owner, name, need)
        assert row is not None and project is not None
        have = {h for h, hit in zip(inline, row[2:], strict=True) if hit}
        if len(shas) > len(inline):
            have = set(
                (
                    await session.scalars(
                        select(StoredObject.sha256).where(StoredObject.sha256.in_(shas))
                    )
                ).all()
            )
        return project, row[1], have

    @staticmethod
    @functools.cache
    def _found_stmt(n_shas: int, me: bool) -> Any:
        """:meth:`_project_model_stmt` as plain columns (loading a ``Project`` also joins
        its owner and its fork parent with that one's owner: 0.5 of a 0.6 ms read), with
        the columns of account ``:me`` (the creator of a new version) when asked."""
        return _project_model_query(_FOUND_COLUMNS + (_ME_COLUMNS if me else []), n_shas, me)

    def _project_model_sync(
        self,
        session: Session | Connection,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        need: s.Role,
        shas: list[str] | None = None,
        *,
        me: bool = False,
    ) -> FoundModel:
        """:meth:`_project_model` on a synchronous session (``self.db``), read as plain
        columns; ``me``: with the actor's account as a new version's creator."""
        shas = shas or []
        inline = shas if len(shas) <= 16 else []
        params = self._project_model_params(owner, name, model, inline)
        me = me and actor.id > 0
        if me:
            params["me"] = actor.id
        # on the connection: through the session a statement of ORM columns pays for the
        # ORM's compile and result machinery (0.43 vs 0.09 ms here)
        conn = session.connection() if isinstance(session, Session) else session
        row = conn.execute(self._found_stmt(len(inline), me), params).first()
        found = None
        if row is not None:
            found = FoundModel(
                id=row[0],
                full_name=f"{row[4]}/{row[1]}",
                visibility=row[2],
                owner=OwnerFacts(row[3], row[5], row[6]),
                model=ModelRef(row[7], row[8], row[9]) if row[7] is not None else None,
            )
        self.projects.authorize_sync(session, actor, found, owner, name, need)
        assert row is not None and found is not None
        extra = row[len(_FOUND_COLUMNS) :]
        if me and extra[0] is not None:
            found.me = s.User(
                id=extra[0], username=extra[1], full_name=extra[2], email=extra[3],
                avatar_url=None, is_admin=extra[4], created_at=extra[5],
            )  # fmt: skip
        hits = extra[len(_ME_COLUMNS) :] if me else extra
        found.have = {h for h, hit in zip(inline, hits, strict=True) if hit}
        if len(shas) > len(inline):
            found.have = set(
                session.scalars(
                    select(StoredObject.sha256).where(StoredObject.sha256.in_(shas))
                ).all()
            )
        return found

    async def _model(
        self,
        session: AsyncSession,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        need: s.Role = s.Role.read,
    ) -> tuple[Project, RegisteredModel]:
        project, m, _ = await self._project_model(session, actor, owner, name, model, need)
        if m is None:
            raise NotFound(f"model '{owner}/{name}/{model}'")
        return project, m

    async def _version(self, session: AsyncSession, m: RegisteredModel, ref: str) -> ModelVersion:
        v = await model_store.find_version(session, m.id, ref)
        if v is None:
            raise NotFound(f"version '{ref}' of model '{m.name}'")
        return v

    # --- output --------------------------------------------------------------------------

    async def _aliases(
        self, session: AsyncSession, model_ids: list[int]
    ) -> dict[int, dict[str, str]]:
        out: dict[int, dict[str, str]] = {i: {} for i in model_ids}
        if not model_ids:
            return out
        rows = await session.execute(
            select(ModelAlias.model_id, ModelAlias.alias, ModelVersion.version)
            .join(ModelVersion, ModelVersion.id == ModelAlias.version_id)
            .where(ModelAlias.model_id.in_(model_ids))
            .order_by(ModelAlias.alias)
        )
        for mid, alias, version in rows:
            out[mid][alias] = version
        return out

    @staticmethod
    def _aliases_sync(session: Session, model_id: int) -> dict[str, str]:
        """One model's aliases (alias → version) on a synchronous session."""
        rows = session.execute(
            select(ModelAlias.alias, ModelVersion.version)
            .join(ModelVersion, ModelVersion.id == ModelAlias.version_id)
            .where(ModelAlias.model_id == model_id)
            .order_by(ModelAlias.alias)
        )
        return {alias: version for alias, version in rows}

    def _version_out(
        self,
        v: ModelVersion,
        m: RegisteredModel | ModelRef,
        project: str,
        creator: Account | s.User | None,
        aliases: dict[str, str],
    ) -> ms.ModelVersion:
        lineage = json.loads(v.lineage or "{}")
        lineage.setdefault("project", project)
        return ms.ModelVersion(
            id=v.id,
            model=m.name,
            model_id=m.id,
            project=project,
            path=f"{project}/{m.name}@{v.version}",
            version=v.version,
            description=v.description,
            tags=_tags(v.tags),
            engine=v.engine,
            compute=v.compute,
            size=v.size,
            num_files=v.num_files,
            metrics=json.loads(v.metrics or "{}"),
            aliases=[a for a, ver in aliases.items() if ver == v.version],
            lineage=ms.Lineage.model_validate(lineage),
            creator=user_out(creator) if isinstance(creator, Account) else creator,
            created_at=v.created_at,
            download_count=v.download_count,
        )

    async def _detail(
        self, session: AsyncSession, project: Project, m: RegisteredModel, v: ModelVersion
    ) -> ms.ModelVersion:
        await session.refresh(v)
        creator = await session.get(Account, v.creator_id) if v.creator_id else None
        aliases = (await self._aliases(session, [m.id]))[m.id]
        out = self._version_out(v, m, project.full_name, creator, aliases)
        files = (
            await session.execute(
                select(ModelFileRow.path, ModelFileRow.size, ModelFileRow.sha256)
                .where(ModelFileRow.version_id == v.id)
                .order_by(ModelFileRow.path)
            )
        ).all()
        out.files = [ms.ModelFile(path=p, size=sz, sha256=sha) for p, sz, sha in files]
        if v.task_id is not None:
            t = await session.get(Task, v.task_id)
            if t is not None:
                out.lineage.task_status = s.TaskStatus(t.status)
        out.evaluations = await self._evaluations(session, v.id)
        return out

    @staticmethod
    @functools.cache
    def _evaluations_stmt() -> Any:
        """The evaluation tasks of version ``:version_id`` (newest 50) with their projects."""
        return (
            select(Task, Project.name, Owner.name)
            .join(Project, Project.id == Task.project_id)
            .join(Owner, Owner.id == Project.owner_id)
            .where(
                Task.model_version_id == bindparam("version_id", type_=Integer),
                Task.kind == "evaluation",
            )
            .order_by(Task.id.desc())
            .limit(50)
        )

    async def _evaluations(self, session: AsyncSession, version_id: int) -> list[ms.Evaluation]:
        rows = (await session.execute(self._evaluations_stmt(), {"version_id": version_id})).all()
        return await self._evaluations_out(rows)

    async def _evaluations_out(self, rows: Sequence[Any]) -> list[ms.Evaluation]:
        """(task, project name, owner name) rows → evaluations with their metrics (read in a
        thread)."""

        def read_all() -> list[dict[str, Any]]:
            return [
                read_metrics(workdir.task_dir(self.data_dir, t.id).model / "metrics.json")
                for t, _, _ in rows
            ]

        if not rows:
            return []
        metrics = await asyncio.to_thread(read_all)
        return [
            ms.Evaluation(
                task_id=t.id,
                task_name=t.name,
                project=f"{owner}/{pname}",
                status=s.TaskStatus(t.status),
                metrics=mt,
                created_at=t.created_at,
                finished_at=t.finished_at,
            )
            for (t, pname, owner), mt in zip(rows, metrics, strict=True)
        ]

    def _detail_sync(
        self,
        session: Session,
        project: Project,
        m: RegisteredModel,
        v: ModelVersion,
        creator: Account | None,
        task_status: str | None,
        has_aliases: bool,
        has_evaluations: bool,
    ) -> tuple[ms.ModelVersion, Sequence[Any]]:
        """:meth:`_detail` for a version read with its creator, its task's status and whether
        aliases or evaluations name it (:meth:`_version_stmt`): the files, and the aliases and
        evaluation rows only when there are some. → (the version, its evaluation rows for
        :meth:`_evaluations_out`)."""
        by_version = {"version_id": v.id}
        aliases = (
            {a: v.version for a in session.scalars(_VERSION_ALIASES, by_version)}
            if has_aliases
            else {}
        )
        out = self._version_out(v, m, project.full_name, creator, aliases)
        files = session.execute(_VERSION_FILES, by_version).all()
        out.files = [ms.ModelFile(path=p, size=sz, sha256=sha) for p, sz, sha in files]
        if task_status is not None:
            out.lineage.task_status = s.TaskStatus(task_status)
        evaluations = (
            session.execute(self._evaluations_stmt(), by_version).all() if has_evaluations else []
        )
        return out, evaluations

    @staticmethod
    @functools.cache
    def _version_stmt(shape: str) -> Any:
        """A version with its model, project (and owner), creator, its lineage task's status
        and whether an alias or an evaluation names it, by ``shape``: ``id`` (``:id``), or
        ``:owner``/``:project``/``:model`` and ``latest``, ``semver`` or ``alias``
        (``:version``). Built once per shape: the values are parameters."""
        has_aliases = (
            select(ModelAlias.id)
            .where(ModelAlias.version_id == ModelVersion.id)
            .correlate(ModelVersion)
        )
        has_evaluations = (
            select(Task.id)
            .where(Task.model_version_id == ModelVersion.id, Task.kind == "evaluation")
            .correlate(ModelVersion)
        )
        stmt = (
            select(
                ModelVersion,
                RegisteredModel,
                Project,
                Creator,
                LineageTask.status,
                has_aliases.exists(),
                has_evaluations.exists(),
            )
            .join(RegisteredModel, RegisteredModel.id == ModelVersion.model_id)
            .join(Project, Project.id == RegisteredModel.project_id)
            .outerjoin(Creator, Creator.id == ModelVersion.creator_id)
            .outerjoin(LineageTask, LineageTask.id == ModelVersion.task_id)
        )
        if shape == "id":
            return stmt.where(ModelVersion.id == bindparam("id", type_=Integer))
        stmt = stmt.join(Owner, Owner.id == Project.owner_id).where(
            Owner.lower_name == bindparam("owner", type_=String),
            Project.lower_name == bindparam("project", type_=String),
            RegisteredModel.lower_name == bindparam("model", type_=String),
        )
        version = bindparam("version", type_=String)
        if shape == "latest":  # kept by every change of versions: no sort
            return stmt.where(ModelVersion.id == RegisteredModel.latest_version_id)
        if shape == "semver":
            return stmt.where(ModelVersion.version == version)
        return stmt.join(
            ModelAlias,
            and_(
                ModelAlias.version_id == ModelVersion.id,
                ModelAlias.model_id == RegisteredModel.id,
                ModelAlias.alias == version,
            ),
        )

    def _model_out(
        self,
        m: RegisteredModel,
        project: str,
        latest: ModelVersion | None,
        creator: Account | None,
        aliases: dict[str, str],
    ) -> ms.Model:
        lv = self._version_out(latest, m, project, None, aliases) if latest else None
        return ms.Model(
            id=m.id,
            project=project,
            name=m.name,
            description=latest.description if latest else "",
            num_versions=m.num_versions,
            latest=lv,
            size=latest.size if latest else 0,
            engine=(latest.engine if latest else "unknown"),
            compute=latest.compute if latest else None,
            aliases=aliases,
            creator=user_out(creator) if isinstance(creator, Account) else creator,
            created_at=m.created_at,
            updated_at=m.updated_at,
        )

    # --- lists ---------------------------------------------------------------------------

    async def list_models(
        self,
        actor: Principal,
        req: PageRequest,
        owner: str | None = None,
        name: str | None = None,
        q: str | None = None,
        tag: str | None = None,
        engine: str | None = None,
    ) -> PageResult:
        """Models of one project, or of every project the actor may read; newest first."""
        async with self.sessions() as session:
            stmt = (
                select(RegisteredModel, Project, Owner, Latest, Creator)
                .join(Project, Project.id == RegisteredModel.project_id)
                .join(Owner, Owner.id == Project.owner_id)
                .outerjoin(Latest, Latest.id == RegisteredModel.latest_version_id)
                .outerjoin(Creator, Creator.id == RegisteredModel.creator_id)
            )
            if owner is not None and name is not None:
                project, _ = await self.projects.resolve(session, actor, owner, name, s.Role.read)
                stmt = stmt.where(RegisteredModel.project_id == project.id)
            else:
                stmt = stmt.where(visible_owner_clause(actor, Project.owner_id, Project.visibility))
            if q:
                like = f"%{q}%"
                stmt = stmt.where(
                    or_(RegisteredModel.name.ilike(like), Latest.description.ilike(like))
                )
            if tag:
                stmt = stmt.where(
                    select(ModelVersionTag.id)
                    .where(
                        ModelVersionTag.model_id == RegisteredModel.id,
                        ModelVersionTag.tag == tag,
                    )
                    .exists()
                )
            if engine:
                stmt = stmt.where(Latest.engine == engine)
            stmt = stmt.order_by(RegisteredModel.updated_at.desc(), RegisteredModel.id.desc())
            page = await paginate(session, stmt, req)  # type: ignore[arg-type]
            aliases = await self._aliases(session, [row[0].id for row in page.items])
        items = [
            self._model_out(m, f"{o.name}/{p.name}", lv, c, aliases[m.id])
            for m, p, o, lv, c in page.items
        ]
        return PageResult(items, page.total, page.page, page.per_page)

    async def get_model(self, actor: Principal, owner: str, name: str, model: str) -> ms.Model:
        async with self.sessions() as session:
            project, m = await self._model(session, actor, owner, name, model)
            latest = (
                await session.get(ModelVersion, m.latest_version_id)
                if m.latest_version_id
                else None
            )
            creator = await session.get(Account, m.creator_id) if m.creator_id else None
            aliases = (await self._aliases(session, [m.id]))[m.id]
            return self._model_out(m, project.full_name, latest, creator, aliases)

    async def list_versions(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        req: PageRequest,
        tag: str | None = None,
    ) -> PageResult:
        """One page of versions, newest first, as one read-only unit: the model (and the
        permission), for a tag how many versions have it (the tag's index rows), then the
        page: its ids from the indexes alone (a deferred join: whole rows are read for the
        page only), with creators and how many aliases name each; the aliases are read only
        when one does. Without a tag the total is the model's count of versions."""
        return await self.db.read(
            lambda session: self._list_versions(session, actor, owner, name, model, req, tag)
        )

    def _list_versions(
        self,
        session: Session,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        req: PageRequest,
        tag: str | None,
    ) -> PageResult:
        found = self._project_model_sync(session, actor, owner, name, model, s.Role.read)
        m = found.model
        if m is None:
            raise NotFound(f"model '{owner}/{name}/{model}'")
        params = {
            "model_id": m.id,
            "tag": tag,
            "limit": req.per_page,
            "offset": (req.page - 1) * req.per_page,
        }
        if not tag:  # every version, in the order of the semver index
            count, shape = m.num_versions, "all"
        else:
            count = int(session.scalar(_TAG_COUNT, params) or 0)
            # a common tag: walk the versions in order, each checked in the tag index, until
            # the page is full (≈ page end × versions / matches rows); a rare one: sort its
            # matches (≈ matches rows)
            walk = (req.page * req.per_page) * m.num_versions < count * count
            shape = "walk" if walk else "matches"
        rows = session.execute(self._versions_page_stmt(shape), params).all() if count else []
        aliases = self._aliases_sync(session, m.id) if any(r[2] for r in rows) else {}
        items = [self._version_out(v, m, found.full_name, c, aliases) for v, c, _ in rows]
        return PageResult(items, count, req.page, req.per_page)

    @staticmethod
    @functools.cache
    def _versions_page_stmt(shape: str) -> Any:
        """One page (``:limit``, ``:offset``) of the versions of ``:model_id`` with their
        creators and how many aliases name each, newest first: ``all`` of them, or those with
        tag ``:tag`` found by walking the semver index (``walk``) or from the tag's index
        rows (``matches``). The page's ids come from the indexes alone (a deferred join:
        whole rows are read for the page only). Built once per shape."""
        model_id = bindparam("model_id", type_=Integer)
        tag = bindparam("tag", type_=String)
        ids = select(ModelVersion.id).where(ModelVersion.model_id == model_id)
        if shape == "walk":
            ids = ids.where(
                select(ModelVersionTag.id)
                .where(
                    ModelVersionTag.model_id == model_id,
                    ModelVersionTag.tag == tag,
                    ModelVersionTag.version_id == ModelVersion.id,
                )
                .correlate(ModelVersion)
                .exists()
            )
        elif shape == "matches":
            ids = ids.join(
                ModelVersionTag,
                (ModelVersionTag.version_id == ModelVersion.id)
                & (ModelVersionTag.model_id == model_id)
                & (ModelVersionTag.tag == tag),
            )
        page_ids = (
            ids.order_by(*_ORDER)
            .limit(bindparam("limit", type_=Integer))
            .offset(bindparam("offset", type_=Integer))
        ).subquery()
        n_aliases = (
            select(func.count())
            .where(ModelAlias.version_id == ModelVersion.id)
            .correlate(ModelVersion)
            .scalar_subquery()
        )
        return (
            select(ModelVersion, Creator, n_aliases)
            .join(page_ids, page_ids.c.id == ModelVersion.id)
            .outerjoin(Creator, Creator.id == ModelVersion.creator_id)
            .order_by(*_ORDER)
        )

    async def get_version(
        self, actor: Principal, owner: str, name: str, model: str, version: str
    ) -> ms.ModelVersion:
        async with self.sessions() as session:
            project, m = await self._model(session, actor, owner, name, model)
            v = await self._version(session, m, version)
            return await self._detail(session, project, m, v)

    async def resolve(self, actor: Principal, ref: str | int) -> ms.ModelVersion:
        """A version by ``owner/project/model[@version|@alias]`` or id (404 unless readable):
        one unit of database work (the version with all it names in one statement, then its
        files), evaluations' metrics read in a thread only when there are some."""
        out, evaluations = await self.db.read(lambda session: self._resolve(session, actor, ref))
        out.evaluations = await self._evaluations_out(evaluations)
        return out

    def _resolve(
        self, session: Session, actor: Principal, ref: str | int
    ) -> tuple[ms.ModelVersion, Sequence[Any]]:
        text = str(ref).strip()
        params: dict[str, Any]
        if text.isdigit():
            shape, params = "id", {"id": int(text)}
        else:
            owner, project_name, model_name, version = model_store.split_ref(text)
            params = {
                "owner": owner.lower(),
                "project": project_name.lower(),
                "model": model_name.lower(),
                "version": version.lower(),
            }
            if version == "latest":
                shape = "latest"
            elif ms.SEMVER_RE.match(version):
                shape, params["version"] = "semver", version
            else:
                shape = "alias"
        stmt = self._version_stmt(shape)
        row = session.execute(stmt, params).first()
        if row is None:
            raise NotFound(f"model version '{text}'")
        v, m, p, creator, task_status, has_aliases, has_evaluations = row
        if resource_role_sync(session, actor, p.owner, p.visibility) is None:
            raise NotFound(f"model version '{text}'")
        return self._detail_sync(
            session, p, m, v, creator, task_status, has_aliases, has_evaluations
        )

    # --- import --------------------------------------------------------------------------

    async def _readable_task(self, session: AsyncSession, actor: Principal, task_id: int) -> Task:
        t = await session.get(Task, task_id)
        p = await session.get(Project, t.project_id) if t else None
        owner = await session.get(Account, p.owner_id) if p else None
        if t is None or p is None or owner is None:
            raise NotFound(f"task {task_id}")
        if await resource_role(session, actor, owner, p.visibility) is None:
            raise NotFound(f"task {task_id}")
        return t

    async def _lineage(self, session: AsyncSession, t: Task) -> dict[str, Any]:
        p = await session.get(Project, t.project_id)
        assert p is not None
        await session.refresh(p, ["owner"])
        ds_path = ds_sha = None
        if t.dataset_file_id is not None:
            f = await self.datasets.file_model(session, t.dataset_file_id)
            if f is not None:
                ds_path, ds_sha = f.path, f.sha256
        return {
            "task_id": t.id,
            "task_name": t.name,
            "task_kind": t.kind,
            "project": p.full_name,
            "branch": t.branch,
            "commit": t.commit_id or None,
            "boot_file": t.boot_file,
            "image": t.image,
            "spec": t.spec_id,
            "compute": t.compute,
            "params": json.loads(t.params or "[]"),
            "dataset_file_id": t.dataset_file_id,
            "dataset_path": ds_path,
            "dataset_sha256": ds_sha,
            "source": "task",
            "snapshot_sha256": getattr(t, "snapshot_sha256", None),
            "snapshot_name": getattr(t, "snapshot_name", None),
        }

    async def import_from_task(
        self,
        actor: Principal,
        owner: str,
        name: str,
        body: ms.ModelImport,
        model: str | None = None,
    ) -> ms.ModelVersion:
        """导入新模型 (``model`` None) or 创建新版本 of ``model``, from a training task."""
        async with self.sessions() as session:
            await self.projects.resolve(session, actor, owner, name, s.Role.write)
            if model is not None:
                await self._model(session, actor, owner, name, model, s.Role.write)
            t = await self._readable_task(session, actor, body.task_id)
            if t.kind != "train":
                raise Invalid("task_id", f"task {t.name} is a {t.kind} task, not a training task")
            if t.status != "SUCCEEDED":
                raise Invalid("task_id", f"task {t.name} has not succeeded ({t.status})")
            lineage = await self._lineage(session, t)
            task_id, task_name, compute, task_status = t.id, t.name, t.compute, t.status
            dataset_file_id = t.dataset_file_id
        root = workdir.task_dir(self.data_dir, task_id).model
        outputs = await asyncio.to_thread(walk_outputs, root)
        chosen = sorted(outputs) if body.files is None else list(dict.fromkeys(body.files))
        missing = [f for f in chosen if f not in outputs]
        if missing:
            raise Invalid("files", f"'{missing[0]}' is not an output of task {task_name}")
        if not chosen:
            raise Invalid("files", f"task {task_name} wrote no files to its model directory")
        metrics = await asyncio.to_thread(read_metrics, root / "metrics.json")
        staged = await self._stage_local([(p, outputs[p]) for p in chosen])
        return await self._register(
            actor,
            owner,
            name,
            model or body.name or task_name,
            body.version,
            body.tags,
            body.description,
            staged,
            lineage=lineage,
            metrics=metrics,
            compute=compute,
            task_id=task_id,
            dataset_file_id=dataset_file_id,
            source="task",
            task_status=task_status,
        )

    async def import_upload(
        self, actor: Principal, owner: str, name: str, body: ms.ModelUploadImport
    ) -> ms.ModelVersion:
        """A version from a completed upload or a dataset file; a ``.zip`` is expanded."""
        async with self.sessions() as session:
            await self.projects.resolve(session, actor, owner, name, s.Role.write)
            if body.upload_id is not None:
                u = await session.scalar(
                    select(Upload).where(Upload.id == body.upload_id, Upload.user_id == actor.id)
                )
                if u is None or u.status != "completed" or u.file_id is None:
                    raise Invalid("upload_id", "no completed upload of yours with this id")
                file_id = u.file_id
                field_name = "upload_id"
            else:
                assert body.dataset_file is not None
                file_id, field_name = body.dataset_file, "dataset_file"
        try:
            f = await self.datasets.file_by_id(actor, file_id)
        except NotFound as exc:
            raise Invalid(field_name, f"no dataset file {file_id} you may read") from exc
        async with self.sessions() as session:
            key = await session.scalar(
                select(StoredObject.storage_key).where(StoredObject.sha256 == f.sha256)
            )
        if key is None:
            raise Invalid(field_name, "the file's bytes are gone")
        lineage = {"project": f"{owner}/{name}", "source": "upload"}
        async with contextlib.AsyncExitStack() as stack:  # extracted files live until stored
            if f.name.lower().endswith(".zip"):
                tmp = await stack.enter_async_context(scratch_dir())
                src = tmp / "upload.zip"

                def fetch() -> None:
                    with self.objects.open(key) as r, open(src, "wb") as w:
                        shutil.copyfileobj(r, w, 1 << 20)

                await asyncio.to_thread(fetch)
                staged = await self._stage_archive(src, tmp / "x")
            else:
                staged = Staged(files=[(f.name, f.size, f.sha256)])
            return await self._register(
                actor, owner, name, body.name, body.version, body.tags, body.description, staged,
                lineage=lineage, metrics={}, compute=None, task_id=None, dataset_file_id=None,
                source="upload",
            )  # fmt: skip
        raise AssertionError("unreachable")  # pragma: no cover

    async def import_file(
        self,
        actor: Principal,
        owner: str,
        name: str,
        local: Path,
        filename: str,
        model: str,
        version: str | None,
        tags: str,
        description: str,
        source: str = "upload",
    ) -> ms.ModelVersion:
        """A version from one local file (a raw upload, or a notebook's): a zip is expanded."""
        async with self.sessions() as session:  # 403/404 before any expanding or hashing
            await self.projects.resolve(session, actor, owner, name, s.Role.write)
        async with contextlib.AsyncExitStack() as stack:  # extracted files live until stored
            if filename.lower().endswith(".zip"):
                tmp = await stack.enter_async_context(scratch_dir())
                staged = await self._stage_archive(local, tmp / "x")
            else:
                staged = await self._stage_local([(filename, local)])
            return await self._register(
                actor, owner, name, model, version, tags, description, staged,
                lineage={"project": f"{owner}/{name}", "source": source}, metrics={},
                compute=None, task_id=None, dataset_file_id=None, source=source,
            )  # fmt: skip
        raise AssertionError("unreachable")  # pragma: no cover

    async def import_bytes(
        self,
        actor: Principal,
        owner: str,
        name: str,
        data: bytes,
        filename: str,
        model: str,
        version: str | None,
        tags: str,
        description: str,
        source: str = "upload",
    ) -> ms.ModelVersion:
        """A version of one file held in memory (a raw upload that is not a zip): hashed
        without a temporary file; ``_register`` checks the project before storing anything."""
        if len(data) <= INLINE_HASH_BYTES:
            sha = hashlib.sha256(data).hexdigest()
        else:
            sha = await asyncio.to_thread(lambda: hashlib.sha256(data).hexdigest())
        staged = Staged(files=[(filename, len(data), sha)], pending={sha: data})
        return await self._register(
            actor, owner, name, model, version, tags, description, staged,
            lineage={"project": f"{owner}/{name}", "source": source}, metrics={},
            compute=None, task_id=None, dataset_file_id=None, source=source,
        )  # fmt: skip

    async def _stage_archive(self, src: Path, dest: Path) -> Staged:
        try:
            names = await asyncio.to_thread(
                archive.safe_extract, src, dest, max_total_bytes=MAX_MODEL_BYTES
            )
        except archive.ArchiveError as exc:
            raise Invalid("upload", str(exc)) from exc
        files = [(n, dest / n) for n in sorted(names) if (dest / n).is_file()]
        if not files:
            raise Invalid("upload", "the archive holds no files")
        return await self._stage_local(files)

    async def _stage_local(self, files: list[tuple[str, Path]]) -> Staged:
        """Hash the files (in one thread); ``_register`` stores the blobs the store lacks."""

        def hash_all() -> list[tuple[str, int, str]]:
            return [(path, *sha256_file(local)) for path, local in files]

        hashed = await asyncio.to_thread(hash_all)
        pending: dict[str, Path | bytes] = {}
        for (_, _, sha), (_, local) in zip(hashed, files, strict=True):
            pending.setdefault(sha, local)
        return Staged(files=hashed, pending=pending)

    def _store_blobs(self, staged: Staged, blobs: dict[str, Path | bytes]) -> None:
        """Store new content (blocking): files up to ``IN_ROW_BYTES`` go into their object's
        row with the version (``staged.in_row``), bigger ones into the object store."""
        sizes = {sha: size for _, size, sha in staged.files}
        room = IN_ROW_IMPORT_BYTES - sum(map(len, staged.in_row.values()))
        for sha, src in blobs.items():
            key = staged.written[sha] = blob_key(sha)
            if sha in staged.in_row:  # kept by an earlier attempt of this import
                continue
            if sizes[sha] <= min(IN_ROW_BYTES, room):
                staged.in_row[sha] = src if isinstance(src, bytes) else Path(src).read_bytes()
                room -= sizes[sha]
            else:
                put_blob(self.objects, key, src)

    @staticmethod
    def _reference(conn: Connection, staged: Staged) -> None:
        """One reference per file to its object: one statement each. Content this import
        wrote is inserted or, when the same content arrived meanwhile, counted (an upsert);
        content it found stored is counted, and a conflict when it vanished since."""
        sizes = {sha: size for _, size, sha in staged.files}
        dialect = conn.dialect.name

        def add_reference(sha: str) -> bool:  # ``DatasetService.add_reference``
            return bool(conn.execute(_ADD_REFERENCE, {"sha": sha}).rowcount)

        for _, _, sha in staged.files:
            key = staged.written.get(sha)
            if key is None:
                if add_reference(sha):
                    continue
                raise Conflict("a file's stored bytes vanished during the import; try again")
            row = {
                "sha256": sha,
                "size": sizes[sha],
                "storage_key": key,
                "refcount": 1,
                "content": staged.in_row.get(sha),
                "created_at": utcnow(),
            }
            if dialect in ("sqlite", "postgresql"):
                conn.execute(_upsert_object(dialect), row)
                continue
            if add_reference(sha):  # other databases
                continue
            try:
                with conn.begin_nested():
                    conn.execute(insert(StoredObject), row)
            except IntegrityError:  # the same content arrived meanwhile
                add_reference(sha)

    def _model_id(self, project_id: int, model: str, actor: Principal) -> tuple[int, str]:
        """The model's id and name, created when new (its own short transaction); blocking,
        for a job of ``self.db.blocking``."""

        def find(session: Session) -> Any:
            return session.execute(
                select(RegisteredModel.id, RegisteredModel.name).where(
                    RegisteredModel.project_id == project_id,
                    RegisteredModel.lower_name == model.lower(),
                )
            ).first()

        def create(session: Session) -> tuple[int, str] | None:
            m = RegisteredModel(
                project_id=project_id,
                name=model,
                lower_name=model.lower(),
                creator_id=actor.id if actor.id > 0 else None,
                num_versions=0,
            )
            session.add(m)
            try:
                session.commit()
            except IntegrityError:  # made by another import meanwhile
                session.rollback()
                return None
            return m.id, m.name

        for _ in range(RETRIES):
            found = self.db.call(find)
            if found is not None:
                return int(found[0]), str(found[1])
            try:
                made = self.db.call(create)
            except OperationalError:  # the database stayed locked (or PostgreSQL gave up)
                self.db.pause(0.01)
                continue
            if made is not None:
                return made
        raise Conflict(f"could not create model '{model}'; try again")

    def _drop_if_empty(self, model_id: int) -> None:
        """A model created for an import that then failed goes again (no empty models);
        blocking, for a job of ``self.db.blocking``."""

        def drop(session: Session) -> None:
            session.execute(
                delete(RegisteredModel).where(
                    RegisteredModel.id == model_id,
                    ~select(ModelVersion.id).where(ModelVersion.model_id == model_id).exists(),
                )
            )
            session.commit()

        self.db.call(drop)

    async def _refresh_model(self, session: AsyncSession, model_id: int) -> int:
        """Recount a model's versions and point at its newest; → the number left."""
        count = int(
            await session.scalar(
                select(func.count())
                .select_from(ModelVersion)
                .where(ModelVersion.model_id == model_id)
            )
            or 0
        )
        latest = await model_store.find_version(session, model_id, "latest")
        await session.execute(
            update(RegisteredModel)
            .where(RegisteredModel.id == model_id)
            .values(
                num_versions=count,
                latest_version_id=latest.id if latest else None,
                updated_at=utcnow(),
            )
        )
        return count

    async def _register(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        version: str | None,
        tags: str,
        description: str,
        staged: Staged,
        *,
        lineage: dict[str, Any],
        metrics: dict[str, Any],
        compute: str | None,
        task_id: int | None,
        dataset_file_id: int | None,
        source: str,
        task_status: str | None = None,
    ) -> ms.ModelVersion:
        """The new version, in three steps: one read-only unit (project and permission, the
        model, which of the pending blobs are stored already, the creator), the missing
        blobs written (outside any transaction), then one short write transaction; the
        answer is built from what is in hand, not read back. The steps run as one blocking
        job (``self.db``): on SQLite one thread hop for the whole import."""

        def read(conn: Connection) -> FoundModel:
            found = self._project_model_sync(
                conn, actor, owner, name, model, s.Role.write, sorted(staged.pending), me=True
            )
            if not re.match(ms.MODEL_NAME_PATTERN, model):  # 404/403 first, as always
                raise Invalid("name", "use 1-64 letters, digits, '_', '-' or '.'")
            if model.lower() in RESERVED:
                raise Invalid("name", f"'{model}' is reserved")
            return found

        #: the models the import's attempts used (one made for it goes again if it fails)
        used: set[int] = set()

        def job() -> ms.ModelVersion:
            try:
                return attempt()
            except WouldBlock:
                raise  # it runs again in a thread: that attempt decides
            except BaseException:
                for model_id in used:
                    self._drop_if_empty(model_id)
                raise

        def attempt() -> ms.ModelVersion:
            found = self.db.call_on_connection(read)
            project_id, project_path, creator = found.id, found.full_name, found.me
            known = (found.model.id, found.model.name) if found.model else None
            missing = {sha: src for sha, src in staged.pending.items() if sha not in found.have}
            if missing:
                self._store_blobs(staged, missing)
            model_id, model_name = known or self._model_id(project_id, model, actor)
            used.add(model_id)
            new = dict(
                description=description,
                tags=f" {tags} " if tags else " ",
                engine=engines.detect(p for p, _, _ in staged.files),
                compute=compute,
                size=sum(size for _, size, _ in staged.files),
                num_files=len(staged.files),
                metrics=json.dumps(metrics),
                source=source,
                task_id=task_id,
                dataset_file_id=dataset_file_id,
                lineage=json.dumps(lineage),
                creator_id=actor.id if actor.id > 0 else None,
                download_count=0,
            )

            def write(conn: Connection) -> ModelVersion | None:
                """One attempt: the new version committed, or None when the model was
                dropped meanwhile; IntegrityError/OperationalError for the caller to judge.
                Core statements on a bare connection: nothing here needs the ORM's unit of
                work, and the statements are built once."""
                now = utcnow()
                # the first statement writes: it locks the model (and SQLite's database);
                # then the newest version so far (no one can add one now)
                locked = conn.execute(_LOCK_MODEL, {"model_id": model_id, "now": now}).first()
                if locked is None:  # dropped meanwhile
                    return None
                newest = conn.execute(_NEWEST, {"model_id": model_id}).first()
                top = None if newest is None else tuple(newest)
                if version is None:
                    number = "0.0.1" if top is None else f"{top[0]}.{top[1]}.{top[2] + 1}"
                else:
                    number = version
                    taken = conn.execute(
                        _VERSION_TAKEN, {"model_id": model_id, "version": version}
                    ).first()
                    if taken:
                        raise Conflict(
                            f"version {version} of model '{model}' exists",
                            [("version", "taken")],
                        )
                major, minor, patch = ms.parse_semver(number)
                self._reference(conn, staged)
                v = ModelVersion(
                    model_id=model_id,
                    version=number,
                    major=major,
                    minor=minor,
                    patch=patch,
                    created_at=now,
                    **new,
                )
                row = {c: getattr(v, c) for c in _VERSION_COLUMNS}
                v.id = conn.execute(_INSERT_VERSION, row).scalar_one()
                conn.execute(
                    _INSERT_FILE,
                    [
                        {"version_id": v.id, "path": p, "size": size, "sha256": sha}
                        for p, size, sha in staged.files
                    ],
                )
                if tags.split():
                    conn.execute(
                        _INSERT_TAG,
                        [
                            {"model_id": model_id, "version_id": v.id, "tag": tg}
                            for tg in tags.split()
                        ],
                    )
                # one version more; the latest moves when this one is newer
                newer = top is None or (major, minor, patch) > top
                conn.execute(
                    _COUNT_VERSION_LATEST if newer else _COUNT_VERSION,
                    {"model_id": model_id, "now": now, "version_id": v.id},
                )
                conn.execute(
                    _INSERT_ACTIVITY,
                    activity.event_row(
                        actor, project_id, "model_imported",
                        model=model, version=number, path=f"{project_path}/{model}@{number}",
                    ),
                )  # fmt: skip
                conn.commit()
                return v

            v: ModelVersion | None = None
            for _ in range(RETRIES):
                try:
                    v = self.db.call_on_connection(write)
                except (IntegrityError, OperationalError) as exc:
                    if version is not None and isinstance(exc, IntegrityError):
                        raise Conflict(
                            f"version {version} of model '{model}' exists",
                            [("version", "taken")],
                        ) from exc
                    self.db.pause(0.01)
                    continue
                if v is not None:
                    break
                model_id, model_name = self._model_id(project_id, model, actor)
                used.add(model_id)
            if v is None:
                raise Conflict(f"too many concurrent imports of model '{model}'; try again")
            # a new version: no alias can point at it yet, no evaluation can name it yet
            out = self._version_out(v, ModelRef(model_id, model_name, 0), project_path, creator, {})
            out.files = [
                ms.ModelFile(path=p, size=sz, sha256=sha) for p, sz, sha in sorted(staged.files)
            ]
            if task_id is not None and task_status is not None:
                out.lineage.task_status = s.TaskStatus(task_status)
            out.evaluations = []
            return out

        # at most 64 KiB from memory, kept in the database: the job may run on the event
        # loop (it may also run again: nothing it does before its commit is lost or doubled)
        in_memory = [src for src in staged.pending.values() if isinstance(src, bytes)]
        small = (
            len(in_memory) == len(staged.pending) and sum(map(len, in_memory)) <= INLINE_JOB_BYTES
        )
        return await self.db.blocking(job, inline=small)

    # --- change --------------------------------------------------------------------------

    async def update_version(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        version: str,
        body: ms.VersionUpdate,
    ) -> ms.ModelVersion:
        async with self.sessions() as session:
            project, m = await self._model(session, actor, owner, name, model, s.Role.write)
            v = await self._version(session, m, version)
            if body.description is not None:
                v.description = body.description
            if body.tags is not None:
                v.tags = f" {body.tags} " if body.tags else " "
                await session.execute(
                    delete(ModelVersionTag).where(ModelVersionTag.version_id == v.id)
                )
                session.add_all(
                    ModelVersionTag(model_id=m.id, version_id=v.id, tag=tg)
                    for tg in body.tags.split()
                )
            await session.commit()
            return await self._detail(session, project, m, v)

    async def delete_version(
        self, actor: Principal, owner: str, name: str, model: str, version: str
    ) -> None:
        """A version (its aliases go, recorded); the model goes with its last version."""
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model, s.Role.write)
            v = await self._version(session, m, version)
            for alias in (
                await session.scalars(select(ModelAlias.alias).where(ModelAlias.version_id == v.id))
            ).all():
                session.add(
                    ModelAliasEvent(
                        model_id=m.id,
                        alias=alias,
                        from_version=v.version,
                        to_version=None,
                        actor_id=actor.id if actor.id > 0 else None,
                    )
                )
            shas = (
                await session.scalars(
                    select(ModelFileRow.sha256).where(ModelFileRow.version_id == v.id)
                )
            ).all()
            await session.execute(
                update(Task).where(Task.model_version_id == v.id).values(model_version_id=None)
            )
            await session.execute(delete(ModelAlias).where(ModelAlias.version_id == v.id))
            await session.execute(delete(ModelFileRow).where(ModelFileRow.version_id == v.id))
            await session.execute(delete(ModelVersionTag).where(ModelVersionTag.version_id == v.id))
            await session.execute(delete(ModelVersion).where(ModelVersion.id == v.id))
            keys = await self.datasets.release_objects(session, list(shas))
            if await self._refresh_model(session, m.id) == 0:
                await session.execute(delete(RegisteredModel).where(RegisteredModel.id == m.id))
            await session.commit()
        await asyncio.to_thread(self._remove_blobs, keys)

    def _remove_blobs(self, keys: list[str]) -> None:
        for key in keys:
            self.objects.delete(key)

    async def sweep_blobs(self, grace: timedelta = SWEEP_GRACE) -> int:
        """Remove stored model bytes that no object row names, last written before ``grace``
        ago; → how many went. An import writes its blobs before its transaction, so one that
        fails there (a version taken: 409; the server stopped) leaves its bytes behind, as
        does a write cut short (its temporary file). The grace (a day) is far longer than
        an import spends between writing its first blob and committing, even for tens of
        GiB; and an import of the same bytes later writes them again (no row says they are
        stored). Run by the housekeeping loop."""
        before = time.time() - grace.total_seconds()
        stale = await asyncio.to_thread(self.objects.stale_keys, BLOB_PREFIX, before)
        named: set[str] = set()
        shas = [key.rsplit("/", 1)[-1] for key in stale]  # a blob's name is its sha256
        async with self.sessions() as session:
            for at in range(0, len(shas), 500):
                named.update(
                    await session.scalars(  # by primary key; row-held bytes name no file
                        select(StoredObject.storage_key).where(
                            StoredObject.sha256.in_(shas[at : at + 500]),
                            StoredObject.content.is_(None),
                        )
                    )
                )
        orphans = [key for key in stale if key not in named]

        def remove() -> int:
            return sum(self.objects.remove_stale(key, before) for key in orphans)

        return await asyncio.to_thread(remove) if orphans else 0

    async def delete_model(self, actor: Principal, owner: str, name: str, model: str) -> None:
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model, s.Role.write)
            versions = (
                await session.scalars(
                    select(ModelVersion.version).where(ModelVersion.model_id == m.id)
                )
            ).all()
        for version in versions:
            await self.delete_version(actor, owner, name, model, version)

    # --- aliases -------------------------------------------------------------------------

    async def _alias_state(self, session: AsyncSession, m: RegisteredModel) -> ms.Aliases:
        aliases = (await self._aliases(session, [m.id]))[m.id]
        rows = (
            await session.execute(
                select(ModelAliasEvent, Account)
                .outerjoin(Account, Account.id == ModelAliasEvent.actor_id)
                .where(ModelAliasEvent.model_id == m.id)
                .order_by(ModelAliasEvent.id.desc())
                .limit(100)
            )
        ).all()
        return ms.Aliases(aliases=aliases, history=[self._event_out(e, a) for e, a in rows])

    @staticmethod
    def _event_out(e: ModelAliasEvent, a: Account | None) -> ms.AliasEvent:
        return ms.AliasEvent(
            alias=e.alias,
            from_version=e.from_version,
            to_version=e.to_version,
            actor=user_out(a) if a else None,
            created_at=e.created_at,
        )

    async def aliases(self, actor: Principal, owner: str, name: str, model: str) -> ms.Aliases:
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model)
            return await self._alias_state(session, m)

    async def alias_history(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        alias: str | None,
        req: PageRequest,
    ) -> PageResult:
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model)
            stmt = (
                select(ModelAliasEvent, Account)
                .outerjoin(Account, Account.id == ModelAliasEvent.actor_id)
                .where(ModelAliasEvent.model_id == m.id)
                .order_by(ModelAliasEvent.id.desc())
            )
            if alias:
                stmt = stmt.where(ModelAliasEvent.alias == alias.lower())
            page = await paginate(session, stmt, req)  # type: ignore[arg-type]
        items = [self._event_out(e, a) for e, a in page.items]
        return PageResult(items, page.total, page.page, page.per_page)

    @staticmethod
    def _check_alias(alias: str) -> str:
        alias = alias.lower()
        if not re.match(ms.ALIAS_PATTERN, alias) or alias == "latest":
            raise Invalid("alias", "1-32 of a-z, 0-9, '_' and '-'; not 'latest'")
        if ms.SEMVER_RE.match(alias):
            raise Invalid("alias", "an alias cannot look like a version")
        return alias

    async def set_alias(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        alias: str,
        body: ms.AliasSet,
    ) -> ms.Aliases:
        alias = self._check_alias(alias)
        for _ in range(RETRIES):
            async with self.sessions() as session:
                _, m = await self._model(session, actor, owner, name, model, s.Role.write)
                v = await self._version(session, m, body.version)
                row = await session.scalar(
                    select(ModelAlias).where(ModelAlias.model_id == m.id, ModelAlias.alias == alias)
                )
                before = None
                if row is None:
                    session.add(ModelAlias(model_id=m.id, alias=alias, version_id=v.id))
                else:
                    old = await session.get(ModelVersion, row.version_id)
                    before = old.version if old else None
                    row.version_id = v.id
                if before != v.version:
                    session.add(
                        ModelAliasEvent(
                            model_id=m.id,
                            alias=alias,
                            from_version=before,
                            to_version=v.version,
                            actor_id=actor.id if actor.id > 0 else None,
                        )
                    )
                try:
                    await session.commit()
                except (IntegrityError, OperationalError):
                    await session.rollback()
                    continue
                return await self._alias_state(session, m)
        raise Conflict(f"alias '{alias}' is being moved by someone else; try again")

    async def delete_alias(
        self, actor: Principal, owner: str, name: str, model: str, alias: str
    ) -> None:
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model, s.Role.write)
            row = await session.scalar(
                select(ModelAlias).where(
                    ModelAlias.model_id == m.id, ModelAlias.alias == alias.lower()
                )
            )
            if row is None:
                raise NotFound(f"alias '{alias}'")
            old = await session.get(ModelVersion, row.version_id)
            session.add(
                ModelAliasEvent(
                    model_id=m.id,
                    alias=row.alias,
                    from_version=old.version if old else None,
                    to_version=None,
                    actor_id=actor.id if actor.id > 0 else None,
                )
            )
            await session.delete(row)
            await session.commit()

    # --- download ------------------------------------------------------------------------

    async def download(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        version: str,
        path: str | None,
    ) -> tuple[str, list[model_store.StoredFile]]:
        """(the download's file name, its files) — one file when ``path`` is given, every
        file otherwise; counts the download."""
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model)
            v = await self._version(session, m, version)
            stmt = model_store.stored_files(v.id)
            if path is not None:
                stmt = stmt.where(ModelFileRow.path == path)
            rows = [model_store.StoredFile(*r) for r in (await session.execute(stmt)).all()]
            if not rows:
                raise NotFound(f"file '{path}'" if path else f"files of {m.name}@{v.version}")
            await session.execute(
                update(ModelVersion)
                .where(ModelVersion.id == v.id)
                .values(download_count=ModelVersion.download_count + 1)
            )
            await session.commit()
            filename = rows[0][0].rsplit("/", 1)[-1] if path else f"{m.name}-{v.version}.zip"
        return filename, rows

    # --- reproduce -----------------------------------------------------------------------

    async def reproduce(
        self,
        actor: Principal,
        owner: str,
        name: str,
        model: str,
        version: str,
        body: ms.ReproduceRequest,
    ) -> s.Task:
        """A new training task with exactly the version's lineage (commit pinned)."""
        async with self.sessions() as session:
            _, m = await self._model(session, actor, owner, name, model)
            v = await self._version(session, m, version)
            lineage = json.loads(v.lineage or "{}")
            if lineage.get("source") != "task" or not lineage.get("boot_file"):
                raise Conflict(f"{m.name}@{v.version} was not trained here: nothing to reproduce")
            if lineage.get("dataset_file_id") is not None:
                exists = await session.scalar(
                    select(DatasetFile.id).where(DatasetFile.id == lineage["dataset_file_id"])
                )
                if exists is None:
                    raise Conflict("the dataset file of this version's lineage was deleted")
        t_owner, _, t_project = str(lineage["project"]).partition("/")
        snapshot = (
            (lineage["snapshot_sha256"], lineage.get("snapshot_name") or lineage["boot_file"])
            if lineage.get("snapshot_sha256")
            else None
        )
        base = (lineage.get("task_name") or m.name)[:50]
        for n in range(1, 100):
            task_name = body.name or f"{base}-repro-{n}"
            create = s.TaskCreate(
                kind=s.TaskKind.train,
                name=task_name,
                description=f"Reproduce {m.name}@{v.version}",
                branch=lineage.get("branch") or "",
                commit=lineage.get("commit") or None,
                image=lineage.get("image") or "local",
                spec=body.spec or lineage.get("spec") or "",
                boot_file=lineage["boot_file"],
                dataset=lineage.get("dataset_file_id"),
                params=[s.TaskParam(**p) for p in lineage.get("params", [])],
            )
            try:
                return await self.tasks.create(actor, t_owner, t_project, create, snapshot)
            except Conflict as exc:
                if body.name or ("name", "taken") not in exc.errors:
                    raise
        raise Conflict("no free task name for the reproduction; give one")
