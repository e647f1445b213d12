"""Over HTTP: the decider's facts on a task, the history in words, the payment on the
application, the payments and coupon endpoints with their paging."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

from flask.testing import FlaskClient
from openpyxl import load_workbook

from engine.config import Settings
from tests.api.conftest import Api, open_run, register
from tests.api.test_walkthrough import after_run_ends, run_timers, to_enrolled

CLAIM = {"amount_paid_usd": 90, "bank_account_number": "000123456789", "ifsc": "HDFC0001234", "declaration": True}


def _to_verification(
    client: FlaskClient, staff: dict[str, Api], settings: Settings, code: str
) -> tuple[Api, int, dict[str, str]]:
    run = open_run(staff["dopt"], reimbursement_cap_usd=120)
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": [code]})
    officer, application_id = to_enrolled(client, staff, run)
    run_timers(settings, after_run_ends(run))
    uploads = {"certificate": officer.upload(name="my-certificate.pdf"), "proof": officer.upload(name="receipt.pdf")}
    result = {"final_grade": 64.5, "proctored_exam": "passed", "certificate_upload": uploads["certificate"]}
    assert officer.complete(application_id, "report_result", result).status_code == 200
    claim = dict(CLAIM, payment_proof_upload=uploads["proof"])
    assert officer.complete(application_id, "submit_claim", claim).status_code == 200
    return officer, application_id, uploads


def test_claim_verifier_sees_the_result_the_claim_the_cap_and_this_applications_documents_only(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    officer, application_id, uploads = _to_verification(client, staff, settings, "FACT-0001")
    officer.upload(name="unrelated.pdf")  # the officer's, but sent with no task of this application

    task = staff["dopt"].get(f"/tasks/{staff['dopt'].task(application_id, 'verify_claim')}").json

    facts = task["facts"]
    assert facts["result"] == {"final_grade": 64.5, "proctored_exam": "passed"}
    assert facts["claim"] == {
        "amount_paid_usd": 90.0,
        "reimbursement_cap_usd": 120.0,
        "bank_account_number": "000123456789",
        "ifsc": "HDFC0001234",
    }
    assert [(d["purpose"], d["upload_id"], d["name"]) for d in facts["documents"]] == [
        ("Course certificate", uploads["certificate"], "my-certificate.pdf"),
        ("Proof of payment", uploads["proof"], "receipt.pdf"),
    ]
    for document in facts["documents"]:
        assert staff["dopt"].get(f"/uploads/{document['upload_id']}").status_code == 200


def test_history_records_each_decision_with_its_words_in_the_order_they_happened(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    officer, application_id, _uploads = _to_verification(client, staff, settings, "HIST-0001")
    returned = {"decision": "return", "remarks": "The receipt is unreadable."}
    assert staff["dopt"].complete(application_id, "verify_claim", returned).status_code == 200
    claim = dict(CLAIM, payment_proof_upload=officer.upload(name="receipt-2.pdf"))
    assert officer.complete(application_id, "submit_claim", claim).status_code == 200

    history = officer.get(f"/applications/{application_id}").json["history"]

    decisions = [entry["text"] for entry in history if entry["action"] == "completed"]
    assert decisions == [
        "approved",
        "confirmed eligibility",
        "reported the course result",
        "claimed reimbursement",
        "claim returned for correction: The receipt is unreadable.",
        "claimed reimbursement",
    ]
    returned_entry = next(entry for entry in history if entry.get("remarks"))
    assert (returned_entry["actor"], returned_entry["decision"], returned_entry["task"]) == (
        "dopt",
        "return",
        "verify_claim",
    )


def test_cca_question_and_officer_answer_read_in_words(client: FlaskClient, staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    officer = register(client)
    application_id = officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json["id"]
    question = {"decision": "return", "remarks": "Which run do you mean?"}
    staff["cca"].complete(application_id, "cca_approval", question)
    officer.complete(application_id, "respond_clarification", {"response": "The March run."})
    staff["cca"].complete(application_id, "cca_approval", {"decision": "approve"})

    history = staff["cca"].get(f"/applications/{application_id}").json["history"]

    assert [(e["actor"], e["text"]) for e in history if e["action"] == "completed"] == [
        ("cca", "returned for clarification: Which run do you mean?"),
        (officer_name(officer), "answered: The March run."),
        ("cca", "approved"),
    ]


def officer_name(officer: Api) -> str:
    return str(officer.get("/me").json["username"])


def test_payment_appears_on_the_application_for_the_officer_dopt_and_finance_only(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    officer, application_id, _uploads = _to_verification(client, staff, settings, "PAID-0001")
    staff["dopt"].complete(application_id, "verify_claim", {"decision": "approve"})
    assert officer.get(f"/applications/{application_id}").json["payment"] is None
    payment = {
        "sanction_number": "S-42",
        "paid_on": date.today().isoformat(),
        "amount_inr": 7560,
        "exchange_rate": 84,
        "payment_reference": "NEFT-42",
    }
    assert staff["finance"].complete(application_id, "record_payment", payment).status_code == 200

    shown = officer.get(f"/applications/{application_id}").json["payment"]

    assert {key: shown[key] for key in ("sanction_number", "paid_on", "amount_inr", "exchange_rate", "reference")} == {
        "sanction_number": "S-42",
        "paid_on": date.today().isoformat(),
        "amount_inr": 7560.0,
        "exchange_rate": 84.0,
        "reference": "NEFT-42",
    }
    assert shown["amount_usd"] == 90.0
    assert staff["dopt"].get(f"/applications/{application_id}").json["payment"] == shown
    assert staff["finance"].get(f"/applications/{application_id}").json["payment"] == shown
    assert staff["course_team"].get(f"/applications/{application_id}").json["payment"] is None
    assert staff["cca"].get(f"/applications/{application_id}").json["payment"] is None


def test_payments_queue_ledger_totals_and_exports(
    client: FlaskClient, staff: dict[str, Api], settings: Settings
) -> None:
    _officer, waiting_id, _uploads = _to_verification(client, staff, settings, "LEDG-0001")
    staff["dopt"].complete(waiting_id, "verify_claim", {"decision": "approve"})

    queue = staff["finance"].get("/payments/queue")
    assert queue.headers["X-Total-Count"] == "1"
    assert [(row["application_id"], row["claimed_usd"]) for row in queue.json] == [(waiting_id, 90.0)]

    today = date.today().isoformat()
    payment = {"sanction_number": "S-1", "paid_on": today, "amount_inr": 7560, "exchange_rate": 84}
    staff["finance"].complete(waiting_id, "record_payment", payment | {"payment_reference": "R-1"})

    ledger = staff["dopt"].get(f"/payments?from={today}&to={today}")
    assert ledger.headers["X-Total-Count"] == "1"
    assert [(row["application_id"], row["amount_inr"]) for row in ledger.json] == [(waiting_id, 7560.0)]
    assert staff["dopt"].get("/payments?to=2000-01-01").json == []
    totals = staff["finance"].get(f"/payments/totals?from={today}").json
    assert totals["overall"] == {"key": "all", "count": 1, "usd": 90.0, "inr": 7560.0}
    assert [month["key"] for month in totals["by_month"]] == [today[:7]]

    as_csv = list(csv.reader(io.StringIO(staff["finance"].get("/payments/export?format=csv").text)))
    sheet = load_workbook(io.BytesIO(staff["finance"].get("/payments/export?format=xlsx").data)).active
    assert sheet is not None
    from_xlsx = [
        [f"{v:.2f}" if isinstance(v, float | int) else v for v in row] for row in sheet.iter_rows(values_only=True)
    ]
    assert as_csv == from_xlsx
    assert as_csv[1][2:4] == ["HDFC0001234", "7560.00"]

    bad = staff["finance"].get("/payments?from=01-06-2027")
    assert bad.status_code == 422 and "from" in bad.json["error"]["fields"]
    assert staff["finance"].get("/payments/export?format=pdf").status_code == 422


def test_coupon_list_is_paged_and_a_code_is_voided_once_with_a_reason(staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    codes = [f"PAGE-{number:04d}" for number in range(1, 8)]
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": codes})

    first = staff["dopt"].get(f"/course-runs/{run['id']}/coupons?per_page=3")
    assert first.headers["X-Total-Count"] == "7"
    assert [coupon["code"] for coupon in first.json] == codes[:3]
    assert 'rel="next"' in first.headers["Link"] and 'rel="prev"' not in first.headers["Link"]
    last = staff["dopt"].get(f"/course-runs/{run['id']}/coupons?per_page=3&page=3")
    assert [coupon["code"] for coupon in last.json] == codes[6:]
    assert 'rel="prev"' in last.headers["Link"] and 'rel="next"' not in last.headers["Link"]
    assert staff["dopt"].get(f"/course-runs/{run['id']}/coupons?per_page=501").status_code == 422

    voided = staff["course_team"].post("/coupons/PAGE-0002/void", {"reason": "Leaked on a forum."})
    assert voided.status_code == 200
    assert (voided.json["state"], voided.json["void_reason"]) == ("voided", "Leaked on a forum.")
    assert staff["course_team"].post("/coupons/PAGE-0002/void", {"reason": "Again."}).status_code == 409
    assert staff["course_team"].post("/coupons/PAGE-0003/void", {"reason": " "}).status_code == 422
    assert staff["course_team"].post("/coupons/NO-SUCH-CODE/void", {"reason": "x"}).status_code == 404
    only_voided = staff["course_team"].get(f"/course-runs/{run['id']}/coupons?state=voided").json
    assert [coupon["code"] for coupon in only_voided] == ["PAGE-0002"]
    summary = staff["dopt"].get(f"/course-runs/{run['id']}/coupons/summary").json
    assert (summary["total"], summary["available"], summary["voided"]) == (7, 6, 1)
    pools: list[dict[str, Any]] = staff["dopt"].get("/coupons").json
    assert [(pool["course_run_id"], pool["available"]) for pool in pools] == [(run["id"], 6)]


def test_a_used_code_cannot_be_voided_over_the_api(client: FlaskClient, staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["USED-0009"]})
    to_enrolled(client, staff, run)

    refused = staff["course_team"].post("/coupons/USED-0009/void", {"reason": "Mistake."})

    assert refused.status_code == 409
    assert "cannot be voided" in refused.json["error"]["message"]
