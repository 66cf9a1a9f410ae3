"""evidence of the plan's duties: the attachments' table; record.dataset wide enough for the evidence sheets'
ids (dutyactivity, dutybulletin: up to 16 characters, as credit.datasets.loading admits)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_file",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("received_date", sa.Date(), nullable=False),
        sa.Column("received_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("stored_path", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("unit", "sha256", "file_name", name="uq_evidence_file_unit_sha_name"),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_evidence_file_received_date"), ["received_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_file_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_evidence_file_unit"), ["unit"], unique=False)
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.alter_column(
            "dataset", existing_type=sa.String(length=8), type_=sa.String(length=16), existing_nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.alter_column(
            "dataset", existing_type=sa.String(length=16), type_=sa.String(length=8), existing_nullable=False
        )
    op.drop_table("evidence_file")
