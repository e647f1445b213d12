"""Bad input is answered with 400, 404, 413 or 422 and the error envelope; never a 500."""

from __future__ import annotations

import io

import pytest
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from tests.api.conftest import Api, open_run, register
from tests.api.test_upload_limits import image_bytes


def _error(response: object) -> dict:
    body = response.json  # type: ignore[attr-defined]
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return body["error"]


def test_malformed_json_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/auth/token", data="{not json", content_type="application/json")
    assert response.status_code == 400
    assert _error(response)["code"] == "bad_request"


def test_json_that_is_not_an_object_is_400(client: FlaskClient) -> None:
    response = client.post("/api/v1/officers", json=[1, 2])
    assert response.status_code == 400


def test_unknown_and_missing_fields_are_named(staff: dict[str, Api]) -> None:
    response = staff["dopt"].post("/course-runs", {"course": "CGP", "colour": "red"})
    assert response.status_code == 422
    fields = _error(response)["fields"]
    assert fields["colour"] == "unknown field"
    assert {"starts_on", "registration_closes_on", "ends_on"} <= set(fields)


def test_run_dates_out_of_order_are_422(staff: dict[str, Api]) -> None:
    body = {"course": "CGP", "starts_on": "2027-03-01", "registration_closes_on": "2027-03-02", "ends_on": "2027-03-01"}
    fields = _error(staff["dopt"].post("/course-runs", body))["fields"]
    assert set(fields) == {"registration_closes_on", "ends_on"}


@pytest.mark.parametrize(
    "data",
    [
        {"decision": "maybe"},
        {"decision": 5},
        {"decision": "reject"},
        {"decision": "approve", "extra": 1},
        "approve",
    ],
)
def test_invalid_task_data_is_422_naming_the_field(client: FlaskClient, staff: dict[str, Api], data: object) -> None:
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    response = staff["cca"].post(
        f"/tasks/{staff['cca'].task(application.json['id'], 'cca_approval')}/complete", {"data": data}
    )
    assert response.status_code == 422
    assert _error(response)["fields"]


def test_registration_reports_every_bad_field(client: FlaskClient) -> None:
    response = client.post(
        "/api/v1/officers",
        json={"username": "x y", "password": "short", "service": "KING", "date_of_birth": "1990-02-30"},
    )
    assert response.status_code == 422
    fields = _error(response)["fields"]
    assert {"username", "password", "service", "date_of_birth", "full_name", "cca", "email"} <= set(fields)


def test_wrong_types_in_an_application_are_422(client: FlaskClient) -> None:
    officer = register(client)
    response = officer.post("/applications", {"course_run_id": "seven", "declaration": "yes"})
    assert response.status_code == 422
    assert set(_error(response)["fields"]) == {"course_run_id", "declaration"}


def test_unknown_ids_are_404(staff: dict[str, Api]) -> None:
    assert staff["dopt"].get("/applications/999999").status_code == 404
    assert staff["dopt"].get("/tasks/no-such-task").status_code == 404
    assert staff["dopt"].get("/process-definitions/nothing/versions/3").status_code == 404
    assert staff["course_team"].get("/course-runs/424242/coupons/summary").status_code == 404
    assert staff["dopt"].get("/no/such/endpoint").status_code == 404


def test_huge_body_is_413(staff: dict[str, Api]) -> None:
    response = staff["dopt"].client.post(
        "/api/v1/courses",
        data=b'{"code": "' + b"x" * (7 * 1024 * 1024) + b'"}',
        headers={"Authorization": f"Bearer {staff['dopt'].token}", "Content-Type": "application/json"},
    )
    response.close()
    assert response.status_code == 413
    assert _error(response)["code"] == "too_large"


def test_upload_judged_by_content_not_by_name(client: FlaskClient) -> None:
    officer = register(client)
    response = client.post(
        "/api/v1/uploads",
        data={"file": (io.BytesIO(b"MZ\x90\x00 an executable"), "certificate.pdf")},
        headers={"Authorization": f"Bearer {officer.token}"},
    )
    assert response.status_code == 422
    assert "file" in _error(response)["fields"]


def test_upload_over_5_mb_is_413(client: FlaskClient) -> None:
    officer = register(client)
    content = b"%PDF-1.4\n" + b"0" * (5 * 1024 * 1024)
    # Encoded in memory: the test client would otherwise spool the body to a file it never closes.
    boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(content), "big.pdf")})
    response = client.post(
        "/api/v1/uploads",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Authorization": f"Bearer {officer.token}"},
    )
    assert response.status_code == 413


def test_png_and_jpeg_are_accepted(client: FlaskClient) -> None:
    officer = register(client)
    assert officer.upload(image_bytes("PNG", (120, 80)), "a.png")
    assert officer.upload(image_bytes("JPEG", (120, 80)), "b.jpg")


def test_duplicate_coupon_codes_are_reported_not_added(staff: dict[str, Api]) -> None:
    run = open_run(staff["dopt"])
    first = staff["course_team"].post(f"/course-runs/{run['id']}/coupons", {"codes": ["DUP-0001"]})
    second = staff["course_team"].post(
        f"/course-runs/{run['id']}/coupons", {"codes": ["DUP-0001", "NEW-0001", "NEW-0001"]}
    )
    assert first.json == {"added": 1, "duplicates": [], "problems": []}
    assert second.json == {
        "added": 1,
        "duplicates": ["DUP-0001", "NEW-0001"],
        "problems": [
            {"line": 1, "code": "DUP-0001", "kind": "known", "problem": "already in this run's pool"},
            {"line": 3, "code": "NEW-0001", "kind": "repeated", "problem": "repeats line 2 of this upload"},
        ],
    }
    summary = staff["course_team"].get(f"/course-runs/{run['id']}/coupons/summary").json
    assert summary == {"total": 2, "assigned": 0, "available": 2, "voided": 0, "waiting": 0, "low": False}
