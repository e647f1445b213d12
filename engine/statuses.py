"""Application statuses of API.md, in one place so rules, processes and views agree."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from engine.i18n import N_, Message

# An application whose process could not start yet (an open incident says why).
SUBMITTED = "submitted"
# An application DoPT stopped for good (its process cancelled by an operator, with a reason).
CANCELLED = "cancelled"

LIVE_STATUSES: tuple[str, ...] = (
    SUBMITTED,
    "awaiting_cadre_approval",
    "awaiting_dopt_decision",
    "awaiting_clarification",
    "awaiting_dopt_confirmation",
    "awaiting_coupon",
    "enrolled",
    "awaiting_result",
    "awaiting_claim",
    "claim_under_verification",
    "awaiting_payment",
)

FINAL_STATUSES: tuple[str, ...] = (
    "ineligible",
    "not_approved",
    "rejected_by_dopt",
    "not_certified",
    "lapsed",
    "reimbursed",
    "withdrawn",
    CANCELLED,
)

ALL_STATUSES: tuple[str, ...] = LIVE_STATUSES + FINAL_STATUSES


def is_final(status: str) -> bool:
    """True when no further step can change an application with this status."""
    return status in FINAL_STATUSES


STATUS_LABELS: dict[str, str] = {
    "submitted": N_("Submitted: waiting to be processed"),
    "awaiting_cadre_approval": N_("Waiting for the cadre controlling authority's approval"),
    "awaiting_dopt_decision": N_("Escalated: DoPT is deciding on the nomination"),
    "awaiting_clarification": N_("Waiting for the officer to answer a question"),
    "awaiting_dopt_confirmation": N_("Waiting for DoPT to confirm eligibility"),
    "awaiting_coupon": N_("Waiting for the coupon code"),
    "enrolled": N_("Enrolled: coupon code issued"),
    "awaiting_result": N_("Waiting for the course result"),
    "awaiting_claim": N_("Certified: reimbursement can be claimed"),
    "claim_under_verification": N_("Reimbursement claim being verified by DoPT"),
    "awaiting_payment": N_("Claim approved: payment pending"),
    "ineligible": N_("Not eligible"),
    "not_approved": N_("Not approved by the cadre controlling authority"),
    "rejected_by_dopt": N_("Rejected by DoPT"),
    "not_certified": N_("Not certified"),
    "lapsed": N_("Lapsed"),
    "reimbursed": N_("Reimbursed"),
    "withdrawn": N_("Withdrawn"),
    "cancelled": N_("Cancelled by DoPT"),
}
"""Each status in words a person reads (English; translated by the web layer)."""

STATUS_EXPLANATIONS: dict[str, str] = {
    "submitted": N_(
        "The application is saved; a problem on DoPT's side stopped it being processed. DoPT has been told."
    ),
    "awaiting_cadre_approval": N_("The cadre controlling authority has been asked to approve the nomination."),
    "awaiting_dopt_decision": N_(
        "The cadre controlling authority did not decide within 14 days, so the DoPT Training Division "
        "decides on the nomination in its place."
    ),
    "awaiting_clarification": N_("The cadre controlling authority returned the application with a question."),
    "awaiting_dopt_confirmation": N_("The DoPT Training Division is checking eligibility."),
    "awaiting_coupon": N_("Eligibility is confirmed; the course team is issuing a coupon code."),
    "enrolled": N_("Use the coupon code to enrol. Report the result when the course ends."),
    "awaiting_result": N_("The course has ended: the officer reports the final grade and exam result."),
    "awaiting_claim": N_("The certificate was earned: the officer may claim reimbursement of the fee."),
    "claim_under_verification": N_("DoPT is checking the certificate, the payment proof and the bank details."),
    "awaiting_payment": N_("Finance will pay the approved amount into the officer's bank account."),
    "ineligible": N_("The application did not meet the eligibility rules shown below."),
    "not_approved": N_("The cadre controlling authority did not approve the nomination."),
    "rejected_by_dopt": N_("The DoPT Training Division rejected the application."),
    "not_certified": N_("The course certificate was not earned, so no reimbursement is due."),
    "lapsed": N_("The application lapsed because the next step was not taken in time."),
    "reimbursed": N_("The course fee has been reimbursed. Nothing more to do."),
    "withdrawn": N_("The officer withdrew the application."),
    "cancelled": N_("DoPT cancelled the application; the history says why."),
}
"""What each status means and what happens next."""


def status_label(status: str) -> Message:
    """The status (a code of API.md) in words; an unknown code as it is, made readable."""
    return Message(STATUS_LABELS.get(status) or status.replace("_", " ").capitalize())


def status_explanation(status: str) -> Message | None:
    """What the status means and what happens next; None for an unknown code."""
    text = STATUS_EXPLANATIONS.get(status)
    return Message(text) if text else None


@dataclass(frozen=True)
class Step:
    """One completed user task of an application's history: its BPMN id and the decision taken."""

    task: str
    decision: str | None = None


# A status says more when the history says how the application came to it. The API keeps the
# code (a contract); people read which of these holds.
RETURNED_CLAIM = (
    N_("Claim returned for correction"),
    N_("DoPT returned the claim for correction: the officer corrects it and submits it again."),
)
RESULT_WITHOUT_CERTIFICATE = (
    N_("Result reported: no certificate"),
    N_(
        "The result reported earns no certificate. The officer confirms it, or corrects it if it was a "
        "mistake; without an answer within 30 days the result stands."
    ),
)
RESULT_BEING_CORRECTED = (
    N_("Result being corrected"),
    N_("The officer is correcting the result reported earlier; the form opens with what was sent."),
)


def status_in_context(status: str, steps: Sequence[Step], open_tasks: Sequence[str]) -> tuple[Message, Message | None]:
    """The status in words (label, explanation), told by what happened: a claim DoPT returned
    reads "Claim returned for correction", a result being confirmed or corrected says so.

    `steps` are the application's completed user tasks, oldest first; `open_tasks` the BPMN
    ids of its open user tasks.
    """
    if status == "awaiting_claim":
        last = next((step for step in reversed(steps) if step.task in ("submit_claim", "verify_claim")), None)
        if last is not None and last.task == "verify_claim" and last.decision == "return":
            return Message(RETURNED_CLAIM[0]), Message(RETURNED_CLAIM[1])
    if status == "awaiting_result":
        if "confirm_result" in open_tasks:
            return Message(RESULT_WITHOUT_CERTIFICATE[0]), Message(RESULT_WITHOUT_CERTIFICATE[1])
        if "report_result" in open_tasks and any(step.task == "report_result" for step in steps):
            return Message(RESULT_BEING_CORRECTED[0]), Message(RESULT_BEING_CORRECTED[1])
    return status_label(status), status_explanation(status)
