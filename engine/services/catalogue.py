"""The catalogue as lists: courses, course runs (with how many applications each has), CCAs.

Every list comes as (one page of rows, how many in all), so that no caller cuts a list
silently; `limit` and `offset` are the page's size and start.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.errors import Invalid
from engine.models import CCA, Application, Course, CourseRun

# A select of any columns (the lists and counts here take any query).
AnySelect = Select[*tuple[Any, ...]]
RUN_PERIODS = ("all", "upcoming", "current", "past")


@dataclass(frozen=True)
class RunListing:
    """A run with its course's title and the number of applications made for it."""

    run: CourseRun
    course_title: str
    applications: int


def count_of(session: Session, query: AnySelect) -> int:
    """How many rows a query gives (for X-Total-Count and the pages' "of N")."""
    return int(session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0)


def list_courses(session: Session, limit: int, offset: int) -> tuple[list[Course], int]:
    """Courses by code."""
    query = select(Course)
    rows = session.scalars(query.order_by(Course.code).limit(limit).offset(offset))
    return list(rows), count_of(session, query)


def list_ccas(session: Session, limit: int, offset: int) -> tuple[list[CCA], int]:
    """Cadre controlling authorities by code."""
    query = select(CCA)
    rows = session.scalars(query.order_by(CCA.code).limit(limit).offset(offset))
    return list(rows), count_of(session, query)


def list_course_runs(
    session: Session,
    today: date,
    limit: int,
    offset: int,
    course: str | None = None,
    period: str = "all",
) -> tuple[list[RunListing], int]:
    """Runs, the latest start first, with their application counts.

    `period` (RUN_PERIODS): `upcoming` starts after `today` (India's date), `current` has
    started and not ended, `past` has ended. Raises Invalid naming `period` otherwise.
    """
    if period not in RUN_PERIODS:
        raise Invalid("Unknown period", {"period": "One of: " + ", ".join(RUN_PERIODS)})
    query = select(CourseRun, Course.title).join(Course, Course.code == CourseRun.course_code)
    if course:
        query = query.where(CourseRun.course_code == course)
    if period == "upcoming":
        query = query.where(CourseRun.starts_on > today)
    elif period == "current":
        query = query.where(CourseRun.starts_on <= today, CourseRun.ends_on >= today)
    elif period == "past":
        query = query.where(CourseRun.ends_on < today)
    page = query.order_by(CourseRun.starts_on.desc(), CourseRun.course_code, CourseRun.id).limit(limit).offset(offset)
    found = session.execute(page).all()
    ids = [run.id for run, _title in found]
    counts = {
        int(run_id): int(n)
        for run_id, n in session.execute(
            select(Application.course_run_id, func.count(Application.id))
            .where(Application.course_run_id.in_(ids))
            .group_by(Application.course_run_id)
        )
    }
    rows = [RunListing(run, str(title), int(counts.get(run.id, 0))) for run, title in found]
    return rows, count_of(session, query)
