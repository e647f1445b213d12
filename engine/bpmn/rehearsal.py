"""Rehearsing a scenario: a candidate process run in memory, step by step, as the scenario says.

Nothing is written anywhere: the script host records the notifications and coupons a
real step would write, `assign_coupon` takes codes from the scenario's own pool, and
timers fire through the engine clock (engine/runtime.py), moved to the moments the
scenario names. The same steps, checks and helpers run as in production (the sandbox,
the form check of each user task, the engine's rounds), so a scenario that passes here
passes on the server. ARCHITECTURE.md, "Safe deploys: Rehearsal".
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition
from SpiffWorkflow.task import Task, TaskState

from engine import amounts, rules
from engine.bpmn.bundle import SpecBundle
from engine.bpmn.scenario_format import Expectation, Scenario, TaskStep, TimerStep
from engine.errors import StepFailed
from engine.forms import claim_context, validate_form
from engine.host import payment_values
from engine.lanes import LANE_ROLES
from engine.notices import Notice, NoticeBox
from engine.runtime import (
    current_data,
    new_workflow,
    ready_user_tasks,
    run_engine,
    status_property,
    task_name,
    task_properties,
)
from engine.sandbox import SandboxedEnvironment, SandboxError
from engine.statuses import is_final

# SpiffWorkflow fires a timer once its deadline is strictly past: the clock moves just beyond.
_JUST_AFTER = timedelta(seconds=1)

FormsByProcess = Mapping[str, Mapping[str, Mapping[str, Any]]]
"""Process key -> form file name -> the JSON Schema bound to the version being rehearsed."""


@dataclass(frozen=True)
class ScenarioResult:
    """How one scenario went: passed, or where it failed (step from 1, element, field) and why."""

    process: str
    name: str
    passed: bool
    step: int | None = None
    element: str | None = None
    field: str | None = None
    message: str | None = None
    notices: tuple[Notice, ...] = ()
    """The messages the process sent, in order (for checks of their texts)."""

    def describe(self) -> str:
        """One line naming the scenario, the step and the element, for a refusal's details."""
        if self.passed:
            return f"scenario {self.process}/{self.name}: passed"
        if self.step is not None:
            where = " at the start" if self.step == 0 else f" at step {self.step}"
        else:
            where = " at the end" if (self.field or "").startswith("expect") else ""
        element = f" ({self.element})" if self.element else ""
        return f"scenario {self.process}/{self.name} fails{where}{element}: {self.message}"


class RehearsalHost(NoticeBox):
    """The helpers of engine/host.py, with every side effect recorded instead of written:
    messages in `notices` (the same NoticeBox the real host uses), coupons in `coupon_code`."""

    def __init__(self, coupons: tuple[str, ...]) -> None:
        super().__init__()
        self.pool = list(coupons)
        self.coupon_code: str | None = None
        self.payments: list[dict[str, Any]] = []

    def helpers(self) -> dict[str, Callable[..., Any]]:
        """The names scripts see: the same as the real host's (a test keeps them alike)."""
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
        """The next code of the scenario's pool (the same one again if one was given); None when empty."""
        if self.coupon_code is None and self.pool:
            self.coupon_code = self.pool.pop(0)
        return self.coupon_code

    def register_coupon(self, code: str) -> str:
        """Record a code issued by hand."""
        self.coupon_code = code
        return code

    def record_payment(self, **arguments: Any) -> None:
        """Record a payment, checked as the real host checks it (once per application)."""
        if self.payments:
            raise SandboxError("record_payment: the application has been paid already")
        self.payments.append(payment_values(**arguments))


class _Failed(Exception):
    def __init__(self, message: str, element: str | None = None, field: str | None = None) -> None:
        super().__init__(message)
        self.message, self.element, self.field = message, element, field


def run_scenario(scenario: Scenario, bundle: SpecBundle, forms: FormsByProcess) -> ScenarioResult:
    """Rehearse `scenario` on `bundle` (the candidate versions) with their bound `forms`.

    Never raises for anything the process or the scenario does: every failure, the
    process's own included, comes back as a result that says where and why.
    """
    # Where the rehearsal is: 0 the start, 1.. the steps, None the final expectations.
    at: int | None = 0
    host = RehearsalHost(scenario.coupons)
    try:
        rehearsal = _Rehearsal(scenario, bundle, forms, host)
        for index, step in enumerate(scenario.steps):
            at = index + 1
            rehearsal.take(step, f"steps[{index}]")
        at = None
        rehearsal.check(scenario.expect)
    except _Failed as failure:
        return ScenarioResult(
            scenario.process, scenario.name, False, at, failure.element, failure.field, failure.message
        )
    except Exception as error:  # a rehearsal must never break a deploy: report it as this scenario's failure
        message = f"the rehearsal stopped: {type(error).__name__}: {error}"
        return ScenarioResult(scenario.process, scenario.name, False, at, None, None, message)
    return ScenarioResult(scenario.process, scenario.name, True, notices=tuple(host.notices))


class _Rehearsal:
    """One workflow in memory, its clock, and what it has met so far."""

    def __init__(self, scenario: Scenario, bundle: SpecBundle, forms: FormsByProcess, host: RehearsalHost) -> None:
        self.forms = forms
        self.host = host
        self.clock = scenario.start_at
        cap = scenario.start_data.get("course_run", {}).get("reimbursement_cap_usd")
        self.context = {"reimbursement_cap_usd": cap} if isinstance(cap, int | float) else {}
        self.met: list[str] = []
        self.seen: set[UUID] = set()
        self.waiting_since: dict[UUID, datetime] = {}
        environment = SandboxedEnvironment(self.host.helpers())
        self.workflow = new_workflow(bundle, copy.deepcopy(scenario.start_data), environment)
        self.run(lambda _workflow: None, "start", None)

    def run(self, action: Callable[[BpmnWorkflow], None], field: str, subject: str | None) -> None:
        """Run one step; a failure names the element that failed, else the step's own task or timer."""
        try:
            run_engine(self.workflow, action, self.clock)
        except StepFailed as error:
            failed = getattr(error.__cause__, "task", None)
            element = task_name(failed) if failed is not None else subject
            raise _Failed(f"the process failed: {error.message}", element, field) from error
        for task in ready_user_tasks(self.workflow):
            if task.id not in self.seen:
                self.seen.add(task.id)
                self.met.append(task_name(task))
        for task in self.workflow.get_tasks(state=TaskState.WAITING):
            if _is_timer(task) and task.id not in self.waiting_since:
                self.waiting_since[task.id] = self.clock

    def take(self, step: TaskStep | TimerStep, field: str) -> None:
        if self.workflow.completed:
            element = step.task if isinstance(step, TaskStep) else step.timer
            raise _Failed(f"the process has already ended ({self._where()})", element, field)
        if isinstance(step, TaskStep):
            self.complete(step, field)
        else:
            self.fire(step, field)
        if step.expect_status is not None:
            status = status_property(self.workflow)
            if status != step.expect_status:
                raise _Failed(
                    f"the status is {status or 'none'}, the scenario expects {step.expect_status} ({self._where()})",
                    None,
                    f"{field}.expect.status",
                )

    def complete(self, step: TaskStep, field: str) -> None:
        task = next((t for t in ready_user_tasks(self.workflow) if task_name(t) == step.task), None)
        if task is None:
            raise _Failed(f"user task {step.task} is not open ({self._where()})", step.task, f"{field}.task")
        lane = task.task_spec.lane or ""
        role = LANE_ROLES.get(lane)
        if role != step.role:
            who = f"{role} (lane {lane})" if role else f"no role (lane '{lane}')"
            raise _Failed(f"{step.task} is worked by {who}, not by {step.role}", step.task, f"{field}.role")
        cleaned = self._validated(task, step, field)

        def work(_workflow: BpmnWorkflow) -> None:
            task.set_data(**cleaned)
            task.run()

        self.run(work, field, step.task)

    def _validated(self, task: Task, step: TaskStep, field: str) -> dict[str, Any]:
        filename = task_properties(task).get("formJsonSchemaFilename")
        if not filename:
            return dict(step.data)
        schema = self.forms.get(task.workflow.spec.name, {}).get(filename)
        if schema is None:
            raise _Failed(f"the form '{filename}' of {step.task} is not deployed", step.task, f"{field}.data")
        # As on the server (engine/services/tasks.py), less the day's date: a scenario has its own clock.
        context = {**self.context, **claim_context(task.data)}
        cleaned, errors = validate_form(schema, step.data, context=context)
        if errors:
            reasons = "; ".join(f"{name}: {reason}" for name, reason in errors.items())
            raise _Failed(f"the form '{filename}' refuses the data: {reasons}", step.task, f"{field}.data")
        return cleaned

    def fire(self, step: TimerStep, field: str) -> None:
        timer = next(
            (t for t in self.workflow.get_tasks(state=TaskState.WAITING) if t.task_spec.name == step.timer),
            None,
        )
        if timer is None or not _is_timer(timer):
            raise _Failed(f"no timer {step.timer} is waiting ({self._where()})", step.timer, f"{field}.timer")
        due = step.moment
        if step.delay is not None:
            since = self.waiting_since[timer.id]
            due = since + TimerEventDefinition.get_timedelta_from_start(dict(step.delay), since)
        if due is None:
            raise _Failed(f"'{step.at}' is not a moment", step.timer, f"{field}.at")
        if due + _JUST_AFTER < self.clock:
            raise _Failed(
                f"{step.at} is before the scenario's clock ({self.clock.isoformat()})", step.timer, f"{field}.at"
            )
        self.clock = due + _JUST_AFTER
        self.run(lambda workflow: workflow.refresh_timers(), field, step.timer)
        if timer.has_state(TaskState.WAITING):
            deadline = timer._get_internal_data("event_value")
            raise _Failed(
                f"timer {step.timer} did not fire at {step.at} ({due.isoformat()}); it is due at {deadline}",
                step.timer,
                f"{field}.at",
            )

    def check(self, expect: Expectation) -> None:
        status = status_property(self.workflow)
        if expect.status is not None and status != expect.status:
            raise _Failed(
                f"the status is {status or 'none'}, the scenario expects {expect.status} ({self._where()})",
                self._element(),
                "expect.status",
            )
        ended = self.workflow.completed
        if (expect.ended is not None and ended != expect.ended) or (
            expect.status is not None and is_final(expect.status) and not ended
        ):
            said = "has ended" if ended else "has not ended"
            raise _Failed(f"the process {said} ({self._where()})", self._element(), "expect.ended")
        if list(expect.tasks) != self.met:
            raise _Failed(
                f"the user tasks met were [{', '.join(self.met)}], the scenario expects [{', '.join(expect.tasks)}]",
                self._element(),
                "expect.tasks",
            )
        data = current_data(self.workflow)
        for key, value in expect.data.items():
            if data.get(key, _MISSING) != value:
                found = "nothing" if key not in data else repr(data[key])
                raise _Failed(
                    f"{key} is {found}, the scenario expects {value!r}", self._element(), f"expect.data.{key}"
                )
        sent = iter(self.host.notices)
        for index, wanted in enumerate(expect.notifications):
            if not any(notice.to == wanted.to and wanted.subject in notice.subject for notice in sent):
                raise _Failed(
                    f"no message to {wanted.to} with '{wanted.subject}' in its subject (in this order); "
                    f"messages sent: {'; '.join(f'{n.to}: {n.subject}' for n in self.host.notices) or 'none'}",
                    self._element(),
                    f"expect.notifications[{index}]",
                )

    def _where(self) -> str:
        if self.workflow.completed:
            return f"the process ended at {self._element() or 'its end'}"
        waiting = [task_name(t) for t in ready_user_tasks(self.workflow)]
        waiting += [task_name(t) for t in self.workflow.get_tasks(state=TaskState.WAITING) if _is_timer(t)]
        return f"the process waits at {', '.join(waiting) or 'nothing'}"

    def _element(self) -> str | None:
        if not self.workflow.completed:
            open_tasks = ready_user_tasks(self.workflow)
            return task_name(open_tasks[0]) if open_tasks else None
        ends = [
            task
            for task in self.workflow.get_tasks(state=TaskState.COMPLETED, skip_subprocesses=True)
            if type(task.task_spec).__name__ == "EndEvent"
        ]
        return max(ends, key=lambda task: task.last_state_change).task_spec.name if ends else None


_MISSING = object()


def _is_timer(task: Task) -> bool:
    return isinstance(getattr(task.task_spec, "event_definition", None), TimerEventDefinition)
