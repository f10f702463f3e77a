"""deals: deals and their tags, go-link clicks, 值/不值 votes

Revision ID: 0010_deals
Revises: 0009_rebates
Create Date: 2026-12-06 23:29:51

"""
from alembic import op
import sqlalchemy as sa


revision = '0010_deals'
down_revision = '0009_rebates'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('list_price', sa.Integer(), nullable=True),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('coupon', sa.String(length=200), nullable=False),
    sa.Column('coupon_code', sa.String(length=64), nullable=False),
    sa.Column('coupon_expires_at', sa.DateTime(), nullable=True),
    sa.Column('commission_rate', sa.Integer(), nullable=False),
    sa.Column('url_template', sa.Text(), nullable=False),
    sa.Column('item_key', sa.String(length=255), nullable=False),
    sa.Column('image_url', sa.String(length=500), nullable=False),
    sa.Column('category', sa.String(length=40), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('worth_votes', sa.Integer(), nullable=False),
    sa.Column('unworth_votes', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('tipped_by_id', sa.Integer(), nullable=True),
    sa.Column('retired_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('commission_rate BETWEEN 0 AND 10000', name=op.f('ck_deals_commission_rate_range')),
    sa.CheckConstraint('expires_at IS NULL OR expires_at >= starts_at', name=op.f('ck_deals_window_ordered')),
    sa.CheckConstraint('list_price IS NULL OR list_price >= price', name=op.f('ck_deals_price_within_list')),
    sa.CheckConstraint("platform IN ('taobao', 'tmall', 'jd', 'pdd', 'other')", name=op.f('ck_deals_platform_known')),
    sa.CheckConstraint("status IN ('draft', 'scheduled', 'live', 'expired', 'retired')", name=op.f('ck_deals_status_known')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_deals_price_not_negative')),
    sa.CheckConstraint('worth_votes >= 0 AND unworth_votes >= 0', name=op.f('ck_deals_votes_not_negative')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_deals_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tipped_by_id'], ['users.id'], name=op.f('fk_deals_tipped_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deals')),
    sa.UniqueConstraint('external_id', name=op.f('uq_deals_external_id'))
    )
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deals_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_deals_feed', ['status', 'starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_item_key'), ['item_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_deals_tipped_by_id'), ['tipped_by_id'], unique=False)

    op.create_table('deal_clicks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('clicked_at', sa.DateTime(), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_clicks_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deal_clicks_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_clicks'))
    )
    with op.batch_alter_table('deal_clicks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_clicks_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_clicks_user_id'), ['user_id'], unique=False)

    op.create_table('deal_tags',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_tags_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deal_id', 'name', name=op.f('pk_deal_tags'))
    )
    with op.batch_alter_table('deal_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_tags_name'), ['name'], unique=False)

    op.create_table('deal_votes',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('worth', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_votes_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deal_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deal_id', 'user_id', name=op.f('pk_deal_votes'))
    )
    with op.batch_alter_table('deal_votes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_votes_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('deal_votes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_votes_user_id'))

    op.drop_table('deal_votes')
    with op.batch_alter_table('deal_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_tags_name'))

    op.drop_table('deal_tags')
    with op.batch_alter_table('deal_clicks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_clicks_user_id'))
        batch_op.drop_index(batch_op.f('ix_deal_clicks_deal_id'))

    op.drop_table('deal_clicks')
    with op.batch_alter_table('deals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deals_tipped_by_id'))
        batch_op.drop_index(batch_op.f('ix_deals_item_key'))
        batch_op.drop_index('ix_deals_feed')
        batch_op.drop_index(batch_op.f('ix_deals_expires_at'))
        batch_op.drop_index(batch_op.f('ix_deals_category'))

    op.drop_table('deals')
