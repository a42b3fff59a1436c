"""The model registry (模型管理): models, versions, their files, aliases, and pipelines."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Timestamps, UTCDateTime, utcnow


class RegisteredModel(Timestamps, Base):
    """A model of a project; its versions carry the files."""

    __tablename__ = "models"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    lower_name: Mapped[str] = mapped_column(String(64))
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    num_versions: Mapped[int] = mapped_column(Integer, default=0)
    #: the newest version by semver (kept by the service; reads need no sort)
    latest_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)

    __table_args__ = (
        UniqueConstraint("project_id", "lower_name"),
        Index("ix_models_updated", "updated_at"),
    )


class ModelVersion(Timestamps, Base):
    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version: Mapped[str] = mapped_column(String(32))
    major: Mapped[int] = mapped_column(Integer)
    minor: Mapped[int] = mapped_column(Integer)
    patch: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(255), default="")
    #: space-separated, padded with one space each side so ``LIKE '% tag %'`` finds a tag
    tags: Mapped[str] = mapped_column(String(600), default=" ")
    engine: Mapped[str] = mapped_column(String(16), default="unknown")
    compute: Mapped[str | None] = mapped_column(String(8), nullable=True)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    num_files: Mapped[int] = mapped_column(Integer, default=0)
    #: JSON object read from the training task's ``metrics.json``
    metrics: Mapped[str] = mapped_column(Text, default="{}")
    #: task | upload | notebook
    source: Mapped[str] = mapped_column(String(10), default="task")
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True, index=True
    )
    dataset_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("dataset_files.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: JSON snapshot of the lineage (see ``model_schemas.Lineage``)
    lineage: Mapped[str] = mapped_column(Text, default="{}")
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    download_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (
        UniqueConstraint("model_id", "version"),
        Index("ix_model_versions_order", "model_id", "major", "minor", "patch"),
    )


class ModelVersionTag(Base):
    """One tag of a version, indexed so that a search by tag reads only its matches."""

    __tablename__ = "model_version_tags"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(32))

    #: a tag's versions of a model straight from the index (the versions page by tag)
    __table_args__ = (Index("ix_model_version_tags_cover", "model_id", "tag", "version_id"),)


class ModelFileRow(Base):
    """One file of a version; its bytes are the object with this sha256."""

    __tablename__ = "model_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(1024))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64), index=True)


class ModelAlias(Base):
    __tablename__ = "model_aliases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"))
    alias: Mapped[str] = mapped_column(String(32))
    version_id: Mapped[int] = mapped_column(
        ForeignKey("model_versions.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("model_id", "alias"),)


class ModelAliasEvent(Timestamps, Base):
    """Who moved an alias when (an audit trail); versions as strings survive deletion."""

    __tablename__ = "model_alias_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("models.id", ondelete="CASCADE"), index=True)
    alias: Mapped[str] = mapped_column(String(32))
    from_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    to_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )


class Pipeline(Timestamps, Base):
    __tablename__ = "pipelines"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(64))
    lower_name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(255), default="")
    #: ui | repo
    source: Mapped[str] = mapped_column(String(8), default="ui")
    path: Mapped[str | None] = mapped_column(String(1024), nullable=True)
    branch: Mapped[str] = mapped_column(String(255), default="")
    #: JSON of ``model_schemas.PipelineDef`` (for ``repo``: as last read)
    definition: Mapped[str] = mapped_column(Text, default="{}")
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    num_runs: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("project_id", "lower_name"),)


class PipelineRunRow(Timestamps, Base):
    __tablename__ = "pipeline_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    pipeline_id: Mapped[int] = mapped_column(
        ForeignKey("pipelines.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    #: RUNNING | SUCCEEDED | FAILED | CANCELLED
    status: Mapped[str] = mapped_column(String(10), default="RUNNING")
    reason: Mapped[str] = mapped_column(Text, default="")
    reuse: Mapped[int] = mapped_column(Integer, default=0)
    commit_id: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: the definition this run follows (JSON), frozen at its start
    definition: Mapped[str] = mapped_column(Text, default="{}")
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (
        UniqueConstraint("pipeline_id", "number"),
        Index("ix_pipeline_runs_status", "status"),
    )


class PipelineStepRow(Base):
    __tablename__ = "pipeline_steps"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("pipeline_runs.id", ondelete="CASCADE"), index=True
    )
    index: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(12))
    #: PENDING | RUNNING | SUCCEEDED | FAILED | SKIPPED | REUSED
    status: Mapped[str] = mapped_column(String(10), default="PENDING")
    reason: Mapped[str] = mapped_column(Text, default="")
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), nullable=True, index=True
    )
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL"), nullable=True
    )
    #: sha256 of the step's inputs, to find a reusable earlier step
    inputs_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reused_from_run: Mapped[int | None] = mapped_column(Integer, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    __table_args__ = (UniqueConstraint("run_id", "index"),)
