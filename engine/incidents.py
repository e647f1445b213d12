"""Incidents: steps that failed and were rolled back, kept for operators to see, repair and retry.

One open incident per application and stuck action (engine.actions: a user task, the
timers, the start, the cancellation): the same failure again counts on it (count,
last_at) rather than adding a row. A failing timer round also pushes the instance's
next_due_at out (one minute, doubling up to an hour) so the worker does not fail it
every round; the next successful save computes next_due_at from the process again.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from engine.actions import CompleteUserTask, FireTimers
from engine.errors import StepFailed
from engine.i18n import N_
from engine.models import Incident, ProcessInstance
from engine.runtime import task_name

MAX_MESSAGE = 4000
# The action key of a failure that stopped no step (a template), by the element it concerns.
ELEMENT_KEY = "element:"
# What everyone but DoPT's operators and the process owners is told of an open incident:
# the engine's error is for those who can act on it.
HELD_UP = N_("A problem on DoPT's side holds this application up; DoPT has been told and will set it right.")
BEING_LOOKED_AT = N_(
    "DoPT is looking into something on its side of this application; the application goes on as usual "
    "and you need not do anything."
)


def officer_message(incident: Incident) -> str:
    """What everyone but DoPT's operators is told of an open incident (never the engine's error).

    An incident that stops nothing (instructions that could not be shown: the step went
    through) is "being looked at"; one whose step did not go through holds the application up.
    """
    return BEING_LOOKED_AT if incident.action_key.startswith(ELEMENT_KEY) else HELD_UP


FIRST_BACKOFF = timedelta(minutes=1)
MAX_BACKOFF = timedelta(hours=1)


def timer_backoff(count: int) -> timedelta:
    """How long the timer worker leaves an instance alone after its `count`-th failed round."""
    doublings = min(max(count - 1, 0), 6)  # 2**6 minutes already passes the cap
    return min(FIRST_BACKOFF * (1 << doublings), MAX_BACKOFF)


def record_failure(session: Session, failure: StepFailed, now: datetime) -> Incident:
    """Open an incident for a failed step, or count the failure on the open one of the same action.

    Works in the caller's session and flushes only. The instance's row is locked first,
    so two workers failing the same instance at once count on one incident.
    """
    instance = None
    if failure.instance_id is not None:
        instance = session.scalars(
            select(ProcessInstance).where(ProcessInstance.id == failure.instance_id).with_for_update()
        ).one_or_none()
    action = failure.action
    key = action.key() if action is not None else f"{ELEMENT_KEY}{failure.element or ''}"
    query = select(Incident).where(Incident.action_key == key, Incident.resolved_at.is_(None))
    if failure.application_id is not None:
        query = query.where(Incident.application_id == failure.application_id)
    else:
        query = query.where(Incident.instance_id == failure.instance_id)
    incident = session.scalars(query.order_by(Incident.id).with_for_update()).first()
    if incident is None:
        incident = Incident(
            application_id=failure.application_id,
            action_key=key,
            first_at=now,
            count=0,
        )
        session.add(incident)
    incident.instance_id = failure.instance_id
    incident.element = (failure.element or "")[:255] or None
    incident.message = failure.message[:MAX_MESSAGE]
    incident.action = action.to_json() if action is not None else None
    incident.last_at = now
    incident.count += 1
    if isinstance(action, FireTimers) and instance is not None and instance.status == "running":
        instance.next_due_at = now + timer_backoff(incident.count)
    session.flush()
    return incident


def record_incident(make_session: sessionmaker[Any], failure: StepFailed, now: datetime) -> int:
    """Record a failure in its own transaction, after the failed step was rolled back; the incident's id."""
    with make_session() as session, session.begin():
        return record_failure(session, failure, now).id


def open_incidents(session: Session, application_id: int) -> list[Incident]:
    """The application's open incidents, oldest first."""
    query = select(Incident).where(Incident.application_id == application_id, Incident.resolved_at.is_(None))
    return list(session.scalars(query.order_by(Incident.id)))


def resolve(incident: Incident, actor: str, resolution: str, now: datetime) -> None:
    """Close an incident, saying who closed it and how."""
    incident.resolved_at = now
    incident.resolved_by = actor
    incident.resolution = resolution[:255]


def resolve_settled(
    session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, actor: str, now: datetime
) -> None:
    """After a successful step, close the incidents of the instance whose action has been done.

    A user task's incident closes once that task is no longer READY (the step that failed
    went through, or the process moved past it); a timer incident once no timer is due.
    """
    query = select(Incident).where(Incident.instance_id == instance.id, Incident.resolved_at.is_(None))
    for incident in session.scalars(query):
        if incident.action_key == FireTimers().key():
            settled = instance.next_due_at is None or instance.next_due_at > now
        elif incident.action_key.startswith(CompleteUserTask.kind + ":"):
            settled = not _still_ready(workflow, incident.action_key.split(":", 1)[1])
        elif incident.action_key.startswith(ELEMENT_KEY):
            # A failure that stopped nothing (instructions that could not be shown): over
            # once no task of that element waits any more.
            settled = not _element_ready(workflow, incident.action_key[len(ELEMENT_KEY) :])
        else:
            settled = False
        if settled:
            resolve(incident, actor, "the process moved on", now)


def _element_ready(workflow: BpmnWorkflow, element: str) -> bool:
    return any(task_name(task) == element for task in workflow.get_tasks(state=TaskState.READY))


def _still_ready(workflow: BpmnWorkflow, task_id: str) -> bool:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return False
    return bool(task is not None and task.has_state(TaskState.READY))
