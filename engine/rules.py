"""The programme's rules (DOMAIN.md, "Eligibility"), one pure function each.

Script tasks in the BPMN processes call these through the sandbox, and the web UI shows
their reasons to officers and approvers, so every result carries a sentence a person can
read, whether the rule passed or failed. Dates in those sentences are DD-MM-YYYY, as GIGW
asks; the inputs and the JSON that `check_eligibility` returns keep ISO dates.

Nothing here reads the clock, the database or the network: what changes over time (run
dates, the reimbursement cap) comes in as arguments, so each rule can be tested alone and
changed in one place.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from engine import amounts
from engine.i18n import AND, N_, Message, joined
from engine.statuses import LIVE_STATUSES, STATUS_LABELS

SERVICES: Mapping[str, str] = {
    "IAS": N_("Indian Administrative Service"),
    "IPS": N_("Indian Police Service"),
    "IFoS": N_("Indian Forest Service"),
    "CCS_A": N_("Group 'A' Central Civil Service"),
    "CSS_A": N_("Central Secretariat Service (Group 'A')"),
    "CSSS_A": N_("Central Secretariat Stenographers Service (Group 'A')"),
    "SCS": N_("State Administrative/Civil Service"),
    "OTHER": N_("Other service"),
}
"""Service codes of API.md and the names people read; OTHER is accepted at registration."""

SERVICE_NAMES_HI: Mapping[str, str] = {
    "IAS": "भारतीय प्रशासनिक सेवा",
    "IPS": "भारतीय पुलिस सेवा",
    "IFoS": "भारतीय वन सेवा",
    "CCS_A": "समूह 'क' केंद्रीय सिविल सेवा",
    "CSS_A": "केंद्रीय सचिवालय सेवा (समूह 'क')",
    "CSSS_A": "केंद्रीय सचिवालय आशुलिपिक सेवा (समूह 'क')",
    "SCS": "राज्य प्रशासनिक/सिविल सेवा",
    "OTHER": "अन्य सेवा",
}
"""The services' names in Hindi, for the texts a process writes in both languages (its
notifications and instructions): a process has no catalogue. The same as the Hindi
catalogue's (a test compares them)."""

ELIGIBLE_SERVICES: tuple[str, ...] = (
    "IAS",
    "IPS",
    "IFoS",
    "CCS_A",
    "CSS_A",
    "CSSS_A",
    "SCS",
)
"""The services named in paragraph 7.1 of the memorandum, in the memorandum's order."""

UPPER_AGE_LIMIT = 56
MINIMUM_CERTIFICATE_GRADE = 50.0
PAYMENT_TOLERANCE = 0.02
"""How far the rupees paid may be from the USD claimed x the exchange rate before a person
must confirm the difference (2 %: bank charges and the rate of the day, not a wrong amount)."""
EXAM_RESULTS: tuple[str, ...] = ("passed", "failed", "absent")


@dataclass(frozen=True)
class RuleResult:
    """The outcome of one rule, with the sentence that explains it either way."""

    rule: str
    passed: bool
    reason: str
    """The sentence in English; an engine.i18n.Text (keeping its Message) when built by `_result`."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON-friendly form stored in task data and returned by the API: `reason` in
        English and, when known, `reason_message` (engine.i18n.Message.to_json) for pages
        that show it in the reader's language."""
        result: dict[str, Any] = {"rule": self.rule, "passed": self.passed, "reason": str(self.reason)}
        message = getattr(self.reason, "message", None)
        if isinstance(message, Message):
            result["reason_message"] = message.to_json()
        return result


def _result(rule: str, passed: bool, message: Message) -> RuleResult:
    return RuleResult(rule, passed, message.text())


def check_service(service: str) -> RuleResult:
    """Pass for the services of memorandum 7.1; any other code, OTHER included, fails.

    The reason names services by name, never by code (people read it).
    """
    if service in ELIGIBLE_SERVICES:
        return _result(
            "service", True, Message(N_("%(service)s is an eligible service"), {"service": _service(service)})
        )
    if service in SERVICES:
        refusal = Message(N_("%(service)s is not an eligible service"), {"service": _service(service)})
    else:
        refusal = Message(N_("'%(service)s' is not a recognised service"), {"service": service})
    eligible = joined([_service(code) for code in ELIGIBLE_SERVICES])
    return _result(
        "service",
        False,
        Message(N_("%(refusal)s; the programme is open to: %(eligible)s"), {"refusal": refusal, "eligible": eligible}),
    )


def check_length_of_service(date_of_joining: date, run_starts_on: date) -> RuleResult:
    """Pass when the run starts on or after 31 December of the second year after joining.

    The memorandum counts two years "from the end of the calendar year of joining"; the
    product reads that as: joined in year Y, eligible from 31 December of Y+2 (DOMAIN.md).
    So the day of joining within the year does not matter.
    """
    year = date_of_joining.year
    eligible_from = date(year + 2, 12, 31)
    rule = Message(
        N_("joined %(year)s: eligible for runs starting %(day)s or later"),
        {"year": str(year), "day": _show(eligible_from)},
    )
    if run_starts_on >= eligible_from:
        return _result("length_of_service", True, rule)
    return _result(
        "length_of_service",
        False,
        Message(N_("%(rule)s; this run starts %(day)s"), {"rule": rule, "day": _show(run_starts_on)}),
    )


def check_age(
    date_of_birth: date,
    run_starts_on: date,
    upper_age_limit: int = UPPER_AGE_LIMIT,
) -> RuleResult:
    """Pass when the officer's age on 1 July of the run's year is at most the limit.

    Age is counted in completed years, and a year is completed on the birthday itself
    (as in the Indian Majority Act: an age is attained at the beginning of the
    anniversary), so an officer born on 1 July turns a year older on that 1 July.
    """
    on = date(run_starts_on.year, 7, 1)
    age = completed_years(date_of_birth, on)
    params: dict[str, str | int | float | Message] = {"age": age, "day": _show(on), "limit": upper_age_limit}
    if age <= upper_age_limit:
        return _result(
            "age", True, Message(N_("aged %(age)s on %(day)s: within the upper age limit of %(limit)s"), params)
        )
    return _result("age", False, Message(N_("aged %(age)s on %(day)s: over the upper age limit of %(limit)s"), params))


def completed_years(date_of_birth: date, on: date) -> int:
    """Whole years lived on `on`, counting the birthday itself as completing a year.

    Compares (month, day) pairs rather than building this year's birthday, so a birthday
    on 29 February needs no special case (and cannot raise in a non-leap year): it falls
    before 1 March, as it should.
    """
    before_birthday = (on.month, on.day) < (date_of_birth.month, date_of_birth.day)
    return on.year - date_of_birth.year - (1 if before_birthday else 0)


def check_timeliness(applied_on: date, registration_closes_on: date) -> RuleResult:
    """Pass when the application is made on or before the run's registration last date."""
    params = {"applied": _show(applied_on), "last": _show(registration_closes_on)}
    if applied_on <= registration_closes_on:
        return _result(
            "timeliness",
            True,
            Message(N_("applied %(applied)s, on or before the registration last date %(last)s"), params),
        )
    return _result(
        "timeliness", False, Message(N_("applied %(applied)s, after the registration last date %(last)s"), params)
    )


def check_no_duplicates(
    course: str, other_applications: Sequence[Mapping[str, Any]], title: str | None = None
) -> RuleResult:
    """Fail when another application for the course is live or has earned its certificate.

    Applications for the same course that ended without a certificate (not approved,
    lapsed, withdrawn, ...) do not count: the officer may try again. The reason names the
    course by `title` when given (people read it), else by its code.
    """
    name = title or course
    problems: list[Message] = []
    for other in other_applications:
        if other.get("course") != course:
            continue
        if other.get("certified"):
            problems.append(Message(N_("you have already earned the certificate for %(name)s"), {"name": name}))
        elif other.get("status") in LIVE_STATUSES:
            problems.append(
                Message(
                    N_("your application for %(name)s is still under way (%(status)s)"),
                    {"name": name, "status": _readable_status(other.get("status"))},
                )
            )
    if problems:
        return _result("no_duplicates", False, joined(problems))
    return _result(
        "no_duplicates",
        True,
        Message(N_("no other application of yours for %(name)s is under way or certified"), {"name": name}),
    )


def check_eligibility(
    officer: Mapping[str, Any],
    course_run: Mapping[str, Any],
    applied_on: str | date,
    other_applications: Sequence[Mapping[str, Any]],
) -> dict[str, Any]:
    """Run every eligibility rule and report all of them, as JSON-friendly data.

    Every rule runs even after one fails, so an ineligible officer sees every reason at
    once instead of fixing one and being refused for the next. Another live application
    for a different course only warns: the memorandum encourages one course at a time
    but does not forbid more.
    """
    starts_on = _as_date(course_run["starts_on"])
    course = str(course_run["course"])
    title = course_run.get("course_title")
    checks = [
        check_service(str(officer["service"])),
        check_length_of_service(_as_date(officer["date_of_joining"]), starts_on),
        check_age(_as_date(officer["date_of_birth"]), starts_on),
        check_timeliness(_as_date(applied_on), _as_date(course_run["registration_closes_on"])),
        check_no_duplicates(course, other_applications, str(title) if title else None),
    ]
    return {
        "eligible": all(check.passed for check in checks),
        "reasons": [str(check.reason) for check in checks if not check.passed],
        "checks": [check.as_dict() for check in checks],
        "warnings": _one_course_at_a_time_warnings(course, other_applications),
        "warning_messages": [message.to_json() for message in _warning_messages(course, other_applications)],
    }


def check_certificate(final_grade: float, proctored_exam: str) -> dict[str, Any]:
    """Certificate earned iff the final grade is at least 50 and the proctored exam passed.

    Both conditions come from paragraph 9(vii) of the memorandum; when both fail, both are
    named, so the officer is not told only half the story.
    """
    grade_ok = final_grade >= MINIMUM_CERTIFICATE_GRADE
    exam_ok = proctored_exam == "passed"
    params = {"grade": _number(final_grade), "minimum": _number(MINIMUM_CERTIFICATE_GRADE)}
    if grade_ok and exam_ok:
        message = Message(
            N_("final grade %(grade)s%% (%(minimum)s%% or more) and the proctored exam passed: certificate earned"),
            params,
        )
        return {"passed": True, "reason": message.english()}
    problems = []
    if not grade_ok:
        problems.append(Message(N_("final grade %(grade)s%% is below %(minimum)s%%"), params))
    if not exam_ok:
        problems.append(_exam_problem(proctored_exam))
    message = Message(N_("%(problems)s: no certificate"), {"problems": joined(problems, AND)})
    return {"passed": False, "reason": message.english()}


def check_claim(amount_paid_usd: float, cap_usd: float, already_reimbursed_for_course: bool) -> RuleResult:
    """Pass when 0 < amount <= the run's cap and the course was never reimbursed before.

    The cap is an argument because DoPT sets it per run (USD 100 by default; the fee rose
    to USD 175 in 2022 while reimbursement did not).
    """
    problems: list[Message] = []
    if not math.isfinite(amount_paid_usd) or amount_paid_usd <= 0:
        problems.append(Message(N_("the amount paid must be more than USD 0")))
    elif amount_paid_usd > cap_usd:
        problems.append(
            Message(
                N_("%(amount)s is more than the reimbursement limit of %(cap)s for this course run"),
                {"amount": _usd(amount_paid_usd), "cap": _usd(cap_usd)},
            )
        )
    if already_reimbursed_for_course:
        problems.append(Message(N_("the fee for this course has already been reimbursed to you")))
    if problems:
        return _result("claim", False, joined(problems))
    return _result(
        "claim",
        True,
        Message(
            N_("%(amount)s claimed, within the reimbursement limit of %(cap)s"),
            {"amount": _usd(amount_paid_usd), "cap": _usd(cap_usd)},
        ),
    )


def check_payment_amount(amount_usd: float, exchange_rate: float, amount_inr: float) -> RuleResult:
    """Pass when the INR paid is within PAYMENT_TOLERANCE (2 %) of USD claimed x exchange rate.

    `exchange_rate` is INR per USD. A larger difference is not refused outright: the form
    asks the person to confirm it (engine/forms.py), since a sanction may round or deduct.
    """
    expected = amount_usd * exchange_rate
    if not all(math.isfinite(value) and value > 0 for value in (amount_usd, exchange_rate, amount_inr)):
        return RuleResult("payment_amount", False, "the amounts and the rate must be more than 0")
    difference = abs(amount_inr - expected) / expected
    shown = f"INR {amount_inr:,.2f} for {_usd(amount_usd)} at {_number(exchange_rate)}"
    if difference > PAYMENT_TOLERANCE:
        return RuleResult(
            "payment_amount",
            False,
            f"{shown} differs by {difference:.1%} from INR {expected:,.2f} (more than {PAYMENT_TOLERANCE:.0%})",
        )
    return RuleResult("payment_amount", True, f"{shown}: within {PAYMENT_TOLERANCE:.0%} of INR {expected:,.2f}")


def check_paid_on(paid_on: str | date, today: date) -> RuleResult:
    """Pass when the date of payment is not after `today` (the day in India when it is recorded)."""
    day = _as_date(paid_on)
    if day > today:
        return _result(
            "paid_on",
            False,
            Message(N_("%(day)s is in the future (today is %(today)s)"), {"day": _show(day), "today": _show(today)}),
        )
    return _result("paid_on", True, Message(N_("paid on %(day)s"), {"day": _show(day)}))


def _one_course_at_a_time_warnings(course: str, other_applications: Sequence[Mapping[str, Any]]) -> list[str]:
    """The warnings in English (see _warning_messages)."""
    return [message.english() for message in _warning_messages(course, other_applications)]


def warning_messages(result: Mapping[str, Any]) -> list[Message]:
    """The warnings of a `check_eligibility` result as Messages, from its stored
    `warning_messages` (JSON) when there, else the English texts as they are."""
    stored = result.get("warning_messages")
    if isinstance(stored, list) and stored:
        return [Message.from_json(item) for item in stored]
    return [Message(str(text).replace("%", "%%")) for text in result.get("warnings") or []]


def _warning_messages(course: str, other_applications: Sequence[Mapping[str, Any]]) -> list[Message]:
    """One warning per other course with a live application, in the order given, naming the
    course by its title where the application carries one."""
    courses: dict[str, str] = {}
    for other in other_applications:
        other_course = other.get("course")
        if other_course != course and other.get("status") in LIVE_STATUSES and other_course not in courses:
            courses[str(other_course)] = str(other.get("course_title") or other_course)
    warning = N_(
        "another application of yours is under way (%(name)s); officers are encouraged to take one course at a time"
    )
    return [Message(warning, {"name": name}) for name in courses.values()]


def _exam_problem(proctored_exam: str) -> Message:
    if proctored_exam == "failed":
        return Message(N_("the proctored exam was not passed (failed)"))
    if proctored_exam == "absent":
        return Message(N_("the proctored exam was not taken (absent)"))
    return Message(
        N_("the proctored exam result '%(result)s' is not one of %(results)s"),
        {"result": proctored_exam, "results": ", ".join(EXAM_RESULTS)},
    )


def _service(code: str) -> Message:
    return Message(SERVICES[code])


def _as_date(value: str | date) -> date:
    """Accept a `date` (a `datetime` is cut to its day) or an ISO date string."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _show(day: date) -> str:
    """Dates as people in India read them (GIGW): DD-MM-YYYY."""
    return day.strftime("%d-%m-%Y")


def _number(value: float) -> str:
    """72.0 as '72' and 49.99 as '49.99', without float noise."""
    return format(value, ".15g")


def _usd(amount: float) -> str:
    return amounts.usd(amount)


def _readable_status(status: Any) -> Message:
    return Message(STATUS_LABELS.get(str(status)) or str(status).replace("_", " "))
