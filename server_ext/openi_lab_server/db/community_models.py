"""Community tables: curated recommendations and their requests, the OpenI index (current
scores and a daily history), and the search index DDL.

The search index is not a table of copies: on SQLite it is one FTS5 *external-content* table
per searched source table, kept current by triggers in the same transaction as every insert,
update and delete of the source row; on PostgreSQL it is a generated ``search_doc``
column (the searched fields) with a ``pg_trgm`` GIN index. Either way no service has to
remember to update it, and a rebuild (``openi-lab admin search-rebuild``) only re-creates
what this module describes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import (
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from .models import Base, Timestamps, UTCDateTime
from .repo_models import Activity

#: the user feed reads an actor's events newest first
ACTIVITY_ACTOR_INDEX = Index("ix_activities_actor_created", Activity.actor_id, Activity.created_at)


class CuratedRecommendation(Timestamps, Base):
    """An org or project an admin put on the home page (推荐组织 / 推荐项目)."""

    __tablename__ = "curated_recommendations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    #: org | project
    kind: Mapped[str] = mapped_column(String(8))
    #: accounts.id for an org, projects.id for a project (rows go when their target goes:
    #: the services delete dangling ones when they read)
    target_id: Mapped[int] = mapped_column(Integer)
    position: Mapped[int] = mapped_column(Integer, default=0)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )

    __table_args__ = (UniqueConstraint("kind", "target_id"),)


class RecommendationRequest(Timestamps, Base):
    """ "Submit yours": an owner asks the admins to recommend their org or project."""

    __tablename__ = "recommendation_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(Text, default="")
    #: pending | approved | rejected
    status: Mapped[str] = mapped_column(String(8), default="pending")
    requester_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="CASCADE"), nullable=True, index=True
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("accounts.id", ondelete="SET NULL"), nullable=True
    )
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_recommendation_requests_status", "status", "id"),)


class ProjectIndex(Base):
    """The latest OpenI index of a project, with its six dimensions and each signal (JSON)."""

    __tablename__ = "project_index"

    project_id: Mapped[int] = mapped_column(
        ForeignKey("projects.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)
    impact: Mapped[float] = mapped_column(Float)
    completeness: Mapped[float] = mapped_column(Float)
    liveness: Mapped[float] = mapped_column(Float)
    project_health: Mapped[float] = mapped_column(Float)
    team_health: Mapped[float] = mapped_column(Float)
    growth: Mapped[float] = mapped_column(Float)
    #: {signal: [raw, normalised, contribution]}
    signals: Mapped[str] = mapped_column(Text, default="{}")
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime())

    __table_args__ = (Index("ix_project_index_rank", "rank"),)


class ProjectIndexHistory(Base):
    """One snapshot per project and day (a later run the same day replaces it)."""

    __tablename__ = "project_index_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    score: Mapped[float] = mapped_column(Float)
    rank: Mapped[int] = mapped_column(Integer)

    __table_args__ = (UniqueConstraint("project_id", "day"),)


# --- the search index -----------------------------------------------------------------------


@dataclass(frozen=True)
class SearchSource:
    """A searched table: its FTS5 twin on SQLite, GIN trigram indexes on PostgreSQL."""

    table: str
    columns: tuple[str, ...]

    @property
    def fts(self) -> str:
        return f"search_fts_{self.table}"


#: every searched table; search types (projects, orgs, users…) are views over these
SEARCH_SOURCES: tuple[SearchSource, ...] = (
    SearchSource("projects", ("name", "description", "topics")),
    SearchSource("accounts", ("name", "full_name", "description")),
    SearchSource("datasets", ("name", "description")),
    SearchSource("dataset_files", ("name",)),
    SearchSource("issues", ("title", "body")),
    SearchSource("tasks", ("name", "description")),
    SearchSource("models", ("name",)),
)


def sqlite_search_ddl(src: SearchSource) -> list[str]:
    """The FTS5 table (trigram tokenizer: substrings of any script, Chinese included) and the
    triggers that keep it in step with its source table within the writing transaction."""
    cols = ", ".join(src.columns)
    new = ", ".join(f"new.{c}" for c in src.columns)
    old = ", ".join(f"old.{c}" for c in src.columns)
    t, f = src.table, src.fts
    delete = f"INSERT INTO {f}({f}, rowid, {cols}) VALUES('delete', old.id, {old});"
    insert = f"INSERT INTO {f}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {f} USING fts5({cols}, content='{t}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE OF {cols} ON {t} "
        f"BEGIN {delete} {insert} END",
    ]


def sqlite_search_drop(src: SearchSource) -> list[str]:
    f = src.fts
    return [f"DROP TRIGGER IF EXISTS {f}_{s}" for s in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {f}"
    ]


def pg_search_ddl(src: SearchSource) -> list[str]:
    """One generated ``search_doc`` column of the searched fields and one trigram GIN index
    on it: a query's words become ANDed ILIKEs the index answers in one bitmap scan (an
    index per column made the planner give up for sequential scans)."""
    doc = " || ' ' || ".join(f"coalesce({c}::text, '')" for c in src.columns)
    return [
        f"ALTER TABLE {src.table} ADD COLUMN IF NOT EXISTS search_doc text "
        f"GENERATED ALWAYS AS ({doc}) STORED",
        f"CREATE INDEX IF NOT EXISTS ix_trgm_{src.table}_doc ON {src.table} "
        "USING gin (search_doc gin_trgm_ops)",
    ]


def pg_search_drop(src: SearchSource) -> list[str]:
    return [
        f"DROP INDEX IF EXISTS ix_trgm_{src.table}_doc",
        f"ALTER TABLE {src.table} DROP COLUMN IF EXISTS search_doc",
    ]
