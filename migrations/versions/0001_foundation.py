"""accounts, tiers and membership periods

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-25 11:56:15.525568

"""
from datetime import UTC, datetime

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('tiers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=32), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('annual_price', sa.Integer(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('rebate_share', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=False),
    sa.Column('can_read_answers', sa.Boolean(), nullable=False),
    sa.Column('can_ask', sa.Boolean(), nullable=False),
    sa.Column('can_deals', sa.Boolean(), nullable=False),
    sa.Column('can_ask_expert', sa.Boolean(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('annual_price >= 0', name=op.f('ck_tiers_price_not_negative')),
    sa.CheckConstraint('rebate_share BETWEEN 0 AND 100', name=op.f('ck_tiers_rebate_share_percent')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tiers')),
    sa.UniqueConstraint('slug', name=op.f('uq_tiers_slug'))
    )
    seed_tiers()
    op.create_table('users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('locale', sa.String(length=10), nullable=True),
    sa.Column('email_verified_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_login_at', sa.DateTime(), nullable=True),
    sa.Column('session_epoch', sa.Integer(), nullable=False),
    sa.Column('invite_code', sa.String(length=16), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=True),
    sa.Column('invited_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('inviter_id IS NULL OR inviter_id <> id', name=op.f('ck_users_not_self_invited')),
    sa.ForeignKeyConstraint(['inviter_id'], ['users.id'], name=op.f('fk_users_inviter_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_users')),
    sa.UniqueConstraint('email', name=op.f('uq_users_email')),
    sa.UniqueConstraint('invite_code', name=op.f('uq_users_invite_code'))
    )
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_users_inviter_id'), ['inviter_id'], unique=False)

    op.create_table('api_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('prefix', sa.String(length=12), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_api_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_api_tokens_token_hash'))
    )
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_tokens_user_id'), ['user_id'], unique=False)

    op.create_table('email_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_email_tokens_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_email_tokens')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_email_tokens_token_hash'))
    )
    with op.batch_alter_table('email_tokens', schema=None) as batch_op:
        batch_op.create_index('ix_email_tokens_user_purpose', ['user_id', 'purpose'], unique=False)

    op.create_table('membership_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('starts_at', sa.DateTime(), nullable=False),
    sa.Column('ends_at', sa.DateTime(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('ck_membership_periods_ends_after_start')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_membership_periods_granted_by_id_users')),
    sa.ForeignKeyConstraint(['tier_id'], ['tiers.id'], name=op.f('fk_membership_periods_tier_id_tiers')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_membership_periods_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_periods'))
    )
    with op.batch_alter_table('membership_periods', schema=None) as batch_op:
        batch_op.create_index('ix_membership_periods_user_span', ['user_id', 'ends_at'], unique=False)



def downgrade():
    with op.batch_alter_table('membership_periods', schema=None) as batch_op:
        batch_op.drop_index('ix_membership_periods_user_span')

    op.drop_table('membership_periods')
    with op.batch_alter_table('email_tokens', schema=None) as batch_op:
        batch_op.drop_index('ix_email_tokens_user_purpose')

    op.drop_table('email_tokens')
    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_tokens_user_id'))

    op.drop_table('api_tokens')
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_users_inviter_id'))

    op.drop_table('users')
    op.drop_table('tiers')


# Frozen copy of the tiers SPEC.md seeds; later edits happen in the admin pages, not here.
SEED_TIERS = [
    dict(slug="free", name="免费用户", description="浏览问题标题与摘要，搜索标题，获取邀请链接。",
         annual_price=0, rebate_share=0, rank=0, can_read_answers=False, can_ask=False,
         can_deals=False, can_ask_expert=False),
    dict(slug="member", name="会员", description="阅读全部回答，提问、回答、评论，订阅优惠信息并获得返利。",
         annual_price=19900, rebate_share=50, rank=10, can_read_answers=True, can_ask=True,
         can_deals=True, can_ask_expert=False),
    dict(slug="pro", name="专业会员", description="会员的一切，外加向专家提问，返利比例更高。",
         annual_price=49900, rebate_share=70, rank=20, can_read_answers=True, can_ask=True,
         can_deals=True, can_ask_expert=True),
]


def seed_tiers():
    tiers = sa.table(
        "tiers",
        sa.column("slug", sa.String), sa.column("name", sa.String), sa.column("description", sa.Text),
        sa.column("annual_price", sa.Integer), sa.column("currency", sa.String),
        sa.column("rebate_share", sa.Integer), sa.column("rank", sa.Integer),
        sa.column("can_read_answers", sa.Boolean), sa.column("can_ask", sa.Boolean),
        sa.column("can_deals", sa.Boolean), sa.column("can_ask_expert", sa.Boolean),
        sa.column("is_public", sa.Boolean), sa.column("created_at", sa.DateTime),
    )
    now = datetime.now(UTC).replace(tzinfo=None)
    op.bulk_insert(tiers, [dict(row, currency="CNY", is_public=True, created_at=now) for row in SEED_TIERS])
