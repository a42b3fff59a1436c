"""objects: a small model file's bytes kept in its row

A model import of small files (configs, tokenizers, tiny weights) wrote one file per version
into the object store; the bytes now go into the object's row, in the import's own
transaction: no file to create (on this VM's ext4, 0.2-1 ms a file), none left behind when
the import is refused.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("objects", sa.Column("content", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    held = op.get_bind().scalar(sa.text("SELECT count(*) FROM objects WHERE content IS NOT NULL"))
    if held:  # their only copy: dropping the column would lose them
        raise RuntimeError(
            f"{held} model files are kept only in the database (objects.content); "
            "delete the model versions that hold them, or stay at this revision"
        )
    with op.batch_alter_table("objects") as batch:
        batch.drop_column("content")
