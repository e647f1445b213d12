"""The web UI's sign-in, session cookie, CSRF check and officer registration (Flask test client)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Application, User
from engine.services.applications import submit_application
from tests.factories import NOW, make_officer, make_run
from tests.integration.ui import PASSWORD, csrf_token
from webapp.cli import main as igot


@pytest.fixture
def officer(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_officer(session, username="asha", full_name="Asha Rao").username


def post_sign_in(
    client: FlaskClient,
    username: str,
    password: str,
    base_url: str = "http://localhost",
    address: str = "127.0.0.1",
    **extra: str,
) -> TestResponse:
    return client.post(
        "/sign-in",
        base_url=base_url,
        data={"csrf_token": csrf_token(client, base_url=base_url), "username": username, "password": password, **extra},
        headers={"Referer": f"{base_url}/sign-in"},  # as a browser sends it; Flask-WTF checks it over HTTPS
        environ_overrides={"REMOTE_ADDR": address},
    )


def problem_text(html: str) -> str:
    match = re.search(r'<div class="error-summary".*?</div>', html, re.S)
    assert match, "no error summary on the page"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", match.group(0))).strip()


def test_sign_in_with_the_right_password_opens_the_officers_applications(client: FlaskClient, officer: str) -> None:
    response = post_sign_in(client, officer, PASSWORD)

    assert response.status_code == 302
    assert client.get("/").location == "/applications"


def test_wrong_password_and_unknown_user_get_the_same_message(client: FlaskClient, officer: str) -> None:
    wrong_password = post_sign_in(client, officer, "not-the-password")
    unknown_user = post_sign_in(client, "nobody-of-that-name", PASSWORD)

    assert wrong_password.status_code == unknown_user.status_code == 401
    assert problem_text(wrong_password.text) == problem_text(unknown_user.text)
    assert "Wrong username or password" in problem_text(unknown_user.text)


def test_failed_sign_ins_slow_that_address_down_and_say_when_to_retry(
    client: FlaskClient, db: Database, officer: str
) -> None:
    for _attempt in range(5):
        assert post_sign_in(client, officer, "not-the-password", address="203.0.113.5").status_code == 401

    slowed = post_sign_in(client, officer, PASSWORD, address="203.0.113.5")

    assert slowed.status_code == 429
    wait = int(slowed.headers["Retry-After"])
    assert f"Too many attempts. Try again in {wait} seconds." in problem_text(slowed.text)
    assert user_row(db, officer).failed_logins == 5
    # The officer, from another address, signs in at once: no lock-out.
    assert post_sign_in(client, officer, PASSWORD, address="198.51.100.20").status_code == 302
    assert user_row(db, officer).failed_logins == 0


def test_the_sign_in_name_must_match_exactly(client: FlaskClient, officer: str) -> None:
    assert post_sign_in(client, officer.upper(), PASSWORD).status_code == 401
    assert post_sign_in(client, officer, PASSWORD).status_code == 302


def test_a_cookie_saved_before_signing_out_is_refused_after_it(client: FlaskClient, officer: str) -> None:
    post_sign_in(client, officer, PASSWORD)
    saved = client.get_cookie("igot_session")
    assert saved is not None and client.get("/applications").status_code == 200

    assert client.post("/sign-out", data={"csrf_token": csrf_token(client, "/applications")}).status_code == 302
    client.set_cookie("igot_session", saved.value)

    assert client.get("/applications").status_code == 302


def test_a_new_password_ends_the_other_sign_ins_and_tokens_but_not_this_page(app: Flask, officer: str) -> None:
    here, elsewhere = app.test_client(), app.test_client()
    post_sign_in(here, officer, PASSWORD)
    post_sign_in(elsewhere, officer, PASSWORD)
    assert elsewhere.get("/applications").status_code == 200
    token = elsewhere.post("/api/v1/auth/token", json={"username": officer, "password": PASSWORD}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}

    changed = here.post(
        "/profile/password",
        data={
            "csrf_token": csrf_token(here, "/profile/password"),
            "current_password": PASSWORD,
            "new_password": "a-brand-new-password",
            "new_password_again": "a-brand-new-password",
        },
    )

    assert changed.status_code == 302, changed.text
    assert here.get("/applications").status_code == 200
    assert elsewhere.get("/applications").status_code == 302
    assert elsewhere.get("/api/v1/me", headers=bearer).status_code == 401


def test_the_console_password_ends_old_cookies_and_tokens(
    app: Flask, db: Database, settings: Settings, officer: str
) -> None:
    browser = app.test_client()
    post_sign_in(browser, officer, PASSWORD)
    token = browser.post("/api/v1/auth/token", json={"username": officer, "password": PASSWORD}).json["token"]
    bearer = {"Authorization": f"Bearer {token}"}
    assert browser.get("/api/v1/me", headers=bearer).status_code == 200

    result = CliRunner().invoke(
        igot,
        ["user", "password", officer],
        input="another-good-password\n",
        env={"IGOT_DATABASE_URL": settings.database_url, "IGOT_INSTANCE_PATH": str(settings.instance_path)},
    )

    assert result.exit_code == 0, result.output
    assert browser.get("/applications").status_code == 302
    assert browser.get("/api/v1/me", headers=bearer).status_code == 401
    assert post_sign_in(app.test_client(), officer, "another-good-password").status_code == 302


def user_row(db: Database, username: str) -> User:
    with db.sessions() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def test_sign_in_does_not_redirect_to_another_site(client: FlaskClient, officer: str) -> None:
    response = post_sign_in(client, officer, PASSWORD, next="https://evil.example/phish")

    assert response.location == "/"


def test_post_without_csrf_token_is_refused_and_changes_nothing(
    client: FlaskClient, db: Database, officer: str
) -> None:
    with db.sessions() as session, session.begin():
        user = session.scalars(select(User).where(User.username == officer)).one()
        application_id = submit_application(session, user, make_run(session).id, True, NOW).id
    post_sign_in(client, officer, PASSWORD)

    response = client.post(f"/applications/{application_id}/withdraw", data={})

    assert response.status_code == 400
    with db.sessions() as session:
        assert session.get_one(Application, application_id).status == "awaiting_cadre_approval"


def test_sign_in_without_csrf_token_is_refused(client: FlaskClient, officer: str) -> None:
    response = client.post("/sign-in", data={"username": officer, "password": PASSWORD})

    assert response.status_code == 400
    assert client.get("/applications").status_code == 302  # still signed out: sent to sign in


def test_session_cookie_is_httponly_and_samesite_lax(client: FlaskClient, officer: str) -> None:
    response = post_sign_in(client, officer, PASSWORD)

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_session_cookie_is_secure_over_https(client: FlaskClient, officer: str) -> None:
    response = post_sign_in(client, officer, PASSWORD, base_url="https://localhost")

    assert "Secure" in response.headers["Set-Cookie"]


def test_sign_out_ends_the_session(client: FlaskClient, officer: str) -> None:
    post_sign_in(client, officer, PASSWORD)

    client.post("/sign-out", data={"csrf_token": csrf_token(client, "/applications")})

    assert client.get("/applications").status_code == 302


def registration(**changes: str) -> dict[str, str]:
    form = {
        "username": "meera",
        "password": "long-enough-password",
        "full_name": "Meera Iyer",
        "email": "meera@example.gov.in",
        "mobile": "+919812345678",
        "service": "CSS_A",
        "cca": "DOPT-CSS",
        "designation": "Deputy Secretary",
        "date_of_joining": "15-01-2014",
        "date_of_birth": "05-05-1980",
        "edx_username": "meera_edx",
    }
    form.update(changes)
    return form


def test_registration_creates_the_officer_and_signs_them_in(client: FlaskClient, db: Database) -> None:
    response = client.post("/register", data={"csrf_token": csrf_token(client, "/register"), **registration()})

    assert response.location == "/courses"
    assert client.get("/").location == "/applications"
    with db.sessions() as session:
        user = session.scalars(select(User).where(User.username == "meera")).one()
        assert user.officer is not None and user.officer.cca_code == "DOPT-CSS"


def test_registration_error_shows_beside_the_field_and_keeps_values_but_not_the_password(
    client: FlaskClient,
) -> None:
    form = registration(email="not-an-address")

    response = client.post("/register", data={"csrf_token": csrf_token(client, "/register"), **form})

    assert response.status_code == 422
    assert re.search(r'id="field-email-error"[^>]*>.*?Enter an e-mail address', response.text, re.S)
    assert 'value="Meera Iyer"' in response.text
    assert 'value="not-an-address"' in response.text
    assert "long-enough-password" not in response.text


def switch_language(client: FlaskClient, code: str, next_page: str) -> TestResponse:
    data = {"csrf_token": csrf_token(client, "/sign-in"), "next": next_page}
    return client.post(f"/language/{code}", data=data)


def test_language_switch_shows_the_page_in_hindi(client: FlaskClient) -> None:
    response = client.get(switch_language(client, "hi", "/sign-in").location)

    assert '<html lang="hi">' in response.text
    assert "<h1>साइन इन करें</h1>" in response.text


def test_language_switch_does_not_redirect_to_another_site(client: FlaskClient) -> None:
    assert switch_language(client, "hi", "//evil.example/").location == "/"
