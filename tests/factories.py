"""Factories for tests: build users, runs and applications in a few lines."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.bootstrap import Database
from engine.models import CCA, Application, HumanTask, ProcessScenario, User
from engine.services.people import create_user, register_officer
from engine.services.reference import create_course_run

NOW = datetime(2027, 1, 10, 10, 0, tzinfo=UTC)
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_cca(session: Session, code: str = "TEST-CCA", approval_required: bool = True) -> CCA:
    cca = session.get(CCA, code)
    if cca is None:
        cca = CCA(code=code, name=f"Test CCA {code}", approval_required=approval_required)
        session.add(cca)
        session.flush()
    return cca


def officer_body(username: str, **overrides: Any) -> dict[str, Any]:
    """A valid officer registration (API body), eligible for 2027 runs unless overridden."""
    body = {
        "username": username,
        "password": "secret-password",
        "full_name": f"Officer {username}",
        "email": f"{username}@example.gov.in",
        "mobile": "+919812345678",
        "service": "IAS",
        "cca": "DOPT-IAS",
        "designation": "Under Secretary",
        "date_of_joining": "2015-08-01",
        "date_of_birth": "1985-02-01",
        "edx_username": f"{username}_edx",
    }
    body.update(overrides)
    return body


def make_officer(session: Session, **overrides: Any) -> User:
    username = overrides.pop("username", f"officer{_next()}")
    return register_officer(session, officer_body(username, **overrides), date(2030, 1, 1))


def make_staff(session: Session, role: str, cca: str | None = None, username: str | None = None) -> User:
    name = username or f"{role}{_next()}"
    return create_user(session, name, "secret-password", [role], cca, email=f"{name}@staff.example.gov.in")


def make_run(
    session: Session,
    course: str = "CGP",
    starts_on: date = date(2027, 3, 1),
    closes_on: date = date(2027, 2, 20),
    ends_on: date = date(2027, 6, 15),
    cap: float | None = None,
) -> Any:
    body: dict[str, Any] = {
        "course": course,
        "starts_on": starts_on.isoformat(),
        "registration_closes_on": closes_on.isoformat(),
        "ends_on": ends_on.isoformat(),
    }
    if cap is not None:
        body["reimbursement_cap_usd"] = cap
    return create_course_run(session, body)


def open_task(session: Session, application: Application, name: str | None = None) -> HumanTask:
    query = select(HumanTask).where(HumanTask.application_id == application.id, HumanTask.state == "open")
    if name:
        query = query.where(HumanTask.name == name)
    tasks = session.scalars(query).all()
    assert len(tasks) == 1, [t.name for t in tasks]
    return tasks[0]


def after(days: int) -> datetime:
    return NOW + timedelta(days=days)


def forget_scenarios(db: Database) -> None:
    """Remove every stored scenario, so that a process broken on purpose deploys: for tests
    of what happens when a step fails at run time, which scenarios exist to prevent."""
    with db.sessions() as session, session.begin():
        session.execute(delete(ProcessScenario))


def reminder_words_scenario() -> dict[str, Any]:
    """A scenario the shipped ones do not have: the reminder's words."""
    return {
        "description": "The reminder tells the authority the nomination awaits its decision.",
        "start": {"profile": "eligible_officer"},
        "steps": [
            {"timer": "approval_reminder", "at": "P7D"},
            {"task": "cca_approval", "role": "cca_approver", "data": {"decision": "approve"}},
        ],
        "expect": {
            "ended": True,
            "tasks": ["cca_approval"],
            "notifications": [{"to": "cca_approver", "subject": "awaits your decision"}],
        },
    }
