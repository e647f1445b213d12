"""One application's process as an operator sees it: where it has been, where it is, where it failed.

The instance's workflow is loaded (never saved) and each BPMN element of each process it runs
(its own, and those its call activities called) gets a state: completed (with how many times
it ran), active (a task or timer it waits at) or failed (the element of its open incident).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.task import Task, TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_operate
from engine.errors import Forbidden, NotFound, StepFailed
from engine.models import Application, AuditEntry, Incident, ProcessDefinition, ProcessInstance, User
from engine.runtime import current_data
from engine.services.incidents import open_incident_of
from engine.services.queries import ProcessOf, history, open_tasks, processes_of
from engine.steps import load

COMPLETED = "completed"
ACTIVE = "active"
FAILED = "failed"
_AT = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@dataclass
class ElementTrace:
    """What one BPMN element of one process did in this instance."""

    state: str
    runs: int = 0
    name: str = ""


@dataclass
class ProcessTrace:
    """One process of the instance at the version it runs, with each element that ran or waits."""

    key: str
    version: int
    elements: dict[str, ElementTrace] = field(default_factory=dict)


@dataclass(frozen=True)
class InstanceView:
    """An application's process for the monitor's instance page.

    `processes` lists the instance's own process first, then those it calls; `data` is the
    process data where the instance rests (None when it cannot be read, `problem` says why);
    `versions` lists, for each process the instance runs, every deployed version (for migration).
    """

    application: Application
    instance: ProcessInstance | None
    process: ProcessOf | None
    processes: list[ProcessTrace]
    data: dict[str, Any] | None
    incident: Incident | None
    history: list[AuditEntry]
    open_tasks: list[str]
    versions: dict[str, list[int]]
    problem: str | None = None


def instance_view(session: Session, user: User, application_id: int, now: datetime) -> InstanceView:
    """The instance page's content. Raises Forbidden (dopt, process_owner) or NotFound."""
    if not can_operate(user):
        raise Forbidden("Only DoPT and process owners use the instance monitor")
    application = session.get(Application, application_id)
    if application is None:
        raise NotFound(f"application {application_id} not found")
    incident = open_incident_of(session, [application.id]).get(application.id)
    process = processes_of(session, [application]).get(application.id)
    instance = session.get(ProcessInstance, application.instance_id) if application.instance_id else None
    traces: list[ProcessTrace] = []
    data: dict[str, Any] | None = None
    problem = None
    if instance is not None and process is not None:
        try:
            workflow = load(session, instance, application, user.username, now)
        except StepFailed as error:
            problem = error.message
        else:
            traces = _traces(workflow, process, incident)
            data = current_data(workflow)
    return InstanceView(
        application=application,
        instance=instance,
        process=process,
        processes=traces,
        data=data,
        incident=incident,
        history=history(session, application.id),
        open_tasks=[task.name for task in open_tasks(session, application.id)],
        versions=_versions(session, list(process.versions) if process else []),
        problem=problem,
    )


def _traces(workflow: Any, process: ProcessOf, incident: Incident | None) -> list[ProcessTrace]:
    traces = {key: ProcessTrace(key, version) for key, version in process.versions.items()}
    order = [process.key, *sorted(key for key in traces if key != process.key)]
    for task in workflow.get_tasks(state=TaskState.ANY_MASK):
        trace = traces.get(task.workflow.spec.name)
        element = _element(task)
        if trace is None or element is None:
            continue
        entry = trace.elements.setdefault(element, ElementTrace(COMPLETED, name=task.task_spec.bpmn_name or ""))
        if task.has_state(TaskState.COMPLETED):
            entry.runs += 1
        elif task.has_state(_AT):
            entry.state = ACTIVE
    for trace in traces.values():
        for element in list(trace.elements):
            if trace.elements[element].runs == 0 and trace.elements[element].state == COMPLETED:
                del trace.elements[element]  # predicted or cancelled only: it never ran
        if incident is not None and incident.element:
            failed = trace.elements.get(incident.element)
            names = _spec_elements(workflow, trace.key)
            if failed is not None or incident.element in names:
                trace.elements.setdefault(incident.element, ElementTrace(FAILED, name=names.get(incident.element, "")))
                trace.elements[incident.element].state = FAILED
    return [traces[key] for key in order if key in traces]


def _element(task: Task) -> str | None:
    """The BPMN id of the element a task runs; None for the engine's own specs (root, start, end)."""
    bpmn_id = getattr(task.task_spec, "bpmn_id", None)
    return str(bpmn_id) if bpmn_id else None


def _spec_elements(workflow: Any, key: str) -> dict[str, str]:
    """The BPMN ids of a process's elements, with their names."""
    specs = {workflow.spec.name: workflow.spec, **workflow.subprocess_specs}
    spec = specs.get(key)
    if spec is None:
        return {}
    return {
        str(s.bpmn_id): str(getattr(s, "bpmn_name", None) or "")
        for s in spec.task_specs.values()
        if getattr(s, "bpmn_id", None)
    }


def _versions(session: Session, keys: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {key: [] for key in keys}
    rows = session.execute(
        select(ProcessDefinition.key, ProcessDefinition.version)
        .where(ProcessDefinition.key.in_(keys))
        .order_by(ProcessDefinition.key, ProcessDefinition.version)
    )
    for key, version in rows:
        found[str(key)].append(int(version))
    return found
