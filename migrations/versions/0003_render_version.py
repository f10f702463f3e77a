"""qa: a version on every question, bumped by every change its page shows

Revision ID: 0003_render_version
Revises: 0002_search
Create Date: 2026-11-25 15:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0003_render_version'
down_revision = '0002_search'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('qa_questions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('render_version', sa.Integer(), server_default='1', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('qa_questions', schema=None) as batch_op:
        batch_op.drop_column('render_version')
