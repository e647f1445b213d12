"""Every endpoint against every role: who gets what (one table, one place to read it)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask.testing import FlaskClient

from engine.config import Settings
from tests.api.conftest import PASSWORD, Api, open_run, register
from tests.integration.ui import sign_in as ui_sign_in

ROLES = [
    "anonymous",
    "officer",
    "other_officer",
    "cca",
    "other_cca",
    "dopt",
    "course_team",
    "finance",
    "owner",
    "admin",
]
ALL_SIGNED_IN = {role: 200 for role in ROLES if role != "anonymous"}


def EVERYONE(status: int) -> dict[str, int]:
    return dict.fromkeys(ROLES, status)


def _only(ok: int, allowed: list[str], otherwise: int = 403) -> dict[str, int]:
    return {role: (ok if role in allowed else otherwise) for role in ROLES if role != "anonymous"}


def test_every_endpoint_answers_every_role_as_the_policy_says(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    run = open_run(staff["dopt"])
    users: dict[str, Api] = dict(staff)
    users["officer"] = register(client)
    users["other_officer"] = register(client)
    users["anonymous"] = Api(client)
    to_close = open_run(staff["dopt"], "FDP")
    application = users["officer"].post("/applications", {"course_run_id": run["id"], "declaration": True}).json
    app_id = application["id"]
    task_id = users["cca"].task(app_id, "cca_approval")
    bpmn = (settings.processes_dir / "reimbursement.bpmn").read_bytes()
    form = (settings.forms_dir / "verify_claim.schema.json").read_bytes()
    scenario = json.loads((settings.processes_dir / "scenarios" / "cadre_approval" / "approved.json").read_text())
    upload_id = users["officer"].upload()
    note_id = users["cca"].get("/notifications").json[0]["id"]
    assert (
        staff["admin"].post("/users", {"username": "target", "password": PASSWORD, "roles": ["dopt"]}).status_code
        == 201
    )
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["VOID-ME-0001"]})
    counter = {"n": 0}

    def fresh(prefix: str) -> str:
        counter["n"] += 1
        return f"{prefix}{counter['n']}"

    Row = tuple[str, str, Callable[[], Any], dict[str, int]]
    rows: list[Row] = [
        ("GET", "/me", lambda: None, ALL_SIGNED_IN),
        ("GET", "/ccas", lambda: None, ALL_SIGNED_IN),
        ("GET", "/courses", lambda: None, ALL_SIGNED_IN),
        ("GET", "/course-runs", lambda: None, ALL_SIGNED_IN),
        ("GET", "/applications", lambda: None, ALL_SIGNED_IN),
        ("GET", "/tasks", lambda: None, ALL_SIGNED_IN),
        ("GET", "/notifications", lambda: None, ALL_SIGNED_IN),
        ("POST", f"/notifications/{note_id}/read", lambda: None, _only(200, ["cca"], otherwise=404)),
        ("POST", "/notifications/read-all", lambda: None, ALL_SIGNED_IN),
        ("PATCH", "/me/notifications", lambda: {"delivery": "daily"}, ALL_SIGNED_IN),
        ("POST", "/auth/password-reset", lambda: {"email": f"{fresh('r')}@example.gov.in"}, EVERYONE(202)),
        ("POST", "/auth/password-reset/confirm", lambda: {"token": "x", "password": "long-enough"}, EVERYONE(422)),
        (
            "GET",
            f"/applications/{app_id}",
            lambda: None,
            _only(200, ["officer", "cca", "dopt", "course_team", "finance", "owner"], otherwise=404),
        ),
        ("GET", f"/tasks/{task_id}", lambda: None, _only(200, ["cca"], otherwise=404)),
        (
            "GET",
            f"/uploads/{upload_id}",
            lambda: None,
            _only(200, ["officer", "cca", "dopt", "course_team", "finance", "owner"], 404),
        ),
        (
            "POST",
            "/users",
            lambda: {"username": fresh("u"), "password": "long-enough-1", "roles": ["dopt"]},
            _only(201, ["admin"]),
        ),
        (
            "POST",
            "/ccas",
            lambda: {"code": fresh("C"), "name": "A CCA", "approval_required": True},
            _only(201, ["admin"]),
        ),
        ("POST", "/courses", lambda: {"code": fresh("K"), "title": "New course"}, _only(201, ["dopt"])),
        (
            "POST",
            "/course-runs",
            lambda: {
                "course": "DASS",
                "starts_on": "2027-06-01",
                "registration_closes_on": "2027-05-20",
                "ends_on": "2027-09-01",
            },
            _only(201, ["dopt"]),
        ),
        ("POST", f"/course-runs/{run['id']}/coupons", lambda: {"codes": [fresh("CODE-")]}, _only(200, ["course_team"])),
        ("GET", f"/course-runs/{run['id']}/coupons/summary", lambda: None, _only(200, ["course_team", "dopt"])),
        ("GET", f"/course-runs/{run['id']}/coupons", lambda: None, _only(200, ["course_team", "dopt"])),
        ("GET", "/coupons", lambda: None, _only(200, ["course_team", "dopt"])),
        ("POST", "/coupons/VOID-ME-0001/void", lambda: {"reason": "Leaked."}, _only(200, ["course_team"])),
        ("GET", "/payments/queue", lambda: None, _only(200, ["finance", "dopt"])),
        ("GET", "/payments", lambda: None, _only(200, ["finance", "dopt"])),
        ("GET", "/payments/totals", lambda: None, _only(200, ["finance", "dopt"])),
        ("GET", "/payments/export?format=xlsx", lambda: None, _only(200, ["finance", "dopt"])),
        ("PATCH", f"/course-runs/{run['id']}", lambda: {"fee_usd": 120}, _only(200, ["dopt"])),
        ("POST", f"/course-runs/{to_close['id']}/close", lambda: None, _only(200, ["dopt"])),
        ("PATCH", "/courses/CGP", lambda: {"prerequisites": "Some math"}, _only(200, ["dopt"])),
        ("GET", "/applications/export?format=csv", lambda: None, ALL_SIGNED_IN),
        ("GET", "/reports/summary", lambda: None, _only(200, ["dopt", "cca", "other_cca"])),
        ("GET", "/reports/pending", lambda: None, _only(200, ["dopt", "cca", "other_cca"])),
        ("GET", "/reports/dfft", lambda: None, _only(200, ["dopt", "cca", "other_cca"])),
        ("GET", "/reports/coupons", lambda: None, _only(200, ["dopt", "course_team"])),
        ("GET", "/reports/money", lambda: None, _only(200, ["dopt", "finance"])),
        ("GET", "/process-definitions", lambda: None, _only(200, ["owner", "dopt"])),
        ("XML", "/process-definitions", lambda: bpmn, _only(200, ["owner"])),
        ("GET", "/process-definitions/enrollment/versions/1", lambda: None, _only(200, ["owner", "dopt"])),
        ("GET", "/process-definitions/enrollment/versions", lambda: None, _only(200, ["owner", "dopt"])),
        ("XML", "/process-definitions/validate", lambda: bpmn, _only(200, ["owner"])),
        (
            "POST",
            "/process-definitions/instructions-preview",
            lambda: {"template": "Dear {{ officer.full_name }}"},
            _only(200, ["owner"]),
        ),
        # The newest version is the first one already: nothing to roll back to.
        ("POST", "/process-definitions/enrollment/versions/1/rollback", lambda: {"reason": "r"}, _only(409, ["owner"])),
        ("GET", "/process-definitions/cadre_approval/scenarios", lambda: None, _only(200, ["owner", "dopt"])),
        ("GET", "/process-definitions/cadre_approval/scenarios/approved", lambda: None, _only(200, ["owner", "dopt"])),
        ("PUT", "/process-definitions/cadre_approval/scenarios/approved", lambda: scenario, _only(200, ["owner"])),
        ("GET", "/forms", lambda: None, _only(200, ["owner", "dopt"])),
        ("GET", "/forms/verify_claim.schema.json", lambda: None, _only(200, ["owner", "dopt"])),
        ("FORM", "/forms/verify_claim.schema.json", lambda: form, _only(200, ["owner"])),
        (
            "POST",
            "/applications",
            lambda: {"course_run_id": run["id"], "declaration": True},
            _only(201, ["officer", "other_officer"]),
        ),
        ("GET", "/users", lambda: None, _only(200, ["admin"])),
        ("GET", "/users/target", lambda: None, _only(200, ["admin"])),
        ("PATCH", "/users/target", lambda: {"roles": ["course_team"]}, _only(200, ["admin"])),
        ("POST", "/users/target/password", lambda: {"password": "long-enough-2"}, _only(200, ["admin"])),
        ("POST", "/users/target/unlock", lambda: None, _only(200, ["admin"])),
        ("PATCH", "/ccas/MH-GAD", lambda: {"name": "Maharashtra GAD"}, _only(200, ["admin"])),
        ("GET", "/admin/audit", lambda: None, _only(200, ["admin"])),
        ("PATCH", "/me", lambda: {"designation": "Director"}, _only(200, ["officer", "other_officer"])),
        ("POST", f"/tasks/{task_id}/claim", lambda: None, _only(200, ["cca"], otherwise=404)),
        ("POST", f"/tasks/{task_id}/unclaim", lambda: None, _only(200, ["cca"], otherwise=404)),
        ("GET", "/incidents", lambda: None, _only(200, ["dopt", "owner"])),
        ("POST", "/incidents/999999/retry", lambda: None, _only(404, ["dopt", "owner"])),
        (
            "PATCH",
            f"/applications/{app_id}/data",
            lambda: {"data": {"note": fresh("n")}, "reason": "r"},
            _only(200, ["owner"]),
        ),
        ("POST", f"/applications/{app_id}/migrate", lambda: {"version": 1, "reason": "r"}, _only(409, ["owner"])),
        ("POST", f"/applications/{app_id}/migrate/preview", lambda: {"version": 1}, _only(409, ["owner"])),
        ("GET", "/monitor/applications", lambda: None, _only(200, ["dopt", "owner"])),
        ("GET", f"/monitor/applications/{app_id}", lambda: None, _only(200, ["dopt", "owner"])),
        # The first operator suspends (resumes); the second finds it already so.
        ("POST", f"/applications/{app_id}/suspend", lambda: {"reason": "r"}, _only(200, ["dopt"]) | {"owner": 409}),
        ("POST", f"/applications/{app_id}/resume", lambda: {"reason": "r"}, _only(200, ["dopt"]) | {"owner": 409}),
        (
            "POST",
            f"/applications/{app_id}/withdraw",
            lambda: None,
            _only(200, ["officer"], otherwise=403) | {"other_officer": 404, "other_cca": 404, "admin": 404},
        ),
        # The officer's withdrawal came first: the application is final now.
        ("POST", f"/applications/{app_id}/cancel", lambda: {"reason": "r"}, _only(409, ["dopt", "owner"])),
        ("POST", "/applications/999999/cancel", lambda: {"reason": "r"}, _only(404, ["dopt", "owner"])),
        # Last: a password change ends the caller's own tokens.
        (
            "POST",
            "/me/password",
            lambda: {"current_password": PASSWORD, "new_password": "a-changed-password"},
            {role: 204 for role in ROLES if role != "anonymous"},
        ),
    ]
    mismatches = []
    for method, path, body, expected in rows:
        for role in ROLES:
            want = expected.get(role, 401)
            got = _call(users[role], method, path, body()).status_code
            if got != want:
                mismatches.append(f"{role:14} {method} {path}: expected {want}, got {got}")
    assert mismatches == []


def _call(api: Api, method: str, path: str, body: Any) -> Any:
    if method == "GET":
        return api.get(path)
    if method == "XML":
        return api.send("POST", path, body, "application/xml")
    if method == "FORM":
        return api.send("PUT", path, body, "application/json")
    if method == "PUT":
        return api.put(path, body)
    if method == "PATCH":
        return api.patch(path, body)
    return api.post(path, body)


UI_ROLES = ["officer", "cca", "dopt", "course_team", "finance", "owner", "admin"]
# DoPT's pages: who gets them (signed out: sent to sign in).
UI_PAGES: list[tuple[str, list[str]]] = [
    ("/reports", ["cca", "dopt", "course_team", "finance"]),
    ("/reports/dfft", ["cca", "dopt"]),
    ("/reports/status.csv", ["cca", "dopt"]),
    ("/reports/pending.xlsx", ["cca", "dopt"]),
    ("/reports/coupons.csv", ["dopt", "course_team"]),
    ("/reports/money-course.xlsx", ["dopt", "finance"]),
    ("/reports/dfft.csv", ["cca", "dopt"]),
    ("/applications/all", ["cca", "dopt", "course_team", "finance", "owner"]),
    ("/applications/all/export.csv", ["cca", "dopt", "course_team", "finance", "owner"]),
    ("/runs", ["dopt"]),
    ("/runs/new", ["dopt"]),
    ("/runs/courses", ["dopt"]),
    ("/runs/courses/new", ["dopt"]),
    ("/runs/courses/CGP/edit", ["dopt"]),
]


def test_every_new_page_answers_every_role_as_the_policy_says(client: FlaskClient, staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    officer = register(client)
    pages = [*UI_PAGES, (f"/runs/{run['id']}/edit", ["dopt"]), (f"/runs/{run['id']}/close", ["dopt"])]
    names = {"officer": officer.get("/me").json["username"]}
    mismatches = []
    for role in UI_ROLES:
        browser = client.application.test_client()
        ui_sign_in(browser, names.get(role, role))
        for path, allowed in pages:
            got = browser.get(path).status_code
            want = 200 if role in allowed else 403
            if got != want:
                mismatches.append(f"{role:12} {path}: expected {want}, got {got}")
    anonymous = client.application.test_client()
    mismatches += [f"anonymous {path}" for path, _roles in pages if anonymous.get(path).status_code != 302]
    assert mismatches == []
