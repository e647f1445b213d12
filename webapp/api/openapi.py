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


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return {"name": name, "in": "query", "schema": schema} | ({"description": description} if description else {})


# Every paged list (API.md): the body a list, the total in X-Total-Count, neighbours in Link.
PAGING = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
]


def _paged(operation: dict[str, Any], *parameters: dict[str, Any]) -> dict[str, Any]:
    """A list operation with the paging parameters (and its own), and the paging headers."""
    operation["parameters"] = [*parameters, *PAGING]
    operation["responses"]["200"]["headers"] = {
        "X-Total-Count": {"schema": I, "description": "how many items the whole list has"},
        "Link": {"schema": S, "description": "the next and previous pages (rel=next, rel=prev)"},
    }
    operation["responses"]["422"] = {
        "description": "page or per_page out of range",
        "content": {"application/json": {"schema": ERROR}},
    }
    return operation


ROLE_NAMES = {"enum": ["officer", "cca_approver", "dopt", "course_team", "finance", "process_owner", "admin"]}
CONTACT_AND_SERVICE = {
    "email": S,
    "mobile": S,
    "designation": S,
    "edx_username": S,
    "full_name": S,
    "service": {"enum": ["IAS", "IPS", "IFoS", "CCS_A", "CSS_A", "CSSS_A", "SCS", "OTHER"]},
    "cca": S,
    "date_of_joining": D,
    "date_of_birth": D,
}
N = {"type": "number"}
NULLABLE_S = {"type": ["string", "null"]}
DATES = [_query("from", D, "paid on or after"), _query("to", D, "paid on or before")]


def _paged_list(summary: str, item: dict[str, Any], parameters: list[dict[str, Any]], **errors: str) -> Any:
    """A paged list of `item`s with its own `parameters` (X-Total-Count and Link headers)."""
    codes: Any = {"e422": "a bad query argument", **errors}
    return _paged(_op(summary, answer={"type": "array", "items": item}, **codes), *parameters)


POOL_COUNTS = {"total": I, "assigned": I, "available": I, "voided": I, "waiting": I, "low": B}
POOL = {
    "type": "object",
    "properties": {"course_run_id": I, "course": S, "starts_on": D, "ends_on": D, **POOL_COUNTS},
    "required": ["course_run_id", "total", "assigned", "available", "voided"],
}
COUPON = {
    "type": "object",
    "properties": {
        "code": S,
        "course_run_id": I,
        "state": {"enum": ["unused", "given", "voided"]},
        "application_id": {"type": ["integer", "null"]},
        "void_reason": NULLABLE_S,
    },
    "required": ["code", "state"],
}
UPLOADED = {
    "type": "object",
    "properties": {
        "added": I,
        "duplicates": {"type": "array", "items": S},
        "problems": {
            "type": "array",
            "items": {"type": "object", "properties": {"line": I, "code": S, "kind": S, "problem": S}},
        },
    },
    "required": ["added", "duplicates"],
}
PAYMENT = {
    "type": "object",
    "properties": {
        "application_id": I,
        "sanction_number": S,
        "paid_on": D,
        "amount_inr": N,
        "exchange_rate": N,
        "amount_usd": N,
        "reference": S,
    },
    "required": ["application_id", "sanction_number", "paid_on", "amount_inr", "exchange_rate", "reference"],
}
WAITING_CLAIM = {
    "type": "object",
    "properties": {
        "task_id": S,
        "application_id": I,
        "officer": S,
        "course": S,
        "course_run_id": I,
        "claimed_usd": {"type": ["number", "null"]},
        "days_waiting": I,
    },
    "required": ["task_id", "application_id", "days_waiting"],
}
TOTAL = {"type": "object", "properties": {"key": S, "count": I, "usd": N, "inr": N}}
TOTALS = {
    "type": "object",
    "properties": {
        "by_month": {"type": "array", "items": TOTAL},
        "by_run": {"type": "array", "items": TOTAL},
        "overall": TOTAL,
    },
    "required": ["by_month", "by_run", "overall"],
}


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

VALIDATION = {
    "type": "object",
    "properties": {
        "key": NULLABLE_S,
        "valid": B,
        "changed": {"type": ["boolean", "null"]},
        "problems": {
            "type": "array",
            "items": {"type": "object", "properties": {"element": NULLABLE_S, "message": S}},
        },
        "scenarios": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": S,
                    "process": S,
                    "passed": B,
                    "step": {"type": ["integer", "null"]},
                    "element": NULLABLE_S,
                    "message": NULLABLE_S,
                },
            },
        },
    },
    "required": ["valid", "problems", "scenarios"],
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
    "fee_usd": {"type": ["number", "string"], "description": 'USD, a number or a decimal text such as "100.00"'},
    "reimbursement_cap_usd": {"type": ["number", "string"], "description": "USD, as fee_usd"},
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
                            "retry_after": I,
                            "incident": {"type": "object"},
                            "request_id": S,
                        },
                        "required": ["code", "message"],
                    }
                },
                "required": ["error"],
                "additionalProperties": False,
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
                e429="too many wrong sign-ins from this address lately; Retry-After says when to try again",
            ),
            "delete": _op("Revoke the token in use", ok="204"),
        },
        "/auth/password-reset": {
            "post": _op(
                "Ask for a link to choose a new password; the same answer whether or not anyone has the address",
                ok="202",
                body=_json({"email": S}, ["email"]),
                public=True,
                e422="not an e-mail address",
                e429="too many requests from this address; Retry-After says when to try again",
            )
        },
        "/auth/password-reset/confirm": {
            "post": _op(
                "Choose a new password with the link's token (works once, for 30 minutes)",
                body=_json({"token": S, "password": S}, ["token", "password"]),
                public=True,
                e422="the link is unknown, used or expired, or the password breaks the rule",
            )
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
                e429="too many registrations from this address; Retry-After says when to try again",
            )
        },
        "/me": {
            "get": _op("The caller's user and officer profile"),
            "patch": _op(
                "Change the caller's officer profile: contact details at any time; service details (name, "
                "service, CCA, dates of joining and birth) only while no application of theirs is under way. "
                "Audited",
                body=_json(CONTACT_AND_SERVICE, []),
                e403="the caller has no officer profile",
                e409="service details while an application is under way, or an e-mail another officer has",
                e422="invalid or unknown fields",
            ),
        },
        "/me/password": {
            "post": _op(
                "Change the caller's password (the registration rule); every token of the caller ends, this one too",
                ok="204",
                body=_json({"current_password": S, "new_password": S}, ["current_password", "new_password"]),
                e422="current_password wrong, or new_password breaks the rule",
            )
        },
        "/users": {
            "get": _paged(
                _op("Users, by username (admin)", e403="not an admin"),
                _query("q", S, "part of the username, an officer's name or e-mail"),
                _query("role", ROLE_NAMES, "only users holding this role"),
                _query("active", {"enum": ["true", "false"]}, "only active, or only deactivated, users"),
            ),
            "post": _op(
                "Create a staff user (admin; officers register themselves). Audited",
                ok="201",
                body=_json({"username": S, "password": S, "roles": {"type": "array"}, "cca": S}, ["username"]),
                e403="not an admin",
                e409="username taken",
                e422="invalid fields",
            ),
        },
        "/users/{username}": {
            "parameters": [_path_param("username", S)],
            "get": _op("One user (admin)", e403="not an admin", e404="no such user"),
            "patch": _op(
                "Change a user's roles, CCA or active flag (admin). Deactivating ends the user's tokens and "
                "returns the tasks they had taken; an admin cannot deactivate themselves or drop their own admin "
                "role. Audited",
                body=_json({"roles": {"type": "array", "items": ROLE_NAMES}, "cca": S, "active": B}, []),
                e403="not an admin",
                e404="no such user",
                e422="invalid fields, or a change an admin may not make to their own account",
            ),
        },
        "/users/{username}/password": {
            "parameters": [_path_param("username", S)],
            "post": _op(
                "Set a new password for a user (admin); the user's tokens end. Audited (without the password)",
                body=_json({"password": S}, ["password"]),
                e403="not an admin",
                e404="no such user",
                e422="the password breaks the rule",
            ),
        },
        "/users/{username}/unlock": {
            "parameters": [_path_param("username", S)],
            "post": _op(
                "Clear a user's failed sign-ins and lock (admin). Audited", e403="not an admin", e404="no such user"
            ),
        },
        "/admin/audit": {
            "get": _paged(
                _op(
                    "Every change to users and CCAs, newest first (admin): who, when, what, before and after",
                    e403="not an admin",
                )
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
        "/ccas/{code}": {
            "parameters": [_path_param("code", S)],
            "patch": _op(
                "Change a CCA's code, name or approval_required (admin); a code in use cannot change. Audited",
                body=_json({"code": S, "name": S, "approval_required": B}, []),
                e403="not an admin",
                e404="no such CCA",
                e409="the new code exists",
                e422="invalid, or the code is in use",
            ),
        },
        "/courses": {
            "get": _list("Courses, by code"),
            "post": _op(
                "Add a course (dopt)",
                ok="201",
                body=_json(
                    {"code": S, "title": S, "prerequisites": S, "title_hi": S, "prerequisites_hi": S}, ["code", "title"]
                ),
                e403="not dopt",
                e409="exists",
                e422="invalid",
            ),
        },
        "/courses/{code}": {
            "parameters": [_path_param("code", S)],
            "patch": _op(
                "Change a course's title or prerequisites, in English or Hindi (dopt)",
                body=_json({"title": S, "prerequisites": S, "title_hi": S, "prerequisites_hi": S}, []),
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
        "/coupons": {
            "get": _paged_list(
                "Every run's coupon pool, current and future runs first (course_team, dopt)",
                POOL,
                [],
                e403="not course team or dopt",
            ),
        },
        "/course-runs/{id}/coupons": {
            "parameters": [ID],
            "get": _paged_list(
                "A run's codes in the order added (course_team, dopt)",
                COUPON,
                [_query("state", {"enum": ["unused", "given", "voided"]})],
                e403="not course team or dopt",
                e404="no such run",
            ),
            "post": _op(
                "Add coupon codes to the run's pool (course_team): codes already known anywhere or repeated "
                "are reported (duplicates; problems with their line, i + 1) and the rest added",
                body=_json({"codes": {"type": "array", "items": S}}, ["codes"]),
                answer=UPLOADED,
                e403="not course team",
                e404="no such run",
                e422="malformed codes (fields names each as codes[i]); nothing added",
            ),
        },
        "/course-runs/{id}/coupons/summary": {
            "parameters": [ID],
            "get": _op(
                "Coupons total, assigned, available (unused), voided; applications waiting for a code; low",
                answer={"type": "object", "properties": POOL_COUNTS, "required": ["total", "assigned", "available"]},
                e403="not course team or dopt",
                e404="no such run",
            ),
        },
        "/coupons/{code}/void": {
            "parameters": [_path_param("code", S)],
            "post": _op(
                "Void an unused code, with the reason (course_team); it is never assigned afterwards",
                body=_json({"reason": S}, ["reason"]),
                answer=COUPON,
                e403="not course team",
                e404="no such code",
                e409="the code was given to an application, or is voided already",
                e422="no reason",
            ),
        },
        "/payments/queue": {
            "get": _paged_list(
                "Approved claims waiting for payment, oldest first (finance, dopt)",
                WAITING_CLAIM,
                [],
                e403="not finance or dopt",
            ),
        },
        "/payments": {
            "get": _paged_list(
                "The ledger of payments in the order paid (finance, dopt)", PAYMENT, DATES, e403="not finance or dopt"
            ),
        },
        "/payments/totals": {
            "get": {
                **_op(
                    "Totals of the ledger by month paid, by run and overall (finance, dopt)",
                    answer=TOTALS,
                    e403="not finance or dopt",
                    e422="a bad date",
                ),
                "parameters": DATES,
            },
        },
        "/payments/export": {
            "get": {
                **_op(
                    "The ledger as a bank bulk-payment file, CSV or XLSX (finance, dopt)",
                    e403="not finance or dopt",
                    e422="a bad date or format",
                ),
                "parameters": [_query("format", {"enum": ["csv", "xlsx"]}), *DATES],
            },
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
            "get": _op(
                "A task with its form (JSON Schema), `prefill` (what the officer sent before for this form: a "
                "claim returned for correction, a result reopened to be corrected) and application",
                e404="not found",
            ),
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
                e422="not PDF, PNG or JPEG, an image too large or unreadable, or the caller's upload quota full",
                e429="uploads sent too fast; Retry-After says when to try again",
            )
        },
        "/uploads/{upload_id}": {
            "parameters": [_path_param("upload_id", S)],
            "get": _op("Download an upload", e404="not found"),
        },
        "/notifications": {
            "get": {
                **_op(
                    "Messages to the caller, newest first, each with `read`; paged; X-Unread-Count says how many "
                    "are unread",
                    e422="page or per_page not usable",
                ),
                "parameters": PAGING,
            }
        },
        "/notifications/{id}/read": {
            "parameters": [ID],
            "post": _op("Mark one of the caller's messages read", e404="not the caller's message"),
        },
        "/notifications/read-all": {"post": _op("Mark every message of the caller read")},
        "/me/notifications": {
            "patch": _op(
                "Choose how messages come by mail: one mail each (immediate) or one digest a day (daily)",
                body=_json({"delivery": {"enum": ["immediate", "daily"]}}, ["delivery"]),
                e422="delivery is neither immediate nor daily",
            )
        },
        "/process-definitions": {
            "get": _list("Every version of every process (process_owner, dopt)", e403="not allowed"),
            "post": _op(
                "Deploy a BPMN file, alone or with its forms (process_owner); every scenario of every "
                "process it touches is rehearsed first. A comment (at most 500 characters: why this version) "
                "is the query argument `comment` with an XML body, or the field `comment` of a multipart body",
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
                                "comment": S,
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
        "/process-definitions/validate": {
            "post": _op(
                "Run the whole deploy check (rules, forms, every scenario) on a BPMN file without deploying it "
                "(process_owner); the same body as a deploy",
                body={
                    "application/xml": {"schema": S},
                    "multipart/form-data": {
                        "schema": {
                            "type": "object",
                            "properties": {
                                "bpmn": {"type": "string", "format": "binary"},
                                "form": {"type": "array", "items": {"type": "string", "format": "binary"}},
                            },
                            "required": ["bpmn"],
                        }
                    },
                },
                answer=VALIDATION,
                e403="not a process owner",
                e413="too large",
                e422="the multipart body is not complete",
            ),
        },
        "/process-definitions/instructions-preview": {
            "post": _op(
                "A user task's instructionsForEndUser rendered as a task would show them, with sample data: "
                "`data`, or the start data of the stored scenario `scenario` of `process`, else an eligible "
                "officer's (process_owner)",
                body=_json({"template": S, "data": {"type": "object"}, "process": S, "scenario": S}, ["template"]),
                answer={"type": "object", "properties": {"text": S, "data": {"type": "object"}}},
                e403="not a process owner",
                e404="no such scenario",
                e422="no template, a template too long, or data that is not an object",
            ),
        },
        "/process-definitions/{key}/versions": {
            "parameters": [_path_param("key", S)],
            "get": _op(
                "Every version of a process, newest first, with its comment and how many live applications "
                "run on it (process_owner, dopt)",
                e403="not allowed",
                e404="not deployed",
            ),
        },
        "/process-definitions/{key}/versions/{version}/rollback": {
            "parameters": [_path_param("key", S), _path_param("version", I)],
            "post": _op(
                "Deploy that version's XML and forms again as the newest version, through the normal deploy and "
                "its checks; the reason is the new version's comment (process_owner)",
                ok="201",
                body=_json({"reason": S}, ["reason"]),
                answer=DEPLOYED,
                e403="not a process owner",
                e404="no such version",
                e409="that version is what the newest version already is",
                e422="no reason, or refused: details lists each reason",
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
                e413="larger than 256 KB",
                e422="fields names each bad field, or the field where the rehearsal failed",
            ),
            "delete": _op(
                "Delete a scenario (process_owner); later deploys no longer rehearse it. A scenario shipped in "
                "processes/scenarios comes back at the next `igot init` unless its file is removed too",
                ok="204",
                e403="not a process owner",
                e404="no such scenario",
            ),
        },
        "/forms": {"get": _list("The forms the newest versions bind (process_owner, dopt)", e403="not allowed")},
        "/forms/{filename}": {
            "parameters": [_path_param("filename", S)],
            "get": _op("A deployed form's JSON Schema, as deployed", e403="not allowed", e404="no process uses it"),
            "put": _op(
                "Deploy a changed form (process_owner): a new version, same XML, of every process whose newest "
                "version uses it; checked and rehearsed as a deploy (201; 200 when unchanged). The query "
                "argument `comment` is kept with the new versions",
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
        "/applications/{id}/migrate/preview": {
            "parameters": [ID],
            "post": _op(
                "What migrating would change, found by a dry run that saves nothing (process_owner)",
                body=_json({"version": I, "process": S}, ["version"]),
                answer={
                    "type": "object",
                    "properties": {
                        "from": {"type": "object"},
                        "to": {"type": "object"},
                        "changed": {"type": "array", "items": S},
                        "timers": {"type": "object"},
                    },
                },
                e403="not a process owner",
                e404="no such application",
                e409="the migration would be refused (the reason says why)",
                e422="no such version",
            ),
        },
        "/applications/{id}/cancel": {
            "parameters": [ID],
            "post": _op(
                "Stop the application for good: its process is cancelled, its status becomes cancelled "
                "(dopt, process_owner)",
                body=_json({"reason": S}, ["reason"]),
                e403="not dopt or a process owner",
                e404="no such application",
                e409="already final",
                e422="no reason, or the cancellation failed (step_failed)",
            ),
        },
        "/monitor/applications": {
            "get": {
                **_op(
                    "Applications by process, version, status, course run, CCA, open incident and age at their "
                    "current step, longest wait first (dopt, process_owner); paged",
                    e403="not dopt or a process owner",
                    e422="a filter, page or per_page not usable",
                ),
                "parameters": [
                    {"name": "process", "in": "query", "schema": S},
                    {"name": "version", "in": "query", "schema": I, "description": "with process"},
                    {"name": "status", "in": "query", "schema": S},
                    {"name": "run", "in": "query", "schema": I},
                    {"name": "cca", "in": "query", "schema": S},
                    {"name": "incident", "in": "query", "schema": {"enum": ["0", "1"]}},
                    {"name": "min_age_days", "in": "query", "schema": I},
                    *PAGING,
                ],
            }
        },
        "/monitor/applications/{id}": {
            "parameters": [ID],
            "get": _op(
                "One application's process: each element's state (completed, active, failed) and runs, per process "
                "and version; its process data, incident and history (dopt, process_owner)",
                e403="not dopt or a process owner",
                e404="no such application",
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


def _default_errors(document: dict[str, Any]) -> None:
    """Every operation: any status it does not list (403, 404, 405, 409, 413, 422, 500) is
    answered with the error envelope, so a client (and the fuzzer) can rely on its shape."""
    for item in document["paths"].values():
        for operation in item.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault(
                    "default", {"description": "an error", "content": {"application/json": {"schema": ERROR}}}
                )


_default_errors(DOCUMENT)


@api.get("/openapi.json")
def openapi_document() -> Any:
    return jsonify(DOCUMENT)
