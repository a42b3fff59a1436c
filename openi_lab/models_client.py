"""The model registry and pipelines in :class:`~openi_lab.client.Client` (a mixin)."""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel

from . import model_schemas as ms
from . import schemas as s

M = TypeVar("M", bound=BaseModel)


def _zip_dir(src: Path, dest: Path) -> None:
    with zipfile.ZipFile(dest, "w", zipfile.ZIP_DEFLATED) as z:
        for p in sorted(src.rglob("*")):
            if p.is_file() and not p.is_symlink():
                z.write(p, p.relative_to(src).as_posix())


class ModelsMixin:
    """``models`` … ``pipeline_run``: see ``docs/models-api.md``."""

    if TYPE_CHECKING:
        _http: Any

        def request(self, method: str, path: str, **kwargs: Any) -> Any: ...

        def _get(self, model: type[M], path: str, **params: Any) -> M: ...

    # --- registry --------------------------------------------------------------------------

    def models(
        self,
        project: str | None = None,
        q: str | None = None,
        tag: str | None = None,
        page: int = 1,
        per_page: int = 20,
    ) -> s.Page[ms.Model]:
        """Models of ``project`` (``owner/name``), or of every project you can read."""
        params: dict[str, Any] = {"page": page, "per_page": per_page}
        params.update({k: v for k, v in (("q", q), ("tag", tag)) if v})
        path = f"projects/{project}/models" if project else "models"
        return self._get(s.Page[ms.Model], path, **params)

    def model(self, project: str, name: str) -> ms.Model:
        return self._get(ms.Model, f"projects/{project}/models/{name}")

    def model_versions(
        self, project: str, name: str, page: int = 1, per_page: int = 20
    ) -> s.Page[ms.ModelVersion]:
        return self._get(
            s.Page[ms.ModelVersion],
            f"projects/{project}/models/{name}/versions",
            page=page,
            per_page=per_page,
        )

    def model_version(self, ref: str | int) -> ms.ModelVersion:
        """``owner/project/model[@version|@alias]`` or a version id → the version, with files."""
        return self._get(ms.ModelVersion, "model-versions/resolve", ref=str(ref))

    def import_model(self, project: str, task_id: int, **fields: Any) -> ms.ModelVersion:
        """导入新模型 from a succeeded training task (``name``, ``version``, ``files``,
        ``tags``, ``description`` optional)."""
        body = ms.ModelImport(task_id=task_id, **fields).model_dump(mode="json")
        return ms.ModelVersion.model_validate(
            self.request("POST", f"projects/{project}/models", json=body)
        )

    def upload_model(
        self,
        project: str,
        path: str | os.PathLike[str],
        name: str,
        version: str | None = None,
        tags: str = "",
        description: str = "",
    ) -> ms.ModelVersion:
        """A version from local files: one file, or a directory (sent as a zip; ≤ 100 MiB)."""
        src = Path(path)
        params = {"name": name, "tags": tags, "description": description}
        if version:
            params["version"] = version
        with tempfile.TemporaryDirectory(prefix="openi-model-") as tmp:
            if src.is_dir():
                send = Path(tmp) / f"{name}.zip"
                _zip_dir(src, send)
            else:
                send = src
            params["filename"] = send.name
            data = self.request(
                "POST",
                f"projects/{project}/models/upload",
                params=params,
                content=send.read_bytes(),
                headers={"Content-Type": "application/octet-stream"},
            )
        return ms.ModelVersion.model_validate(data)

    def download_model_file(
        self,
        version: ms.ModelVersion,
        path: str,
        dest: str | os.PathLike[str],
        progress: Callable[[int], object] | None = None,
    ) -> Path:
        """One file of a version, streamed to ``dest``."""
        url = (
            f"projects/{version.project}/models/{version.model}/versions/{version.version}/download"
        )
        target = Path(dest)
        target.parent.mkdir(parents=True, exist_ok=True)
        from .client import _api_error

        with self._http.stream("GET", url, params={"path": path}) as resp:
            if resp.status_code >= 400:
                resp.read()
                raise _api_error(resp)
            done = 0
            with target.open("wb") as out:
                for block in resp.iter_bytes(256 << 10):
                    out.write(block)
                    done += len(block)
                    if progress is not None:
                        progress(done)
        return target

    def set_alias(self, project: str, model: str, alias: str, version: str) -> ms.Aliases:
        return ms.Aliases.model_validate(
            self.request(
                "PUT",
                f"projects/{project}/models/{model}/aliases/{alias}",
                json={"version": version},
            )
        )

    def reproduce(self, project: str, model: str, version: str, **fields: Any) -> s.Task:
        """Reproduce: a new training task with exactly the version's lineage."""
        return s.Task.model_validate(
            self.request(
                "POST",
                f"projects/{project}/models/{model}/versions/{version}/reproduce",
                json=ms.ReproduceRequest(**fields).model_dump(mode="json"),
            )
        )

    # --- pipelines -------------------------------------------------------------------------

    def create_pipeline(self, project: str, **fields: Any) -> ms.Pipeline:
        body = ms.PipelineCreate(**fields).model_dump(mode="json", by_alias=True)
        return ms.Pipeline.model_validate(
            self.request("POST", f"projects/{project}/pipelines", json=body)
        )

    def run_pipeline(self, project: str, name: str, reuse: bool = False) -> ms.PipelineRun:
        return ms.PipelineRun.model_validate(
            self.request("POST", f"projects/{project}/pipelines/{name}/runs", json={"reuse": reuse})
        )

    def pipeline_run(self, project: str, run_id: int) -> ms.PipelineRun:
        return self._get(ms.PipelineRun, f"projects/{project}/pipeline-runs/{run_id}")
