"""CCAs, courses and course runs."""

from __future__ import annotations

from typing import Any

from flask import jsonify
from sqlalchemy import select

from engine.models import CCA, Course, CourseRun
from engine.services.reference import create_course, create_course_run
from webapp.api.blueprint import api
from webapp.api.identity import authenticated, require_role
from webapp.api.presenters import cca_json, course_json, course_run_json
from webapp.api.request_data import json_object
from webapp.core.database import commit, session


@api.get("/ccas")
@authenticated
def list_ccas() -> Any:
    return jsonify([cca_json(cca) for cca in session().scalars(select(CCA).order_by(CCA.code))])


@api.get("/courses")
@authenticated
def list_courses() -> Any:
    return jsonify([course_json(course) for course in session().scalars(select(Course).order_by(Course.code))])


@api.post("/courses")
@authenticated
def add_course() -> Any:
    require_role("dopt")
    course = create_course(session(), json_object())
    commit()
    return jsonify(course_json(course)), 201


@api.get("/course-runs")
@authenticated
def list_course_runs() -> Any:
    runs = session().scalars(select(CourseRun).order_by(CourseRun.starts_on, CourseRun.id))
    return jsonify([course_run_json(run) for run in runs])


@api.post("/course-runs")
@authenticated
def add_course_run() -> Any:
    require_role("dopt")
    run = create_course_run(session(), json_object())
    commit()
    return jsonify(course_run_json(run)), 201
