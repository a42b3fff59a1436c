"""model registry, lineage, aliases and pipelines

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def _ts() -> sa.Column:
    return sa.Column("created_at", sa.DateTime(timezone=True), nullable=False)


def _fk(table: str, col: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    ref = target.split(".")[0]
    return sa.ForeignKeyConstraint(
        [col], [target], name=op.f(f"fk_{table}_{col}_{ref}"), ondelete=ondelete
    )


def upgrade() -> None:
    op.create_table(
        "models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("lower_name", sa.String(length=64), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("num_versions", sa.Integer(), nullable=False),
        sa.Column("latest_version_id", sa.Integer(), nullable=True),
        _ts(),
        _fk("models", "project_id", "projects.id", "CASCADE"),
        _fk("models", "creator_id", "accounts.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_models")),
        sa.UniqueConstraint("project_id", "lower_name", name=op.f("uq_models_project_id")),
    )
    op.create_index("ix_models_creator_id", "models", ["creator_id"])
    op.create_index("ix_models_updated", "models", ["updated_at"])

    op.create_table(
        "model_versions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=32), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("minor", sa.Integer(), nullable=False),
        sa.Column("patch", sa.Integer(), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("tags", sa.String(length=600), nullable=False),
        sa.Column("engine", sa.String(length=16), nullable=False),
        sa.Column("compute", sa.String(length=8), nullable=True),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("num_files", sa.Integer(), nullable=False),
        sa.Column("metrics", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("dataset_file_id", sa.Integer(), nullable=True),
        sa.Column("lineage", sa.Text(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("download_count", sa.Integer(), nullable=False),
        _ts(),
        _fk("model_versions", "model_id", "models.id", "CASCADE"),
        _fk("model_versions", "task_id", "tasks.id", "SET NULL"),
        _fk("model_versions", "dataset_file_id", "dataset_files.id", "SET NULL"),
        _fk("model_versions", "creator_id", "accounts.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_versions")),
        sa.UniqueConstraint("model_id", "version", name=op.f("uq_model_versions_model_id")),
    )
    op.create_index("ix_model_versions_task_id", "model_versions", ["task_id"])
    op.create_index("ix_model_versions_dataset_file_id", "model_versions", ["dataset_file_id"])
    op.create_index("ix_model_versions_creator_id", "model_versions", ["creator_id"])
    op.create_index(
        "ix_model_versions_order", "model_versions", ["model_id", "major", "minor", "patch"]
    )

    op.create_table(
        "model_version_tags",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("tag", sa.String(length=32), nullable=False),
        _fk("model_version_tags", "model_id", "models.id", "CASCADE"),
        _fk("model_version_tags", "version_id", "model_versions.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_version_tags")),
    )
    op.create_index("ix_model_version_tags_version_id", "model_version_tags", ["version_id"])
    op.create_index("ix_model_version_tags_tag", "model_version_tags", ["model_id", "tag"])

    op.create_table(
        "model_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        _fk("model_files", "version_id", "model_versions.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_files")),
    )
    op.create_index("ix_model_files_version_id", "model_files", ["version_id"])
    op.create_index("ix_model_files_sha256", "model_files", ["sha256"])

    op.create_table(
        "model_aliases",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=32), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=False),
        _fk("model_aliases", "model_id", "models.id", "CASCADE"),
        _fk("model_aliases", "version_id", "model_versions.id", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_aliases")),
        sa.UniqueConstraint("model_id", "alias", name=op.f("uq_model_aliases_model_id")),
    )
    op.create_index("ix_model_aliases_version_id", "model_aliases", ["version_id"])

    op.create_table(
        "model_alias_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("alias", sa.String(length=32), nullable=False),
        sa.Column("from_version", sa.String(length=32), nullable=True),
        sa.Column("to_version", sa.String(length=32), nullable=True),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        _ts(),
        _fk("model_alias_events", "model_id", "models.id", "CASCADE"),
        _fk("model_alias_events", "actor_id", "accounts.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_model_alias_events")),
    )
    op.create_index("ix_model_alias_events_model_id", "model_alias_events", ["model_id"])

    op.create_table(
        "pipelines",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("lower_name", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=255), nullable=False),
        sa.Column("source", sa.String(length=8), nullable=False),
        sa.Column("path", sa.String(length=1024), nullable=True),
        sa.Column("branch", sa.String(length=255), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("num_runs", sa.Integer(), nullable=False),
        _ts(),
        _fk("pipelines", "project_id", "projects.id", "CASCADE"),
        _fk("pipelines", "creator_id", "accounts.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipelines")),
        sa.UniqueConstraint("project_id", "lower_name", name=op.f("uq_pipelines_project_id")),
    )

    op.create_table(
        "pipeline_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("pipeline_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("reuse", sa.Integer(), nullable=False),
        sa.Column("commit_id", sa.String(length=40), nullable=True),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("creator_id", sa.Integer(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _ts(),
        _fk("pipeline_runs", "pipeline_id", "pipelines.id", "CASCADE"),
        _fk("pipeline_runs", "creator_id", "accounts.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_runs")),
        sa.UniqueConstraint("pipeline_id", "number", name=op.f("uq_pipeline_runs_pipeline_id")),
    )
    op.create_index("ix_pipeline_runs_pipeline_id", "pipeline_runs", ["pipeline_id"])
    op.create_index("ix_pipeline_runs_status", "pipeline_runs", ["status"])

    op.create_table(
        "pipeline_steps",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("index", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("task_id", sa.Integer(), nullable=True),
        sa.Column("model_version_id", sa.Integer(), nullable=True),
        sa.Column("inputs_hash", sa.String(length=64), nullable=True),
        sa.Column("reused_from_run", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        _fk("pipeline_steps", "run_id", "pipeline_runs.id", "CASCADE"),
        _fk("pipeline_steps", "task_id", "tasks.id", "SET NULL"),
        _fk("pipeline_steps", "model_version_id", "model_versions.id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pipeline_steps")),
        sa.UniqueConstraint("run_id", "index", name=op.f("uq_pipeline_steps_run_id")),
    )
    op.create_index("ix_pipeline_steps_run_id", "pipeline_steps", ["run_id"])
    op.create_index("ix_pipeline_steps_task_id", "pipeline_steps", ["task_id"])

    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("model_version_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_tasks_model_version_id_model_versions"),
            "model_versions",
            ["model_version_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch_op.create_index(
            batch_op.f("ix_tasks_model_version_id"), ["model_version_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_tasks_model_version_id"))
        batch_op.drop_constraint(
            batch_op.f("fk_tasks_model_version_id_model_versions"), type_="foreignkey"
        )
        batch_op.drop_column("model_version_id")
    for table in (
        "pipeline_steps",
        "pipeline_runs",
        "pipelines",
        "model_alias_events",
        "model_aliases",
        "model_files",
        "model_version_tags",
        "model_versions",
        "models",
    ):
        op.drop_table(table)
