"""Validation of ref names and in-repository paths: untrusted input never reaches a repo as is."""

from __future__ import annotations

from dulwich.refs import check_ref_format

from ..services.errors import Invalid

MAX_PATH = 4096


def check_branch(name: str, field: str = "branch") -> str:
    """A branch (or tag) short name that git itself would accept."""
    if (
        not name
        or len(name) > 255
        or name.startswith("-")  # never mistaken for an option of a git command
        or not check_ref_format(b"refs/heads/" + name.encode())
    ):
        raise Invalid(field, f"'{name}' is not a valid git ref name")
    return name


def split_path(path: str, field: str = "path") -> list[str]:
    """Components of a relative repository path; refuses ``..``, absolute paths, NUL."""
    if "\x00" in path:
        raise Invalid(field, "contains a NUL byte")
    if len(path) > MAX_PATH:
        raise Invalid(field, "is too long")
    if path.startswith("/") or path.startswith("\\") or (len(path) > 1 and path[1] == ":"):
        raise Invalid(field, "must be relative to the repository root")
    parts = [p for p in path.replace("\\", "/").split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise Invalid(field, "may not contain '..'")
    if any(p == ".git" for p in parts):
        raise Invalid(field, "may not name .git")
    return parts
