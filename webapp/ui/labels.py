"""The words pages use for statuses, tasks, lanes and audit entries (the API keeps the codes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine import history
from engine.i18n import N_
from engine.incidents import ELEMENT_KEY, officer_message
from engine.models import AuditEntry, Coupon, HumanTask, Incident
from engine.rules import SERVICES
from engine.services.coupons import coupon_state
from engine.statuses import Step, is_final, status_in_context
from engine.statuses import status_explanation as explain_status
from engine.statuses import status_label as name_status
from webapp.ui.i18n import data_text, engine_text, render

# Statuses in which the officer must act.
OFFICER_TURN = ("awaiting_clarification", "awaiting_result", "awaiting_claim")

COUPON_STATES: dict[str, str] = {"unused": N_("Unused"), "given": N_("Given"), "voided": N_("Voided")}

EXAM_RESULTS: dict[str, str] = {"passed": N_("Passed"), "failed": N_("Failed"), "absent": N_("Absent")}


PROCESS_NAMES: dict[str, str] = {
    "enrollment": N_("Enrollment"),
    "cadre_approval": N_("Cadre approval"),
    "coupon_issue": N_("Coupon issue"),
    "reimbursement": N_("Reimbursement"),
}


def process_name(key: str) -> str:
    """A process (its BPMN id) by name, in the reader's language; a process deployed later by its id."""
    return engine_text(PROCESS_NAMES[key]) if key in PROCESS_NAMES else key


ROLE_NAMES: dict[str, str] = {
    "officer": N_("Officer"),
    "cca_approver": N_("CCA approver"),
    "dopt": N_("DoPT Training Division"),
    "course_team": N_("Course team"),
    "finance": N_("Finance"),
    "process_owner": N_("Process owner"),
    "admin": N_("Administrator"),
}


def role_name(role: str) -> str:
    """A role (a code of API.md) in words, in the reader's language."""
    return engine_text(ROLE_NAMES.get(role) or role.replace("_", " ").capitalize())


def status_label(status: str) -> str:
    """The status in words, in the reader's language."""
    return render(name_status(status))


@dataclass(frozen=True)
class StatusWords:
    """An application's status as a person reads it: words told by its history, and a tone."""

    code: str
    label: str
    explanation: str

    @property
    def tone(self) -> str:
        return status_tone(self.code)


def status_words(status: str, history: Sequence[AuditEntry], open_task_names: Sequence[str]) -> StatusWords:
    """The status in the reader's language, told by what happened (a claim returned for
    correction, a result being confirmed or corrected); see engine.statuses.status_in_context."""
    steps = [
        Step(entry.task, (entry.detail or {}).get("decision"))
        for entry in history
        if entry.action == "completed" and entry.task
    ]
    label, explanation = status_in_context(status, steps, open_task_names)
    return StatusWords(status, render(label), render(explanation) if explanation else "")


def status_explanation(status: str) -> str:
    """What the status means and what happens next, in the reader's language."""
    explanation = explain_status(status)
    return render(explanation) if explanation else ""


def held_up_text(incident: Incident) -> str:
    """What everyone but DoPT's operators is told of an open incident, in the reader's language."""
    return engine_text(officer_message(incident))


def stops_nothing(incident: Incident) -> bool:
    """True for an incident whose step went through (instructions that could not be shown)."""
    return incident.action_key.startswith(ELEMENT_KEY)


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
    """A service code in words (people read names, not codes)."""
    if not code:
        return ""
    return engine_text(SERVICES.get(code, code))


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
