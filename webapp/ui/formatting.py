"""How dates, times and amounts look to people (GIGW: DD-MM-YYYY, amounts with currency).

The API keeps ISO dates; only pages use these. Times are shown in India Standard Time,
the programme's clock.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import Flask

from engine.services.applications import INDIA
from webapp.ui import labels


def day(value: date | datetime | str | None) -> str:
    """DD-MM-YYYY; an ISO string is read first (task data holds dates as strings)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10]).strftime("%d-%m-%Y")
        except ValueError:
            return value
    if isinstance(value, datetime):
        value = value.astimezone(INDIA)
    return value.strftime("%d-%m-%Y")


def moment(value: datetime | None) -> str:
    """DD-MM-YYYY HH:MM IST."""
    if value is None:
        return ""
    return value.astimezone(INDIA).strftime("%d-%m-%Y %H:%M IST")


def usd(amount: float | Decimal | None) -> str:
    """USD 100.00."""
    if amount is None:
        return ""
    return f"USD {Decimal(str(amount)):,.2f}"


def inr(amount: float | Decimal | None) -> str:
    """₹ 8,300.00 (INR)."""
    if amount is None:
        return ""
    return f"₹ {Decimal(str(amount)):,.2f} (INR)"


def init_app(app: Flask) -> None:
    """Make the filters and labels available to every template."""
    app.jinja_env.filters.update(
        day=day,
        moment=moment,
        usd=usd,
        inr=inr,
        status_label=labels.status_label,
        task_title=labels.task_title,
        service_name=labels.service_name,
    )
    app.jinja_env.globals.update(
        status_tone=labels.status_tone,
        status_explanation=labels.status_explanation,
        history_line=labels.history_line,
    )
