"""Reimbursement payments finance recorded: the ledger, written by the step that records them."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.applications import Application
from engine.models.reference import CourseRun
from engine.models.types import UTCDateTime, utcnow


class Payment(Base):
    """One reimbursement paid to an officer's bank account; one per application, ever.

    The beneficiary and the bank details are copied from the claim as paid, so the ledger
    stays what the bank was told even if a profile changes later. Amounts are exact
    decimals: USD as claimed, INR as paid (two decimals), the rate in INR per USD.
    `paid_on` is the day of payment in India.
    """

    __tablename__ = "payments"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("applications.id"), unique=True)
    course_run_id: Mapped[int] = mapped_column(ForeignKey("course_runs.id"), index=True)
    beneficiary_name: Mapped[str] = mapped_column(String(200))
    bank_account_number: Mapped[str] = mapped_column(String(18))
    ifsc: Mapped[str] = mapped_column(String(11))
    amount_usd: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    amount_inr: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    exchange_rate: Mapped[Decimal] = mapped_column(Numeric(12, 4))
    sanction_number: Mapped[str] = mapped_column(String(64))
    paid_on: Mapped[date] = mapped_column(Date, index=True)
    reference: Mapped[str] = mapped_column(String(64))
    difference_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    application: Mapped[Application] = relationship(lazy="joined")
    course_run: Mapped[CourseRun] = relationship(lazy="joined")
