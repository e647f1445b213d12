"""The OpenAPI 3.1 document of the API, served at /api/v1/openapi.json.

A test compares it with the routes the blueprint really has, so it cannot drift.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify

from webapp.api.blueprint import api

ERROR = {"$ref": "#/components/schemas/Error"}


def _op(
    summary: str,
    ok: str = "200",
    body: dict[str, Any] | None = None,
    public: bool = False,
    answer: dict[str, Any] | None = None,
    **errors: str,
) -> Any:
    """An operation; `errors` are e<code>="description" (an e2xx is a second success, shaped as `answer`)."""
    success = {"description": "success"} | ({"content": {"application/json": {"schema": answer}}} if answer else {})
    responses: dict[str, Any] = {ok: success}
    codes = {"400": "malformed body", "401": "no or bad credentials", **{k.lstrip("e"): v for k, v in errors.items()}}
    if public:
        codes.pop("401")
    for code, description in codes.items():
        content = answer if code.startswith("2") else ERROR
        responses[code] = {"description": description, "content": {"application/json": {"schema": content}}}
    operation: dict[str, Any] = {"summary": summary, "responses": responses}
    if not public:
        operation["security"] = [{"bearer": []}]
    if body is not None:
        operation["requestBody"] = {"required": True, "content": body}
    return operation


def _json(properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {"application/json": {"schema": {"type": "object", "properties": properties, "required": required}}}


S = {"type": "string"}
I = {"type": "integer"}  # noqa: E741
B = {"type": "boolean"}
D = {"type": "string", "format": "date"}
ID = {"name": "id", "in": "path", "required": True, "schema": I}


def _path_param(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema}


DEPLOYED = {
    "type": "object",
    "properties": {
        "key": S,
        "version": I,
        "scenarios": {
            "type": "array",
            "items": {"type": "object", "properties": {"name": S, "process": S, "passed": B}},
        },
    },
    "required": ["key", "version", "scenarios"],
}

# The shape engine/bpmn/scenario_format.py reads (it explains each field).
SCENARIO = {
    "type": "object",
    "required": ["description", "start", "expect"],
    "properties": {
        "description": S,
        "start": {
            "type": "object",
            "required": ["profile"],
            "properties": {
                "profile": {"enum": ["eligible_officer", "ineligible_officer", "officer_without_cca_approval"]},
                "at": {"type": "string", "format": "date-time"},
                "data": {"type": "object"},
            },
        },
        "coupons": {"type": "array", "items": S},
        "steps": {
            "type": "array",
            "items": {
                "oneOf": [
                    {
                        "type": "object",
                        "required": ["task", "role", "data"],
                        "properties": {"task": S, "role": S, "data": {"type": "object"}, "expect": {"type": "object"}},
                    },
                    {
                        "type": "object",
                        "required": ["timer", "at"],
                        "properties": {
                            "timer": S,
                            "at": {"type": "string", "description": "ISO 8601 duration, or date-time with offset"},
                            "expect": {"type": "object"},
                        },
                    },
                ]
            },
        },
        "expect": {
            "type": "object",
            "required": ["tasks"],
            "properties": {
                "tasks": {"type": "array", "items": S},
                "status": S,
                "ended": B,
                "data": {"type": "object"},
                "notifications": {
                    "type": "array",
                    "items": {"type": "object", "properties": {"to": S, "subject": S}},
                },
            },
        },
    },
}

# API.md's paging: the body stays a list; X-Total-Count and Link (next, prev) say where it stands.
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
]


PAGED_HEADERS = {
    "X-Total-Count": {"description": "how many items the whole list has", "schema": I},
    "Link": {"description": 'the next and previous pages: <url>; rel="next", <url>; rel="prev"', "schema": S},
}


def _list(summary: str, parameters: list[dict[str, Any]] | None = None, **errors: str) -> dict[str, Any]:
    """A paged list (API.md): page and per_page, X-Total-Count and Link; 422 for an unusable page."""
    operation: dict[str, Any] = _op(
        summary, "200", None, False, None, **({"e422": "page, per_page or a filter not usable"} | errors)
    )
    operation["responses"]["200"]["headers"] = PAGED_HEADERS
    operation["parameters"] = [*(parameters or []), *PAGING]
    return operation


def _query(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema, "description": description}


APPLICATION_FILTERS = [
    _query("q", S, "search: the application id, or part of the officer's name, username or edX username"),
    _query("course", S, "course code"),
    _query("course_run_id", I, "course run"),
    _query("cca", S, "CCA code (the application's)"),
    _query("status", S, "a status, or several separated by commas"),
    _query("has_incident", {"enum": ["0", "1"]}, "1: only those with an open incident; 0: only those without"),
    _query("submitted_from", D, "submitted on or after this day (India)"),
    _query("submitted_to", D, "submitted on or before this day (India)"),
    _query("sort", {"enum": ["submitted", "updated", "status", "officer"]}, "default submitted"),
    _query("order", {"enum": ["asc", "desc"]}, "default desc"),
]
RUN_BODY = {
    "course": S,
    "starts_on": D,
    "registration_closes_on": D,
    "ends_on": D,
    "exam_starts_on": D,
    "exam_ends_on": D,
    "fee_usd": {"type": "number"},
    "reimbursement_cap_usd": {"type": "number"},
}
NOT_REPORT_READER = "the caller's roles may not read this report"


DOCUMENT: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "iGOT MicroMasters workflow API", "version": "1"},
    "servers": [{"url": "/api/v1"}],
    "components": {
        "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        "schemas": {
            "Error": {
                "type": "object",
                "properties": {
                    "error": {
                        "type": "object",
                        "properties": {
                            "code": S,
                            "message": S,
                            "fields": {"type": "object"},
                            "details": {},
                            "incident_id": I,
                            "incident": {"type": "object"},
                        },
                        "required": ["code", "message"],
                    }
                },
            },
            "Scenario": SCENARIO,
        },
    },
    "paths": {
        "/auth/token": {
            "post": _op(
                "Get a bearer token",
                body=_json({"username": S, "password": S}, ["username", "password"]),
                public=True,
                e401="wrong username or password",
                e422="missing fields",
            ),
            "delete": _op("Revoke the token in use", ok="204"),
        },
        "/officers": {
            "post": _op(
                "Register as an officer",
                ok="201",
                public=True,
                body=_json(
                    {
                        "username": S,
                        "password": S,
                        "full_name": S,
                        "email": S,
                        "mobile": S,
                        "service": {"enum": ["IAS", "IPS", "IFoS", "CCS_A", "CSS_A", "CSSS_A", "SCS", "OTHER"]},
                        "cca": S,
                        "designation": S,
                        "date_of_joining": D,
                        "date_of_birth": D,
                        "edx_username": S,
                    },
                    ["username", "password", "full_name", "email", "service", "cca", "date_of_joining"],
                ),
                e409="username or e-mail taken",
                e422="invalid fields",
            )
        },
        "/me": {"get": _op("The caller's user and officer profile")},
        "/users": {
            "post": _op(
                "Create a user (admin)",
                ok="201",
                body=_json({"username": S, "password": S, "roles": {"type": "array"}, "cca": S}, ["username"]),
                e403="not an admin",
                e409="username taken",
                e422="invalid fields",
            )
        },
        "/ccas": {
            "get": _list("Cadre controlling authorities, by code"),
            "post": _op(
                "Add a CCA (admin)",
                ok="201",
                body=_json({"code": S, "name": S, "approval_required": B}, ["code", "name"]),
                e403="not an admin",
                e409="exists",
                e422="invalid",
            ),
        },
        "/courses": {
            "get": _list("Courses, by code"),
            "post": _op(
                "Add a course (dopt)",
                ok="201",
                body=_json({"code": S, "title": S, "prerequisites": S}, ["code", "title"]),
                e403="not dopt",
                e409="exists",
                e422="invalid",
            ),
        },
        "/courses/{code}": {
            "parameters": [_path_param("code", S)],
            "patch": _op(
                "Change a course's title or prerequisites (dopt)",
                body=_json({"title": S, "prerequisites": S}, []),
                e403="not dopt",
                e404="no such course",
                e422="invalid",
            ),
        },
        "/course-runs": {
            "get": _list(
                "Course runs, the latest start first, each with how many applications it has",
                [
                    _query("course", S, "course code"),
                    _query("period", {"enum": ["all", "upcoming", "current", "past"]}, "default all"),
                ],
            ),
            "post": _op(
                "Add a course run (dopt); fee and cap default to USD 100",
                ok="201",
                body=_json(RUN_BODY, ["course", "starts_on", "registration_closes_on", "ends_on"]),
                e403="not dopt",
                e422="dates out of order or invalid; fields names each",
            ),
        },
        "/course-runs/{id}": {
            "parameters": [ID],
            "patch": _op(
                "Change a run (dopt): any field but the course; applications made before keep their copy "
                "of the run (dates, cap)",
                body=_json({k: v for k, v in RUN_BODY.items() if k != "course"}, []),
                e403="not dopt",
                e404="no such run",
                e409="the run is closed",
                e422="invalid; fields names each",
            ),
        },
        "/course-runs/{id}/close": {
            "parameters": [ID],
            "post": _op(
                "Close a run to new applications (dopt); its applications go on",
                e403="not dopt",
                e404="no such run",
                e409="already closed",
            ),
        },
        "/course-runs/{id}/coupons": {
            "parameters": [ID],
            "post": _op(
                "Add coupon codes to the run's pool (course_team)",
                body=_json({"codes": {"type": "array", "items": S}}, ["codes"]),
                e403="not course team",
                e404="no such run",
                e422="invalid codes",
            ),
        },
        "/course-runs/{id}/coupons/summary": {
            "parameters": [ID],
            "get": _op("Coupons total, assigned, available", e403="not course team or dopt", e404="no such run"),
        },
        "/applications": {
            "get": _list(
                "Applications the caller may see, as lists show them (the whole application is at "
                "/applications/{id}); searched, filtered and sorted",
                APPLICATION_FILTERS,
            ),
            "post": _op(
                "Apply for a course run (officer)",
                ok="201",
                body=_json({"course_run_id": I, "declaration": {"const": True}}, ["course_run_id", "declaration"]),
                e403="not an officer",
                e422="invalid",
            ),
        },
        "/applications/export": {
            "get": {
                **_op(
                    "The applications of the list's filters (all of them, not a page) as a CSV or XLSX file",
                    e422="a filter or the format not usable",
                ),
                "parameters": [*APPLICATION_FILTERS, _query("format", {"enum": ["csv", "xlsx"]}, "default csv")],
            }
        },
        "/applications/{id}": {"parameters": [ID], "get": _op("One application", e404="not found")},
        "/applications/{id}/withdraw": {
            "parameters": [ID],
            "post": _op("Withdraw a live application", e404="not found", e409="already final"),
        },
        "/tasks": {
            "get": _list(
                "Open tasks the caller may work, oldest first",
                [
                    _query("application_id", I, "one application's"),
                    _query("name", S, "the task (BPMN id), e.g. cca_approval"),
                    _query("course", S, "course code"),
                    _query("course_run_id", I, "course run"),
                    _query("cca", S, "CCA code"),
                ],
            )
        },
        "/tasks/{task_id}": {
            "parameters": [_path_param("task_id", S)],
            "get": _op("A task with its form (JSON Schema) and application", e404="not found"),
        },
        "/tasks/{task_id}/claim": {
            "parameters": [_path_param("task_id", S)],
            "post": _op("Claim a task", e404="not found", e409="held by another or completed"),
        },
        "/tasks/{task_id}/unclaim": {
            "parameters": [_path_param("task_id", S)],
            "post": _op("Release a task", e404="not found", e409="held by another or completed"),
        },
        "/tasks/{task_id}/complete": {
            "parameters": [_path_param("task_id", S)],
            "post": _op(
                "Complete a task with its form data",
                body=_json({"data": {"type": "object"}}, ["data"]),
                e404="not found",
                e409="already completed or claimed by another",
                e422="invalid data; fields names each bad field",
            ),
        },
        "/uploads": {
            "post": _op(
                "Upload a PDF, PNG or JPEG (at most 5 MB)",
                ok="201",
                body={
                    "multipart/form-data": {
                        "schema": {"type": "object", "properties": {"file": {"type": "string", "format": "binary"}}}
                    }
                },
                e413="too large",
                e422="not PDF, PNG or JPEG",
            )
        },
        "/uploads/{upload_id}": {
            "parameters": [_path_param("upload_id", S)],
            "get": _op("Download an upload", e404="not found"),
        },
        "/notifications": {"get": _list("Messages to the caller, newest first")},
        "/process-definitions": {
            "get": _list("Every version of every process (process_owner, dopt)", e403="not allowed"),
            "post": _op(
                "Deploy a BPMN file, alone or with its forms (process_owner); every scenario of every "
                "process it touches is rehearsed first",
                ok="201",
                body={
                    "application/xml": {"schema": S},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "bpmn": {"type": "string", "format": "binary"},
                                "form": {
                                    "type": "array",
                                    "items": {"type": "string", "format": "binary"},
                                    "description": "form files, each under its file name (x.schema.json)",
                                },
                            },
                            "required": ["bpmn"],
                        }
                    },
                },
                answer=DEPLOYED,
                e200="unchanged (same XML, same forms): no new version, nothing rehearsed",
                e403="not a process owner",
                e413="too large",
                e422="refused: details lists each reason (element and rule, or scenario, step and element)",
            ),
        },
        "/process-definitions/{key}/versions/{version}": {
            "parameters": [_path_param("key", S), _path_param("version", I)],
            "get": _op("The BPMN XML of one version", e403="not allowed", e404="not found"),
        },
        "/process-definitions/{key}/scenarios": {
            "parameters": [_path_param("key", S)],
            "get": _list("The scenarios of a process (process_owner, dopt)", e403="not allowed", e404="not deployed"),
        },
        "/process-definitions/{key}/scenarios/{name}": {
            "parameters": [_path_param("key", S), _path_param("name", S)],
            "get": _op("One scenario document (process_owner, dopt)", e403="not allowed", e404="not found"),
            "put": _op(
                "Add or change a scenario (process_owner): its shape is checked, then it is rehearsed on the "
                "newest deployed version; stored only when it passes (201 new, 200 changed)",
                body={"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}}},
                e403="not a process owner",
                e404="process not deployed",
                e422="fields names each bad field, or the field where the rehearsal failed",
            ),
        },
        "/forms": {"get": _list("The forms the newest versions bind (process_owner, dopt)", e403="not allowed")},
        "/forms/{filename}": {
            "parameters": [_path_param("filename", S)],
            "get": _op("A deployed form's JSON Schema, as deployed", e403="not allowed", e404="no process uses it"),
            "put": _op(
                "Deploy a changed form (process_owner): a new version, same XML, of every process whose newest "
                "version uses it; checked and rehearsed as a deploy (201; 200 when unchanged)",
                body={"application/json": {"schema": {"type": "object"}}},
                e403="not a process owner",
                e404="no deployed process uses the form",
                e413="too large",
                e422="not a valid JSON Schema, or refused: details lists each reason",
            ),
        },
        "/incidents": {
            "get": _list(
                "Open incidents, latest failure first (dopt, process_owner)",
                [_query("all", {"enum": ["0", "1"]}, "1 adds closed ones")],
                e403="not dopt or a process owner",
            )
        },
        "/incidents/{id}/retry": {
            "parameters": [ID],
            "post": {
                **_op(
                    "Run the failed step again on the instance as it stands (dopt, process_owner)",
                    e403="not dopt or a process owner",
                    e404="no such incident",
                    e409="incident closed, task no longer open, or application suspended",
                    e422="the step failed again (step_failed, with the incident), or the kept data no longer passes",
                ),
                "requestBody": {"required": False, "content": _json({"reason": S}, [])},
            },
        },
        "/applications/{id}/data": {
            "parameters": [ID],
            "patch": _op(
                "Change top-level keys of the process data where the instance waits (process_owner)",
                body=_json({"data": {"type": "object"}, "reason": S}, ["data", "reason"]),
                e403="not a process owner",
                e404="no such application",
                e409="the process has ended or has not started",
                e422="not plain data, a key changes type, a new key is not a name, no reason",
            ),
        },
        "/applications/{id}/migrate": {
            "parameters": [ID],
            "post": _op(
                "Move the instance to another deployed version of its process or of a process it calls (process_owner)",
                body=_json({"version": I, "reason": S, "process": S}, ["version", "reason"]),
                e403="not a process owner",
                e404="no such application",
                e409="its position does not exist in that version, or it already runs on it",
                e422="no such version, or no reason",
            ),
        },
        "/applications/{id}/suspend": {
            "parameters": [ID],
            "post": _op(
                "Hold the application: no task completes, no timer fires (dopt, process_owner)",
                body=_json({"reason": S}, ["reason"]),
                e403="not dopt or a process owner",
                e404="no such application",
                e409="not running (already suspended, ended, not started)",
                e422="no reason",
            ),
        },
        "/applications/{id}/resume": {
            "parameters": [ID],
            "post": _op(
                "Let a suspended application go on (dopt, process_owner)",
                body=_json({"reason": S}, ["reason"]),
                e403="not dopt or a process owner",
                e404="no such application",
                e409="not suspended",
                e422="no reason",
            ),
        },
        "/reports/summary": {
            "get": _op(
                "Applications by status, course, CCA and course run (dopt; a CCA approver: own CCA's)",
                answer={
                    "type": "object",
                    "required": ["by_status", "by_course", "by_cca"],
                    "properties": {
                        "total": I,
                        "by_status": {"type": "object", "additionalProperties": I},
                        "by_course": {"type": "object", "additionalProperties": I},
                        "by_cca": {"type": "object", "additionalProperties": I},
                        "by_course_run": {"type": "array", "items": {"type": "object"}},
                    },
                },
                e403=NOT_REPORT_READER,
            )
        },
        "/reports/pending": {
            "get": _op(
                "Open tasks by task, by age in whole days (0-7, 8-14, 15-30, over 30), and the oldest "
                "(dopt; a CCA approver: own CCA's)",
                e403=NOT_REPORT_READER,
            )
        },
        "/reports/coupons": {
            "get": _list("Each run's coupon pool: total, given, left (dopt, course_team)", e403=NOT_REPORT_READER)
        },
        "/reports/money": {
            "get": _op(
                "Claims approved and paid, USD claimed and INR paid, by run, by course and in all (dopt, finance)",
                e403=NOT_REPORT_READER,
            )
        },
        "/reports/dfft": {
            "get": _list(
                "Officers certified in every course of the catalogue, by name (dopt; a CCA approver: own CCA's)",
                e403=NOT_REPORT_READER,
            )
        },
        "/openapi.json": {"get": _op("This document", public=True)},
    },
}


@api.get("/openapi.json")
def openapi_document() -> Any:
    return jsonify(DOCUMENT)
