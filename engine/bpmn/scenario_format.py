"""Scenario files: what a process must do, written down once and rehearsed on every deploy.

A scenario is one JSON object (processes/scenarios/<process key>/<name>.json, or stored
through the API), modelled on SpiffArena's "BPMN unit test" files but written as the
story a person would tell, step by step in order rather than task by task:

    {
      "description": "The CCA rejects the nomination: the application ends not approved.",
      "start": {"profile": "eligible_officer", "at": "2027-01-10T15:30:00+05:30", "data": {}},
      "coupons": ["CGP-2027-0001"],
      "steps": [
        {"task": "cca_approval", "role": "cca_approver",
         "data": {"decision": "reject", "remarks": "Not this year."},
         "expect": {"status": "not_approved"}},
        {"timer": "approval_reminder", "at": "P7D"}
      ],
      "expect": {
        "status": "not_approved", "ended": true,
        "tasks": ["cca_approval"],
        "data": {"cadre_outcome": "rejected"},
        "notifications": [{"to": "officer", "subject": "Nomination not approved"}]
      }
    }

`start.profile` names start data from engine/bpmn/profiles.py; `start.data` changes parts
of it (objects are merged key by key); `start.at` is when the application is submitted
(default 2027-01-10T15:30:00+05:30). `coupons` is the run's pool that `assign_coupon`
takes from (empty when left out). A task step completes the open user task of that BPMN
id as `role` with `data` (checked against the task's form, as a person's submission is).
A timer step lets the timer event of that BPMN id fire: `at` is an ISO 8601 duration
counted from when the timer started waiting (its task opened, or the flow reached it),
or a date-time with an offset. `expect.tasks` lists every user task that opened, in
order; `status` is the application status at the end; `ended` whether the process
reached an end; `data` values the process data must hold; `notifications` messages the
scripts must send, in order (`to`: officer or a role; `subject`: a part of the subject).
A step's own `expect.status` is checked right after that step.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition

from engine.bpmn.profiles import PROFILES, start_data
from engine.errors import Invalid
from engine.lanes import LANE_ROLES
from engine.notices import NOTIFIABLE_ROLES
from engine.statuses import ALL_STATUSES

SCENARIO_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
DEFAULT_START = "2027-01-10T15:30:00+05:30"
MAX_STEPS = 200
MAX_DELAY_DAYS = 3660  # a timer step's duration: at most about ten years
_ROLES = tuple(dict.fromkeys(LANE_ROLES.values()))
_RECIPIENTS = ("officer", *NOTIFIABLE_ROLES)


@dataclass(frozen=True)
class TaskStep:
    """Complete the open user task `task` as `role` with the form data `data`."""

    task: str
    role: str
    data: dict[str, Any]
    expect_status: str | None = None


@dataclass(frozen=True)
class TimerStep:
    """Let the timer event `timer` fire: `delay` after it started waiting, or at `moment`."""

    timer: str
    at: str
    delay: dict[str, float] | None = None
    moment: datetime | None = None
    expect_status: str | None = None


@dataclass(frozen=True)
class ExpectedNotification:
    """A message a script must send: to the officer or a role, its subject containing `subject`."""

    to: str
    subject: str


@dataclass(frozen=True)
class Expectation:
    """What must hold once every step has run."""

    tasks: tuple[str, ...]
    status: str | None = None
    ended: bool | None = None
    data: dict[str, Any] = field(default_factory=dict)
    notifications: tuple[ExpectedNotification, ...] = ()


@dataclass(frozen=True)
class Scenario:
    """A scenario read and checked: ready to rehearse against a process."""

    process: str
    name: str
    description: str
    start_data: dict[str, Any]
    start_at: datetime
    coupons: tuple[str, ...]
    steps: tuple[TaskStep | TimerStep, ...]
    expect: Expectation


def read_scenario(process: str, name: str, document: Any) -> Scenario:
    """Check a scenario document's shape and return it read.

    `document` is the parsed JSON. Raises `Invalid` whose `fields` names every bad field by
    its path in the document (`steps[2].data`, `expect.status`, ...) with the reason.
    """
    fields: dict[str, str] = {}
    if not SCENARIO_NAME.fullmatch(name):
        fields["name"] = "use 1 to 64 lower-case letters, digits, '_' or '-', starting with a letter or digit"
    if not isinstance(document, Mapping):
        raise Invalid("A scenario is a JSON object", {**fields, "scenario": "must be a JSON object"})
    reader = _Reader(fields)
    reader.keys(
        document, "", {"description", "start", "coupons", "steps", "expect"}, {"description", "start", "expect"}
    )
    description = reader.text(document.get("description"), "description")
    data, at = reader.start(document.get("start"))
    coupons = reader.coupons(document.get("coupons", []))
    steps = reader.steps(document.get("steps", []))
    expect = reader.expectation(document.get("expect"))
    if fields:
        raise Invalid(f"The scenario '{name}' is not valid", dict(fields))
    return Scenario(process, name, description, data, at, coupons, steps, expect)


class _Reader:
    """Reads one document, noting every problem in `fields` and carrying on."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields

    def bad(self, path: str, reason: str) -> None:
        self.fields.setdefault(path or "scenario", reason)

    def keys(self, value: Mapping[str, Any], path: str, allowed: set[str], required: set[str]) -> None:
        for key in sorted(set(value) - allowed):
            self.bad(_join(path, str(key)), "unknown field (allowed: " + ", ".join(sorted(allowed)) + ")")
        for key in sorted(required - set(value)):
            self.bad(_join(path, key), "required")

    def text(self, value: Any, path: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.bad(path, "must be a non-empty string")
            return ""
        return value.strip()

    def obj(self, value: Any, path: str) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.bad(path, "must be a JSON object")
            return None
        return value

    def start(self, value: Any) -> tuple[dict[str, Any], datetime]:
        moment = datetime.fromisoformat(DEFAULT_START)
        start = self.obj(value, "start")
        if start is None:
            return {}, moment
        self.keys(start, "start", {"profile", "at", "data"}, {"profile"})
        changes = self.obj(start.get("data", {}), "start.data") or {}
        profile = start.get("profile")
        data: dict[str, Any] = {}
        if profile in PROFILES:
            data = start_data(str(profile), changes)
        elif "profile" in start:
            self.bad("start.profile", "must be one of: " + ", ".join(PROFILES))
        if "at" in start:
            moment = self.moment(start["at"], "start.at") or moment
        return data, moment

    def moment(self, value: Any, path: str) -> datetime | None:
        at = _moment(value) if isinstance(value, str) else None
        if at is None:
            self.bad(path, "must be a date-time with an offset, e.g. 2027-01-10T15:30:00+05:30")
        return at

    def coupons(self, value: Any) -> tuple[str, ...]:
        if not isinstance(value, list):
            self.bad("coupons", "must be a list of coupon codes")
            return ()
        for index, code in enumerate(value):
            if not isinstance(code, str) or not code.strip():
                self.bad(f"coupons[{index}]", "must be a non-empty string")
        return tuple(str(code) for code in value)

    def steps(self, value: Any) -> tuple[TaskStep | TimerStep, ...]:
        if not isinstance(value, list):
            self.bad("steps", "must be a list of steps")
            return ()
        if len(value) > MAX_STEPS:
            self.bad("steps", f"at most {MAX_STEPS} steps")
            return ()
        read = (self.step(item, f"steps[{index}]") for index, item in enumerate(value))
        return tuple(step for step in read if step is not None)

    def step(self, value: Any, path: str) -> TaskStep | TimerStep | None:
        step = self.obj(value, path)
        if step is None:
            return None
        status = self.step_expectation(step.get("expect"), f"{path}.expect") if "expect" in step else None
        if "task" in step:
            self.keys(step, path, {"task", "role", "data", "expect"}, {"task", "role", "data"})
            role = step.get("role")
            if "role" in step and role not in _ROLES:
                self.bad(f"{path}.role", "must be one of: " + ", ".join(_ROLES))
            data = self.obj(step.get("data", {}), f"{path}.data") or {}
            return TaskStep(self.text(step["task"], f"{path}.task"), str(role), dict(data), status)
        if "timer" in step:
            self.keys(step, path, {"timer", "at", "expect"}, {"timer", "at"})
            timer = self.text(step["timer"], f"{path}.timer")
            at = step.get("at")
            if "at" not in step:
                return None
            if isinstance(at, str) and at.strip().upper().startswith("P"):
                delay = _duration(at)
                if delay is None:
                    self.bad(f"{path}.at", f"'{at}' is not an ISO 8601 duration of at most 10 years (e.g. P7D, PT12H)")
                return TimerStep(timer, str(at), delay=delay, expect_status=status)
            moment = self.moment(at, f"{path}.at")
            return TimerStep(timer, str(at), moment=moment, expect_status=status)
        self.bad(path, "a step names a user task ('task', 'role', 'data') or a timer event ('timer', 'at')")
        return None

    def step_expectation(self, value: Any, path: str) -> str | None:
        expect = self.obj(value, path)
        if expect is None:
            return None
        self.keys(expect, path, {"status"}, {"status"})
        return self.status(expect.get("status"), f"{path}.status")

    def status(self, value: Any, path: str) -> str | None:
        if value not in ALL_STATUSES:
            self.bad(path, "must be an application status: " + ", ".join(ALL_STATUSES))
            return None
        return str(value)

    def expectation(self, value: Any) -> Expectation:
        expect = self.obj(value, "expect")
        if expect is None:
            return Expectation(())
        self.keys(expect, "expect", {"tasks", "status", "ended", "data", "notifications"}, {"tasks"})
        tasks = expect.get("tasks", [])
        if not isinstance(tasks, list) or not all(isinstance(task, str) and task for task in tasks):
            self.bad("expect.tasks", "must be a list of user task ids, in the order they open")
            tasks = []
        status = self.status(expect["status"], "expect.status") if "status" in expect else None
        ended = expect.get("ended")
        if ended is not None and not isinstance(ended, bool):
            self.bad("expect.ended", "must be true or false")
            ended = None
        data = self.obj(expect.get("data", {}), "expect.data") or {}
        if status is None and ended is None and not data and not self.fields.get("expect.status"):
            self.bad("expect", "say where the scenario ends: give 'status', 'ended' or 'data'")
        notifications = self.notifications(expect.get("notifications", []))
        return Expectation(tuple(tasks), status, ended, dict(data), notifications)

    def notifications(self, value: Any) -> tuple[ExpectedNotification, ...]:
        if not isinstance(value, list):
            self.bad("expect.notifications", "must be a list of {to, subject}")
            return ()
        found = []
        for index, item in enumerate(value):
            path = f"expect.notifications[{index}]"
            notice = self.obj(item, path)
            if notice is None:
                continue
            self.keys(notice, path, {"to", "subject"}, {"to", "subject"})
            if "to" in notice and notice["to"] not in _RECIPIENTS:
                self.bad(f"{path}.to", "must be one of: " + ", ".join(_RECIPIENTS))
            subject = self.text(notice.get("subject"), f"{path}.subject") if "subject" in notice else ""
            found.append(ExpectedNotification(str(notice.get("to")), subject))
        return tuple(found)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _moment(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


def _duration(text: str) -> dict[str, float] | None:
    """The parts of an ISO 8601 duration of at most about ten years (SpiffWorkflow counts a
    duration out month by month, so a huge one would take forever), or None."""
    try:
        parsed: dict[str, float] = TimerEventDefinition.parse_iso_duration(text.strip().upper())
    except Exception:  # SpiffWorkflow raises a bare Exception for a bad duration
        return None
    days = sum(parsed.get(unit, 0) * size for unit, size in _DAYS_PER_UNIT.items())
    return parsed if parsed and days <= MAX_DELAY_DAYS else None


_DAYS_PER_UNIT = {
    "years": 366,
    "months": 31,
    "weeks": 7,
    "days": 1,
    "hours": 1 / 24,
    "minutes": 1 / 1440,
    "seconds": 1 / 86400,
}
