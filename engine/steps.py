"""One step of an application's process, persisted: run, save with version + 1, sync the inbox.

Everything a step causes (notifications, a coupon given, audit rows) is written in the
caller's transaction; a failure anywhere raises and the caller rolls it all back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from jinja2 import Template, TemplateError
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.actions import CancelProcess, StartProcess, StepAction
from engine.bpmn.bundle import SpecBundle
from engine.definitions import bundle_by_ids, bundle_for_new_instance
from engine.errors import Conflict, StepFailed
from engine.host import ScriptHost
from engine.incidents import resolve_settled
from engine.lanes import LANE_ROLES
from engine.models import Application, AuditEntry, HumanTask, Notification, ProcessInstance
from engine.runtime import (
    boundary_deadline,
    current_data,
    dump_state,
    load_workflow,
    new_workflow,
    next_due,
    note_waiting_timers,
    ready_user_tasks,
    run_engine,
    status_property,
    step_failures,
    task_name,
    task_properties,
)
from engine.sandbox import SandboxedEnvironment
from engine.validation import jinja_sandbox


def start_process(
    session: Session, application: Application, key: str, data: dict[str, Any], actor: str, now: datetime
) -> BpmnWorkflow:
    """Start the newest version of `key` for an application and run it to its first wait.

    Raises StepFailed (with the application and a StartProcess action) when the start fails.
    """
    try:
        bundle = bundle_for_new_instance(session, key)
        environment = SandboxedEnvironment(ScriptHost(session, application, actor, now).helpers())
        workflow = new_workflow(bundle, data, environment)
        run_engine(workflow, StartProcess(key, actor).apply, now)
    except StepFailed as error:
        error.application_id, error.action = application.id, StartProcess(key, actor)
        raise
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
    _sync_application(application, workflow, now)
    _sync_tasks(session, instance, workflow, application, bundle, now, new=True)
    _flush(session)
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
    action: StepAction,
    actor: str,
    now: datetime,
) -> BpmnWorkflow:
    """Load the instance, apply `action`, run to the next wait state and save.

    Raises Conflict when the instance is suspended or no longer running, and StepFailed
    (carrying the instance, the application and the action) when the step fails.
    """
    if instance.status != "running":
        raise Conflict(_not_running(instance))
    try:
        workflow, bundle = _load(session, instance, application, actor, now)
        run_engine(workflow, action.apply, now)
    except StepFailed as error:
        error.instance_id, error.application_id, error.action = instance.id, application.id, action
        raise
    _save(session, instance, workflow, application, bundle, now)
    resolve_settled(session, instance, workflow, actor, now)
    return workflow


def load(
    session: Session, instance: ProcessInstance, application: Application, actor: str, now: datetime
) -> BpmnWorkflow:
    """The instance's workflow on its bound specs, its scripts' helpers bound to this step.

    Raises StepFailed when the stored state cannot be restored.
    """
    return _load(session, instance, application, actor, now)[0]


def _load(
    session: Session, instance: ProcessInstance, application: Application, actor: str, now: datetime
) -> tuple[BpmnWorkflow, SpecBundle]:
    bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
    environment = SandboxedEnvironment(ScriptHost(session, application, actor, now).helpers())
    with step_failures():
        return load_workflow(instance.state, bundle, environment), bundle


def _not_running(instance: ProcessInstance) -> str:
    if instance.status == "suspended":
        return "the application is suspended by DoPT; nothing can be done on it until it is resumed"
    return f"the process of this application is {instance.status}"


def cancel(session: Session, instance: ProcessInstance, application: Application, actor: str, now: datetime) -> None:
    """Stop an instance for good (withdrawal); its open tasks leave every inbox.

    Raises StepFailed (with a CancelProcess action) when the cancellation fails.
    """
    action = CancelProcess(actor)
    try:
        workflow = load(session, instance, application, actor, now)
        with step_failures():
            action.apply(workflow)
    except StepFailed as error:
        error.instance_id, error.application_id, error.action = instance.id, application.id, action
        raise
    instance.state = dump_state(workflow)
    instance.status = "cancelled"
    instance.next_due_at = None
    instance.updated_at = now
    _close_tasks(session, instance.id, keep=set(), now=now)
    _flush(session)


def save_repaired(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    application: Application,
    now: datetime,
    bundle: SpecBundle | None = None,
) -> None:
    """Save a workflow an operator repaired (data changed, or moved onto `bundle`'s versions).

    The inbox rows of the tasks it waits at are refreshed (name, lane, form, due time,
    instructions), since the repair may have changed any of them.
    """
    if bundle is not None:
        instance.definition_id = bundle.top_definition_id
        instance.bundle = list(bundle.definition_ids)
    else:
        bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
    status = instance.status
    _record_state(instance, workflow, now)
    if status == "suspended":
        instance.status = status
    _sync_application(application, workflow, now)
    _sync_tasks(session, instance, workflow, application, bundle, now, refresh=True)
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
    _sync_application(application, workflow, now)
    _sync_tasks(session, instance, workflow, application, bundle, now)
    _flush(session)


def _record_state(instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime) -> None:
    note_waiting_timers(workflow, now)
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
    refresh: bool = False,
) -> None:
    ready = {str(task.id): task for task in ready_user_tasks(workflow)}
    existing: dict[str, HumanTask] = {}
    if not new:
        existing = _close_tasks(session, instance.id, keep=set(ready), now=now, workflow=workflow)
    for task_id, task in ready.items():
        row = existing.get(task_id)
        if row is not None:
            if refresh:
                _describe_row(row, task, application, bundle)
            continue
        row = HumanTask(
            id=task_id,
            instance_id=instance.id,
            application_id=application.id,
            state="open",
            created_at=now,
            suspended=instance.status == "suspended",
        )
        _describe_row(row, task, application, bundle)
        session.add(row)
        if row.role == "officer":
            _tell_officer_what_to_do(session, application, row.title, row.instructions, now)
        session.add(
            AuditEntry(
                at=now,
                actor="system",
                action="task_opened",
                application_id=application.id,
                instance_id=instance.id,
                task=row.name,
                detail={"lane": row.lane},
            )
        )


def _describe_row(row: HumanTask, task: Any, application: Application, bundle: SpecBundle) -> None:
    """What the inbox shows of a READY user task: name, lane and role, form, instructions, due time.

    The form is the one the version this instance runs binds (`bundle.forms`), so a form
    deployed later never changes what this task asks.
    """
    lane = task.task_spec.lane or ""
    role = LANE_ROLES.get(lane, "")
    row.name = task_name(task)
    row.title = row_title(task)
    row.lane = lane
    row.role = role
    row.scope_cca = application.cca_code if role == "cca_approver" else None
    row.owner_username = application.officer.username if role == "officer" else None
    row.form_file = task_properties(task).get("formJsonSchemaFilename")
    row.form_sha256 = bundle.forms.get(task.workflow.spec.name, {}).get(row.form_file or "")
    row.instructions = _instructions(task)
    row.due_at = boundary_deadline(task)


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
) -> dict[str, HumanTask]:
    """Close the open rows whose task is no longer ready; return the rows left open, by id."""
    kept: dict[str, HumanTask] = {}
    rows = session.scalars(select(HumanTask).where(HumanTask.instance_id == instance_id, HumanTask.state == "open"))
    for row in rows:
        if row.id in keep:
            kept[row.id] = row
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


def preview_instructions(template: str, data: Mapping[str, Any]) -> str | None:
    """The instructions a user task with this template shows when it opens with `data`.

    Rendered by `_instructions`, the code a real task's instructions go through (the same
    sandbox and its limits); the preview task has what a task of a step has: its spec's
    ids and extensions, its data and a workflow with the sandboxed script engine, with no
    helpers.
    """
    spec = SimpleNamespace(
        name="instructions_preview", bpmn_id="instructions_preview", extensions={"instructionsForEndUser": template}
    )
    workflow = SimpleNamespace(script_engine=PythonScriptEngine(environment=SandboxedEnvironment({})))
    return _instructions(SimpleNamespace(task_spec=spec, data=dict(data), workflow=workflow))


def _instructions(task: Any) -> str | None:
    template = (getattr(task.task_spec, "extensions", None) or {}).get("instructionsForEndUser")
    if not template:
        return None
    try:
        return str(_compiled(template).render(**task.data))
    except TemplateError as error:
        return f"(instructions could not be shown: {error})"
