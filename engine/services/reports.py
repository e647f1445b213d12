"""DoPT's reports, each computed by GROUP BY queries over the tables (never a workflow's state).

Every function takes `cca`: None for every CCA's figures, or the code of the one CCA whose
figures alone are counted (a CCA approver's; engine.access.report_scope says which). Who
may read which report is engine.access.can_read_report's to say; these functions count.
Times are aware UTC datetimes; amounts are Decimal with two places.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, distinct, func, select
from sqlalchemy.orm import Session, aliased

from engine.models import CCA, Application, AuditEntry, Coupon, Course, CourseRun, HumanTask, Officer, Payment, User
from engine.services.catalogue import AnySelect, count_of

CENT = Decimal("0.01")
# A claim is approved once DoPT's verification approved it (the application then waits for
# the payment), and paid once finance recorded the payment (reimbursed).
APPROVED_STATUSES = ("awaiting_payment", "reimbursed")
PAID_STATUS = "reimbursed"
# Age of pending work in whole days: (label, fewest days, most days or None).
AGE_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-7", 0, 7),
    ("8-14", 8, 14),
    ("15-30", 15, 30),
    ("over 30", 31, None),
)


@dataclass(frozen=True)
class Figure:
    """One row of a count: the code counted (status, course code, CCA code), its name, how many."""

    key: str
    name: str
    count: int


@dataclass(frozen=True)
class RunFigure:
    """Applications of one course run."""

    run_id: int
    course_code: str
    course_title: str
    starts_on: date
    count: int


@dataclass(frozen=True)
class Summary:
    """Applications by status, course, run and CCA, and how many in all."""

    total: int
    by_status: list[Figure]
    by_course: list[Figure]
    by_run: list[RunFigure]
    by_cca: list[Figure]


@dataclass(frozen=True)
class PendingTask:
    """Open user tasks of one kind (the BPMN task id), by age in whole days, and the oldest."""

    name: str
    total: int
    by_age: tuple[int, ...]
    oldest_at: datetime | None


@dataclass(frozen=True)
class CouponPool:
    """A run's coupon codes: how many were uploaded, given to officers, left."""

    run_id: int
    course_code: str
    course_title: str
    starts_on: date
    total: int
    given: int
    left: int


@dataclass(frozen=True)
class MoneyFigure:
    """Claims approved by DoPT and paid by finance for one run or one course (USD claimed, INR paid)."""

    key: str
    course_code: str
    course_title: str
    starts_on: date | None
    approved: int
    approved_usd: Decimal
    paid: int
    paid_usd: Decimal
    paid_inr: Decimal


@dataclass(frozen=True)
class Money:
    """The money figures by run and by course, and in all."""

    by_run: list[MoneyFigure]
    by_course: list[MoneyFigure]
    total: MoneyFigure


@dataclass(frozen=True)
class DfftOfficer:
    """An officer certified in every course of the catalogue (DFFT priority)."""

    username: str
    full_name: str
    service: str
    cca_code: str
    cca_name: str
    courses: list[str]


def _scoped(query: AnySelect, cca: str | None) -> AnySelect:
    return query if cca is None else query.where(Application.cca_code == cca)


def summary(session: Session, cca: str | None) -> Summary:
    """Applications by status, course (every course of the catalogue, 0 where none), run and CCA."""
    by_status = [
        Figure(str(status), str(status), int(n))
        for status, n in session.execute(
            _scoped(select(Application.status, func.count(Application.id)), cca)
            .group_by(Application.status)
            .order_by(Application.status)
        )
    ]
    on = Application.course_code == Course.code
    course_query = (
        select(Course.code, Course.title, func.count(Application.id))
        .outerjoin(Application, on if cca is None else and_(on, Application.cca_code == cca))
        .group_by(Course.code, Course.title)
        .order_by(Course.code)
    )
    by_course = [Figure(str(code), str(title), int(n)) for code, title, n in session.execute(course_query)]
    run_query = _scoped(
        select(CourseRun.id, CourseRun.course_code, Course.title, CourseRun.starts_on, func.count(Application.id))
        .join(Application, Application.course_run_id == CourseRun.id)
        .join(Course, Course.code == CourseRun.course_code),
        cca,
    ).group_by(CourseRun.id, CourseRun.course_code, Course.title, CourseRun.starts_on)
    by_run = [
        RunFigure(int(run_id), str(code), str(title), starts_on, int(n))
        for run_id, code, title, starts_on, n in session.execute(
            run_query.order_by(CourseRun.starts_on.desc(), CourseRun.course_code, CourseRun.id)
        )
    ]
    cca_query = _scoped(
        select(Application.cca_code, func.coalesce(CCA.name, Application.cca_code), func.count(Application.id))
        .outerjoin(CCA, CCA.code == Application.cca_code)
        .group_by(Application.cca_code, CCA.name),
        cca,
    ).order_by(Application.cca_code)
    by_cca = [Figure(str(code), str(name), int(n)) for code, name, n in session.execute(cca_query)]
    return Summary(sum(figure.count for figure in by_status), by_status, by_course, by_run, by_cca)


def pending_work(session: Session, cca: str | None, now: datetime) -> list[PendingTask]:
    """Open user tasks by task, with how many are 0-7, 8-14, 15-30 and over 30 whole days old at
    `now`, and when the oldest opened; the task with most waiting first."""
    counts = [
        func.sum(case((_age_between(HumanTask.created_at, now, low, high), 1), else_=0))
        for _label, low, high in AGE_BUCKETS
    ]
    query = select(HumanTask.name, func.count(HumanTask.id), func.min(HumanTask.created_at), *counts).where(
        HumanTask.state == "open"
    )
    if cca is not None:
        query = query.join(Application, Application.id == HumanTask.application_id).where(Application.cca_code == cca)
    rows = session.execute(query.group_by(HumanTask.name)).all()
    found = [
        PendingTask(str(row[0]), int(row[1]), tuple(int(n or 0) for n in row[3:]), row[2] if row[1] else None)
        for row in rows
    ]
    return sorted(found, key=lambda task: (-task.total, task.name))


def _age_between(opened: Any, now: datetime, low: int, high: int | None) -> Any:
    """Opened `low` to `high` whole days before `now` (both included; no upper end when None).

    The youngest bucket has no lower end, so that a task stamped a moment after `now` (another
    server's clock) is still counted.
    """
    newest = opened > now - timedelta(days=high + 1) if high is not None else None
    if low == 0:
        return newest
    oldest = opened <= now - timedelta(days=low)
    return oldest if newest is None else and_(oldest, newest)


def coupon_pools(session: Session, limit: int | None, offset: int) -> tuple[list[CouponPool], int]:
    """Every run's coupon pool (runs without codes show 0), the latest run first: a page of them
    (every one when `limit` is None) and how many runs there are."""
    query = (
        select(
            CourseRun.id,
            CourseRun.course_code,
            Course.title,
            CourseRun.starts_on,
            func.count(Coupon.id),
            func.count(Coupon.application_id),
        )
        .join(Course, Course.code == CourseRun.course_code)
        .outerjoin(Coupon, Coupon.course_run_id == CourseRun.id)
        .group_by(CourseRun.id, CourseRun.course_code, Course.title, CourseRun.starts_on)
    )
    page = query.order_by(CourseRun.starts_on.desc(), CourseRun.course_code, CourseRun.id).limit(limit).offset(offset)
    pools = [
        CouponPool(int(run_id), str(code), str(title), starts_on, int(total), int(given), int(total) - int(given))
        for run_id, code, title, starts_on, total, given in session.execute(page)
    ]
    return pools, count_of(session, select(CourseRun.id))


def claims(cca: str | None) -> AnySelect:
    """The approved claims, one row each: application_id, course_run_id, course_code, paid (bool),
    amount_usd (what the officer claimed) and amount_inr (what finance paid, None until paid).

    The one place the money report reads claims from. Approval comes from the application's
    status (awaiting_payment: approved; reimbursed: paid); a paid claim's figures from the
    payments ledger (engine.models.Payment, written by the step that records the payment); an
    unpaid claim's amount from the audit of its last `submit_claim` completion
    (engine.services.tasks.AUDITED_FIGURES), the only place it is kept before payment.
    """
    claimed = aliased(AuditEntry)
    last_claim = _last_completion("submit_claim")
    query = (
        select(
            Application.id.label("application_id"),
            Application.course_run_id,
            Application.course_code,
            (Application.status == PAID_STATUS).label("paid"),
            func.coalesce(Payment.amount_usd, claimed.detail["amount_paid_usd"].as_numeric(12, 2)).label("amount_usd"),
            Payment.amount_inr.label("amount_inr"),
        )
        .outerjoin(last_claim, last_claim.c.application_id == Application.id)
        .outerjoin(claimed, claimed.id == last_claim.c.entry_id)
        .outerjoin(Payment, Payment.application_id == Application.id)
        .where(Application.status.in_(APPROVED_STATUSES))
    )
    return _scoped(query, cca)


def _last_completion(task: str) -> Any:
    return (
        select(AuditEntry.application_id, func.max(AuditEntry.id).label("entry_id"))
        .where(AuditEntry.task == task, AuditEntry.action == "completed")
        .group_by(AuditEntry.application_id)
        .subquery()
    )


def money(session: Session, cca: str | None) -> Money:
    """Claims approved and paid, with USD claimed and INR paid, by run, by course and in all.

    One GROUP BY query by run; a course's figures and the totals are the sums of its runs'.
    """
    rows = claims(cca).subquery()
    query = (
        select(
            CourseRun.id,
            CourseRun.course_code,
            Course.title,
            CourseRun.starts_on,
            func.count(rows.c.application_id),
            func.coalesce(func.sum(rows.c.amount_usd), 0),
            func.sum(case((rows.c.paid, 1), else_=0)),
            func.coalesce(func.sum(case((rows.c.paid, rows.c.amount_usd), else_=0)), 0),
            func.coalesce(func.sum(case((rows.c.paid, rows.c.amount_inr), else_=0)), 0),
        )
        .join(CourseRun, CourseRun.id == rows.c.course_run_id)
        .join(Course, Course.code == CourseRun.course_code)
        .group_by(CourseRun.id, CourseRun.course_code, Course.title, CourseRun.starts_on)
        .order_by(CourseRun.starts_on.desc(), CourseRun.course_code, CourseRun.id)
    )
    by_run = [_money(str(row[0]), row[1], row[2], row[3], row[4:]) for row in session.execute(query)]
    courses: dict[str, list[MoneyFigure]] = {}
    for figure in by_run:
        courses.setdefault(figure.course_code, []).append(figure)
    by_course = [_sum(code, figures[0].course_title, figures) for code, figures in sorted(courses.items())]
    return Money(by_run, by_course, _sum("total", "", by_run))


def _sum(key: str, title: str, figures: list[MoneyFigure]) -> MoneyFigure:
    return MoneyFigure(
        key=key,
        course_code=key if title else "",
        course_title=title,
        starts_on=None,
        approved=sum(f.approved for f in figures),
        approved_usd=sum((f.approved_usd for f in figures), Decimal(0)),
        paid=sum(f.paid for f in figures),
        paid_usd=sum((f.paid_usd for f in figures), Decimal(0)),
        paid_inr=sum((f.paid_inr for f in figures), Decimal(0)),
    )


def _money(key: str, code: str, title: str, starts_on: date | None, sums: Any) -> MoneyFigure:
    approved, approved_usd, paid, paid_usd, paid_inr = sums
    return MoneyFigure(
        key=key,
        course_code=str(code),
        course_title=str(title),
        starts_on=starts_on,
        approved=int(approved or 0),
        approved_usd=_cents(approved_usd),
        paid=int(paid or 0),
        paid_usd=_cents(paid_usd),
        paid_inr=_cents(paid_inr),
    )


def _cents(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(CENT)


def dfft_priority(session: Session, cca: str | None, limit: int | None, offset: int) -> tuple[list[DfftOfficer], int]:
    """Officers certified in every course of the catalogue, by name: a page of them (all when
    `limit` is None) and how many in all.

    A CCA approver's list holds the officers of their CCA (the officer's CCA now).
    """
    catalogue = select(func.count(Course.code)).scalar_subquery()
    certified = (
        select(Application.officer_id)
        .where(Application.certified.is_(True))
        .group_by(Application.officer_id)
        .having(func.count(distinct(Application.course_code)) >= catalogue)
    )
    query = (
        select(User.id, User.username, Officer.full_name, Officer.service, Officer.cca_code, CCA.name)
        .join(Officer, Officer.user_id == User.id)
        .outerjoin(CCA, CCA.code == Officer.cca_code)
        .where(User.id.in_(certified))
    )
    if cca is not None:
        query = query.where(Officer.cca_code == cca)
    page = session.execute(query.order_by(Officer.full_name, User.username).limit(limit).offset(offset)).all()
    courses: dict[int, list[str]] = {int(row[0]): [] for row in page}
    for officer_id, code in session.execute(
        select(Application.officer_id, Application.course_code)
        .where(Application.certified.is_(True), Application.officer_id.in_(list(courses)))
        .distinct()
        .order_by(Application.course_code)
    ):
        courses[int(officer_id)].append(str(code))
    officers = [
        DfftOfficer(str(username), str(name), str(service), str(code), str(cca_name or code), courses[int(user_id)])
        for user_id, username, name, service, code, cca_name in page
    ]
    return officers, count_of(session, query)
