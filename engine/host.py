"""What scripts may call: the rules, and side effects written into the step's transaction.

Coupons are written at once; messages are collected (engine/notices.py) and written when
the step is saved, so that one event makes one message (engine/notifications.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine import amounts, rules
from engine.models import Application, Coupon, Payment
from engine.notices import NoticeBox
from engine.sandbox import SandboxError

_ACCOUNT = re.compile(r"[0-9]{9,18}")
_IFSC = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
_CENTS = Decimal("0.01")


def payment_values(
    *,
    sanction_number: Any,
    paid_on: Any,
    amount_inr: Any,
    exchange_rate: Any,
    reference: Any,
    amount_usd: Any,
    bank_account_number: Any,
    ifsc: Any,
    difference_confirmed: Any = False,
) -> dict[str, Any]:
    """The columns of a Payment from what a script passes to `record_payment`, checked.

    Amounts become exact decimals (INR rounded half up to paise); `paid_on` an ISO date.
    Raises SandboxError naming the argument that is missing or wrong: the step fails and
    becomes an incident (or the scenario fails), rather than writing a wrong ledger row.
    """
    values: dict[str, Any] = {}
    for name, text, limit in (
        ("sanction_number", sanction_number, 64),
        ("reference", reference, 64),
    ):
        if not isinstance(text, str) or not text.strip() or len(text) > limit:
            raise SandboxError(f"record_payment: {name} must be a text of 1 to {limit} characters")
        values[name] = text.strip()
    for name, number in (("amount_inr", amount_inr), ("exchange_rate", exchange_rate), ("amount_usd", amount_usd)):
        if isinstance(number, bool) or not isinstance(number, int | float) or not math.isfinite(number) or number <= 0:
            raise SandboxError(f"record_payment: {name} must be a number more than 0")
        values[name] = Decimal(str(number))
    values["amount_inr"] = values["amount_inr"].quantize(_CENTS, rounding=ROUND_HALF_UP)
    try:
        values["paid_on"] = date.fromisoformat(str(paid_on))
    except ValueError as error:
        raise SandboxError("record_payment: paid_on must be a date as YYYY-MM-DD") from error
    if not isinstance(bank_account_number, str) or not _ACCOUNT.fullmatch(bank_account_number):
        raise SandboxError("record_payment: bank_account_number must be 9 to 18 digits")
    if not isinstance(ifsc, str) or not _IFSC.fullmatch(ifsc):
        raise SandboxError("record_payment: ifsc must be 4 letters, 0, then 6 letters or digits")
    values["bank_account_number"], values["ifsc"] = bank_account_number, ifsc
    values["difference_confirmed"] = difference_confirmed is True
    return values


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
            "record_payment": self.record_payment,
        }

    def assign_coupon(self) -> str | None:
        """Give the application an unused code from its run's pool (never a voided one); None
        when none is left.

        SKIP LOCKED lets concurrent confirmations take different codes on PostgreSQL;
        SQLite serialises writers, so the same query is safe there too.
        """
        if self.application.coupon_code:
            return self.application.coupon_code
        coupon = self.session.scalars(
            select(Coupon)
            .where(
                Coupon.course_run_id == self.application.course_run_id,
                Coupon.application_id.is_(None),
                Coupon.voided_at.is_(None),
            )
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

    def record_payment(self, **arguments: Any) -> None:
        """Write the payment of this application's claim into the ledger, in the step's transaction.

        Keyword arguments as `payment_values` takes them; the beneficiary is the officer. One
        payment per application, ever: a second call fails the step.
        """
        values = payment_values(**arguments)
        paid = self.session.scalars(select(Payment.id).where(Payment.application_id == self.application.id)).first()
        if paid is not None:
            raise SandboxError(f"record_payment: application {self.application.id} has been paid already")
        profile = self.application.officer.officer
        self.session.add(
            Payment(
                application_id=self.application.id,
                course_run_id=self.application.course_run_id,
                beneficiary_name=profile.full_name if profile else self.application.officer.username,
                recorded_by=self.actor,
                recorded_at=self.now,
                **values,
            )
        )
