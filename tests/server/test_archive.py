"""Archive inspection and safe extraction: zip-slip, symlinks, bombs, non-UTF-8 names,
previews; then the same through the API."""

from __future__ import annotations

import base64
import io
import json
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from openi_lab_server.storage import archive
from s3server import upload


class RawNameInfo(zipfile.ZipInfo):
    """Writes the name as given bytes (decoded as cp437) with the UTF-8 flag unset, as old
    Windows tools write GBK names."""

    __slots__ = ()

    def _encodeFilenameFlags(self):  # type: ignore[override]
        return self.filename.encode("cp437"), self.flag_bits & ~0x800


def _png(w: int = 600, h: int = 400) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (w, h), (200, 30, 30)).save(out, format="PNG")
    return out.getvalue()


def _zip(path: Path, members: dict) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            if isinstance(name, zipfile.ZipInfo):
                zf.writestr(name, data)
            else:
                zf.writestr(name, data)
    return path


def _listing(path: Path, kind: str = "zip", per_page: int = 100) -> archive.Listing:
    with path.open("rb") as f:
        return archive.list_members(f, kind, 1, per_page)


def _flags(listing: archive.Listing) -> dict[str, list[str]]:
    return {m.name: m.flags for m in listing.items}


def _untouched(tmp_path: Path, dest: Path) -> None:
    assert not any(dest.iterdir()), list(dest.iterdir())
    assert not (tmp_path / "evil.txt").exists()


def test_zip_slip_and_absolute_paths_are_flagged_and_never_extracted(tmp_path):
    path = _zip(
        tmp_path / "slip.zip",
        {"ok.txt": b"fine", "../evil.txt": b"x", "/abs.txt": b"y", "a\\..\\..\\evil.txt": b"z"},
    )
    flags = _flags(_listing(path))
    assert flags["ok.txt"] == []
    assert flags["../evil.txt"] == ["zip-slip"] and flags["/abs.txt"] == ["absolute"]
    assert flags["a\\..\\..\\evil.txt"] == ["zip-slip"]
    assert _listing(path).archive_flags == ["absolute", "zip-slip"]
    with path.open("rb") as f, pytest.raises(archive.ArchiveError) as exc:
        archive.preview_member(f, "zip", "../evil.txt")
    assert exc.value.flag == "zip-slip"
    dest = tmp_path / "out"
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(path, dest, max_total_bytes=1 << 20)
    _untouched(tmp_path, dest)


def test_tar_slip_is_refused_too(tmp_path):
    path = tmp_path / "slip.tar.gz"
    with tarfile.open(path, "w:gz") as tf:
        info = tarfile.TarInfo("../evil.txt")
        info.size = 1
        tf.addfile(info, io.BytesIO(b"x"))
    assert _flags(_listing(path, "tar.gz"))["../evil.txt"] == ["zip-slip"]
    dest = tmp_path / "out"
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(path, dest, max_total_bytes=1 << 20)
    _untouched(tmp_path, dest)


def test_symlink_members_are_flagged_and_refused(tmp_path):
    link = zipfile.ZipInfo("link")
    link.external_attr = (stat.S_IFLNK | 0o777) << 16
    path = _zip(tmp_path / "link.zip", {link: b"/etc/passwd", "data.txt": b"d"})
    assert _flags(_listing(path))["link"] == ["symlink"]
    with path.open("rb") as f, pytest.raises(archive.ArchiveError):
        archive.preview_member(f, "zip", "link")
    dest = tmp_path / "out"
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(path, dest, max_total_bytes=1 << 20)
    _untouched(tmp_path, dest)

    tpath = tmp_path / "link.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        sym = tarfile.TarInfo("sym")
        sym.type, sym.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tf.addfile(sym)
        hard = tarfile.TarInfo("hard")
        hard.type, hard.linkname = tarfile.LNKTYPE, "/etc/shadow"
        tf.addfile(hard)
    flags = _flags(_listing(tpath, "tar.gz"))
    assert flags == {"sym": ["symlink"], "hard": ["symlink"]}
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(tpath, dest, max_total_bytes=1 << 20)
    _untouched(tmp_path, dest)


def test_a_bomb_is_flagged_without_being_inflated(tmp_path):
    path = tmp_path / "bomb.zip"
    zero = bytes(1 << 20)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf, zf.open("zeros.bin", "w") as w:
        for _ in range(200):  # 200 MB of zeros, streamed: never in memory
            w.write(zero)
    assert path.stat().st_size < 1 << 20
    listing = _listing(path)
    assert listing.items[0].size == 200 << 20 and listing.items[0].flags == ["bomb"]
    assert listing.archive_flags == ["bomb"]
    with path.open("rb") as f, pytest.raises(archive.ArchiveError) as exc:
        archive.preview_member(f, "zip", "zeros.bin")
    assert exc.value.flag == "bomb"
    dest = tmp_path / "out"
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(path, dest, max_total_bytes=1 << 40)
    _untouched(tmp_path, dest)


def test_extraction_counts_real_bytes_against_the_budget(tmp_path):
    path = _zip(tmp_path / "ok.zip", {"a/b.txt": b"x" * 1000, "c.txt": b"y" * 1000})
    dest = tmp_path / "out"
    assert sorted(archive.safe_extract(path, dest, max_total_bytes=10_000)) == ["a/b.txt", "c.txt"]
    assert (dest / "a" / "b.txt").read_bytes() == b"x" * 1000
    dest2 = tmp_path / "out2"
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(path, dest2, max_total_bytes=1500)
    assert not [p for p in dest2.rglob("*") if p.is_file()]  # partial work removed


def test_non_utf8_names_are_decoded_or_flagged(tmp_path):
    gbk = RawNameInfo("数据/标签.txt".encode("gbk").decode("cp437"))
    junk = RawNameInfo(b"\xff\xfe\xfd.txt".decode("cp437"))
    path = _zip(tmp_path / "names.zip", {gbk: b"label", junk: b"?", "普通.txt": b"utf8"})
    flags = _flags(_listing(path))
    assert flags["数据/标签.txt"] == [] and flags["普通.txt"] == []
    bad = next(n for n in flags if n.endswith(".txt") and n not in ("数据/标签.txt", "普通.txt"))
    assert flags[bad] == ["bad-name"]
    with path.open("rb") as f:
        assert archive.preview_member(f, "zip", "数据/标签.txt").text == "label"
    with path.open("rb") as f, pytest.raises(archive.ArchiveError):
        archive.preview_member(f, "zip", bad)
    with pytest.raises(archive.ArchiveError):
        archive.safe_extract(path, tmp_path / "out", max_total_bytes=1 << 20)

    tpath = tmp_path / "names.tar.gz"
    with tarfile.open(tpath, "w:gz", format=tarfile.GNU_FORMAT) as tf:
        for raw in ("中文.txt".encode("gbk"), b"\xff\xfe.bin"):
            info = tarfile.TarInfo(raw.decode("utf-8", "surrogateescape"))
            info.size = 1
            tf.addfile(info, io.BytesIO(b"x"))
    tflags = _flags(_listing(tpath, "tar.gz"))
    assert tflags["中文.txt"] == []
    assert sorted(tflags.values()) == [[], ["bad-name"]]


def test_encrypted_members_are_flagged(tmp_path):
    path = _zip(tmp_path / "enc.zip", {"secret.txt": b"s"})
    raw = bytearray(path.read_bytes())
    # set bit 0 (encrypted) in the local header and in the central directory entry
    raw[6] |= 1
    cd = raw.rfind(b"PK\x01\x02")
    raw[cd + 8] |= 1
    path.write_bytes(bytes(raw))
    assert _flags(_listing(path))["secret.txt"] == ["encrypted"]


def test_previews_text_csv_json_image_binary(tmp_path):
    rows = "\n".join(f"{i},name-{i}" for i in range(100))
    members = {
        "readme.md": "# 数据集\n" + "line\n" * 500,
        "table.csv": "id,name\n" + rows,
        "meta.json": json.dumps({"classes": ["猫", "狗"], "n": 2}),
        "img/cat.png": _png(),
        "blob.bin": bytes(range(256)) * 10,
        "notes": "plain words",
    }
    path = _zip(tmp_path / "p.zip", members)
    listing = _listing(path, per_page=2)
    assert listing.total == 6 and len(listing.items) == 2

    def preview(name: str) -> archive.PreviewData:
        with path.open("rb") as f:
            return archive.preview_member(f, "zip", name)

    md = preview("readme.md")
    assert md.kind == "text" and md.truncated and md.text.count("\n") == archive.TEXT_LINES
    csv = preview("table.csv")
    assert csv.kind == "csv" and csv.rows[0] == ["id", "name"] and len(csv.rows) == 50
    assert csv.truncated
    js = preview("meta.json")
    assert js.kind == "json" and '"猫"' in js.text and "\n  " in js.text
    img = preview("img/cat.png")
    assert img.kind == "image" and img.image.startswith("data:image/png;base64,")
    from PIL import Image

    thumb = Image.open(io.BytesIO(base64.b64decode(img.image.split(",", 1)[1])))
    assert max(thumb.size) <= 256 and thumb.size == (256, 171)
    assert preview("blob.bin").kind == "binary"
    assert preview("notes").kind == "text"
    with path.open("rb") as f, pytest.raises(archive.ArchiveError) as exc:
        archive.preview_member(f, "zip", "nope")
    assert exc.value.flag == "missing"


async def test_members_and_preview_through_the_api(api, tmp_path):
    await api.post("projects", {"name": "aiforge"})
    await api.post("projects/alice/aiforge/datasets", {"name": "mnist"})
    zpath = _zip(
        tmp_path / "x.zip",
        {"train/a.csv": "x,y\n1,2\n", "../evil.txt": "e", "train/b.txt": "hello"},
    )
    z = await upload(api, "alice/aiforge", "mnist", "x.zip", zpath.read_bytes())
    base = f"projects/alice/aiforge/datasets/mnist/files/{z['id']}/members"
    r = await api.get(base, per_page=2)
    assert r.status == 200 and r.body["total"] == 3 and len(r.body["items"]) == 2
    assert r.body["archive_flags"] == ["zip-slip"]
    first = r.body["items"][0]
    assert first == {
        "name": "train/a.csv", "size": 8, "compressed_size": first["compressed_size"],
        "is_dir": False, "flags": [], "previewable": True,
    }  # fmt: skip
    assert r.body["items"][1]["flags"] == ["zip-slip"] and not r.body["items"][1]["previewable"]
    p = await api.get(base + "/preview", name="train/a.csv")
    assert (
        p.status == 200 and p.body["kind"] == "csv" and p.body["rows"] == [["x", "y"], ["1", "2"]]
    )
    bad = await api.get(base + "/preview", name="../evil.txt")
    assert bad.status == 422 and bad.body["errors"][0]["reason"] == "zip-slip"
    assert (await api.get(base + "/preview", name="missing")).status == 404
    assert (await api.get(base + "/preview")).status == 422

    tpath = tmp_path / "y.tar.gz"
    with tarfile.open(tpath, "w:gz") as tf:
        for name in ("d/1.txt", "d/2.txt"):
            info = tarfile.TarInfo(name)
            info.size = 3
            tf.addfile(info, io.BytesIO(b"abc"))
    t = await upload(api, "alice/aiforge", "mnist", "y.tar.gz", tpath.read_bytes())
    tbase = f"projects/alice/aiforge/datasets/mnist/files/{t['id']}/members"
    r = await api.get(tbase)
    assert [m["name"] for m in r.body["items"]] == ["d/1.txt", "d/2.txt"]
    assert (await api.get(tbase + "/preview", name="d/2.txt")).body["text"] == "abc"

    other = await upload(api, "alice/aiforge", "mnist", "plain.txt", b"not an archive")
    r = await api.get(f"projects/alice/aiforge/datasets/mnist/files/{other['id']}/members")
    assert r.status == 422
