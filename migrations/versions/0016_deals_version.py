"""deals: one version number that changes with every write deal pages show

Shared renderings of the deal feed and deal pages are keyed by it.

Revision ID: 0016_deals_version
Revises: 0015_tier_names
Create Date: 2026-12-07 03:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0016_deals_version'
down_revision = '0015_tier_names'
branch_labels = None
depends_on = None


def upgrade():
    table = op.create_table(
        'deals_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_deals_version')),
    )
    op.bulk_insert(table, [{'id': 1, 'version': 1}])


def downgrade():
    op.drop_table('deals_version')
