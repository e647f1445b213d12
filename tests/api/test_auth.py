"""Tokens and passwords: the same 401 for every bad sign-in, lock-out, expiry and revocation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import AuthToken, User
from tests.api.conftest import PASSWORD, Api, register, sign_in


def _token(client: FlaskClient, username: str, password: str) -> tuple[int, dict]:
    response = client.post("/api/v1/auth/token", json={"username": username, "password": password})
    return response.status_code, response.json


def test_unknown_user_and_wrong_password_get_the_same_401(client: FlaskClient, staff: dict[str, Api]) -> None:
    unknown = _token(client, "nobody", PASSWORD)
    wrong = _token(client, "dopt", "wrong-password")
    assert unknown[0] == wrong[0] == 401
    assert unknown[1] == wrong[1]


def test_five_wrong_passwords_lock_the_account_even_for_the_right_one(
    client: FlaskClient, staff: dict[str, Api]
) -> None:
    for _ in range(5):
        assert _token(client, "finance", "wrong-password")[0] == 401
    assert _token(client, "finance", PASSWORD)[0] == 401


def test_passwords_are_stored_hashed_with_scrypt(db: Database, staff: dict[str, Api]) -> None:
    with db.sessions() as session:
        stored = session.scalars(select(User.password_hash).where(User.username == "dopt")).one()
    assert stored.startswith("scrypt$") and PASSWORD not in stored


def test_request_without_token_is_401(client: FlaskClient) -> None:
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_no_longer_works(client: FlaskClient, staff: dict[str, Api]) -> None:
    api = sign_in(client, "course_team")
    assert api.get("/me").status_code == 200
    assert api.client.delete("/api/v1/auth/token", headers={"Authorization": f"Bearer {api.token}"}).status_code == 204
    assert api.get("/me").status_code == 401


def test_expired_token_no_longer_works(client: FlaskClient, db: Database, staff: dict[str, Api]) -> None:
    api = sign_in(client, "owner")
    with db.sessions() as session, session.begin():
        for row in session.scalars(select(AuthToken)):
            row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    assert api.get("/me").status_code == 401


def test_registered_officer_sees_own_profile(client: FlaskClient) -> None:
    officer = register(client, full_name="Kavya Menon")
    me = officer.get("/me").json
    assert me["roles"] == ["officer"] and me["profile"]["full_name"] == "Kavya Menon"


def test_username_taken_is_409(client: FlaskClient) -> None:
    officer = register(client)
    me = officer.get("/me").json
    response = client.post(
        "/api/v1/officers",
        json={
            "username": me["username"],
            "password": PASSWORD,
            "full_name": "Someone Else",
            "email": "else@example.gov.in",
            "mobile": "+919800000001",
            "service": "IPS",
            "cca": "MHA-IPS",
            "designation": "SP",
            "date_of_joining": "2015-01-01",
            "date_of_birth": "1985-01-01",
            "edx_username": "else",
        },
    )
    assert response.status_code == 409
