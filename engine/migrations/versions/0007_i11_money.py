"""coupons voided with a reason, the coupon pool's low-water alerts, the payments ledger, and
the data a task's diagram asks lists to show (human_tasks.summary)

Revision ID: i11_money
Revises: i11_accounts
"""

from alembic import op
import sqlalchemy as sa

from engine.models.types import UTCDateTime


revision = 'i11_money'
down_revision = 'i11_accounts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('coupons') as batch:
        batch.add_column(sa.Column('voided_at', UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('voided_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('void_reason', sa.Text(), nullable=True))
    op.create_table('coupon_pool_alerts',
    sa.Column('course_run_id', sa.Integer(), nullable=False),
    sa.Column('low', sa.Boolean(), nullable=False),
    sa.Column('changed_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['course_run_id'], ['course_runs.id'], ),
    sa.PrimaryKeyConstraint('course_run_id')
    )
    op.create_table('payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('course_run_id', sa.Integer(), nullable=False),
    sa.Column('beneficiary_name', sa.String(length=200), nullable=False),
    sa.Column('bank_account_number', sa.String(length=18), nullable=False),
    sa.Column('ifsc', sa.String(length=11), nullable=False),
    sa.Column('amount_usd', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('amount_inr', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('exchange_rate', sa.Numeric(precision=12, scale=4), nullable=False),
    sa.Column('sanction_number', sa.String(length=64), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=False),
    sa.Column('reference', sa.String(length=64), nullable=False),
    sa.Column('difference_confirmed', sa.Boolean(), nullable=False),
    sa.Column('recorded_by', sa.String(length=64), nullable=False),
    sa.Column('recorded_at', UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ),
    sa.ForeignKeyConstraint(['course_run_id'], ['course_runs.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('application_id')
    )
    with op.batch_alter_table('payments') as batch:
        batch.create_index(batch.f('ix_payments_course_run_id'), ['course_run_id'], unique=False)
        batch.create_index(batch.f('ix_payments_paid_on'), ['paid_on'], unique=False)
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('summary', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_column('summary')
    with op.batch_alter_table('payments') as batch:
        batch.drop_index(batch.f('ix_payments_paid_on'))
        batch.drop_index(batch.f('ix_payments_course_run_id'))
    op.drop_table('payments')
    op.drop_table('coupon_pool_alerts')
    with op.batch_alter_table('coupons') as batch:
        batch.drop_column('void_reason')
        batch.drop_column('voided_by')
        batch.drop_column('voided_at')
