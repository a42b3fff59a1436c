"""feeds: events by actor and id, by project and id; model tags covering their versions

Feeds page newest first by id; with these a user's, a project's and "mine" (both merged)
walk one index backwards and stop after a page, and count at most ``feed.MAX_TOTAL``. The
versions page filtered by tag reads a tag's versions from the index alone.

Revision ID: 0013
Revises: 0012
"""

from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_activities_actor_id", "activities", ["actor_id", "id", "project_id"])
    op.create_index("ix_activities_project_id", "activities", ["project_id", "id"])
    op.create_index(
        "ix_model_version_tags_cover", "model_version_tags", ["model_id", "tag", "version_id"]
    )
    op.drop_index("ix_model_version_tags_tag", table_name="model_version_tags")


def downgrade() -> None:
    op.create_index("ix_model_version_tags_tag", "model_version_tags", ["model_id", "tag"])
    op.drop_index("ix_model_version_tags_cover", table_name="model_version_tags")
    op.drop_index("ix_activities_project_id", table_name="activities")
    op.drop_index("ix_activities_actor_id", table_name="activities")
