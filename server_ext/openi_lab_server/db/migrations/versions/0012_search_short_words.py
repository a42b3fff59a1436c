"""search: words of one or two characters through the index

SQLite: values are indexed padded and an ``fts5vocab`` table lists every trigram with its
rows, so a one- or two-character word (a two-character Chinese word such as 图像) is an index
range scan instead of a LIKE over every row. PostgreSQL: the searched document is stored
lowercased (a LIKE is cheaper to recheck than an ILIKE) and a second generated column holds
its 1- and 2-character grams under a GIN index (``db/community_models.py``).

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

from openi_lab_server.db.community_models import (
    SEARCH_SOURCES,
    pg_search_ddl,
    pg_search_drop,
    sqlite_search_ddl,
    sqlite_search_drop,
    sqlite_search_fill,
)

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    tables = set(sa.inspect(bind).get_table_names())
    for src in SEARCH_SOURCES:
        if src.table not in tables:
            continue
        if bind.dialect.name == "sqlite":
            redo = [*sqlite_search_drop(src), *sqlite_search_ddl(src), *sqlite_search_fill(src)]
        elif bind.dialect.name == "postgresql":
            redo = [*pg_search_drop(src), *pg_search_ddl(src)]
        else:
            redo = []
        for sql in redo:
            op.execute(sql)


def downgrade() -> None:
    pass  # the padded index answers the old queries as well
