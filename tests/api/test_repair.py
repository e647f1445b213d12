"""Repairs through the API: process data, suspend and resume, migrate; the incident list is paged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Incident
from engine.services.timers import fire_due_timers
from tests.api.conftest import Api, open_run, register
from tests.engine.broken_processes import approval_task_renamed, shipped, store_unchecked
from tests.factories import NOW


def _patch(api: Api, application_id: int, body: Any) -> Any:
    return api.client.patch(
        f"/api/v1/applications/{application_id}/data", json=body, headers={"Authorization": f"Bearer {api.token}"}
    )


@pytest.fixture
def application_id(client: FlaskClient, staff: dict[str, Api]) -> int:
    officer = register(client)
    response = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    assert response.status_code == 201
    return int(response.json["id"])


BROKEN_RULES: list[tuple[Any, str]] = [
    ({"officer": "someone else"}, "data.officer"),  # an object stays an object
    ({"cca_approval_required": "no"}, "data.cca_approval_required"),  # true/false stays true/false
    ({"1st_note": "x"}, "data.1st_note"),  # a new key must be a name scripts can read
    ({"class": "x"}, "data.class"),  # not a Python keyword
    ({"application_id": 5}, "data.application_id"),  # read-only
    ({"note": {"deep": [1, {"x": float("inf")}]}}, "data.note"),  # plain JSON only
    ([1, 2], "data"),
    ({}, "data"),
]


def test_process_data_changes_that_break_a_rule_are_refused_naming_the_key(
    staff: dict[str, Api], application_id: int
) -> None:
    for data, field in BROKEN_RULES:
        response = _patch(staff["owner"], application_id, {"data": data, "reason": "fix"})

        assert response.status_code == 422, (data, response.json)
        assert field in response.json["error"]["fields"], data


def test_process_data_changes_after_the_reminder_fired_are_checked_as_before(
    staff: dict[str, Api], application_id: int, db: Database
) -> None:
    assert fire_due_timers(db.sessions, datetime.now(UTC) + timedelta(days=8)) == 1  # the CCA's 7-day reminder
    assert staff["dopt"].get(f"/applications/{application_id}").json["status"] == "awaiting_cadre_approval"
    for data, field in BROKEN_RULES:
        response = _patch(staff["owner"], application_id, {"data": data, "reason": "fix"})

        assert response.status_code == 422, (data, response.json)
        assert field in response.json["error"]["fields"], data
    changed = _patch(staff["owner"], application_id, {"data": {"note": "ok"}, "reason": "r"})
    assert (changed.status_code, changed.json["data"]["note"]) == (200, "ok")
    assert staff["cca"].complete(application_id, "cca_approval", {"decision": "approve"}).status_code == 200


def test_process_data_change_needs_a_process_owner_a_reason_and_an_application(
    staff: dict[str, Api], application_id: int
) -> None:
    body = {"data": {"note": "x"}, "reason": "why not"}
    assert _patch(staff["dopt"], application_id, body).status_code == 403
    assert _patch(staff["owner"], application_id + 1000, body).status_code == 404
    missing = _patch(staff["owner"], application_id, {"data": {"note": "x"}, "reason": "  "})
    assert (missing.status_code, list(missing.json["error"]["fields"])) == (422, ["reason"])
    changed = _patch(staff["owner"], application_id, {"data": {"course_run": None, "note": "ok"}, "reason": "r"})
    assert changed.status_code == 200
    assert (changed.json["data"]["course_run"], changed.json["data"]["note"]) == (None, "ok")


def test_a_suspended_application_cannot_move_until_resumed(
    staff: dict[str, Api], application_id: int, db: Database
) -> None:
    no_reason = staff["dopt"].post(f"/applications/{application_id}/suspend", {})
    assert (no_reason.status_code, list(no_reason.json["error"]["fields"])) == (422, ["reason"])

    suspended = staff["dopt"].post(f"/applications/{application_id}/suspend", {"reason": "CCA under inquiry"})

    assert suspended.status_code == 200
    assert suspended.json["application"]["suspended"] is True
    assert staff["cca"].get(f"/tasks?application_id={application_id}").json[0]["suspended"] is True
    blocked = staff["cca"].complete(application_id, "cca_approval", {"decision": "approve"})
    assert (blocked.status_code, blocked.json["error"]["code"]) == (409, "conflict")
    assert "suspended" in blocked.json["error"]["message"]
    assert staff["owner"].post(f"/applications/{application_id}/suspend", {"reason": "again"}).status_code == 409
    assert fire_due_timers(db.sessions, NOW + timedelta(days=400)) == 0

    resumed = staff["owner"].post(f"/applications/{application_id}/resume", {"reason": "inquiry closed"})

    assert resumed.status_code == 200 and resumed.json["application"]["suspended"] is False
    assert staff["cca"].get(f"/tasks?application_id={application_id}").json[0]["suspended"] is False
    assert staff["owner"].post(f"/applications/{application_id}/resume", {"reason": "again"}).status_code == 409
    assert staff["cca"].complete(application_id, "cca_approval", {"decision": "approve"}).status_code == 200
    history = staff["dopt"].get(f"/applications/{application_id}").json["history"]
    assert [(e["actor"], e["action"], e["reason"]) for e in history if e["action"] in ("suspended", "resumed")] == [
        ("dopt", "suspended", "CCA under inquiry"),
        ("owner", "resumed", "inquiry closed"),
    ]


def test_migrate_moves_to_the_new_version_or_says_why_not(
    client: FlaskClient, staff: dict[str, Api], application_id: int, db: Database, settings: Settings
) -> None:
    owner = staff["owner"]
    xml = shipped(settings, "cadre_approval")
    headers = {"Authorization": f"Bearer {owner.token}", "Content-Type": "application/xml"}
    deployed = client.post("/api/v1/process-definitions", data=xml.replace('"P7D"', '"P3D"'), headers=headers)
    assert deployed.json["version"] == 2
    with db.sessions() as session, session.begin():
        gutted = store_unchecked(session, "cadre_approval", approval_task_renamed(xml))

    refused = owner.post(
        f"/applications/{application_id}/migrate", {"process": "cadre_approval", "version": gutted, "reason": "try"}
    )
    unknown = owner.post(
        f"/applications/{application_id}/migrate", {"process": "cadre_approval", "version": 9, "reason": "try"}
    )
    by_dopt = staff["dopt"].post(f"/applications/{application_id}/migrate", {"version": 1, "reason": "try"})
    moved = owner.post(
        f"/applications/{application_id}/migrate", {"process": "cadre_approval", "version": 2, "reason": "3 days"}
    )

    assert (refused.status_code, refused.json["error"]["code"]) == (409, "conflict")
    assert "(cca_approval), which version 3 of cadre_approval does not have" in refused.json["error"]["message"]
    assert (unknown.status_code, list(unknown.json["error"]["fields"])) == (422, ["version"])
    assert by_dopt.status_code == 403
    assert moved.status_code == 200, moved.json
    assert moved.json["application"]["process"]["versions"]["cadre_approval"] == 2
    assert ("owner", "migrated", "3 days") in [
        (e["actor"], e["action"], e["reason"]) for e in moved.json["application"]["history"]
    ]


def test_incidents_are_paged_with_total_and_links(staff: dict[str, Api], db: Database) -> None:
    with db.sessions() as session, session.begin():
        for n in range(3):
            moment = NOW + timedelta(minutes=n)
            session.add(Incident(application_id=n, message=f"failure {n}", first_at=moment, last_at=moment))

    first = staff["dopt"].get("/incidents?per_page=2&all=1")
    second = staff["dopt"].get("/incidents?per_page=2&page=2&all=1")

    assert [i["message"] for i in first.json] == ["failure 2", "failure 1"]
    assert first.headers["X-Total-Count"] == "3"
    assert 'page=2&per_page=2>; rel="next"' in first.headers["Link"] and "all=1" in first.headers["Link"]
    assert [i["message"] for i in second.json] == ["failure 0"]
    assert 'rel="prev"' in second.headers["Link"] and 'rel="next"' not in second.headers["Link"]
    for bad in ("page=0", "per_page=501", "page=two"):
        response = staff["dopt"].get(f"/incidents?{bad}")
        assert response.status_code == 422, bad
    assert staff["cca"].get("/incidents").status_code == 403
