"""tasks started from a notebook snapshot

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("tasks", sa.Column("snapshot_sha256", sa.String(length=64), nullable=True))
    op.add_column("tasks", sa.Column("snapshot_name", sa.String(length=255), nullable=True))


def downgrade() -> None:
    op.drop_column("tasks", "snapshot_name")
    op.drop_column("tasks", "snapshot_sha256")
