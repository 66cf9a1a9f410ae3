"""revocation requests: a 撤销清单's matched rows, recorded by collect and queued as deletes by deliver

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "revocation_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("dataset", sa.String(length=8), nullable=False),
        sa.Column("record_key", sa.String(length=64), nullable=False),
        sa.Column("row", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(), nullable=False),
        sa.Column("values", sa.JSON(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("version_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["submission_id"], ["submission.id"]),
        sa.ForeignKeyConstraint(["version_id"], ["record_version.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("submission_id", "row", name="uq_revocation_request_row"),
    )
    with op.batch_alter_table("revocation_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_revocation_request_state"), ["state"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_revocation_request_submission_id"), ["submission_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_revocation_request_unit"), ["unit"], unique=False)


def downgrade() -> None:
    op.drop_table("revocation_request")
