"""deal participation: comments, tips (爆料), keyword alerts, their hits and scans; Q&A
notifications may name something outside the Q&A (subject and path)

Revision ID: 0011_deal_participation
Revises: 0010_deals
Create Date: 2026-12-06 23:40:19

"""
from alembic import op
import sqlalchemy as sa


revision = '0011_deal_participation'
down_revision = '0010_deals'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('deal_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('keywords', sa.String(length=100), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=True),
    sa.Column('max_price', sa.Integer(), nullable=True),
    sa.Column('delivery', sa.String(length=8), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("delivery IN ('now', 'digest', 'none')", name=op.f('ck_deal_alerts_delivery_known')),
    sa.CheckConstraint('max_price IS NULL OR max_price >= 0', name=op.f('ck_deal_alerts_max_price_not_negative')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deal_alerts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_alerts'))
    )
    with op.batch_alter_table('deal_alerts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_alerts_user_id'), ['user_id'], unique=False)

    op.create_table('deal_alert_scans',
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('scanned_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_alert_scans_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('deal_id', name=op.f('pk_deal_alert_scans'))
    )
    op.create_table('deal_comments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('deleted_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_deal_comments_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_comments_deal_id_deals'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_comments'))
    )
    with op.batch_alter_table('deal_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_comments_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_deal_comments_deal', ['deal_id', 'created_at'], unique=False)

    op.create_table('deal_tips',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=1000), nullable=False),
    sa.Column('item_key', sa.String(length=255), nullable=False),
    sa.Column('pending_key', sa.String(length=255), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('price', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('review_note', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'published', 'rejected')", name=op.f('ck_deal_tips_status_known')),
    sa.CheckConstraint('price >= 0', name=op.f('ck_deal_tips_price_not_negative')),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_tips_deal_id_deals'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_deal_tips_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deal_tips_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_tips')),
    sa.UniqueConstraint('pending_key', name=op.f('uq_deal_tips_pending_key'))
    )
    with op.batch_alter_table('deal_tips', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_tips_item_key'), ['item_key'], unique=False)
        batch_op.create_index('ix_deal_tips_queue', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_tips_user_id'), ['user_id'], unique=False)

    op.create_table('deal_alert_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('deal_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=True),
    sa.Column('notification_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['deal_alerts.id'], name=op.f('fk_deal_alert_hits_alert_id_deal_alerts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['deal_id'], ['deals.id'], name=op.f('fk_deal_alert_hits_deal_id_deals'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['notification_id'], ['qa_notifications.id'], name=op.f('fk_deal_alert_hits_notification_id_qa_notifications'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_deal_alert_hits_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_deal_alert_hits')),
    sa.UniqueConstraint('user_id', 'deal_id', name='once_per_member')
    )
    with op.batch_alter_table('deal_alert_hits', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_deal_alert_hits_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_alert_hits_deal_id'), ['deal_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_deal_alert_hits_notification_id'), ['notification_id'], unique=False)

    with op.batch_alter_table('qa_notifications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('path', sa.String(length=300), nullable=False, server_default=''))
        batch_op.alter_column('question_id',
               existing_type=sa.INTEGER(),
               nullable=True)
    with op.batch_alter_table('qa_notifications', schema=None) as batch_op:
        batch_op.alter_column('subject', existing_type=sa.String(length=200), server_default=None)
        batch_op.alter_column('path', existing_type=sa.String(length=300), server_default=None)



def downgrade():
    op.execute("DELETE FROM qa_notifications WHERE question_id IS NULL")
    with op.batch_alter_table('qa_notifications', schema=None) as batch_op:
        batch_op.alter_column('question_id',
               existing_type=sa.INTEGER(),
               nullable=False)
        batch_op.drop_column('path')
        batch_op.drop_column('subject')

    with op.batch_alter_table('deal_alert_hits', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_alert_hits_notification_id'))
        batch_op.drop_index(batch_op.f('ix_deal_alert_hits_deal_id'))
        batch_op.drop_index(batch_op.f('ix_deal_alert_hits_alert_id'))

    op.drop_table('deal_alert_hits')
    with op.batch_alter_table('deal_tips', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_tips_user_id'))
        batch_op.drop_index('ix_deal_tips_queue')
        batch_op.drop_index(batch_op.f('ix_deal_tips_item_key'))

    op.drop_table('deal_tips')
    with op.batch_alter_table('deal_comments', schema=None) as batch_op:
        batch_op.drop_index('ix_deal_comments_deal')
        batch_op.drop_index(batch_op.f('ix_deal_comments_author_id'))

    op.drop_table('deal_comments')
    op.drop_table('deal_alert_scans')
    with op.batch_alter_table('deal_alerts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_deal_alerts_user_id'))

    op.drop_table('deal_alerts')
