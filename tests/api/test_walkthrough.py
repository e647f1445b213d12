"""Applications walked through every role over HTTP to each final status."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from click.testing import CliRunner
from flask.testing import FlaskClient

from engine.config import Settings
from tests.api.conftest import Api, open_run, register
from webapp.cli import main as igot


def run_timers(settings: Settings, at: str) -> str:
    env = {"IGOT_DATABASE_URL": settings.database_url, "IGOT_INSTANCE_PATH": str(settings.instance_path)}
    result = CliRunner().invoke(igot, ["timers", "--now", at], env=env)
    assert result.exit_code == 0, result.output
    return result.output


def after_run_ends(run: dict[str, Any], days: int = 1) -> str:
    return f"{(date.fromisoformat(run['ends_on']) + timedelta(days=days)).isoformat()}T12:00:00+05:30"


def apply(officer: Api, run: dict[str, Any]) -> dict[str, Any]:
    response = officer.post("/applications", {"course_run_id": run["id"], "declaration": True})
    assert response.status_code == 201, response.json
    return dict(response.json)


def to_enrolled(client: FlaskClient, staff: dict[str, Api], run: dict[str, Any]) -> tuple[Api, int]:
    officer = register(client)
    application = apply(officer, run)
    assert staff["cca"].complete(application["id"], "cca_approval", {"decision": "approve"}).status_code == 200
    assert staff["dopt"].complete(application["id"], "dopt_confirmation", {"decision": "confirm"}).status_code == 200
    return officer, application["id"]


def test_application_goes_through_every_role_to_reimbursed(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    run = open_run(staff["dopt"])
    added = staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["MITX-0001", "MITX-0002"]})
    assert added.json == {"added": 2, "duplicates": [], "problems": []}
    officer = register(client)
    application = apply(officer, run)
    assert application["status"] == "awaiting_cadre_approval"
    assert application["eligibility"]["eligible"] is True

    assert staff["cca"].complete(application["id"], "cca_approval", {"decision": "approve"}).status_code == 200
    response = staff["dopt"].complete(application["id"], "dopt_confirmation", {"decision": "confirm"})
    assert response.json["application"]["status"] == "enrolled"
    mine = officer.get(f"/applications/{application['id']}").json
    assert mine["coupon_code"] == "MITX-0001"
    assert any("MITX-0001" in note["body"] for note in officer.get("/notifications").json)

    run_timers(settings, after_run_ends(run))
    assert officer.get(f"/applications/{application['id']}").json["status"] == "awaiting_result"
    result = {"final_grade": 64, "proctored_exam": "passed", "certificate_upload": officer.upload()}
    assert officer.complete(application["id"], "report_result", result).status_code == 200
    claim = {
        "amount_paid_usd": 100,
        "payment_proof_upload": officer.upload(),
        "bank_account_number": "000123456789",
        "ifsc": "HDFC0001234",
        "declaration": True,
    }
    assert officer.complete(application["id"], "submit_claim", claim).status_code == 200
    assert staff["dopt"].complete(application["id"], "verify_claim", {"decision": "approve"}).status_code == 200
    payment = {
        "sanction_number": "S-17",
        "paid_on": date.today().isoformat(),
        "amount_inr": 8400,
        "exchange_rate": 84,
        "payment_reference": "NEFT-42",
    }
    done = staff["finance"].complete(application["id"], "record_payment", payment)
    assert done.status_code == 200
    final = officer.get(f"/applications/{application['id']}").json
    assert final["status"] == "reimbursed"
    assert final["open_tasks"] == []
    actions = [(entry["actor"], entry["action"], entry["task"]) for entry in final["history"]]
    assert ("cca", "completed", "cca_approval") in actions
    assert ("finance", "completed", "record_payment") in actions
    assert final["process"] == {
        "key": "enrollment",
        "version": 1,
        "status": "completed",
        "versions": {"cadre_approval": 1, "coupon_issue": 1, "enrollment": 1, "reimbursement": 1},
    }
    assert (final["suspended"], final["incident"]) == (False, None)


def test_officer_of_other_service_is_ineligible_at_once(client: FlaskClient, staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    officer = register(client, service="OTHER")
    application = apply(officer, run)
    assert application["status"] == "ineligible"
    assert application["eligibility"]["eligible"] is False
    assert application["eligibility"]["reasons"]


def test_cca_rejection_is_not_approved(client: FlaskClient, staff: dict[str, Api]) -> None:
    officer = register(client)
    application = apply(officer, open_run(staff["dopt"]))
    response = staff["cca"].complete(application["id"], "cca_approval", {"decision": "reject", "remarks": "No."})
    assert response.json["application"]["status"] == "not_approved"


def test_dopt_rejection_is_rejected_by_dopt(client: FlaskClient, staff: dict[str, Api]) -> None:
    officer = register(client)
    application = apply(officer, open_run(staff["dopt"]))
    staff["cca"].complete(application["id"], "cca_approval", {"decision": "approve"})
    response = staff["dopt"].complete(application["id"], "dopt_confirmation", {"decision": "reject", "remarks": "X"})
    assert response.json["application"]["status"] == "rejected_by_dopt"


def test_failed_exam_is_not_certified(client: FlaskClient, staff: dict[str, Api], settings: Settings) -> None:
    run = open_run(staff["dopt"])
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["MITX-0100"]})
    officer, application_id = to_enrolled(client, staff, run)
    run_timers(settings, after_run_ends(run))
    response = officer.complete(application_id, "report_result", {"final_grade": 38, "proctored_exam": "passed"})
    assert response.json["application"]["status"] == "awaiting_result"
    response = officer.complete(application_id, "confirm_result", {"decision": "confirm"})
    assert response.json["application"]["status"] == "not_certified"


def test_unreported_result_lapses_after_90_days(client: FlaskClient, staff: dict[str, Api], settings: Settings) -> None:
    run = open_run(staff["dopt"])
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["MITX-0200"]})
    officer, application_id = to_enrolled(client, staff, run)
    run_timers(settings, after_run_ends(run))
    run_timers(settings, after_run_ends(run, days=92))
    assert officer.get(f"/applications/{application_id}").json["status"] == "lapsed"


def test_withdrawal_is_withdrawn_and_cannot_repeat(client: FlaskClient, staff: dict[str, Api]) -> None:
    officer = register(client)
    application = apply(officer, open_run(staff["dopt"]))
    response = officer.post(f"/applications/{application['id']}/withdraw")
    assert response.status_code == 200 and response.json["status"] == "withdrawn"
    assert staff["cca"].get(f"/tasks?application_id={application['id']}").json == []
    again = officer.post(f"/applications/{application['id']}/withdraw")
    assert again.status_code == 409


def test_a_returned_claim_is_offered_again_with_what_was_sent_and_bank_details_tidied(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    run = open_run(staff["dopt"])
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["MITX-0300"]})
    officer, application_id = to_enrolled(client, staff, run)
    run_timers(settings, after_run_ends(run))
    officer.complete(
        application_id,
        "report_result",
        {"final_grade": 70, "proctored_exam": "passed", "certificate_upload": officer.upload()},
    )
    proof = officer.upload()
    claim = {
        "amount_paid_usd": 100,
        "payment_proof_upload": proof,
        "bank_account_number": "0001 2345 6789",
        "ifsc": "hdfc0001234",
        "declaration": True,
    }
    assert officer.complete(application_id, "submit_claim", claim).status_code == 200
    staff["dopt"].complete(application_id, "verify_claim", {"decision": "return", "remarks": "Receipt unreadable."})

    task = officer.get(f"/tasks/{officer.task(application_id, 'submit_claim')}").json

    assert task["prefill"] == {
        "amount_paid_usd": 100,
        "payment_proof_upload": proof,
        "bank_account_number": "000123456789",
        "ifsc": "HDFC0001234",
    }
