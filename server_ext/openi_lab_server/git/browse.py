"""Reading a repository: refs, trees, files, history, diffs. Plain functions over a dulwich
``Repo``; callers run them in a thread so the event loop never blocks on git objects."""

from __future__ import annotations

import io
import stat
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from dulwich.diff_tree import tree_changes
from dulwich.objects import Blob, Commit, Tag, Tree, TreeEntry
from dulwich.patch import write_object_diff
from dulwich.repo import Repo
from dulwich.walk import Walker

from ..services.errors import Invalid, NotFound
from .names import check_branch, split_path

#: diffs larger than this are summarised, not shown
MAX_PATCH_BYTES = 200_000
MAX_DIFF_FILES = 300


@dataclass
class Entry:
    name: str
    path: str
    type: str  # file | dir | symlink | submodule
    size: int | None
    sha: str
    target: str | None = None


def _commit_time(c: Commit) -> datetime:
    return datetime.fromtimestamp(c.commit_time, timezone(timedelta(seconds=c.commit_timezone)))


def commit_info(c: Commit) -> dict[str, Any]:
    author = c.author.decode(errors="replace")
    name, _, email = author.partition(" <")
    message = c.message.decode(errors="replace")
    return {
        "sha": c.id.decode(),
        "short_sha": c.id.decode()[:10],
        "message": message,
        "summary": message.split("\n", 1)[0][:200],
        "author_name": name,
        "author_email": email.rstrip(">"),
        "authored_at": datetime.fromtimestamp(
            c.author_time, timezone(timedelta(seconds=c.author_timezone))
        ).astimezone(UTC),
        "committed_at": _commit_time(c).astimezone(UTC),
        "parents": [p.decode() for p in c.parents],
    }


def branches(repo: Repo) -> list[dict[str, Any]]:
    out = []
    for ref, sha in sorted(repo.refs.as_dict(b"refs/heads").items()):
        commit = repo[sha]
        out.append({"name": ref.decode(), "commit": commit_info(commit)})
    return out


def tags(repo: Repo) -> list[dict[str, Any]]:
    out = []
    for ref, sha in sorted(repo.refs.as_dict(b"refs/tags").items()):
        obj = repo[sha]
        while isinstance(obj, Tag):
            obj = repo[obj.object[1]]
        if isinstance(obj, Commit):
            out.append({"name": ref.decode(), "commit": commit_info(obj)})
    return out


def resolve(repo: Repo, ref: str | None, default_branch: str) -> Commit:
    """A branch, a tag, or a commit sha (7+ hex digits) → the commit; 404 when none."""
    ref = ref or default_branch
    if "\x00" in ref or ".." in ref:
        raise Invalid("ref", f"'{ref}' is not a valid ref")
    candidates = []
    if not all(c in "0123456789abcdef" for c in ref) or len(ref) < 7:
        check_branch(ref, "ref")
    candidates += [b"refs/heads/" + ref.encode(), b"refs/tags/" + ref.encode()]
    refs = repo.refs.as_dict()
    for name in candidates:
        if name in refs:
            obj = repo[refs[name]]
            while isinstance(obj, Tag):
                obj = repo[obj.object[1]]
            if isinstance(obj, Commit):
                return obj
    if 7 <= len(ref) <= 40 and all(c in "0123456789abcdef" for c in ref):
        if len(ref) == 40 and ref.encode() in repo.object_store:
            obj = repo[ref.encode()]
            if isinstance(obj, Commit):
                return obj
        matches = [sha for sha in repo.object_store if sha.startswith(ref.encode())][:2]
        if len(matches) == 1 and isinstance(repo[matches[0]], Commit):
            return repo[matches[0]]
    raise NotFound(f"ref '{ref}'")


def _walk(repo: Repo, commit: Commit, parts: list[str]) -> tuple[int, bytes]:
    """(mode, sha) of the object at ``parts``; never follows a symlink."""
    mode, sha = stat.S_IFDIR, commit.tree
    walked: list[str] = []
    for part in parts:
        if not stat.S_ISDIR(mode):
            kind = "symbolic link" if stat.S_ISLNK(mode) else "file"
            raise Invalid("path", f"'{'/'.join(walked)}' is a {kind}, not a directory")
        tree = repo[sha]
        assert isinstance(tree, Tree)
        try:
            mode, sha = tree[part.encode()]
        except KeyError:
            raise NotFound(f"path '{'/'.join(parts)}'") from None
        walked.append(part)
    return mode, sha


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "dir"
    if stat.S_ISLNK(mode):
        return "symlink"
    if mode == 0o160000:
        return "submodule"
    return "file"


def tree(repo: Repo, commit: Commit, path: str) -> list[Entry]:
    parts = split_path(path)
    mode, sha = _walk(repo, commit, parts)
    if not stat.S_ISDIR(mode):
        raise Invalid("path", f"'{path}' is not a directory")
    obj = repo[sha]
    assert isinstance(obj, Tree)
    entries = []
    for item in obj.iteritems():
        name = item.path.decode(errors="replace")
        kind = _kind(item.mode)
        size = target = None
        if kind in ("file", "symlink"):
            blob = repo[item.sha]
            size = blob.raw_length()
            if kind == "symlink":
                target = blob.as_raw_string().decode(errors="replace")
        entries.append(Entry(name, "/".join([*parts, name]), kind, size, item.sha.decode(), target))
    entries.sort(key=lambda e: (e.type != "dir", e.name.lower()))
    return entries


def blob(repo: Repo, commit: Commit, path: str) -> Blob:
    """The file at ``path``; a directory, a symlink or a submodule answers 422."""
    parts = split_path(path)
    if not parts:
        raise Invalid("path", "names the repository root, not a file")
    mode, sha = _walk(repo, commit, parts)
    kind = _kind(mode)
    if kind == "symlink":
        raise Invalid("path", f"'{path}' is a symbolic link; links are never followed")
    if kind != "file":
        raise Invalid("path", f"'{path}' is a {kind}, not a file")
    obj = repo[sha]
    assert isinstance(obj, Blob)
    return obj


def log(
    repo: Repo, commit: Commit, path: str | None, skip: int, limit: int
) -> tuple[list[dict[str, Any]], bool]:
    """A page of history (newest first), optionally only commits touching ``path``."""
    paths = ["/".join(split_path(path)).encode()] if path else None
    walker = Walker(repo.object_store, [commit.id], paths=paths, max_entries=skip + limit + 1)
    entries = list(walker)
    page = [commit_info(e.commit) for e in entries[skip : skip + limit]]
    return page, len(entries) > skip + limit


def diff(repo: Repo, old_tree: bytes | None, new_tree: bytes) -> list[dict[str, Any]]:
    files: list[dict[str, Any]] = []
    budget = MAX_PATCH_BYTES
    for change in tree_changes(repo.object_store, old_tree, new_tree):
        if len(files) >= MAX_DIFF_FILES:
            files.append({"path": "…", "status": "truncated", "patch": None})
            break
        old = change.old if change.old is not None else TreeEntry(None, None, None)
        new = change.new if change.new is not None else TreeEntry(None, None, None)
        path = (new.path or old.path).decode(errors="replace")
        status = {"add": "added", "delete": "deleted", "modify": "modified"}.get(
            change.type, change.type
        )
        buf = io.BytesIO()
        write_object_diff(
            buf,
            repo.object_store,
            (old.path, old.mode, old.sha),
            (new.path, new.mode, new.sha),
        )
        patch = buf.getvalue()
        additions = sum(
            1 for ln in patch.splitlines() if ln.startswith(b"+") and not ln.startswith(b"+++")
        )
        deletions = sum(
            1 for ln in patch.splitlines() if ln.startswith(b"-") and not ln.startswith(b"---")
        )
        shown = patch.decode(errors="replace") if len(patch) <= budget else None
        budget -= len(patch) if shown is not None else 0
        files.append(
            {
                "path": path,
                "old_path": old.path.decode(errors="replace") if old.path else None,
                "status": status,
                "additions": additions,
                "deletions": deletions,
                "binary": b"Binary files" in patch[:500],
                "patch": shown,
            }
        )
    return files


def commit_diff(repo: Repo, commit: Commit) -> list[dict[str, Any]]:
    parent_tree = repo[commit.parents[0]].tree if commit.parents else None
    return diff(repo, parent_tree, commit.tree)


def merge_base(repo: Repo, a: bytes, b: bytes) -> bytes | None:
    from dulwich.graph import find_merge_base

    bases = find_merge_base(repo, [a, b])
    return bases[0] if bases else None


def compare(repo: Repo, base: Commit, head: Commit) -> dict[str, Any]:
    """What ``head`` has that ``base`` lacks: commits ahead/behind and the three-dot diff."""
    mb = merge_base(repo, base.id, head.id)
    ahead = [e.commit for e in Walker(repo.object_store, [head.id], exclude=[base.id])]
    behind = sum(1 for _ in Walker(repo.object_store, [base.id], exclude=[head.id]))
    base_tree = repo[mb].tree if mb else None
    return {
        "base": base.id.decode(),
        "head": head.id.decode(),
        "merge_base": mb.decode() if mb else None,
        "ahead_by": len(ahead),
        "behind_by": behind,
        "commits": [commit_info(c) for c in ahead[:250]],
        "files": diff(repo, base_tree, head.tree),
    }


def find_readme(repo: Repo, commit: Commit) -> tuple[str, Blob] | None:
    root = repo[commit.tree]
    assert isinstance(root, Tree)
    for item in root.iteritems():
        name = item.path.decode(errors="replace")
        if (
            name.lower() in ("readme.md", "readme.markdown", "readme", "readme.txt")
            and _kind(item.mode) == "file"
        ):
            obj = repo[item.sha]
            assert isinstance(obj, Blob)
            return name, obj
    return None
