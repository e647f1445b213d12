"""The input boundary (webapp/core/boundary.py): what hostile or careless clients send is a
400, 404 or 422 with the error envelope (a page for pages), never a 500, on both databases."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.api.conftest import PASSWORD, Api, officer_body, open_run, register
from tests.integration.ui import csrf_token, sign_in
from webapp.core.boundary import MAX_JSON_DEPTH

NUL = "\x00"
SURROGATE = "\ud800"


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    body = response.json
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"])
    return dict(body["error"])


def _fields(response: Any, status: int = 422) -> dict[str, str]:
    return dict(_error(response, status)["fields"])


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_bad_characters_in_the_token_request_are_422_naming_the_field(client: FlaskClient, bad: str) -> None:
    response = client.post("/api/v1/auth/token", json={"username": f"admin{bad}", "password": PASSWORD})
    assert set(_fields(response)) == {"username"}


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_bad_characters_in_registration_are_422_naming_the_field(client: FlaskClient, bad: str) -> None:
    body = officer_body() | {"full_name": f"Asha{bad}Rao"}
    assert set(_fields(client.post("/api/v1/officers", json=body))) == {"full_name"}


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_bad_characters_in_cca_course_and_run_are_422(staff: dict[str, Api], bad: str) -> None:
    assert "name" in _fields(staff["admin"].post("/ccas", {"code": "NEW-CCA", "name": f"New{bad}"}))
    assert "code" in _fields(staff["dopt"].post("/courses", {"code": f"C{bad}", "title": "A course"}))
    body = {"course": f"CGP{bad}", "starts_on": "2030-01-01", "registration_closes_on": "2029-12-01"}
    assert "course" in _fields(staff["dopt"].post("/course-runs", body | {"ends_on": "2030-03-01"}))


@pytest.mark.parametrize("bad", [NUL, SURROGATE], ids=["nul", "surrogate"])
def test_bad_characters_in_task_remarks_are_422(client: FlaskClient, staff: dict[str, Api], bad: str) -> None:
    officer = register(client)
    application = officer.post("/applications", {"course_run_id": open_run(staff["dopt"])["id"], "declaration": True})
    task = staff["cca"].task(application.json["id"], "cca_approval")
    response = staff["cca"].post(f"/tasks/{task}/complete", {"data": {"decision": "approve", "remarks": f"ok{bad}"}})
    assert _fields(response) == {
        "data.remarks": f"must not contain a {'NUL character' if bad == NUL else 'lone surrogate'}"
    }


def test_nul_in_a_path_is_400(staff: dict[str, Api], client: FlaskClient) -> None:
    assert _error(staff["dopt"].get("/tasks/%00"), 400)["code"] == "bad_request"
    assert _error(client.get("/api/v1/tasks/%00"), 400)["code"] == "bad_request"
    page = client.get("/tasks/%00")
    assert page.status_code == 400 and "text/html" in page.content_type


def test_nul_in_a_query_is_400_naming_it(staff: dict[str, Api]) -> None:
    assert _fields(staff["dopt"].get("/applications?q=a%00b"), 400) == {"q": "must not contain a NUL character"}


@pytest.mark.parametrize("path", ["/auth/token", "/officers", "/applications", "/ccas", "/tasks/x/complete"])
def test_json_nested_100000_deep_is_400_signed_in_or_not(client: FlaskClient, staff: dict[str, Api], path: str) -> None:
    for headers in ({}, {"Authorization": f"Bearer {staff['admin'].token}"}):
        response = client.post(f"/api/v1{path}", data="[" * 100_000, content_type="application/json", headers=headers)
        assert "nests deeper" in _error(response, 400)["message"]
        deep = '{"a":' * 100_000 + "1" + "}" * 100_000
        response = client.post(f"/api/v1{path}", data=deep, content_type="application/json", headers=headers)
        assert _error(response, 400)["code"] == "bad_request"


def test_json_just_within_the_depth_limit_reaches_the_view(client: FlaskClient) -> None:
    nested = "[" * (MAX_JSON_DEPTH - 1) + "]" * (MAX_JSON_DEPTH - 1)
    response = client.post(
        "/api/v1/auth/token", data=f'{{"username": {nested}, "password": "x"}}', content_type="application/json"
    )
    assert "nests deeper" not in response.get_data(as_text=True)
    assert response.status_code in (401, 422)


def test_wrong_types_are_422_naming_the_field(client: FlaskClient, staff: dict[str, Api]) -> None:
    fields = _fields(client.post("/api/v1/officers", json=officer_body() | {"service": [], "cca": []}))
    assert fields["service"].startswith("must be") and fields["cca"] == "must be a text"
    assert set(_fields(client.post("/api/v1/auth/token", json={"username": {}, "password": 5}))) == {
        "username",
        "password",
    }
    assert "course" in _fields(staff["dopt"].post("/course-runs", {"course": ["CGP"]}))


def test_ids_beyond_the_integer_range_are_404_or_422(staff: dict[str, Api], client: FlaskClient) -> None:
    dopt = staff["dopt"]
    assert _error(dopt.get("/applications/99999999999999999999"), 404)["code"] == "not_found"
    assert _error(dopt.get("/applications/2147483648"), 404)["code"] == "not_found"
    assert "application_id" in _fields(dopt.get("/tasks?application_id=2147483648"))
    assert "page" in _fields(dopt.get("/applications?page=99999999999999999999"))
    assert "course_run_id" in _fields(dopt.get("/applications?course_run_id=99999999999999999999"))
    officer = register(client)
    response = officer.post("/applications", {"course_run_id": 2**31, "declaration": True})
    assert "course_run_id" in _fields(response)
    response = officer.post("/applications", {"course_run_id": 10**40, "declaration": True})
    assert "course_run_id" in _fields(response)


@pytest.mark.parametrize(
    "number",
    ["99_999_999_999_999_999_999", "3_000_000_000", "\uff19" * 20, "\uff11", "1e3", "99999999999999999999"],
    ids=["underscores", "underscores-within-int64", "fullwidth-huge", "fullwidth-one", "exponent", "twenty-digits"],
)
def test_ids_in_a_query_are_ascii_whole_numbers_in_range_or_422(staff: dict[str, Api], number: str) -> None:
    officer = staff["dopt"]
    for name in ("application_id", "course_run_id"):
        assert name in _fields(officer.get(f"/tasks?{name}={number}"))


def test_other_scripts_digits_are_no_second_address_of_an_object(staff: dict[str, Api], client: FlaskClient) -> None:
    officer = register(client)
    run = open_run(staff["dopt"])
    application = officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).json
    assert officer.get(f"/applications/{application['id']}").status_code == 200
    fullwidth = "".join(chr(0xFF10 + int(digit)) for digit in str(application["id"]))
    assert _error(officer.get(f"/applications/{fullwidth}"), 404)["code"] == "not_found"


def test_a_line_break_in_next_is_ignored(client: FlaskClient, staff: dict[str, Api]) -> None:
    token = csrf_token(client, "/sign-in?next=/inbox%0d%0aSet-Cookie:%20a=b")
    response = client.post(
        "/sign-in?next=/inbox%0d%0aSet-Cookie:%20a=b",
        data={"username": "dopt", "password": PASSWORD, "csrf_token": token, "next": "/inbox\r\nSet-Cookie: a=b"},
    )
    assert response.status_code == 302
    assert "\n" not in response.headers["Location"] and "Set-Cookie" not in response.headers["Location"]


def test_nul_in_a_page_form_is_422_naming_the_field(client: FlaskClient, staff: dict[str, Api]) -> None:
    response = client.post("/sign-in", data={"username": f"dopt{NUL}", "password": PASSWORD})
    assert response.status_code == 422 and "text/html" in response.content_type
    assert "username" in response.get_data(as_text=True)


def test_answers_carry_no_store_and_a_request_id(client: FlaskClient, staff: dict[str, Api]) -> None:
    answer = staff["dopt"].get("/courses")
    assert answer.headers["Cache-Control"] == "no-store"
    assert len(answer.headers["X-Request-Id"]) == 32
    assert client.get("/api/v1/openapi.json").headers["Cache-Control"] == "no-store"
    given_id = staff["dopt"].client.get("/api/v1/courses", headers={"X-Request-Id": "abc-123"})
    assert given_id.headers["X-Request-Id"] == "abc-123"
    assert "no-store" not in client.get("/sign-in").headers.get("Cache-Control", "")
    sign_in(client, "dopt")
    assert client.get("/inbox").headers["Cache-Control"] == "no-store"


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _NotAnException(BaseException):
    """What a library might raise that is not an Exception."""


@pytest.mark.parametrize("raised", [RuntimeError("boom"), RecursionError(), MemoryError(), _NotAnException()])
def test_an_unexpected_error_is_a_500_envelope_logged_to_gunicorn_with_its_request_id(
    settings: Any, db: Any, raised: BaseException
) -> None:
    from webapp import create_app

    gunicorn_log = logging.getLogger("gunicorn.error")
    records = _Records()
    gunicorn_log.addHandler(records)
    try:
        app = create_app(
            {"DATABASE_URL": settings.database_url, "INSTANCE_PATH": settings.instance_path, "TESTING": True}
        )

        @app.get("/api/v1/fail")
        def fail() -> None:
            raise raised

        response = app.test_client().get("/api/v1/fail", headers={"X-Request-Id": "req-42"})
    finally:
        gunicorn_log.removeHandler(records)
        for name in ("webapp", "engine"):
            logging.getLogger(name).handlers = []
            logging.getLogger(name).propagate = True
    error = _error(response, 500)
    assert error == {"code": "internal_error", "message": error["message"], "request_id": "req-42"}
    logged = [record for record in records.records if record.levelno == logging.ERROR]
    assert len(logged) == 1 and "req-42" in logged[0].getMessage() and logged[0].exc_info is not None


def test_keyboard_interrupt_in_a_view_still_stops_the_server(app: Flask) -> None:
    @app.get("/api/v1/interrupt")
    def interrupt() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        app.test_client().get("/api/v1/interrupt")


TEXT_FIELDS = ("username", "password", "full_name", "email", "designation", "cca", "service")
HOSTILE = st.one_of(
    st.text(alphabet=st.characters(codec=None), max_size=12).map(lambda text: text + NUL),
    st.just(SURROGATE),
    st.integers(min_value=2**31, max_value=10**30),
    st.integers(max_value=-(2**31) - 1, min_value=-(10**30)),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.none(), max_size=2),
    st.integers(min_value=70, max_value=400).map(lambda depth: "[" * depth),
)


@settings(max_examples=40, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(field=st.sampled_from(TEXT_FIELDS), value=HOSTILE)
def test_property_hostile_values_in_a_body_are_refused_not_a_500(app: Flask, field: str, value: Any) -> None:
    client = app.test_client()
    if isinstance(value, str) and value.startswith("["):
        response = client.post("/api/v1/officers", data=value, content_type="application/json")
        assert _error(response, 400)["code"] == "bad_request"
        return
    response = client.post("/api/v1/officers", json=officer_body() | {field: value})
    assert any(name == field or name.startswith(f"{field}[") for name in _fields(response))
    token = client.post("/api/v1/auth/token", json={"username": value, "password": value})
    assert token.status_code in (400, 422)


@settings(max_examples=30, derandomize=True, database=None, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    field=st.sampled_from(("username", "password", "next")),
    value=st.one_of(st.text(max_size=8).map(lambda text: NUL + text), st.just("9" * 40), st.just("/x\r\nA: b")),
)
def test_property_hostile_values_in_a_page_form_are_refused_not_a_500(app: Flask, field: str, value: str) -> None:
    client = app.test_client()
    form = {"username": "nobody", "password": "wrong password"} | {field: value}
    response = client.post("/sign-in", data=form)
    assert response.status_code in (200, 400, 422), response.status_code
    assert "text/html" in response.content_type
    if NUL in value:
        assert response.status_code == 422


def test_a_form_nested_100000_deep_is_refused_not_a_500(staff: dict[str, Api]) -> None:
    owner = staff["owner"]
    response = owner.send("PUT", "/forms/cca_approval.schema.json", b"[" * 100_000, "text/plain")
    assert response.status_code in (400, 422), response.status_code
