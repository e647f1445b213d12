"""Incidents for operators: the list, and retrying the step that failed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.access import can_operate
from engine.actions import CancelProcess, CompleteUserTask, FireTimers, StartProcess, action_from_json
from engine.errors import Conflict, Forbidden, NotFound
from engine.incidents import resolve
from engine.models import Application, AuditEntry, HumanTask, Incident, User
from engine.services.applications import finish_withdrawal, start_data
from engine.services.repair import checked_reason
from engine.services.tasks import run_completion, validated_data
from engine.steps import advance, cancel, lock_instance, start_process


def _require_operator(user: User) -> None:
    if not can_operate(user):
        raise Forbidden("Only DoPT and process owners work with incidents")


def list_incidents(
    session: Session, user: User, include_closed: bool, limit: int, offset: int
) -> tuple[list[Incident], int]:
    """Open incidents (with closed ones when `include_closed`), latest failure first, and how many in all.

    Raises Forbidden unless the user is an operator (dopt, process_owner).
    """
    _require_operator(user)
    query = select(Incident)
    if not include_closed:
        query = query.where(Incident.resolved_at.is_(None))
    total = int(session.scalar(query.with_only_columns(func.count(Incident.id))) or 0)
    rows = session.scalars(query.order_by(Incident.last_at.desc(), Incident.id.desc()).limit(limit).offset(offset))
    return list(rows), total


def open_incident_of(session: Session, application_ids: list[int]) -> dict[int, Incident]:
    """The open incident of each application that has one (the oldest, if several), in one query."""
    found: dict[int, Incident] = {}
    if not application_ids:
        return found
    query = (
        select(Incident)
        .where(Incident.application_id.in_(application_ids), Incident.resolved_at.is_(None))
        .order_by(Incident.id.desc())
    )
    for incident in session.scalars(query):
        found[incident.application_id or 0] = incident
    return found


def note_failed_retry(session: Session, user: User, incident_id: int, reason: Any, message: str, now: datetime) -> None:
    """Put a retry that failed again into the application's history: who, why and the error.

    Call it after the retry's work was rolled back and the failure counted on the incident
    (record_failure); flushes only. An incident without an application leaves no entry.
    """
    incident = session.get(Incident, incident_id)
    if incident is None or incident.application_id is None:
        return
    why = checked_reason(reason, required=False) or f"retry of incident {incident_id}"
    session.add(
        AuditEntry(
            at=now,
            actor=user.username,
            action="incident_retry_failed",
            application_id=incident.application_id,
            instance_id=incident.instance_id,
            task=incident.element,
            detail={"incident": incident.id, "reason": why, "error": message[:500]},
        )
    )
    session.flush()


def retry_incident(
    session: Session, user: User, incident_id: int, reason: Any, forms_dir: Path, now: datetime
) -> Application:
    """Run the incident's action again on the instance as it stands now; the application.

    A user task is completed with the data first given (checked again against its form),
    timers are fired, a start is started, a withdrawal is carried out. On success the
    incident closes and the history says who retried it and why. Raises Forbidden,
    NotFound, Conflict (closed incident, task no longer open, application suspended),
    Invalid (the kept form data no longer passes) or StepFailed (it fails again; the
    caller records that on the same incident).
    """
    _require_operator(user)
    why = checked_reason(reason, required=False) or f"retry of incident {incident_id}"
    incident = session.scalars(select(Incident).where(Incident.id == incident_id).with_for_update()).one_or_none()
    if incident is None:
        raise NotFound(f"incident {incident_id} not found")
    if incident.resolved_at is not None:
        raise Conflict(f"incident {incident_id} was already resolved by {incident.resolved_by}")
    application = session.get(Application, incident.application_id) if incident.application_id else None
    if application is None:
        raise NotFound(f"the application of incident {incident_id} no longer exists")
    action = action_from_json(incident.action)
    retried = {"incident": incident.id, "retried_by": user.username}
    if isinstance(action, CompleteUserTask):
        _complete_again(session, application, action, forms_dir, now, retried)
    elif isinstance(action, FireTimers):
        _fire_again(session, application, now)
    elif isinstance(action, StartProcess):
        if application.instance_id is not None:
            raise Conflict("the process of this application has already started")
        start_process(session, application, action.process, start_data(session, application), action.actor, now)
    elif isinstance(action, CancelProcess):
        instance = lock_instance(session, _instance_id(application))
        cancel(session, instance, application, action.actor, now)
        finish_withdrawal(session, application, action.actor, now, retried)
    resolve(incident, user.username, f"retried: {why}"[:255], now)
    session.add(
        AuditEntry(
            at=now,
            actor=user.username,
            action="incident_retried",
            application_id=application.id,
            instance_id=application.instance_id,
            task=incident.element,
            detail={"incident": incident.id, "reason": why, "step": action.kind if action is not None else None},
        )
    )
    session.flush()
    return application


def _instance_id(application: Application) -> int:
    if application.instance_id is None:
        raise Conflict("the process of this application has not started")
    return application.instance_id


def _complete_again(
    session: Session,
    application: Application,
    action: CompleteUserTask,
    forms_dir: Path,
    now: datetime,
    detail: dict[str, Any],
) -> None:
    instance = lock_instance(session, _instance_id(application))
    task = session.get(HumanTask, action.task_id)
    if task is None or task.state != "open":
        raise Conflict(f"the task {action.name} is no longer open")
    session.refresh(task)
    cleaned = validated_data(session, task, application, action.data, forms_dir, now)
    run_completion(
        session, instance, task, application, CompleteUserTask(task.id, task.name, cleaned, action.actor), now, detail
    )


def _fire_again(session: Session, application: Application, now: datetime) -> None:
    instance = lock_instance(session, _instance_id(application))
    before = application.status
    advance(session, instance, application, FireTimers(), "system", now)
    session.add(
        AuditEntry(
            at=now,
            actor="system",
            action="timer_fired",
            application_id=application.id,
            instance_id=instance.id,
            detail={"status_before": before, "status_after": application.status},
        )
    )
