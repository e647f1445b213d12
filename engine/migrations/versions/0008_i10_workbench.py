"""a comment given at each deploy, and the version a rollback restores

Revision ID: i10_workbench
Revises: i11_money
"""

import sqlalchemy as sa
from alembic import op

revision = "i10_workbench"
down_revision = "i11_money"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("process_definitions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("comment", sa.String(length=500), nullable=True))
        batch_op.add_column(sa.Column("restores_version", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("process_definitions", schema=None) as batch_op:
        batch_op.drop_column("restores_version")
        batch_op.drop_column("comment")
