"""Reference data DoPT maintains: cadre controlling authorities, courses, runs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.types import UTCDateTime


class CCA(Base):
    """A cadre controlling authority; approval_required decides whether the CCA must approve."""

    __tablename__ = "ccas"

    code: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    approval_required: Mapped[bool] = mapped_column(Boolean, default=True)


class Course(Base):
    """One MicroMasters course."""

    __tablename__ = "courses"

    code: Mapped[str] = mapped_column(String(16), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    prerequisites: Mapped[str] = mapped_column(Text, default="")
    title_hi: Mapped[str] = mapped_column(String(200), default="", server_default="")
    """The title in Hindi, for pages in Hindi; empty when none is given (the title is shown)."""
    prerequisites_hi: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The prerequisites in Hindi; empty when none are given (the English ones are shown)."""


class CourseRun(Base):
    """One offering of a course: its dates, the proctored exam's window, the course fee and
    the reimbursement cap (DOMAIN.md: fee and cap are data, and separate).

    A closed run (`closed_at` set) takes no new applications; the applications it has go on.
    """

    __tablename__ = "course_runs"
    __table_args__ = (Index("ix_course_runs_starts_on", "starts_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_code: Mapped[str] = mapped_column(ForeignKey("courses.code"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    registration_closes_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    exam_starts_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    exam_ends_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    fee_usd: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("100"))
    reimbursement_cap_usd: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("100"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    course: Mapped[Course] = relationship(lazy="joined")
