"""indexes of the request path: open tasks by role in inbox order (DoPT's inbox), users and
officers by username and e-mail as sign-in, registration and password reset look them up

Revision ID: i13_perf
Revises: i9_sweep
"""

import sqlalchemy as sa
from alembic import op

revision = "i13_perf"
down_revision = "i9_sweep"
branch_labels = None
depends_on = None

# The inbox's rows: open tasks of an application (the inbox query says both).
OPEN = sa.text("state = 'open' AND application_id IS NOT NULL")


def upgrade() -> None:
    # Only open tasks, in the inbox's order: a role's oldest open tasks (DoPT's inbox), or a
    # role's in one CCA (a CCA approver's), are the first entries of their part of the index,
    # however many closed tasks the table holds; counting them reads the index alone.
    op.create_index(
        "ix_human_tasks_open_by_role",
        "human_tasks",
        ["role", "created_at", "id"],
        unique=False,
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        "ix_human_tasks_open_by_scope",
        "human_tasks",
        ["role", "scope_cca", "created_at", "id"],
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
    op.drop_index("ix_human_tasks_open_by_scope", table_name="human_tasks")
    op.drop_index("ix_human_tasks_open_by_role", table_name="human_tasks")
