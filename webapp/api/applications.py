"""Applications (the list with its filters and export, one, apply, withdraw)"""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.errors import Invalid
from engine.services.application_list import (
    ApplicationRow,
    application_filter,
    iter_application_rows,
    list_application_rows,
)
from engine.services.applications import INDIA, get_application, submit_application, withdraw_application
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.paging import paged
from webapp.api.presenters import application_json, application_row_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session
from webapp.core.exports import FORMATS, Table, download
from webapp.core.paging import requested_page

EXPORT_COLUMNS = (
    "id",
    "officer",
    "username",
    "edx_username",
    "service",
    "cca",
    "cca_name",
    "course",
    "course_title",
    "course_run_id",
    "run_starts_on",
    "status",
    "submitted_at",
    "updated_at",
    "open_incident",
)


@api.post("/applications")
@authenticated
def apply() -> Any:
    require_role("officer")
    body = json_object(allowed={"course_run_id", "declaration"}, required={"course_run_id", "declaration"})
    application = submit_application(session(), caller(), body["course_run_id"], body["declaration"], now())
    answer = application_json(session(), application, caller())  # read in the step's transaction
    commit()
    return jsonify(answer), 201


@api.get("/applications")
@authenticated
def applications() -> Any:
    user = caller()
    filters = application_filter(request.args, day_first=False)
    page = requested_page()
    rows, total = list_application_rows(session(), user, filters, page.size, page.offset)
    return paged([application_row_json(row) for row in rows], total, page)


@api.get("/applications/export")
@authenticated
def export_applications() -> Any:
    file_format = request.args.get("format", "csv")
    if file_format not in FORMATS:
        raise Invalid("Unknown format", {"format": "csv or xlsx"})
    filters = application_filter(request.args, day_first=False)
    rows = (_export_row(row) for row in iter_application_rows(session(), caller(), filters))
    return download(Table("applications", EXPORT_COLUMNS, rows), "applications", file_format)


def _export_row(row: ApplicationRow) -> tuple[Any, ...]:
    return (
        row.id,
        row.officer_name,
        row.officer_username,
        row.edx_username,
        row.service,
        row.cca_code,
        row.cca_name,
        row.course_code,
        row.course_title,
        row.course_run_id,
        row.run_starts_on,
        row.status,
        row.created_at.astimezone(INDIA),
        row.updated_at.astimezone(INDIA),
        row.has_incident,
    )


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
