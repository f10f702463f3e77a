"""affiliate: each member's sub id and Taobao bindings (adzone, relation id, special id)

Revision ID: 0007_affiliate_identities
Revises: 0006_sign_ins
Create Date: 2026-12-06 21:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0007_affiliate_identities'
down_revision = '0006_sign_ins'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'affiliate_identities',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('sub_id', sa.String(length=24), nullable=False),
        sa.Column('adzone_id', sa.String(length=32), nullable=True),
        sa.Column('relation_id', sa.String(length=32), nullable=True),
        sa.Column('special_id', sa.String(length=32), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_affiliate_identities_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', name=op.f('pk_affiliate_identities')),
        sa.UniqueConstraint('sub_id', name=op.f('uq_affiliate_identities_sub_id')),
        sa.UniqueConstraint('adzone_id', name=op.f('uq_affiliate_identities_adzone_id')),
        sa.UniqueConstraint('relation_id', name=op.f('uq_affiliate_identities_relation_id')),
        sa.UniqueConstraint('special_id', name=op.f('uq_affiliate_identities_special_id')),
    )


def downgrade():
    op.drop_table('affiliate_identities')
