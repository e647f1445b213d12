"""Repairing an application: its process data, its version (and a dry run first), holding it,
cancelling it (API.md, operating and repairing)."""

from __future__ import annotations

from typing import Any

from flask import jsonify

from engine.services.repair import (
    cancel_application,
    migrate_application,
    patch_process_data,
    preview_migration,
    resume_application,
    suspend_application,
)
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.presenters import application_json, migration_preview_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session


@api.patch("/applications/<int:application_id>/data")
@authenticated
def patch_data(application_id: int) -> Any:
    require_role("process_owner")
    body = json_object(allowed={"data", "reason"}, required={"data", "reason"})
    application, data = patch_process_data(session(), caller(), application_id, body["data"], body["reason"], now())
    commit()
    return jsonify({"application": application_json(session(), application, caller()), "data": data})


@api.post("/applications/<int:application_id>/migrate")
@authenticated
def migrate(application_id: int) -> Any:
    require_role("process_owner")
    body = json_object(allowed={"version", "reason", "process"}, required={"version", "reason"})
    application = migrate_application(session(), caller(), application_id, body, now())
    commit()
    return jsonify({"application": application_json(session(), application, caller())})


@api.post("/applications/<int:application_id>/migrate/preview")
@authenticated
def migrate_preview(application_id: int) -> Any:
    require_role("process_owner")
    body = json_object(allowed={"version", "process"}, required={"version"})
    return jsonify(migration_preview_json(preview_migration(session(), caller(), application_id, body, now())))


@api.post("/applications/<int:application_id>/cancel")
@authenticated
def cancel(application_id: int) -> Any:
    require_role("dopt", "process_owner")
    body = json_object(allowed={"reason"}, required={"reason"})
    application = cancel_application(session(), caller(), application_id, body["reason"], now())
    commit()
    return jsonify({"application": application_json(session(), application, caller())})


@api.post("/applications/<int:application_id>/suspend")
@authenticated
def suspend(application_id: int) -> Any:
    require_role("dopt", "process_owner")
    body = json_object(allowed={"reason"}, required={"reason"})
    application = suspend_application(session(), caller(), application_id, body["reason"], now())
    commit()
    return jsonify({"application": application_json(session(), application, caller())})


@api.post("/applications/<int:application_id>/resume")
@authenticated
def resume(application_id: int) -> Any:
    require_role("dopt", "process_owner")
    body = json_object(allowed={"reason"}, required={"reason"})
    application = resume_application(session(), caller(), application_id, body["reason"], now())
    commit()
    return jsonify({"application": application_json(session(), application, caller())})
