"""How things look in the API: one function per resource, shared by every endpoint."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from engine.access import can_operate, can_see_coupon
from engine.bpmn.rehearsal import ScenarioResult
from engine.definitions import DeployResult
from engine.models import (
    CCA,
    Application,
    AuditEntry,
    Course,
    CourseRun,
    HumanTask,
    Incident,
    Notification,
    ProcessDefinition,
    ProcessScenario,
    User,
)
from engine.services.application_list import ApplicationRow
from engine.services.incidents import open_incident_of
from engine.services.process_forms import DeployedForm
from engine.services.queries import ProcessOf, histories, open_tasks_of, processes_of
from engine.services.reference import run_summary


def timestamp(moment: datetime | None) -> str | None:
    """ISO 8601 with offset."""
    return moment.isoformat() if moment else None


def application_json(session: Session, application: Application, viewer: User) -> dict[str, Any]:
    """The application as API.md describes it."""
    return applications_json(session, [application], viewer)[0]


def applications_json(session: Session, applications: list[Application], viewer: User) -> list[dict[str, Any]]:
    """Several applications, with a fixed number of queries in all rather than several per application."""
    ids = [application.id for application in applications]
    entries, tasks, processes, incidents = (
        histories(session, ids),
        open_tasks_of(session, ids),
        processes_of(session, applications),
        open_incident_of(session, ids),
    )
    return [
        _application(a, viewer, entries[a.id], tasks[a.id], processes.get(a.id), incidents.get(a.id))
        for a in applications
    ]


HELD_UP = "A problem on DoPT's side holds this application up; DoPT has been told and will set it right."


def _application(
    application: Application,
    viewer: User,
    entries: list[AuditEntry],
    tasks: list[HumanTask],
    process: ProcessOf | None,
    incident: Incident | None,
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
        "history": [
            {
                "at": timestamp(entry.at),
                "actor": entry.actor,
                "action": entry.action,
                "task": entry.task,
                "reason": (entry.detail or {}).get("reason"),
            }
            for entry in entries
        ],
        "open_tasks": [{"id": task.id, "name": task.name, "lane": task.lane} for task in tasks],
        "process": _process(process),
        "suspended": process is not None and process.status == "suspended",
        "incident": _incident_summary(incident, viewer) if incident else None,
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
        "message": incident.message if can_operate(viewer) else HELD_UP,
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


def cca_json(cca: CCA) -> dict[str, Any]:
    return {"code": cca.code, "name": cca.name, "approval_required": cca.approval_required}


def course_json(course: Course) -> dict[str, Any]:
    return {"code": course.code, "title": course.title, "prerequisites": course.prerequisites}


def course_run_json(run: CourseRun, applications: int | None = None) -> dict[str, Any]:
    """A course run; lists add how many applications it has."""
    body = run_summary(run)
    if applications is not None:
        body["applications"] = applications
    return body


def notification_json(notification: Notification) -> dict[str, Any]:
    return {
        "id": notification.id,
        "at": timestamp(notification.at),
        "subject": notification.subject,
        "body": notification.body,
        "application_id": notification.application_id,
    }


def definition_json(definition: ProcessDefinition) -> dict[str, Any]:
    return {
        "key": definition.key,
        "version": definition.version,
        "deployed_at": timestamp(definition.deployed_at),
        "deployed_by": definition.deployed_by,
        "sha256": definition.sha256,
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
