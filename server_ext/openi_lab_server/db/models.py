"""SQLAlchemy 2.0 typed models of the platform.

Users and organisations share one ``accounts`` table (as on GitHub and Gitea): a resource has a
single ``owner_id`` whichever kind owns it, and names are unique across both kinds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC datetimes on every backend (SQLite forgets the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base with naming conventions so that migrations name constraints stably."""

    from sqlalchemy import MetaData

    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Account(Timestamps, Base):
    """A user (``kind='user'``) or an organisation (``kind='org'``)."""

    __tablename__ = "accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(40))
    #: lower-cased name: uniqueness and look-ups ignore case.
    lower_name: Mapped[str] = mapped_column(String(40), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)
    description: Mapped[str] = mapped_column(String(255), default="")
    visibility: Mapped[str] = mapped_column(String(8), default="public")
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)

    __table_args__ = (Index("ix_accounts_kind_created", "kind", "created_at"),)


class OrgMember(Timestamps, Base):
    """Membership of a user in an organisation; owners manage the org."""

    __tablename__ = "org_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(8), default="member")

    user: Mapped[Account] = relationship(foreign_keys=[user_id], lazy="joined")

    __table_args__ = (UniqueConstraint("org_id", "user_id"),)


class Team(Timestamps, Base):
    """A group of org members sharing one permission on the org's resources."""

    __tablename__ = "teams"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    lower_name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(255), default="")
    permission: Mapped[str] = mapped_column(String(8), default="read")

    __table_args__ = (UniqueConstraint("org_id", "lower_name"),)


class TeamMember(Timestamps, Base):
    __tablename__ = "team_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("team_id", "user_id"),)


class AccessToken(Timestamps, Base):
    """A personal access token; only its sha256 is stored, the secret is shown once."""

    __tablename__ = "access_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(64))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class Project(Timestamps, Base):
    """A project (项目): owned by a user or an org; code hosting adds its git repository."""

    __tablename__ = "projects"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(40))
    lower_name: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text, default="")
    visibility: Mapped[str] = mapped_column(String(8), default="public")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    # code hosting
    default_branch: Mapped[str] = mapped_column(String(255), default="main")
    is_archived: Mapped[bool] = mapped_column(Boolean, default=False)
    fork_parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("projects.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: space-separated, lower-case
    topics: Mapped[str] = mapped_column(String(500), default="")
    num_stars: Mapped[int] = mapped_column(Integer, default=0)
    num_forks: Mapped[int] = mapped_column(Integer, default=0)
    num_watches: Mapped[int] = mapped_column(Integer, default=0)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    owner: Mapped[Account] = relationship(lazy="joined")
    fork_parent: Mapped[Project | None] = relationship(
        remote_side=[id], lazy="joined", join_depth=1
    )

    @property
    def full_name(self) -> str:
        return f"{self.owner.name}/{self.name}"

    __table_args__ = (
        UniqueConstraint("owner_id", "lower_name"),
        Index("ix_projects_updated", "updated_at"),
    )
