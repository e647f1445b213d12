"""The list of applications with search, filters, sort and paging: one query that the API
(`GET /api/v1/applications`), DoPT's page, the exports and the instance monitor share.

It reads only the columns a list shows (no history, no open tasks, no workflow state) in
one statement, and only the applications the user may see (engine.access). The filters
come from query arguments with the same names everywhere; only the dates differ: ISO
(YYYY-MM-DD) in the API, DD-MM-YYYY on the pages.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, exists, false, func, or_, select
from sqlalchemy.orm import Session

from engine.access import visible_applications
from engine.errors import Invalid
from engine.i18n import N_
from engine.models import CCA, Application, Course, CourseRun, Incident, Officer, User
from engine.services.catalogue import AnySelect
from engine.statuses import ALL_STATUSES

INDIA_TIME = timedelta(hours=5, minutes=30)
SORTS = ("submitted", "updated", "status", "officer")
ORDERS = ("asc", "desc")
# The query arguments the list reads (the same names in the API and on the pages).
FILTER_ARGS = (
    "q",
    "course",
    "course_run_id",
    "cca",
    "status",
    "has_incident",
    "submitted_from",
    "submitted_to",
    "sort",
    "order",
)
MAX_SEARCH = 100  # characters; the message below says so


@dataclass(frozen=True)
class ApplicationFilter:
    """What the list is narrowed to and how it is ordered; every filter optional.

    `search` matches the application id (when it is a number), or part of the officer's
    name, username or edX username (any case). `statuses` keeps applications in any of
    them. `submitted_from`/`submitted_to` are days in India, both included. `officer_id`
    keeps one officer's own (their "My applications"; not a query argument).
    """

    search: str | None = None
    course: str | None = None
    course_run_id: int | None = None
    cca: str | None = None
    statuses: tuple[str, ...] = ()
    has_incident: bool | None = None
    submitted_from: date | None = None
    submitted_to: date | None = None
    sort: str = "submitted"
    order: str = "desc"
    officer_id: int | None = None

    @property
    def narrowed(self) -> bool:
        """True when some filter or search is set (the order aside)."""
        return any(
            value not in (None, ())
            for value in (
                self.search,
                self.course,
                self.course_run_id,
                self.cca,
                self.statuses,
                self.has_incident,
                self.submitted_from,
                self.submitted_to,
            )
        )


@dataclass(frozen=True)
class ApplicationRow:
    """One application as lists and exports show it (times aware, UTC)."""

    id: int
    status: str
    course_code: str
    course_title: str
    course_run_id: int
    run_starts_on: date
    cca_code: str
    cca_name: str
    officer_username: str
    officer_name: str
    service: str | None
    edx_username: str | None
    created_at: datetime
    updated_at: datetime
    has_incident: bool


def application_filter(args: Mapping[str, str], day_first: bool) -> ApplicationFilter:
    """The filter a query string asks for (names in FILTER_ARGS; dates DD-MM-YYYY when
    `day_first`, else YYYY-MM-DD). Raises Invalid naming every argument it cannot use."""
    fields: dict[str, str] = {}
    search = (args.get("q") or "").strip()
    if len(search) > MAX_SEARCH:
        fields["q"] = N_("At most 100 characters")
    run_id = _whole(args.get("course_run_id"), "course_run_id", fields)
    statuses = tuple(part.strip() for part in (args.get("status") or "").split(",") if part.strip())
    unknown = [status for status in statuses if status not in ALL_STATUSES]
    if unknown:
        fields["status"] = N_("Not a status of the programme")
    has_incident = _yes_no(args.get("has_incident"), fields)
    submitted_from = _day(args.get("submitted_from"), "submitted_from", day_first, fields)
    submitted_to = _day(args.get("submitted_to"), "submitted_to", day_first, fields)
    if submitted_from and submitted_to and submitted_to < submitted_from:
        fields["submitted_to"] = N_("The last day comes on or after the first")
    sort = args.get("sort") or "submitted"
    if sort not in SORTS:
        fields["sort"] = N_("One of: submitted, updated, status, officer")
    order = args.get("order") or "desc"
    if order not in ORDERS:
        fields["order"] = N_("asc or desc")
    if fields:
        raise Invalid(N_("Some filters cannot be used"), fields)
    return ApplicationFilter(
        search=search or None,
        course=(args.get("course") or "").strip() or None,
        course_run_id=run_id,
        cca=(args.get("cca") or "").strip() or None,
        statuses=statuses,
        has_incident=has_incident,
        submitted_from=submitted_from,
        submitted_to=submitted_to,
        sort=sort,
        order=order,
    )


def filter_args(filters: ApplicationFilter, day_first: bool) -> dict[str, str]:
    """The query arguments that ask for this filter again (for links: next page, export)."""
    pattern = "%d-%m-%Y" if day_first else "%Y-%m-%d"
    values: dict[str, Any] = {
        "q": filters.search,
        "course": filters.course,
        "course_run_id": filters.course_run_id,
        "cca": filters.cca,
        "status": ",".join(filters.statuses) or None,
        "has_incident": None if filters.has_incident is None else ("1" if filters.has_incident else "0"),
        "submitted_from": filters.submitted_from.strftime(pattern) if filters.submitted_from else None,
        "submitted_to": filters.submitted_to.strftime(pattern) if filters.submitted_to else None,
        "sort": None if filters.sort == "submitted" else filters.sort,
        "order": None if filters.order == "desc" else filters.order,
    }
    return {name: str(value) for name, value in values.items() if value is not None}


def list_application_rows(
    session: Session, user: User, filters: ApplicationFilter, limit: int, offset: int
) -> tuple[list[ApplicationRow], int]:
    """One page of the applications the user may see that match, and how many match in all."""
    query = _query(user, filters)
    rows = [_row(found) for found in session.execute(_ordered(query, filters).limit(limit).offset(offset))]
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)  # the first page holds them all
    return rows, _count(session, user, filters)


def _count(session: Session, user: User, filters: ApplicationFilter) -> int:
    """How many applications match: the list's conditions on the applications table alone.

    The list's inner joins to the officer and the run cannot drop a row (foreign keys, not
    null) and its outer joins cannot add one, so only the search, which reads the officer's
    names, needs them; nor does the count need the incident flag of every row. The course
    (a code without a foreign key) stays joined, as in the list.
    """
    open_incident = exists().where(Incident.application_id == Application.id, Incident.resolved_at.is_(None))
    query = (
        select(func.count(Application.id))
        .join(Course, Course.code == Application.course_code)
        .where(visible_applications(user))
    )
    if filters.search:
        query = query.join(User, User.id == Application.officer_id).outerjoin(
            Officer, Officer.user_id == Application.officer_id
        )
    for condition in _conditions(filters, open_incident):
        query = query.where(condition)
    return int(session.scalar(query) or 0)


def iter_application_rows(session: Session, user: User, filters: ApplicationFilter) -> Iterator[ApplicationRow]:
    """Every matching application, in the list's order, fetched in batches (for exports)."""
    statement = _ordered(_query(user, filters), filters).execution_options(yield_per=1000)
    for found in session.execute(statement):
        yield _row(found)


def _query(user: User, filters: ApplicationFilter) -> AnySelect:
    open_incident = exists().where(Incident.application_id == Application.id, Incident.resolved_at.is_(None))
    query = (
        select(
            Application.id,
            Application.status,
            Application.course_code,
            Course.title.label("course_title"),
            Application.course_run_id,
            CourseRun.starts_on.label("run_starts_on"),
            Application.cca_code,
            CCA.name.label("cca_name"),
            User.username.label("officer_username"),
            Officer.full_name.label("officer_name"),
            Officer.service,
            Officer.edx_username,
            Application.created_at,
            Application.updated_at,
            open_incident.label("has_incident"),
        )
        .join(User, User.id == Application.officer_id)
        .outerjoin(Officer, Officer.user_id == Application.officer_id)
        .join(CourseRun, CourseRun.id == Application.course_run_id)
        .join(Course, Course.code == Application.course_code)
        .outerjoin(CCA, CCA.code == Application.cca_code)
        .where(visible_applications(user))
    )
    for condition in _conditions(filters, open_incident):
        query = query.where(condition)
    return query


def _conditions(filters: ApplicationFilter, open_incident: Any) -> Iterator[ColumnElement[bool]]:
    if filters.search:
        yield _search(filters.search)
    if filters.course:
        yield Application.course_code == filters.course
    if filters.course_run_id is not None:
        yield Application.course_run_id == filters.course_run_id
    if filters.officer_id is not None:
        yield Application.officer_id == filters.officer_id
    if filters.cca:
        yield Application.cca_code == filters.cca
    if filters.statuses:
        yield Application.status.in_(filters.statuses)
    if filters.has_incident is not None:
        yield open_incident if filters.has_incident else ~open_incident
    if filters.submitted_from:
        yield Application.created_at >= _india_midnight(filters.submitted_from)
    if filters.submitted_to:
        yield Application.created_at < _india_midnight(filters.submitted_to + timedelta(days=1))


def _search(text: str) -> ColumnElement[bool]:
    lowered = text.lower()
    by_id = Application.id == int(text) if text.isascii() and text.isdigit() and len(text) <= 9 else false()
    return or_(
        by_id,
        func.lower(Officer.full_name).contains(lowered, autoescape=True),
        func.lower(User.username).contains(lowered, autoescape=True),
        func.lower(Officer.edx_username).contains(lowered, autoescape=True),
    )


def _ordered(query: AnySelect, filters: ApplicationFilter) -> AnySelect:
    column: Any = {
        "submitted": Application.created_at,
        "updated": Application.updated_at,
        "status": Application.status,
        "officer": func.lower(Officer.full_name),
    }[filters.sort]
    if filters.order == "asc":
        return query.order_by(column.asc(), Application.id.asc())
    return query.order_by(column.desc(), Application.id.desc())


def _india_midnight(day: date) -> datetime:
    """The start of a day in India, as an aware UTC time."""
    return datetime.combine(day, time(), tzinfo=UTC) - INDIA_TIME


def _row(found: Any) -> ApplicationRow:
    return ApplicationRow(
        id=int(found.id),
        status=str(found.status),
        course_code=str(found.course_code),
        course_title=str(found.course_title),
        course_run_id=int(found.course_run_id),
        run_starts_on=found.run_starts_on,
        cca_code=str(found.cca_code),
        cca_name=str(found.cca_name or found.cca_code),
        officer_username=str(found.officer_username),
        officer_name=str(found.officer_name or found.officer_username),
        service=found.service,
        edx_username=found.edx_username,
        created_at=found.created_at,
        updated_at=found.updated_at,
        has_incident=bool(found.has_incident),
    )


def _whole(text: str | None, name: str, fields: dict[str, str]) -> int | None:
    if text is None or text.strip() == "":
        return None
    text = text.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 9:
        fields[name] = N_("A whole number")
        return None
    return int(text)


def _yes_no(text: str | None, fields: dict[str, str]) -> bool | None:
    value = (text or "").strip().lower()
    if value == "":
        return None
    if value in ("1", "true", "yes"):
        return True
    if value in ("0", "false", "no"):
        return False
    fields["has_incident"] = N_("1 (yes) or 0 (no)")
    return None


def _day(text: str | None, name: str, day_first: bool, fields: dict[str, str]) -> date | None:
    value = (text or "").strip()
    if not value:
        return None
    parsed = parse_day(value, day_first)
    if parsed is None:
        fields[name] = N_("Enter a date as DD-MM-YYYY") if day_first else N_("Enter a date as YYYY-MM-DD")
    return parsed


def parse_day(value: str, day_first: bool) -> date | None:
    """A date written DD-MM-YYYY (`day_first`, as pages show dates) or YYYY-MM-DD; None when it is not one."""
    if len(value) != 10:
        return None
    try:
        if day_first:
            return datetime.strptime(value, "%d-%m-%Y").date()
        return date.fromisoformat(value)
    except ValueError:
        return None
