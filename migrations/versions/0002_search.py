"""search: outbox, community dictionary, indexer state, PostgreSQL term vectors

Revision ID: 0002_search
Revises: 0002_qa
Create Date: 2026-11-25 12:30:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


revision = '0002_search'
down_revision = '0002_qa'
branch_labels = None
depends_on = None


def term_vector():
    """tsvector on PostgreSQL, text elsewhere (the table is only used by the PostgreSQL backend)."""
    if op.get_bind().dialect.name == 'postgresql':
        return postgresql.TSVECTOR()
    return sa.Text()


def upgrade():
    op.create_table('search_outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_outbox'))
    )
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_search_outbox_document_id'), ['document_id'], unique=False)

    op.create_table('search_dictionary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('term', sa.String(length=40), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_search_dictionary_added_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_dictionary')),
    sa.UniqueConstraint('term', name=op.f('uq_search_dictionary_term'))
    )
    op.create_table('search_state',
    sa.Column('backend', sa.String(length=16), nullable=False),
    sa.Column('last_change_id', sa.Integer(), nullable=False),
    sa.Column('applied_at', sa.DateTime(), nullable=True),
    sa.Column('rebuilt_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('backend', name=op.f('pk_search_state'))
    )
    op.create_table('search_documents',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('title', sa.Text(), nullable=False),
    sa.Column('teaser', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('top_answers', sa.Text(), nullable=False),
    sa.Column('other_answers', sa.Text(), nullable=False),
    sa.Column('tags', sa.Text(), nullable=False),
    sa.Column('author', sa.String(length=80), nullable=False),
    sa.Column('featured', sa.Boolean(), nullable=False),
    sa.Column('public', sa.Boolean(), nullable=False),
    sa.Column('closed', sa.Boolean(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('answer_count', sa.Integer(), nullable=False),
    sa.Column('votes', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('terms', term_vector(), nullable=False),
    sa.Column('grams', term_vector(), nullable=False),
    sa.Column('spelling', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_documents'))
    )
    # GIN indexes on PostgreSQL; SQLite ignores `postgresql_using` (the table stays empty there).
    op.create_index('ix_search_documents_terms', 'search_documents', ['terms'], postgresql_using='gin')
    op.create_index('ix_search_documents_grams', 'search_documents', ['grams'], postgresql_using='gin')


def downgrade():
    op.drop_index('ix_search_documents_grams', table_name='search_documents')
    op.drop_index('ix_search_documents_terms', table_name='search_documents')
    op.drop_table('search_documents')
    op.drop_table('search_state')
    op.drop_table('search_dictionary')
    with op.batch_alter_table('search_outbox', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_search_outbox_document_id'))
    op.drop_table('search_outbox')
