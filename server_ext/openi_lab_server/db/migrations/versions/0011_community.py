"""activity feed, recommendations, search index, OpenI index

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

from openi_lab_server.db.community_models import (
    SEARCH_SOURCES,
    pg_search_ddl,
    pg_search_drop,
    sqlite_search_ddl,
    sqlite_search_drop,
)

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _search_index(create: bool) -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    sources = [src for src in SEARCH_SOURCES if src.table in tables]
    if bind.dialect.name == "sqlite":
        for src in sources:
            for sql in sqlite_search_ddl(src) if create else sqlite_search_drop(src):
                op.execute(sql)
            if create:
                op.execute(f"INSERT INTO {src.fts}({src.fts}) VALUES('rebuild')")
    elif bind.dialect.name == "postgresql":
        if create:
            op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for src in sources:
            for sql in pg_search_ddl(src) if create else pg_search_drop(src):
                op.execute(sql)


def upgrade() -> None:
    op.create_index(
        "ix_activities_actor_created", "activities", ["actor_id", "created_at"], unique=False
    )
    op.create_table(
        "curated_recommendations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["accounts.id"],
            name=op.f("fk_curated_recommendations_created_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_curated_recommendations")),
        sa.UniqueConstraint("kind", "target_id", name=op.f("uq_curated_recommendations_kind")),
    )
    op.create_table(
        "recommendation_requests",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("requester_id", sa.Integer(), nullable=True),
        sa.Column("decided_by_id", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["accounts.id"],
            name=op.f("fk_recommendation_requests_decided_by_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["requester_id"],
            ["accounts.id"],
            name=op.f("fk_recommendation_requests_requester_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recommendation_requests")),
    )
    op.create_index(
        "ix_recommendation_requests_requester_id",
        "recommendation_requests",
        ["requester_id"],
        unique=False,
    )
    op.create_index(
        "ix_recommendation_requests_status",
        "recommendation_requests",
        ["status", "id"],
        unique=False,
    )
    op.create_table(
        "project_index",
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("impact", sa.Float(), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("liveness", sa.Float(), nullable=False),
        sa.Column("project_health", sa.Float(), nullable=False),
        sa.Column("team_health", sa.Float(), nullable=False),
        sa.Column("growth", sa.Float(), nullable=False),
        sa.Column("signals", sa.Text(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_index_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("project_id", name=op.f("pk_project_index")),
    )
    op.create_index("ix_project_index_rank", "project_index", ["rank"], unique=False)
    op.create_table(
        "project_index_history",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_project_index_history_project_id_projects"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_project_index_history")),
        sa.UniqueConstraint("project_id", "day", name=op.f("uq_project_index_history_project_id")),
    )
    _search_index(create=True)


def downgrade() -> None:
    _search_index(create=False)
    op.drop_table("project_index_history")
    op.drop_index("ix_project_index_rank", table_name="project_index")
    op.drop_table("project_index")
    op.drop_index("ix_recommendation_requests_status", table_name="recommendation_requests")
    op.drop_index("ix_recommendation_requests_requester_id", table_name="recommendation_requests")
    op.drop_table("recommendation_requests")
    op.drop_table("curated_recommendations")
    op.drop_index("ix_activities_actor_created", table_name="activities")
