"""One step of an application's process, persisted: run, save with version + 1, sync the inbox.

Everything a step causes (notifications, a coupon given, audit rows) is written in the
caller's transaction; a failure anywhere raises and the caller rolls it all back.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from types import SimpleNamespace
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.actions import CancelProcess, StartProcess, StepAction
from engine.bpmn.bundle import SpecBundle
from engine.coupon_pool import is_pool_watched, watch_pool
from engine.definitions import bundle_by_ids, bundle_for_new_instance
from engine.errors import Conflict, StepFailed
from engine.form_versions import schemas_by_sha
from engine.host import ScriptHost
from engine.incidents import record_failure, resolve_settled
from engine.instructions import (
    HINDI_INSTRUCTIONS,
    INSTRUCTIONS_PLACEHOLDER,
    InstructionsFailed,
    TemplateFailure,
    render_instructions,
)
from engine.lanes import LANE_ROLES
from engine.models import Application, AuditEntry, HumanTask, ProcessInstance
from engine.notices import Notice
from engine.notifications import write_notifications
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


def start_process(
    session: Session, application: Application, key: str, data: dict[str, Any], actor: str, now: datetime
) -> BpmnWorkflow:
    """Start the newest version of `key` for an application and run it to its first wait.

    Raises StepFailed (with the application and a StartProcess action) when the start fails.
    """
    host = ScriptHost(session, application, actor, now)
    try:
        bundle = bundle_for_new_instance(session, key)
        environment = SandboxedEnvironment(host.helpers())
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
    before = application.status
    _sync_application(application, workflow, now)
    opened = _sync_tasks(session, instance, workflow, application, bundle, now, new=True)
    write_notifications(session, application, host.notices, opened, now)
    _record_template_failures(session, instance, application, workflow, now)
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
        workflow, bundle, host = _load(session, instance, application, actor, now)
        run_engine(workflow, action.apply, now)
    except StepFailed as error:
        error.instance_id, error.application_id, error.action = instance.id, application.id, action
        raise
    _save(session, instance, workflow, application, bundle, host.notices, now)
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
) -> tuple[BpmnWorkflow, SpecBundle, ScriptHost]:
    bundle = bundle_by_ids(session, instance.process_key, instance.bundle)
    host = ScriptHost(session, application, actor, now)
    environment = SandboxedEnvironment(host.helpers())
    with step_failures():
        return load_workflow(instance.state, bundle, environment), bundle, host


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
    opened = _sync_tasks(session, instance, workflow, application, bundle, now, refresh=True)
    write_notifications(session, application, [], opened, now)
    _flush(session)


def _save(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    application: Application,
    bundle: SpecBundle,
    notices: list[Notice],
    now: datetime,
) -> None:
    _record_state(instance, workflow, now)
    before = application.status
    _sync_application(application, workflow, now)
    opened = _sync_tasks(session, instance, workflow, application, bundle, now)
    write_notifications(session, application, notices, opened, now)
    _record_template_failures(session, instance, application, workflow, now)
    _flush(session)
    _watch_coupon_pool(session, application, before, now)


def _watch_coupon_pool(session: Session, application: Application, before: str, now: datetime) -> None:
    # Entering or leaving "waiting for a code" (a code given included) moves the run's pool.
    if is_pool_watched(before, application.status):
        watch_pool(session, application.course_run_id, now)


def _record_template_failures(
    session: Session, instance: ProcessInstance, application: Application, workflow: BpmnWorkflow, now: datetime
) -> None:
    """An incident for each task whose instructions could not be shown (the step itself went
    through: the task opened with a placeholder), in the step's own transaction."""
    environment = workflow.script_engine.environment
    for failure in getattr(environment, "template_failures", []):
        message = f"{failure.element}: the instructions could not be shown: {failure.message}"
        error = StepFailed(message, failure.element)
        error.instance_id, error.application_id = instance.id, application.id
        record_failure(session, error, now)
    if isinstance(environment, SandboxedEnvironment):
        environment.template_failures.clear()


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
) -> list[HumanTask]:
    """Open an inbox row for each task newly READY, close the rows of tasks no longer so;
    return the rows opened."""
    opened: list[HumanTask] = []
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
        if row.role == "officer":
            row.prefill = _sent_before(session, task, row.form_sha256)
        session.add(row)
        opened.append(row)
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
    return opened


def _sent_before(session: Session, task: Any, form_sha256: str | None) -> dict[str, Any] | None:
    """What the officer sent before for this task's form fields (a claim returned for
    correction, a result reopened to be corrected), or None when nothing was.

    Only an officer's own tasks are prefilled: a staff decision ("return") must never be
    offered again as the default. Tick boxes (declarations, "correct my result") are left
    for the officer to tick again.
    """
    if form_sha256 is None:
        return None
    schema = schemas_by_sha(session, [form_sha256]).get(form_sha256, ("", {}))[1]
    properties = schema.get("properties") or {}
    sent = {
        name: task.data[name]
        for name, prop in properties.items()
        if task.data.get(name) is not None and not (isinstance(prop, dict) and prop.get("type") == "boolean")
    }
    return sent or None


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
    hindi = task_properties(task).get(HINDI_INSTRUCTIONS)
    row.instructions_hi = _instructions(task, hindi) if hindi else None
    row.summary = task_summary(task)
    row.due_at = boundary_deadline(task)


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


def preview_instructions(template: str, data: Mapping[str, Any]) -> str | None:
    """The instructions a user task with this template shows when it opens with `data`.

    Rendered by `_instructions`, the code a real task's instructions go through (the same
    sandbox and its budget); the preview task has what a task of a step has: its spec's
    ids and extensions, its data and a workflow with the sandboxed script engine, with no
    helpers. A template that fails gives the reason (where a task would show a placeholder),
    so that the process owner sees what to fix.
    """
    spec = SimpleNamespace(
        name="instructions_preview", bpmn_id="instructions_preview", extensions={"instructionsForEndUser": template}
    )
    environment = SandboxedEnvironment({})
    workflow = SimpleNamespace(script_engine=PythonScriptEngine(environment=environment))
    shown = _instructions(SimpleNamespace(task_spec=spec, data=dict(data), workflow=workflow))
    if environment.template_failures:
        return environment.template_failures[0].message
    return shown


def _instructions(task: Any, template: str | None = None) -> str | None:
    """The task's instructions (`template`, else its instructionsForEndUser), rendered; a
    template that fails gives the placeholder.

    The failure is added to the step's SandboxedEnvironment.template_failures, so that
    the step can record it; the task opens all the same.
    """
    if template is None:
        template = (getattr(task.task_spec, "extensions", None) or {}).get("instructionsForEndUser")
    if not template:
        return None
    try:
        return render_instructions(template, task.data)
    except InstructionsFailed as error:
        environment = task.workflow.script_engine.environment
        if isinstance(environment, SandboxedEnvironment):
            environment.template_failures.append(TemplateFailure(task_name(task), str(error)))
        return INSTRUCTIONS_PLACEHOLDER
