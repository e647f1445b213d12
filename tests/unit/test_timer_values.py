"""Timer values: ISO 8601 literals with or without quotes, expressions, and what is refused."""

from __future__ import annotations

import pytest

from engine.timer_values import TimerKind, timer_problem, timer_text


@pytest.mark.parametrize(
    ("text", "literal"),
    [
        ("P7D", "P7D"),
        ('"P7D"', "P7D"),
        ("'PT1H'", "PT1H"),
        ("  R3/PT1H\n", "R3/PT1H"),
        ("2027-01-15T10:00:00+05:30", "2027-01-15T10:00:00+05:30"),
        ("PT1D", "PT1D"),
        ("0 0 9 * * ?", "0 0 9 * * ?"),
    ],
)
def test_literals_are_read_as_literals_and_handed_over_quoted(text: str, literal: str) -> None:
    read = timer_text(text)
    assert read.literal == literal
    assert read.for_engine() == repr(literal)


@pytest.mark.parametrize("text", ['course_run["result_due_at"]', "deadline", "'P' + str(days) + 'D'"])
def test_expressions_are_left_to_run_time(text: str) -> None:
    read = timer_text(text)
    assert read.literal is None and read.for_engine() == text


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("timeDuration", "P7D"),
        ("timeDuration", "PT12H"),
        ("timeDuration", "P1DT12H"),
        ("timeDuration", "PT1.5H"),
        ("timeDuration", "P2W"),
        ("timeDate", "2027-01-15T10:00:00+05:30"),
        ("timeDate", "2027-01-15T04:30:00Z"),
        ("timeCycle", "R3/PT1H"),
        ("timeCycle", "R/P1D"),
        ("timeCycle", "R5/PT10S"),
        ("timeCycle", "R5/2027-01-15T09:00:00+05:30/P1D"),
        ("timeCycle", "R2/P1D/2027-01-15T09:00:00+05:30"),
    ],
)
def test_valid_iso_8601_values_pass(kind: TimerKind, value: str) -> None:
    assert timer_problem(kind, value) is None


@pytest.mark.parametrize(
    ("kind", "value", "says"),
    [
        ("timeDuration", "PT1D", "write P1D"),
        ("timeDuration", "P2H", "write PT2H"),
        ("timeDuration", "P1X", "not a valid ISO 8601 duration"),
        ("timeDuration", "R5/PT10S", "draw a timeCycle"),
        ("timeDuration", "2027-01-15T10:00:00+05:30", "draw a timeDate"),
        ("timeDate", "2027-01-15T10:00:00", "write 2027-01-15T10:00:00+05:30"),
        ("timeDate", "2027-01-15", "write 2027-01-15T00:00:00+05:30"),
        ("timeDate", "P7D", "draw a timeDuration"),
        ("timeDate", "2027-W03-1T10:00:00+05:30", "week date"),
        ("timeCycle", "0 0 9 * * ?", "cron expression"),
        ("timeCycle", "0 9 * * MON-FRI", "cron expression"),
        ("timeCycle", "R5/2027-01-15T09:00:00/P1D", "no UTC offset"),
        ("timeCycle", "R/PT0S", "longer than zero"),
        ("timeCycle", "R3/PT1H/PT2H", "exactly one duration"),
        ("timeCycle", "P1D", "not an ISO 8601 repeating interval"),
        ("timeDuration", "", "no value"),
        ("timeDuration", 7, "not text"),
    ],
)
def test_invalid_values_are_refused_saying_what_to_write(kind: TimerKind, value: object, says: str) -> None:
    problem = timer_problem(kind, value)
    assert problem is not None and says in problem
