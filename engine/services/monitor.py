"""The instance monitor of DoPT's operators and the process owners: which applications' processes
are where, filtered, oldest wait first, a page at a time.

The list is read from the tables (applications, instances, inbox rows, incidents); no workflow
is loaded. An application "waits at its current step" since its oldest open task opened, or,
when no task is open (a timer, a stuck start, an ended process), since its last step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, cast, column, exists, false, func, literal, or_, select, true
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

from engine.access import can_operate
from engine.errors import Forbidden, Invalid
from engine.models import Application, HumanTask, Incident, ProcessDefinition, ProcessInstance, User
from engine.services.incidents import open_incident_of
from engine.services.queries import ProcessOf, open_tasks_of, processes_of


@dataclass(frozen=True)
class MonitorFilter:
    """What the monitor lists; every field optional.

    `process` (with `version`) keeps the applications whose instance runs that process, as its
    own or as a process it calls; `min_age_days` those waiting at their current step at least
    that many whole days; `has_incident` those with (True) or without (False) an open incident.
    """

    process: str | None = None
    version: int | None = None
    status: str | None = None
    course_run_id: int | None = None
    cca: str | None = None
    has_incident: bool | None = None
    min_age_days: int | None = None


MAX_AGE_DAYS = 36_500
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,254}$")


def read_monitor_filter(args: Mapping[str, str]) -> MonitorFilter:
    """The filters of a query string: process, version, status, run, cca, incident (1 or 0),
    min_age_days. Empty values are no filter. Raises Invalid naming every bad argument."""
    fields: dict[str, str] = {}

    def text(name: str, pattern: re.Pattern[str] | None = None) -> str | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if len(value) > 255 or (pattern is not None and not pattern.match(value)):
            fields[name] = "Not a value this filter knows"
            return None
        return value

    def whole(name: str, largest: int) -> int | None:
        value = (args.get(name) or "").strip()
        if not value:
            return None
        if not value.isascii() or not value.isdigit() or len(value) > 9 or int(value) > largest:
            fields[name] = f"A whole number from 0 to {largest:,}"
            return None
        return int(value)

    incident = (args.get("incident") or "").strip().lower()
    has_incident = {"1": True, "yes": True, "true": True, "0": False, "no": False, "false": False}.get(incident)
    if incident and has_incident is None:
        fields["incident"] = "1 (with an open incident) or 0 (without)"
    found = MonitorFilter(
        process=text("process", _KEY),
        version=whole("version", 2**31 - 1),
        status=text("status", _KEY),
        course_run_id=whole("run", 2**31 - 1),
        cca=text("cca"),
        has_incident=has_incident,
        min_age_days=whole("min_age_days", MAX_AGE_DAYS),
    )
    if found.version is not None and found.process is None and "version" not in fields:
        fields["version"] = "Choose the process whose version this is"
    if fields:
        raise Invalid("Some filters cannot be used", fields)
    return found


@dataclass(frozen=True)
class MonitorRow:
    """One application as the monitor shows it."""

    application: Application
    process: ProcessOf | None
    waiting_since: datetime
    open_tasks: tuple[str, ...]
    incident: Incident | None


def _oldest_open_task() -> Any:
    return (
        select(HumanTask.application_id, func.min(HumanTask.created_at).label("since"))
        .where(HumanTask.state == "open")
        .group_by(HumanTask.application_id)
        .subquery()
    )


def _binds_any(session: Session, definition_ids: list[int]) -> ColumnElement[bool]:
    """The instance's bundle (the versions it runs, its own and those it calls) holds one of the ids."""
    if not definition_ids:
        return false()
    if session.get_bind().dialect.name == "postgresql":
        bundle = cast(ProcessInstance.bundle, JSONB)
        return or_(*[bundle.contains([definition_id]) for definition_id in definition_ids])
    values = func.json_each(ProcessInstance.bundle).table_valued("value")
    return exists(select(literal(1)).select_from(values).where(column("value").in_(definition_ids)))


def _query(session: Session, filters: MonitorFilter, now: datetime) -> tuple[Select[Any], Any]:
    oldest = _oldest_open_task()
    since = func.coalesce(oldest.c.since, Application.updated_at)
    query = (
        select(Application, since.label("since"))
        .outerjoin(oldest, oldest.c.application_id == Application.id)
        .outerjoin(ProcessInstance, ProcessInstance.id == Application.instance_id)
    )
    conditions: list[ColumnElement[bool]] = []
    if filters.process:
        versions = select(ProcessDefinition.id).where(ProcessDefinition.key == filters.process)
        if filters.version is not None:
            versions = versions.where(ProcessDefinition.version == filters.version)
        conditions.append(_binds_any(session, list(session.scalars(versions))))
    if filters.status:
        conditions.append(Application.status == filters.status)
    if filters.course_run_id is not None:
        conditions.append(Application.course_run_id == filters.course_run_id)
    if filters.cca:
        conditions.append(Application.cca_code == filters.cca)
    if filters.has_incident is not None:
        open_one = exists().where(Incident.application_id == Application.id, Incident.resolved_at.is_(None))
        conditions.append(open_one if filters.has_incident else ~open_one)
    if filters.min_age_days is not None:
        conditions.append(since <= now - timedelta(days=filters.min_age_days))
    return query.where(true(), *conditions), since


def monitor_applications(
    session: Session, user: User, filters: MonitorFilter, now: datetime, limit: int, offset: int
) -> tuple[list[MonitorRow], int]:
    """The applications that match, longest wait first, and how many match in all.

    A fixed number of queries whatever the page size. Raises Forbidden unless the user is
    an operator (dopt, process_owner).
    """
    if not can_operate(user):
        raise Forbidden("Only DoPT and process owners use the instance monitor")
    query, since = _query(session, filters, now)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    found = session.execute(query.order_by(since, Application.id).limit(limit).offset(offset)).all()
    applications = [row[0] for row in found]
    ids = [application.id for application in applications]
    processes = processes_of(session, applications)
    tasks = open_tasks_of(session, ids)
    incidents = open_incident_of(session, ids)
    return [
        MonitorRow(
            application=application,
            process=processes.get(application.id),
            waiting_since=moment,
            open_tasks=tuple(task.name for task in tasks[application.id]),
            incident=incidents.get(application.id),
        )
        for application, moment in found
    ], total
