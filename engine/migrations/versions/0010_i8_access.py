"""users: a session generation that signing out and a password change move on; uploads:
when the cleanup found one attached to an application

Revision ID: i8_access
Revises: i11_dopt
"""

import sqlalchemy as sa
from alembic import op

from engine.models.types import UTCDateTime

revision = "i8_access"
down_revision = "i11_dopt"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("session_generation", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attached_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("uploads", schema=None) as batch_op:
        batch_op.drop_column("attached_at")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
