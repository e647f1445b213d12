"""What scripts may call: the rules, and side effects written into the step's transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import amounts, rules
from engine.models import Application, Coupon, Notification, User, UserRole
from engine.sandbox import SandboxError

NOTIFIABLE_ROLES = ("cca_approver", "dopt", "course_team", "finance")


class ScriptHost:
    """Helpers bound to one application and one step; every write joins the step's session."""

    def __init__(self, session: Session, application: Application, actor: str, now: datetime) -> None:
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

    def notify_officer(self, subject: str, body: str) -> None:
        """Tell the applicant something."""
        self._notify([self.application.officer_id], subject, body)

    def notify_role(self, role: str, subject: str, body: str) -> None:
        """Tell every holder of a role; CCA approvers only of the application's CCA."""
        if role not in NOTIFIABLE_ROLES:
            raise SandboxError(f"cannot notify role '{role}'")
        query = select(User.id).join(UserRole).where(UserRole.role == role)
        if role == "cca_approver":
            query = query.where(User.cca_code == self.application.cca_code)
        self._notify(list(self.session.scalars(query)), subject, body)

    def _notify(self, user_ids: list[int], subject: str, body: str) -> None:
        for user_id in user_ids:
            self.session.add(
                Notification(
                    recipient_id=user_id,
                    at=self.now,
                    subject=str(subject)[:255],
                    body=str(body),
                    application_id=self.application.id,
                )
            )
