"""Datasets through the REST API: CRUD, visibility, files, downloads, favourites, delete rules,
limits and the upload expiry job (local storage; S3 in test_uploads_storage.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update

from s3server import patch_chunk, sha, start_upload, upload


async def _project(api, name: str = "aiforge", **extra) -> None:
    r = await api.post("projects", {"name": name, **extra})
    assert r.status == 201, r.body


async def test_dataset_crud_visibility_and_lists(api, as_user):
    await _project(api)
    r = await api.post(
        "projects/alice/aiforge/datasets", {"name": "mnist", "description": "手写数字"}
    )
    assert r.status == 201, r.body
    ds = r.body
    assert ds["project"] == "alice/aiforge" and ds["visibility"] == "public"
    assert ds["creator"]["username"] == "alice" and ds["role"] == "owner"
    assert (ds["num_files"], ds["total_size"], ds["favorite"]) == (0, 0, False)
    assert (await api.post("projects/alice/aiforge/datasets", {"name": "MNIST"})).status == 409
    bad = await api.post("projects/alice/aiforge/datasets", {"name": "../x"})
    assert bad.status == 422 and bad.body["errors"][0]["field"] == "name"
    long = await api.post(
        "projects/alice/aiforge/datasets", {"name": "d", "description": "x" * 1025}
    )
    assert long.status == 422
    secret = await api.post(
        "projects/alice/aiforge/datasets", {"name": "secret", "visibility": "private"}
    )
    assert secret.status == 201

    bob = await as_user("bob")
    assert (await bob.post("projects/alice/aiforge/datasets", {"name": "b"})).status == 403
    assert (await bob.get("projects/alice/aiforge/datasets/mnist")).status == 200
    assert (await bob.get("projects/alice/aiforge/datasets/secret")).status == 404
    assert (await bob.patch("projects/alice/aiforge/datasets/mnist", {"name": "x"})).status == 403
    listed = await bob.get("projects/alice/aiforge/datasets")
    assert [d["name"] for d in listed.body["items"]] == ["mnist"] and listed.body["total"] == 1
    mine = await api.get("projects/alice/aiforge/datasets")
    assert [d["name"] for d in mine.body["items"]] == ["secret", "mnist"]  # newest first

    patched = await api.patch(
        "projects/alice/aiforge/datasets/mnist", {"name": "mnist-v2", "description": "new"}
    )
    assert patched.status == 200 and patched.body["name"] == "mnist-v2"
    assert (await api.get("projects/alice/aiforge/datasets/mnist")).status == 404
    taken = await api.patch("projects/alice/aiforge/datasets/mnist-v2", {"name": "secret"})
    assert taken.status == 409

    assert (await bob.get("datasets")).body["total"] == 1
    assert (await api.get("datasets")).body["total"] == 2
    assert (await api.get("datasets", scope="public")).body["total"] == 1
    assert (await api.get("datasets", scope="mine")).body["total"] == 2
    assert (await bob.get("datasets", scope="mine")).body["total"] == 0
    assert (await api.get("datasets", q="new")).body["items"][0]["name"] == "mnist-v2"
    assert (await api.get("datasets", scope="nope")).status == 422

    # a private project hides its public datasets too
    await _project(api, "hidden", visibility="private")
    await api.post("projects/alice/hidden/datasets", {"name": "pub"})
    assert (await bob.get("projects/alice/hidden/datasets/pub")).status == 404
    assert (await bob.get("datasets")).body["total"] == 1
    assert (await api.delete("projects/alice/aiforge/datasets/secret")).status == 204
    assert (await api.get("projects/alice/aiforge/datasets/secret")).status == 404


async def test_upload_files_download_ranges_and_counter(api, as_user, platform):
    await _project(api)
    await api.post("projects/alice/aiforge/datasets", {"name": "mnist"})
    data = bytes(range(256)) * 40  # 10240 bytes, three chunks of 4000
    f = await upload(api, "alice/aiforge", "mnist", "train.bin", data, chunk=4000)
    assert f["size"] == len(data) and f["sha256"] == sha(data) and f["kind"] == "other"
    assert f["path"] == "alice/aiforge/mnist/train.bin" and f["creator"]["username"] == "alice"
    ds = (await api.get("projects/alice/aiforge/datasets/mnist")).body
    assert (ds["num_files"], ds["total_size"]) == (1, len(data))
    z = await upload(api, "alice/aiforge", "mnist", "images.zip", b"PK-not-really")
    files = await api.get("projects/alice/aiforge/datasets/mnist/files")
    assert [x["name"] for x in files.body["items"]] == ["images.zip", "train.bin"]
    assert files.body["items"][0]["kind"] == "zip" and z["kind"] == "zip"

    base = f"projects/alice/aiforge/datasets/mnist/files/{f['id']}/download"
    full = await api.fetch(*["openi", "api", "v1", *base.split("/")], raise_error=False)
    assert full.code == 200 and full.body == data
    assert full.headers["ETag"] == f'"{sha(data)}"' and full.headers["Accept-Ranges"] == "bytes"
    assert int(full.headers["Content-Length"]) == len(data)
    assert "train.bin" in full.headers["Content-Disposition"]

    async def ranged(spec: str):
        return await api.fetch(
            *["openi", "api", "v1", *base.split("/")], headers={"Range": spec}, raise_error=False
        )

    part = await ranged("bytes=2-5")
    assert part.code == 206 and part.body == data[2:6]
    assert part.headers["Content-Range"] == f"bytes 2-5/{len(data)}"
    tail = await ranged("bytes=-10")
    assert tail.code == 206 and tail.body == data[-10:]
    open_end = await ranged("bytes=10000-")
    assert open_end.code == 206 and open_end.body == data[10000:]
    first = await ranged("bytes=0-0")
    assert first.code == 206 and first.body == data[:1]
    for bad in ("bytes=20000-20001", "bytes=5-2", "bytes=x", "bytes=-0"):
        r = await ranged(bad)
        assert r.code == 416, bad
        assert r.headers["Content-Range"] == f"bytes */{len(data)}"
    files = await api.get("projects/alice/aiforge/datasets/mnist/files")
    counts = {x["name"]: x["download_count"] for x in files.body["items"]}
    assert counts["train.bin"] == 2  # the full download and the range starting at 0

    bob = await as_user("bob")
    other = await bob.fetch(
        *["openi", "api", "v1", *base.split("/")], headers=bob.headers, raise_error=False
    )
    assert other.code == 200  # public dataset: anyone signed in may download
    assert (await bob.delete(base.rsplit("/", 1)[0])).status == 403


async def test_identical_content_is_stored_once(api, platform):
    from openi_lab_server.db.dataset_models import StoredObject

    await _project(api)
    for name in ("a", "b"):
        await api.post("projects/alice/aiforge/datasets", {"name": name})
    data = b"same bytes" * 1000
    first = await upload(api, "alice/aiforge", "a", "x.txt", data)
    again = await start_upload(api, "alice/aiforge", "b", "y.txt", data)
    assert again.status == 201 and again.body["status"] == "completed"
    assert again.body["offset"] == len(data) and again.body["file"]["name"] == "y.txt"
    assert again.body["file"]["id"] != first["id"]
    async with platform.sessions() as session:
        obj = await session.get(StoredObject, sha(data))
        assert obj.refcount == 2
        key = obj.storage_key
    assert platform.store.exists(key)
    await api.delete(f"projects/alice/aiforge/datasets/a/files/{first['id']}")
    assert platform.store.exists(key)
    assert (await api.delete("projects/alice/aiforge/datasets/b")).status == 204
    assert not platform.store.exists(key)
    async with platform.sessions() as session:
        assert await session.get(StoredObject, sha(data)) is None


async def test_favourites(api, as_user):
    await _project(api)
    await api.post("projects/alice/aiforge/datasets", {"name": "mnist"})
    url = "projects/alice/aiforge/datasets/mnist/favorite"
    r = await api.put(url)
    assert r.status == 200 and r.body["favorite"] and r.body["num_favorites"] == 1
    assert (await api.put(url)).body["num_favorites"] == 1  # idempotent
    bob = await as_user("bob")
    assert (await bob.put(url)).body["num_favorites"] == 2
    assert (await bob.get("datasets", scope="favorites")).body["total"] == 1
    r = await api.delete(url)
    assert r.status == 200 and not r.body["favorite"] and r.body["num_favorites"] == 1
    assert (await api.get("datasets", scope="favorites")).body["total"] == 0
    assert (await api.get("projects/alice/aiforge/datasets/mnist")).body["favorite"] is False


async def test_files_in_use_cannot_be_deleted(api, platform):
    await _project(api)
    await api.post("projects/alice/aiforge/datasets", {"name": "mnist"})
    f = await upload(api, "alice/aiforge", "mnist", "train.csv", b"a,b\n1,2\n")
    seen: list[list[int]] = []

    async def used_by_training(session, file_ids):
        seen.append(list(file_ids))
        if f["id"] in file_ids:
            return "used by training task OpenI/aiforge#train/resnet-1"
        return None

    platform.datasets.usage_checks.append(used_by_training)
    try:
        r = await api.delete(f"projects/alice/aiforge/datasets/mnist/files/{f['id']}")
        assert r.status == 409 and "train/resnet-1" in r.body["message"]
        r = await api.delete("projects/alice/aiforge/datasets/mnist")
        assert r.status == 409 and "resnet-1" in r.body["message"]
        assert seen == [[f["id"]], [f["id"]]]
    finally:
        platform.datasets.usage_checks.remove(used_by_training)
    assert (
        await api.delete(f"projects/alice/aiforge/datasets/mnist/files/{f['id']}")
    ).status == 204
    ds = (await api.get("projects/alice/aiforge/datasets/mnist")).body
    assert (ds["num_files"], ds["total_size"]) == (0, 0)
    assert (await api.delete("projects/alice/aiforge/datasets/mnist/files/99999")).status == 404


async def test_upload_rules_sizes_quota_and_names(api, as_user, platform):
    await _project(api)
    await api.post("projects/alice/aiforge/datasets", {"name": "mnist"})
    data = b"x" * 100
    for field, value in (("filename", "a/b"), ("filename", ".."), ("filename", "a\x00"),
                         ("sha256", "ABC"), ("size", 0)):  # fmt: skip
        r = await start_upload(api, "alice/aiforge", "mnist", "ok.bin", data, {field: value})
        assert r.status == 422 and r.body["errors"][0]["field"] == field, (field, r.body)
    missing = await start_upload(api, "alice/aiforge", "nope", "ok.bin", data)
    assert missing.status == 404
    bob = await as_user("bob")
    assert (await start_upload(bob, "alice/aiforge", "mnist", "b.bin", data)).status == 403

    platform.uploads.max_upload_bytes = 50
    try:
        r = await start_upload(api, "alice/aiforge", "mnist", "big.bin", data)
        assert r.status == 413 and r.body["errors"][0]["field"] == "size"
    finally:
        platform.uploads.max_upload_bytes = 1 << 40
    await upload(api, "alice/aiforge", "mnist", "first.bin", data)
    pending = await start_upload(api, "alice/aiforge", "mnist", "second.bin", b"y" * 100)
    assert pending.status == 201
    platform.uploads.user_quota_bytes = 250  # 100 stored + 100 under way + 100 more > 250
    try:
        r = await start_upload(api, "alice/aiforge", "mnist", "third.bin", b"z" * 100)
        assert r.status == 413 and r.body["errors"][0]["field"] == "size"
        assert (await api.delete(f"uploads/{pending.body['id']}")).status == 204
        assert (
            await start_upload(api, "alice/aiforge", "mnist", "third.bin", b"z" * 100)
        ).status == 201
    finally:
        platform.uploads.user_quota_bytes = 1 << 40
    dup = await start_upload(api, "alice/aiforge", "mnist", "first.bin", b"other")
    assert dup.status == 409 and dup.body["errors"][0]["field"] == "filename"


async def test_offsets_wrong_sha_and_expiry(api, as_user, platform):
    from openi_lab_server.db.dataset_models import Upload

    await _project(api)
    await api.post("projects/alice/aiforge/datasets", {"name": "mnist"})
    data = b"0123456789" * 10
    up = (await start_upload(api, "alice/aiforge", "mnist", "d.bin", data)).body
    assert up["status"] == "active" and up["offset"] == 0 and up["chunk_size"] > 0
    r = await patch_chunk(api, up["id"], 0, data[:30])
    assert r.status == 200 and r.body["offset"] == 30 and r.headers["Upload-Offset"] == "30"
    wrong = await patch_chunk(api, up["id"], 10, data[10:20])
    assert wrong.status == 409 and wrong.body["offset"] == 30
    assert "30" in wrong.body["message"]
    past = await patch_chunk(api, up["id"], 30, data[30:] + b"extra")
    assert past.status == 422
    early = await api.post(f"uploads/{up['id']}/complete")
    assert early.status == 409 and early.body["offset"] == 30
    bob = await as_user("bob")
    assert (await bob.get(f"uploads/{up['id']}")).status == 404
    assert (await patch_chunk(bob, up["id"], 30, data[30:])).status == 404
    assert (await api.get(f"uploads/{up['id']}")).body["offset"] == 30

    # the declared sha256 is wrong: 422, nothing appears, nothing is left
    liar = (
        await start_upload(api, "alice/aiforge", "mnist", "l.bin", data, {"sha256": "0" * 64})
    ).body
    assert (await patch_chunk(api, liar["id"], 0, data)).status == 200
    r = await api.post(f"uploads/{liar['id']}/complete")
    assert r.status == 422 and r.body["errors"][0]["field"] == "sha256"
    assert (await api.get(f"uploads/{liar['id']}")).body["status"] == "failed"
    files = await api.get("projects/alice/aiforge/datasets/mnist/files")
    assert files.body["total"] == 0
    keys = platform.store.list_keys
    assert not [k for k in keys("") if liar["id"] in k]

    # expiry: the job marks it expired and removes its bytes; every call answers 410
    assert [k for k in keys("") if up["id"] in k]
    assert await platform.uploads.expire() == 0
    async with platform.sessions() as session:
        await session.execute(
            update(Upload)
            .where(Upload.id == up["id"])
            .values(expires_at=datetime.now(UTC) - timedelta(hours=1))
        )
        await session.commit()
    assert (await api.get(f"uploads/{up['id']}")).status == 410  # even before the job
    assert await platform.uploads.expire() == 1
    async with platform.sessions() as session:
        assert await session.scalar(select(Upload.status).where(Upload.id == up["id"])) == "expired"
    assert not [k for k in keys("") if up["id"] in k]
    assert (await patch_chunk(api, up["id"], 30, data[30:])).status == 410
    assert (await api.post(f"uploads/{up['id']}/complete")).status == 410


async def test_a_known_sha256_grants_no_access_to_private_content(api, as_user, platform):
    """Instant completion only for content the caller can read; others must send the bytes,
    which are still stored once."""
    from openi_lab_server.db.dataset_models import StoredObject

    await _project(api, "secret", visibility="private")
    await api.post("projects/alice/secret/datasets", {"name": "d"})
    data = b"private weights" * 500
    await upload(api, "alice/secret", "d", "w.bin", data)
    bob = await as_user("bob")
    assert (await bob.post("projects", {"name": "mine"})).status == 201
    await bob.post("projects/bob/mine/datasets", {"name": "d"})
    attempt = await start_upload(bob, "bob/mine", "d", "stolen.bin", data)
    assert attempt.status == 201 and attempt.body["status"] == "active"
    assert attempt.body["offset"] == 0 and attempt.body["file"] is None
    done = await upload(bob, "bob/mine", "d", "copy.bin", data)  # sending the bytes works
    assert done["sha256"] == sha(data)
    async with platform.sessions() as session:
        assert (await session.get(StoredObject, sha(data))).refcount == 2


async def test_deleting_a_project_frees_its_stored_objects(api, platform):
    from openi_lab_server.db.dataset_models import StoredObject

    await _project(api, "doomed")
    await api.post("projects/alice/doomed/datasets", {"name": "d"})
    data = b"soon unreferenced" * 100
    await upload(api, "alice/doomed", "d", "x.bin", data)
    async with platform.sessions() as session:
        key = (await session.get(StoredObject, sha(data))).storage_key
    assert (await api.delete("projects/alice/doomed")).status == 204
    assert platform.store.exists(key)  # the cascade removed the rows, not the bytes
    assert await platform.datasets.collect_garbage() == 0  # too young: an upload may race
    assert await platform.datasets.collect_garbage(grace=timedelta(0)) == 1
    assert not platform.store.exists(key)
    async with platform.sessions() as session:
        assert await session.get(StoredObject, sha(data)) is None


async def test_a_file_by_id_is_visible_only_with_its_dataset(api, as_user):
    await _project(api, "hidden", visibility="private")
    await api.post("projects/alice/hidden/datasets", {"name": "d"})
    f = await upload(api, "alice/hidden", "d", "x.txt", b"x" * 10)
    mine = await api.get(f"dataset-files/{f['id']}")
    assert mine.status == 200 and mine.body["path"] == "alice/hidden/d/x.txt"
    bob = await as_user("bob")
    assert (await bob.get(f"dataset-files/{f['id']}")).status == 404
    assert (await bob.get("dataset-files/999999")).status == 404
    assert (await api.get("dataset-files/abc")).status == 422
