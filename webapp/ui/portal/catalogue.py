"""The course catalogue with the runs open for applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import Course, CourseRun


@dataclass(frozen=True)
class CatalogueEntry:
    """A course and its runs still taking applications."""

    course: Course
    open_runs: list[CourseRun]


def catalogue(session: Session, today: date) -> list[CatalogueEntry]:
    """Every course, each with the runs whose registration has not closed (and that DoPT has not
    closed), soonest first."""
    runs = session.scalars(
        select(CourseRun)
        .where(CourseRun.registration_closes_on >= today, CourseRun.closed_at.is_(None))
        .order_by(CourseRun.starts_on, CourseRun.id)
    ).all()
    courses = session.scalars(select(Course).order_by(Course.code)).all()
    return [CatalogueEntry(course, [run for run in runs if run.course_code == course.code]) for course in courses]
