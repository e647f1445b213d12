"""Deployed process definitions with their forms and scenarios, running instances and the
human-task table of the inbox."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.types import UTCDateTime, utcnow


class ProcessDefinition(Base):
    """One version of one process (key = the BPMN process id); the XML is kept verbatim.

    `forms` binds the version to the form schemas its user tasks name: form file name ->
    sha256 of a `FormSchema`. A changed form is a new version of the process, so a task
    always shows and checks the form of the version its instance runs on.

    `comment` is what the process owner said at deploy (why this version); a rollback
    deploys an older version's XML and forms again, and `restores_version` names it.
    """

    __tablename__ = "process_definitions"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(255), index=True)
    version: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    xml: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(64))
    forms: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    comment: Mapped[str | None] = mapped_column(String(500), nullable=True)
    restores_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class FormSchema(Base):
    """A form's JSON Schema as deployed, stored once by content (sha256 of the file's bytes)."""

    __tablename__ = "forms"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[str] = mapped_column(Text)
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    deployed_by: Mapped[str] = mapped_column(String(64))


class ProcessScenario(Base):
    """A scenario of a process (a JSON document, see engine/bpmn/scenario_format.py), rehearsed
    by every deploy that touches the process.

    `seeded_sha256` is the sha256 of the file of processes/scenarios it was last stored
    from: `igot init` stores a file again only when the file changed, so a scenario a
    process owner changed through the API is kept until a new release changes the file.
    """

    __tablename__ = "process_scenarios"
    __table_args__ = (UniqueConstraint("process_key", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    process_key: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(64))
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by: Mapped[str] = mapped_column(String(64))
    seeded_sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)


class ProcessInstance(Base):
    """One running process; state is SpiffWorkflow's serialization without the spec.

    `version` is the optimistic lock: every save increments it and a save that finds
    another version already stored fails, so two concurrent steps cannot both land.
    """

    __tablename__ = "process_instances"
    __table_args__ = (Index("ix_process_instances_due", "status", "next_due_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definitions.id"))
    process_key: Mapped[str] = mapped_column(String(255))
    bundle: Mapped[list[int]] = mapped_column(JSON)
    state: Mapped[bytes] = mapped_column(LargeBinary)
    # running, suspended (an operator holds it: no task completes, no timer fires), completed, cancelled
    status: Mapped[str] = mapped_column(String(16), default="running")
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    definition: Mapped[ProcessDefinition] = relationship(lazy="select")

    __mapper_args__: dict[str, Any] = {"version_id_col": version}  # noqa: RUF012


INBOX_ROWS = "state = 'open' AND application_id IS NOT NULL"
"""The rows an inbox lists (engine.services.queries), which its partial indexes hold."""


class HumanTask(Base):
    """A user task the inbox shows, kept in step with the instance on every save.

    `prefill` holds what the officer sent before for the fields of this task's form (a
    claim returned for correction, a result reopened to be corrected), so the form opens
    with it; None when there is nothing to show.
    `summary` holds the values of the task's data its diagram names in the `taskSummary`
    property (e.g. the amount a payment task pays), so lists show them without loading
    the instance; None for a task that names none.
    """

    __tablename__ = "human_tasks"
    __table_args__ = (
        Index("ix_human_tasks_open", "state", "role", "scope_cca", "created_at"),
        Index("ix_human_tasks_instance", "instance_id", "state"),
        # Pending work by task and age (the reports).
        Index("ix_human_tasks_pending", "state", "name", "created_at"),
        # The inbox's rows only (open, of an application), in its order: by role (DoPT's inbox),
        # by role and CCA (a CCA approver's). The inbox query states both conditions.
        Index(
            "ix_human_tasks_open_by_role",
            "role",
            "created_at",
            "id",
            postgresql_where=text(INBOX_ROWS),
            sqlite_where=text(INBOX_ROWS),
        ),
        Index(
            "ix_human_tasks_open_by_scope",
            "role",
            "scope_cca",
            "created_at",
            "id",
            postgresql_where=text(INBOX_ROWS),
            sqlite_where=text(INBOX_ROWS),
        ),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instances.id", ondelete="CASCADE"))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True, index=True)
    name: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255))
    lane: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(32))
    scope_cca: Mapped[str | None] = mapped_column(String(32), nullable=True)
    owner_username: Mapped[str | None] = mapped_column(String(64), nullable=True)
    form_file: Mapped[str | None] = mapped_column(String(255), nullable=True)
    form_sha256: Mapped[str | None] = mapped_column(ForeignKey("forms.sha256"), nullable=True)
    instructions: Mapped[str | None] = mapped_column(Text, nullable=True)
    instructions_hi: Mapped[str | None] = mapped_column(Text, nullable=True)
    """The instructions in Hindi, from the task's `instructionsForEndUser_hi` property; None
    when the diagram gives none (pages in Hindi then show `instructions`)."""
    prefill: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    summary: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="open")
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    completed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    suspended: Mapped[bool] = mapped_column(default=False)
