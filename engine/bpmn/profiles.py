"""The officers and course runs a scenario can start from, as the process's start data.

A scenario names a profile (and may change parts of it) rather than spelling out the
twenty fields an application starts with. Each profile has exactly the shape that
`engine/services/applications.py` gives a submitted application (a test keeps the two
alike), so a scenario starts where a real application starts.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from engine.rules import SERVICE_NAMES_HI

_COURSE_RUN: dict[str, Any] = {
    "id": 1,
    "course": "CGP",
    "starts_on": "2027-03-01",
    "registration_closes_on": "2027-02-20",
    "ends_on": "2027-06-15",
    "reimbursement_cap_usd": 100.0,
    "course_title": "The Challenges of Global Poverty",
    "result_due_at": "2027-06-16T00:00:00+05:30",
}

_ELIGIBLE_OFFICER: dict[str, Any] = {
    "application_id": 1,
    "officer": {
        "username": "asha",
        "full_name": "Asha Verma",
        "email": "asha.verma@example.gov.in",
        "service": "IAS",
        "service_name": "Indian Administrative Service",
        "service_name_hi": SERVICE_NAMES_HI["IAS"],
        "cca": "DOPT-IAS",
        "cca_name": "Department of Personnel and Training (IAS)",
        "designation": "Under Secretary",
        "date_of_joining": "2015-08-01",
        "date_of_birth": "1985-02-01",
        "edx_username": "asha_verma",
    },
    "course": {"code": "CGP", "title": "The Challenges of Global Poverty"},
    "course_run": _COURSE_RUN,
    "cca_approval_required": True,
    "applied_on": "2027-01-10",
    "other_applications": [],
}

PROFILES: Mapping[str, dict[str, Any]] = {
    # An IAS officer (joined 2015, born 1985) of a CCA that must approve, applying in
    # time for the March 2027 run of CGP: eligible on every rule.
    "eligible_officer": _ELIGIBLE_OFFICER,
    # The same officer in a service the programme is not open to.
    "ineligible_officer": {
        **_ELIGIBLE_OFFICER,
        "officer": {
            **_ELIGIBLE_OFFICER["officer"],
            "service": "OTHER",
            "service_name": "Other service",
            "service_name_hi": SERVICE_NAMES_HI["OTHER"],
        },
    },
    # An eligible CSS officer whose cadre only needs to be told, not asked.
    "officer_without_cca_approval": {
        **_ELIGIBLE_OFFICER,
        "officer": {
            **_ELIGIBLE_OFFICER["officer"],
            "service": "CSS_A",
            "service_name": "Central Secretariat Service (Group 'A')",
            "service_name_hi": SERVICE_NAMES_HI["CSS_A"],
            "cca": "DOPT-CSS",
            "cca_name": "Department of Personnel and Training (CSS)",
        },
        "cca_approval_required": False,
    },
}


def start_data(profile: str, changes: Mapping[str, Any]) -> dict[str, Any]:
    """A profile's start data with `changes` laid over it (nested objects merged key by key).

    Raises KeyError for an unknown profile.
    """
    return _merged(copy.deepcopy(PROFILES[profile]), changes)


def _merged(base: dict[str, Any], changes: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in changes.items():
        if isinstance(value, Mapping) and isinstance(base.get(key), dict):
            base[key] = _merged(base[key], value)
        else:
            base[key] = copy.deepcopy(value)
    return base
