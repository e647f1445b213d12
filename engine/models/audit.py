"""The append-only audit log and the incidents operators must look at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text
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
    """A step that failed (a script error, say); the instance stayed at its last good state."""

    __tablename__ = "incidents"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    instance_id: Mapped[int | None] = mapped_column(nullable=True, index=True)
    application_id: Mapped[int | None] = mapped_column(nullable=True)
    task: Mapped[str | None] = mapped_column(String(255), nullable=True)
    message: Mapped[str] = mapped_column(Text)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
