"""Cloud-brain tasks (云脑任务), their status history and the devices they hold."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Timestamps, UTCDateTime


class Task(Timestamps, Base):
    __tablename__ = "tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    #: debug | train | inference | evaluation
    kind: Mapped[str] = mapped_column(String(12))
    name: Mapped[str] = mapped_column(String(64))
    description: Mapped[str] = mapped_column(String(255), default="")
    branch: Mapped[str] = mapped_column(String(255))
    commit_id: Mapped[str] = mapped_column(String(40))
    image: Mapped[str] = mapped_column(String(255), default="local")
    #: the image row (``owner/name`` above is its name when the task was created); None: local
    image_id: Mapped[int | None] = mapped_column(
        ForeignKey("images.id", ondelete="SET NULL"), nullable=True, index=True
    )
    spec_id: Mapped[str] = mapped_column(String(64))
    #: the spec's queue, compute resource and time limit when the task was created
    queue: Mapped[str] = mapped_column(String(64))
    compute: Mapped[str] = mapped_column(String(8))
    time_limit: Mapped[float] = mapped_column(Float, default=0.0)
    boot_file: Mapped[str] = mapped_column(String(1024))
    dataset_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("dataset_files.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: JSON list of {"name", "value"}
    params: Mapped[str] = mapped_column(Text, default="[]")
    #: inference/evaluation: the model version mounted at ``pretrain_model/``
    model_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("model_versions.id", ondelete="SET NULL", use_alter=True),
        nullable=True,
        index=True,
    )
    creator_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: WAITING | RUNNING | STOPPING | SUCCEEDED | FAILED | STOPPED
    status: Mapped[str] = mapped_column(String(10), default="WAITING")
    reason: Mapped[str] = mapped_column(Text, default="")
    exit_code: Mapped[int | None] = mapped_column(Integer, nullable=True)
    #: the executor's handle (JSON), kept so that a restarted server re-attaches
    handle: Mapped[str | None] = mapped_column(Text, nullable=True)
    #: JSON list of allocated devices ("GPU:T4:0")
    devices: Mapped[str] = mapped_column(Text, default="[]")
    #: which scheduler claimed it (two servers sharing a database never run a task twice)
    claim_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    node: Mapped[str | None] = mapped_column(String(255), nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    #: a notebook snapshot run instead of a repository file (object store, sha256-addressed)
    snapshot_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    snapshot_name: Mapped[str | None] = mapped_column(String(255), nullable=True)

    __table_args__ = (
        UniqueConstraint("project_id", "kind", "name"),
        Index("ix_tasks_status", "status", "id"),
    )


class TaskEvent(Timestamps, Base):
    """One status change of a task, time-stamped, with its reason."""

    __tablename__ = "task_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")


class DeviceAllocation(Timestamps, Base):
    """A device of a node held by one task; the unique key makes holding it exclusive."""

    __tablename__ = "device_allocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    node: Mapped[str] = mapped_column(String(255))
    device: Mapped[str] = mapped_column(String(128))
    task_id: Mapped[int] = mapped_column(ForeignKey("tasks.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("node", "device"),)
