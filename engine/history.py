"""An application's history in words: each audit entry as a sentence a person reads.

Decisions read as what they did ("returned for clarification: <remarks>", "answered:
<response>", "claim returned for correction: <remarks>"), never as codes. The words are
marked for the catalogue (the web layer shows them in the reader's language); remarks and
answers are the person's own text and are shown as written. The sentences have no subject:
pages put the actor before them, the API gives the actor beside them.
"""

from __future__ import annotations

from typing import Any

from engine.i18n import N_, Message
from engine.models import AuditEntry
from engine.statuses import status_label

TASK_TITLES: dict[str, str] = {
    "cca_approval": N_("Approval by the cadre controlling authority"),
    "escalated_approval": N_("Approval escalated to DoPT"),
    "respond_clarification": N_("Answer the authority's question"),
    "dopt_confirmation": N_("Eligibility confirmation by DoPT"),
    "issue_coupon": N_("Issue a coupon code"),
    "report_result": N_("Report the course result"),
    "submit_claim": N_("Claim reimbursement"),
    "confirm_result": N_("Confirm or correct the result"),
    "verify_claim": N_("Verification of the claim"),
    "record_payment": N_("Record the payment"),
}
"""The shipped processes' user tasks in words, where only a task's id is known (counts, history)."""

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
    "incident_retry_failed": N_("retried the step that had failed; it failed again"),
    "cancelled": N_("cancelled the application"),
}

DECISIONS: dict[str, str] = {
    "approve": N_("approve"),
    "reject": N_("reject"),
    "return": N_("return"),
    "confirm": N_("confirm"),
    "correct": N_("correct the result"),
}
"""The decisions of the shipped forms, for tasks the history has no sentence for."""

COMPLETED: dict[tuple[str, str | None], str] = {
    ("cca_approval", "approve"): N_("approved"),
    ("cca_approval", "reject"): N_("did not approve the nomination"),
    ("cca_approval", "return"): N_("returned for clarification"),
    ("escalated_approval", "approve"): N_("approved"),
    ("escalated_approval", "reject"): N_("did not approve the nomination"),
    ("escalated_approval", "return"): N_("returned for clarification"),
    ("respond_clarification", None): N_("answered"),
    ("dopt_confirmation", "confirm"): N_("confirmed eligibility"),
    ("dopt_confirmation", "reject"): N_("rejected the application"),
    ("issue_coupon", None): N_("issued a coupon code"),
    ("report_result", None): N_("reported the course result"),
    ("submit_claim", None): N_("claimed reimbursement"),
    ("verify_claim", "approve"): N_("approved the claim"),
    ("verify_claim", "reject"): N_("rejected the claim"),
    ("verify_claim", "return"): N_("claim returned for correction"),
    ("record_payment", None): N_("recorded the payment"),
    ("confirm_result", "confirm"): N_("confirmed the reported result"),
    ("confirm_result", "correct"): N_("chose to correct the reported result"),
}
"""What completing a task of the shipped processes did, by task and decision."""

WITH_WORDS = N_("%(action)s: %(words)s")


def task_title(name: str) -> Message:
    """A task's id in words (a task of another process: its id made readable)."""
    return Message(TASK_TITLES.get(name) or name.replace("_", " ").capitalize())


def describe(entry: AuditEntry) -> Message:
    """The entry as a sentence without its actor and time."""
    detail: dict[str, Any] = entry.detail or {}
    if entry.action == "completed" and entry.task:
        return _completed(entry.task, detail)
    what = Message(ACTIONS.get(entry.action) or entry.action.replace("_", " "))
    if entry.task:
        what = Message(N_("%(action)s “%(task)s”"), {"action": what, "task": task_title(entry.task)})
    if entry.action == "submitted" and "eligible" in detail:
        text = N_("%(action)s: eligible") if detail["eligible"] else N_("%(action)s: not eligible")
        what = Message(text, {"action": what})
    if entry.action == "timer_fired" and detail.get("status_after"):
        what = Message(
            N_("%(action)s; the status is now: %(status)s"),
            {"action": what, "status": status_label(str(detail["status_after"]))},
        )
    if entry.action == "cancelled" and isinstance(detail.get("reason"), str) and detail["reason"].strip():
        # Cancelling ends the application: everyone who reads its history is told why.
        what = Message(WITH_WORDS, {"action": what, "words": detail["reason"].strip()})
    if entry.action == "data_changed" and isinstance(detail.get("changes"), dict):
        what = Message(N_("%(action)s (%(keys)s)"), {"action": what, "keys": ", ".join(sorted(detail["changes"]))})
    return what


def _completed(task: str, detail: dict[str, Any]) -> Message:
    decision = detail.get("decision") if isinstance(detail.get("decision"), str) else None
    words = COMPLETED.get((task, decision))
    if words is None:
        what = Message(N_("%(action)s “%(task)s”"), {"action": Message(ACTIONS["completed"]), "task": task_title(task)})
        if decision:
            what = Message(
                N_("%(action)s: %(decision)s"), {"action": what, "decision": Message(DECISIONS.get(decision, decision))}
            )
    else:
        what = Message(words)
    written = detail.get("remarks") or detail.get("response")
    if isinstance(written, str) and written.strip():
        return Message(WITH_WORDS, {"action": what, "words": written.strip()})
    return what
