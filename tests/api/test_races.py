"""Races over HTTP: one winner per task, and a coupon pool that never gives a code twice."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
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
