"""The append-only audit log and the incidents operators must look at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import UTCDateTime, utcnow


class AuditEntry(Base):
    """Who did what, when. Rows are only ever inserted.

    Entries about an application name it; entries about an account or a CCA (an
    administrator's change, an officer's own) name no application and carry the username
    or CCA code in `subject`, with the values before and after in `detail`.
    """

    __tablename__ = "audit_log"
    # The money report finds the completions of one task (submit_claim, record_payment) by it.
    __table_args__ = (Index("ix_audit_log_task_action", "task", "action", "application_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True, index=True)
    instance_id: Mapped[int | None] = mapped_column(nullable=True)
    task: Mapped[str | None] = mapped_column(String(255), nullable=True)
    subject: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Incident(Base):
    """A step that failed and was rolled back; the instance stayed at its last good state.

    One row per stuck action: the same failure again (the same task completed again, the
    next timer round) counts on the open row (count, last_at) instead of adding one.
    `action` is the step's action as JSON (engine.actions), so that it can be retried.
    """

    __tablename__ = "incidents"
    __table_args__ = (Index("ix_incidents_open", "application_id", "resolved_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instance_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    application_id: Mapped[int | None] = mapped_column(nullable=True)
    element: Mapped[str | None] = mapped_column(String(255), nullable=True)
    message: Mapped[str] = mapped_column(Text)
    action_key: Mapped[str] = mapped_column(String(80), default="")
    action: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    count: Mapped[int] = mapped_column(Integer, default=1)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(255), nullable=True)
