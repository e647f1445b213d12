"""Finance's side of reimbursement: claims waiting for payment, and the ledger of payments.

The queue is the open user tasks of the Finance lane (in the shipped processes, "Record
payment" of claims DoPT approved), with the amount each one pays from the task's summary
(the `taskSummary` property of its diagram), so a page of the queue loads no instance.
The ledger is the `payments` table, which the step recording a payment writes (the
`record_payment` script helper, engine/host.py). Dates are days in India.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from engine.access import may_view_payments, require
from engine.errors import Invalid
from engine.lanes import LANE_ROLES
from engine.models import Application, CourseRun, HumanTask, Payment, User
from engine.services.process_data import tasks_data

FINANCE_ROLE = LANE_ROLES["Finance"]
NO_ACCESS = "Only finance and DoPT may see payments"


@dataclass(frozen=True)
class QueueRow:
    """A claim waiting for payment: the task that records it, its application, and the claim."""

    task: HumanTask
    application: Application
    officer_name: str
    claimed_usd: float | None
    days_waiting: int


@dataclass(frozen=True)
class Total:
    """Payments counted and summed: of a month (`key` YYYY-MM), of a run (`key` its id, `run`
    the run), or of all (`key` "all")."""

    key: str
    count: int
    usd: Decimal
    inr: Decimal
    run: CourseRun | None = None

    def as_json(self) -> dict[str, Any]:
        found = {"key": self.key, "count": self.count, "usd": float(self.usd), "inr": float(self.inr)}
        if self.run is not None:
            found |= {"course": self.run.course_code, "starts_on": self.run.starts_on.isoformat()}
        return found


@dataclass(frozen=True)
class LedgerTotals:
    """The ledger's totals by month of payment, by course run, and overall."""

    by_month: list[Total]
    by_run: list[Total]
    overall: Total

    def as_json(self) -> dict[str, Any]:
        return {
            "by_month": [total.as_json() for total in self.by_month],
            "by_run": [total.as_json() for total in self.by_run],
            "overall": self.overall.as_json(),
        }


def payment_queue(session: Session, user: User, now: datetime, limit: int, offset: int) -> tuple[list[QueueRow], int]:
    """A page of the claims waiting for payment, oldest first, and how many there are."""
    require(may_view_payments(user), NO_ACCESS)
    waiting = (HumanTask.state == "open", HumanTask.role == FINANCE_ROLE)
    tasks = list(
        session.scalars(
            select(HumanTask).where(*waiting).order_by(HumanTask.created_at, HumanTask.id).limit(limit).offset(offset)
        )
    )
    total = int(session.scalar(select(func.count(HumanTask.id)).where(*waiting)) or 0)
    applications = {
        application.id: application
        for application in session.scalars(
            select(Application).where(Application.id.in_({task.application_id for task in tasks}))
        )
    }
    # The diagram's taskSummary carries the claim; a task opened before it did is read from its data.
    data = tasks_data(session, [task for task in tasks if task.summary is None])
    rows = []
    for task in tasks:
        application = applications.get(task.application_id or 0)
        if application is None:
            continue
        claimed = (task.summary if task.summary is not None else data[task.id]).get("amount_paid_usd")
        profile = application.officer.officer
        rows.append(
            QueueRow(
                task=task,
                application=application,
                officer_name=profile.full_name if profile else application.officer.username,
                claimed_usd=float(claimed) if isinstance(claimed, int | float) else None,
                days_waiting=max((now - task.created_at).days, 0),
            )
        )
    return rows, total


def ledger(
    session: Session, user: User, start: date | None, end: date | None, limit: int | None, offset: int = 0
) -> tuple[list[Payment], int]:
    """Payments made between `start` and `end` (both included; None: no bound), in the order
    paid, and how many there are. `limit` None gives them all (for exports)."""
    require(may_view_payments(user), NO_ACCESS)
    within = _within(start, end)
    query = select(Payment).where(*within).order_by(Payment.paid_on, Payment.id).offset(offset)
    if limit is not None:
        query = query.limit(limit)
    total = int(session.scalar(select(func.count(Payment.id)).where(*within)) or 0)
    return list(session.scalars(query)), total


def ledger_totals(session: Session, user: User, start: date | None, end: date | None) -> LedgerTotals:
    """Totals of the payments between `start` and `end`: by month paid, by run, and overall."""
    require(may_view_payments(user), NO_ACCESS)
    within = _within(start, end)
    months: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0), Decimal(0)])
    by_day = session.execute(
        select(Payment.paid_on, func.count(Payment.id), func.sum(Payment.amount_usd), func.sum(Payment.amount_inr))
        .where(*within)
        .group_by(Payment.paid_on)
    )
    # Grouped by day in SQL (the same on every database), folded into months here.
    for paid_on, count, usd, inr in by_day:
        month = months[paid_on.strftime("%Y-%m")]
        month[0] += int(count)
        month[1] += Decimal(usd)
        month[2] += Decimal(inr)
    by_month = [Total(key, count, _cents(usd), _cents(inr)) for key, (count, usd, inr) in sorted(months.items())]
    by_run_rows = session.execute(
        select(CourseRun, func.count(Payment.id), func.sum(Payment.amount_usd), func.sum(Payment.amount_inr))
        .join(CourseRun, CourseRun.id == Payment.course_run_id)
        .where(*within)
        .group_by(CourseRun.id)
        .order_by(CourseRun.starts_on, CourseRun.course_code, CourseRun.id)
    )
    by_run = [
        Total(str(run.id), int(count), _cents(Decimal(usd)), _cents(Decimal(inr)), run)
        for run, count, usd, inr in by_run_rows
    ]
    overall = Total(
        "all",
        sum(total.count for total in by_month),
        _cents(sum((total.usd for total in by_month), Decimal(0))),
        _cents(sum((total.inr for total in by_month), Decimal(0))),
    )
    return LedgerTotals(by_month, by_run, overall)


def payments_of(session: Session, application_ids: list[int]) -> dict[int, Payment]:
    """The payment of each application that has one, in one query."""
    query = select(Payment).where(Payment.application_id.in_(application_ids))
    return {payment.application_id: payment for payment in session.scalars(query)}


def payment_json(payment: Payment) -> dict[str, Any]:
    """A payment as the API shows it on an application and in the ledger."""
    return {
        "id": payment.id,
        "application_id": payment.application_id,
        "course_run_id": payment.course_run_id,
        "sanction_number": payment.sanction_number,
        "paid_on": payment.paid_on.isoformat(),
        "amount_inr": float(payment.amount_inr),
        "exchange_rate": float(payment.exchange_rate),
        "amount_usd": float(payment.amount_usd),
        "reference": payment.reference,
        "difference_confirmed": payment.difference_confirmed,
        "recorded_by": payment.recorded_by,
        "recorded_at": payment.recorded_at.isoformat(),
    }


REVERSED = "The end date must not be before the start date"
"""The reason `date_range` gives when `from` is after `to`."""


def date_range(start: Any, end: Any) -> tuple[date | None, date | None]:
    """`from` and `to` of a ledger query (YYYY-MM-DD, or empty for no bound).

    Raises Invalid naming each bad field, and when `from` is after `to`.
    """
    fields: dict[str, str] = {}
    bounds: list[date | None] = []
    for name, value in (("from", start), ("to", end)):
        if value is None or value == "":
            bounds.append(None)
            continue
        try:
            bounds.append(date.fromisoformat(str(value)) if len(str(value)) == 10 else None)
        except ValueError:
            bounds.append(None)
        if bounds[-1] is None:
            fields[name] = "Enter a date as YYYY-MM-DD"
    first, last = bounds
    if first is not None and last is not None and first > last:
        fields["to"] = REVERSED
    if fields:
        raise Invalid("The dates are not valid", fields)
    return first, last


def _within(start: date | None, end: date | None) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if start is not None:
        conditions.append(Payment.paid_on >= start)
    if end is not None:
        conditions.append(Payment.paid_on <= end)
    return conditions


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(Decimal("0.01"))
