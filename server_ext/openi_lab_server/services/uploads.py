"""Resumable uploads (tus-like): state in the database, bytes in the object store.

Any server sharing the database and the store can take the next chunk: the offset, the S3
parts and a short writer lease live in the ``uploads`` row; a chunk counts only once all of it
is stored (the offset moves in the same conditional UPDATE that releases the lease). The
sha256 is computed while the bytes stream when one process saw every chunk in order,
otherwise by streaming the stored bytes back at completion.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from openi_lab import schemas as s

from ..db.dataset_models import Dataset, DatasetFile, StoredObject, Upload
from ..db.models import Project, utcnow
from ..storage.objects import CHUNK_BYTES, MIN_PART_BYTES, ObjectStore, PartRecord
from .datasets import DatasetService, visible_dataset_clause
from .errors import Conflict, DomainError, Invalid, NotFound, TooLarge
from .principal import Principal
from .projects import ProjectService

#: how long a writer holds an upload without renewing its lease
LEASE = timedelta(seconds=90)
#: how often completing an upload records its file when the same bytes keep arriving
RECORD_TRIES = 3
RENEW_EVERY_S = 30.0
#: largest chunk an S3-backed server buffers for one part
MAX_S3_CHUNK = 2 * CHUNK_BYTES
LOCAL_CHUNK_BYTES = 64 << 20


class Gone(DomainError):
    """An expired upload: every call answers 410."""

    status = 410


class OffsetMismatch(Conflict):
    def __init__(self, offset: int):
        super().__init__(
            f"the upload is at offset {offset}; resume from there", [("offset", str(offset))]
        )
        self.offset = offset


#: bytes gathered before one write+hash job goes to the chunk's worker thread
BATCH_BYTES = 1 << 20
#: jobs in flight before the request waits (two per batch: bounds memory at about 4 MiB)
MAX_INFLIGHT = 8


@dataclass
class ChunkWrite:
    """One PATCH in progress: where it writes, what it has hashed, its lease.

    Received pieces are gathered into batches of about 1 MiB. Each batch goes to two worker
    threads at once, one writing it and one hashing it (both release the GIL, so on two cores
    they overlap each other and the event loop reading the socket); each worker keeps the
    batches in order.
    """

    upload_id: str
    offset: int
    size: int
    token: str
    writer: Any
    parts: list[PartRecord]
    model: s.Upload
    hasher: Any = None
    received: int = 0
    renewed: float = field(default_factory=time.monotonic)
    done: bool = False
    pending: list[bytes] = field(default_factory=list)
    pending_bytes: int = 0
    inflight: deque[asyncio.Future[None]] = field(default_factory=deque)
    worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="openi-upload")
    )
    hash_worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="openi-upload-hash")
    )
    #: hash on a thread of its own (local files: writing is real work too); on S3 the write
    #: only gathers the part in memory, and one thread keeps the part's memory in one arena
    split_hash: bool = True
    #: a write failed: the bytes received are not all stored, so none of the chunk counts
    failed: bool = False

    async def feed(self, data: bytes) -> None:
        if self.offset + self.received + len(data) > self.size:
            raise Invalid("Upload-Offset", "the chunk goes past the declared size")
        self.received += len(data)
        self.pending.append(data)
        self.pending_bytes += len(data)
        if self.pending_bytes >= BATCH_BYTES:
            await self._submit()

    async def _submit(self) -> None:
        if not self.pending:
            return
        pieces = self.pending
        self.pending, self.pending_bytes = [], 0
        loop = asyncio.get_running_loop()
        self.inflight.append(loop.run_in_executor(self.worker, self._write, pieces))
        if self.hasher is not None:
            hashing = self.hash_worker if self.split_hash else self.worker
            self.inflight.append(loop.run_in_executor(hashing, self._hash, pieces))
        while len(self.inflight) > MAX_INFLIGHT:
            await self.inflight.popleft()

    def _write(self, pieces: list[bytes]) -> None:
        try:
            self.writer.write_pieces(pieces)
        except BaseException:
            self.failed = True  # what was received is not all stored: it must not count
            raise

    def _hash(self, pieces: list[bytes]) -> None:
        for piece in pieces:
            self.hasher.update(piece)

    async def drain(self) -> None:
        """Every received byte written and hashed."""
        await self._submit()
        while self.inflight:
            await self.inflight.popleft()

    def close_worker(self, then: Any = None) -> None:
        """Run ``then`` after the queued jobs, on the worker, and let the workers go."""
        self.pending = []
        if then is not None:
            self.worker.submit(then)
        self.worker.shutdown(wait=False)
        self.hash_worker.shutdown(wait=False)


def _project_key(p: Project) -> str:
    return p.full_name


class UploadService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        projects: ProjectService,
        datasets: DatasetService,
        store: ObjectStore,
        *,
        max_upload_bytes: int = 100 << 30,
        user_quota_bytes: int = 1 << 40,
        expiry: timedelta = timedelta(hours=24),
        chunk_size: int | None = None,
    ):
        self.sessions = sessions
        self.projects = projects
        self.datasets = datasets
        self.store = store
        self.max_upload_bytes = max_upload_bytes
        self.user_quota_bytes = user_quota_bytes
        self.expiry = expiry
        #: the chunk size announced to clients: fewer, longer PATCHes on local files (each
        #: PATCH costs two small database transactions), parts S3 accepts otherwise
        self.chunk_size = chunk_size or (LOCAL_CHUNK_BYTES if store.is_local else CHUNK_BYTES)
        #: upload id → (offset, sha256 of bytes 0..offset) as this process saw them
        self._hashers: dict[str, tuple[int, Any]] = {}

    # --- models --------------------------------------------------------------------------

    async def _load(
        self, session: AsyncSession, actor: Principal, upload_id: str
    ) -> tuple[Upload, Dataset, Project]:
        row = (
            await session.execute(
                select(Upload, Dataset, Project)
                .join(Dataset, Dataset.id == Upload.dataset_id)
                .join(Project, Project.id == Dataset.project_id)
                .where(Upload.id == upload_id)
            )
        ).first()
        if row is None or row[0].user_id != actor.id:
            raise NotFound(f"upload '{upload_id}'")
        u = row[0]
        if u.status == "expired" or (u.status == "active" and u.expires_at < utcnow()):
            raise Gone(f"upload '{upload_id}' expired; start again")
        return row[0], row[1], row[2]

    async def _out(self, session: AsyncSession, u: Upload, d: Dataset, p: Project) -> s.Upload:
        file = await self.datasets.file_model(session, u.file_id) if u.file_id else None
        return s.Upload(
            id=u.id,
            project=p.full_name,
            dataset=d.name,
            filename=u.filename,
            size=u.size,
            sha256=u.sha256,
            offset=u.offset,
            chunk_size=u.chunk_size,
            status=u.status,
            expires_at=u.expires_at,
            created_at=u.created_at,
            file=file,
        )

    # --- create --------------------------------------------------------------------------

    async def create(self, actor: Principal, body: s.UploadCreate) -> s.Upload:
        if body.size > self.max_upload_bytes:
            raise TooLarge(
                f"files are limited to {self.max_upload_bytes} bytes",
                [("size", f"at most {self.max_upload_bytes}")],
            )
        owner, _, name = body.project.partition("/")
        async with self.sessions() as session:
            project, ds, _ = await self.datasets.resolve(
                session, actor, owner, name, body.dataset, s.Role.write
            )
            used = await self._used(session, actor.id)
            if used + body.size > self.user_quota_bytes:
                raise TooLarge(
                    f"your quota of {self.user_quota_bytes} bytes would be exceeded ({used} used)",
                    [("size", f"at most {max(self.user_quota_bytes - used, 0)} more")],
                )
            taken = await session.scalar(
                select(DatasetFile.id).where(
                    DatasetFile.dataset_id == ds.id, DatasetFile.name == body.filename
                )
            )
            if taken:
                raise Conflict(
                    f"'{body.filename}' already exists in this dataset", [("filename", "taken")]
                )
            upload_id = secrets.token_urlsafe(16)
            now = utcnow()
            u = Upload(
                id=upload_id,
                dataset_id=ds.id,
                user_id=actor.id,
                filename=body.filename,
                size=body.size,
                sha256=body.sha256,
                offset=0,
                chunk_size=self.chunk_size,
                status="active",
                storage_key=ObjectStore.blob_key(upload_id),
                created_at=now,
                updated_at=now,
                expires_at=now + self.expiry,
            )
            # identical content the caller can already read: the upload completes at once.
            # Content they cannot read must still be sent (a sha256 alone grants nothing);
            # it is stored once all the same, when ``complete`` finds the object exists.
            if await self._readable(
                session, actor, body.sha256
            ) and await self.datasets.add_reference(session, body.sha256):
                f = await self.datasets.add_file(
                    session, ds.id, body.filename, body.size, body.sha256, actor.id
                )
                u.status, u.offset, u.file_id = "completed", body.size, f.id
                session.add(u)
                await session.commit()
                return await self._out(session, u, ds, project)
            session.add(u)
            await session.flush()
            u.multipart_id = await asyncio.to_thread(self.store.start_upload, u.storage_key)
            await session.commit()
            return await self._out(session, u, ds, project)

    @staticmethod
    async def _readable(session: AsyncSession, actor: Principal, sha: str) -> bool:
        """Whether a dataset file with this content is visible to the actor."""
        found = await session.scalar(
            select(DatasetFile.id)
            .join(Dataset, Dataset.id == DatasetFile.dataset_id)
            .join(Project, Project.id == Dataset.project_id)
            .where(DatasetFile.sha256 == sha, visible_dataset_clause(actor))
            .limit(1)
        )
        return found is not None

    async def _used(self, session: AsyncSession, user_id: int) -> int:
        stored = await session.scalar(
            select(func.coalesce(func.sum(DatasetFile.size), 0)).where(
                DatasetFile.creator_id == user_id
            )
        )
        pending = await session.scalar(
            select(func.coalesce(func.sum(Upload.size), 0)).where(
                Upload.user_id == user_id, Upload.status == "active"
            )
        )
        return int(stored or 0) + int(pending or 0)

    async def get(self, actor: Principal, upload_id: str) -> s.Upload:
        async with self.sessions() as session:
            u, d, p = await self._load(session, actor, upload_id)
            return await self._out(session, u, d, p)

    # --- the writer lease ----------------------------------------------------------------

    async def _claim(self, session: AsyncSession, u: Upload, offset: int) -> str:
        now, token = utcnow(), secrets.token_hex(8)
        done = await session.execute(
            update(Upload)
            .where(
                Upload.id == u.id,
                Upload.status == "active",
                Upload.offset == offset,
                or_(Upload.lock_token.is_(None), Upload.locked_until < now),
            )
            .values(lock_token=token, locked_until=now + LEASE)
        )
        await session.commit()
        if done.rowcount != 1:  # type: ignore[attr-defined]
            await session.refresh(u)
            if u.offset != offset:
                raise OffsetMismatch(u.offset)
            raise Conflict(
                "another request is writing to this upload; retry shortly",
                [("upload", "busy")],
            )
        return token

    async def _release(self, upload_id: str, token: str) -> None:
        async with self.sessions() as session:
            await session.execute(
                update(Upload)
                .where(Upload.id == upload_id, Upload.lock_token == token)
                .values(lock_token=None, locked_until=None)
            )
            await session.commit()

    # --- chunks --------------------------------------------------------------------------

    async def begin_chunk(
        self, actor: Principal, upload_id: str, offset: int, length: int | None
    ) -> ChunkWrite:
        async with self.sessions() as session:
            u, d, p = await self._load(session, actor, upload_id)
            model = await self._out(session, u, d, p)
            if u.status != "active":
                raise Conflict(f"the upload is {u.status}", [("status", u.status)])
            if offset != u.offset:
                raise OffsetMismatch(u.offset)
            if length is not None:
                if offset + length > u.size:
                    raise Invalid("Upload-Offset", "the chunk goes past the declared size")
                self._check_part(offset, length, u.size)
            token = await self._claim(session, u, offset)
            parts = [PartRecord(n, e) for n, e in json.loads(u.parts)]
        cached = self._hashers.get(upload_id)
        if offset == 0:
            hasher: Any = hashlib.sha256()
        elif cached is not None and cached[0] == offset:
            hasher = cached[1].copy()
        else:
            hasher = None
        try:
            writer = self.store.part_writer(
                upload_id, u.storage_key, u.multipart_id, offset, len(parts) + 1
            )
        except BaseException:
            await self._release(upload_id, token)
            raise
        return ChunkWrite(
            upload_id, offset, u.size, token, writer, parts, model, hasher,
            split_hash=self.store.is_local,
        )  # fmt: skip

    def _check_part(self, offset: int, length: int, size: int) -> None:
        if self.store.is_local:
            return
        if length > MAX_S3_CHUNK:
            raise Invalid("Content-Length", f"chunks are limited to {MAX_S3_CHUNK} bytes")
        if offset + length < size and length < MIN_PART_BYTES:
            raise Invalid(
                "Content-Length",
                f"every chunk but the last must have at least {MIN_PART_BYTES} bytes",
            )

    def max_chunk(self) -> int | None:
        return None if self.store.is_local else MAX_S3_CHUNK

    async def renew(self, cw: ChunkWrite) -> None:
        """Keep the lease of a long chunk alive (called while bytes stream)."""
        if time.monotonic() - cw.renewed < RENEW_EVERY_S:
            return
        cw.renewed = time.monotonic()
        async with self.sessions() as session:
            await session.execute(
                update(Upload)
                .where(Upload.id == cw.upload_id, Upload.lock_token == cw.token)
                .values(locked_until=utcnow() + LEASE)
            )
            await session.commit()

    async def finish_chunk(self, actor: Principal, cw: ChunkWrite) -> s.Upload:
        """All of the chunk arrived: store it, then move the offset (and drop the lease)."""
        return await self._commit_chunk(cw)

    async def _commit_chunk(self, cw: ChunkWrite) -> s.Upload:
        cw.done = True
        try:
            await cw.drain()
            if cw.failed:  # an earlier job's error was raised already; none of it counts
                raise OSError("a part of the chunk could not be written")
            new_offset = cw.offset + cw.received
            self._check_part(cw.offset, cw.received, cw.size)
            parts = list(cw.parts)
            if cw.received:
                part = await asyncio.get_running_loop().run_in_executor(cw.worker, cw.writer.close)
                if part is not None:
                    parts.append(part)
            cw.close_worker(cw.writer.abort)
        except BaseException:
            cw.close_worker(cw.writer.abort)
            await self._release(cw.upload_id, cw.token)
            raise
        now = utcnow()
        async with self.sessions() as session:
            done = await session.execute(
                update(Upload)
                .where(
                    Upload.id == cw.upload_id,
                    Upload.lock_token == cw.token,
                    Upload.offset == cw.offset,
                    Upload.status == "active",
                )
                .values(
                    offset=new_offset,
                    parts=json.dumps([[p.number, p.etag] for p in parts]),
                    updated_at=now,
                    expires_at=now + self.expiry,
                    lock_token=None,
                    locked_until=None,
                )
            )
            await session.commit()
            if done.rowcount != 1:  # type: ignore[attr-defined]
                self._hashers.pop(cw.upload_id, None)
                raise Conflict("the upload changed while this chunk was sent; ask its offset")
        if cw.hasher is not None:
            self._hashers[cw.upload_id] = (new_offset, cw.hasher)
        else:
            self._hashers.pop(cw.upload_id, None)
        return cw.model.model_copy(update={"offset": new_offset, "expires_at": now + self.expiry})

    async def abort_chunk(self, cw: ChunkWrite) -> None:
        """The connection broke mid-chunk. On local files the bytes that did arrive are kept
        and the offset moves past them (as tus does), so the client resumes where the break
        happened instead of resending the chunk; an S3 part must be whole, so there nothing
        of the chunk counts. Either way the upload is freed for the next PATCH."""
        if cw.done:
            return
        if self.store.is_local and cw.received and not cw.failed:
            with contextlib.suppress(DomainError):  # it moved meanwhile: the client asks
                await self._commit_chunk(cw)
            return
        cw.done = True
        cw.close_worker(cw.writer.abort)
        await self._release(cw.upload_id, cw.token)

    # --- completion ----------------------------------------------------------------------

    async def complete(self, actor: Principal, upload_id: str) -> s.Upload:
        async with self.sessions() as session:
            u, d, p = await self._load(session, actor, upload_id)
            if u.status == "completed":
                return await self._out(session, u, d, p)
            if u.status != "active":
                raise Conflict(f"the upload is {u.status}", [("status", u.status)])
            if u.offset != u.size:
                raise OffsetMismatch(u.offset)
            token = await self._claim(session, u, u.size)
            key, mp, size = u.storage_key, u.multipart_id, u.size
            parts = [PartRecord(n, e) for n, e in json.loads(u.parts)]
        try:
            await asyncio.to_thread(self.store.truncate_partial, upload_id, size)
            await asyncio.to_thread(self.store.finish_upload, upload_id, key, mp, parts)
            cached = self._hashers.pop(upload_id, None)
            if cached is not None and cached[0] == size:
                digest = cached[1].hexdigest()
            else:
                digest = await asyncio.to_thread(self.store.sha256, key)
        except BaseException:
            await self._release(upload_id, token)
            raise
        if digest != u.sha256:
            await self._fail(upload_id, key, mp)
            raise Invalid("sha256", f"the stored bytes have sha256 {digest}, not the declared one")
        for tries_left in reversed(range(RECORD_TRIES)):
            async with self.sessions() as session:
                u, d, p = await self._load(session, actor, upload_id)
                try:
                    discard = await self._hold(session, digest, size, key)
                    f = await self.datasets.add_file(
                        session, d.id, u.filename, size, digest, actor.id
                    )
                except IntegrityError as exc:
                    await session.rollback()
                    if tries_left:  # the same bytes were stored meanwhile: count them now
                        continue
                    await self._release(upload_id, token)
                    raise Conflict("the same content is being stored right now; try again") from exc
                except Conflict:
                    await session.rollback()
                    await self._fail(upload_id, key, mp)
                    raise
                u.status, u.file_id, u.lock_token, u.locked_until = "completed", f.id, None, None
                u.updated_at = utcnow()
                await session.commit()
                out = await self._out(session, u, d, p)
                break
        if discard:
            await asyncio.to_thread(self.store.delete, discard)
        return out

    async def _hold(self, session: AsyncSession, digest: str, size: int, key: str) -> str | None:
        """One reference to the object of an upload's bytes, now at ``key``; → ``key`` when
        it is to be deleted after the commit (the same bytes were stored already). A small
        model file's object, whose bytes were only in its row, takes the blob. Raises
        IntegrityError when the same bytes were stored meanwhile (the caller tries again)."""
        if await self.datasets.add_reference(session, digest):
            return key
        if not await self.datasets.adopt(session, digest, key):
            session.add(StoredObject(sha256=digest, size=size, storage_key=key, refcount=1))
            await session.flush()
        return None

    async def _fail(self, upload_id: str, key: str, mp: str | None) -> None:
        """Nothing of a failed upload stays: its blob and parts go, the row says ``failed``."""
        self._hashers.pop(upload_id, None)
        await asyncio.to_thread(self._discard, upload_id, key, mp)
        async with self.sessions() as session:
            await session.execute(
                update(Upload)
                .where(Upload.id == upload_id)
                .values(status="failed", lock_token=None, locked_until=None, updated_at=utcnow())
            )
            await session.commit()

    def _discard(self, upload_id: str, key: str, mp: str | None) -> None:
        self.store.abort_upload(upload_id, key, mp)
        self.store.delete(key)

    async def abort(self, actor: Principal, upload_id: str) -> None:
        async with self.sessions() as session:
            row = await session.get(Upload, upload_id)
            if row is None or row.user_id != actor.id:
                raise NotFound(f"upload '{upload_id}'")
            status, key, mp = row.status, row.storage_key, row.multipart_id
            await session.delete(row)
            await session.commit()
        self._hashers.pop(upload_id, None)
        if status == "active":
            await asyncio.to_thread(self._discard, upload_id, key, mp)

    # --- expiry --------------------------------------------------------------------------

    async def expire(self, now: datetime | None = None) -> int:
        """Mark inactive uploads expired and remove their bytes; the housekeeping job."""
        now = now or utcnow()
        stale = (
            Upload.status == "active",
            Upload.expires_at < now,
            or_(Upload.lock_token.is_(None), Upload.locked_until < now),
        )
        async with self.sessions() as session:
            rows = (
                await session.execute(
                    select(Upload.id, Upload.storage_key, Upload.multipart_id).where(*stale)
                )
            ).all()
        count = 0
        for upload_id, key, mp in rows:
            async with self.sessions() as session:
                done = await session.execute(
                    update(Upload)
                    .where(Upload.id == upload_id, *stale)
                    .values(status="expired", lock_token=None, locked_until=None)
                )
                await session.commit()
            if done.rowcount == 1:  # type: ignore[attr-defined]
                self._hashers.pop(upload_id, None)
                await asyncio.to_thread(self._discard, upload_id, key, mp)
                count += 1
        return count
