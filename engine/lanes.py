"""Lanes of the BPMN diagrams and the roles that work them."""

from __future__ import annotations

LANE_ROLES: dict[str, str] = {
    "Officer": "officer",
    "CCA": "cca_approver",
    "DoPT": "dopt",
    "Course Team": "course_team",
    "Finance": "finance",
}

ROLES: tuple[str, ...] = (
    "officer",
    "cca_approver",
    "dopt",
    "course_team",
    "finance",
    "process_owner",
    "admin",
)
