"""Datasets (数据集) from a notebook, a shell or a task.

``open(ref, member=None)`` gives a binary file object: the whole file, or one member of a zip
or tar.gz archive streamed out of it (nothing is extracted); ``download(ref, dest=None)`` gives
a local path. Files are fetched once and kept by their sha256 under
``$OPENI_LAB_CACHE/datasets/`` (default ``~/.cache/openi_lab/datasets/<sha256>``): the bytes
are verified, then renamed into place atomically, so a second ``download`` or ``open`` of the
same content (even under another name) transfers nothing.

``ref`` is a dataset file id (``int``), a path ``owner/project/dataset/filename``, a
:class:`~openi_lab.schemas.DatasetFile` or a :class:`~openi_lab.schemas.PickerRow` (what
:class:`openi_lab.widgets.DatasetPicker` returns).

``upload(project, dataset, path)`` sends a file, resumably, with a progress bar (a widget in a
kernel, text elsewhere).
"""

from __future__ import annotations

import builtins
import contextlib
import hashlib
import io
import os
import shutil
import sys
import tarfile
import zipfile
from pathlib import Path
from typing import IO, Any, cast

from . import schemas as s
from .client import ApiError, Client, cache_root

__all__ = ["ChecksumError", "cache_dir", "download", "open", "upload"]

Ref = int | str | s.DatasetFile | s.PickerRow

_default_client: Client | None = None


class ChecksumError(ApiError):
    """The downloaded bytes do not have the sha256 the platform recorded."""

    def __init__(self, message: str):
        super().__init__(422, message)


def _client(client: Client | None) -> Client:
    global _default_client
    if client is not None:
        return client
    if _default_client is None:
        _default_client = Client()
    return _default_client


def cache_dir() -> Path:
    """The directory holding cached dataset files, one per sha256."""
    return cache_root() / "datasets"


def _resolve(ref: Ref, client: Client) -> s.DatasetFile:
    if isinstance(ref, s.PickerRow):
        return s.DatasetFile.model_validate(
            {
                "id": ref.file_id,
                "dataset_id": ref.dataset_id,
                "name": ref.file_name,
                "size": ref.size,
                "sha256": ref.sha256,
                "kind": ref.kind,
                "creator": None,
                "created_at": ref.created_at,
                "download_count": 0,
                "path": f"{ref.path}/{ref.file_name}",
            }
        )
    if isinstance(ref, bool):
        raise TypeError("a dataset file reference cannot be a bool")
    return client.dataset_file(ref)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


@contextlib.contextmanager
def _locked(lock_path: Path) -> Any:
    """An exclusive lock between processes fetching the same content (POSIX; else none)."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows
        yield
        return
    with builtins.open(lock_path, "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fetch(ref: Ref, client: Client | None, progress: bool) -> tuple[s.DatasetFile, Path]:
    """The file's metadata and its verified copy in the cache (downloaded when missing)."""
    c = _client(client)
    f = _resolve(ref, c)
    root = cache_dir()
    cached = root / f.sha256
    if cached.is_file() and cached.stat().st_size == f.size:
        return f, cached
    root.mkdir(parents=True, exist_ok=True)
    with _locked(root / f".{f.sha256}.lock"):
        if cached.is_file() and cached.stat().st_size == f.size:
            return f, cached  # another process fetched it meanwhile
        tmp = root / f".{f.sha256}.download"
        bar = _progress_bar(f"下载 {f.name}", f.size) if progress else None
        try:
            c.download(f, tmp, progress=bar.update if bar else None)
        finally:
            if bar:
                bar.finish()
        actual = _sha256(tmp)
        if actual != f.sha256:
            tmp.unlink(missing_ok=True)
            raise ChecksumError(
                f"{f.path}: downloaded bytes have sha256 {actual}, the platform says {f.sha256}"
            )
        os.replace(tmp, cached)
    return f, cached


def download(
    ref: Ref,
    dest: str | os.PathLike[str] | None = None,
    *,
    client: Client | None = None,
    progress: bool = False,
) -> Path:
    """A local path holding the dataset file ``ref``.

    Without ``dest`` this is the cached copy itself (read it, do not change it); with
    ``dest`` (a file path, or an existing directory to put the file in under its own name)
    the cached copy is copied there.
    """
    f, cached = _fetch(ref, client, progress)
    if dest is None:
        return cached
    target = Path(dest)
    if target.is_dir():
        target = target / f.name
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.copyfile(cached, tmp)
    os.replace(tmp, target)
    return target


class _TarMember(io.BufferedIOBase):
    """A tar member's stream that also closes its archive when closed."""

    def __init__(self, archive: tarfile.TarFile, stream: IO[bytes]):
        self._archive = archive
        self._stream = stream

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        return self._stream.read(-1 if size is None else size)

    def read1(self, size: int = -1) -> bytes:
        return self._stream.read(size)

    def readline(self, size: int | None = -1) -> bytes:
        return self._stream.readline(-1 if size is None else size)

    def close(self) -> None:
        if not self.closed:
            self._stream.close()
            self._archive.close()
        super().close()


def open(
    ref: Ref,
    member: str | None = None,
    *,
    client: Client | None = None,
    progress: bool = False,
) -> IO[bytes]:
    """A binary file object: the dataset file ``ref``, or ``member`` of it (a zip or tar.gz
    archive), streamed out of the cached archive without extracting anything."""
    f, cached = _fetch(ref, client, progress)
    if member is None:
        return builtins.open(cached, "rb")
    if zipfile.is_zipfile(cached):
        with zipfile.ZipFile(cached) as archive:
            try:
                info = archive.getinfo(member)
            except KeyError:
                raise KeyError(f"{f.path} has no member {member!r}") from None
            if info.is_dir():
                raise IsADirectoryError(f"{member!r} is a directory in {f.path}")
            return archive.open(info)  # stays readable after the ZipFile is closed
    try:
        tar = tarfile.open(cached, "r:*")  # noqa: SIM115 - closed with the member stream
    except tarfile.TarError:
        raise ValueError(f"{f.path} is not a zip or tar archive") from None
    try:
        info_t = tar.getmember(member)
        stream = tar.extractfile(info_t) if info_t.isfile() else None
    except KeyError:
        tar.close()
        raise KeyError(f"{f.path} has no member {member!r}") from None
    if stream is None:
        tar.close()
        raise IsADirectoryError(f"{member!r} is not a regular file in {f.path}")
    return cast(IO[bytes], _TarMember(tar, stream))


# --- uploads -------------------------------------------------------------------------------


class _TextProgress:
    """tqdm on stderr."""

    def __init__(self, description: str, total: int):
        from tqdm import tqdm

        self._bar = tqdm(
            total=total,
            desc=description,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            file=sys.stderr,
            dynamic_ncols=True,
        )
        self._first = True

    def update(self, done: int, total: int) -> None:
        self._bar.total = total
        if self._first and done:
            if done >= total:
                self._bar.write("already stored on the platform: no bytes sent", file=sys.stderr)
            else:
                self._bar.write(f"resuming at {done} of {total} bytes", file=sys.stderr)
            # the bar starts there, and its speed counts only what is sent now
            self._bar.initial = self._bar.n = self._bar.last_print_n = done
        self._first = False
        if done > self._bar.n:
            self._bar.update(done - self._bar.n)

    def fail(self, message: str = "") -> None:
        pass

    def finish(self) -> None:
        self._bar.close()


def _in_kernel() -> bool:
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def _progress_bar(description: str, total: int) -> Any:
    """A widget bar inside a kernel, tqdm elsewhere: ``update(done, total)``, ``fail(msg)``,
    ``finish()``."""
    if _in_kernel():
        from IPython.display import display

        from .widgets import UploadProgress

        bar = UploadProgress(description=description, total=total)
        display(bar)
        return bar
    return _TextProgress(description, total)


def upload(
    project: str,
    dataset: str,
    path: str | os.PathLike[str],
    *,
    create: bool = False,
    client: Client | None = None,
    progress: bool = True,
) -> s.DatasetFile:
    """Upload ``path`` into ``dataset`` of ``project`` (``owner/name``); returns the stored
    file. Resumable: after an interruption, call it again. ``create=True`` creates the
    dataset first when it does not exist."""
    c = _client(client)
    if create:
        try:
            c.dataset(project, dataset)
        except ApiError as exc:
            if exc.status != 404:
                raise
            c.create_dataset(project, dataset)
    bar = _progress_bar(f"上传 {Path(path).name}", Path(path).stat().st_size) if progress else None
    try:
        result = c.upload(project, dataset, path, progress=bar.update if bar else None)
    except BaseException as exc:
        if bar is not None:
            bar.fail(str(exc) or type(exc).__name__)
        raise
    finally:
        if bar is not None:
            bar.finish()
    return result
