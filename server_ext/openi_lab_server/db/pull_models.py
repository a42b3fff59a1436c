"""Pull requests (合并请求): the git side of an issue whose ``is_pull`` is true.

The number, title, body, labels, assignees, milestone, comments and open/closed state live on
the issue; this row adds the branches, the tips last seen and what was computed from them
(merge base, mergeability, conflicts, diff size), and the merge itself.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Account, Base, Project, UTCDateTime
from .tracker_models import Issue


class PullRequest(Base):
    """``head`` (a branch of the same project or of a fork of it) proposed into ``base``.

    The head's commits are copied into the base repository under ``refs/pull/<number>/head``,
    so diffs and merges need only the base repository.
    """

    __tablename__ = "pull_requests"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    #: the project holding the head branch (this project or a fork); NULL once it is deleted
    head_project_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True
    )
    head_branch: Mapped[str] = mapped_column(String(255))
    base_branch: Mapped[str] = mapped_column(String(255))
    #: tips as last seen (frozen once merged)
    head_sha: Mapped[str] = mapped_column(String(40))
    base_sha: Mapped[str] = mapped_column(String(40))
    merge_base_sha: Mapped[str | None] = mapped_column(String(40), nullable=True)
    #: None: unknown, to be computed on the next read
    mergeable: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    #: JSON list of the paths that conflict
    has_conflicts: Mapped[str] = mapped_column(Text, default="[]")
    #: size of the three-dot diff, computed with the merge base
    num_commits: Mapped[int] = mapped_column(Integer, default=0)
    additions: Mapped[int] = mapped_column(Integer, default=0)
    deletions: Mapped[int] = mapped_column(Integer, default=0)
    changed_files: Mapped[int] = mapped_column(Integer, default=0)
    merged: Mapped[bool] = mapped_column(Boolean, default=False)
    merged_sha: Mapped[str | None] = mapped_column(String(40), nullable=True)
    merged_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    merged_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    issue: Mapped[Issue] = relationship()
    head_project: Mapped[Project | None] = relationship(foreign_keys=[head_project_id])
    merged_by: Mapped[Account | None] = relationship(foreign_keys=[merged_by_id])

    __table_args__ = (Index("ix_pull_requests_head", "head_project_id", "head_branch"),)
