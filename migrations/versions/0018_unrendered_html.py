"""qa: a text's HTML may wait to be rendered (NULL), so an import stores the Markdown alone

Questions' body_html and teaser, answers' and revisions' body_html become nullable, with a
partial index of the rows that wait. A downgrade renders those first.

Revision ID: 0018_unrendered_html
Revises: 0017_item_keys
Create Date: 2026-12-07 03:20:00

"""
from alembic import op
import sqlalchemy as sa

from community.qa import markdown


revision = '0018_unrendered_html'
down_revision = '0017_item_keys'
branch_labels = None
depends_on = None

TEXTS = {
    'qa_questions': ('body_html', 'teaser'),
    'qa_answers': ('body_html',),
    'qa_revisions': ('body_html',),
}
LENGTHS = {'teaser': 200}
WAITING = sa.text('body_html IS NULL')


def column_type(name):
    return sa.String(length=LENGTHS[name]) if name in LENGTHS else sa.Text()


def upgrade():
    for table, columns in TEXTS.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in columns:
                batch_op.alter_column(name, existing_type=column_type(name), nullable=True)
        op.create_index(
            f'ix_{table}_unrendered', table, ['id'],
            sqlite_where=WAITING, postgresql_where=WAITING,
        )


def downgrade():
    connection = op.get_bind()
    for table, columns in TEXTS.items():
        rows = sa.table(table, sa.column('id'), sa.column('body'), *map(sa.column, columns))
        waiting = connection.execute(
            sa.select(rows.c.id, rows.c.body).where(rows.c.body_html.is_(None))
        ).all()
        for row_id, body in waiting:
            html, teaser = markdown.render_with_teaser(body)
            values = {'body_html': html, 'teaser': teaser}
            connection.execute(
                rows.update().where(rows.c.id == row_id).values({name: values[name] for name in columns})
            )
        op.drop_index(f'ix_{table}_unrendered', table_name=table)
        with op.batch_alter_table(table, schema=None) as batch_op:
            for name in columns:
                batch_op.alter_column(name, existing_type=column_type(name), nullable=False)
