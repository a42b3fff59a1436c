"""images and shared execution environments

Revision ID: 0007
Revises: 0006
"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "images",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("lower_name", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("visibility", sa.String(length=8), nullable=False),
        sa.Column("container_image", sa.String(length=255), nullable=False),
        sa.Column("environment", sa.String(length=16), nullable=False),
        sa.Column("requirements", sa.Text(), nullable=False),
        sa.Column("env_key", sa.String(length=64), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["creator_id"],
            ["accounts.id"],
            name=op.f("fk_images_creator_id_accounts"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["accounts.id"],
            name=op.f("fk_images_owner_id_accounts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_images")),
        sa.UniqueConstraint("owner_id", "lower_name", name=op.f("uq_images_owner_id")),
    )
    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_images_creator_id"), ["creator_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_images_env_key"), ["env_key"], unique=False)
        batch_op.create_index("ix_images_updated", ["updated_at"], unique=False)

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("image_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tasks_image_id_images"),
            "images",
            ["image_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(batch_op.f("ix_tasks_image_id"), ["image_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_image_id"))
        batch_op.drop_constraint(batch_op.f("fk_tasks_image_id_images"), type_="foreignkey")
        batch_op.drop_column("image_id")

    with op.batch_alter_table("images", schema=None) as batch_op:
        batch_op.drop_index("ix_images_updated")
        batch_op.drop_index(batch_op.f("ix_images_env_key"))
        batch_op.drop_index(batch_op.f("ix_images_creator_id"))

    op.drop_table("images")
