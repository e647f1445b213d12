"""Reference data: CCAs, courses and course runs (DoPT maintains them; processes read them)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import Conflict, Invalid
from engine.models import CCA, Course, CourseRun
from engine.services.people import parse_date

COURSES_2019: tuple[tuple[str, str, str], ...] = (
    ("CGP", "The Challenges of Global Poverty", "None, though lectures use some math"),
    ("DRRE", "Designing and Running Randomized Evaluations", "None, though lectures use some math"),
    ("DASS", "Data Analysis for Social Scientists", "High-school calculus"),
    ("MICRO", "Principles of Microeconomics", "Elementary calculus"),
    (
        "FDP",
        "Foundations of Development Policy",
        "High-school calculus; basic statistics or econometrics; introductory microeconomics",
    ),
)

STARTER_CCAS: tuple[tuple[str, str, bool], ...] = (
    ("DOPT-IAS", "Department of Personnel and Training (IAS cadre)", True),
    ("MHA-IPS", "Ministry of Home Affairs (IPS cadre)", True),
    ("MOEFCC-IFOS", "Ministry of Environment, Forest and Climate Change (IFoS cadre)", True),
    ("DOPT-CSS", "DoPT, CS Division (Central Secretariat Service)", False),
    ("KA-DPAR", "Karnataka Department of Personnel and Administrative Reforms", True),
    ("MH-GAD", "Maharashtra General Administration Department", False),
)


def load_reference_data(session: Session) -> None:
    """Add the 2019 courses and a starter set of CCAs where missing (idempotent)."""
    for code, title, prerequisites in COURSES_2019:
        if session.get(Course, code) is None:
            session.add(Course(code=code, title=title, prerequisites=prerequisites))
    for code, name, approval_required in STARTER_CCAS:
        if session.get(CCA, code) is None:
            session.add(CCA(code=code, name=name, approval_required=approval_required))
    session.flush()


def run_summary(run: CourseRun) -> dict[str, Any]:
    """A run as JSON-friendly data (ISO dates, the cap as a number)."""
    return {
        "id": run.id,
        "course": run.course_code,
        "starts_on": run.starts_on.isoformat(),
        "registration_closes_on": run.registration_closes_on.isoformat(),
        "ends_on": run.ends_on.isoformat(),
        "reimbursement_cap_usd": float(run.reimbursement_cap_usd),
    }


def _text(body: dict[str, Any], name: str, limit: int, fields: dict[str, str]) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip():
        fields[name] = "This field is required"
        return ""
    if len(value) > limit:
        fields[name] = f"At most {limit} characters"
    return value.strip()


def _reject_unknown(body: Any, allowed: set[str]) -> dict[str, str]:
    if not isinstance(body, dict):
        raise Invalid("Send a JSON object", {"_body": "expected a JSON object"})
    return {name: "unknown field" for name in sorted(set(body) - allowed)}


def create_cca(session: Session, body: Any) -> CCA:
    """Add a cadre controlling authority."""
    fields = _reject_unknown(body, {"code", "name", "approval_required"})
    code = _text(body, "code", 32, fields)
    name = _text(body, "name", 200, fields)
    approval_required = body.get("approval_required", True)
    if not isinstance(approval_required, bool):
        fields["approval_required"] = "true or false"
    if fields:
        raise Invalid("The CCA has errors", fields)
    if session.get(CCA, code) is not None:
        raise Conflict(f"CCA {code} exists")
    cca = CCA(code=code, name=name, approval_required=approval_required)
    session.add(cca)
    session.flush()
    return cca


def create_course(session: Session, body: Any) -> Course:
    """Add a course to the catalogue."""
    fields = _reject_unknown(body, {"code", "title", "prerequisites"})
    code = _text(body, "code", 16, fields)
    title = _text(body, "title", 200, fields)
    prerequisites = body.get("prerequisites", "")
    if not isinstance(prerequisites, str) or len(prerequisites) > 2000:
        fields["prerequisites"] = "Text of at most 2000 characters"
    if fields:
        raise Invalid("The course has errors", fields)
    if session.get(Course, code) is not None:
        raise Conflict(f"course {code} exists")
    course = Course(code=code, title=title, prerequisites=prerequisites)
    session.add(course)
    session.flush()
    return course


def create_course_run(session: Session, body: Any) -> CourseRun:
    """Add a run; its dates must be in order (closes <= starts < ends)."""
    fields = _reject_unknown(
        body, {"course", "starts_on", "registration_closes_on", "ends_on", "reimbursement_cap_usd"}
    )
    course = body.get("course")
    if not isinstance(course, str) or session.get(Course, course) is None:
        fields["course"] = "No such course"
    dates = {}
    for name in ("starts_on", "registration_closes_on", "ends_on"):
        parsed = parse_date(body.get(name))
        if parsed is None:
            fields[name] = "Enter a date as YYYY-MM-DD"
        else:
            dates[name] = parsed
    if len(dates) == 3:
        if dates["registration_closes_on"] > dates["starts_on"]:
            fields["registration_closes_on"] = "Registration must close on or before the start date"
        if dates["ends_on"] <= dates["starts_on"]:
            fields["ends_on"] = "The run must end after it starts"
    cap = _cap(body.get("reimbursement_cap_usd", 100), fields)
    if fields:
        raise Invalid("The course run has errors", fields)
    run = CourseRun(course_code=course, reimbursement_cap_usd=cap, **dates)
    session.add(run)
    session.flush()
    return run


def _cap(value: Any, fields: dict[str, str]) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fields["reimbursement_cap_usd"] = "A positive amount in USD"
        return Decimal(0)
    try:
        cap = Decimal(str(value))
    except InvalidOperation:
        fields["reimbursement_cap_usd"] = "A positive amount in USD"
        return Decimal(0)
    if not cap.is_finite() or cap <= 0 or cap > 100000:
        fields["reimbursement_cap_usd"] = "A positive amount in USD"
    return cap
