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
#: feeds page newest first by id: an actor's, a project's (and "mine", which merges both)
#: walk these backwards and stop after a page; the actor's carries the project, whose
#: visibility each event is checked against, so the walk never reads the table
ACTIVITY_ACTOR_ID_INDEX = Index(
    "ix_activities_actor_id", Activity.actor_id, Activity.id, Activity.project_id
)
ACTIVITY_PROJECT_ID_INDEX = Index("ix_activities_project_id", Activity.project_id, Activity.id)


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


#: appended to every indexed value on SQLite, so that each occurrence of a one- or
#: two-character word is the start of some trigram (see :func:`sqlite_short_word_docs`)
SQLITE_PAD = "  "


def _padded(prefix: str, columns: tuple[str, ...]) -> str:
    return ", ".join(f"{prefix}{c} || '{SQLITE_PAD}'" for c in columns)


def sqlite_search_ddl(src: SearchSource) -> list[str]:
    """The FTS5 table (trigram tokenizer: substrings of any script, Chinese included), its
    ``fts5vocab`` twin (every trigram with the rows it occurs in, for words shorter than a
    trigram) and the triggers that keep both in step with the source table within the
    writing transaction. Values are indexed with :data:`SQLITE_PAD` appended."""
    cols = ", ".join(src.columns)
    t, f = src.table, src.fts
    old, new = _padded("old.", src.columns), _padded("new.", src.columns)
    delete = f"INSERT INTO {f}({f}, rowid, {cols}) VALUES('delete', old.id, {old});"
    insert = f"INSERT INTO {f}(rowid, {cols}) VALUES (new.id, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {f} USING fts5({cols}, content='{t}', "
        "content_rowid='id', tokenize='trigram')",
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {f}_terms USING fts5vocab({f}, 'instance')",
        f"CREATE TRIGGER IF NOT EXISTS {f}_ai AFTER INSERT ON {t} BEGIN {insert} END",
        f"CREATE TRIGGER IF NOT EXISTS {f}_ad AFTER DELETE ON {t} BEGIN {delete} END",
        f"CREATE TRIGGER IF NOT EXISTS {f}_au AFTER UPDATE OF {cols} ON {t} "
        f"BEGIN {delete} {insert} END",
    ]


def sqlite_search_fill(src: SearchSource) -> list[str]:
    """Index every row again (the FTS table's own 'rebuild' would index unpadded values)."""
    f = src.fts
    return [
        f"INSERT INTO {f}({f}) VALUES('delete-all')",
        f"INSERT INTO {f}(rowid, {', '.join(src.columns)}) "
        f"SELECT id, {_padded('', src.columns)} FROM {src.table}",
    ]


def sqlite_short_word_docs(src: SearchSource, i: int) -> str:
    """Rows holding a word of one or two characters, which no trigram query can see: with
    every value padded, each occurrence starts a trigram, so the rows are those of the
    indexed trigrams in the range ``[word, word + U+10FFFF)`` (an index range scan of the
    vocabulary, not a scan of the table). Binds ``:lo{i}`` and ``:hi{i}`` (word ``i``)."""
    return f"SELECT doc FROM {src.fts}_terms WHERE term >= :lo{i} AND term < :hi{i}"


def sqlite_search_drop(src: SearchSource) -> list[str]:
    f = src.fts
    return [f"DROP TRIGGER IF EXISTS {f}_{s}" for s in ("ai", "ad", "au")] + [
        f"DROP TABLE IF EXISTS {f}_terms",
        f"DROP TABLE IF EXISTS {f}",
    ]


#: the 1- and 2-character substrings of a text (lowercased, none with whitespace): an exact
#: index for words too short for trigrams (PostgreSQL's twin of SQLite's vocabulary ranges)
PG_SHORT_GRAMS = """
CREATE OR REPLACE FUNCTION openi_short_grams(doc text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}')
  FROM (SELECT lower(doc) AS l) AS s,
       LATERAL generate_series(1, length(s.l)) AS i,
       LATERAL (VALUES (substr(s.l, i, 1)), (substr(s.l, i, 2))) AS grams(g)
  WHERE g !~ '\\s'
$$
"""


def pg_search_ddl(src: SearchSource) -> list[str]:
    """Two generated columns of the searched fields, each with a GIN index: ``search_doc``
    (the fields lowercased) under ``pg_trgm`` for words of three characters or more — a
    ``LIKE`` the index answers, cheaper to recheck than ``ILIKE`` — and ``search_grams``
    (:data:`PG_SHORT_GRAMS`) for shorter words, which trigrams cannot see (one index per
    column made the planner give up for sequential scans)."""
    doc = " || ' ' || ".join(f"coalesce({c}::text, '')" for c in src.columns)
    t = src.table
    return [
        PG_SHORT_GRAMS,
        f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS search_doc text "
        f"GENERATED ALWAYS AS (lower({doc})) STORED",
        f"ALTER TABLE {t} ADD COLUMN IF NOT EXISTS search_grams text[] "
        f"GENERATED ALWAYS AS (openi_short_grams({doc})) STORED",
        f"CREATE INDEX IF NOT EXISTS ix_trgm_{t}_doc ON {t} USING gin (search_doc gin_trgm_ops)",
        f"CREATE INDEX IF NOT EXISTS ix_grams_{t} ON {t} USING gin (search_grams)",
    ]


def pg_search_drop(src: SearchSource) -> list[str]:
    t = src.table
    return [
        f"DROP INDEX IF EXISTS ix_grams_{t}",
        f"DROP INDEX IF EXISTS ix_trgm_{t}_doc",
        f"ALTER TABLE {t} DROP COLUMN IF EXISTS search_grams",
        f"ALTER TABLE {t} DROP COLUMN IF EXISTS search_doc",
    ]
