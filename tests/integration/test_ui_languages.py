"""The language switch: remembered on the account, the page's lang attribute, statuses,
task titles and error pages in Hindi, and the API in English whatever the page language."""

from __future__ import annotations

import html
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import User
from engine.services.applications import submit_application
from tests.factories import NOW, make_officer, make_run, make_staff
from tests.integration.ui import csrf_token, sign_in

WAITING_FOR_CCA_HI = "संवर्ग नियंत्रण प्राधिकारी के अनुमोदन की प्रतीक्षा"
APPROVE_NOMINATION_HI = "नामांकन का अनुमोदन करें"


@pytest.fixture
def application_id(db: Database) -> int:
    """An eligible application of officer 'asha', waiting for the DOPT-IAS approver 'cca.ias'."""
    with db.sessions() as session, session.begin():
        make_staff(session, "cca_approver", "DOPT-IAS", username="cca.ias")
        officer = make_officer(session, username="asha", full_name="Asha Rao")
        return submit_application(session, officer, make_run(session).id, True, NOW).id


def choose(client: FlaskClient, code: str, back_to: str = "/") -> None:
    """Press the header's language button (every page has it; the course list is open to all)."""
    data = {"csrf_token": csrf_token(client, "/courses"), "next": back_to}
    assert client.post(f"/language/{code}", data=data).status_code == 302


def text(page: str) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def stored_language(db: Database, username: str) -> str | None:
    with db.sessions() as session:
        return session.scalars(select(User.language).where(User.username == username)).one()


def test_a_signed_in_choice_is_kept_on_the_account_and_comes_back_at_the_next_sign_in(
    app: Flask, db: Database, application_id: int
) -> None:
    first_visit = app.test_client()
    sign_in(first_visit, "asha")
    choose(first_visit, "hi", "/applications")
    first_visit.post("/sign-out", data={"csrf_token": csrf_token(first_visit, "/applications")})

    another_browser = app.test_client()
    sign_in(another_browser, "asha")
    page = another_browser.get("/applications").text

    assert stored_language(db, "asha") == "hi"
    assert '<html lang="hi">' in page
    assert "<h1>मेरे आवेदन</h1>" in page


def test_the_accounts_choice_wins_over_the_browser_sessions(app: Flask, db: Database, application_id: int) -> None:
    with db.sessions() as session, session.begin():
        session.scalars(select(User).where(User.username == "asha")).one().language = "en"
    client = app.test_client()
    choose(client, "hi", "/sign-in")
    assert '<html lang="hi">' in client.get("/sign-in").text

    sign_in(client, "asha")

    assert '<html lang="en">' in client.get("/applications").text


def test_signed_out_the_choice_lives_in_the_browser_session_only(app: Flask, db: Database) -> None:
    client = app.test_client()
    choose(client, "hi", "/courses")

    assert '<html lang="hi">' in client.get("/courses").text
    assert '<html lang="en">' in app.test_client().get("/courses").text


def test_the_officers_application_page_in_hindi_shows_the_status_and_who_it_waits_for(
    client: FlaskClient, application_id: int
) -> None:
    sign_in(client, "asha")
    choose(client, "hi")

    page = text(client.get(f"/applications/{application_id}").text)

    assert WAITING_FOR_CCA_HI in page
    assert f"प्रतीक्षा: {APPROVE_NOMINATION_HI} (सीसीए)" in page


def test_the_approvers_inbox_in_hindi_names_the_task_in_hindi(client: FlaskClient, application_id: int) -> None:
    sign_in(client, "cca.ias")
    choose(client, "hi", "/inbox")

    page = text(client.get("/inbox").text)

    assert APPROVE_NOMINATION_HI in page
    assert "संवर्ग नियंत्रण प्राधिकारी द्वारा अनुमोदन" in page  # the count by kind of task
    assert "1 कार्य जिस पर आप काम कर सकते हैं" in page


def test_a_form_without_its_token_gets_the_expired_form_page_in_hindi(client: FlaskClient) -> None:
    choose(client, "hi", "/sign-in")

    response = client.post("/sign-in", data={"username": "asha", "password": "whatever"})

    assert response.status_code == 400
    assert "इस प्रपत्र की समय सीमा समाप्त हो गई है" in text(response.text)


def test_the_page_not_found_page_in_hindi(client: FlaskClient) -> None:
    choose(client, "hi")

    response = client.get("/no-such-page")

    assert response.status_code == 404
    assert "<h1>पृष्ठ नहीं मिला</h1>" in response.text


def test_the_api_answers_in_english_to_a_browser_that_chose_hindi(client: FlaskClient) -> None:
    choose(client, "hi")

    response = client.get("/api/v1/no-such-endpoint")

    assert response.status_code == 404
    assert response.json is not None
    assert response.json["error"]["message"].isascii()


def test_the_course_catalogue_in_hindi_gives_the_hindi_title_and_prerequisites(client: FlaskClient) -> None:
    choose(client, "hi", "/courses")

    page = text(client.get("/courses").text)

    assert "वैश्विक निर्धनता की चुनौतियाँ (The Challenges of Global Poverty)" in page
    assert "हाई-स्कूल स्तर का कलन (कैलकुलस)" in page
    assert "High-school calculus" not in page
