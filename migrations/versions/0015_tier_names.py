"""membership: a tier's name and description in English beside the Chinese ones

The three seeded tiers get their English texts where an operator has not renamed them.

Revision ID: 0015_tier_names
Revises: 0014_media
Create Date: 2026-12-06 23:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0015_tier_names'
down_revision = '0014_media'
branch_labels = None
depends_on = None

SEEDED = (
    ('free', '免费用户', 'Free', 'Browse question titles and summaries, search titles, get an invite link.'),
    ('member', '会员', 'Member', 'Read every answer; ask, answer and comment; follow the deal feed and earn rebates.'),
    ('pro', '专业会员', 'Pro', 'Everything a member gets, plus asking an expert and a higher rebate share.'),
)


def upgrade():
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_en', sa.String(length=60), server_default='', nullable=False))
        batch_op.add_column(sa.Column('description_en', sa.Text(), server_default='', nullable=False))
    tiers = sa.table(
        'tiers',
        sa.column('slug', sa.String),
        sa.column('name', sa.String),
        sa.column('name_en', sa.String),
        sa.column('description_en', sa.Text),
    )
    for slug, name, name_en, description_en in SEEDED:
        op.execute(
            tiers.update()
            .where(tiers.c.slug == slug, tiers.c.name == name)
            .values(name_en=name_en, description_en=description_en)
        )


def downgrade():
    with op.batch_alter_table('tiers', schema=None) as batch_op:
        batch_op.drop_column('description_en')
        batch_op.drop_column('name_en')
