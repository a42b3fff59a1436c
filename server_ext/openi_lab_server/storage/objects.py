"""``ObjectStore``: blobs on the local file system or S3, through fsspec, streamed.

Every method here is synchronous (fsspec's S3 file system runs its own I/O loop); services call
them in a worker thread. The one exception is :class:`LocalPartWriter.write`, a positioned
write into a local file, which is cheap enough for the event loop.

Resumable uploads keep their *state* in the database and their *bytes* here:

* ``file://``: every chunk is written at its offset into one partial file
  (``partial/<upload id>``), renamed to ``blobs/<upload id>`` on completion;
* ``s3://``: one S3 multipart upload per upload, one part per chunk (parts of at least
  :data:`MIN_PART_BYTES` except the last), completed with ``complete_multipart_upload``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import unquote, urlparse

import fsspec

#: S3's own minimum part size is 5 MiB; clients are told to send 8 MiB chunks.
MIN_PART_BYTES = 5 * 2**20
#: Preferred chunk size announced to clients (``Upload.chunk_size``).
CHUNK_BYTES = 8 * 2**20
#: Read size when streaming blobs back (hashing, downloads).
READ_BYTES = 1 * 2**20


@dataclass(frozen=True)
class PartRecord:
    """One stored S3 part: number and ETag (kept in the upload's row)."""

    number: int
    etag: str


class LocalPartWriter:
    """Writes one chunk at its offset into the partial file; nothing is committed here."""

    def __init__(self, path: Path, offset: int):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
        self.pos = offset

    def write(self, data: bytes | memoryview) -> None:
        view = memoryview(data)
        while view:
            n = os.pwrite(self.fd, view, self.pos)
            self.pos += n
            view = view[n:]

    def write_pieces(self, pieces: list[bytes]) -> None:
        """Write consecutive pieces with one system call where the kernel takes them all."""
        if len(pieces) > 256:  # many tiny pieces (a slow client): fewer than IOV_MAX vectors
            pieces = [b"".join(pieces)]
        total = sum(len(p) for p in pieces)
        n = os.pwritev(self.fd, pieces, self.pos)
        self.pos += n
        if n < total:  # a short write: finish the rest piece by piece
            done = n
            for piece in pieces:
                if done >= len(piece):
                    done -= len(piece)
                    continue
                self.write(memoryview(piece)[done:])
                done = 0

    def close(self) -> PartRecord | None:
        self.abort()
        return None

    def abort(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


class S3PartWriter:
    """Buffers one chunk (at most the server's chunk limit) and sends it as one part."""

    def __init__(self, store: ObjectStore, key: str, multipart_id: str, number: int):
        self.store, self.key, self.multipart_id, self.number = store, key, multipart_id, number
        self.buffer = bytearray()

    def write(self, data: bytes | memoryview) -> None:
        self.buffer += data

    def write_pieces(self, pieces: list[bytes]) -> None:
        for piece in pieces:
            self.buffer += piece

    def close(self) -> PartRecord | None:
        """Upload the part (blocking: call in a thread)."""
        bucket, path = self.store._split(self.key)
        answer = self.store.fs.call_s3(
            "upload_part",
            Bucket=bucket,
            Key=path,
            UploadId=self.multipart_id,
            PartNumber=self.number,
            Body=self.buffer,  # a bytearray is a blob to botocore: no second copy of the part
        )
        self.buffer = bytearray()
        return PartRecord(self.number, answer["ETag"])

    def abort(self) -> None:
        self.buffer = bytearray()


class ObjectStore:
    """Blobs under one root: ``file:///dir`` or ``s3://bucket/prefix``."""

    def __init__(self, url: str, **options: Any):
        parsed = urlparse(url)
        self.url = url
        self.scheme = parsed.scheme or "file"
        if self.scheme == "file":
            self.root = str(Path(unquote(parsed.path)))
            self.fs: Any = fsspec.filesystem("file")
            Path(self.root).mkdir(parents=True, exist_ok=True)
        elif self.scheme == "s3":
            self.root = f"{parsed.netloc}/{parsed.path.strip('/')}".rstrip("/")
            opts = {k: v for k, v in options.items() if v not in (None, "")}
            client_kwargs = {}
            if "region" in opts:
                client_kwargs["region_name"] = opts.pop("region")
            self.fs = fsspec.filesystem(
                "s3",
                endpoint_url=opts.pop("endpoint_url", None),
                key=opts.pop("key", None),
                secret=opts.pop("secret", None),
                client_kwargs=client_kwargs,
                skip_instance_cache=True,
                **opts,
            )
        else:
            raise ValueError(f"unsupported storage URL {url!r}: use file:// or s3://")

    @property
    def is_local(self) -> bool:
        return self.scheme == "file"

    def full(self, key: str) -> str:
        return f"{self.root}/{key}"

    def _split(self, key: str) -> tuple[str, str]:
        bucket, _, path = self.full(key).partition("/")
        return bucket, path

    # --- blobs ------------------------------------------------------------------------------

    @staticmethod
    def blob_key(name: str) -> str:
        return f"blobs/{name[:2]}/{name}"

    def open(self, key: str) -> IO[bytes]:
        """A seekable binary file (S3: ranged reads with a small block cache)."""
        if self.is_local:
            return open(self.full(key), "rb")
        f = self.fs.open(self.full(key), "rb", block_size=READ_BYTES, cache_type="readahead")
        return f

    def iter_range(self, key: str, start: int, end: int) -> Iterator[bytes]:
        """Bytes ``start..end`` (inclusive) in chunks; blocking, so iterate in a thread."""
        with self.open(key) as f:
            f.seek(start)
            left = end - start + 1
            while left > 0:
                chunk = f.read(min(READ_BYTES, left))
                if not chunk:
                    break
                left -= len(chunk)
                yield chunk

    def put_file(self, key: str, path: str | Path) -> None:
        self.fs.put_file(str(path), self.full(key))

    def size(self, key: str) -> int | None:
        try:
            return int(self.fs.size(self.full(key)))
        except FileNotFoundError:
            return None

    def exists(self, key: str) -> bool:
        return bool(self.fs.exists(self.full(key)))

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self.fs.rm_file(self.full(key))

    def sha256(self, key: str) -> str:
        """Stream the stored bytes back through sha256."""
        h = hashlib.sha256()
        with self.open(key) as f:
            while chunk := f.read(READ_BYTES):
                h.update(chunk)
        return h.hexdigest()

    def list_keys(self, prefix: str = "") -> list[str]:
        """Every key under ``prefix`` (tests and housekeeping)."""
        return sorted(self._listing(prefix))

    def stale_keys(self, prefix: str, before: float) -> list[str]:
        """Keys under ``prefix`` last written before ``before`` (a POSIX time), for the
        housekeeping sweep of bytes that no row names."""
        self.fs.invalidate_cache()  # S3: another server may have written since
        return sorted(k for k, info in self._listing(prefix).items() if _mtime(info) < before)

    def _listing(self, prefix: str) -> dict[str, dict[str, Any]]:
        """key → fsspec's details of every object under ``prefix``."""
        try:
            found = self.fs.find(self.full(prefix).rstrip("/"), detail=True)
        except FileNotFoundError:
            return {}
        root = self.root.rstrip("/") + "/"
        return {
            (str(p)[len(root) :] if str(p).startswith(root) else str(p)): info
            for p, info in found.items()
        }

    def remove_stale(self, key: str, before: float) -> bool:
        """Delete ``key`` unless it was written at ``before`` or later; → whether it went.

        For content-addressed keys, whose every writer writes the same bytes. On disk the
        file is first renamed aside, so a writer that replaces it at that moment is never
        undone: the renamed file is put back when it turns out to be fresh, and a write
        after the rename simply makes a new file. (On S3 a write between the check and
        the delete is lost; the sweep's grace makes that need a write of bytes that have
        been orphaned for the whole grace in the same millisecond.)"""
        if not self.is_local:
            self.fs.invalidate_cache(self.full(key))  # the listing's answer is not enough
            try:
                if _mtime(self.fs.info(self.full(key))) >= before:
                    return False
            except FileNotFoundError:
                return False
            self.delete(key)
            return True
        path = Path(self.full(key))
        aside = path.with_name(f".{path.name}.sweep")
        try:
            os.replace(path, aside)
        except FileNotFoundError:
            return False
        if aside.stat().st_mtime >= before:  # written again just now: the same bytes
            os.replace(aside, path)
            return False
        aside.unlink()
        return True

    # --- resumable uploads -------------------------------------------------------------------

    def partial_key(self, upload_id: str) -> str:
        return f"partial/{upload_id}"

    def start_upload(self, key: str) -> str | None:
        """Begin an upload whose result will be ``key``; S3 answers a multipart id."""
        if self.is_local:
            return None
        bucket, path = self._split(key)
        answer = self.fs.call_s3("create_multipart_upload", Bucket=bucket, Key=path)
        return str(answer["UploadId"])

    def part_writer(
        self, upload_id: str, key: str, multipart_id: str | None, offset: int, number: int
    ) -> LocalPartWriter | S3PartWriter:
        if self.is_local:
            return LocalPartWriter(Path(self.full(self.partial_key(upload_id))), offset)
        assert multipart_id is not None
        return S3PartWriter(self, key, multipart_id, number)

    def finish_upload(
        self, upload_id: str, key: str, multipart_id: str | None, parts: list[PartRecord]
    ) -> None:
        """Make the uploaded bytes the blob ``key`` (idempotent when it already happened)."""
        if self.is_local:
            src, dst = Path(self.full(self.partial_key(upload_id))), Path(self.full(key))
            if not src.exists() and dst.exists():
                return
            dst.parent.mkdir(parents=True, exist_ok=True)
            if not src.exists():  # an upload of a size-0 body never wrote anything
                src.parent.mkdir(parents=True, exist_ok=True)
                src.touch()
            os.replace(src, dst)
            return
        bucket, path = self._split(key)
        try:
            self.fs.call_s3(
                "complete_multipart_upload",
                Bucket=bucket,
                Key=path,
                UploadId=multipart_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": p.number, "ETag": p.etag} for p in parts]
                },
            )
        except Exception:
            if self.exists(key):  # completed before a crash: nothing left to do
                return
            raise
        self.fs.invalidate_cache()

    def truncate_partial(self, upload_id: str, size: int) -> None:
        """Drop bytes past ``size`` that a cut connection left behind (local only)."""
        if self.is_local:
            path = Path(self.full(self.partial_key(upload_id)))
            if path.exists() and path.stat().st_size > size:
                os.truncate(path, size)

    def abort_upload(self, upload_id: str, key: str, multipart_id: str | None) -> None:
        """Remove every byte of an unfinished (or failed) upload."""
        if self.is_local:
            Path(self.full(self.partial_key(upload_id))).unlink(missing_ok=True)
            return
        if multipart_id:
            bucket, path = self._split(key)
            with contextlib.suppress(Exception):
                self.fs.call_s3(
                    "abort_multipart_upload", Bucket=bucket, Key=path, UploadId=multipart_id
                )

    def pending_multipart(self) -> list[str]:
        """Keys of unfinished S3 multipart uploads under the root (tests: nothing left)."""
        if self.is_local:
            return []
        bucket, _, prefix = self.root.partition("/")
        answer = self.fs.call_s3("list_multipart_uploads", Bucket=bucket, Prefix=prefix)
        return [u["Key"] for u in answer.get("Uploads", [])]


def _mtime(info: dict[str, Any]) -> float:
    """A listing entry's modification time as a POSIX time (local: ``mtime``; S3:
    ``LastModified``)."""
    if "mtime" in info:
        return float(info["mtime"])
    modified = info.get("LastModified")
    if modified is None:
        return float("inf")  # unknown: never stale
    return float(modified.timestamp())
