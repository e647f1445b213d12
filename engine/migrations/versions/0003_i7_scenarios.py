"""forms versioned with the processes, and the processes' scenarios

Revision ID: i7_scenarios
Revises: i9_infra
"""

from alembic import op
import sqlalchemy as sa

from engine.models.types import UTCDateTime


revision = 'i7_scenarios'
down_revision = 'i9_infra'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('forms',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('deployed_at', UTCDateTime(), nullable=False),
    sa.Column('deployed_by', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('sha256')
    )
    op.create_table('process_scenarios',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_key', sa.String(length=255), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('document', sa.Text(), nullable=False),
    sa.Column('updated_at', UTCDateTime(), nullable=False),
    sa.Column('updated_by', sa.String(length=64), nullable=False),
    sa.Column('seeded_sha256', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('process_key', 'name')
    )
    # Versions deployed before forms were versioned bind none; their tasks read forms/.
    with op.batch_alter_table('process_definitions') as batch:
        batch.add_column(sa.Column('forms', sa.JSON(), nullable=False, server_default='{}'))
    with op.batch_alter_table('human_tasks') as batch:
        batch.add_column(sa.Column('form_sha256', sa.String(length=64), nullable=True))
        batch.create_foreign_key('fk_human_tasks_form_sha256_forms', 'forms', ['form_sha256'], ['sha256'])


def downgrade() -> None:
    with op.batch_alter_table('human_tasks') as batch:
        batch.drop_constraint('fk_human_tasks_form_sha256_forms', type_='foreignkey')
        batch.drop_column('form_sha256')
    with op.batch_alter_table('process_definitions') as batch:
        batch.drop_column('forms')
    op.drop_table('process_scenarios')
    op.drop_table('forms')
