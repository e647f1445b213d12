"""incidents that count repeats and keep the failed action; suspended inbox rows

Revision ID: i7_incidents
Revises: i7_scenarios
"""

import sqlalchemy as sa
from alembic import op

from engine.models.types import UTCDateTime

revision = "i7_incidents"
down_revision = "i7_scenarios"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("at", new_column_name="first_at", existing_type=sa.DateTime(timezone=True), existing_nullable=False)
        batch_op.alter_column("task", new_column_name="element", existing_type=sa.String(length=255))
        batch_op.add_column(sa.Column("last_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("count", sa.Integer(), nullable=False, server_default="1"))
        batch_op.add_column(sa.Column("action_key", sa.String(length=80), nullable=False, server_default=""))
        batch_op.add_column(sa.Column("action", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("resolved_by", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("resolution", sa.String(length=255), nullable=True))
    op.execute("UPDATE incidents SET last_at = first_at")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.alter_column("last_at", existing_type=sa.DateTime(timezone=True), nullable=False)
        batch_op.create_index("ix_incidents_open", ["application_id", "resolved_at"], unique=False)

    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suspended", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_column("suspended")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_open")
        batch_op.drop_column("resolution")
        batch_op.drop_column("resolved_by")
        batch_op.drop_column("action")
        batch_op.drop_column("action_key")
        batch_op.drop_column("count")
        batch_op.drop_column("last_at")
        batch_op.alter_column("element", new_column_name="task", existing_type=sa.String(length=255))
        batch_op.alter_column("first_at", new_column_name="at", existing_type=sa.DateTime(timezone=True), existing_nullable=False)
