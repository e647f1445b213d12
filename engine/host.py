"""What scripts may call: the rules, and side effects written into the step's transaction.

Coupons are written at once; messages are collected (engine/notices.py) and written when
the step is saved, so that one event makes one message (engine/notifications.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import amounts, rules
from engine.models import Application, Coupon
from engine.notices import NoticeBox


class ScriptHost(NoticeBox):
    """Helpers bound to one application and one step; every write joins the step's session.

    The messages scripts send wait in `notices` (NoticeBox) for the step's save.
    """

    def __init__(self, session: Session, application: Application, actor: str, now: datetime) -> None:
        super().__init__()
        self.session = session
        self.application = application
        self.actor = actor
        self.now = now

    def helpers(self) -> dict[str, Callable[..., Any]]:
        """The names scripts see, and nothing else."""
        return {
            "check_eligibility": rules.check_eligibility,
            "check_certificate": rules.check_certificate,
            "assign_coupon": self.assign_coupon,
            "register_coupon": self.register_coupon,
            "notify_officer": self.notify_officer,
            "notify_role": self.notify_role,
            "usd": amounts.usd,
            "inr": amounts.inr,
        }

    def assign_coupon(self) -> str | None:
        """Give the application a code from its run's pool; None when the pool is empty.

        SKIP LOCKED lets concurrent confirmations take different codes on PostgreSQL;
        SQLite serialises writers, so the same query is safe there too.
        """
        if self.application.coupon_code:
            return self.application.coupon_code
        coupon = self.session.scalars(
            select(Coupon)
            .where(Coupon.course_run_id == self.application.course_run_id, Coupon.application_id.is_(None))
            .order_by(Coupon.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if coupon is None:
            return None
        coupon.application_id = self.application.id
        coupon.assigned_at = self.now
        self.application.coupon_code = coupon.code
        return coupon.code

    def register_coupon(self, code: str) -> str:
        """Record a code the course team issued by hand as this application's coupon."""
        self.session.add(
            Coupon(
                code=code,
                course_run_id=self.application.course_run_id,
                application_id=self.application.id,
                added_by=self.actor,
                added_at=self.now,
                assigned_at=self.now,
            )
        )
        self.application.coupon_code = code
        return code
