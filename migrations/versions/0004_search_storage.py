"""search: PostgreSQL documents keep their vectors in the row and their texts in TOAST

Revision ID: 0004_search_storage
Revises: 0003_render_version
Create Date: 2026-11-26 10:00:00

The vectors stay in the row (compressed) and the wide texts move out to the TOAST table, so a
search reading the vectors of many matches reads small rows; GIN indexes without a pending list;
an index for `user:name`. Rows written before keep their old layout until `flask search reindex`.
The index on author is made on every database so that the models match; the rest is PostgreSQL's.
Storage and index options are those postgres_table.py defines (the rebuild uses them too).
"""
from alembic import op

from community.search.postgres_table import AUTHOR_INDEX, GIN_OPTIONS, storage_sql, vector_index


revision = '0004_search_storage'
down_revision = '0003_render_version'
branch_labels = None
depends_on = None


# The vectors this migration found; 0005 adds the open ones.
VECTORS = ('terms', 'grams')


def is_postgresql():
    return op.get_bind().dialect.name == 'postgresql'


def upgrade():
    if is_postgresql():
        op.execute(storage_sql('search_documents', VECTORS))
        for column in VECTORS:
            op.execute(f'ALTER INDEX {vector_index(column)} SET ({GIN_OPTIONS})')
    op.create_index(AUTHOR_INDEX, 'search_documents', ['author'])


def downgrade():
    op.drop_index(AUTHOR_INDEX, table_name='search_documents')
    if is_postgresql():
        op.execute('ALTER INDEX ix_search_documents_grams RESET (fastupdate)')
        op.execute('ALTER INDEX ix_search_documents_terms RESET (fastupdate)')
        op.execute(
            'ALTER TABLE search_documents ALTER COLUMN terms SET STORAGE EXTENDED,'
            ' ALTER COLUMN grams SET STORAGE EXTENDED, RESET (toast_tuple_target)'
        )
