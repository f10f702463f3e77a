"""deals: item keys that name the item however its link was copied

A shop page and an affiliate link to it, the phone and the desktop site, with or without
tracking parameters, now give one key (community/deals/items.py); the keys of existing deals
and tips are worked out again. A waiting tip whose new key another waiting tip already holds
keeps its old one (an operator sees both).

Revision ID: 0017_item_keys
Revises: 0016_deals_version
Create Date: 2026-12-07 03:10:00

"""
from alembic import op
import sqlalchemy as sa

from community.deals.items import item_key


revision = '0017_item_keys'
down_revision = '0016_deals_version'
branch_labels = None
depends_on = None

DEALS = sa.table('deals', sa.column('id', sa.Integer), sa.column('url_template', sa.String), sa.column('item_key', sa.String))
TIPS = sa.table(
    'deal_tips',
    sa.column('id', sa.Integer),
    sa.column('url', sa.String),
    sa.column('item_key', sa.String),
    sa.column('pending_key', sa.String),
)


def upgrade():
    connection = op.get_bind()
    for row in connection.execute(sa.select(DEALS.c.id, DEALS.c.url_template)).all():
        connection.execute(DEALS.update().where(DEALS.c.id == row.id).values(item_key=item_key(row.url_template)))
    tips = connection.execute(sa.select(TIPS.c.id, TIPS.c.url, TIPS.c.pending_key).order_by(TIPS.c.id)).all()
    waiting = {row.pending_key for row in tips if row.pending_key is not None}
    for row in tips:
        key = item_key(row.url)
        values = {'item_key': key}
        if row.pending_key is not None and row.pending_key != key and key not in waiting:
            waiting.discard(row.pending_key)
            waiting.add(key)
            values['pending_key'] = key
        connection.execute(TIPS.update().where(TIPS.c.id == row.id).values(**values))


def downgrade():
    """The new keys stay: older code compares them as it compares any key."""
