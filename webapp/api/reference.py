"""CCAs, courses and course runs: the lists, and DoPT's changes to the catalogue."""

from __future__ import annotations

from typing import Any

from flask import jsonify, request

from engine.services.applications import INDIA
from engine.services.catalogue import list_ccas, list_course_runs, list_courses
from engine.services.reference import (
    close_course_run,
    create_course,
    create_course_run,
    update_course,
    update_course_run,
)
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, caller, require_role
from webapp.api.paging import paged
from webapp.api.presenters import cca_json, course_json, course_run_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, now, session
from webapp.core.paging import requested_page


@api.get("/ccas")
@authenticated
def ccas() -> Any:
    page = requested_page()
    rows, total = list_ccas(session(), page.size, page.offset)
    return paged([cca_json(cca) for cca in rows], total, page)


@api.get("/courses")
@authenticated
def courses() -> Any:
    page = requested_page()
    rows, total = list_courses(session(), page.size, page.offset)
    return paged([course_json(course) for course in rows], total, page)


@api.post("/courses")
@authenticated
def add_course() -> Any:
    require_role("dopt")
    course = create_course(session(), json_object())
    commit()
    return jsonify(course_json(course)), 201


@api.patch("/courses/<code>")
@authenticated
def change_course(code: str) -> Any:
    require_role("dopt")
    course = update_course(session(), code, json_object())
    commit()
    return jsonify(course_json(course))


@api.get("/course-runs")
@authenticated
def course_runs() -> Any:
    page = requested_page()
    today = now().astimezone(INDIA).date()
    course, period = request.args.get("course") or None, request.args.get("period") or "all"
    rows, total = list_course_runs(session(), today, page.size, page.offset, course, period)
    return paged([course_run_json(row.run, row.applications) for row in rows], total, page)


@api.post("/course-runs")
@authenticated
def add_course_run() -> Any:
    require_role("dopt")
    run = create_course_run(session(), json_object())
    commit()
    return jsonify(course_run_json(run)), 201


@api.patch("/course-runs/<int:run_id>")
@authenticated
def change_course_run(run_id: int) -> Any:
    require_role("dopt")
    run = update_course_run(session(), run_id, json_object())
    commit()
    return jsonify(course_run_json(run))


@api.post("/course-runs/<int:run_id>/close")
@authenticated
def close_run(run_id: int) -> Any:
    require_role("dopt")
    run = close_course_run(session(), caller(), run_id, now())
    commit()
    return jsonify(course_run_json(run))
