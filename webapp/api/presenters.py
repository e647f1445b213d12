"""How things look in the API: one function per resource, shared by every endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.access import can_operate, can_see_coupon, can_see_payment
from engine.bpmn.rehearsal import ScenarioResult
from engine.definitions import DeployResult
from engine.history import describe
from engine.incidents import officer_message
from engine.models import (
    CCA,
    Application,
    AuditEntry,
    Course,
    CourseRun,
    HumanTask,
    Incident,
    Notification,
    Payment,
    ProcessDefinition,
    ProcessScenario,
    User,
)
from engine.services.accounts import is_locked
from engine.services.application_list import ApplicationRow
from engine.services.incidents import open_incident_of
from engine.services.instance_trace import InstanceView
from engine.services.monitor import MonitorRow
from engine.services.payments import payment_json, payments_of
from engine.services.process_forms import DeployedForm
from engine.services.process_versions import ValidationReport, VersionRow
from engine.services.queries import ProcessOf, histories, open_tasks_of, processes_of
from engine.services.reference import run_summary
from engine.services.repair import MigrationPreview


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 with offset."""
    return moment.isoformat() if moment else None


def application_json(session: Session, application: Application, viewer: User) -> dict[str, Any]:
    """The application as API.md describes it."""
    return applications_json(session, [application], viewer)[0]


def applications_json(session: Session, applications: list[Application], viewer: User) -> list[dict[str, Any]]:
    """Several applications, with a fixed number of queries in all rather than several per application."""
    ids = [application.id for application in applications]
    entries, tasks, processes, incidents, payments = (
        histories(session, ids),
        open_tasks_of(session, ids),
        processes_of(session, applications),
        open_incident_of(session, ids),
        payments_of(session, ids),
    )
    return [
        _application(
            a, viewer, entries[a.id], tasks[a.id], processes.get(a.id), incidents.get(a.id), payments.get(a.id)
        )
        for a in applications
    ]


def _application(
    application: Application,
    viewer: User,
    entries: list[AuditEntry],
    tasks: list[HumanTask],
    process: ProcessOf | None,
    incident: Incident | None,
    payment: Payment | None,
) -> dict[str, Any]:
    officer = application.officer
    profile = officer.officer
    eligibility = application.eligibility or {}
    return {
        "id": application.id,
        "officer": {
            "username": officer.username,
            "full_name": profile.full_name if profile else officer.username,
            "service": profile.service if profile else None,
            "cca": application.cca_code,
        },
        "course": application.course_code,
        "course_run_id": application.course_run_id,
        "status": application.status,
        "eligibility": {
            "eligible": eligibility.get("eligible"),
            "reasons": eligibility.get("reasons", []),
            "warnings": eligibility.get("warnings", []),
            "checks": eligibility.get("checks", []),
        },
        "coupon_code": application.coupon_code if can_see_coupon(viewer, application) else None,
        "history": [history_json(entry) for entry in entries],
        "open_tasks": [{"id": task.id, "name": task.name, "lane": task.lane} for task in tasks],
        "process": _process(process),
        "suspended": process is not None and process.status == "suspended",
        "incident": _incident_summary(incident, viewer) if incident else None,
        "payment": payment_json(payment) if payment is not None and can_see_payment(viewer, application) else None,
        "created_at": timestamp(application.created_at),
        "updated_at": timestamp(application.updated_at),
    }


def application_row_json(row: ApplicationRow) -> dict[str, Any]:
    """An application as lists show it (GET /applications): no history, no tasks; the whole
    application is at /applications/{id}."""
    return {
        "id": row.id,
        "officer": {
            "username": row.officer_username,
            "full_name": row.officer_name,
            "service": row.service,
            "cca": row.cca_code,
            "cca_name": row.cca_name,
            "edx_username": row.edx_username,
        },
        "course": row.course_code,
        "course_title": row.course_title,
        "course_run_id": row.course_run_id,
        "course_run_starts_on": row.run_starts_on.isoformat(),
        "status": row.status,
        "has_incident": row.has_incident,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def _process(process: ProcessOf | None) -> dict[str, Any] | None:
    if process is None:
        return None
    return {"key": process.key, "version": process.version, "status": process.status, "versions": process.versions}


def _incident_summary(incident: Incident, viewer: User) -> dict[str, Any]:
    """The open incident as the application shows it; the engine's error only to operators."""
    return {
        "id": incident.id,
        "element": incident.element,
        "message": incident.message if can_operate(viewer) else officer_message(incident),
        "at": timestamp(incident.first_at),
        "last_at": timestamp(incident.last_at),
        "count": incident.count,
    }


def incident_json(incident: Incident) -> dict[str, Any]:
    """An incident as GET /incidents lists it (for operators)."""
    action = incident.action or {}
    return {
        "id": incident.id,
        "application_id": incident.application_id,
        "instance_id": incident.instance_id,
        "element": incident.element,
        "message": incident.message,
        "first_at": timestamp(incident.first_at),
        "last_at": timestamp(incident.last_at),
        "count": incident.count,
        "step": action.get("kind"),
        "task": action.get("task"),
        "open": incident.resolved_at is None,
        "resolved_at": timestamp(incident.resolved_at),
        "resolved_by": incident.resolved_by,
        "resolution": incident.resolution,
    }


def history_json(entry: AuditEntry) -> dict[str, Any]:
    """One entry of an application's history: API.md's fields, the sentence it reads as
    (`text`, English), and the decision and words the person gave, where there are."""
    detail = entry.detail or {}
    return {
        "at": timestamp(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "task": entry.task,
        "text": describe(entry).english(),
        "decision": detail.get("decision"),
        "remarks": detail.get("remarks"),
        "response": detail.get("response"),
        "reason": detail.get("reason"),
    }


def task_json(task: HumanTask) -> dict[str, Any]:
    """A task of the inbox."""
    return {
        "id": task.id,
        "name": task.name,
        "title": task.title,
        "lane": task.lane,
        "application_id": task.application_id,
        "assignee": task.assignee,
        "created_at": timestamp(task.created_at),
        "due_at": timestamp(task.due_at),
        "instructions": task.instructions,
        "suspended": task.suspended,
    }


def user_json(user: User) -> dict[str, Any]:
    """A user as the token call and /me show it."""
    return {"username": user.username, "roles": user.roles, "cca": user.cca_code}


def admin_user_json(user: User, now: datetime) -> dict[str, Any]:
    """A user as administrators see it: `user_json` with whether it is active, its wrong
    sign-ins since the last right one (`failed_sign_ins`; `locked_until` stays null since
    sign-in no longer locks accounts), when it was made, and an officer's name and e-mail."""
    profile = user.officer
    return {
        **user_json(user),
        "active": user.active,
        "locked_until": timestamp(user.locked_until) if is_locked(user, now) else None,
        "failed_sign_ins": user.failed_logins,
        "created_at": timestamp(user.created_at),
        "full_name": profile.full_name if profile else None,
        "email": user.mail_address,
    }


def account_change_json(entry: AuditEntry) -> dict[str, Any]:
    """One entry of the account audit: who changed what (`subject`: a username or CCA code),
    when, and the values before and after."""
    detail = entry.detail or {}
    return {
        "id": entry.id,
        "at": timestamp(entry.at),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "before": detail.get("before"),
        "after": detail.get("after"),
    }


def cca_json(cca: CCA) -> dict[str, Any]:
    return {"code": cca.code, "name": cca.name, "approval_required": cca.approval_required}


def course_json(course: Course) -> dict[str, Any]:
    return {
        "code": course.code,
        "title": course.title,
        "prerequisites": course.prerequisites,
        "title_hi": course.title_hi,
        "prerequisites_hi": course.prerequisites_hi,
    }


def course_run_json(run: CourseRun, applications: int | None = None) -> dict[str, Any]:
    """A course run; lists add how many applications it has."""
    body = run_summary(run)
    if applications is not None:
        body["applications"] = applications
    return body


def notification_json(notification: Notification) -> dict[str, Any]:
    """A notification as the API shows it (English, the API's language)."""
    return {
        "id": notification.id,
        "at": timestamp(notification.at),
        "subject": notification.subject,
        "body": notification.body,
        "application_id": notification.application_id,
        "task_id": notification.task_id,
        "read": notification.read_at is not None,
        "read_at": timestamp(notification.read_at) if notification.read_at else None,
    }


def definition_json(definition: ProcessDefinition) -> dict[str, Any]:
    return {
        "key": definition.key,
        "version": definition.version,
        "deployed_at": timestamp(definition.deployed_at),
        "deployed_by": definition.deployed_by,
        "sha256": definition.sha256,
        "comment": definition.comment,
        "restores_version": definition.restores_version,
    }


def version_json(row: VersionRow) -> dict[str, Any]:
    """A version on the versions page: the definition, and how many live applications run on it."""
    return {**definition_json(row.definition), "applications": row.applications}


def validation_json(report: ValidationReport) -> dict[str, Any]:
    """What a deploy of the diagram would do: each problem with its element, each scenario rehearsed."""
    return {
        "key": report.key,
        "valid": report.valid,
        "changed": report.changed,
        "problems": [{"element": problem.element, "message": problem.message} for problem in report.problems],
        "scenarios": [
            {
                **scenario_result_json(checked.result),
                "step": checked.result.step,
                "element": checked.element,
                "message": None if checked.result.passed else checked.result.describe(),
            }
            for checked in report.scenarios
        ],
    }


def monitor_row_json(row: MonitorRow) -> dict[str, Any]:
    """An application as the instance monitor lists it (operators only: the incident's error is shown)."""
    application = row.application
    profile = application.officer.officer
    incident = row.incident
    return {
        "application_id": application.id,
        "officer": profile.full_name if profile else application.officer.username,
        "course": application.course_code,
        "course_run_id": application.course_run_id,
        "cca": application.cca_code,
        "status": application.status,
        "process": _process(row.process),
        "open_tasks": list(row.open_tasks),
        "waiting_since": timestamp(row.waiting_since),
        "incident": incident_json(incident) if incident else None,
    }


def instance_json(view: InstanceView) -> dict[str, Any]:
    """An application's process for operators: the state of each element of each process it runs,
    its process data, the incident and the history."""
    return {
        "application_id": view.application.id,
        "status": view.application.status,
        "process": _process(view.process),
        "processes": [
            {
                "key": trace.key,
                "version": trace.version,
                "elements": {
                    element: {"state": state.state, "runs": state.runs} for element, state in trace.elements.items()
                },
            }
            for trace in view.processes
        ],
        "data": view.data,
        "problem": view.problem,
        "open_tasks": view.open_tasks,
        "incident": incident_json(view.incident) if view.incident else None,
        "versions": view.versions,
        "history": [
            {
                "at": timestamp(entry.at),
                "actor": entry.actor,
                "action": entry.action,
                "task": entry.task,
                "reason": (entry.detail or {}).get("reason"),
            }
            for entry in view.history
        ],
    }


def migration_preview_json(preview: MigrationPreview) -> dict[str, Any]:
    """What a migration would change, found by a dry run."""
    return {
        "from": preview.versions_from,
        "to": preview.versions_to,
        "changed": preview.changed,
        "timers": preview.timers,
    }


def scenario_result_json(result: ScenarioResult) -> dict[str, Any]:
    """A scenario rehearsed by a deploy."""
    return {"name": result.name, "process": result.process, "passed": result.passed}


def deploy_json(result: DeployResult) -> dict[str, Any]:
    """The answer to a deploy: the version, and the scenarios rehearsed (none when unchanged)."""
    return {
        "key": result.key,
        "version": result.version,
        "scenarios": [scenario_result_json(scenario) for scenario in result.scenarios],
    }


def scenario_json(scenario: ProcessScenario) -> dict[str, Any]:
    """A stored scenario in a list (its document is at its own address)."""
    return {
        "name": scenario.name,
        "process": scenario.process_key,
        "updated_at": timestamp(scenario.updated_at),
        "updated_by": scenario.updated_by,
    }


def form_json(form: DeployedForm) -> dict[str, Any]:
    """A deployed form: its file name, the sha256 of the bound schema, the processes using it."""
    return {"filename": form.filename, "sha256": form.sha256, "processes": list(form.processes)}
