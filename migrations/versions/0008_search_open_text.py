"""search: vectors of what is open to all, and the format of the PostgreSQL index

Revision ID: 0008_search_open_text
Revises: 0007_affiliate_identities
Create Date: 2026-12-07 10:00:00

Visitors and free users are matched against `open_terms` and `open_grams`: title, aliases,
tags and teaser, or everything of a public question. Rows written before hold empty open
vectors, and `search_state.index_format` is left empty, so the PostgreSQL backend answers from
the database until a rebuild (`flask search reindex`, or the indexer's on start) makes the table
in the current format. Storage and indexes are made as postgres_table.py defines them.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

from community.search.postgres_table import gin_index_sql, storage_sql, vector_index


revision = '0008_search_open_text'
down_revision = '0007_affiliate_identities'
branch_labels = None
depends_on = None

TABLE = 'search_documents'
OPEN_VECTORS = ('open_terms', 'open_grams')


def is_postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def term_vector():
    """tsvector on PostgreSQL, text elsewhere (the table is only used by the PostgreSQL backend)."""
    return postgresql.TSVECTOR() if is_postgresql() else sa.Text()


def upgrade():
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in OPEN_VECTORS:
            batch_op.add_column(
                sa.Column(column, term_vector(), nullable=False, server_default='')
            )
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in OPEN_VECTORS:
            batch_op.alter_column(column, existing_type=term_vector(), server_default=None)
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('index_format', sa.Integer(), nullable=True))
    if is_postgresql():
        op.execute(storage_sql(TABLE, OPEN_VECTORS))
        for column in OPEN_VECTORS:
            op.execute(gin_index_sql(vector_index(column), TABLE, column))
    else:
        for column in OPEN_VECTORS:
            op.create_index(vector_index(column), TABLE, [column])


def downgrade():
    for column in reversed(OPEN_VECTORS):
        op.drop_index(vector_index(column), table_name=TABLE)
    with op.batch_alter_table('search_state', schema=None) as batch_op:
        batch_op.drop_column('index_format')
    with op.batch_alter_table(TABLE, schema=None) as batch_op:
        for column in reversed(OPEN_VECTORS):
            batch_op.drop_column(column)
