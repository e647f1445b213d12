"""Working user tasks: show, claim, unclaim, complete."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, lazyload

from engine.access import can_work_task
from engine.actions import CompleteUserTask
from engine.errors import Conflict, Invalid, NotFound, StepFailed
from engine.form_versions import task_form
from engine.forms import claim_context, validate_form
from engine.models import Application, AuditEntry, Coupon, HumanTask, ProcessInstance, Upload, User
from engine.rules import check_claim
from engine.services.applications import INDIA
from engine.services.process_data import task_data
from engine.steps import advance

# Money figures of a completed task that the audit entry keeps (USD claimed, the payment), so
# that the money report reads them from the audit log, never from a workflow's state.
APPLICANT_IN_ONE_STATEMENT = (
    joinedload(Application.officer).options(joinedload(User.officer), lazyload(User.role_rows)),
)
"""Load options for a step's application: its officer and profile joined in, the officer's
roles only if something asks (a step does not)."""

AUDITED_FIGURES = ("amount_paid_usd", "amount_inr", "exchange_rate", "paid_on")


def get_task(session: Session, user: User, task_id: str) -> HumanTask:
    """A task the user may work, or NotFound."""
    task = session.get(HumanTask, task_id)
    if task is None or not can_work_task(user, task):
        raise NotFound(f"task {task_id} not found")
    return task


def claim_task(session: Session, user: User, task_id: str, now: datetime) -> HumanTask:
    """Take a task so colleagues see it is being worked."""
    task = _open_task(session, user, task_id)
    if task.assignee and task.assignee != user.username:
        raise Conflict(f"the task is claimed by {task.assignee}")
    task.assignee = user.username
    _audit(session, task, user, "claimed", now)
    return task


def unclaim_task(session: Session, user: User, task_id: str, now: datetime) -> HumanTask:
    """Give a claimed task back to the shared inbox."""
    task = _open_task(session, user, task_id)
    if task.assignee and task.assignee != user.username:
        raise Conflict(f"the task is claimed by {task.assignee}")
    task.assignee = None
    _audit(session, task, user, "unclaimed", now)
    return task


def _open_task(session: Session, user: User, task_id: str) -> HumanTask:
    task = get_task(session, user, task_id)
    if task.state != "open":
        raise Conflict(f"the task is already {task.state}")
    return task


def complete_task(session: Session, user: User, task_id: str, data: Any, forms_dir: Path, now: datetime) -> Application:
    """Validate the form data against the form the task opened with, complete the task and
    run the process to its next wait.

    Raises NotFound, Conflict (already completed, claimed by another, application
    suspended), Invalid (the form data) or StepFailed (the process could not take the step).
    `now` is aware; the day in India is "today" for dates that may not be in the future. The
    audit entry keeps the decision and the words a person wrote (remarks, an answer), for
    the history.
    """
    # Lock the instance first, found through the task (one statement), then read the task as
    # it is under the lock (an earlier load in this session may be stale).
    instance = session.scalars(
        select(ProcessInstance)
        .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
        .where(HumanTask.id == task_id)
        .with_for_update(of=ProcessInstance)
        .execution_options(populate_existing=True)
    ).one_or_none()
    task = session.get(HumanTask, task_id, populate_existing=True)
    if task is None or not can_work_task(user, task):
        raise NotFound(f"task {task_id} not found")
    if instance is None:
        raise Conflict("the process of this application no longer exists")
    if task.state != "open":
        raise Conflict(f"the task is already {task.state}")
    if task.assignee and task.assignee != user.username:
        raise Conflict(f"the task is claimed by {task.assignee}")
    application = session.get(Application, task.application_id, options=APPLICANT_IN_ONE_STATEMENT)
    if application is None:
        raise NotFound(f"task {task_id} not found")
    cleaned = validated_data(session, task, application, data, forms_dir, now)
    run_completion(
        session, instance, task, application, CompleteUserTask(task.id, task.name, cleaned, user.username), now
    )
    return application


def run_completion(
    session: Session,
    instance: ProcessInstance,
    task: HumanTask,
    application: Application,
    action: CompleteUserTask,
    now: datetime,
    detail: dict[str, Any] | None = None,
) -> None:
    """Complete an open task with data already validated; the completion is the action's actor's.

    `detail` adds to the audit entry (who retried it, say). The completion is written before
    the step runs, so the history (ordered by time, then entry) lists it before what the step
    did (the tasks it opened, say); a step that fails takes it back.
    """
    figures = {name: action.data[name] for name in AUDITED_FIGURES if name in action.data}
    entry = AuditEntry(
        at=now,
        actor=action.actor,
        action="completed",
        application_id=task.application_id,
        instance_id=task.instance_id,
        task=task.name,
        detail=history_detail(action.data) | figures | (detail or {}),
    )
    session.add(entry)
    session.flush()
    try:
        advance(session, instance, application, action, action.actor, now)
    except (StepFailed, Conflict):
        session.delete(entry)
        raise
    task.state = "completed"
    task.completed_at = now
    task.completed_by = action.actor
    session.flush()


HISTORY_FIELDS = ("decision", "remarks", "response")
"""Form fields the history keeps with a completed task: the decision and what the person wrote."""


def history_detail(cleaned: dict[str, Any]) -> dict[str, Any]:
    """The audit detail of a completed task: its HISTORY_FIELDS that were given."""
    return {name: cleaned[name] for name in HISTORY_FIELDS if isinstance(cleaned.get(name), str)}


def validated_data(
    session: Session, task: HumanTask, application: Application, data: Any, forms_dir: Path, now: datetime
) -> dict[str, Any]:
    """The task's form data, cleaned and checked against the form the task opened with and the
    claim and coupon rules.

    Raises Invalid naming every bad field.
    """
    schema = task_form(session, task, forms_dir)
    if schema is None:
        return {}
    context = {
        "reimbursement_cap_usd": float(claim_cap_usd(application)),
        "today": now.astimezone(INDIA).date(),
        **claim_context(_claim_data(session, task, schema)),
    }
    cleaned, errors = validate_form(schema, data, context=context)
    errors.update(_upload_errors(session, schema, cleaned, application))
    errors.update(_claim_errors(session, cleaned, application, errors))
    code = cleaned.get("coupon_code")
    if code and "coupon_code" not in errors and session.scalars(select(Coupon.id).where(Coupon.code == code)).first():
        errors["coupon_code"] = "This code has already been used; enter another"
    if errors:
        raise Invalid("Some answers need correcting", errors)
    return cleaned


def _claim_data(session: Session, task: HumanTask, schema: dict[str, Any]) -> dict[str, Any]:
    """What a payment form is checked against: the claim the task pays. Its summary holds the
    amount (the diagram's taskSummary); a task opened without one is read from its data."""
    if "amount_inr" not in schema.get("properties", {}):
        return {}
    return task.summary if task.summary is not None else task_data(session, task)


def _claim_errors(
    session: Session, cleaned: dict[str, Any], application: Application, errors: dict[str, str]
) -> dict[str, str]:
    """The claim limits: within the run's cap, and one reimbursement per officer per course, ever."""
    amount = cleaned.get("amount_paid_usd")
    if not isinstance(amount, int | float) or "amount_paid_usd" in errors:
        return {}
    reimbursed_before = session.scalars(
        select(Application.id).where(
            Application.officer_id == application.officer_id,
            Application.course_code == application.course_code,
            Application.status == "reimbursed",
            Application.id != application.id,
        )
    ).first()
    cap = float(claim_cap_usd(application))
    verdict = check_claim(float(amount), cap, reimbursed_before is not None)
    return {} if verdict.passed else {"amount_paid_usd": verdict.reason}


def claim_cap_usd(application: Application) -> Decimal:
    """The reimbursement cap of the application, in USD: the run's cap on the day it was made.

    DoPT may change a run's cap later; that applies to applications made after the change
    (the application keeps its own, as its process keeps its copy of the run). Applications
    stored before the cap was kept read the run's.
    """
    if application.reimbursement_cap_usd is not None:
        return application.reimbursement_cap_usd
    return application.course_run.reimbursement_cap_usd


def _upload_errors(
    session: Session, schema: dict[str, Any], cleaned: dict[str, Any], application: Application
) -> dict[str, str]:
    errors: dict[str, str] = {}
    for name, prop in schema.get("properties", {}).items():
        if prop.get("format") != "upload" or not cleaned.get(name):
            continue
        # Locked: the cleanup of unattached uploads (SKIP LOCKED) passes a file being attached by.
        upload = session.get(Upload, str(cleaned[name]), with_for_update=True)
        if upload is None or upload.owner_id != application.officer_id:
            errors[name] = "Upload the file first; this upload was not found"
    return errors


def _audit(
    session: Session, task: HumanTask, user: User, action: str, now: datetime, detail: dict[str, Any] | None = None
) -> None:
    session.add(
        AuditEntry(
            at=now,
            actor=user.username,
            action=action,
            application_id=task.application_id,
            instance_id=task.instance_id,
            task=task.name,
            detail=detail or {},
        )
    )
