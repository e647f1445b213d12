"""Applications."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.services.applications import get_application, submit_application, withdraw_application
from engine.services.queries import list_applications
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.presenters import application_json, applications_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session


@api.post("/applications")
@authenticated
def apply() -> Any:
    require_role("officer")
    body = json_object(allowed={"course_run_id", "declaration"}, required={"course_run_id", "declaration"})
    application = submit_application(session(), caller(), body["course_run_id"], body["declaration"], now())
    commit()
    return jsonify(application_json(session(), application, caller())), 201


@api.get("/applications")
@authenticated
def applications() -> Any:
    user = caller()
    return jsonify(applications_json(session(), list_applications(session(), user), user))


@api.get("/applications/<int:application_id>")
@authenticated
def application(application_id: int) -> Any:
    found = get_application(session(), caller(), application_id)
    return jsonify(application_json(session(), found, caller()))


@api.post("/applications/<int:application_id>/withdraw")
@authenticated
def withdraw(application_id: int) -> Any:
    withdrawn = withdraw_application(session(), caller(), application_id, now())
    commit()
    return jsonify(application_json(session(), withdrawn, caller()))
