"""The words pages use for statuses, tasks, lanes and audit entries (the API keeps the codes)."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _

from engine.i18n import N_
from engine.incidents import HELD_UP
from engine.models import AuditEntry, HumanTask
from engine.rules import SERVICES
from engine.statuses import is_final
from engine.statuses import status_explanation as explain_status
from engine.statuses import status_label as name_status
from webapp.ui.i18n import data_text, engine_text, render

# Statuses in which the officer must act.
OFFICER_TURN = ("awaiting_clarification", "awaiting_result", "awaiting_claim")

# Where a page knows only a task's id (counts, filters, history), the shipped processes' tasks.
TASK_TITLES: dict[str, str] = {
    "cca_approval": N_("Approval by the cadre controlling authority"),
    "escalated_approval": N_("Approval escalated to DoPT"),
    "respond_clarification": N_("Answer the authority's question"),
    "dopt_confirmation": N_("Eligibility confirmation by DoPT"),
    "issue_coupon": N_("Issue a coupon code"),
    "report_result": N_("Report the course result"),
    "submit_claim": N_("Claim reimbursement"),
    "verify_claim": N_("Verification of the claim"),
    "record_payment": N_("Record the payment"),
}

ACTIONS: dict[str, str] = {
    "submitted": N_("submitted the application"),
    "withdrawn": N_("withdrew the application"),
    "task_opened": N_("opened the task"),
    "claimed": N_("took the task"),
    "unclaimed": N_("returned the task to the shared inbox"),
    "completed": N_("completed the task"),
    "timer_fired": N_("noted that a deadline passed"),
    "data_changed": N_("changed the process data"),
    "migrated": N_("moved the application to another version of its process"),
    "suspended": N_("suspended the application"),
    "resumed": N_("resumed the application"),
    "incident_retried": N_("retried the step that had failed"),
    "cancelled": N_("cancelled the application"),
}

# The decisions of the shipped forms, as the history shows them.
DECISIONS: dict[str, str] = {
    "approve": N_("approve"),
    "reject": N_("reject"),
    "return": N_("return"),
    "confirm": N_("confirm"),
}


def status_label(status: str) -> str:
    """The status in words, in the reader's language."""
    return render(name_status(status))


def status_explanation(status: str) -> str:
    """What the status means and what happens next, in the reader's language."""
    explanation = explain_status(status)
    return render(explanation) if explanation else ""


def held_up_text() -> str:
    """What everyone but DoPT's operators is told of an open incident, in the reader's language."""
    return engine_text(HELD_UP)


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
    return engine_text(TASK_TITLES.get(name) or name.replace("_", " ").capitalize())


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
    """One audit entry as a sentence without its actor and time: 'completed the task X: approve'."""
    what = engine_text(ACTIONS.get(entry.action) or entry.action.replace("_", " "))
    detail: dict[str, Any] = entry.detail or {}
    if entry.task:
        what = _("%(action)s “%(task)s”", action=what, task=task_title(entry.task))
    if entry.action == "completed" and detail.get("decision"):
        what = _(
            "%(action)s: %(decision)s",
            action=what,
            decision=engine_text(DECISIONS.get(str(detail["decision"]), str(detail["decision"]))),
        )
    if entry.action == "submitted" and "eligible" in detail:
        what = (
            _("%(action)s: eligible", action=what) if detail["eligible"] else _("%(action)s: not eligible", action=what)
        )
    if entry.action == "cancelled" and detail.get("reason"):
        what = _("%(action)s: %(reason)s", action=what, reason=str(detail["reason"]))
    if entry.action == "data_changed" and isinstance(detail.get("changes"), dict):
        what = _("%(action)s (%(keys)s)", action=what, keys=", ".join(sorted(detail["changes"])))
    if entry.action == "timer_fired" and detail.get("status_after"):
        what = _("%(action)s; now %(status)s", action=what, status=status_label(str(detail["status_after"])).lower())
    return what
