"""Application statuses of API.md, in one place so rules, processes and views agree."""

# An application whose process could not start yet (an open incident says why).
SUBMITTED = "submitted"

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
)

ALL_STATUSES: tuple[str, ...] = LIVE_STATUSES + FINAL_STATUSES


def is_final(status: str) -> bool:
    """True when no further step can change an application with this status."""
    return status in FINAL_STATUSES
