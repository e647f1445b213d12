"""one edX username per officer (any case)

Revision ID: i11_fixes
Revises: i13_perf
"""

import sqlalchemy as sa
from alembic import op

revision = "i11_fixes"
down_revision = "i13_perf"
branch_labels = None
depends_on = None


def upgrade() -> None:
    shared = (
        op.get_bind()
        .execute(
            sa.text(
                "SELECT lower(edx_username) FROM officers GROUP BY lower(edx_username) HAVING count(*) > 1 ORDER BY 1"
            )
        )
        .scalars()
        .all()
    )
    if shared:
        raise RuntimeError(
            "Several officers share these edX usernames; give each officer their own before upgrading: "
            + ", ".join(shared)
        )
    op.create_index("uq_officers_edx_username", "officers", [sa.text("lower(edx_username)")], unique=True)


def downgrade() -> None:
    op.drop_index("uq_officers_edx_username", table_name="officers")
