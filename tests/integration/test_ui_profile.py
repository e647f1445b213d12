"""My account: an officer's contact and service details, and the password (Flask test client)."""

from __future__ import annotations

import re

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import AuditEntry, Officer, User
from engine.services.applications import submit_application
from tests.factories import NOW, make_officer, make_run, make_staff
from tests.integration.ui import PASSWORD, csrf_token, field_error, post_form, sign_in

CONTACT = {
    "email": "asha.rao@karnataka.gov.in",
    "mobile": "+919900011122",
    "designation": "Deputy Commissioner",
    "edx_username": "asha_rao_2027",
}
SERVICE = {
    "full_name": "Asha Rao",
    "service": "SCS",
    "cca": "KA-DPAR",
    "date_of_joining": "01-06-2014",
    "date_of_birth": "12-03-1984",
}


@pytest.fixture
def officer(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_officer(session, username="asha", full_name="Asha Rao", service="SCS", cca="KA-DPAR").username


def profile_of(db: Database, username: str) -> Officer:
    with db.sessions() as session:
        user = session.scalars(select(User).where(User.username == username)).one()
        assert user.officer is not None
        return user.officer


def test_the_menu_links_every_signed_in_person_to_their_account(client: FlaskClient, officer: str) -> None:
    sign_in(client, officer)
    assert 'href="/profile"' in client.get("/applications").text


def test_officer_changes_contact_details_and_sees_the_change_recorded(
    client: FlaskClient, db: Database, officer: str
) -> None:
    sign_in(client, officer)
    response = post_form(client, "/profile/contact", CONTACT, form_page="/profile")

    assert response.status_code == 302
    saved = profile_of(db, officer)
    assert (saved.email, saved.mobile, saved.designation, saved.edx_username) == tuple(CONTACT.values())
    page = re.sub(r"\s+", " ", client.get("/profile").text)
    assert "You changed:" in page and "Designation from Under Secretary to Deputy Commissioner" in page


def test_contact_details_are_checked_as_registration_checks_them(
    client: FlaskClient, db: Database, officer: str
) -> None:
    sign_in(client, officer)
    response = post_form(client, "/profile/contact", CONTACT | {"mobile": "12-34"}, form_page="/profile")

    assert response.status_code == 422
    assert field_error(response.text, "mobile") == "Enter 10 to 15 digits, optionally starting with +"
    assert profile_of(db, officer).mobile == "+919812345678"


def test_an_email_another_officer_has_is_refused(client: FlaskClient, db: Database, officer: str) -> None:
    with db.sessions() as session, session.begin():
        make_officer(session, username="other", email="taken@example.gov.in")
    sign_in(client, officer)
    response = post_form(client, "/profile/contact", CONTACT | {"email": "TAKEN@example.gov.in"}, form_page="/profile")

    assert response.status_code == 409
    assert "Another officer has registered this e-mail address" in response.text


def test_service_details_change_while_nothing_is_under_way_and_are_audited(
    client: FlaskClient, db: Database, officer: str
) -> None:
    sign_in(client, officer)
    form = client.get("/profile/service").text
    assert 'value="01-08-2015"' in form  # dates shown as DD-MM-YYYY

    response = post_form(client, "/profile/service", SERVICE)

    assert response.status_code == 302
    saved = profile_of(db, officer)
    assert (saved.date_of_joining.isoformat(), saved.date_of_birth.isoformat()) == ("2014-06-01", "1984-03-12")
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "service_details_changed")).one()
    assert (entry.actor, entry.subject) == ("asha", "asha")
    assert entry.detail["before"]["date_of_joining"] == "2015-08-01"
    assert entry.detail["after"]["date_of_joining"] == "2014-06-01"


def test_service_details_cannot_change_while_an_application_is_under_way(
    client: FlaskClient, db: Database, officer: str
) -> None:
    with db.sessions() as session, session.begin():
        run = make_run(session)
        user = session.scalars(select(User).where(User.username == officer)).one()
        submit_application(session, user, run.id, True, NOW)
    sign_in(client, officer)
    assert "An application of yours is under way" in client.get("/profile").text

    response = post_form(client, "/profile/service", SERVICE)

    assert response.status_code == 409
    assert profile_of(db, officer).date_of_joining.isoformat() == "2015-08-01"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("2014-06-01", "Enter the date as DD-MM-YYYY, for example 05-03-1984."),
        ("1/6/2014", "Enter the date as DD-MM-YYYY, for example 05-03-1984."),
        ("31-02-2014", "There is no such date: check the day and the month."),
    ],
)
def test_a_date_is_read_as_dd_mm_yyyy_strictly_with_a_clear_message(
    client: FlaskClient, officer: str, typed: str, message: str
) -> None:
    sign_in(client, officer)
    response = post_form(client, "/profile/service", SERVICE | {"date_of_joining": typed})

    assert response.status_code == 422
    assert field_error(response.text, "date_of_joining") == message
    assert f'value="{typed}"' in response.text


def test_password_change_needs_the_current_password(client: FlaskClient, officer: str) -> None:
    sign_in(client, officer)
    new = {"new_password": "a-new-password", "new_password_again": "a-new-password"}
    response = post_form(client, "/profile/password", {"current_password": "not-it"} | new)

    assert response.status_code == 422
    assert field_error(response.text, "current_password") == "This is not your current password"


def test_password_change_follows_the_rule_and_the_new_one_signs_in(client: FlaskClient, officer: str) -> None:
    sign_in(client, officer)
    short = post_form(
        client,
        "/profile/password",
        {"current_password": PASSWORD, "new_password": "short", "new_password_again": "short"},
    )
    assert field_error(short.text, "new_password") == "Use at least 8 characters."

    changed = post_form(
        client,
        "/profile/password",
        {"current_password": PASSWORD, "new_password": "a-new-password", "new_password_again": "a-new-password"},
    )
    assert changed.status_code == 302
    assert client.get("/profile").status_code == 200  # still signed in, on a new session

    other = client.application.test_client()
    data = {"csrf_token": csrf_token(other), "username": officer, "password": PASSWORD}
    assert other.post("/sign-in", data=data).status_code == 401
    assert other.post("/sign-in", data=data | {"password": "a-new-password"}).status_code == 302


def test_staff_change_their_password_on_the_same_page(client: FlaskClient, db: Database) -> None:
    with db.sessions() as session, session.begin():
        dopt = make_staff(session, "dopt").username
    sign_in(client, dopt)
    page = client.get("/profile").text
    assert "Change your password" in page and "Contact details" not in page


def test_an_edx_username_another_officer_has_is_refused_in_any_case(
    client: FlaskClient, db: Database, officer: str
) -> None:
    with db.sessions() as session, session.begin():
        make_officer(session, username="ravi", edx_username="Ravi_Edx")
    sign_in(client, officer)
    response = post_form(client, "/profile/contact", CONTACT | {"edx_username": "ravi_EDX"}, form_page="/profile")

    assert response.status_code == 422
    assert field_error(response.text, "edx_username") == "This edX username is already used by another officer"
    assert profile_of(db, officer).edx_username == "asha_edx"


def test_a_mobile_number_typed_with_spaces_and_hyphens_is_kept_as_digits(
    client: FlaskClient, db: Database, officer: str
) -> None:
    sign_in(client, officer)
    response = post_form(client, "/profile/contact", CONTACT | {"mobile": "+91 98765-43210"}, form_page="/profile")

    assert response.status_code == 302
    assert profile_of(db, officer).mobile == "+919876543210"
