"""accounts: kinds of mail a member turned off (one-click unsubscribe, settings)

Revision ID: 0013_journey
Revises: 0012_jobs
Create Date: 2026-12-07 00:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0013_journey'
down_revision = '0012_jobs'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'mail_opt_outs',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ['user_id'],
            ['users.id'],
            name=op.f('fk_mail_opt_outs_user_id_users'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_opt_outs')),
    )


def downgrade():
    op.drop_table('mail_opt_outs')
