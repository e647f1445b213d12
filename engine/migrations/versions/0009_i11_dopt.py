"""course runs: exam window, fee, closing; an application keeps its run's cap; indexes of the
applications list and the reports

Revision ID: i11_dopt
Revises: i10_workbench
"""

import sqlalchemy as sa
from alembic import op

from engine.models.types import UTCDateTime

revision = "i11_dopt"
down_revision = "i10_workbench"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("course_runs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("exam_starts_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("exam_ends_on", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("fee_usd", sa.Numeric(precision=10, scale=2), nullable=False, server_default="100"))
        batch_op.add_column(sa.Column("closed_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("closed_by", sa.String(length=64), nullable=True))
        batch_op.create_index("ix_course_runs_starts_on", ["starts_on"], unique=False)

    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("reimbursement_cap_usd", sa.Numeric(precision=10, scale=2), nullable=True))
        batch_op.create_index("ix_applications_created_at", ["created_at"], unique=False)
        batch_op.create_index("ix_applications_updated_at", ["updated_at"], unique=False)
        batch_op.create_index("ix_applications_certified", ["certified", "officer_id", "course_code"], unique=False)
    # Applications made before keep the cap their run has now (the cap their process copied).
    op.execute(
        "UPDATE applications SET reimbursement_cap_usd = "
        "(SELECT course_runs.reimbursement_cap_usd FROM course_runs WHERE course_runs.id = applications.course_run_id)"
    )

    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_task_action", ["task", "action", "application_id"], unique=False)

    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.create_index("ix_human_tasks_pending", ["state", "name", "created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_tasks", schema=None) as batch_op:
        batch_op.drop_index("ix_human_tasks_pending")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_task_action")
    with op.batch_alter_table("applications", schema=None) as batch_op:
        batch_op.drop_index("ix_applications_certified")
        batch_op.drop_index("ix_applications_updated_at")
        batch_op.drop_index("ix_applications_created_at")
        batch_op.drop_column("reimbursement_cap_usd")
    with op.batch_alter_table("course_runs", schema=None) as batch_op:
        batch_op.drop_index("ix_course_runs_starts_on")
        batch_op.drop_column("closed_by")
        batch_op.drop_column("closed_at")
        batch_op.drop_column("fee_usd")
        batch_op.drop_column("exam_ends_on")
        batch_op.drop_column("exam_starts_on")
