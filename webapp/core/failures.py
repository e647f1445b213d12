"""A step the process could not take: rolled back, recorded as an incident, told plainly."""

from __future__ import annotations

from flask_babel import gettext as _

from engine.errors import StepFailed
from engine.i18n import N_
from engine.incidents import record_failure
from engine.models import User
from engine.services.incidents import note_failed_retry
from webapp.core.database import commit, now, session

STEP_FAILED_HEADING = N_("This step could not be taken")


def step_failed_message(incident_id: int) -> str:
    """What a person is told when the process could not take their step, in the request's
    language (the API's answers are English)."""
    return str(
        _(
            "The process could not take this step, so nothing was changed; "
            "DoPT's operators have been told (incident %(incident)s).",
            incident=incident_id,
        )
    )


def record_step_failure(error: StepFailed) -> int:
    """Roll the request's work back, then record the failure as an incident and commit that alone; its id."""
    session().rollback()
    incident_id = record_failure(session(), error, now()).id
    commit()
    return incident_id


def record_failed_retry(error: StepFailed, user: User, incident_id: int, reason: object) -> int:
    """As record_step_failure, for a retry of incident `incident_id` that failed again: the
    application's history also says who retried it, why, and what failed; the incident's id."""
    session().rollback()
    counted = record_failure(session(), error, now()).id
    note_failed_retry(session(), user, incident_id, reason, error.message, now())
    commit()
    return counted
