"""Reference data: CCAs, courses and course runs (DoPT maintains them; processes read them)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from engine.errors import Conflict, Invalid, NotFound
from engine.i18n import N_, Message
from engine.models import CCA, Course, CourseRun, User
from engine.services.people import parse_date

COURSE_CODE = re.compile(r"^[A-Z0-9-]{2,16}$")

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

COURSES_2019_HI: dict[str, tuple[str, str]] = {
    "CGP": ("वैश्विक निर्धनता की चुनौतियाँ", "कोई नहीं, यद्यपि व्याख्यानों में कुछ गणित का प्रयोग होता है"),
    "DRRE": ("यादृच्छिक मूल्यांकनों की रूपरेखा और संचालन", "कोई नहीं, यद्यपि व्याख्यानों में कुछ गणित का प्रयोग होता है"),
    "DASS": ("सामाजिक वैज्ञानिकों के लिए डेटा विश्लेषण", "हाई-स्कूल स्तर का कलन (कैलकुलस)"),
    "MICRO": ("व्यष्टि अर्थशास्त्र के सिद्धांत", "प्रारंभिक कलन (कैलकुलस)"),
    "FDP": (
        "विकास नीति की नींव",
        "हाई-स्कूल स्तर का कलन (कैलकुलस); बुनियादी सांख्यिकी या अर्थमिति; प्रारंभिक व्यष्टि अर्थशास्त्र",
    ),
}
"""The 2019 courses' titles and prerequisites in Hindi (Course.title_hi, prerequisites_hi)."""

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
            title_hi, prerequisites_hi = COURSES_2019_HI[code]
            session.add(
                Course(
                    code=code,
                    title=title,
                    prerequisites=prerequisites,
                    title_hi=title_hi,
                    prerequisites_hi=prerequisites_hi,
                )
            )
    for code, name, approval_required in STARTER_CCAS:
        if session.get(CCA, code) is None:
            session.add(CCA(code=code, name=name, approval_required=approval_required))
    session.flush()


def run_summary(run: CourseRun) -> dict[str, Any]:
    """A run as JSON-friendly data (ISO dates, amounts as numbers, `closed` true once closed)."""
    return {
        "id": run.id,
        "course": run.course_code,
        "starts_on": run.starts_on.isoformat(),
        "registration_closes_on": run.registration_closes_on.isoformat(),
        "ends_on": run.ends_on.isoformat(),
        "exam_starts_on": run.exam_starts_on.isoformat() if run.exam_starts_on else None,
        "exam_ends_on": run.exam_ends_on.isoformat() if run.exam_ends_on else None,
        "fee_usd": float(run.fee_usd if run.fee_usd is not None else DEFAULT_FEE_USD),
        "reimbursement_cap_usd": float(run.reimbursement_cap_usd),
        "closed": run.closed_at is not None,
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
    """Add a course to the catalogue (`code`, `title`, `prerequisites`, and optionally their
    Hindi versions `title_hi`, `prerequisites_hi`).

    Raises Invalid naming each bad field, Conflict when the code exists.
    """
    fields = _reject_unknown(body, {"code", "title", "prerequisites", *HINDI_COURSE_FIELDS})
    code = _text(body, "code", 16, fields)
    if code and not COURSE_CODE.match(code):
        fields["code"] = N_("Use 2 to 16 capital letters, digits or '-'")
    title = _text(body, "title", 200, fields)
    prerequisites = _prerequisites(body.get("prerequisites", ""), fields)
    hindi = _hindi(body, fields)
    if fields:
        raise Invalid(N_("The course has errors"), fields)
    if session.get(Course, code) is not None:
        raise Conflict(f"course {code} exists")
    course = Course(code=code, title=title, prerequisites=prerequisites, **hindi)
    session.add(course)
    session.flush()
    return course


def update_course(session: Session, code: str, body: Any) -> Course:
    """Change a course's `title`, `prerequisites`, `title_hi` and/or `prerequisites_hi` (the
    code stays: applications name it).

    Raises NotFound, Invalid naming each bad field.
    """
    course = session.get(Course, code)
    if course is None:
        raise NotFound(f"course {code} not found")
    fields = _reject_unknown(body, {"title", "prerequisites", *HINDI_COURSE_FIELDS})
    if "title" in body:
        title = _text(body, "title", 200, fields)
    if "prerequisites" in body:
        prerequisites = _prerequisites(body["prerequisites"], fields)
    hindi = _hindi(body, fields)
    if fields:
        raise Invalid(N_("The course has errors"), fields)
    for name, value in hindi.items():
        setattr(course, name, value)
    if "title" in body:
        course.title = title
    if "prerequisites" in body:
        course.prerequisites = prerequisites
    session.flush()
    return course


HINDI_COURSE_FIELDS = ("title_hi", "prerequisites_hi")
"""The optional Hindi versions of a course's texts (empty: pages in Hindi show the English)."""


def _hindi(body: Mapping[str, Any], fields: dict[str, str]) -> dict[str, str]:
    """The Hindi texts given in `body`, checked: a title of at most 200 characters, prerequisites
    of at most 2000; a bad one is named in `fields`."""
    given: dict[str, str] = {}
    for name, limit in zip(HINDI_COURSE_FIELDS, (200, 2000), strict=True):
        if name not in body:
            continue
        value = body[name]
        if value is None:
            value = ""
        if not isinstance(value, str) or len(value) > limit:
            fields[name] = Message(N_("Text of at most %(count)s characters"), {"count": limit}).text()
            continue
        given[name] = value.strip()
    return given


def _prerequisites(value: Any, fields: dict[str, str]) -> str:
    if not isinstance(value, str) or len(value) > 2000:
        fields["prerequisites"] = N_("Text of at most 2000 characters")
        return ""
    return value.strip()


RUN_FIELDS = (
    "course",
    "starts_on",
    "registration_closes_on",
    "ends_on",
    "exam_starts_on",
    "exam_ends_on",
    "fee_usd",
    "reimbursement_cap_usd",
)
RUN_DATES = ("starts_on", "registration_closes_on", "ends_on")
EXAM_DATES = ("exam_starts_on", "exam_ends_on")
DEFAULT_FEE_USD = Decimal("100")
DEFAULT_CAP_USD = Decimal("100")
# The years a run's dates may fall in: far enough either way for any real run, near enough that
# the day after a run's end (its result due date) is a date.
RUN_FIRST_YEAR = 2000
RUN_LAST_YEAR = 2100
# An amount as people type it: digits, and at most two decimals after a point (no exponent).
PLAIN_AMOUNT = re.compile(r"^[0-9]+(\.[0-9]{1,2})?$")


def create_course_run(session: Session, body: Any) -> CourseRun:
    """Add a run (API.md: `course`, `starts_on`, `registration_closes_on`, `ends_on`; optional
    `exam_starts_on`, `exam_ends_on`, `fee_usd` and `reimbursement_cap_usd`, each default 100).

    Dates are ISO strings (YYYY-MM-DD); the rules are those of `_checked_run`. Raises Invalid
    naming every bad field.
    """
    fields = _reject_unknown(body, set(RUN_FIELDS))
    values = _checked_run(session, dict(body), fields)
    run = CourseRun(**values)
    session.add(run)
    session.flush()
    return run


def update_course_run(session: Session, run_id: int, body: Any) -> CourseRun:
    """Change some fields of a run (the same fields and rules as creating it, but not the course).

    Applications already made keep what they hold: their process has its copy of the run
    (dates, and the timer that waits for the run's end) and the application its cap, so a
    changed date or cap applies to applications made after the change. Raises NotFound,
    Conflict (the run is closed) or Invalid naming every bad field.
    """
    run = session.get(CourseRun, run_id)
    if run is None:
        raise NotFound(f"course run {run_id} not found")
    if run.closed_at is not None:
        raise Conflict(N_("the course run is closed; a closed run is kept as it was"))
    fields = _reject_unknown(body, set(RUN_FIELDS) - {"course"})
    merged = run_summary(run) | dict(body)
    values = _checked_run(session, merged, fields)
    for name, value in values.items():
        setattr(run, name, value)
    session.flush()
    return run


def course_run_problems(session: Session, body: dict[str, Any], run: CourseRun | None = None) -> dict[str, str]:
    """What is wrong with a run's values by the rules of create_course_run (or, given `run`,
    of update_course_run), field by field, without writing; {} when nothing is.

    For forms that show every problem at once, their own and the engine's.
    """
    fields: dict[str, str] = {}
    merged = dict(body) if run is None else run_summary(run) | dict(body)
    try:
        _checked_run(session, merged, fields)
    except Invalid as error:
        return error.fields
    return {}


def close_course_run(session: Session, user: User, run_id: int, now: datetime) -> CourseRun:
    """Close a run to new applications (its applications go on to their end), once.

    Raises NotFound, Conflict when it is already closed.
    """
    run = session.get(CourseRun, run_id)
    if run is None:
        raise NotFound(f"course run {run_id} not found")
    if run.closed_at is not None:
        raise Conflict(N_("the course run is already closed"))
    run.closed_at = now
    run.closed_by = user.username
    session.flush()
    return run


def _checked_run(session: Session, body: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    """The run's values from a body; every bad field named in `fields` (then Invalid is raised).

    Rules: every date lies in the years 2000 to 2100; registration closes on or before the
    start; the run ends after it starts; an exam window is given whole or not at all, opens
    after the run starts and closes on or after it opens; the fee and the cap are amounts in
    USD above 0 and at most 100000, written as plain decimals (digits, then at most two
    decimals after a point).
    """
    course = body.get("course")
    if not isinstance(course, str) or session.get(Course, course) is None:
        fields["course"] = N_("No such course")
    dates: dict[str, date | None] = {}
    for name in RUN_DATES:
        dates[name] = parse_date(body.get(name))
        if dates[name] is None:
            fields[name] = N_("Enter a date as YYYY-MM-DD")
    for name in EXAM_DATES:
        value = body.get(name)
        dates[name] = None if value in (None, "") else parse_date(value)
        if value not in (None, "") and dates[name] is None:
            fields[name] = N_("Enter a date as YYYY-MM-DD")
    for name, day in dates.items():
        if day is not None and not RUN_FIRST_YEAR <= day.year <= RUN_LAST_YEAR:
            fields[name] = N_("Choose a date in the years 2000 to 2100")
            dates[name] = None
    starts, closes, ends = dates["starts_on"], dates["registration_closes_on"], dates["ends_on"]
    if starts and closes and closes > starts:
        fields["registration_closes_on"] = N_("Registration must close on or before the start date")
    if starts and ends and ends <= starts:
        fields["ends_on"] = N_("The run must end after it starts")
    _check_exam_window(body, dates, fields)
    fee = _amount(body.get("fee_usd"), DEFAULT_FEE_USD, "fee_usd", fields)
    cap = _amount(body.get("reimbursement_cap_usd"), DEFAULT_CAP_USD, "reimbursement_cap_usd", fields)
    if fields:
        raise Invalid(N_("The course run has errors"), fields)
    return {"course_code": course, **dates, "fee_usd": fee, "reimbursement_cap_usd": cap}


def _check_exam_window(body: dict[str, Any], dates: dict[str, date | None], fields: dict[str, str]) -> None:
    opens, closes, starts = dates["exam_starts_on"], dates["exam_ends_on"], dates["starts_on"]
    given = [name for name in EXAM_DATES if body.get(name) not in (None, "")]
    if len(given) == 1:
        missing = next(name for name in EXAM_DATES if name not in given)
        fields.setdefault(missing, N_("Give both days of the exam window, or neither"))
        return
    if opens and starts and opens <= starts:
        fields.setdefault("exam_starts_on", N_("The exam window opens after the run starts"))
    if opens and closes and closes < opens:
        fields.setdefault("exam_ends_on", N_("The exam window closes on or after the day it opens"))


def _amount(value: Any, default: Decimal, name: str, fields: dict[str, str]) -> Decimal:
    """An amount in USD above 0 and at most 100000 (None: the default), a plain decimal."""
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        fields[name] = N_("A positive amount in USD")
        return default
    if isinstance(value, str) and not PLAIN_AMOUNT.match(value.strip()):
        fields[name] = N_("Write the amount in digits, with at most two decimals after a point (e.g. 100 or 99.50)")
        return default
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        fields[name] = N_("A positive amount in USD")
        return default
    if not amount.is_finite() or amount <= 0 or amount > 100000:
        fields[name] = N_("A positive amount in USD, at most 100000")
    elif amount != amount.quantize(Decimal("0.01")):
        fields[name] = N_("At most two decimals")
    return amount
