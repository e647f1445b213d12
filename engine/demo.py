"""Demo data: a user for every role and applications resting in different states.

Applications are driven through the same services people use, so what the demo shows
is what the product does. Running it twice adds nothing the second time.
"""

from __future__ import annotations

import io
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Application, Coupon, CourseRun, HumanTask, User
from engine.notifications import DAILY
from engine.services.applications import submit_application
from engine.services.people import create_user, register_officer
from engine.services.reference import create_course_run
from engine.services.tasks import complete_task
from engine.services.timers import fire_instance
from engine.services.uploads import store_upload

DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed by `igot demo` on purpose

STAFF: tuple[tuple[str, list[str], str | None], ...] = (
    ("admin", ["admin"], None),
    ("owner", ["process_owner"], None),
    ("dopt", ["dopt"], None),
    ("courseteam", ["course_team"], None),
    ("finance", ["finance"], None),
    ("cca.karnataka", ["cca_approver"], "KA-DPAR"),
    ("cca.ias", ["cca_approver"], "DOPT-IAS"),
)

OFFICERS: tuple[dict[str, Any], ...] = (
    {"username": "asha", "full_name": "Asha Rao", "service": "SCS", "cca": "KA-DPAR", "joined": "2015-06-01"},
    {"username": "vikram", "full_name": "Vikram Singh", "service": "IAS", "cca": "DOPT-IAS", "joined": "2012-09-01"},
    {"username": "meera", "full_name": "Meera Iyer", "service": "CSS_A", "cca": "DOPT-CSS", "joined": "2014-01-15"},
    {"username": "rahul", "full_name": "Rahul Verma", "service": "OTHER", "cca": "MH-GAD", "joined": "2016-03-01"},
    {"username": "fatima", "full_name": "Fatima Khan", "service": "SCS", "cca": "MH-GAD", "joined": "2013-07-01"},
    {"username": "kiran", "full_name": "Kiran Patil", "service": "SCS", "cca": "KA-DPAR", "joined": "2014-04-01"},
    {"username": "arjun", "full_name": "Arjun Nair", "service": "CSS_A", "cca": "DOPT-CSS", "joined": "2011-04-01"},
    {"username": "nisha", "full_name": "Nisha Gupta", "service": "CSS_A", "cca": "DOPT-CSS", "joined": "2012-10-01"},
)


def load_demo(
    database: Database, settings: Settings, now: datetime, reminder_in: timedelta = timedelta(minutes=2)
) -> list[tuple[str, list[str], str]]:
    """Create the demo users, runs and applications; return the logins to print.

    One application has waited for its CCA 7 days less `reminder_in`, so the timer worker
    sends the 7-day reminder (and its mail) that long after the demo is loaded.
    """
    with database.sessions() as session, session.begin():
        if session.scalars(select(User.id).where(User.username == "admin")).first() is None:
            _populate(session, settings, now, reminder_in)
    return [(name, roles, DEMO_PASSWORD) for name, roles, _cca in STAFF] + [
        (officer["username"], ["officer"], DEMO_PASSWORD) for officer in OFFICERS
    ]


def _populate(session: Session, settings: Settings, now: datetime, reminder_in: timedelta) -> None:
    for username, roles, cca in STAFF:
        user = create_user(session, username, DEMO_PASSWORD, roles, cca, email=f"{username}@demo.example.gov.in")
        if username == "dopt":
            user.mail_delivery = DAILY  # DoPT's desk takes one summary a day

    officers = {spec["username"]: _officer(session, spec, now.date()) for spec in OFFICERS}
    today = now.date()
    open_runs = {code: _run(session, code, today + timedelta(days=30), today + timedelta(days=20)) for code in _codes()}
    ended = _run(session, "CGP", today - timedelta(days=200), today - timedelta(days=210))
    ended_drre = _run(session, "DRRE", today - timedelta(days=200), today - timedelta(days=210))
    for index in range(3):
        session.add(Coupon(code=f"DEMO-CGP-{index + 1:03d}", course_run_id=open_runs["CGP"].id, added_by="courseteam"))
    for index in range(3):
        session.add(Coupon(code=f"DEMO-CGP-OLD-{index + 1:03d}", course_run_id=ended.id, added_by="courseteam"))
    session.add(Coupon(code="DEMO-DRRE-OLD-001", course_run_id=ended_drre.id, added_by="courseteam"))
    session.flush()
    staff = {name: session.scalars(select(User).where(User.username == name)).one() for name, _r, _c in STAFF}

    # Waiting for the Karnataka CCA to approve.
    submit_application(session, officers["asha"], open_runs["CGP"].id, True, now)
    # Waiting for the Karnataka CCA for 7 days less `reminder_in`: the reminder fires soon after start-up.
    submit_application(session, officers["kiran"], open_runs["DRRE"].id, True, now - timedelta(days=7) + reminder_in)
    # Approved by the IAS CCA; waiting for DoPT.
    vikram = submit_application(session, officers["vikram"], open_runs["DASS"].id, True, now)
    _work(session, staff["cca.ias"], vikram, {"decision": "approve", "remarks": "Recommended."}, settings, now)
    # CSS: no approval needed; DoPT confirmed; the pool is empty, so the course team must issue a code.
    meera = submit_application(session, officers["meera"], open_runs["MICRO"].id, True, now)
    _work(session, staff["dopt"], meera, {"decision": "confirm", "remarks": None}, settings, now)
    # Not eligible: the service is not covered by the scheme.
    submit_application(session, officers["rahul"], open_runs["CGP"].id, True, now)
    # A run that has ended: the officer must report the result.
    then = now - timedelta(days=215)
    fatima = submit_application(session, officers["fatima"], ended.id, True, then)
    _work(session, staff["dopt"], fatima, {"decision": "confirm", "remarks": None}, settings, then)
    # The same officer's earlier course, carried through to a claim awaiting DoPT's verification.
    meera_old = submit_application(session, officers["meera"], ended_drre.id, True, then)
    _work(session, staff["dopt"], meera_old, {"decision": "confirm", "remarks": None}, settings, then)
    for application in (fatima, meera_old):
        fire_instance(session, application.instance_id or 0, now)

    certificate = _upload(session, officers["meera"], settings, now)
    proof = _upload(session, officers["meera"], settings, now)
    result = {"final_grade": 81, "proctored_exam": "passed", "certificate_upload": certificate}
    _work(session, officers["meera"], meera_old, result, settings, now)
    claim = {
        "amount_paid_usd": 100,
        "payment_proof_upload": proof,
        "bank_account_number": "123456789012",
        "ifsc": "SBIN0001234",
        "declaration": True,
    }
    _work(session, officers["meera"], meera_old, claim, settings, now)
    # Two claims DoPT approved: one waiting for finance, one paid (the ledger's first row).
    for name in ("nisha", "arjun"):
        application = submit_application(session, officers[name], ended.id, True, then)
        _work(session, staff["dopt"], application, {"decision": "confirm", "remarks": None}, settings, then)
        fire_instance(session, application.instance_id or 0, now)
        own_certificate = _upload(session, officers[name], settings, now)
        result = {"final_grade": 77, "proctored_exam": "passed", "certificate_upload": own_certificate}
        _work(session, officers[name], application, result, settings, now)
        own_claim = claim | {"payment_proof_upload": _upload(session, officers[name], settings, now)}
        _work(session, officers[name], application, own_claim, settings, now)
        _work(session, staff["dopt"], application, {"decision": "approve", "remarks": None}, settings, now)
    payment = {
        "sanction_number": "DOPT/TRG/DEMO/0001",
        "paid_on": (now - timedelta(days=2)).date().isoformat(),
        "amount_inr": 8350,
        "exchange_rate": 83.5,
        "payment_reference": "UTRDEMO0001",
    }
    _work(session, staff["finance"], application, payment, settings, now)


def _codes() -> list[str]:
    return ["CGP", "DRRE", "DASS", "MICRO", "FDP"]


def _officer(session: Session, spec: dict[str, Any], today: date) -> User:
    return register_officer(
        session,
        {
            "username": spec["username"],
            "password": DEMO_PASSWORD,
            "full_name": spec["full_name"],
            "email": f"{spec['username']}@example.gov.in",
            "mobile": "+919800000000",
            "service": spec["service"],
            "cca": spec["cca"],
            "designation": "Deputy Secretary",
            "date_of_joining": spec["joined"],
            "date_of_birth": "1980-05-15",
            "edx_username": f"{spec['username']}_edx",
        },
        today,
    )


def _run(session: Session, code: str, starts_on: date, closes_on: date) -> CourseRun:
    return create_course_run(
        session,
        {
            "course": code,
            "starts_on": starts_on.isoformat(),
            "registration_closes_on": closes_on.isoformat(),
            "ends_on": (starts_on + timedelta(days=105)).isoformat(),
        },
    )


def _upload(session: Session, officer: User, settings: Settings, now: datetime) -> str:
    document = io.BytesIO(b"%PDF-1.4\n% iGOT demo document\n%%EOF\n")
    return store_upload(session, officer, "demo.pdf", document, settings.upload_dir, now).id


def _work(
    session: Session, user: User, application: Application, data: dict[str, Any], settings: Settings, now: datetime
) -> None:
    task = session.scalars(
        select(HumanTask).where(HumanTask.application_id == application.id, HumanTask.state == "open")
    ).first()
    if task is None:
        raise RuntimeError(f"demo: application {application.id} has no open task ({application.status})")
    complete_task(session, user, task.id, data, settings.forms_dir, now)
