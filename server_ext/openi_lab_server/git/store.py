"""Bare repositories on disk, one per project, named by project id (renames and transfers
are database updates only). Created and written with dulwich; C git serves the transport."""

from __future__ import annotations

import shutil
import stat
import time
from dataclasses import dataclass
from pathlib import Path

from dulwich.objects import Blob, Commit, Tree
from dulwich.repo import Repo

from .hooks import install_hooks

ZERO = b"0" * 40


@dataclass(frozen=True)
class Author:
    name: str
    email: str

    def ident(self) -> bytes:
        return f"{self.name} <{self.email}>".encode()


class RepoStore:
    def __init__(self, root: Path):
        self.root = root

    def path(self, project_id: int) -> Path:
        return self.root / f"{project_id}.git"

    def exists(self, project_id: int) -> bool:
        return (self.path(project_id) / "HEAD").exists()

    def open(self, project_id: int) -> Repo:
        return Repo(str(self.path(project_id)))

    def create(
        self,
        project_id: int,
        default_branch: str,
        files: dict[str, bytes] | None = None,
        author: Author | None = None,
        message: str = "Initial commit",
    ) -> Path:
        """A bare repo whose HEAD names ``default_branch``; with ``files``, one first commit."""
        path = self.path(project_id)
        if path.exists():
            shutil.rmtree(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        repo = Repo.init_bare(str(path), mkdir=True)
        try:
            repo.refs.set_symbolic_ref(b"HEAD", b"refs/heads/" + default_branch.encode())
            config = repo.get_config()
            config.set((b"http",), b"receivepack", True)
            config.set((b"receive",), b"denyDeleteCurrent", b"warn")
            config.set((b"uploadpack",), b"allowFilter", True)
            config.write_to_path()
            if files:
                assert author is not None
                self._first_commit(repo, default_branch, files, author, message)
        finally:
            repo.close()
        install_hooks(path)
        return path

    @staticmethod
    def _first_commit(
        repo: Repo, branch: str, files: dict[str, bytes], author: Author, message: str
    ) -> None:
        tree = Tree()
        for name, data in sorted(files.items()):
            blob = Blob.from_string(data)
            repo.object_store.add_object(blob)
            tree.add(name.encode(), stat.S_IFREG | 0o644, blob.id)
        repo.object_store.add_object(tree)
        commit = Commit()
        commit.tree = tree.id
        commit.author = commit.committer = author.ident()
        commit.author_time = commit.commit_time = int(time.time())
        commit.author_timezone = commit.commit_timezone = 0
        commit.encoding = b"UTF-8"
        commit.message = message.encode() + b"\n"
        repo.object_store.add_object(commit)
        repo.refs[b"refs/heads/" + branch.encode()] = commit.id

    def fork(self, source_id: int, target_id: int) -> Path:
        """A full copy of the source's objects and refs (hard links where the filesystem can)."""
        src, dst = self.path(source_id), self.path(target_id)
        if dst.exists():
            shutil.rmtree(dst)

        def copy(s: str, d: str) -> None:
            try:
                Path(d).hardlink_to(s) if "/objects/" in s else shutil.copy2(s, d)
            except OSError:
                shutil.copy2(s, d)

        shutil.copytree(src, dst, copy_function=copy, ignore=shutil.ignore_patterns("hooks"))
        install_hooks(dst)
        return dst

    def delete(self, project_id: int) -> None:
        """Move aside first, then remove: a crash mid-way leaves no half repository in place."""
        path = self.path(project_id)
        if not path.exists():
            return
        trash = path.with_name(f"{path.name}.deleting-{time.time_ns()}")
        path.rename(trash)
        shutil.rmtree(trash, ignore_errors=True)
