"""users.language: the language a person chose for pages and mail

Revision ID: i9_infra
Revises: 0001
"""

from alembic import op
import sqlalchemy as sa


revision = 'i9_infra'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users') as batch:
        batch.drop_column('language')
