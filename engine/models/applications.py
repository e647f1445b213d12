"""Applications and what hangs off them: coupons, uploads, notifications."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.people import User
from engine.models.reference import CourseRun
from engine.models.types import UTCDateTime, utcnow


class Application(Base):
    """One officer's application for one course run; status follows its process.

    `reimbursement_cap_usd` is the run's cap on the day of application: the application keeps
    it when DoPT later changes the run (as its process keeps its copy of the run).
    """

    __tablename__ = "applications"
    __table_args__ = (
        Index("ix_applications_created_at", "created_at"),
        Index("ix_applications_updated_at", "updated_at"),
        # The DFFT list: certified courses per officer, read from the index alone.
        Index("ix_applications_certified", "certified", "officer_id", "course_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    officer_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id"), index=True)
    course_code: Mapped[str] = mapped_column(String(16), index=True)
    cca_code: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(32), index=True)
    eligibility: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    coupon_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    certified: Mapped[bool] = mapped_column(default=False)
    reimbursement_cap_usd: Mapped[Decimal | None] = mapped_column(Numeric(10, 2), nullable=True)
    instance_id: Mapped[int | None] = mapped_column(ForeignKey("process_instances.id"), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    officer: Mapped[User] = relationship(lazy="joined")
    course_run: Mapped[CourseRun] = relationship(lazy="joined")


class Coupon(Base):
    """A discount code; assigned to one application, once, ever.

    A code is unused while it has no application and is not voided; a voided code (the
    course team withdrew it, with a reason) is never assigned.
    """

    __tablename__ = "coupons"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    course_run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id"), index=True)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), unique=True, nullable=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    assigned_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    voided_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    void_reason: Mapped[str | None] = mapped_column(Text, nullable=True)


class CouponPoolAlert(Base):
    """Whether a run's pool of unused codes is below the applications waiting for one.

    `low` flips to true once when the pool falls below (the course team is told then) and
    back to false when codes are added or the waiting applications are served, so the
    course team hears once per fall, not on every step.
    """

    __tablename__ = "coupon_pool_alerts"

    course_run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id"), primary_key=True)
    low: Mapped[bool] = mapped_column(Boolean, default=False)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Upload(Base):
    """A file an officer sent; stored outside the web root under a random name."""

    __tablename__ = "uploads"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    content_type: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    original_name: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the cleanup (engine/services/uploads.py) first found an application naming the
    # file; such a file is kept for good. None: not seen attached (yet).
    attached_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Notification(Base):
    """A message to one user, written in the same transaction as the step that caused it.

    `subject` and `body` are the English text (the API's language). A message a process
    wrote in its diagram carries its Hindi beside it (`subject_hi`, `body_hi`, None when
    the diagram gave none); a message the engine makes carries `catalogue`, the
    `{"subject": Message, "body": Message}` JSON of engine/i18n.py, which the web and mail
    layers translate with the gettext catalogue. `task_id` names the user task the message
    asks the reader to work (its page is the link), `read_at` when the reader marked it read.
    """

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_unread", "recipient_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    application_id: Mapped[int | None] = mapped_column(ForeignKey("applications.id"), nullable=True)
    subject_hi: Mapped[str | None] = mapped_column(String(255), nullable=True)
    body_hi: Mapped[str | None] = mapped_column(Text, nullable=True)
    catalogue: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    task_id: Mapped[str | None] = mapped_column(String(36), nullable=True)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
