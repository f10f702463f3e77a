"""rebates: affiliate orders and lines, ledger, withdrawals, claims, imports, rules

Also JD and Pinduoduo positions on affiliate identities, and the part of a payment (and of a
refund) paid from the rebate balance.

Revision ID: 0009_rebates
Revises: 0008_search_open_text
Create Date: 2026-12-06 21:19:40

"""
from alembic import op
import sqlalchemy as sa


revision = '0009_rebates'
down_revision = '0008_search_open_text'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rebate_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('new_lines', sa.Integer(), nullable=False),
    sa.Column('changed', sa.Integer(), nullable=False),
    sa.Column('unchanged', sa.Integer(), nullable=False),
    sa.Column('unmatched', sa.Integer(), nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('refused', sa.Integer(), nullable=False),
    sa.Column('refusals', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_rebate_imports_actor_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_imports'))
    )
    op.create_table('rebate_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('order_no', sa.String(length=64), nullable=False),
    sa.Column('tracking', sa.String(length=255), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=True),
    sa.Column('first_seen_at', sa.DateTime(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('matched_by', sa.String(length=16), nullable=True),
    sa.Column('matched_at', sa.DateTime(), nullable=True),
    sa.Column('buyer_share', sa.Integer(), nullable=False),
    sa.Column('inviter_id', sa.Integer(), nullable=True),
    sa.Column('referral_share', sa.Integer(), nullable=False),
    sa.Column('referral_wait_until', sa.DateTime(), nullable=True),
    sa.Column('referral_void_at', sa.DateTime(), nullable=True),
    sa.CheckConstraint('buyer_share + referral_share <= 100', name=op.f('ck_rebate_orders_shares_within_commission')),
    sa.CheckConstraint('buyer_share BETWEEN 0 AND 100', name=op.f('ck_rebate_orders_buyer_share_percent')),
    sa.CheckConstraint('referral_share BETWEEN 0 AND 100', name=op.f('ck_rebate_orders_referral_share_percent')),
    sa.ForeignKeyConstraint(['inviter_id'], ['users.id'], name=op.f('fk_rebate_orders_inviter_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rebate_orders_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_orders')),
    sa.UniqueConstraint('network', 'order_no', name='uq_rebate_orders_network_order')
    )
    with op.batch_alter_table('rebate_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_orders_inviter_id'), ['inviter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_orders_user_id'), ['user_id'], unique=False)

    op.create_table('rebate_settings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('referral_share', sa.Integer(), nullable=False),
    sa.Column('holding_days', sa.Integer(), nullable=False),
    sa.Column('minimum_withdrawal', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('holding_days BETWEEN 0 AND 365', name=op.f('ck_rebate_settings_holding_days_range')),
    sa.CheckConstraint('minimum_withdrawal >= 1', name=op.f('ck_rebate_settings_minimum_withdrawal_positive')),
    sa.CheckConstraint('referral_share BETWEEN 0 AND 100', name=op.f('ck_rebate_settings_referral_share_percent')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_rebate_settings_updated_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_settings'))
    )
    op.create_table('rebate_withdrawals',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('method', sa.String(length=16), nullable=False),
    sa.Column('account', sa.String(length=100), nullable=False),
    sa.Column('account_name', sa.String(length=40), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('paid_at', sa.DateTime(), nullable=True),
    sa.Column('paid_by_id', sa.Integer(), nullable=True),
    sa.Column('payout_reference', sa.String(length=100), nullable=False),
    sa.Column('reject_reason', sa.Text(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_rebate_withdrawals_amount_positive')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rebate_withdrawals_decided_by_id_users')),
    sa.ForeignKeyConstraint(['paid_by_id'], ['users.id'], name=op.f('fk_rebate_withdrawals_paid_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rebate_withdrawals_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_withdrawals'))
    )
    with op.batch_alter_table('rebate_withdrawals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_withdrawals_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_withdrawals_user_id'), ['user_id'], unique=False)

    op.create_table('rebate_claims',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_rebate_claims_decided_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['rebate_orders.id'], name=op.f('fk_rebate_claims_order_id_rebate_orders')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rebate_claims_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_claims')),
    sa.UniqueConstraint('order_id', 'user_id', name='uq_rebate_claims_once')
    )
    with op.batch_alter_table('rebate_claims', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_claims_order_id'), ['order_id'], unique=False)

    op.create_table('rebate_order_lines',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('line_key', sa.String(length=128), nullable=False),
    sa.Column('item', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('network_status', sa.String(length=32), nullable=False),
    sa.Column('paid_amount', sa.Integer(), nullable=False),
    sa.Column('commission', sa.Integer(), nullable=False),
    sa.Column('placed_at', sa.DateTime(), nullable=True),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('commission >= 0', name=op.f('ck_rebate_order_lines_commission_not_negative')),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_rebate_order_lines_paid_amount_not_negative')),
    sa.ForeignKeyConstraint(['import_id'], ['rebate_imports.id'], name=op.f('fk_rebate_order_lines_import_id_rebate_imports')),
    sa.ForeignKeyConstraint(['order_id'], ['rebate_orders.id'], name=op.f('fk_rebate_order_lines_order_id_rebate_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_order_lines')),
    sa.UniqueConstraint('network', 'line_key', name='uq_rebate_order_lines_network_key')
    )
    with op.batch_alter_table('rebate_order_lines', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_order_lines_order_id'), ['order_id'], unique=False)

    op.create_table('rebate_ledger',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('line_id', sa.Integer(), nullable=True),
    sa.Column('withdrawal_id', sa.Integer(), nullable=True),
    sa.Column('payment_id', sa.Integer(), nullable=True),
    sa.Column('available_at', sa.DateTime(), nullable=False),
    sa.Column('pending_until', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("kind IN ('rebate', 'referral', 'withdrawal', 'dues', 'adjustment')", name=op.f('ck_rebate_ledger_kind_known')),
    sa.CheckConstraint("state IN ('pending', 'confirmed', 'frozen', 'paid')", name=op.f('ck_rebate_ledger_state_known')),
    sa.CheckConstraint('amount <> 0', name=op.f('ck_rebate_ledger_amount_not_zero')),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_rebate_ledger_actor_id_users')),
    sa.ForeignKeyConstraint(['import_id'], ['rebate_imports.id'], name=op.f('fk_rebate_ledger_import_id_rebate_imports')),
    sa.ForeignKeyConstraint(['line_id'], ['rebate_order_lines.id'], name=op.f('fk_rebate_ledger_line_id_rebate_order_lines')),
    sa.ForeignKeyConstraint(['order_id'], ['rebate_orders.id'], name=op.f('fk_rebate_ledger_order_id_rebate_orders')),
    sa.ForeignKeyConstraint(['payment_id'], ['payments.id'], name=op.f('fk_rebate_ledger_payment_id_payments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rebate_ledger_user_id_users')),
    sa.ForeignKeyConstraint(['withdrawal_id'], ['rebate_withdrawals.id'], name=op.f('fk_rebate_ledger_withdrawal_id_rebate_withdrawals')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rebate_ledger'))
    )
    with op.batch_alter_table('rebate_ledger', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rebate_ledger_line_id'), ['line_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rebate_ledger_payment_id'), ['payment_id'], unique=False)
        batch_op.create_index('ix_rebate_ledger_user_state', ['user_id', 'state'], unique=False)

    with op.batch_alter_table('affiliate_identities', schema=None) as batch_op:
        batch_op.add_column(sa.Column('jd_position_id', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('pdd_pid', sa.String(length=32), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_affiliate_identities_jd_position_id'), ['jd_position_id'])
        batch_op.create_unique_constraint(batch_op.f('uq_affiliate_identities_pdd_pid'), ['pdd_pid'])

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('balance_amount', sa.Integer(), nullable=False, server_default='0')
        )
        batch_op.create_check_constraint(
            op.f('ck_payments_balance_within_amount'), 'balance_amount BETWEEN 0 AND amount'
        )

    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('to_balance', sa.Boolean(), nullable=False, server_default=sa.false())
        )



def downgrade():
    with op.batch_alter_table('refunds', schema=None) as batch_op:
        batch_op.drop_column('to_balance')

    with op.batch_alter_table('payments', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_payments_balance_within_amount'), type_='check')
        batch_op.drop_column('balance_amount')

    with op.batch_alter_table('affiliate_identities', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_affiliate_identities_pdd_pid'), type_='unique')
        batch_op.drop_constraint(batch_op.f('uq_affiliate_identities_jd_position_id'), type_='unique')
        batch_op.drop_column('pdd_pid')
        batch_op.drop_column('jd_position_id')

    with op.batch_alter_table('rebate_ledger', schema=None) as batch_op:
        batch_op.drop_index('ix_rebate_ledger_user_state')
        batch_op.drop_index(batch_op.f('ix_rebate_ledger_payment_id'))
        batch_op.drop_index(batch_op.f('ix_rebate_ledger_line_id'))

    op.drop_table('rebate_ledger')
    with op.batch_alter_table('rebate_order_lines', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_order_lines_order_id'))

    op.drop_table('rebate_order_lines')
    with op.batch_alter_table('rebate_claims', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_claims_order_id'))

    op.drop_table('rebate_claims')
    with op.batch_alter_table('rebate_withdrawals', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_withdrawals_user_id'))
        batch_op.drop_index(batch_op.f('ix_rebate_withdrawals_status'))

    op.drop_table('rebate_withdrawals')
    op.drop_table('rebate_settings')
    with op.batch_alter_table('rebate_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rebate_orders_user_id'))
        batch_op.drop_index(batch_op.f('ix_rebate_orders_inviter_id'))

    op.drop_table('rebate_orders')
    op.drop_table('rebate_imports')
