"""A run's pool of coupon codes: what is left, what waits for a code, and the alert when too few
are left.

The course team must hear when a run's unused codes fall below the applications of that run
waiting for DoPT's confirmation or for a coupon, before officers wait on an empty pool. Every
step that moves an application into or out of those statuses, every upload and every void
looks again (`watch_pool`); the alert row's flag makes it one message per fall.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from engine.i18n import N_, Message
from engine.models import Application, Coupon, CouponPoolAlert, CourseRun, Notification, User, UserRole
from engine.notifications import queue_mail

WAITING_FOR_A_CODE: tuple[str, ...] = ("awaiting_dopt_confirmation", "awaiting_coupon")
"""The statuses (API.md) of applications that will need a code from their run's pool."""


@dataclass(frozen=True)
class PoolCounts:
    """A run's codes: total, given (assigned to an application), voided, and unused (the rest)."""

    total: int
    given: int
    voided: int
    waiting: int

    @property
    def unused(self) -> int:
        return self.total - self.given - self.voided

    @property
    def low(self) -> bool:
        """Fewer unused codes than applications waiting for one."""
        return self.unused < self.waiting


def pool_counts(session: Session, run_ids: list[int]) -> dict[int, PoolCounts]:
    """The counts of several runs in two queries; runs without codes count zeros."""
    totals: dict[int, list[int]] = {run_id: [0, 0, 0] for run_id in run_ids}
    rows = session.execute(
        select(
            Coupon.course_run_id,
            func.count(Coupon.id),
            func.count(Coupon.application_id),
            func.count(Coupon.voided_at),
        )
        .where(Coupon.course_run_id.in_(run_ids))
        .group_by(Coupon.course_run_id)
    )
    for run_id, total, given, voided in rows:
        totals[run_id] = [int(total), int(given), int(voided)]
    waiting = dict.fromkeys(run_ids, 0)
    waiting_rows = session.execute(
        select(Application.course_run_id, func.count(Application.id))
        .where(Application.course_run_id.in_(run_ids), Application.status.in_(WAITING_FOR_A_CODE))
        .group_by(Application.course_run_id)
    )
    for run_id, count in waiting_rows:
        waiting[run_id] = int(count)
    return {
        run_id: PoolCounts(totals[run_id][0], totals[run_id][1], totals[run_id][2], waiting[run_id])
        for run_id in run_ids
    }


def watch_pool(session: Session, run_id: int, now: datetime) -> bool:
    """Look at a run's pool after a change; tell the course team when it has just fallen low.

    Returns True when this call sent the message. The flip of the alert row is one
    conditional UPDATE, so of two steps that see the pool fall at once, only one tells.
    """
    counts = _run_counts(session, run_id)
    flipped = session.execute(_flip_alert(session, run_id, counts.low, now)).first() is not None
    if not counts.low or not flipped:
        return False
    _tell_course_team(session, run_id, counts, now)
    return True


def is_pool_watched(old_status: str | None, new_status: str | None) -> bool:
    """True when a change of status can change whether a run's pool is low."""
    return old_status != new_status and (old_status in WAITING_FOR_A_CODE or new_status in WAITING_FOR_A_CODE)


def _run_counts(session: Session, run_id: int) -> PoolCounts:
    """One run's counts in one statement (a step looks at its run's pool on every status move)."""
    coupons = (
        select(
            func.count(Coupon.id).label("total"),
            func.count(Coupon.application_id).label("given"),
            func.count(Coupon.voided_at).label("voided"),
        )
        .where(Coupon.course_run_id == run_id)
        .subquery()
    )
    waiting = (
        select(func.count(Application.id))
        .where(Application.course_run_id == run_id, Application.status.in_(WAITING_FOR_A_CODE))
        .scalar_subquery()
    )
    total, given, voided, waiting_count = session.execute(
        select(coupons.c.total, coupons.c.given, coupons.c.voided, waiting)
    ).one()
    return PoolCounts(int(total), int(given), int(voided), int(waiting_count))


def _flip_alert(session: Session, run_id: int, low: bool, now: datetime) -> Any:
    """The run's alert row made `low`, in one statement: inserted when missing, updated only
    when it changes. It returns the row when it was made or changed (the row count of an
    upsert is not reported by every driver); of two steps that see the pool fall at once, the
    second waits on the row and then finds nothing to change."""
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(CouponPoolAlert).values(course_run_id=run_id, low=low, changed_at=now)
    return statement.on_conflict_do_update(
        index_elements=[CouponPoolAlert.course_run_id],
        set_={"low": statement.excluded.low, "changed_at": statement.excluded.changed_at},
        where=CouponPoolAlert.low != statement.excluded.low,
    ).returning(CouponPoolAlert.course_run_id)


def _tell_course_team(session: Session, run_id: int, counts: PoolCounts, now: datetime) -> None:
    """One message (and its mail) to each course team member, in their own language."""
    run = session.get_one(CourseRun, run_id)
    params: dict[str, str | int] = {
        "course": run.course.title,
        "starts": run.starts_on.strftime("%d-%m-%Y"),
        "unused": counts.unused,
        "waiting": counts.waiting,
    }
    subject = Message(N_("Coupon pool low: %(course)s, run starting %(starts)s"), params)
    body = Message(
        N_(
            "The run of %(course)s starting %(starts)s has %(unused)s unused coupon codes for %(waiting)s "
            "applications waiting for DoPT's confirmation or for a coupon. Please upload more codes on the "
            "coupon pool page."
        ),
        params,
    )
    recipients = session.scalars(select(User).join(UserRole).where(UserRole.role == "course_team", User.active))
    for user in recipients:
        notification = Notification(
            recipient_id=user.id,
            at=now,
            subject=subject.english()[:255],
            body=body.english(),
            catalogue={"subject": subject.to_json(), "body": body.to_json()},
        )
        session.add(notification)
        session.flush()
        queue_mail(session, user, notification, now)
