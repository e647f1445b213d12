"""Application statuses of API.md, in one place so rules, processes and views agree."""

from __future__ import annotations

from engine.i18n import N_, Message

# An application whose process could not start yet (an open incident says why).
SUBMITTED = "submitted"
# An application DoPT stopped for good (its process cancelled by an operator, with a reason).
CANCELLED = "cancelled"

LIVE_STATUSES: tuple[str, ...] = (
    SUBMITTED,
    "awaiting_cadre_approval",
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
