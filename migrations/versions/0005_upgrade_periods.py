"""billing: periods bought by an upgrade say so (source 'upgrade')

Revision ID: 0005_upgrade_periods
Revises: 0004_search_storage
Create Date: 2026-12-06 20:00:00

An upgrade is priced as the difference to the lower tier's time under it, so its periods only
stand while that time does; marking them lets refunds and revocations cut them.
"""
from alembic import op


revision = '0005_upgrade_periods'
down_revision = '0004_search_storage'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "UPDATE membership_periods SET source = 'upgrade' WHERE source = 'payment'"
        " AND payment_id IN (SELECT id FROM payments WHERE kind = 'upgrade')"
    )


def downgrade():
    op.execute("UPDATE membership_periods SET source = 'payment' WHERE source = 'upgrade'")
