"""accounts that can be switched off, audit entries about accounts, and officer tasks that open
with what the officer sent before

Revision ID: i11_accounts
Revises: i12_mail
"""

from alembic import op
import sqlalchemy as sa


revision = 'i11_accounts'
down_revision = 'i12_mail'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every existing account stays usable.
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('active', sa.Boolean(), nullable=False, server_default=sa.true()))
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('prefill', sa.JSON(), nullable=True))
    with op.batch_alter_table('audit_log') as batch:
        batch.add_column(sa.Column('subject', sa.String(length=64), nullable=True))
        batch.create_index(batch.f('ix_audit_log_subject'), ['subject'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_index(batch.f('ix_audit_log_subject'))
        batch.drop_column('subject')
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_column('prefill')
    with op.batch_alter_table('users') as batch:
        batch.drop_column('active')
