"""Code-hosting tables beside the project: stars, watches, branch protection, releases,
and the activity log that pushes (and later every action) write to."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Timestamps, UTCDateTime


class Star(Timestamps, Base):
    """点赞: a user starred a project."""

    __tablename__ = "stars"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)


class Watch(Timestamps, Base):
    """关注: a user follows a project's activity."""

    __tablename__ = "watches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("project_id", "user_id"),)


class BranchProtection(Timestamps, Base):
    """A protected branch: no force push, no deletion, pushes only from ``push_role``."""

    __tablename__ = "branch_protections"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    branch: Mapped[str] = mapped_column(String(255))
    allow_force_push: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_deletion: Mapped[bool] = mapped_column(Boolean, default=False)
    push_role: Mapped[str] = mapped_column(String(8), default="write")

    __table_args__ = (UniqueConstraint("project_id", "branch"),)


class Release(Timestamps, Base):
    """版本发布: a tag with a title, notes and attached files."""

    __tablename__ = "releases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    tag: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    commit: Mapped[str] = mapped_column(String(64))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    is_prerelease: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (UniqueConstraint("project_id", "tag"),)


class ReleaseAsset(Timestamps, Base):
    __tablename__ = "release_assets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    release_id: Mapped[int] = mapped_column(ForeignKey("releases.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    #: where the bytes live in the object store
    storage_key: Mapped[str] = mapped_column(String(255))
    download_count: Mapped[int] = mapped_column(Integer, default=0)

    __table_args__ = (UniqueConstraint("release_id", "name"),)


class Activity(Base):
    """One event of the activity feed (push, issue opened, fork…); ``payload`` is JSON."""

    __tablename__ = "activities"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), nullable=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    __table_args__ = (Index("ix_activities_project_created", "project_id", "created_at"),)
