"""The REST client used by widgets, magics, the CLI and code inside tasks."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel

from . import community_schemas as cs
from . import image_schemas as i
from . import schemas as s
from .discovery import Endpoint, discover
from .models_client import ModelsMixin

M = TypeVar("M", bound=BaseModel)
#: the statuses a task ends in
TASK_FINAL = frozenset({s.TaskStatus.SUCCEEDED, s.TaskStatus.FAILED, s.TaskStatus.STOPPED})
API_PATH = "openi/api/v1/"


class ApiError(Exception):
    """A non-2xx answer: status, the server's message and the failing fields."""

    def __init__(self, status: int, message: str, errors: list[s.FieldError] | None = None):
        super().__init__(f"{status}: {message}")
        self.status = status
        self.message = message
        self.errors = errors or []


class Client(ModelsMixin):
    """``Client()`` inside a notebook finds its server; pass ``url``/``token`` elsewhere."""

    def __init__(self, url: str | None = None, token: str | None = None, timeout: float = 30):
        endpoint = Endpoint(url.rstrip("/") + "/", token, "argument") if url else discover()
        self.endpoint = endpoint
        headers = {"Accept": "application/json"}
        if endpoint.token:
            headers["Authorization"] = f"token {endpoint.token}"
        self._http = httpx.Client(
            base_url=endpoint.base_url + API_PATH, headers=headers, timeout=timeout
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call; raises :class:`ApiError` with the server's reason on failure."""
        try:
            resp = self._http.request(method, path.lstrip("/"), **kwargs)
        except httpx.HTTPError as exc:
            raise ApiError(0, f"cannot reach {self.endpoint.base_url}: {exc}") from exc
        if resp.status_code >= 400:
            try:
                err = s.Error.model_validate(resp.json())
                raise ApiError(err.status, err.message, err.errors)
            except ValueError:
                raise ApiError(resp.status_code, resp.text[:200] or resp.reason_phrase) from None
        return resp.json() if resp.content else None

    def _get(self, model: type[M], path: str, **params: Any) -> M:
        return model.model_validate(self.request("GET", path, params=params or None))

    def search(
        self,
        q: str,
        type: str = "all",
        sort: str = "relevance",
        page: int = 1,
        per_page: int = 20,
    ) -> cs.SearchResults:
        """Unified search (统一搜索): ``type="all"`` gives ``groups`` (a few hits per type),
        another type a page of ``items``; ``counts`` has every type's total either way."""
        return self._get(
            cs.SearchResults, "search", q=q, type=type, sort=sort, page=page, per_page=per_page
        )

    # --- accounts --------------------------------------------------------------------------

    def whoami(self) -> s.User:
        return self._get(s.User, "user")

    def user(self, username: str) -> s.User:
        return self._get(s.User, f"users/{username}")

    def users(self, q: str | None = None, page: int = 1, per_page: int = 20) -> s.Page[s.User]:
        params = {"page": page, "per_page": per_page, **({"q": q} if q else {})}
        return self._get(s.Page[s.User], "users", **params)

    def orgs(self, q: str | None = None, page: int = 1, per_page: int = 20) -> s.Page[s.Org]:
        params = {"page": page, "per_page": per_page, **({"q": q} if q else {})}
        return self._get(s.Page[s.Org], "orgs", **params)

    def org(self, name: str) -> s.Org:
        return self._get(s.Org, f"orgs/{name}")

    def create_org(self, name: str, **fields: Any) -> s.Org:
        body = s.OrgCreate(name=name, **fields).model_dump(mode="json")
        return s.Org.model_validate(self.request("POST", "orgs", json=body))

    def members(self, org: str, page: int = 1) -> s.Page[s.Member]:
        return self._get(s.Page[s.Member], f"orgs/{org}/members", page=page)

    def teams(self, org: str, page: int = 1) -> s.Page[s.Team]:
        return self._get(s.Page[s.Team], f"orgs/{org}/teams", page=page)

    def projects(
        self, owner: str | None = None, q: str | None = None, page: int = 1
    ) -> s.Page[s.Project]:
        params: dict[str, Any] = {"page": page}
        params.update({k: v for k, v in (("owner", owner), ("q", q)) if v})
        return self._get(s.Page[s.Project], "projects", **params)

    def create_token(
        self, name: str, scopes: list[str], expires_in_days: int | None = 30
    ) -> s.TokenCreated:
        body = s.TokenCreate(name=name, scopes=scopes, expires_in_days=expires_in_days)
        return s.TokenCreated.model_validate(
            self.request("POST", "user/tokens", json=body.model_dump(mode="json"))
        )

    # --- code hosting ----------------------------------------------------------------------

    def repo(self, full_name: str) -> s.Project:
        return self._get(s.Project, f"projects/{full_name}")

    def create_repo(self, name: str, **fields: Any) -> s.Project:
        body = s.RepoCreate(name=name, **fields).model_dump(mode="json", exclude_none=True)
        return s.Project.model_validate(self.request("POST", "projects", json=body))

    def fork(self, full_name: str, **fields: Any) -> s.Project:
        body = s.ForkCreate(**fields).model_dump(mode="json", exclude_none=True)
        return s.Project.model_validate(
            self.request("POST", f"projects/{full_name}/forks", json=body)
        )

    def branches(self, full_name: str) -> list[s.RefInfo]:
        data = self.request("GET", f"projects/{full_name}/branches")
        return [s.RefInfo.model_validate(b) for b in data]

    def tree(self, full_name: str, path: str = "", ref: str | None = None) -> s.Tree:
        params = {"path": path, **({"ref": ref} if ref else {})}
        return self._get(s.Tree, f"projects/{full_name}/tree", **params)

    def file(self, full_name: str, path: str, ref: str | None = None) -> s.FileContent:
        params = {"path": path, **({"ref": ref} if ref else {})}
        return self._get(s.FileContent, f"projects/{full_name}/file", **params)

    def issues(
        self, full_name: str, state: str = "open", page: int = 1, **filters: str
    ) -> s.Page[s.Issue]:
        return self._get(
            s.Page[s.Issue], f"projects/{full_name}/issues", state=state, page=page, **filters
        )

    def create_issue(self, full_name: str, title: str, body: str = "") -> s.Issue:
        data = self.request(
            "POST", f"projects/{full_name}/issues", json={"title": title, "body": body}
        )
        return s.Issue.model_validate(data)

    def comment(self, full_name: str, number: int, body: str) -> s.Comment:
        path = f"projects/{full_name}/issues/{number}/comments"
        return s.Comment.model_validate(self.request("POST", path, json={"body": body}))

    def pulls(self, full_name: str, state: str = "open", page: int = 1) -> Any:
        """Pull requests (合并请求) as JSON dicts: ``number``, ``title``, ``head``, ``base``…"""
        return self.request(
            "GET", f"projects/{full_name}/pulls", params={"state": state, "page": page}
        )

    def create_pull(self, full_name: str, title: str, head: str, base: str, body: str = "") -> Any:
        payload = {"title": title, "head": head, "base": base, "body": body}
        return self.request("POST", f"projects/{full_name}/pulls", json=payload)

    def merge(self, full_name: str, number: int, method: str = "merge") -> Any:
        path = f"projects/{full_name}/pulls/{number}/merge"
        return self.request("POST", path, json={"method": method})

    def clone_url(self, full_name: str, token: str | None = None) -> str:
        """The git remote of a project; with ``token``, one git can push to without asking."""
        project = self.repo(full_name)
        base = self.endpoint.base_url
        if token:
            scheme, rest = base.split("://", 1)
            base = f"{scheme}://{project.owner}:{token}@{rest}"
        return base + project.clone_path

    def clone(self, full_name: str, dest: str | None = None) -> str:
        """``git clone`` into ``dest`` (default: the project name) with a push-ready remote.

        A personal access token (read+write, 90 days) named after the project is minted for
        the remote; revoke it under your tokens when done.
        """
        import subprocess

        token = self.create_token(f"clone {full_name}"[:64], ["read", "write"], 90)
        target = dest or full_name.split("/", 1)[1]
        subprocess.run(
            ["git", "clone", "-q", self.clone_url(full_name, token.token), target],
            check=True,
            env={**__import__("os").environ, "GIT_TERMINAL_PROMPT": "0"},
        )
        return target

    # --- datasets (数据集) -------------------------------------------------------------------

    #: consecutive connection failures tolerated by :meth:`upload` / :meth:`download`
    transfer_retries = 5
    #: first pause before a retry, doubled after each failure (seconds)
    retry_backoff = 0.5

    def datasets(
        self, scope: str = "all", q: str | None = None, page: int = 1, per_page: int = 20
    ) -> s.Page[s.Dataset]:
        """Datasets you may see, newest first: ``scope`` is all, mine, public or favorites."""
        params: dict[str, Any] = {"scope": scope, "page": page, "per_page": per_page}
        if q:
            params["q"] = q
        return self._get(s.Page[s.Dataset], "datasets", **params)

    def project_datasets(
        self, project: str, page: int = 1, per_page: int = 20
    ) -> s.Page[s.Dataset]:
        """The datasets of one project (``owner/name``)."""
        return self._get(
            s.Page[s.Dataset], f"projects/{project}/datasets", page=page, per_page=per_page
        )

    def dataset(self, project: str, name: str) -> s.Dataset:
        return self._get(s.Dataset, f"projects/{project}/datasets/{name}")

    def create_dataset(
        self, project: str, name: str, description: str = "", visibility: str = "public"
    ) -> s.Dataset:
        body = s.DatasetCreate.model_validate(
            {"name": name, "description": description, "visibility": visibility}
        ).model_dump(mode="json")
        return s.Dataset.model_validate(
            self.request("POST", f"projects/{project}/datasets", json=body)
        )

    def dataset_files(
        self, project: str, dataset: str, page: int = 1, per_page: int = 20
    ) -> s.Page[s.DatasetFile]:
        """Files of a dataset, newest first."""
        return self._get(
            s.Page[s.DatasetFile],
            f"projects/{project}/datasets/{dataset}/files",
            page=page,
            per_page=per_page,
        )

    def favorite(self, project: str, dataset: str, on: bool = True) -> s.Dataset:
        """收藏 (``on=True``) or un-favourite a dataset."""
        path = f"projects/{project}/datasets/{dataset}/favorite"
        return s.Dataset.model_validate(self.request("PUT" if on else "DELETE", path))

    def picker(
        self,
        project: str | None = None,
        tab: str | None = None,
        q: str | None = None,
        page: int = 1,
        per_page: int = 10,
    ) -> s.PickerPage:
        """One page of the dataset picker; without ``tab`` the server opens the first
        non-empty one (``PickerPage.tab`` says which)."""
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        params.update({k: v for k, v in (("project", project), ("tab", tab), ("q", q)) if v})
        return self._get(s.PickerPage, "dataset-picker", **params)

    def dataset_file(self, ref: int | str | s.DatasetFile) -> s.DatasetFile:
        """A dataset file by id or by ``owner/project/dataset/filename``.

        An id is one request (``GET dataset-files/{id}``); a path costs one listing of its
        dataset.
        """
        if isinstance(ref, s.DatasetFile):
            return ref
        if isinstance(ref, str) and not ref.isdigit():
            parts = ref.strip("/").split("/")
            if len(parts) != 4 or not all(parts):
                raise ValueError(f"expected owner/project/dataset/filename, got {ref!r}")
            owner, project, dataset, filename = parts
            for f in self._iter_files(f"{owner}/{project}", dataset):
                if f.name == filename:
                    return f
            raise ApiError(404, f"no file {filename!r} in dataset {owner}/{project}/{dataset}")
        return self._get(s.DatasetFile, f"dataset-files/{int(ref)}")

    def _iter_files(self, project: str, dataset: str) -> Any:
        page = 1
        while True:
            files = self.dataset_files(project, dataset, page=page, per_page=100)
            yield from files.items
            if page * files.per_page >= files.total or not files.items:
                return
            page += 1

    def _backoff(self, failures: list[int], error: Exception) -> None:
        """Count one more consecutive failure and wait, or give up past the retries."""
        import time

        failures[0] += 1
        if failures[0] > self.transfer_retries:
            raise ApiError(0, f"gave up after {failures[0]} tries: {error}") from error
        time.sleep(self.retry_backoff * 2 ** (failures[0] - 1))

    def _upload_call(self, failures: list[int], method: str, path: str, **kwargs: Any) -> s.Upload:
        """An uploads call, retried with backoff while the connection is broken."""
        while True:
            try:
                return s.Upload.model_validate(self.request(method, path, **kwargs))
            except ApiError as exc:
                if exc.status != 0:
                    raise
                self._backoff(failures, exc)

    def upload(
        self,
        project: str,
        dataset: str,
        path: str | os.PathLike[str],
        progress: Callable[[int, int], object] | None = None,
        chunk_size: int | None = None,
        filename: str | None = None,
        upload_id: str | None = None,
    ) -> s.DatasetFile:
        """Upload a file into a dataset, resumably; returns the stored :class:`DatasetFile`.

        The sha256 is computed first (streaming); a file the platform already stores
        completes at once without sending bytes. Otherwise the file is sent from disk in
        chunks (``PATCH /uploads/{id}``, the server's ``chunk_size`` unless given). After a
        broken connection the server is asked for its offset and the upload resumes there;
        an interrupted upload (even by another process) resumes when ``upload`` is called
        again for the same file, or given its ``upload_id`` (one started elsewhere).
        ``progress(done_bytes, total_bytes)`` only ever grows.
        """
        import hashlib
        import json

        src = Path(path)
        size = src.stat().st_size
        if not src.is_file():
            raise IsADirectoryError(f"not a file: {src}")
        if size == 0:
            raise ValueError(f"{src} is empty; the platform stores files of at least one byte")
        digest = hashlib.sha256()
        with src.open("rb") as f:
            while block := f.read(1 << 20):
                digest.update(block)
        sha256 = digest.hexdigest()
        name = filename or src.name
        reported = [0]

        def report(done: int) -> None:
            if progress is not None and done > reported[0]:
                reported[0] = done
                progress(done, size)

        key = hashlib.sha256(
            "\n".join([self.endpoint.base_url, project, dataset, name, sha256]).encode()
        ).hexdigest()[:32]
        state = _upload_state_dir() / f"{key}.json"
        failures = [0]
        upload: s.Upload | None = None
        if upload_id is not None:
            upload = self._upload_call(failures, "GET", f"uploads/{upload_id}")
            if upload.sha256 != sha256 or upload.size != size:
                raise ValueError(f"upload {upload_id} is not of {src} (other size or sha256)")
            if upload.status not in ("active", "completed"):
                raise ApiError(409, f"upload {upload_id} is {upload.status}; start a new one")
        elif state.exists():
            try:
                known = json.loads(state.read_text())["id"]
                upload = self._upload_call(failures, "GET", f"uploads/{known}")
                if upload.status != "active" or upload.sha256 != sha256 or upload.size != size:
                    upload = None
            except (ApiError, ValueError, KeyError, OSError):
                upload = None
        if upload is None:
            create = s.UploadCreate.model_validate(
                {
                    "project": project,
                    "dataset": dataset,
                    "filename": name,
                    "size": size,
                    "sha256": sha256,
                }
            ).model_dump(mode="json")
            upload = self._upload_call(failures, "POST", "uploads", json=create)
        if upload.status == "completed" and upload.file is not None:
            state.unlink(missing_ok=True)
            report(size)
            return upload.file
        state.parent.mkdir(parents=True, exist_ok=True)
        state.write_text(json.dumps({"id": upload.id, "path": str(src.resolve())}))
        chunk = chunk_size or upload.chunk_size or 8 << 20
        offset = upload.offset
        report(offset)
        upload_id = upload.id
        with src.open("rb") as f:
            while offset < size:
                length = min(chunk, size - offset)

                def body(start: int = offset, length: int = length) -> Iterator[bytes]:
                    f.seek(start)
                    left, sent = length, start
                    while left:
                        block = f.read(min(64 << 10, left))
                        if not block:
                            raise OSError(f"{src} changed while uploading")
                        left -= len(block)
                        sent += len(block)
                        yield block
                        report(sent)

                headers = {
                    "Upload-Offset": str(offset),
                    "Content-Type": "application/offset+octet-stream",
                    "Content-Length": str(length),
                }
                try:
                    data = self.request(
                        "PATCH", f"uploads/{upload_id}", content=body(), headers=headers
                    )
                    offset = s.Upload.model_validate(data).offset
                    failures[0] = 0
                except ApiError as exc:
                    if exc.status not in (0, 409):
                        raise
                    if exc.status == 0:
                        self._backoff(failures, exc)
                    # where does the server stand? resume from its offset
                    current = self._upload_call(failures, "GET", f"uploads/{upload_id}")
                    if current.status != "active":
                        state.unlink(missing_ok=True)
                        raise ApiError(409, f"upload {upload_id} is {current.status}") from exc
                    if exc.status == 409 and current.offset == offset:
                        self._backoff(failures, exc)  # busy: another writer holds it for now
                    offset = current.offset
                report(offset)
        try:
            done = self._upload_call(failures, "POST", f"uploads/{upload_id}/complete")
        except ApiError as exc:
            if exc.status in (409, 410, 422):
                state.unlink(missing_ok=True)
            raise
        state.unlink(missing_ok=True)
        if done.file is None:
            raise ApiError(500, f"upload {upload_id} completed without a file")
        return done.file

    def download(
        self,
        file_id_or_path: int | str | s.DatasetFile,
        dest: str | os.PathLike[str],
        progress: Callable[[int, int], object] | None = None,
    ) -> Path:
        """Download a dataset file to ``dest`` (a file, or a directory to put it in),
        streamed; a broken transfer resumes with ``Range`` (also a leftover ``dest.part``
        from an interrupted call). Returns the path written."""
        f = self.dataset_file(file_id_or_path)
        owner, project, dataset, _ = f.path.split("/", 3)
        url = f"projects/{owner}/{project}/datasets/{dataset}/files/{f.id}/download"
        target = Path(dest)
        if target.is_dir():
            target = target / f.name
        part = target.with_name(target.name + ".part")
        target.parent.mkdir(parents=True, exist_ok=True)
        failures = [0]
        reported = [0]

        def report(done: int) -> None:
            if progress is not None and done > reported[0]:
                reported[0] = done
                progress(done, f.size)

        while True:
            have = part.stat().st_size if part.exists() else 0
            if have > f.size:
                part.unlink()
                have = 0
            if have == f.size:
                break
            report(have)
            headers = {"Range": f"bytes={have}-"} if have else {}
            try:
                with self._http.stream("GET", url, headers=headers) as resp:
                    if resp.status_code == 416:
                        part.unlink(missing_ok=True)
                        continue
                    if resp.status_code >= 400:
                        resp.read()
                        try:
                            err = s.Error.model_validate(resp.json())
                        except ValueError:
                            raise ApiError(resp.status_code, resp.text[:200]) from None
                        raise ApiError(err.status, err.message, err.errors)
                    mode = "ab" if resp.status_code == 206 else "wb"
                    done = have if mode == "ab" else 0
                    with part.open(mode) as out:
                        for block in resp.iter_bytes(256 << 10):
                            out.write(block)
                            done += len(block)
                            report(done)
                failures[0] = 0
                if part.stat().st_size < f.size:
                    raise httpx.ReadError("connection closed before the end of the file")
            except httpx.TransportError as exc:
                self._backoff(failures, exc)
        part.replace(target)
        report(f.size)
        return target

    # --- cloud-brain images ----------------------------------------------------------------

    def list_images(
        self, q: str | None = None, owner: str | None = None, page: int = 1, per_page: int = 20
    ) -> s.Page[i.Image]:
        """Images you may see: public ones, yours and your organisations'."""
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        params.update({k: v for k, v in (("q", q), ("owner", owner)) if v})
        return self._get(s.Page[i.Image], "images", **params)

    def get_image(self, ref: int | str) -> i.Image:
        """An image by id or ``owner/name``."""
        if isinstance(ref, int) or str(ref).isdigit():
            return self._get(i.Image, f"images/{ref}")
        owner, _, name = str(ref).partition("/")
        found = self._get(s.Page[i.Image], "images", owner=owner, name=name).items
        if not found:
            raise ApiError(404, f"image '{ref}' not found")
        return found[0]

    def create_image(self, name: str, **fields: Any) -> i.Image:
        """``create_image("torch", requirements="torch==2.3\\nnumpy")``; the environment is
        built when a task first needs it, or now with :meth:`build_image`."""
        body = i.ImageCreate(name=name, **fields).model_dump(mode="json", exclude_none=True)
        return i.Image.model_validate(self.request("POST", "images", json=body))

    def build_image(self, ref: int | str) -> i.ImageEnv:
        image_id = ref if isinstance(ref, int) else self.get_image(ref).id
        return i.ImageEnv.model_validate(self.request("POST", f"images/{image_id}/build"))

    # --- cloud-brain tasks -----------------------------------------------------------------

    def specs(self) -> list[s.ResourceSpec]:
        return [s.ResourceSpec.model_validate(x) for x in self.request("GET", "specs")]

    def tasks(
        self, project: str, kind: str | None = None, status: str | None = None, page: int = 1
    ) -> s.Page[s.Task]:
        params: dict[str, Any] = {"page": page}
        params.update({k: v for k, v in (("kind", kind), ("status", status)) if v})
        return self._get(s.Page[s.Task], f"projects/{project}/tasks", **params)

    def task(self, project: str, id: int) -> s.Task:
        return self._get(s.Task, f"projects/{project}/tasks/{id}")

    def create_task(self, project: str, **fields: Any) -> s.Task:
        """``create_task("owner/p", name=…, spec=…, boot_file=…, params={"epochs": 3})``;
        ``params`` may be a mapping or a list of ``{"name", "value"}``."""
        params = fields.get("params")
        if isinstance(params, dict):
            fields["params"] = [{"name": k, "value": str(v)} for k, v in params.items()]
        body = s.TaskCreate(**fields).model_dump(mode="json")
        return s.Task.model_validate(self.request("POST", f"projects/{project}/tasks", json=body))

    def stop_task(self, project: str, id: int) -> s.Task:
        return s.Task.model_validate(self.request("POST", f"projects/{project}/tasks/{id}/stop"))

    def task_log(self, project: str, id: int, offset: int = 0) -> s.TaskLog:
        return self._get(s.TaskLog, f"projects/{project}/tasks/{id}/logs", offset=offset)

    def task_logs(self, project: str, id: int, offset: int = 0) -> tuple[str, int]:
        """Log text from byte ``offset`` → ``(text, next_offset)``; poll with the latter."""
        log = self.task_log(project, id, offset)
        return log.text, log.next_offset

    def stream_logs(
        self, project: str, id: int, offset: int = 0, retries: int = 3
    ) -> Iterator[s.TaskLogEvent]:
        """Follow a task live (server-sent events): ``log`` events with the text from byte
        ``offset`` on, ``status`` on each change, and a last ``end`` with the final status.
        A dropped connection resumes from the last offset (``retries`` times in a row)."""
        path = f"projects/{project}/tasks/{id}/logs/stream"
        timeout = httpx.Timeout(self._http.timeout.connect, read=60.0)  # heartbeats: 15 s
        failures = 0
        while True:
            try:
                with self._http.stream(
                    "GET",
                    path,
                    params={"offset": offset},
                    headers={"Accept": "text/event-stream"},
                    timeout=timeout,
                ) as resp:
                    if resp.status_code >= 400:
                        resp.read()
                        raise _api_error(resp)
                    for event in _sse_events(resp.iter_lines()):
                        failures = 0
                        if event.event == "log":
                            offset = event.next_offset
                        yield event
                        if event.event == "end":
                            return
            except httpx.HTTPError as exc:
                failures += 1
                if failures > retries:
                    raise ApiError(0, f"log stream of task {id} lost: {exc}") from exc
                time.sleep(min(0.5 * 2**failures, 5.0))

    def last_task(self) -> s.Task | None:
        """Your most recent task (what "Run as training task" pre-fills), or None."""
        data = self.request("GET", "tasks/last")
        return s.Task.model_validate(data) if data else None

    def task_outputs(self, project: str, id: int) -> list[s.TaskOutput]:
        data = self.request("GET", f"projects/{project}/tasks/{id}/outputs")
        return [s.TaskOutput.model_validate(o) for o in data]

    def wait_task(
        self, project: str, id: int, timeout: float | None = None, interval: float = 0.5
    ) -> s.Task:
        """Poll until the task ends (SUCCEEDED, FAILED, STOPPED); ``TimeoutError`` after
        ``timeout`` seconds (None: no limit)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            t = self.task(project, id)
            if t.status in TASK_FINAL:
                return t
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(f"task {id} is still {t.status} after {timeout} s")
            time.sleep(interval)


def _api_error(resp: httpx.Response) -> ApiError:
    try:
        err = s.Error.model_validate(resp.json())
        return ApiError(err.status, err.message, err.errors)
    except ValueError:
        return ApiError(resp.status_code, resp.text[:200] or resp.reason_phrase)


def _sse_events(lines: Iterator[str]) -> Iterator[s.TaskLogEvent]:
    """Server-sent events (``event:`` / ``data:`` fields, blank-line separated) as models;
    comments (heartbeats) and unknown events are skipped."""
    name = "message"
    data: list[str] = []
    for line in lines:
        if not line:
            if data and name in ("log", "status", "end"):
                yield s.TaskLogEvent.model_validate({**json.loads("\n".join(data)), "event": name})
            name, data = "message", []
        elif not line.startswith(":"):
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)


def cache_root() -> Path:
    """Where the kernel side keeps downloads and upload state: ``$OPENI_LAB_CACHE`` or
    ``~/.cache/openi_lab``."""
    root = os.environ.get("OPENI_LAB_CACHE")
    return Path(root).expanduser() if root else Path.home() / ".cache" / "openi_lab"


def _upload_state_dir() -> Path:
    return cache_root() / "uploads"
