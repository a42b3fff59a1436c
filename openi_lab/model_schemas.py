"""Pydantic models of the model registry (模型管理), its lineage and pipelines.

The contract is ``docs/models-api.md``; server, client and widgets all use these classes.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator, model_validator

from .schemas import ComputeResource, TaskKind, TaskParam, TaskStatus, User

#: ``MAJOR.MINOR.PATCH`` without leading zeros (semver's core; no pre-release tags)
SEMVER_PATTERN = r"^(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})\.(0|[1-9]\d{0,8})$"
SEMVER_RE = re.compile(SEMVER_PATTERN)
MODEL_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"
ALIAS_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,31}$"
STEP_NAME_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
TAG_RE = re.compile(r"^[^\s]{1,32}$")
MAX_TAGS = 16

Engine = Literal[
    "PyTorch", "MindSpore", "TensorFlow", "ONNX", "PaddlePaddle", "scikit-learn", "unknown"
]
StepKind = Literal["train", "register", "evaluation", "inference"]
StepStatus = Literal["PENDING", "RUNNING", "SUCCEEDED", "FAILED", "SKIPPED", "REUSED"]
RunStatus = Literal["RUNNING", "SUCCEEDED", "FAILED", "CANCELLED"]
Metrics = dict[str, Any]


def parse_semver(value: str) -> tuple[int, int, int]:
    m = SEMVER_RE.match(value)
    if not m:
        raise ValueError("use MAJOR.MINOR.PATCH, e.g. 1.2.0")
    return int(m.group(1)), int(m.group(2)), int(m.group(3))


def _check_tags(value: str) -> str:
    tags = value.split()
    if len(tags) > MAX_TAGS:
        raise ValueError(f"at most {MAX_TAGS} tags")
    for t in tags:
        if not TAG_RE.match(t):
            raise ValueError(f"tag '{t[:40]}' is longer than 32 characters")
    return " ".join(dict.fromkeys(tags))


def _check_semver(value: str | None) -> str | None:
    if value is not None:
        parse_semver(value)
    return value


Tags = Annotated[str, AfterValidator(_check_tags)]
SemVer = Annotated[str | None, AfterValidator(_check_semver)]


class _Model(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


# --- registry ------------------------------------------------------------------------------


class ModelFile(_Model):
    path: str
    size: int
    sha256: str


class Lineage(_Model):
    """Where a version came from: a snapshot taken at import, so it survives a moved branch."""

    task_id: int | None = None
    task_name: str | None = None
    task_kind: TaskKind | None = None
    task_status: TaskStatus | None = None
    project: str
    branch: str | None = None
    commit: str | None = None
    boot_file: str | None = None
    image: str | None = None
    spec: str | None = None
    compute: ComputeResource | None = None
    params: list[TaskParam] = Field(default_factory=list)
    dataset_file_id: int | None = None
    dataset_path: str | None = None
    dataset_sha256: str | None = None
    source: Literal["task", "upload", "notebook"] = "task"


class Evaluation(_Model):
    """An evaluation task that took this version, with the ``metrics.json`` it wrote."""

    task_id: int
    task_name: str
    project: str
    status: TaskStatus
    metrics: Metrics = Field(default_factory=dict)
    created_at: datetime
    finished_at: datetime | None = None


class ModelVersion(_Model):
    id: int
    model: str
    model_id: int
    project: str
    #: ``owner/project/model@1.2.0``
    path: str
    version: str
    description: str
    tags: list[str]
    engine: Engine
    compute: ComputeResource | None = None
    size: int
    num_files: int
    files: list[ModelFile] = Field(default_factory=list)
    metrics: Metrics = Field(default_factory=dict)
    evaluations: list[Evaluation] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    lineage: Lineage
    creator: User | None = None
    created_at: datetime
    download_count: int = 0


class Model(_Model):
    id: int
    project: str
    name: str
    description: str
    num_versions: int
    latest: ModelVersion | None = None
    size: int
    engine: Engine
    compute: ComputeResource | None = None
    aliases: dict[str, str] = Field(default_factory=dict)
    creator: User | None = None
    created_at: datetime
    updated_at: datetime


class ModelImport(_Input):
    """导入新模型 / 创建新版本 from a SUCCEEDED training task."""

    task_id: int
    #: paths among the task's outputs; None = all of them
    files: list[Annotated[str, Field(min_length=1, max_length=1024)]] | None = Field(
        None, max_length=10000
    )
    name: str | None = Field(None, pattern=MODEL_NAME_PATTERN)
    version: SemVer = None
    tags: Tags = ""
    description: str = Field("", max_length=255)


class ModelUploadImport(_Input):
    """A version from an upload: a completed resumable upload or a dataset file."""

    upload_id: str | None = Field(None, max_length=64)
    dataset_file: int | None = None
    name: str = Field(pattern=MODEL_NAME_PATTERN)
    version: SemVer = None
    tags: Tags = ""
    description: str = Field("", max_length=255)

    @model_validator(mode="after")
    def _one_source(self) -> ModelUploadImport:
        if (self.upload_id is None) == (self.dataset_file is None):
            raise ValueError("give exactly one of upload_id and dataset_file")
        return self


class VersionUpdate(_Input):
    description: str | None = Field(None, max_length=255)
    tags: Tags | None = None


class AliasSet(_Input):
    version: str

    @field_validator("version")
    @classmethod
    def _semver(cls, v: str) -> str:
        parse_semver(v)
        return v


class AliasEvent(_Model):
    alias: str
    from_version: str | None = None
    to_version: str | None = None
    actor: User | None = None
    created_at: datetime


class Aliases(_Model):
    aliases: dict[str, str]
    history: list[AliasEvent]


class ReproduceRequest(_Input):
    name: str | None = Field(None, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    spec: str | None = Field(None, min_length=1, max_length=64)


# --- pipelines -----------------------------------------------------------------------------


class PipelineStepDef(_Input):
    name: str = Field(pattern=STEP_NAME_PATTERN)
    kind: StepKind
    boot_file: str | None = Field(None, min_length=1, max_length=1024)
    spec: str | None = Field(None, min_length=1, max_length=64)
    branch: str = Field("", max_length=255)
    image: str = Field("local", max_length=255)
    dataset: int | None = None
    params: list[TaskParam] = Field(default_factory=list, max_length=64)
    #: register: the train step; evaluation/inference: the register step (default: the last)
    from_: str | None = Field(None, alias="from", pattern=STEP_NAME_PATTERN)
    model: str | None = Field(None, pattern=MODEL_NAME_PATTERN)
    files: list[str] | None = None
    tags: Tags = ""

    model_config = ConfigDict(
        extra="forbid", str_strip_whitespace=True, populate_by_name=True, serialize_by_alias=True
    )

    @field_validator("params", mode="before")
    @classmethod
    def _params_mapping(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return [{"name": str(k), "value": str(val)} for k, val in v.items()]
        return v

    @model_validator(mode="after")
    def _needs(self) -> PipelineStepDef:
        if self.kind != "register":
            if not self.boot_file:
                raise ValueError(f"a {self.kind} step needs a boot_file")
            if not self.spec:
                raise ValueError(f"a {self.kind} step needs a spec")
        return self


class PipelineDef(_Input):
    name: str = Field(pattern=MODEL_NAME_PATTERN)
    description: str = Field("", max_length=255)
    steps: list[PipelineStepDef] = Field(min_length=1, max_length=16)

    @model_validator(mode="after")
    def _references(self) -> PipelineDef:
        seen: dict[str, str] = {}
        for i, step in enumerate(self.steps):
            if step.name in seen:
                raise ValueError(f"steps.{i}: the name '{step.name}' is used twice")
            want = {"register": "train", "evaluation": "register", "inference": "register"}
            if step.kind in want:
                ref = step.from_ or next(
                    (n for n, k in reversed(seen.items()) if k == want[step.kind]), None
                )
                if ref is None or seen.get(ref) != want[step.kind]:
                    raise ValueError(
                        f"steps.{i}: a {step.kind} step needs an earlier {want[step.kind]} step"
                    )
                step.from_ = ref
            seen[step.name] = step.kind
        return self


class PipelineCreate(_Input):
    name: str | None = Field(None, pattern=MODEL_NAME_PATTERN)
    description: str = Field("", max_length=255)
    definition: PipelineDef | None = None
    path: str | None = Field(None, min_length=1, max_length=1024)
    branch: str = Field("", max_length=255)

    @model_validator(mode="after")
    def _one_source(self) -> PipelineCreate:
        if (self.definition is None) == (self.path is None):
            raise ValueError("give exactly one of definition and path")
        return self


class PipelineRunCreate(_Input):
    reuse: bool = False


class PipelineStep(_Model):
    index: int
    name: str
    kind: StepKind
    status: StepStatus
    reason: str = ""
    task_id: int | None = None
    task_name: str | None = None
    task_path: str | None = None
    model_version: str | None = None
    model_version_id: int | None = None
    reused_from_run: int | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


class PipelineRun(_Model):
    id: int
    pipeline: str
    project: str
    number: int
    status: RunStatus
    reason: str = ""
    reuse: bool = False
    commit: str | None = None
    creator: User | None = None
    created_at: datetime
    finished_at: datetime | None = None
    steps: list[PipelineStep] = Field(default_factory=list)


class Pipeline(_Model):
    id: int
    project: str
    name: str
    description: str
    source: Literal["ui", "repo"]
    path: str | None = None
    branch: str
    definition: PipelineDef
    creator: User | None = None
    created_at: datetime
    updated_at: datetime
    last_run: PipelineRun | None = None
