"""The inbox: list, show, claim, unclaim, complete."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.form_versions import task_form
from engine.models import Application
from engine.services.decisions import decision_facts
from engine.services.process_data import task_data
from engine.services.queries import TaskFilter, task_page
from engine.services.tasks import claim_task, complete_task, get_task, unclaim_task
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller
from webapp.api.paging import paged
from webapp.api.presenters import application_json, task_json
from webapp.api.request_data import int_arg, json_object
from webapp.core.database import commit, now, session, settings
from webapp.core.paging import requested_page


@api.get("/tasks")
@authenticated
def tasks() -> Any:
    filters = TaskFilter(
        application_id=int_arg("application_id"),
        course=request.args.get("course") or None,
        course_run_id=int_arg("course_run_id"),
        cca=request.args.get("cca") or None,
        name=request.args.get("name") or None,
    )
    page = requested_page()
    found, total = task_page(session(), caller(), filters, page.size, page.offset)
    return paged([task_json(task) for task in found], total, page)


@api.get("/tasks/<task_id>")
@authenticated
def task(task_id: str) -> Any:
    found = get_task(session(), caller(), task_id)
    form = task_form(session(), found, settings().forms_dir)
    application = session().get_one(Application, found.application_id)
    body = task_json(found) | {
        "state": found.state,
        "form": form,
        # What the officer sent before for this form (a claim returned, a result to correct).
        "prefill": found.prefill or {},
        "application": application_json(session(), application, caller()),
        "facts": decision_facts(session(), application, task_data(session(), found)).as_json(),
    }
    return jsonify(body)


@api.post("/tasks/<task_id>/claim")
@authenticated
def claim(task_id: str) -> Any:
    claimed = claim_task(session(), caller(), task_id, now())
    commit()
    return jsonify(task_json(claimed))


@api.post("/tasks/<task_id>/unclaim")
@authenticated
def unclaim(task_id: str) -> Any:
    released = unclaim_task(session(), caller(), task_id, now())
    commit()
    return jsonify(task_json(released))


@api.post("/tasks/<task_id>/complete")
@authenticated
def complete(task_id: str) -> Any:
    body = json_object(allowed={"data"}, required={"data"})
    application = complete_task(session(), caller(), task_id, body["data"], settings().forms_dir, now())
    # The answer is read inside the step's transaction (everything is flushed): the same rows
    # the commit makes durable, without a second transaction after it.
    answer = {"application": application_json(session(), application, caller())}
    commit()
    return jsonify(answer)
