"""What the inbox table shows for each task, loaded in one query rather than one per row."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload

from engine.models import CCA, Application, Course, CourseRun, HumanTask, User


@dataclass(frozen=True)
class InboxRow:
    """One task with its application and officer."""

    task: HumanTask
    application: Application
    officer_name: str
    cca_name: str
    overdue: bool


@dataclass(frozen=True)
class FilterOptions:
    """The choices of the inbox's filter selects."""

    courses: list[Course]
    runs: list[CourseRun]
    ccas: list[CCA]


def inbox_rows(
    session: Session, tasks: list[HumanTask], moment: datetime, cca_names: dict[str, str] | None = None
) -> list[InboxRow]:
    """The tasks with their applications; a task is overdue once its due time has passed.

    `cca_names` (code to name) spares a query when the caller has the CCAs already.
    """
    ids = {task.application_id for task in tasks if task.application_id is not None}
    if not ids:
        return []
    query = (
        select(Application)
        .where(Application.id.in_(ids))
        .options(joinedload(Application.officer).options(joinedload(User.officer), lazyload(User.role_rows)))
    )
    applications = {app.id: app for app in session.scalars(query)}
    if cca_names is None:
        codes = {app.cca_code for app in applications.values()}
        cca_names = {cca.code: cca.name for cca in session.scalars(select(CCA).where(CCA.code.in_(codes)))}
    rows = []
    for task in tasks:
        application = applications[task.application_id] if task.application_id is not None else None
        if application is None:
            continue
        profile = application.officer.officer
        rows.append(
            InboxRow(
                task=task,
                application=application,
                officer_name=profile.full_name if profile else application.officer.username,
                cca_name=cca_names.get(application.cca_code, application.cca_code),
                overdue=task.due_at is not None and task.due_at < moment,
            )
        )
    return rows


def filter_options(session: Session) -> FilterOptions:
    """Every course, run and CCA, for the filters."""
    return FilterOptions(
        courses=list(session.scalars(select(Course).order_by(Course.code))),
        runs=list(session.scalars(select(CourseRun).order_by(CourseRun.starts_on.desc(), CourseRun.course_code))),
        ccas=list(session.scalars(select(CCA).order_by(CCA.name))),
    )
