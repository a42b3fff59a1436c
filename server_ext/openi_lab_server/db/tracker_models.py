"""Issue tracker tables: issues (任务), labels, milestones (里程碑), comments, cross-references
and the project board (看板).

Issues and pull requests share one number space per project (``is_pull`` tells them apart);
``issue_counters`` hands the numbers out and doubles as the per-project lock that serialises
changes to the board.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .models import Account, Base, Timestamps, UTCDateTime, utcnow


class IssueCounter(Base):
    """The last issue/pull number given out in a project (one row per project, made on use)."""

    __tablename__ = "issue_counters"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class Label(Timestamps, Base):
    """A label of a project's issues; names are unique per project, ignoring case."""

    __tablename__ = "labels"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(50))
    lower_name: Mapped[str] = mapped_column(String(50))
    #: ``#rrggbb``, lower case
    color: Mapped[str] = mapped_column(String(7))
    description: Mapped[str] = mapped_column(String(255), default="")

    __table_args__ = (UniqueConstraint("project_id", "lower_name"),)


class Milestone(Timestamps, Base):
    """里程碑: a goal grouping issues; titles are unique per project, ignoring case."""

    __tablename__ = "milestones"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(255))
    lower_title: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    due_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    state: Mapped[str] = mapped_column(String(8), default="open")
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("project_id", "lower_title"),)


class IssueLabel(Base):
    __tablename__ = "issue_labels"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    label_id: Mapped[int] = mapped_column(
        ForeignKey("labels.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class IssueAssignee(Base):
    __tablename__ = "issue_assignees"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Issue(Timestamps, Base):
    """任务 (or, with ``is_pull``, a pull request): numbered per project from 1."""

    __tablename__ = "issues"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    is_pull: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[str] = mapped_column(String(8), default="open")
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    milestone_id: Mapped[int | None] = mapped_column(
        ForeignKey("milestones.id", ondelete="SET NULL"), nullable=True, index=True
    )
    num_comments: Mapped[int] = mapped_column(Integer, default=0)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[Account | None] = relationship(foreign_keys=[author_id])
    closed_by: Mapped[Account | None] = relationship(foreign_keys=[closed_by_id])
    milestone: Mapped[Milestone | None] = relationship()
    labels: Mapped[list[Label]] = relationship(
        secondary="issue_labels", order_by="Label.lower_name", passive_deletes=True
    )
    assignees: Mapped[list[Account]] = relationship(
        secondary="issue_assignees", order_by="Account.lower_name", passive_deletes=True
    )

    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        Index("ix_issues_project_state_created", "project_id", "is_pull", "state", "created_at"),
    )


class Comment(Timestamps, Base):
    """A markdown comment on an issue."""

    __tablename__ = "comments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    author: Mapped[Account | None] = relationship()

    __table_args__ = (Index("ix_comments_issue_created", "issue_id", "created_at"),)


class IssueReference(Timestamps, Base):
    """``#12`` or ``owner/name#12`` written in an issue's body or comments: the source issue
    mentions the target, which shows "referenced by"."""

    __tablename__ = "issue_references"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source_issue_id: Mapped[int] = mapped_column(ForeignKey("issues.id", ondelete="CASCADE"))
    target_issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("source_issue_id", "target_issue_id"),)


class BoardColumn(Timestamps, Base):
    """A column of a project's board (看板), ordered by ``position``."""

    __tablename__ = "board_columns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer, default=0)


class BoardCard(Base):
    """Where an issue sits on its project's board: one card per issue."""

    __tablename__ = "board_cards"

    issue_id: Mapped[int] = mapped_column(
        ForeignKey("issues.id", ondelete="CASCADE"), primary_key=True
    )
    column_id: Mapped[int] = mapped_column(
        ForeignKey("board_columns.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
