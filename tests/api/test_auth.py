"""Tokens and passwords: the same 401 for every bad sign-in, throttling without lock-out, expiry
and revocation."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from freezegun import freeze_time
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import User
from engine.services.people import create_user
from tests.api.conftest import PASSWORD, Api
from webapp import create_app
from webapp.core.database import db as web_db


def _token(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1") -> tuple[int, dict]:
    response = _token_response(client, username, password, address)
    return response.status_code, response.json


def _token_response(client: FlaskClient, username: str, password: str, address: str = "127.0.0.1") -> Any:
    return client.post(
        "/api/v1/auth/token",
        json={"username": username, "password": password},
        environ_overrides={"REMOTE_ADDR": address},
    )


def test_unknown_user_and_wrong_password_get_the_same_401(client: FlaskClient, staff: dict[str, Api]) -> None:
    unknown = _token(client, "nobody", PASSWORD)
    wrong = _token(client, "dopt", "wrong-password")
    assert unknown[0] == wrong[0] == 401
    assert unknown[1] == wrong[1]


def test_twenty_wrong_passwords_slow_their_address_down_but_never_lock_the_owner_out(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    answers = [_token_response(client, "finance", "wrong-password", "203.0.113.9") for _ in range(20)]

    assert [answer.status_code for answer in answers[:5]] == [401] * 5
    assert {answer.status_code for answer in answers[5:]} == {429}
    refused = answers[-1]
    assert refused.json["error"]["code"] == "too_many_requests"
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60 and refused.json["error"]["retry_after"] == wait
    assert f"Try again in {wait} seconds" in refused.json["error"]["message"]
    # The attacker's address is slowed down even with the right password ...
    assert _token(client, "finance", PASSWORD, "203.0.113.9")[0] == 429
    # ... while the owner, elsewhere, signs in at once (and the account is not locked).
    assert _token(client, "finance", PASSWORD, "198.51.100.4")[0] == 200
    with db.sessions() as session:
        user = session.scalars(select(User).where(User.username == "finance")).one()
        assert user.locked_until is None and user.failed_logins == 0


def test_failures_for_many_accounts_from_one_address_slow_that_address_down(app: Flask, client: FlaskClient) -> None:
    app.config["IGOT_SIGN_IN_LIMIT_ADDRESS"] = "3 per minute"
    for number in range(3):
        assert _token(client, f"nobody{number}", PASSWORD, "203.0.113.10")[0] == 401

    assert _token(client, "nobody9", PASSWORD, "203.0.113.10")[0] == 429
    assert _token(client, "nobody9", PASSWORD, "203.0.113.11")[0] == 401


def test_the_wait_grows_with_repeated_failures_and_ends(app: Flask, client: FlaskClient, staff: dict[str, Api]) -> None:
    with freeze_time("2027-01-04 10:00:00") as clock:
        for _attempt in range(5):
            assert _token(client, "finance", "wrong-password")[0] == 401
        first = _token_response(client, "finance", PASSWORD)
        assert first.status_code == 429 and int(first.headers["Retry-After"]) <= 60
        clock.tick(61)
        for _attempt in range(5):
            assert _token(client, "finance", "wrong-password")[0] == 401
        second = _token_response(client, "finance", PASSWORD)
        assert second.status_code == 429 and int(second.headers["Retry-After"]) > 60
        assert "minutes" in second.json["error"]["message"]
        clock.tick(15 * 60 + 1)
        assert _token(client, "finance", PASSWORD)[0] == 200


def test_the_username_must_match_exactly(client: FlaskClient, staff: dict[str, Api]) -> None:
    assert _token(client, "Finance", PASSWORD)[0] == 401
    assert _token(client, "FINANCE", PASSWORD)[0] == 401
    assert _token(client, "finance", PASSWORD)[0] == 200


def test_forwarded_addresses_count_only_from_trusted_proxies(settings: Settings, db: Database) -> None:
    def five_failures_then_right(trusted_proxies: int) -> int:
        app = create_app({**base, "IGOT_TRUSTED_PROXIES": trusted_proxies})
        client = app.test_client()
        try:
            for number in range(6):
                forwarded = {"X-Forwarded-For": f"192.0.2.{number}"}
                client.post("/api/v1/auth/token", json={"username": "finance", "password": "x"}, headers=forwarded)
            forwarded = {"X-Forwarded-For": "192.0.2.99"}
            body = {"username": "finance", "password": PASSWORD}
            return client.post("/api/v1/auth/token", json=body, headers=forwarded).status_code
        finally:
            with app.app_context():
                web_db.engine.dispose()

    with db.sessions() as session, session.begin():
        create_user(session, "finance", PASSWORD, ["finance"])
    base = {"DATABASE_URL": settings.database_url, "INSTANCE_PATH": settings.instance_path, "TESTING": True}
    # Without a trusted proxy the header is the client's own claim: ignored, one address failing.
    assert five_failures_then_right(0) == 429
    # Behind one trusted proxy, each forwarded address counts on its own.
    assert five_failures_then_right(1) == 200


def test_password_reset_requests_are_limited_per_address(app: Flask, client: FlaskClient) -> None:
    app.config["IGOT_ACCOUNT_FORM_LIMIT"] = "2 per minute"
    asked = [client.post("/api/v1/auth/password-reset", json={"email": "someone@example.gov.in"}) for _ in range(3)]
    assert [answer.status_code for answer in asked] == [202, 202, 429]
    assert int(asked[-1].headers["Retry-After"]) > 0
    assert asked[-1].json["error"]["code"] == "too_many_requests"
    elsewhere = client.post(
        "/api/v1/auth/password-reset",
        json={"email": "someone@example.gov.in"},
        environ_overrides={"REMOTE_ADDR": "198.51.100.30"},
    )
    assert elsewhere.status_code == 202
