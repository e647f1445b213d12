"""One step of an application's process, persisted: run, save with version + 1, sync the inbox.

Everything a step causes (notifications, a coupon given, audit rows) is written in the
caller's transaction; a failure anywhere raises and the caller rolls it all back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from functools import lru_cache
from typing import Any
from uuid import UUID

from jinja2 import Template, TemplateError
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bpmn.bundle import SpecBundle
from engine.coupon_pool import is_pool_watched, watch_pool
from engine.definitions import bundle_by_ids, bundle_for_new_instance
from engine.errors import Conflict, StepFailed
from engine.host import ScriptHost
from engine.lanes import LANE_ROLES
from engine.models import Application, AuditEntry, HumanTask, Notification, ProcessInstance
from engine.runtime import (
    boundary_deadline,
    current_data,
    dump_state,
    load_workflow,
    new_workflow,
    next_due,
    ready_user_tasks,
    run_engine,
    status_property,
    task_properties,
)
from engine.sandbox import SandboxedEnvironment
from engine.validation import jinja_sandbox

Action = Callable[[BpmnWorkflow], None]


def start_process(
    session: Session, application: Application, key: str, data: dict[str, Any], actor: str, now: datetime
) -> BpmnWorkflow:
    """Start the newest version of `key` for an application and run it to its first wait."""
    bundle = bundle_for_new_instance(session, key)
    environment = SandboxedEnvironment(ScriptHost(session, application, actor, now).helpers())
    workflow = new_workflow(bundle, data, environment)
    run_engine(workflow, lambda _workflow: None, now)
    instance = ProcessInstance(
        definition_id=bundle.top_definition_id,
        process_key=bundle.key,
        bundle=list(bundle.definition_ids),
        created_at=now,
    )
    _record_state(instance, workflow, now)
    session.add(instance)
    session.flush()
    application.instance_id = instance.id
    before = application.status
    _sync_application(application, workflow, now)
    _sync_tasks(session, instance, workflow, application, bundle, now, new=True)
    _flush(session)
    _watch_coupon_pool(session, application, before, now)
    return workflow


def lock_instance(session: Session, instance_id: int) -> ProcessInstance:
    """Load an instance for a step, locking its row where the database can."""
    instance = session.scalars(
        select(ProcessInstance).where(ProcessInstance.id == instance_id).with_for_update()
    ).one_or_none()
    if instance is None:
        raise Conflict("the process of this application no longer exists")
    return instance


def advance(
    session: Session,
    instance: ProcessInstance,
    application: Application,
    action: Action,
    actor: str,
    now: datetime,
) -> BpmnWorkflow:
    """Load the instance, apply `action`, run to the next wait state and save."""
    bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
    environment = SandboxedEnvironment(ScriptHost(session, application, actor, now).helpers())
    workflow = load_workflow(instance.state, bundle, environment)
    try:
        run_engine(workflow, action, now)
    except StepFailed as error:
        error.instance_id, error.application_id = instance.id, application.id
        raise
    _save(session, instance, workflow, application, bundle, now)
    return workflow


def cancel(session: Session, instance: ProcessInstance, application: Application, now: datetime) -> None:
    """Stop an instance for good (withdrawal); its open tasks leave every inbox."""
    bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
    workflow = load_workflow(instance.state, bundle, SandboxedEnvironment({}))
    workflow.cancel()
    instance.state = dump_state(workflow)
    instance.status = "cancelled"
    instance.next_due_at = None
    instance.updated_at = now
    _close_tasks(session, instance.id, keep=set(), now=now)
    _flush(session)


def _save(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    application: Application,
    bundle: SpecBundle,
    now: datetime,
) -> None:
    _record_state(instance, workflow, now)
    before = application.status
    _sync_application(application, workflow, now)
    _sync_tasks(session, instance, workflow, application, bundle, now)
    _flush(session)
    _watch_coupon_pool(session, application, before, now)


def _watch_coupon_pool(session: Session, application: Application, before: str, now: datetime) -> None:
    # Entering or leaving "waiting for a code" (a code given included) moves the run's pool.
    if is_pool_watched(before, application.status):
        watch_pool(session, application.course_run_id, now)


def _record_state(instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime) -> None:
    instance.state = dump_state(workflow)
    instance.status = "completed" if workflow.completed else "running"
    instance.next_due_at = None if workflow.completed else next_due(workflow)
    instance.updated_at = now


def _flush(session: Session) -> None:
    try:
        session.flush()
    except StaleDataError as error:
        raise Conflict("the application changed meanwhile; reload and try again") from error


def _sync_application(application: Application, workflow: BpmnWorkflow, now: datetime) -> None:
    data = current_data(workflow)
    eligibility = data.get("eligibility")
    if isinstance(eligibility, dict):
        application.eligibility = eligibility
    certificate = data.get("certificate")
    if isinstance(certificate, dict):
        application.certified = bool(certificate.get("passed"))
    status = status_property(workflow)
    if status and status != application.status:
        application.status = status
    application.updated_at = now


def _sync_tasks(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    application: Application,
    bundle: SpecBundle,
    now: datetime,
    new: bool = False,
) -> None:
    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    existing: set[str] = set()
    if not new:
        existing = _close_tasks(session, instance.id, keep=set(ready), now=now, workflow=workflow)
    for task_id, task in ready.items():
        if task_id in existing:
            continue
        lane = task.task_spec.lane or ""
        role = LANE_ROLES.get(lane, "")
        properties = task_properties(task)
        form_file = properties.get("formJsonSchemaFilename")
        instructions = _instructions(task)
        session.add(
            HumanTask(
                id=task_id,
                instance_id=instance.id,
                application_id=application.id,
                name=task_name(task),
                title=row_title(task),
                lane=lane,
                role=role,
                scope_cca=application.cca_code if role == "cca_approver" else None,
                owner_username=application.officer.username if role == "officer" else None,
                form_file=form_file,
                # The form of the version this instance runs: a later form never changes this task.
                form_sha256=bundle.forms.get(task.workflow.spec.name, {}).get(form_file or ""),
                instructions=instructions,
                summary=task_summary(task),
                state="open",
                created_at=now,
                due_at=boundary_deadline(task),
            )
        )
        if role == "officer":
            _tell_officer_what_to_do(session, application, row_title(task), instructions, now)
        session.add(
            AuditEntry(
                at=now,
                actor="system",
                action="task_opened",
                application_id=application.id,
                instance_id=instance.id,
                task=task_name(task),
                detail={"lane": lane},
            )
        )


def task_name(task: Any) -> str:
    """The task's BPMN id: what the inbox and the API call it (API.md: `name` is the BPMN task id).

    Not the spec's name: an instance of a multi-instance task has a spec named `<id> [child]`.
    """
    return str(task.task_spec.bpmn_id or task.task_spec.name)


def task_summary(task: Any) -> dict[str, Any] | None:
    """The values of the task's data named by its `taskSummary` property (names separated by
    commas), for lists that show them without loading the instance; None when it names none.
    Only numbers, text, booleans and nulls are kept (lists and objects are not summaries)."""
    names = [name.strip() for name in task_properties(task).get("taskSummary", "").split(",") if name.strip()]
    if not names:
        return None
    return {
        name: value
        for name in names
        if isinstance(value := task.data.get(name), str | int | float | bool) or value is None
    }


def row_title(task: Any) -> str:
    """The task's name as drawn in the diagram, else its id."""
    return str(task.task_spec.bpmn_name or task_name(task))


def _tell_officer_what_to_do(
    session: Session, application: Application, title: str, instructions: str | None, now: datetime
) -> None:
    # Officers use the system rarely: each task waiting for them is also a message.
    session.add(
        Notification(
            recipient_id=application.officer_id,
            at=now,
            subject=f"Action needed: {title}"[:255],
            body=instructions or "Open your application to continue.",
            application_id=application.id,
        )
    )


def _close_tasks(
    session: Session,
    instance_id: int,
    keep: set[str],
    now: datetime,
    workflow: BpmnWorkflow | None = None,
) -> set[str]:
    """Close the open rows whose task is no longer ready; return the ids left open."""
    kept: set[str] = set()
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open"))
    for row in rows:
        if row.id in keep:
            kept.add(row.id)
            continue
        completed = False
        if workflow is not None:
            task = _find_task(workflow, row.id)
            completed = task is not None and task.has_state(TaskState.COMPLETED)
        row.state = "completed" if completed else "cancelled"
        row.completed_at = now
    return kept


def _find_task(workflow: BpmnWorkflow, task_id: str) -> Any:
    try:
        return workflow.get_task_from_id(UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return None


@lru_cache(maxsize=256)
def _compiled(template: str) -> Template:
    # Compiling a Jinja template costs milliseconds; the same few texts come back all day.
    return jinja_sandbox.from_string(template)


def _instructions(task: Any) -> str | None:
    template = (getattr(task.task_spec, "extensions", None) or {}).get("instructionsForEndUser")
    if not template:
        return None
    try:
        return str(_compiled(template).render(**task.data))
    except TemplateError as error:
        return f"(instructions could not be shown: {error})"
