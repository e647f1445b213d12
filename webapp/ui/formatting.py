"""How numbers, amounts, dates and times look to people, formatted by Babel for the reader's
locale (`en_IN` or `hi_IN`).

GIGW asks for dates as DD-MM-YYYY (in both languages) and amounts with their currency:
rupees with Indian digit grouping (`₹1,00,000.00`), dollars with the currency code
(`USD 100.00`). Times are shown in India Standard Time, the programme's clock. The API
keeps ISO dates; only pages use these.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from babel.dates import format_date, format_datetime
from babel.numbers import format_currency, format_decimal
from flask import Flask
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from engine.models import Course, CourseRun
from engine.rules import warning_messages
from webapp.ui import labels
from webapp.ui.i18n import data_text, page_language, render

DATE_PATTERN = "dd-MM-yyyy"
DAY_FORMAT = "%d-%m-%Y"
"""DD-MM-YYYY for strftime: how a date a person typed is shown back to them."""
MOMENT_PATTERN = "dd-MM-yyyy HH:mm"
# Indian grouping in both languages: the hi_IN and en_IN patterns use it already.
USD_PATTERN = "¤¤ #,##,##0.00"


def day(value: date | datetime | str | None) -> str:
    """DD-MM-YYYY (a datetime is read in India time); an ISO string is read first (task data
    holds dates as strings), and any other string is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return str(value)
    if isinstance(value, datetime):
        value = value.astimezone(get_timezone())
    return str(format_date(value, DATE_PATTERN, locale=get_locale()))


def run_name(run: CourseRun | None) -> str:
    """A course run in words, by the month it starts: "March 2027 run" (never its number)."""
    if run is None:
        return ""
    month = format_date(run.starts_on, "LLLL yyyy", locale=get_locale())
    return str(_("%(month)s run", month=month))


def moment(value: datetime | str | None) -> str:
    """DD-MM-YYYY HH:MM IST: an aware datetime in India Standard Time. An ISO string (a timer's
    deadline in process data) is read first, a naive one as UTC; any other string is shown as it is."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        text = value
        try:
            value = datetime.fromisoformat(text)
        except ValueError:
            return text
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
    shown = format_datetime(value, MOMENT_PATTERN, tzinfo=get_timezone(), locale=get_locale())
    return str(_("%(moment)s IST", moment=shown))


def usd(amount: float | Decimal | None) -> str:
    """USD 100.00."""
    if amount is None:
        return ""
    return str(format_currency(Decimal(str(amount)), "USD", USD_PATTERN, locale=get_locale(), currency_digits=False))


def inr(amount: float | Decimal | None) -> str:
    """₹1,00,000.00."""
    if amount is None:
        return ""
    return str(format_currency(Decimal(str(amount)), "INR", locale=get_locale()))


def month(key: str) -> str:
    """A month given as YYYY-MM, by name: "July 2027" (in Hindi, जुलाई 2027)."""
    try:
        first = date.fromisoformat(f"{key}-01")
    except ValueError:
        return key
    return str(format_date(first, "LLLL yyyy", locale=get_locale()))


def number(value: int | float | Decimal | None) -> str:
    """A count or quantity with the locale's grouping (1,00,000)."""
    if value is None:
        return ""
    return str(format_decimal(value, locale=get_locale()))


def init_app(app: Flask) -> None:
    """Make the filters and labels available to every template."""
    app.jinja_env.filters.update(
        day=day,
        moment=moment,
        usd=usd,
        inr=inr,
        number=number,
        status_label=labels.status_label,
        task_title=labels.task_title,
        task_heading=labels.task_heading,
        lane_name=labels.lane_name,
        service_name=labels.service_name,
        role_name=labels.role_name,
        run_name=run_name,
        process_name=labels.process_name,
        coupon_state=labels.coupon_state_label,
        coupon_state_of=labels.coupon_state_of,
        exam_result=labels.exam_result,
        message=render,
        month=month,
        data_text=data_text,
        reason=rule_reason,
        course_title=course_title,
        course_prerequisites=course_prerequisites,
    )
    app.jinja_env.globals.update(
        status_tone=labels.status_tone,
        status_explanation=labels.status_explanation,
        history_line=labels.history_line,
        held_up_text=labels.held_up_text,
        eligibility_warnings=eligibility_warnings,
        stops_nothing=labels.stops_nothing,
    )


def rule_reason(check: Mapping[str, Any]) -> str:
    """A rule's reason (engine.rules.RuleResult.as_dict) in the reader's language: its
    `reason_message` when stored, else the English `reason` as it is."""
    stored = check.get("reason_message")
    if isinstance(stored, Mapping):
        return render(stored)
    return str(check.get("reason") or "")


def eligibility_warnings(result: Mapping[str, Any]) -> list[str]:
    """The warnings of an eligibility result (engine.rules.check_eligibility) in the reader's language."""
    return [render(message) for message in warning_messages(result)]


def course_title(course: Course) -> str:
    """The course's title in the reader's language: its Hindi title on pages in Hindi, when it has one."""
    return course.title_hi if course.title_hi and page_language() == "hi" else course.title


def course_prerequisites(course: Course) -> str:
    """The course's prerequisites in the reader's language ("" for none)."""
    return course.prerequisites_hi if course.prerequisites_hi and page_language() == "hi" else course.prerequisites
