"""A task's work directory and environment.

``<data_dir>/tasks/<id>/`` holds ``code/`` (the repository exported at the recorded commit),
``dataset`` (a link to the dataset extracted ONCE per sha256 under
``<data_dir>/dataset-cache/<sha256>/``, read-only), ``model/`` (outputs) and ``logs/task.log``.
Everything here is blocking: call it in a thread.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shlex
import shutil
import stat
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from ..storage.archive import safe_extract

#: The extracted size a dataset may reach on disk.
MAX_DATASET_BYTES = 200 << 30
LOG_NAME = "task.log"
EXIT_NAME = "exit_code"


@dataclass(frozen=True)
class WorkDir:
    root: Path

    @property
    def code(self) -> Path:
        return self.root / "code"

    @property
    def dataset(self) -> Path:
        return self.root / "dataset"

    @property
    def model(self) -> Path:
        return self.root / "model"

    @property
    def logs(self) -> Path:
        return self.root / "logs"

    @property
    def pretrain_model(self) -> Path:
        """A link to the model version's files (inference, evaluation), read-only."""
        return self.root / "pretrain_model"

    @property
    def log_file(self) -> Path:
        return self.logs / LOG_NAME

    @property
    def exit_file(self) -> Path:
        return self.logs / EXIT_NAME


def task_dir(data_dir: str | Path, task_id: int) -> WorkDir:
    return WorkDir(Path(data_dir) / "tasks" / str(task_id))


def export_tree(repo_path: Path, commit_id: str, dest: Path) -> int:
    """Write the files of ``commit_id`` under ``dest``; links and submodules are skipped."""
    repo = Repo(str(repo_path))
    try:
        commit = repo[commit_id.encode()]
        assert isinstance(commit, Commit)
        count = 0
        stack: list[tuple[bytes, Path]] = [(commit.tree, dest)]
        while stack:
            tree_id, where = stack.pop()
            tree = repo[tree_id]
            assert isinstance(tree, Tree)
            where.mkdir(parents=True, exist_ok=True)
            for item in tree.items():
                name = item.path.decode("utf-8", errors="replace")
                if name in (".", "..", ".git") or "/" in name:
                    continue
                assert item.mode is not None and item.sha is not None
                if stat.S_ISDIR(item.mode):
                    stack.append((item.sha, where / name))
                elif stat.S_ISREG(item.mode):
                    blob = repo[item.sha]
                    assert isinstance(blob, Blob)
                    target = where / name
                    target.write_bytes(blob.as_raw_string())
                    if item.mode & 0o111:
                        target.chmod(0o755)
                    count += 1
        return count
    finally:
        repo.close()


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """An exclusive file lock on ``path`` (other processes and servers sharing the data
    directory wait for it); blocking."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def log_tail(path: Path, limit: int = 1500) -> str:
    """The last ``limit`` bytes of a log, from a line start (a failure's reason quotes it)."""
    try:
        with open(path, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            f.seek(max(size - limit, 0))
            data = f.read()
    except FileNotFoundError:
        return ""
    text = data.decode(errors="replace")
    if size > limit:
        text = text.split("\n", 1)[-1]
    return text.strip()


def _make_read_only(root: Path) -> None:
    for dirpath, _, filenames in os.walk(root):
        for f in filenames:
            p = Path(dirpath) / f
            if not p.is_symlink():
                p.chmod(0o444)
        Path(dirpath).chmod(0o555)


def cached_dataset(
    data_dir: str | Path,
    sha256: str,
    filename: str,
    kind: str,
    open_blob: Callable[[], IO[bytes]],
) -> tuple[Path, bool]:
    """The dataset extracted (zip, tar.gz) or copied (other) once per content; → (dir, new).

    A file lock makes concurrent tasks (and servers sharing ``data_dir``) wait for the one
    extraction; a half-done extraction never becomes visible (it is renamed into place).
    """
    cache = Path(data_dir) / "dataset-cache"
    final = cache / sha256
    if final.is_dir():
        return final, False
    with locked(cache / f".{sha256}.lock"):
        if final.is_dir():
            return final, False
        tmp = cache / f".{sha256}.{uuid.uuid4().hex}.tmp"
        archive = cache / f".{sha256}.{uuid.uuid4().hex}.src"
        try:
            with open_blob() as src, open(archive, "wb") as out:
                shutil.copyfileobj(src, out, 1 << 20)
            if kind in ("zip", "tar.gz"):
                safe_extract(archive, tmp, max_total_bytes=MAX_DATASET_BYTES)
            else:
                tmp.mkdir(parents=True)
                shutil.copyfile(archive, tmp / filename)
            _make_read_only(tmp)
            tmp.rename(final)
        except BaseException:
            if tmp.exists():
                for dirpath, _, _ in os.walk(tmp):
                    Path(dirpath).chmod(0o755)
                shutil.rmtree(tmp, ignore_errors=True)
            raise
        finally:
            archive.unlink(missing_ok=True)
    return final, True


def prepare(
    wd: WorkDir,
    repo_path: Path,
    commit_id: str,
    dataset_dir: Path | None,
    snapshot: tuple[str, bytes] | None = None,
) -> None:
    """code/, dataset (a link into the cache), model/ and logs/, from scratch; a notebook
    ``snapshot`` (file name, bytes) lands in code/ beside the repository's files."""
    if wd.root.exists():
        remove(wd)
    wd.root.mkdir(parents=True)
    if commit_id:  # a snapshot task of a project without commits has none
        export_tree(repo_path, commit_id, wd.code)
    wd.code.mkdir(exist_ok=True)
    if snapshot is not None:
        (wd.code / Path(snapshot[0]).name).write_bytes(snapshot[1])
    if dataset_dir is not None:
        wd.dataset.symlink_to(dataset_dir, target_is_directory=True)
    else:
        wd.dataset.mkdir()
    wd.model.mkdir()
    wd.logs.mkdir()
    wd.log_file.touch()


def remove(wd: WorkDir) -> None:
    """Delete a task's directory (the dataset cache it links to stays)."""
    if wd.dataset.is_symlink():
        wd.dataset.unlink()
    shutil.rmtree(wd.root, ignore_errors=True)


def command(
    boot_file: str, params: list[tuple[str, str]], python: str = sys.executable
) -> list[str]:
    """``train.py`` → ``python -u train.py --name=value …``; ``nb.ipynb`` → the notebook run
    by :mod:`openi_lab.task_runner` (nbclient, parameters injected); ``sh:cmd`` →
    ``sh -c 'cmd …'``."""
    args = [f"--{name}={value}" for name, value in params]
    if boot_file.startswith("sh:"):
        line = boot_file[3:]
        if args:
            line += " " + shlex.join(args)
        return ["/bin/sh", "-c", line]
    if boot_file.endswith(".ipynb"):  # -P: a repository's own ``openi_lab/`` cannot shadow it
        return [python, "-u", "-P", "-m", "openi_lab.task_runner", boot_file, *args]
    return [python, "-u", boot_file, *args]


#: Variables of the server that a task must not inherit.
_PRIVATE_PREFIXES = ("JUPYTER", "JPY_", "OPENI_LAB_")


def environment(
    wd: WorkDir, task_id: int, compute: str, devices: list[str], python: str = sys.executable
) -> dict[str, str]:
    """The task's environment: the server's minus its secrets, plus the OPENI_* paths; an
    image's ``python`` puts its environment's ``bin`` first on PATH (``sh:`` boot files)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(_PRIVATE_PREFIXES)}
    if python != sys.executable:
        bin_dir = os.path.dirname(python)
        env["PATH"] = os.pathsep.join([bin_dir, env.get("PATH", os.defpath)])
        env["VIRTUAL_ENV"] = os.path.dirname(bin_dir)
    ids = ",".join(d.split(":", 1)[1] for d in devices)
    env.update(
        OPENI_TASK_ID=str(task_id),
        OPENI_CODE_DIR=str(wd.code),
        OPENI_DATASET_DIR=str(wd.dataset),
        OPENI_MODEL_DIR=str(wd.model),
        OPENI_PRETRAIN_MODEL_DIR=str(wd.pretrain_model),
        OPENI_PYTHON=python,  # the interpreter ``.py`` boot files run with
        PYTHONUNBUFFERED="1",
        CUDA_VISIBLE_DEVICES=ids if compute == "GPU" else "",
    )
    if compute == "NPU":
        env["ASCEND_VISIBLE_DEVICES"] = ids
        env["ASCEND_RT_VISIBLE_DEVICES"] = ids
    return env


def link_pretrain_model(wd: WorkDir, model_dir: Path | None) -> None:
    """``pretrain_model`` → the version's files in the model cache (an empty folder if none)."""
    if model_dir is not None:
        wd.pretrain_model.symlink_to(model_dir, target_is_directory=True)
    else:
        wd.pretrain_model.mkdir(exist_ok=True)
