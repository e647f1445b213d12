"""Timer values: what a timeDate, timeDuration or timeCycle says, and whether it can run.

SpiffWorkflow 3.2.0 evaluates a timer's text as a Python expression, so the ISO 8601
literal other modellers write without quotes (`P7D`, `R3/PT1H`,
`2027-01-15T10:00:00+05:30`) fails when the timer starts. We read such text as the
literal it is (`timer_text`), and check every literal at deploy and every expression's
value when the timer starts (`timer_problem`), against what SpiffWorkflow 3.2.0's
TimerEventDefinition understands. A date-time must carry its offset: without one,
SpiffWorkflow reads it in the server's time zone, so the moment would depend on where
the server runs.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

TimerKind = Literal["timeDate", "timeDuration", "timeCycle"]
TIMER_KINDS: tuple[TimerKind, ...] = ("timeDate", "timeDuration", "timeCycle")

_NUMBER = r"\d+(?:[.,]\d+)?"
_DURATION = re.compile(
    rf"P(?=[\dT])(?:{_NUMBER}Y)?(?:{_NUMBER}M)?(?:{_NUMBER}W)?(?:{_NUMBER}D)?"
    rf"(?:T(?=\d)(?:{_NUMBER}H)?(?:{_NUMBER}M)?(?:{_NUMBER}S)?)?",
    re.IGNORECASE,
)
# Unquoted text that is meant as an ISO 8601 literal, not as a Python expression.
_LITERAL_LIKE = re.compile(r"(?:[+-]?P[\dT.,]|R\d*/|\d)", re.IGNORECASE)
_CRON_FIELD = re.compile(r"[\d*?/,#LW-]+|[A-Z]{3}(?:[-,][A-Z]{3})*", re.IGNORECASE)

_PARTS = "date parts Y, M, W, D come before the T; time parts H, M, S after it"
_DURATION_HINT = f"write an ISO 8601 duration such as P7D, PT12H or P1DT12H ({_PARTS})"
_DATE_HINT = "write a date and time with its UTC offset, e.g. 2027-01-15T10:00:00+05:30 or 2027-01-15T04:30:00Z"
_CYCLE_HINT = (
    "write an ISO 8601 repeating interval, e.g. R3/PT1H (three times, an hour apart), R/P1D (every day), "
    "R5/2027-01-15T09:00:00+05:30/P1D (five days from that moment)"
)
_HINTS: dict[TimerKind, str] = {"timeDate": _DATE_HINT, "timeDuration": _DURATION_HINT, "timeCycle": _CYCLE_HINT}


@dataclass(frozen=True)
class TimerText:
    """A timer's text read: either an ISO 8601 literal (`literal`) or a Python `expression`."""

    literal: str | None
    expression: str | None

    def for_engine(self) -> str:
        """The expression to hand SpiffWorkflow: a literal quoted, an expression as written."""
        return repr(self.literal) if self.literal is not None else str(self.expression)


def timer_text(text: str | None) -> TimerText:
    """Read a timer element's text as a literal (quoted or not) or as an expression.

    A Python string (`"P7D"`), text shaped as an ISO 8601 duration, cycle or date
    (`P7D`, `R3/PT1H`, `2027-01-15T10:00:00+05:30`, also when invalid such as `PT1D`), or a
    cron text is a literal; anything else (`course_run["result_due_at"]`) is an expression
    whose value is known only when the timer starts.
    """
    stripped = (text or "").strip()
    try:
        tree = ast.parse(stripped, mode="eval")
    except SyntaxError:
        tree = None
    if tree is not None and isinstance(tree.body, ast.Constant) and isinstance(tree.body.value, str):
        return TimerText(tree.body.value.strip(), None)
    if not stripped or _LITERAL_LIKE.match(stripped) or _is_cron(stripped):
        return TimerText(stripped, None)
    return TimerText(None, stripped)


def timer_problem(kind: TimerKind, value: object) -> str | None:
    """Why `value` cannot serve as a timer of this kind (with what to write instead), or None.

    `value` is a literal read at deploy or an expression's value when the timer starts.
    """
    if not isinstance(value, str):
        return f"the value {value!r} is a {type(value).__name__}, not text; {_HINTS[kind]}"
    if not value.strip():
        return f"the timer has no value; {_HINTS[kind]}"
    if _is_cron(value):
        return f"'{value}' is a cron expression, which is not supported; {_CYCLE_HINT}"
    if kind == "timeDuration":
        return _duration_problem(value)
    if kind == "timeDate":
        return _date_problem(value)
    return _cycle_problem(value)


def _is_cron(text: str) -> bool:
    fields = text.split()
    return (
        5 <= len(fields) <= 7
        and all(_CRON_FIELD.fullmatch(field) for field in fields)
        and any(re.search(r"[\d*?]", field) for field in fields)
    )


def _duration_problem(value: str, hint: str = _DURATION_HINT) -> str | None:
    if _looks_like_cycle(value):
        return f"'{value}' repeats, but a timeDuration waits once: draw a timeCycle for it, or {hint}"
    if not value.upper().startswith("P") and _date_problem(value) is None:
        return f"'{value}' is a moment, not a duration: draw a timeDate for it, or {hint}"
    if value.startswith(("-", "+")):
        return f"'{value}' is not a duration a timer can wait: {hint}"
    if not _DURATION.fullmatch(value):
        return f"'{value}' is not a valid ISO 8601 duration: {_rearranged(value) or hint}"
    try:
        TimerEventDefinition.parse_iso_duration(value)
    except Exception:  # SpiffWorkflow 3.2.0 raises a bare Exception("Invalid duration").
        return f"'{value}' is not a valid ISO 8601 duration (a fraction is allowed in the last part only): {hint}"
    return None


def _rearranged(value: str) -> str | None:
    """The duration meant, when only the T is misplaced (PT1D for P1D, P2H for PT2H)."""
    days = re.fullmatch(r"PT(\d+)D", value, re.IGNORECASE)
    if days:
        return f"write P{days.group(1)}D ({_PARTS})"
    time = re.fullmatch(r"P(\d+)([HS])", value, re.IGNORECASE)
    if time:
        return f"write PT{time.group(1)}{time.group(2).upper()} ({_PARTS})"
    return None


def _date_problem(value: str) -> str | None:
    if value.upper().startswith("P") or _looks_like_cycle(value):
        return f"'{value}' is not a moment: {_DATE_HINT}, or draw a timeDuration or timeCycle for it"
    if "W" in value.upper():
        return f"'{value}' is a week date, which is not supported: {_DATE_HINT}"
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return f"'{value}' is not an ISO 8601 date and time: {_DATE_HINT}"
    if moment.tzinfo is None:
        example = moment.isoformat() if "T" in value or " " in value else f"{value}T00:00:00"
        return (
            f"'{value}' has no UTC offset, so its moment would depend on the server's time zone: "
            f"write {example}+05:30 (India) or {example}Z (UTC)"
        )
    return None


def _looks_like_cycle(value: str) -> bool:
    return value.upper().startswith("R") and "/" in value


def _cycle_problem(value: str) -> str | None:
    parts = value.split("/")
    if not re.fullmatch(r"R\d*", parts[0], re.IGNORECASE) or len(parts) not in (2, 3):
        return f"'{value}' is not an ISO 8601 repeating interval: {_CYCLE_HINT}"
    moments = [part for part in parts[1:] if not part.upper().startswith("P")]
    durations = [part for part in parts[1:] if part.upper().startswith("P")]
    if len(durations) != 1:
        return f"'{value}' needs exactly one duration (how long between repetitions): {_CYCLE_HINT}"
    for moment in moments:
        problem = _date_problem(moment)
        if problem:
            return f"in '{value}', {problem}"
    problem = _duration_problem(durations[0], _CYCLE_HINT)
    if problem:
        return f"in '{value}', {problem}"
    if not any(char in "123456789" for char in durations[0]):
        return f"in '{value}', the time between repetitions must be longer than zero: {_CYCLE_HINT}"
    try:
        TimerEventDefinition.parse_iso_recurring_interval(value)
    except Exception:  # SpiffWorkflow 3.2.0 raises bare Exceptions here too.
        return f"'{value}' is not a repeating interval SpiffWorkflow can run: {_CYCLE_HINT}"
    return None
