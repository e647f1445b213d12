"""Read-side queries the API and the inbox share (never deserialising a workflow)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.access import visible_applications, workable_tasks
from engine.models import (
    Application,
    AuditEntry,
    HumanTask,
    Officer,
    ProcessDefinition,
    ProcessInstance,
    User,
)


@dataclass(frozen=True)
class TaskFilter:
    """Inbox filters; every field optional."""

    application_id: int | None = None
    course: str | None = None
    course_run_id: int | None = None
    cca: str | None = None
    name: str | None = None
    officer_name: str | None = None
    role: str | None = None


def _task_query(user: User, filters: TaskFilter) -> Select[Any]:
    # Open tasks of an application: the condition of the inbox's partial indexes, stated so the
    # database may use them. Without a filter on the application, joining it would only drop
    # the tasks without one (its foreign key guarantees the rest), so it is left out.
    query = select(HumanTask).where(
        HumanTask.state == "open", HumanTask.application_id.is_not(None), workable_tasks(user)
    )
    if filters.course or filters.course_run_id is not None or filters.cca or filters.officer_name:
        query = query.join(Application, Application.id == HumanTask.application_id)
    if filters.application_id is not None:
        query = query.where(HumanTask.application_id == filters.application_id)
    if filters.course:
        query = query.where(Application.course_code == filters.course)
    if filters.course_run_id is not None:
        query = query.where(Application.course_run_id == filters.course_run_id)
    if filters.cca:
        query = query.where(Application.cca_code == filters.cca)
    if filters.name:
        query = query.where(HumanTask.name == filters.name)
    if filters.role:
        query = query.where(HumanTask.role == filters.role)
    if filters.officer_name:
        pattern = f"%{filters.officer_name.lower()}%"
        query = query.join(Officer, Officer.user_id == Application.officer_id).where(
            func.lower(Officer.full_name).like(pattern)
        )
    return query


def list_tasks(
    session: Session, user: User, filters: TaskFilter | None, limit: int, offset: int = 0
) -> list[HumanTask]:
    """A page of the open tasks the user may work, oldest first (count_tasks says how many in all)."""
    query = _task_query(user, filters or TaskFilter()).order_by(HumanTask.created_at, HumanTask.id)
    return list(session.scalars(query.limit(limit).offset(offset)))


def task_page(
    session: Session, user: User, filters: TaskFilter | None, limit: int, offset: int = 0
) -> tuple[list[HumanTask], int]:
    """A page of the open tasks the user may work, oldest first, and how many there are in all.

    When the first page holds them all, its length is the count: no second query.
    """
    found = list_tasks(session, user, filters, limit, offset)
    if offset == 0 and len(found) < limit:
        return found, len(found)
    return found, count_tasks(session, user, filters)


def count_tasks(session: Session, user: User, filters: TaskFilter | None = None) -> int:
    """How many open tasks the user may work (for counts and pagination)."""
    query = _task_query(user, filters or TaskFilter()).with_only_columns(func.count(HumanTask.id))
    return int(session.scalar(query) or 0)


def task_counts_by_name(session: Session, user: User) -> dict[str, int]:
    """Open workable tasks per task name, for the inbox's counts."""
    query = (
        select(HumanTask.name, func.count(HumanTask.id))
        .where(HumanTask.state == "open", workable_tasks(user))
        .group_by(HumanTask.name)
    )
    return {name: int(count) for name, count in session.execute(query)}


def applications_by_id(session: Session, user: User, ids: Iterable[int | None]) -> dict[int, Application]:
    """The applications of `ids` the user may see, by id, in one query (for pages that name
    the applications of their rows: notifications, tasks)."""
    wanted = {application_id for application_id in ids if application_id is not None}
    if not wanted:
        return {}
    query = select(Application).where(Application.id.in_(wanted), visible_applications(user))
    return {application.id: application for application in session.scalars(query)}


def history(session: Session, application_id: int) -> list[AuditEntry]:
    """What happened to an application, oldest first (by time, then by the order written)."""
    return histories(session, [application_id])[application_id]


def histories(session: Session, application_ids: list[int]) -> dict[int, list[AuditEntry]]:
    """The history of several applications in one query (lists must not query per row)."""
    found: dict[int, list[AuditEntry]] = {application_id: [] for application_id in application_ids}
    query = (
        select(AuditEntry).where(AuditEntry.application_id.in_(application_ids)).order_by(AuditEntry.at, AuditEntry.id)
    )
    for entry in session.scalars(query):
        found[entry.application_id or 0].append(entry)
    return found


def open_tasks(session: Session, application_id: int) -> list[HumanTask]:
    """The application's open tasks, whoever works them."""
    return open_tasks_of(session, [application_id])[application_id]


def open_tasks_of(session: Session, application_ids: list[int]) -> dict[int, list[HumanTask]]:
    """The open tasks of several applications in one query."""
    found: dict[int, list[HumanTask]] = {application_id: [] for application_id in application_ids}
    query = (
        select(HumanTask)
        .where(HumanTask.application_id.in_(application_ids), HumanTask.state == "open")
        .order_by(HumanTask.created_at, HumanTask.id)
    )
    for task in session.scalars(query):
        found[task.application_id or 0].append(task)
    return found


@dataclass(frozen=True)
class ProcessOf:
    """The process an application runs: its key and version, the instance's status, every bound version."""

    key: str
    version: int
    status: str
    versions: dict[str, int]


def processes_of(session: Session, applications: list[Application]) -> dict[int, ProcessOf]:
    """The process each application runs on, by application id (two queries for any number)."""
    by_instance = {a.instance_id: a.id for a in applications if a.instance_id is not None}
    if not by_instance:
        return {}
    rows = session.execute(
        select(
            ProcessInstance.id,
            ProcessInstance.status,
            ProcessInstance.bundle,
            ProcessDefinition.key,
            ProcessDefinition.version,
        )
        .join(ProcessDefinition, ProcessInstance.definition_id == ProcessDefinition.id)
        .where(ProcessInstance.id.in_(list(by_instance)))
    ).all()
    bound = {int(i) for row in rows for i in row.bundle}
    versions = {
        int(definition_id): (str(key), int(version))
        for definition_id, key, version in session.execute(
            select(ProcessDefinition.id, ProcessDefinition.key, ProcessDefinition.version).where(
                ProcessDefinition.id.in_(bound)
            )
        )
    }
    return {
        by_instance[row.id]: ProcessOf(
            str(row.key),
            int(row.version),
            str(row.status),
            dict(sorted(versions[int(i)] for i in row.bundle if int(i) in versions)),
        )
        for row in rows
    }
