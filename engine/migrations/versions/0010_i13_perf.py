"""indexes of the request path: open tasks by role in inbox order (DoPT's inbox), users and
officers by username and e-mail as sign-in, registration and password reset look them up

Revision ID: i13_perf
Revises: i11_dopt
"""

import sqlalchemy as sa
from alembic import op

revision = "i13_perf"
down_revision = "i11_dopt"
branch_labels = None
depends_on = None

OPEN = sa.text("state = 'open'")


def upgrade() -> None:
    # Only open tasks, in the inbox's order: a role's oldest open tasks are the first entries
    # of its part of the index, however many closed tasks the table holds.
    op.create_index(
        "ix_human_tasks_open_by_role",
        "human_tasks",
        ["role", "created_at", "id"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index("ix_users_username_lower", "users", [sa.text("lower(username)")], unique=False)
    op.create_index("ix_users_email_lower", "users", [sa.text("lower(email)")], unique=False)
    op.create_index("ix_officers_email_lower", "officers", [sa.text("lower(email)")], unique=False)


def downgrade() -> None:
    op.drop_index("ix_officers_email_lower", table_name="officers")
    op.drop_index("ix_users_email_lower", table_name="users")
    op.drop_index("ix_users_username_lower", table_name="users")
    op.drop_index("ix_human_tasks_open_by_role", table_name="human_tasks")
