"""Races over HTTP: one winner per task, and a coupon pool that never gives a code twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Coupon, HumanTask
from engine.services.people import create_user
from tests.api.conftest import PASSWORD, Api, open_run, register, sign_in


def test_two_approvers_completing_one_task_get_one_200_and_one_409(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    with db.sessions() as session, session.begin():
        create_user(session, "cca2", PASSWORD, ["cca_approver"], "DOPT-IAS")
    second = sign_in(client, "cca2")
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    task_id = staff["cca"].task(application.json["id"], "cca_approval")
    barrier = threading.Barrier(2)
    codes: list[int] = []

    def approve(api: Api) -> None:
        barrier.wait()
        codes.append(api.post(f"/tasks/{task_id}/complete", {"data": {"decision": "approve"}}).status_code)

    threads = [threading.Thread(target=approve, args=(api,)) for api in (staff["cca"], second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [200, 409]
    assert officer.get(f"/applications/{application.json['id']}").json["status"] == "awaiting_dopt_confirmation"


def test_30_confirmations_racing_for_20_coupons_give_20_codes_and_10_manual_tasks(
    backend: str, client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    if backend != "postgresql":
        pytest.skip("the pool race is about PostgreSQL's row locks (SQLite serialises writers)")
    run = open_run(staff["dopt"])
    codes = [f"RACE-{n:04d}" for n in range(20)]
    assert staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": codes}).json["added"] == 20
    task_ids = []
    for _ in range(30):
        officer = register(client, cca="DOPT-CSS", service="CSS_A")
        application = officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json
        assert application["status"] == "awaiting_dopt_confirmation"
        task_ids.append(staff["dopt"].task(application["id"], "dopt_confirmation"))

    def confirm(task_id: str) -> int:
        response = staff["dopt"].post(f"/tasks/{task_id}/complete", {"data": {"decision": "confirm"}})
        return int(response.status_code)

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(confirm, task_ids))
    assert statuses == [200] * 30
    with db.sessions() as session:
        given = session.scalars(select(Coupon.code).where(Coupon.application_id.is_not(None))).all()
        manual = session.scalars(
            select(HumanTask.id).where(HumanTask.name == "issue_coupon", HumanTask.state == "open")
        ).all()
    assert len(given) == 20 and len(set(given)) == 20
    assert len(manual) == 10


def test_two_process_owners_deploying_one_process_at_once_get_two_versions_one_after_the_other(
    backend: str, client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite serialises writers; the race is PostgreSQL's")
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    changed = [xml.replace('name="Record rejection"', f'name="Record rejection ({n})"').encode() for n in (1, 2)]
    assert all(body != xml.encode() for body in changed)
    barrier = threading.Barrier(2)

    def deploy(body: bytes) -> tuple[int, Any]:
        barrier.wait()
        response = staff["owner"].send("POST", "/process-definitions", body, "application/xml")
        return response.status_code, response.json

    with ThreadPoolExecutor(max_workers=2) as pool:
        answers = list(pool.map(deploy, changed))
    assert sorted(code for code, _body in answers) == [201, 201], answers
    assert sorted(body["version"] for _code, body in answers) == [2, 3]
    versions = staff["owner"].get("/process-definitions/cadre_approval/versions").json
    assert sorted(v["version"] for v in versions) == [1, 2, 3]
