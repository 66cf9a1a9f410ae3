"""daily statistics as snapshots: the suspected gaps' true total, revisions and restatements

`suspected_gaps_total` holds the true number of suspected gaps beside the (possibly shortened) list; rows
stored before it get the length of their list. `revision` numbers a day's restatements (1 for the rows
already stored) and `restated` keeps what each one changed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("daily_stat", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("suspected_gaps_total", sa.Integer(), server_default="0", nullable=False)
        )
        batch_op.add_column(sa.Column("revision", sa.Integer(), server_default="1", nullable=False))
        batch_op.add_column(sa.Column("restated", sa.JSON(), nullable=True))
    # The lists stored so far are whole or cut at 50: their length is the best total there is.
    table = sa.table(
        "daily_stat",
        sa.column("id", sa.Integer()),
        sa.column("suspected_gaps", sa.JSON()),
        sa.column("suspected_gaps_total", sa.Integer()),
    )
    bind = op.get_bind()
    rows = bind.execute(
        sa.select(table.c.id, table.c.suspected_gaps).where(table.c.suspected_gaps.is_not(None))
    )
    for row_id, gaps in rows.fetchall():
        if gaps:
            bind.execute(table.update().where(table.c.id == row_id).values(suspected_gaps_total=len(gaps)))


def downgrade() -> None:
    with op.batch_alter_table("daily_stat", schema=None) as batch_op:
        batch_op.drop_column("restated")
        batch_op.drop_column("revision")
        batch_op.drop_column("suspected_gaps_total")
