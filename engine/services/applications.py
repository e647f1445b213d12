"""Submitting and withdrawing applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_see_application
from engine.errors import Conflict, Forbidden, Invalid, NotFound, StepFailed
from engine.incidents import open_incidents, record_failure, resolve
from engine.models import CCA, Application, AuditEntry, CourseRun, User
from engine.rules import SERVICE_NAMES_HI, SERVICES
from engine.services.reference import run_summary
from engine.statuses import SUBMITTED, is_final
from engine.steps import cancel, lock_instance, start_process

ENROLLMENT_PROCESS = "enrollment"
# The run "has ended" once its last day is over in India.
INDIA = timezone(timedelta(hours=5, minutes=30))
INDIA_OFFSET = "+05:30"


@dataclass(frozen=True)
class CourseStanding:
    """Where an officer stands with each course, for offering (or not) to apply.

    `taken` maps a course code to the application that stops a new one (rule 5 of
    DOMAIN.md: one under way, or one that earned the certificate); `under_way` lists the
    officer's live applications (one course at a time is encouraged, not required).
    """

    taken: dict[str, Application]
    under_way: list[Application]

    def others_under_way(self, course_code: str) -> list[Application]:
        """Live applications for other courses: the one-course-at-a-time warning names them."""
        return [application for application in self.under_way if application.course_code != course_code]


def course_standing(session: Session, officer: User) -> CourseStanding:
    """The officer's applications that matter for applying again, in one query, newest first."""
    query = select(Application).where(Application.officer_id == officer.id).order_by(Application.id.desc())
    taken: dict[str, Application] = {}
    under_way: list[Application] = []
    for application in session.scalars(query):
        live = not is_final(application.status)
        if live:
            under_way.append(application)
        if (live or application.certified) and application.course_code not in taken:
            taken[application.course_code] = application
    return CourseStanding(taken, under_way)


def get_application(session: Session, user: User, application_id: int) -> Application:
    """An application the user may see, or NotFound (also when it exists but is hidden)."""
    application = session.get(Application, application_id)
    if application is None or not can_see_application(user, application):
        raise NotFound(f"application {application_id} not found")
    return application


def submit_application(
    session: Session, user: User, course_run_id: Any, declaration: Any, now: datetime
) -> Application:
    """Create an application and run its process to the first wait; eligibility is known at once."""
    officer = user.officer
    if officer is None or not user.has_role("officer"):
        raise Invalid(
            "only officers with a profile can apply", {"course_run_id": "you are not registered as an officer"}
        )
    fields: dict[str, str] = {}
    if declaration is not True:
        fields["declaration"] = "You must confirm the declaration"
    if isinstance(course_run_id, bool) or not isinstance(course_run_id, int):
        fields["course_run_id"] = "Choose a course run (a number)"
    if fields:
        raise Invalid("The application is not complete", fields)
    run = session.get(CourseRun, course_run_id)
    if run is None:
        raise Invalid("No such course run", {"course_run_id": f"course run {course_run_id} does not exist"})
    if run.closed_at is not None:
        raise Invalid("This course run is closed", {"course_run_id": "DoPT has closed this course run to applications"})
    # Lock the officer's row: two submissions at once must not both pass the duplicate rule.
    session.execute(select(User.id).where(User.id == user.id).with_for_update())
    application = Application(
        officer_id=user.id,
        officer=user,
        course_run_id=run.id,
        course_run=run,
        course_code=run.course_code,
        cca_code=officer.cca_code,
        status="awaiting_cadre_approval",
        reimbursement_cap_usd=run.reimbursement_cap_usd,
        created_at=now,
        updated_at=now,
    )
    session.add(application)
    session.flush()
    # Recorded before the process starts, so the timeline reads in the order things happened.
    submitted = AuditEntry(at=now, actor=user.username, action="submitted", application_id=application.id)
    session.add(submitted)
    session.flush()
    start_application_process(session, application, user.username, now)
    # Completed within the same, uncommitted transaction: no committed audit row ever changes.
    submitted.instance_id = application.instance_id
    submitted.detail = {"eligible": application.eligibility.get("eligible")} if application.instance_id else {}
    session.flush()
    return application


def start_application_process(session: Session, application: Application, actor: str, now: datetime) -> bool:
    """Start the application's process; True when it runs.

    When the start fails, the application is kept (status `submitted`, no process) with an
    open incident, and only the process's own effects are rolled back (a savepoint), so the
    officer's application is not lost and retrying the incident starts it.
    """
    data = start_data(session, application)
    try:
        with session.begin_nested():
            start_process(session, application, ENROLLMENT_PROCESS, data, actor, now)
    except StepFailed as failure:
        application.status = SUBMITTED
        application.instance_id = None
        record_failure(session, failure, now)
        session.flush()
        return False
    return True


def start_data(session: Session, application: Application) -> dict[str, Any]:
    """What the enrollment process starts with: the officer, the course, the run, the CCA.

    Built from the application (its day of application; the officer's applications made
    before it, as they stand now), so a retried start sees what the first attempt saw.
    """
    user = application.officer
    officer = user.officer
    if officer is None:
        raise Invalid("only officers with a profile can apply", {"course_run_id": "no officer profile"})
    run = application.course_run
    cca = session.get(CCA, application.cca_code)
    others = session.scalars(
        select(Application).where(
            Application.officer_id == application.officer_id,
            Application.id < application.id,
        )
    ).all()
    return {
        "application_id": application.id,
        "officer": {
            "username": user.username,
            "full_name": officer.full_name,
            "email": officer.email,
            "service": officer.service,
            # Texts people read name the service, never its code.
            "service_name": SERVICES.get(officer.service, officer.service),
            "service_name_hi": SERVICE_NAMES_HI.get(officer.service, officer.service),
            "cca": application.cca_code,
            "cca_name": cca.name if cca else application.cca_code,
            "designation": officer.designation,
            "date_of_joining": officer.date_of_joining.isoformat(),
            "date_of_birth": officer.date_of_birth.isoformat(),
            "edx_username": officer.edx_username,
        },
        "course": {"code": run.course.code, "title": run.course.title},
        "course_run": run_data(run),
        "cca_approval_required": bool(cca.approval_required) if cca else True,
        "applied_on": application.created_at.astimezone(INDIA).date().isoformat(),
        "other_applications": [
            {
                "id": other.id,
                "course": other.course_code,
                "course_title": other.course_run.course.title,
                "status": other.status,
                "certified": other.certified,
            }
            for other in others
        ],
    }


# The fields of a run the process keeps its copy of (the profiles of engine/bpmn/profiles.py
# have the same shape); the run's other fields (fee, exam window, closed) stay the run's.
PROCESS_RUN_FIELDS = ("id", "course", "starts_on", "registration_closes_on", "ends_on", "reimbursement_cap_usd")


def run_data(run: CourseRun) -> dict[str, Any]:
    """What the process knows of a run; dates as ISO strings so task data stays JSON."""
    # The day after the end; a run ending on the last day a date can hold (refused since, but
    # such a run may be stored) waits until that day rather than failing every application.
    due = run.ends_on if run.ends_on >= date.max else run.ends_on + timedelta(days=1)
    result_due_at = f"{due.isoformat()}T00:00:00{INDIA_OFFSET}"
    summary = run_summary(run)
    fields = {name: summary[name] for name in PROCESS_RUN_FIELDS}
    return fields | {"course_title": run.course.title, "result_due_at": result_due_at}


def withdraw_application(session: Session, user: User, application_id: int, now: datetime) -> Application:
    """The officer stops a live application; its process is cancelled and its tasks close.

    Open incidents of the application close with it. Raises NotFound, Forbidden,
    Conflict (already final) or StepFailed (the cancellation failed).
    """
    application = get_application(session, user, application_id)
    if application.officer_id != user.id:
        raise Forbidden("only the officer who applied can withdraw an application")
    if application.instance_id is not None:
        instance = lock_instance(session, application.instance_id)
        session.refresh(application)
        if is_final(application.status):
            raise Conflict(f"the application is already {application.status}")
        cancel(session, instance, application, user.username, now)
    elif is_final(application.status):
        raise Conflict(f"the application is already {application.status}")
    finish_withdrawal(session, application, user.username, now)
    return application


def finish_withdrawal(
    session: Session, application: Application, actor: str, now: datetime, detail: dict[str, Any] | None = None
) -> None:
    """Mark a withdrawn application (its process already cancelled), close its incidents, audit it."""
    application.status = "withdrawn"
    application.updated_at = now
    for incident in open_incidents(session, application.id):
        resolve(incident, actor, "the application was withdrawn", now)
    session.add(AuditEntry(at=now, actor=actor, action="withdrawn", application_id=application.id, detail=detail or {}))
    session.flush()
