"""user tasks keep their instructions in Hindi too

Revision ID: i9_sweep
Revises: i8_access
"""

import sqlalchemy as sa
from alembic import op

revision = "i9_sweep"
down_revision = "i8_access"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("instructions_hi", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_column("instructions_hi")
