"""The words pages use for statuses, tasks and audit entries (the API keeps the codes)."""

from __future__ import annotations

from engine.models import AuditEntry
from engine.rules import SERVICES
from engine.statuses import is_final

STATUS_LABELS: dict[str, str] = {
    "submitted": "Submitted: waiting to be processed",
    "awaiting_cadre_approval": "Waiting for the cadre controlling authority's approval",
    "awaiting_clarification": "Waiting for the officer to answer a question",
    "awaiting_dopt_confirmation": "Waiting for DoPT to confirm eligibility",
    "awaiting_coupon": "Waiting for the coupon code",
    "enrolled": "Enrolled: coupon code issued",
    "awaiting_result": "Waiting for the course result",
    "awaiting_claim": "Certified: reimbursement can be claimed",
    "claim_under_verification": "Reimbursement claim being verified by DoPT",
    "awaiting_payment": "Claim approved: payment pending",
    "ineligible": "Not eligible",
    "not_approved": "Not approved by the cadre controlling authority",
    "rejected_by_dopt": "Rejected by DoPT",
    "not_certified": "Not certified",
    "lapsed": "Lapsed",
    "reimbursed": "Reimbursed",
    "withdrawn": "Withdrawn",
}

STATUS_EXPLANATIONS: dict[str, str] = {
    "submitted": "The application is saved; a problem on DoPT's side stopped it being processed. DoPT has been told.",
    "awaiting_cadre_approval": "The cadre controlling authority has been asked to approve the nomination.",
    "awaiting_clarification": "The cadre controlling authority returned the application with a question.",
    "awaiting_dopt_confirmation": "The DoPT Training Division is checking eligibility.",
    "awaiting_coupon": "Eligibility is confirmed; the course team is issuing a coupon code.",
    "enrolled": "Use the coupon code to enrol. Report the result when the course ends.",
    "awaiting_result": "The course has ended: the officer reports the final grade and exam result.",
    "awaiting_claim": "The certificate was earned: the officer may claim reimbursement of the fee.",
    "claim_under_verification": "DoPT is checking the certificate, the payment proof and the bank details.",
    "awaiting_payment": "Finance will pay the approved amount into the officer's bank account.",
    "ineligible": "The application did not meet the eligibility rules shown below.",
    "not_approved": "The cadre controlling authority did not approve the nomination.",
    "rejected_by_dopt": "The DoPT Training Division rejected the application.",
    "not_certified": "The course certificate was not earned, so no reimbursement is due.",
    "lapsed": "The application lapsed because the next step was not taken in time.",
    "reimbursed": "The course fee has been reimbursed. Nothing more to do.",
    "withdrawn": "The officer withdrew the application.",
}

# Statuses in which the officer must act.
OFFICER_TURN = ("awaiting_clarification", "awaiting_result", "awaiting_claim")

TASK_TITLES: dict[str, str] = {
    "cca_approval": "Approval by the cadre controlling authority",
    "escalated_approval": "Approval escalated to DoPT",
    "respond_clarification": "Answer the authority's question",
    "dopt_confirmation": "Eligibility confirmation by DoPT",
    "issue_coupon": "Issue a coupon code",
    "report_result": "Report the course result",
    "submit_claim": "Claim reimbursement",
    "verify_claim": "Verification of the claim",
    "record_payment": "Record the payment",
}

ACTIONS: dict[str, str] = {
    "submitted": "submitted the application",
    "withdrawn": "withdrew the application",
    "task_opened": "opened the task",
    "claimed": "took the task",
    "unclaimed": "returned the task to the shared inbox",
    "completed": "completed the task",
    "timer_fired": "noted that a deadline passed",
}


def status_label(status: str) -> str:
    """The status in words."""
    return STATUS_LABELS.get(status, status.replace("_", " ").capitalize())


def status_explanation(status: str) -> str:
    """What the status means and what happens next."""
    return STATUS_EXPLANATIONS.get(status, "")


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
    """A task name (the BPMN id) in words."""
    if not name:
        return ""
    return TASK_TITLES.get(name, name.replace("_", " ").capitalize())


def service_name(code: str | None) -> str:
    """A service code in words, with the code."""
    if not code:
        return ""
    return f"{SERVICES.get(code, code)} ({code})"


def history_line(entry: AuditEntry) -> str:
    """One audit entry as a sentence without its actor and time: 'completed the task X (approve)'."""
    what = ACTIONS.get(entry.action, entry.action.replace("_", " "))
    if entry.task:
        what += f" “{task_title(entry.task)}”"
    detail = entry.detail or {}
    if entry.action == "completed" and detail.get("decision"):
        what += f": {detail['decision']}"
    if entry.action == "submitted" and "eligible" in detail:
        what += ": eligible" if detail["eligible"] else ": not eligible"
    if entry.action == "timer_fired" and detail.get("status_after"):
        what += f"; now {status_label(str(detail['status_after'])).lower()}"
    return what
