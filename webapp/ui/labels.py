"""The words pages use for statuses, tasks, lanes and audit entries (the API keeps the codes)."""

from __future__ import annotations

from engine import history
from engine.i18n import N_
from engine.models import AuditEntry, Coupon, HumanTask
from engine.rules import SERVICES
from engine.services.coupons import coupon_state
from engine.statuses import is_final
from engine.statuses import status_explanation as explain_status
from engine.statuses import status_label as name_status
from webapp.ui.i18n import data_text, engine_text, render

# Statuses in which the officer must act.
OFFICER_TURN = ("awaiting_clarification", "awaiting_result", "awaiting_claim")

COUPON_STATES: dict[str, str] = {"unused": N_("Unused"), "given": N_("Given"), "voided": N_("Voided")}

EXAM_RESULTS: dict[str, str] = {"passed": N_("Passed"), "failed": N_("Failed"), "absent": N_("Absent")}


def status_label(status: str) -> str:
    """The status in words, in the reader's language."""
    return render(name_status(status))


def status_explanation(status: str) -> str:
    """What the status means and what happens next, in the reader's language."""
    explanation = explain_status(status)
    return render(explanation) if explanation else ""


def status_tone(status: str) -> str:
    """A CSS modifier: done, stopped, your turn, or in progress."""
    if status == "reimbursed":
        return "done"
    if is_final(status):
        return "stopped"
    if status in OFFICER_TURN:
        return "action"
    return "progress"


def task_title(name: str | None) -> str:
    """A task name (the BPMN id) in words, in the reader's language."""
    if not name:
        return ""
    return render(history.task_title(name))


def task_heading(task: HumanTask) -> str:
    """The task as its diagram names it, in the reader's language where the catalogue has it."""
    return data_text(task.title)


def lane_name(lane: str | None) -> str:
    """A lane of the diagrams (who works a task), in the reader's language."""
    return data_text(lane)


def service_name(code: str | None) -> str:
    """A service code in words, with the code."""
    if not code:
        return ""
    return f"{engine_text(SERVICES.get(code, code))} ({code})"


def history_line(entry: AuditEntry) -> str:
    """One audit entry as a sentence without its actor and time, in the reader's language:
    'returned for clarification: <the remarks as written>'."""
    return render(history.describe(entry))


def coupon_state_label(state: str) -> str:
    """unused, given or voided, in the reader's language."""
    return engine_text(COUPON_STATES.get(state, state))


def coupon_state_of(coupon: Coupon) -> str:
    """The state of a code, in the reader's language."""
    return coupon_state_label(coupon_state(coupon))


def exam_result(result: str | None) -> str:
    """The proctored exam's result (passed, failed, absent) in the reader's language."""
    if not result:
        return ""
    return engine_text(EXAM_RESULTS.get(result, result))
