"""Archive inspection over a seekable binary file: list members, preview one, extract safely.

Pure functions, no I/O besides the file given (and ``dest_dir`` for :func:`safe_extract`):

* zip: the central directory only (no member is decompressed to list);
* tar.gz: headers streamed in one pass (tar has no index);
* every member is judged once by :func:`member_flags`: ``zip-slip`` (a ``..`` component),
  ``absolute`` (``/x``, ``C:\\x``), ``symlink`` (zip external attributes ``S_IFLNK``; tar
  symlinks and hard links), ``bomb`` (declared ratio > 100:1 on a member of ≥ 1 MiB),
  ``bad-name`` (a name neither UTF-8 nor GBK: shown as cp437), ``encrypted``;
* the archive itself is ``bomb`` when its declared total exceeds 1 GiB or 100× its size.

:func:`safe_extract` is the one place that writes archive members to disk; it refuses any
flagged member before writing anything and never writes outside ``dest_dir``.
"""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import stat
import tarfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

BOMB_TOTAL_BYTES = 1 << 30
BOMB_RATIO = 100
#: members smaller than this are never "bombs" whatever their ratio (a 100 KB CSV of zeros)
BOMB_MIN_MEMBER = 1 << 20
TEXT_LIMIT = 64 * 1024
TEXT_LINES = 200
CSV_ROWS = 50
JSON_LIMIT = 1 << 20
IMAGE_LIMIT = 32 << 20
THUMBNAIL_PX = 256

TEXT_EXT = {
    ".txt", ".md", ".rst", ".py", ".log", ".yaml", ".yml", ".toml", ".ini", ".cfg", ".xml",
    ".html", ".sh", ".c", ".h", ".cpp", ".java", ".js", ".ts", ".ipynb", ".names", ".jsonl",
}  # fmt: skip
CSV_EXT = {".csv", ".tsv"}
JSON_EXT = {".json"}
IMAGE_EXT = {".png", ".jpg", ".jpeg", ".gif", ".bmp", ".webp", ".tif", ".tiff"}
_DRIVE = re.compile(r"^[A-Za-z]:")


class ArchiveError(Exception):
    """A member that may not be read or written; ``flag`` says why (or ``missing``)."""

    def __init__(self, message: str, flag: str = "invalid"):
        super().__init__(message)
        self.flag = flag


@dataclass
class Member:
    name: str
    size: int
    compressed_size: int
    is_dir: bool
    flags: list[str] = field(default_factory=list)
    previewable: bool = False


@dataclass
class Listing:
    items: list[Member]
    total: int
    archive_flags: list[str]


def kind_of(filename: str) -> str:
    """``zip``, ``tar.gz`` or ``other``, from the file name."""
    lower = filename.lower()
    if lower.endswith(".zip"):
        return "zip"
    if lower.endswith((".tar.gz", ".tgz")):
        return "tar.gz"
    return "other"


def _decode_raw(raw: bytes) -> tuple[str, bool]:
    """(name, bad): UTF-8, else GBK, else cp437 flagged ``bad-name``."""
    for encoding in ("utf-8", "gbk"):
        try:
            return raw.decode(encoding), False
        except UnicodeDecodeError:
            pass
    return raw.decode("cp437"), True


def _zip_name(info: zipfile.ZipInfo) -> tuple[str, bool]:
    if info.flag_bits & 0x800 or info.filename.isascii():
        return info.filename, False
    # zipfile decoded the raw bytes as cp437 (bit 11 unset): recover them and try again
    return _decode_raw(info.filename.encode("cp437"))


def _tar_name(info: tarfile.TarInfo) -> tuple[str, bool]:
    try:
        info.name.encode("utf-8")
        return info.name, False
    except UnicodeEncodeError:  # surrogate-escaped bytes that were not UTF-8
        return _decode_raw(info.name.encode("utf-8", "surrogateescape"))


def path_flags(name: str) -> list[str]:
    flags = []
    norm = name.replace("\\", "/")
    if norm.startswith("/") or _DRIVE.match(norm):
        flags.append("absolute")
    if ".." in norm.split("/"):
        flags.append("zip-slip")
    return flags


def _ratio_bomb(size: int, compressed: int) -> bool:
    return size >= BOMB_MIN_MEMBER and size > BOMB_RATIO * max(compressed, 1)


def _previewable(m: Member) -> bool:
    return not m.is_dir and not m.flags


def _zip_member(info: zipfile.ZipInfo) -> Member:
    name, bad = _zip_name(info)
    flags = path_flags(name)
    mode = info.external_attr >> 16
    if stat.S_ISLNK(mode):
        flags.append("symlink")
    if _ratio_bomb(info.file_size, info.compress_size):
        flags.append("bomb")
    if bad:
        flags.append("bad-name")
    if info.flag_bits & 0x1:
        flags.append("encrypted")
    m = Member(name, info.file_size, info.compress_size, info.is_dir(), flags)
    m.previewable = _previewable(m)
    return m


def _tar_member(info: tarfile.TarInfo) -> Member:
    name, bad = _tar_name(info)
    flags = path_flags(name)
    if info.issym() or info.islnk():
        flags.append("symlink")
    if bad:
        flags.append("bad-name")
    m = Member(name, info.size, info.size, info.isdir(), flags)
    m.previewable = _previewable(m) and info.isfile()
    return m


def _file_size(f: IO[bytes]) -> int:
    pos = f.tell()
    f.seek(0, os.SEEK_END)
    size = f.tell()
    f.seek(pos)
    return size


def _archive_flags(members_flags: set[str], total: int, archive_size: int) -> list[str]:
    flags = set(members_flags)
    if total > BOMB_TOTAL_BYTES or (
        total >= BOMB_MIN_MEMBER and total > BOMB_RATIO * max(archive_size, 1)
    ):
        flags.add("bomb")
    return sorted(flags)


def _open_zip(f: IO[bytes]) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(f)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ArchiveError(f"not a readable zip archive: {exc}") from exc


def _tar_stream(f: IO[bytes]) -> Iterator[tuple[tarfile.TarFile, tarfile.TarInfo]]:
    f.seek(0)
    try:
        with tarfile.open(fileobj=f, mode="r|gz") as tf:
            for info in tf:
                yield tf, info
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise ArchiveError(f"not a readable tar.gz archive: {exc}") from exc


def list_members(f: IO[bytes], kind: str, page: int = 1, per_page: int = 100) -> Listing:
    """One page of members (in archive order) with the flags of every member and the archive."""
    start, stop = (page - 1) * per_page, page * per_page
    items: list[Member] = []
    seen: set[str] = set()
    total = declared = 0
    archive_size = _file_size(f)
    if kind == "zip":
        with _open_zip(f) as zf:
            for info in zf.infolist():
                m = _zip_member(info)
                if start <= total < stop:
                    items.append(m)
                total += 1
                declared += m.size
                seen.update(m.flags)
    elif kind == "tar.gz":
        for _, tinfo in _tar_stream(f):
            m = _tar_member(tinfo)
            if start <= total < stop:
                items.append(m)
            total += 1
            declared += m.size
            seen.update(m.flags)
    else:
        raise ArchiveError("only zip and tar.gz archives have members", "not-archive")
    return Listing(items, total, _archive_flags(seen, declared, archive_size))


# --- preview -------------------------------------------------------------------------------


@dataclass
class PreviewData:
    name: str
    kind: str
    text: str | None = None
    rows: list[list[str]] | None = None
    truncated: bool = False
    image: str | None = None


def _preview_kind(name: str) -> str:
    suffix = PurePosixPath(name.lower()).suffix
    if suffix in CSV_EXT:
        return "csv"
    if suffix in JSON_EXT:
        return "json"
    if suffix in IMAGE_EXT:
        return "image"
    if suffix in TEXT_EXT:
        return "text"
    return "sniff"


def _decode_text(data: bytes) -> str:
    for encoding in ("utf-8", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _read(stream: IO[bytes], limit: int) -> tuple[bytes, bool]:
    """At most ``limit`` bytes and whether more followed."""
    data = stream.read(limit + 1)
    return data[:limit], len(data) > limit


def _text_head(data: bytes, more: bool) -> tuple[str, bool]:
    if more:  # do not cut a multi-byte character in half
        cut = data.rfind(b"\n")
        data = data[: cut + 1] if cut > 0 else data
    text = _decode_text(data)
    lines = text.splitlines(keepends=True)
    if len(lines) > TEXT_LINES:
        return "".join(lines[:TEXT_LINES]), True
    return text, more


def preview_stream(name: str, stream: IO[bytes]) -> PreviewData:
    """Preview from a stream positioned at the member's first byte; reads only a head."""
    kind = _preview_kind(name)
    if kind == "image":
        data, more = _read(stream, IMAGE_LIMIT)
        if more:
            return PreviewData(name, "binary", truncated=True)
        return PreviewData(name, "image", image=_thumbnail(data))
    if kind == "json":
        data, more = _read(stream, JSON_LIMIT)
        if not more:
            try:
                pretty = json.dumps(json.loads(_decode_text(data)), indent=2, ensure_ascii=False)
                text, truncated = _text_head(pretty.encode(), False)
                if len(text) > TEXT_LIMIT:
                    text, truncated = text[:TEXT_LIMIT], True
                return PreviewData(name, "json", text=text, truncated=truncated)
            except ValueError:
                pass
        text, truncated = _text_head(data[:TEXT_LIMIT], more or len(data) > TEXT_LIMIT)
        return PreviewData(name, "text", text=text, truncated=truncated)
    data, more = _read(stream, TEXT_LIMIT)
    if kind == "sniff":
        if b"\x00" in data[:8192]:
            return PreviewData(name, "binary", truncated=more)
        try:
            (data[:-4] if more else data).decode("utf-8")
        except UnicodeDecodeError:
            return PreviewData(name, "binary", truncated=more)
        kind = "text"
    if kind == "csv":
        text, truncated = _text_head(data, more)
        delimiter = "\t" if name.lower().endswith(".tsv") else ","
        rows: list[list[str]] = []
        for row in csv.reader(io.StringIO(text), delimiter=delimiter):
            if len(rows) == CSV_ROWS:
                truncated = True
                break
            rows.append(row)
        return PreviewData(name, "csv", rows=rows, truncated=truncated)
    text, truncated = _text_head(data, more)
    return PreviewData(name, "text", text=text, truncated=truncated)


def _thumbnail(data: bytes) -> str | None:
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as opened:
            img: Image.Image = opened
            if img.width * img.height > 64_000_000:  # decompression-bomb-sized pixel counts
                return None
            img.draft("RGB", (THUMBNAIL_PX, THUMBNAIL_PX))
            img.thumbnail((THUMBNAIL_PX, THUMBNAIL_PX))
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            out = io.BytesIO()
            img.save(out, format="PNG")
    except Exception:  # Pillow raises many kinds for bad images
        return None
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


def preview_member(f: IO[bytes], kind: str, name: str) -> PreviewData:
    """Preview one member, decompressed on the fly; flagged members are refused."""
    if kind == "zip":
        with _open_zip(f) as zf:
            for info in zf.infolist():
                m = _zip_member(info)
                if m.name != name:
                    continue
                _refuse(m)
                with zf.open(info) as stream:
                    return preview_stream(name, stream)
    elif kind == "tar.gz":
        for tf, tinfo in _tar_stream(f):
            m = _tar_member(tinfo)
            if m.name != name:
                continue
            _refuse(m)
            if not tinfo.isfile():
                raise ArchiveError(f"'{name}' is not a regular file", "not-file")
            member = tf.extractfile(tinfo)
            assert member is not None
            return preview_stream(name, member)
    else:
        raise ArchiveError("only zip and tar.gz archives have members", "not-archive")
    raise ArchiveError(f"no member '{name}'", "missing")


def _refuse(m: Member) -> None:
    if m.flags:
        raise ArchiveError(f"member '{m.name}' is refused: {', '.join(m.flags)}", m.flags[0])
    if m.is_dir:
        raise ArchiveError(f"'{m.name}' is a directory", "not-file")


# --- extraction ----------------------------------------------------------------------------


def _sniff(path: Path) -> str:
    if zipfile.is_zipfile(path):
        return "zip"
    with path.open("rb") as f:
        if f.read(2) == b"\x1f\x8b":
            return "tar.gz"
    raise ArchiveError(f"{path.name} is neither zip nor tar.gz", "not-archive")


def _inside(dest: Path, name: str) -> Path:
    target = (dest / name.replace("\\", "/")).resolve()
    if target != dest and dest not in target.parents:
        raise ArchiveError(f"'{name}' would be written outside the destination", "zip-slip")
    return target


def safe_extract(
    archive_path: str | Path, dest_dir: str | Path, *, max_total_bytes: int
) -> list[str]:
    """Extract a zip or tar.gz into ``dest_dir``; returns the files written (relative names).

    Every member is judged first; one flagged member (or a declared total above
    ``max_total_bytes``) refuses the whole archive before anything is written. While writing,
    bytes are counted again (declared sizes can lie) and no path leaves ``dest_dir``; on any
    failure the files written so far are removed.
    """
    archive_path, dest = Path(archive_path), Path(dest_dir)
    dest.mkdir(parents=True, exist_ok=True)
    dest = dest.resolve()
    kind = _sniff(archive_path)
    with archive_path.open("rb") as f:
        listing = list_members(f, kind, 1, 1)
        if listing.archive_flags:
            raise ArchiveError(
                f"archive refused: {', '.join(listing.archive_flags)}", listing.archive_flags[0]
            )
    written: list[Path] = []
    budget = [max_total_bytes]

    def copy(stream: IO[bytes], name: str) -> None:
        target = _inside(dest, name)
        target.parent.mkdir(parents=True, exist_ok=True)
        _inside(dest, str(target.parent.relative_to(dest)))  # no symlinked parent
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0))
        written.append(target)
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(1 << 20):
                budget[0] -= len(chunk)
                if budget[0] < 0:
                    raise ArchiveError(f"more than {max_total_bytes} bytes", "bomb")
                out.write(chunk)

    try:
        with archive_path.open("rb") as f:
            if kind == "zip":
                with zipfile.ZipFile(f) as zf:
                    for info in zf.infolist():
                        m = _zip_member(info)
                        if m.is_dir:
                            _inside(dest, m.name).mkdir(parents=True, exist_ok=True)
                            continue
                        with zf.open(info) as stream:
                            copy(stream, m.name)
            else:
                for tf, tinfo in _tar_stream(f):
                    m = _tar_member(tinfo)
                    if tinfo.isdir():
                        _inside(dest, m.name).mkdir(parents=True, exist_ok=True)
                    elif tinfo.isfile():
                        member = tf.extractfile(tinfo)
                        assert member is not None
                        copy(member, m.name)
                    # devices, fifos: skipped
    except BaseException:
        for p in written:
            p.unlink(missing_ok=True)
        raise
    return [str(p.relative_to(dest)) for p in written]
