"""record identity per sending unit

A record's identity becomes (dataset, sending unit, business key): the unique constraint gains the unit.
Stored records keep their `record_key` (what 信用湛江 holds stays valid); records created from now on get
the SHA-256 of unit and business key. Versions that another unit's file added to a record under the old
rule (a crossed version) are left where they are and counted in the migration's log.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-05
"""

import logging

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

CROSSED = sa.text(
    "SELECT count(*) FROM record_version v JOIN record r ON r.id = v.record_id "
    "JOIN submission s ON s.id = v.submission_id WHERE s.unit <> r.unit"
)


def upgrade() -> None:
    crossed = op.get_bind().execute(CROSSED).scalar() or 0
    if crossed:
        log.warning(
            "%d record versions were sent by a unit other than the record's owner (before records were "
            "kept per unit); they stay with the record they were added to.",
            crossed,
        )
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_constraint("uq_record_dataset_key", type_="unique")
        batch_op.create_unique_constraint("uq_record_unit_key", ["dataset", "unit", "business_key"])


def downgrade() -> None:
    with op.batch_alter_table("record", schema=None) as batch_op:
        batch_op.drop_constraint("uq_record_unit_key", type_="unique")
        batch_op.create_unique_constraint("uq_record_dataset_key", ["dataset", "business_key"])
