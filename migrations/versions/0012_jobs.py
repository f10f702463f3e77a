"""jobs: failed jobs for operators, and the scheduler's row per periodic task

Revision ID: 0012_jobs
Revises: 0011_deal_participation
Create Date: 2026-12-06 23:50:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0012_jobs'
down_revision = '0011_deal_participation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('failed_jobs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('arguments', sa.JSON(), nullable=False),
    sa.Column('summary', sa.String(length=300), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('failed_at', sa.DateTime(), nullable=False),
    sa.Column('retried_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_failed_jobs'))
    )
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_failed_jobs_name'), ['name'], unique=False)
        batch_op.create_index(batch_op.f('ix_failed_jobs_retried_at'), ['retried_at'], unique=False)

    op.create_table('scheduled_tasks',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('next_run_at', sa.DateTime(), nullable=False),
    sa.Column('lease_until', sa.DateTime(), nullable=True),
    sa.Column('last_started_at', sa.DateTime(), nullable=True),
    sa.Column('last_finished_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduled_tasks'))
    )


def downgrade():
    op.drop_table('scheduled_tasks')
    with op.batch_alter_table('failed_jobs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_failed_jobs_retried_at'))
        batch_op.drop_index(batch_op.f('ix_failed_jobs_name'))

    op.drop_table('failed_jobs')
