"""The model registry end to end: a real numpy model trained, imported, served and evaluated
by tasks on the local executor; lineage guards, Reproduce, aliases, downloads, engines."""

from __future__ import annotations

import asyncio
import hashlib
import io
import sqlite3
import zipfile

import pytest
from sqlalchemy import func, select

from gitutil import Git
from modelutil import (
    numpy_python,
    project_with_model_code,
    train_and_wait,
)
from openi_lab_server.db.engine import SyncSessions
from openi_lab_server.services import engines
from s3server import upload
from taskutil import task_config, wait_status

P = "projects/alice/lab"


@pytest.fixture
def jp_server_config(jp_server_config):
    return task_config(jp_server_config)


@pytest.fixture
def git(jp_http_port, jp_base_url, tmp_path) -> Git:
    return Git(f"http://127.0.0.1:{jp_http_port}{jp_base_url}", tmp_path / "home")


async def stored(platform) -> set[str]:
    """The sha256 of every stored object (a small model file's bytes are in its row)."""
    from openi_lab_server.db.dataset_models import StoredObject

    async with platform.sessions() as session:
        return set(await session.scalars(select(StoredObject.sha256)))


async def raw(api, route: str, **params) -> tuple[bytes, dict]:
    parts = ["openi", "api", "v1", *route.split("/")]
    resp = await api.fetch(*parts, params=params or None, headers=api.headers)
    return resp.body, resp.headers


def test_engine_detection_for_each_format(tmp_path):
    cases = {
        "PyTorch": ["model.pt", "weights/best.pth"],
        "MindSpore": ["net.ckpt", "net.mindir"],
        "TensorFlow": ["export/saved_model.pb", "export/variables/variables.index"],
        "ONNX": ["model.onnx"],
        "PaddlePaddle": ["model.pdparams", "model.pdopt"],
        "scikit-learn": ["clf.pkl"],
        "unknown": ["README.md", "weights.npy"],
    }
    for engine, names in cases.items():
        for n in names:  # tiny real files: the names decide, never the bytes
            (tmp_path / n).parent.mkdir(parents=True, exist_ok=True)
            (tmp_path / n).write_bytes(b"\x00" * 8)
        assert engines.detect(names) == engine, names
    assert engines.detect(["a.h5"]) == "TensorFlow"
    assert engines.detect(["m.joblib", "README.md"]) == "scikit-learn"
    assert engines.detect(["a.onnx", "b.pt", "c.pt"]) == "PyTorch"  # the most files win


async def test_upload_imports_detect_the_engine_and_expand_zips(api, platform, git, tmp_path):
    assert (await api.post("projects", {"name": "lab", "auto_init": True})).status == 201
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("export/saved_model.pb", b"tf graph")
        z.writestr("export/variables/variables.index", b"idx")
    r = await api.call(
        "POST", f"{P}/models/upload", buf.getvalue(), filename="tf.zip", name="tfm", tags="a b"
    )
    assert r.status == 201, r.body
    v = r.body
    assert v["engine"] == "TensorFlow" and v["version"] == "0.0.1" and v["tags"] == ["a", "b"]
    assert [f["path"] for f in v["files"]] == [
        "export/saved_model.pb",
        "export/variables/variables.index",
    ]
    assert v["files"][0]["sha256"] == hashlib.sha256(b"tf graph").hexdigest()
    assert v["lineage"]["source"] == "upload" and v["lineage"]["task_id"] is None
    # one ONNX file through the resumable upload of a dataset, then imported
    assert (await api.post(f"{P}/datasets", {"name": "files"})).status == 201
    f = await upload(api, "alice/lab", "files", "net.onnx", b"onnx bytes")
    r = await api.post(
        f"{P}/models/upload-import", {"dataset_file": f["id"], "name": "onnxm", "version": "2.0.0"}
    )
    assert r.status == 201, r.body
    assert r.body["engine"] == "ONNX" and r.body["files"][0]["path"] == "net.onnx"
    bad = await api.post(f"{P}/models/upload-import", {"name": "x"})
    assert bad.status == 422
    listing = await api.get(f"{P}/models")
    assert {m["name"] for m in listing.body["items"]} == {"tfm", "onnxm"}
    assert (await api.get("models", engine="ONNX")).body["total"] == 1
    assert (await api.get("models", tag="b")).body["items"][0]["name"] == "tfm"
    r = await api.patch(f"{P}/models/tfm/versions/0.0.1", {"tags": "c", "description": "TF"})
    assert r.status == 200 and r.body["tags"] == ["c"] and r.body["description"] == "TF"
    assert (await api.get(f"{P}/models/tfm/versions", tag="b")).body["total"] == 0
    assert (await api.get(f"{P}/models/tfm/versions", tag="c")).body["total"] == 1


async def test_train_import_infer_evaluate_end_to_end(api, platform, git, tmp_path):
    py = numpy_python()
    repo = await project_with_model_code(api, platform, git, tmp_path, py)
    f = await upload(api, "alice/lab", "points", "points.zip", repo.dataset)
    train = await train_and_wait(api, py, f["id"], "train-lr")
    assert train["status"] == "SUCCEEDED", train["reason"]
    outputs = (await api.get(f"{P}/tasks/{train['id']}/outputs")).body
    assert {o["path"] for o in outputs} == {"model.pkl", "metrics.json"}

    # 导入新模型: defaults (name from the task, 0.0.1, every file)
    r = await api.post(f"{P}/models", {"task_id": train["id"], "tags": "numpy lr"})
    assert r.status == 201, r.body
    v1 = r.body
    assert v1["model"] == "train-lr" and v1["version"] == "0.0.1"
    assert v1["engine"] == "scikit-learn" and v1["compute"] == "CPU"
    assert v1["metrics"]["accuracy"] > 0.8 and "loss" in v1["metrics"]
    assert v1["creator"]["username"] == "alice" and v1["num_files"] == 2
    lineage = v1["lineage"]
    assert lineage["task_id"] == train["id"] and lineage["commit"] == repo.commit
    assert lineage["dataset_sha256"] == hashlib.sha256(repo.dataset).hexdigest()
    assert lineage["dataset_path"] == "alice/lab/points/points.zip"
    assert lineage["params"] == [{"name": "epochs", "value": "300"}]
    assert lineage["spec"] == "cpu-small" and lineage["image"] == "local"
    local = (await raw(api, f"{P}/tasks/{train['id']}/outputs/download", path="model.pkl"))[0]
    by_path = {x["path"]: x for x in v1["files"]}
    assert by_path["model.pkl"]["sha256"] == hashlib.sha256(local).hexdigest()

    # duplicate version, long description, a chosen file, 创建新版本 (next patch)
    dup = await api.post(f"{P}/models", {"task_id": train["id"], "version": "0.0.1"})
    assert dup.status == 409 and dup.body["errors"][0]["field"] == "version"
    long = await api.post(f"{P}/models", {"task_id": train["id"], "description": "d" * 256})
    assert long.status == 422 and long.body["errors"][0]["field"] == "description"
    missing = await api.post(f"{P}/models", {"task_id": train["id"], "files": ["nope.pt"]})
    assert missing.status == 422 and missing.body["errors"][0]["field"] == "files"
    r = await api.post(
        f"{P}/models/train-lr/versions", {"task_id": train["id"], "files": ["model.pkl"]}
    )
    assert r.status == 201 and r.body["version"] == "0.0.2" and r.body["num_files"] == 1
    model = (await api.get(f"{P}/models/train-lr")).body
    assert model["num_versions"] == 2 and model["latest"]["version"] == "0.0.2"

    # inference and evaluation take the version, mounted at pretrain_model/
    common = {"spec": "cpu-small", "branch": "main", "dataset": f["id"]}
    inf = await api.post(
        f"{P}/tasks",
        {**common, "kind": "inference", "name": "infer-1", "boot_file": f"sh:{py} infer.py",
         "model_version": "alice/lab/train-lr@0.0.1"},
    )  # fmt: skip
    assert inf.status == 201, inf.body
    assert inf.body["model_version"] == "alice/lab/train-lr@0.0.1"
    ev = await api.post(
        f"{P}/tasks",
        {**common, "kind": "evaluation", "name": "eval-1", "boot_file": f"sh:{py} evaluate.py",
         "model_version": v1["id"]},
    )  # fmt: skip
    assert ev.status == 201, ev.body
    for t in (inf.body, ev.body):
        done = await wait_status(api, f"{P}/tasks/{t['id']}", {"SUCCEEDED", "FAILED"}, 60)
        assert done["status"] == "SUCCEEDED", done["reason"]
    preds = (await raw(api, f"{P}/tasks/{inf.body['id']}/outputs/download", path="pred.csv"))[0]
    assert len(preds.decode().split()) == 200
    bad_ref = await api.post(
        f"{P}/tasks", {**common, "kind": "evaluation", "name": "eval-x",
                       "boot_file": "evaluate.py", "model_version": "alice/lab/nope@1.0.0"},
    )  # fmt: skip
    assert bad_ref.status == 422 and bad_ref.body["errors"][0]["field"] == "model_version"

    # the evaluation's metrics.json beside the version it evaluated
    detail = (await api.get(f"{P}/models/train-lr/versions/0.0.1")).body
    assert [e["task_id"] for e in detail["evaluations"]] == [ev.body["id"]]
    assert detail["evaluations"][0]["metrics"]["eval_accuracy"] > 0.8

    # downloads: one file, and the whole version as a zip; each counts
    one, headers = await raw(api, f"{P}/models/train-lr/versions/0.0.1/download", path="model.pkl")
    assert one == local and headers["ETag"] == f'"{by_path["model.pkl"]["sha256"]}"'
    whole, _ = await raw(api, f"{P}/models/train-lr/versions/0.0.1/download")
    with zipfile.ZipFile(io.BytesIO(whole)) as z:
        assert sorted(z.namelist()) == ["metrics.json", "model.pkl"]
        assert z.read("model.pkl") == local
    assert (await api.get(f"{P}/models/train-lr/versions/0.0.1")).body["download_count"] == 2
    gone = await api.get(f"{P}/models/train-lr/versions/0.0.1/download", path="x.bin")
    assert gone.status == 404

    # lineage guards: neither the task nor the dataset file can go
    r = await api.delete(f"{P}/tasks/{train['id']}")
    assert r.status == 409 and "alice/lab/train-lr@0.0.1" in r.body["message"]
    r = await api.delete(f"{P}/datasets/points/files/{f['id']}")
    assert r.status == 409 and "model alice/lab/train-lr@" in r.body["message"]

    # Reproduce after the branch moved: the recorded commit, dataset, image, spec, params
    await git.commit(repo.path, {"NOTES.md": "moved on\n"}, "Move the branch")
    await git.ok("push", "-q", "origin", "main", cwd=repo.path)
    r = await api.post(f"{P}/models/train-lr/versions/0.0.1/reproduce", {})
    assert r.status == 201, r.body
    again = r.body
    assert again["kind"] == "train" and again["name"] == "train-lr-repro-1"
    assert again["commit"] == repo.commit and again["dataset"] == f["id"]
    assert (again["image"], again["spec"], again["boot_file"]) == (
        train["image"], train["spec"], train["boot_file"],
    )  # fmt: skip
    assert again["params"] == train["params"]
    done = await wait_status(api, f"{P}/tasks/{again['id']}", {"SUCCEEDED", "FAILED"}, 60)
    assert done["status"] == "SUCCEEDED", done["reason"]
    r = await api.post(f"{P}/models/train-lr/versions", {"task_id": again["id"]})
    assert r.body["lineage"]["dataset_sha256"] == lineage["dataset_sha256"]
    assert r.body["metrics"] == v1["metrics"]  # same commit, data and seed: same model

    # aliases, in order, with who moved them
    for version in ("0.0.1", "0.0.2"):
        r = await api.put(f"{P}/models/train-lr/aliases/production", {"version": version})
        assert r.status == 200, r.body
    assert (
        await api.put(f"{P}/models/train-lr/aliases/latest", {"version": "0.0.1"})
    ).status == 422
    state = (await api.get(f"{P}/models/train-lr/aliases")).body
    assert state["aliases"] == {"production": "0.0.2"}
    moves = [(e["from_version"], e["to_version"]) for e in state["history"]]
    assert moves == [("0.0.1", "0.0.2"), (None, "0.0.1")]
    assert state["history"][0]["actor"]["username"] == "alice"
    prod = await api.get("model-versions/resolve", ref="alice/lab/train-lr@production")
    assert prod.body["version"] == "0.0.2" and prod.body["aliases"] == ["production"]

    # deleting versions; the model goes with its last one; then the task may go
    for version in ("0.0.1", "0.0.2", "0.0.3"):
        assert (await api.delete(f"{P}/models/train-lr/versions/{version}")).status == 204
    assert (await api.get(f"{P}/models/train-lr")).status == 404
    await asyncio.sleep(0)
    assert (await api.delete(f"{P}/tasks/{train['id']}")).status == 204


async def test_imports_need_a_readable_succeeded_train_task(api, platform, git, tmp_path, as_user):
    await api.post("projects", {"name": "secret", "auto_init": True, "visibility": "private"})
    clone = tmp_path / "secret"
    from taskutil import token

    secret = await token(platform, "alice")
    await git.ok("clone", "-q", git.url("alice/secret", secret), str(clone))
    await git.commit(clone, {"w.py": "import os, pathlib\n"
                     "pathlib.Path(os.environ['OPENI_MODEL_DIR'], 'w.pt').write_bytes(b'w')\n"},
                     "w")  # fmt: skip
    await git.ok("push", "-q", "origin", "main", cwd=clone)
    from jupyter_server.serverapp import ServerApp

    from taskutil import openi_app

    await openi_app(ServerApp.instance()).start_scheduler()
    t = await api.post(
        "projects/alice/secret/tasks",
        {"name": "t1", "spec": "cpu-small", "boot_file": "w.py", "branch": "main"},
    )
    done = await wait_status(api, f"projects/alice/secret/tasks/{t.body['id']}", {"SUCCEEDED"}, 60)
    bob = await as_user("bob")
    assert (await bob.post("projects", {"name": "mine", "auto_init": True})).status == 201
    r = await bob.post("projects/bob/mine/models", {"task_id": done["id"]})
    assert r.status == 404, r.body
    # alice can, into her own project; a debug task or an unfinished one cannot be imported
    ok = await api.post("projects/alice/secret/models", {"task_id": done["id"], "name": "w"})
    assert ok.status == 201 and ok.body["engine"] == "PyTorch"
    assert (await bob.get("projects/alice/secret/models/w")).status == 404
    assert (await bob.get("model-versions/resolve", ref="alice/secret/w")).status == 404
    assert (await bob.get("models")).body["total"] == 0
    assert (await api.post("projects/alice/secret/models", {"task_id": 99999})).status == 404


async def test_concurrent_imports_get_distinct_versions(api, platform, git, tmp_path):
    assert (await api.post("projects", {"name": "lab", "auto_init": True})).status == 201
    payload = b"weights"

    async def worker(n: int) -> list[str]:
        got = []
        for i in range(10):
            r = await api.call(
                "POST", f"{P}/models/upload", payload + bytes([n, i]), filename="m.pt", name="many"
            )
            assert r.status == 201, r.body
            got.append(r.body["version"])
        return got

    results = await asyncio.gather(*(worker(n) for n in range(8)))
    versions = [v for batch in results for v in batch]
    assert len(versions) == 80 and len(set(versions)) == 80
    model = (await api.get(f"{P}/models/many")).body
    assert model["num_versions"] == 80 and model["latest"]["version"] == "0.0.80"
    page = await api.get(f"{P}/models/many/versions", per_page=5)
    assert [v["version"] for v in page.body["items"]][:2] == ["0.0.80", "0.0.79"]
    # deleting one in the middle keeps the rest; its blob (content no one else has) goes
    assert (await api.delete(f"{P}/models/many/versions/0.0.40")).status == 204
    assert (await api.get(f"{P}/models/many")).body["num_versions"] == 79
    shas = {
        hashlib.sha256(payload + bytes([n, i])).hexdigest() for n in range(8) for i in range(10)
    }
    keys = await stored(platform)
    assert len(keys) == len(shas) - 1


async def test_latest_is_the_newest_after_concurrent_numbered_and_next_imports(api):
    """Imports naming their version race imports taking the next patch: whatever the order,
    "latest" is the highest version (on PostgreSQL the next patch must be read after the
    model's lock was granted, not as of before waiting for it)."""
    assert (await api.post("projects", {"name": "lab", "auto_init": True})).status == 201

    async def one(i: int, version: str | None) -> str:
        extra = {"version": version} if version else {}
        r = await api.call(
            "POST", f"{P}/models/upload", b"w" + bytes([i]), filename="m.pt", name="race", **extra
        )
        assert r.status == 201, r.body
        return str(r.body["version"])

    await one(0, "1.0.0")
    for round_ in range(3):
        made = await asyncio.gather(
            *(one(20 * round_ + i, f"{2 + 20 * round_ + i}.0.0" if i % 2 else None)
              for i in range(1, 16))
        )  # fmt: skip
        newest = max(made, key=lambda v: tuple(int(x) for x in v.split(".")))
        latest = (await api.get("model-versions/resolve", ref="alice/lab/race@latest")).body
        assert latest["version"] == newest, (made, latest["version"])
        model = (await api.get(f"{P}/models/race")).body
        assert model["latest"]["version"] == newest


async def test_upload_answer_is_what_a_read_gives_and_version_pages(api, platform, as_user):
    """The create answer is built from what the import had in hand (no read-back): it must
    equal a read. The versions page (one statement for page, total and alias flags) keeps its
    totals, order, tag filter, aliases and the page past the last."""
    assert (await api.post("projects", {"name": "lab"})).status == 201
    made = []
    for i in range(7):
        tags = "odd" if i % 2 else "even x"
        r = await api.call(
            "POST", f"{P}/models/upload", b"w%d" % i, filename="w.pt", name="Net", tags=tags
        )
        assert r.status == 201, r.body
        made.append(r.body)
    assert [v["version"] for v in made] == [f"0.0.{i}" for i in range(1, 8)]
    for v in made:
        assert (await api.get(f"{P}/models/net/versions/{v['version']}")).body == v
    assert made[0]["tags"] == ["even", "x"] and made[0]["engine"] == "PyTorch"
    assert made[0]["files"] == [
        {"path": "w.pt", "size": 2, "sha256": hashlib.sha256(b"w0").hexdigest()}
    ]
    assert made[0]["creator"]["username"] == "alice" and made[0]["lineage"]["source"] == "upload"
    # another case of the name is the same model, answered with its stored name
    r = await api.call(
        "POST", f"{P}/models/upload", b"w7", filename="w.pt", name="NET", version="1.0.0"
    )
    assert r.status == 201 and r.body["model"] == "Net", r.body
    assert r.body["path"] == "alice/lab/Net@1.0.0"
    # a taken version is 409; an older explicit one does not move the latest
    r = await api.call(
        "POST", f"{P}/models/upload", b"w0", filename="w.pt", name="net", version="0.0.3"
    )
    assert r.status == 409, r.body
    r = await api.call(
        "POST", f"{P}/models/upload", b"w8", filename="w.pt", name="net", version="0.5.0"
    )
    assert r.status == 201, r.body
    model = (await api.get(f"{P}/models/net")).body
    assert model["num_versions"] == 9 and model["latest"]["version"] == "1.0.0"
    assert (await api.call("POST", f"{P}/models/upload", b"w9", filename="w.pt", name="net")).body[
        "version"
    ] == "1.0.1"
    # the same bytes in another model: one blob, referenced twice
    r = await api.call("POST", f"{P}/models/upload", b"w0", filename="a.onnx", name="other")
    assert r.status == 201 and r.body["files"][0]["sha256"] == made[0]["files"][0]["sha256"]
    assert r.body["engine"] == "ONNX"
    keys = await stored(platform)
    assert len(keys) == 10  # w0…w9
    # pages: by tag, past the last page, with an alias on one version
    assert (await api.put(f"{P}/models/net/aliases/prod", {"version": "0.0.4"})).status == 200
    page = (await api.get(f"{P}/models/net/versions", tag="odd", per_page=2)).body
    assert page["total"] == 3 and [v["version"] for v in page["items"]] == ["0.0.6", "0.0.4"]
    assert [v["aliases"] for v in page["items"]] == [[], ["prod"]]
    page = (await api.get(f"{P}/models/net/versions", tag="odd", per_page=2, page=2)).body
    assert page["total"] == 3 and [v["version"] for v in page["items"]] == ["0.0.2"]
    page = (await api.get(f"{P}/models/net/versions", tag="odd", per_page=2, page=3)).body
    assert page["total"] == 3 and page["items"] == [] and page["page"] == 3
    page = (await api.get(f"{P}/models/net/versions", tag="none")).body
    assert page["total"] == 0 and page["items"] == []
    # a common tag on short pages walks the versions in order (the other plan sorts the
    # tag's matches): both give the same versions in the same order
    even = ["0.0.7", "0.0.5", "0.0.3", "0.0.1"]
    walked = [
        (await api.get(f"{P}/models/net/versions", tag="even", per_page=1, page=n)).body
        for n in range(1, 6)
    ]
    assert [p["total"] for p in walked] == [4] * 5
    assert [v["version"] for p in walked for v in p["items"]] == even
    page = (await api.get(f"{P}/models/net/versions", tag="even", per_page=4)).body
    assert page["total"] == 4 and [v["version"] for v in page["items"]] == even
    page = (await api.get(f"{P}/models/net/versions", per_page=3)).body
    assert page["total"] == 10
    assert [v["version"] for v in page["items"]] == ["1.0.1", "1.0.0", "0.5.0"]
    assert page["items"][2]["creator"]["username"] == "alice"
    assert (await api.get(f"{P}/models/nope/versions")).status == 404
    # others: a reader cannot upload (403), a private project is invisible (404)
    bob = await as_user("bob")
    r = await bob.call("POST", f"{P}/models/upload", b"b", filename="w.pt", name="net")
    assert r.status == 403, r.body
    assert (await api.post("projects", {"name": "hid", "visibility": "private"})).status == 201
    r = await bob.call("POST", "projects/alice/hid/models/upload", b"b", filename="w.pt", name="m")
    assert r.status == 404, r.body
    r = await api.call("POST", f"{P}/models/upload", b"b", filename="w.pt", name="upload")
    assert r.status == 422, r.body
    assert len(await stored(platform)) == 10
    # new content arriving at once in four imports: one blob, four references (an upsert)
    same = await asyncio.gather(
        *(
            api.call("POST", f"{P}/models/upload", b"same", filename="s.pt", name=f"s{i}")
            for i in range(4)
        )
    )
    assert [r.status for r in same] == [201] * 4, [r.body for r in same]
    assert len(await stored(platform)) == 11
    for i in range(3):
        assert (await api.delete(f"{P}/models/s{i}")).status == 204
    assert len(await stored(platform)) == 11
    assert (await api.delete(f"{P}/models/s3")).status == 204
    assert len(await stored(platform)) == 10


async def test_an_import_that_meets_a_locked_database_waits_without_stopping_the_server(
    api, database_url, monkeypatch
):
    """A small import runs on the event loop on SQLite, on a connection that never waits:
    with another process holding the write lock it goes to a thread and waits there, the
    server answers meanwhile, and the import lands once (no second model or version)."""
    if not database_url.startswith("sqlite"):
        pytest.skip("imports run on the event loop on SQLite only")
    assert (await api.post("projects", {"name": "lab"})).status == 201
    first = await api.call("POST", f"{P}/models/upload", b"v1", filename="m.pt", name="m")
    assert first.status == 201
    met = []  # each lock an import met on the event loop (then it went to a thread)
    seen = SyncSessions._met_lock_here
    monkeypatch.setattr(
        SyncSessions, "_met_lock_here", lambda db, exc: met.append(seen(db, exc)) or met[-1]
    )
    holder = sqlite3.connect(database_url.split("///", 1)[1], timeout=5, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        for n, name in enumerate(("m", "fresh")):  # a model that exists, one to create
            pending = asyncio.ensure_future(
                api.call("POST", f"{P}/models/upload", b"v2" + name.encode(), filename="m.pt",
                         name=name)
            )  # fmt: skip
            await asyncio.sleep(0.3)
            assert not pending.done(), pending.result().body
            assert (await api.get(f"{P}/models/m")).body["num_versions"] == 1 + n  # served
            holder.execute("COMMIT")
            r = await pending
            assert r.status == 201, r.body
            holder.execute("BEGIN IMMEDIATE")
    finally:
        holder.execute("COMMIT")
        holder.close()
    assert met == [True, True]  # once per import: on the loop first, never waiting there
    assert (await api.get(f"{P}/models/m")).body["num_versions"] == 2
    fresh = await api.get(f"{P}/models/fresh")
    assert fresh.body["num_versions"] == 1 and fresh.body["latest"]["version"] == "0.0.1"
    assert (await api.get(f"{P}/models")).body["total"] == 2


def test_a_blob_write_that_fails_leaves_no_file(tmp_path, monkeypatch):
    """A full disk during a blob's write: the error reaches the import, and neither the
    blob nor its temporary file stays behind; a later write of the same bytes lands."""
    import errno
    import os

    from openi_lab_server.services.models import blob_key, put_blob
    from openi_lab_server.storage.objects import ObjectStore

    store = ObjectStore((tmp_path / "objects").as_uri())
    key = blob_key(hashlib.sha256(b"weights").hexdigest())

    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(OSError, match="space"):
        put_blob(store, key, b"weights")
    assert [p for p in (tmp_path / "objects").rglob("*") if p.is_file()] == []
    monkeypatch.undo()
    put_blob(store, key, b"weights")
    assert store.list_keys("models") == [key]
    with store.open(key) as f:
        assert f.read() == b"weights"


def test_the_sweep_removes_only_bytes_last_written_before_its_cut_off(tmp_path):
    """``remove_stale`` is called for keys listed as stale a moment earlier: one written
    again since (the same bytes, by a new import) is put back, never lost; a stale one and an
    interrupted write's temporary file go."""
    import os
    import time

    from openi_lab_server.services.models import blob_key, put_blob
    from openi_lab_server.storage.objects import ObjectStore

    store = ObjectStore((tmp_path / "objects").as_uri())
    old, fresh = (blob_key(hashlib.sha256(b).hexdigest()) for b in (b"old", b"fresh"))
    put_blob(store, old, b"old")
    put_blob(store, fresh, b"fresh")
    leftover = tmp_path / "objects" / "models" / "ab" / ".abc.1.2.tmp"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"half")
    past = time.time() - 3600
    for path in (store.full(old), store.full(fresh), leftover):
        os.utime(path, (past, past))
    cut = time.time() - 60
    listed = store.stale_keys("models", cut)
    assert listed == sorted([old, fresh, "models/ab/.abc.1.2.tmp"])

    put_blob(store, fresh, b"fresh")  # an import writes the same bytes again meanwhile
    removed = {key: store.remove_stale(key, cut) for key in listed}
    assert removed == {old: True, fresh: False, "models/ab/.abc.1.2.tmp": True}
    assert store.list_keys("models") == [fresh]
    with store.open(fresh) as f:
        assert f.read() == b"fresh"
    assert not store.remove_stale(old, cut)  # already gone: nothing to do


async def test_one_import_keeps_at_most_a_mebibyte_in_rows(api, platform):
    """A zip of many small files: rows take its new content up to ``IN_ROW_IMPORT_BYTES``
    and the store the rest; the version's zip and every file read back whole either way."""
    from openi_lab_server.db.dataset_models import StoredObject
    from openi_lab_server.services.models import IN_ROW_BYTES, IN_ROW_IMPORT_BYTES

    size = IN_ROW_BYTES - 100
    files = {f"part{i:02}.bin": bytes([i]) * size for i in range(20)}
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
    assert (await api.post("projects", {"name": "lab"})).status == 201
    r = await api.call("POST", f"{P}/models/upload", buf.getvalue(), filename="m.zip", name="m")
    assert r.status == 201, r.body
    async with platform.sessions() as session:
        in_rows = await session.scalar(
            select(func.count()).select_from(StoredObject).where(StoredObject.content.is_not(None))
        )
    assert in_rows == IN_ROW_IMPORT_BYTES // size
    blobs = await asyncio.to_thread(platform.store.list_keys, "models")
    assert len(blobs) == len(files) - in_rows
    whole, _ = await raw(api, f"{P}/models/m/versions/0.0.1/download")
    got = zipfile.ZipFile(io.BytesIO(whole))
    assert {n: got.read(n) for n in got.namelist()} == files
    one, _ = await raw(api, f"{P}/models/m/versions/0.0.1/download", path="part19.bin")
    assert one == files["part19.bin"]
