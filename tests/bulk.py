"""A programme of a given size built by bulk inserts, for the reports' and the lists' tests.

The rows are those the engine writes for applications in each status: the application,
its instance, its open user task (with the role, lane and CCA scope the engine gives it),
the audit entries of the claim and the payment (with the figures run_completion keeps),
the coupon given, open incidents. `Programme` keeps what was inserted, so a test counts
the expected figures from it in plain Python, independently of the reports' SQL.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session

from engine.models import (
    Application,
    AuditEntry,
    Coupon,
    Course,
    CourseRun,
    HumanTask,
    Incident,
    Officer,
    Payment,
    ProcessDefinition,
    ProcessInstance,
    User,
    UserRole,
)
from engine.passwords import hash_password
from engine.services.reference import STARTER_CCAS
from engine.statuses import ALL_STATUSES, is_final

# The open user task of an application in each status: (task, role, lane).
OPEN_TASK: dict[str, tuple[str, str, str]] = {
    "awaiting_cadre_approval": ("cca_approval", "cca_approver", "CCA"),
    "awaiting_clarification": ("respond_clarification", "officer", "Officer"),
    "awaiting_dopt_confirmation": ("dopt_confirmation", "dopt", "DoPT"),
    "awaiting_coupon": ("issue_coupon", "course_team", "Course Team"),
    "awaiting_result": ("report_result", "officer", "Officer"),
    "awaiting_claim": ("submit_claim", "officer", "Officer"),
    "claim_under_verification": ("verify_claim", "dopt", "DoPT"),
    "awaiting_payment": ("record_payment", "finance", "Finance"),
}
CLAIMED = ("claim_under_verification", "awaiting_payment", "reimbursed")
CERTIFIED = ("awaiting_claim", *CLAIMED)
COUPON_GIVEN = ("enrolled", "awaiting_result", "not_certified", *CERTIFIED)
SERVICES = ("IAS", "IPS", "IFoS", "CCS_A", "SCS")


@dataclass
class Programme:
    """What was inserted, as plain data."""

    now: datetime
    applications: list[dict[str, Any]] = field(default_factory=list)
    tasks: list[dict[str, Any]] = field(default_factory=list)
    officers: dict[int, dict[str, Any]] = field(default_factory=dict)
    runs: dict[int, dict[str, Any]] = field(default_factory=dict)
    coupons: list[dict[str, Any]] = field(default_factory=list)
    claims: dict[int, Decimal] = field(default_factory=dict)
    payments: dict[int, Decimal] = field(default_factory=dict)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    incidents: set[int] = field(default_factory=set)
    dfft: set[str] = field(default_factory=set)


def build_programme(session: Session, size: int, now: datetime, seed: int = 11) -> Programme:
    """Insert `size` applications in mixed states (with officers, runs, tasks, claims, payments,
    coupons and incidents) and return what was inserted; flushes, the caller commits."""
    rng = random.Random(seed)
    programme = Programme(now)
    courses = list(session.scalars(select(Course.code).order_by(Course.code)))
    definition_id = session.scalars(
        select(ProcessDefinition.id).where(ProcessDefinition.key == "enrollment").order_by(ProcessDefinition.id)
    ).first()
    assert definition_id is not None, "deploy the processes first"
    _add_runs(session, programme, courses)
    _add_officers(session, programme, max(size // 5, 10), rng)
    app_id = int(session.scalar(select(func.coalesce(func.max(Application.id), 0))) or 0)
    instance_id = int(session.scalar(select(func.coalesce(func.max(ProcessInstance.id), 0))) or 0)
    officer_ids = list(programme.officers)
    # A few officers certified in every course: the DFFT list.
    champions = officer_ids[:3]
    plan: list[tuple[int, int, str]] = []
    for officer_id in champions:
        for course in courses:
            run_id = next(r for r, run in programme.runs.items() if run["course"] == course)
            plan.append((officer_id, run_id, rng.choice(CERTIFIED)))
    run_ids = list(programme.runs)
    while len(plan) < size:
        plan.append((rng.choice(officer_ids[3:]), rng.choice(run_ids), rng.choice(ALL_STATUSES)))
    applications, instances, tasks, audit, incidents = [], [], [], [], []
    for officer_id, run_id, status in plan:
        app_id += 1
        instance_id += 1
        officer = programme.officers[officer_id]
        run = programme.runs[run_id]
        created = now - timedelta(days=rng.randint(0, 400), minutes=rng.randint(0, 1440))
        row = {
            "id": app_id,
            "officer_id": officer_id,
            "course_run_id": run_id,
            "course_code": run["course"],
            "cca_code": officer["cca"],
            "status": status,
            "eligibility": {"eligible": status != "ineligible", "reasons": []},
            "certified": status in CERTIFIED,
            "reimbursement_cap_usd": Decimal("100"),
            "instance_id": instance_id,
            "created_at": created,
            "updated_at": created + timedelta(days=rng.randint(0, 30)),
        }
        applications.append(row)
        instances.append(
            {
                "id": instance_id,
                "definition_id": definition_id,
                "process_key": "enrollment",
                "bundle": [definition_id],
                "state": b"",
                "status": "completed" if is_final(status) else "running",
                "version": 1,
                "created_at": created,
                "updated_at": created,
            }
        )
        audit.append({"at": created, "actor": officer["username"], "action": "submitted", "application_id": app_id})
        if status in OPEN_TASK:
            tasks.append(_task(rng, row, officer, now))
        if status in CLAIMED:
            audit.extend(_claim_entries(rng, programme, row, officer))
        if rng.random() < 0.05 and not is_final(status):
            incidents.append(
                {
                    "application_id": app_id,
                    "instance_id": instance_id,
                    "message": "boom",
                    "first_at": now,
                    "last_at": now,
                }
            )
            programme.incidents.add(app_id)
    session.execute(insert(ProcessInstance), instances)
    session.execute(insert(Application), applications)
    session.execute(insert(HumanTask), tasks)
    session.execute(insert(AuditEntry), audit)
    if programme.ledger:
        session.execute(insert(Payment), programme.ledger)
    if incidents:
        session.execute(insert(Incident), incidents)
    programme.applications.extend(applications)
    programme.tasks.extend(tasks)
    _add_coupons(session, programme, rng)
    programme.dfft = {programme.officers[officer_id]["username"] for officer_id in champions}
    session.flush()
    _advance_sequences(session)
    return programme


def _advance_sequences(session: Session) -> None:
    """PostgreSQL's id sequences do not see rows inserted with their ids: move them past. And
    its planner knows nothing of rows inserted a moment ago until they are analysed, which a
    running database's autovacuum does soon after a load like this one."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for table in ("users", "applications", "process_instances"):
        session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"))
    for table in ("users", "officers", "applications", "human_tasks", "audit_log", "coupons", "incidents", "payments"):
        session.execute(text(f"ANALYZE {table}"))


def _add_runs(session: Session, programme: Programme, courses: list[str]) -> None:
    for index, course in enumerate(courses):
        for year in (2026, 2027):
            starts = date(year, 3 + 3 * (index % 3), 1)
            run = CourseRun(
                course_code=course,
                starts_on=starts,
                registration_closes_on=starts - timedelta(days=10),
                ends_on=starts + timedelta(days=100),
            )
            session.add(run)
            session.flush()
            programme.runs[run.id] = {"course": course, "starts_on": starts}


def _add_officers(session: Session, programme: Programme, count: int, rng: random.Random) -> None:
    password = hash_password("secret-password")
    base = int(session.scalar(select(func.coalesce(func.max(User.id), 0))) or 0)
    users, roles, officers = [], [], []
    for number in range(1, count + 1):
        user_id = base + number
        username = f"bulk{user_id}"
        cca = STARTER_CCAS[number % len(STARTER_CCAS)][0]
        service = SERVICES[number % len(SERVICES)]
        users.append({"id": user_id, "username": username, "password_hash": password, "created_at": programme.now})
        roles.append({"user_id": user_id, "role": "officer"})
        officers.append(
            {
                "user_id": user_id,
                "full_name": f"Officer {rng.choice('ABCDEFGH')}{user_id:05d}",
                "email": f"{username}@example.gov.in",
                "mobile": "+919800000000",
                "service": service,
                "cca_code": cca,
                "designation": "Deputy Secretary",
                "date_of_joining": date(2012, 1, 1),
                "date_of_birth": date(1980, 1, 1),
                "edx_username": f"{username}_edx",
            }
        )
        programme.officers[user_id] = {"username": username, "cca": cca, "service": service}
    session.execute(insert(User), users)
    session.execute(insert(UserRole), roles)
    session.execute(insert(Officer), officers)


def _task(rng: random.Random, application: dict[str, Any], officer: dict[str, Any], now: datetime) -> dict[str, Any]:
    name, role, lane = OPEN_TASK[application["status"]]
    opened = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 23))
    return {
        "id": f"task-{application['id']}",
        "instance_id": application["instance_id"],
        "application_id": application["id"],
        "name": name,
        "title": name,
        "lane": lane,
        "role": role,
        "scope_cca": application["cca_code"] if role == "cca_approver" else None,
        "owner_username": officer["username"] if role == "officer" else None,
        "state": "open",
        "created_at": opened,
    }


def _claim_entries(
    rng: random.Random, programme: Programme, application: dict[str, Any], officer: dict[str, Any]
) -> list[dict[str, Any]]:
    """The submit_claim completion(s) (a returned claim was submitted twice; the last counts)
    and, once reimbursed, the record_payment completion."""
    app_id, at = application["id"], application["updated_at"]
    entries = []
    for _ in range(rng.choice((1, 1, 2))):
        amount = Decimal(rng.randint(5000, 10000)) / 100
        entries.append(_completion(app_id, at, officer["username"], "submit_claim", {"amount_paid_usd": float(amount)}))
    programme.claims[app_id] = amount
    if application["status"] == "reimbursed":
        inr = (amount * Decimal("83.25")).quantize(Decimal("0.01"))
        payment = {"amount_inr": float(inr), "exchange_rate": 83.25, "paid_on": at.date().isoformat()}
        entries.append(_completion(app_id, at, "finance", "record_payment", payment))
        programme.payments[app_id] = inr
        programme.ledger.append(
            {
                "application_id": app_id,
                "course_run_id": application["course_run_id"],
                "beneficiary_name": "Officer " + officer["username"],
                "bank_account_number": "123456789012",
                "ifsc": "SBIN0001234",
                "amount_usd": amount,
                "amount_inr": inr,
                "exchange_rate": Decimal("83.25"),
                "sanction_number": f"DOPT/TRG/{app_id}",
                "paid_on": at.date(),
                "reference": f"UTR{app_id:012d}",
                "recorded_by": "finance",
                "recorded_at": at,
            }
        )
    return entries


def _completion(app_id: int, at: datetime, actor: str, task: str, figures: dict[str, Any]) -> dict[str, Any]:
    return {"at": at, "actor": actor, "action": "completed", "application_id": app_id, "task": task, "detail": figures}


def _add_coupons(session: Session, programme: Programme, rng: random.Random) -> None:
    given = [a for a in programme.applications if a["status"] in COUPON_GIVEN]
    rows = []
    for application in given:
        rows.append(
            {
                "code": f"BULK-{application['id']}",
                "course_run_id": application["course_run_id"],
                "application_id": application["id"],
                "added_by": "courseteam",
                "added_at": programme.now,
                "assigned_at": programme.now,
            }
        )
    for run_id in programme.runs:
        for number in range(rng.randint(0, 20)):
            rows.append(
                {
                    "code": f"FREE-{run_id}-{number}",
                    "course_run_id": run_id,
                    "application_id": None,
                    "added_by": "courseteam",
                    "added_at": programme.now,
                }
            )
    session.execute(insert(Coupon), rows)
    programme.coupons.extend(rows)
