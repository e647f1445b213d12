"""Reference data DoPT maintains: cadre controlling authorities, courses, runs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base


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


class CourseRun(Base):
    """One offering of a course, with its dates and the reimbursement cap for it."""

    __tablename__ = "course_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    course_code: Mapped[str] = mapped_column(ForeignKey("courses.code"), index=True)
    starts_on: Mapped[date] = mapped_column(Date)
    registration_closes_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    reimbursement_cap_usd: Mapped[Decimal] = mapped_column(Numeric(10, 2), default=Decimal("100"))

    course: Mapped[Course] = relationship(lazy="joined")
