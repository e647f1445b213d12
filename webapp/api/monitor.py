"""The instance monitor: applications by process, version, status, run, CCA, incident and age;
one application's process, element by element (dopt, process_owner)."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.services.instance_trace import instance_view
from engine.services.monitor import monitor_applications, read_monitor_filter
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.paging import paged
from webapp.api.presenters import instance_json, monitor_row_json
from webapp.core.database import now, session
from webapp.core.paging import requested_page

OPERATORS = ("dopt", "process_owner")


@api.get("/monitor/applications")
@authenticated
def monitored() -> Any:
    require_role(*OPERATORS)
    page = requested_page()
    filters = read_monitor_filter(request.args)
    rows, total = monitor_applications(session(), caller(), filters, now(), page.size, page.offset)
    return paged([monitor_row_json(row) for row in rows], total, page)


@api.get("/monitor/applications/<int:application_id>")
@authenticated
def monitored_instance(application_id: int) -> Any:
    require_role(*OPERATORS)
    return jsonify(instance_json(instance_view(session(), caller(), application_id, now())))
