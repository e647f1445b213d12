"""Incidents: the list operators work from, and retrying the step that failed."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.errors import StepFailed
from engine.models import Incident
from engine.services.incidents import list_incidents, retry_incident
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.paging import paged
from webapp.api.presenters import application_json, incident_json
from webapp.api.request_data import flag_arg, optional_json_object
from webapp.core.database import commit, now, session, settings
from webapp.core.failures import record_failed_retry
from webapp.core.paging import requested_page


@api.get("/incidents")
@authenticated
def incidents() -> Any:
    require_role("dopt", "process_owner")
    page = requested_page()
    rows, total = list_incidents(session(), caller(), flag_arg("all"), page.size, page.offset)
    return paged([incident_json(row) for row in rows], total, page)


@api.post("/incidents/<int:incident_id>/retry")
@authenticated
def retry(incident_id: int) -> Any:
    require_role("dopt", "process_owner")
    body = optional_json_object(allowed={"reason"})
    try:
        application = retry_incident(session(), caller(), incident_id, body.get("reason"), settings().forms_dir, now())
        commit()
    except StepFailed as error:
        counted = record_failed_retry(error, caller(), incident_id, body.get("reason"))
        incident = session().get_one(Incident, counted)
        message = f"The step failed again: {error.message}"
        body = {"code": error.code, "message": message, "incident_id": counted, "incident": incident_json(incident)}
        return jsonify({"error": body}), 422
    return jsonify({"application": application_json(session(), application, caller())})
