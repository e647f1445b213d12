"""The administrator's pages: users, CCAs and the audit of every change (Flask test client)."""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import CCA, AuditEntry, User
from tests.factories import make_officer, make_staff
from tests.integration.ui import PASSWORD, csrf_token, field_error, post_form, sign_in


@pytest.fixture
def admin(db: Database) -> str:
    with db.sessions() as session, session.begin():
        return make_staff(session, "admin", username="root").username


def user_row(db: Database, username: str) -> User:
    with db.sessions() as session:
        return session.scalars(select(User).where(User.username == username)).one()


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.mark.parametrize("path", ["/admin", "/admin/users", "/admin/users/new", "/admin/ccas", "/admin/audit"])
def test_only_administrators_open_the_administration_pages(
    client: FlaskClient, db: Database, admin: str, path: str
) -> None:
    with db.sessions() as session, session.begin():
        dopt = make_staff(session, "dopt").username
    assert client.get(path).status_code == 302  # to the sign-in page

    sign_in(client, dopt)
    refused = client.get(path)
    assert refused.status_code == 403
    assert "This page is not open to your account." in refused.text

    sign_in(client, admin)
    assert client.get(path).status_code == 200


def test_the_menu_shows_administration_to_administrators_only(client: FlaskClient, db: Database, admin: str) -> None:
    with db.sessions() as session, session.begin():
        officer = make_officer(session).username
    sign_in(client, officer)
    assert 'href="/admin"' not in client.get("/courses").text
    sign_in(client, admin)
    assert 'href="/admin"' in client.get("/courses").text


def test_users_are_found_by_part_of_a_name_and_paged(client: FlaskClient, db: Database, admin: str) -> None:
    with db.sessions() as session, session.begin():
        make_officer(session, username="meera", full_name="Meera Iyer")
        for number in range(30):
            make_staff(session, "course_team", username=f"team{number:02d}")
    sign_in(client, admin)

    found = client.get("/admin/users?q=iyer").text
    assert "meera" in found and "team00" not in found
    first = client.get("/admin/users?role=course_team").text
    assert "30 users." in text_of(first)
    assert 'rel="next"' in first and "team24" in first and "team25" not in first
    second = client.get("/admin/users?role=course_team&page=2").text
    assert "team25" in second and "team29" in second


def test_admin_adds_a_cca_approver_with_roles_and_authority(client: FlaskClient, db: Database, admin: str) -> None:
    sign_in(client, admin)
    response = post_form(
        client,
        "/admin/users/new",
        {"username": "cca.kerala", "password": "first-password", "roles": ["cca_approver"], "cca": "KA-DPAR"},
    )

    assert response.status_code == 302
    created = user_row(db, "cca.kerala")
    assert (created.roles, created.cca_code, created.active) == (["cca_approver"], "KA-DPAR", True)


def test_an_approver_without_an_authority_is_refused_beside_the_field(
    client: FlaskClient, db: Database, admin: str
) -> None:
    sign_in(client, admin)
    response = post_form(
        client, "/admin/users/new", {"username": "cca.x", "password": "first-password", "roles": ["cca_approver"]}
    )

    assert response.status_code == 422
    assert field_error(response.text, "cca") == "A CCA approver must be bound to a CCA"
    assert 'value="cca.x"' in response.text


def test_admin_changes_roles_and_the_audit_shows_before_and_after(
    client: FlaskClient, db: Database, admin: str
) -> None:
    with db.sessions() as session, session.begin():
        make_staff(session, "dopt", username="desk1")
    sign_in(client, admin)
    response = post_form(
        client, "/admin/users/desk1/roles", {"roles": ["dopt", "finance"], "cca": ""}, form_page="/admin/users/desk1"
    )
    assert response.status_code == 302
    assert user_row(db, "desk1").roles == ["dopt", "finance"]

    audit = text_of(client.get("/admin/audit").text)
    assert "root changed the user desk1" in audit
    assert "Roles DoPT Training Division" in audit  # before
    assert "Roles DoPT Training Division, Finance" in audit  # after


def test_admin_cannot_remove_their_own_admin_role_and_is_told_why(
    client: FlaskClient, db: Database, admin: str
) -> None:
    sign_in(client, admin)
    page = client.get("/admin/users/root").text
    assert "You cannot remove your own administrator role" in page

    response = post_form(
        client, "/admin/users/root/roles", {"roles": ["dopt"], "cca": ""}, form_page="/admin/users/root"
    )

    assert response.status_code == 422
    assert "another administrator must do it" in field_error(response.text, "roles")
    assert user_row(db, "root").roles == ["admin"]


def test_admin_cannot_deactivate_themselves(client: FlaskClient, db: Database, admin: str) -> None:
    sign_in(client, admin)
    assert "Deactivate root" not in client.get("/admin/users/root").text
    confirm = client.get("/admin/users/root/deactivate")
    assert "You cannot deactivate your own account" in confirm.text

    post_form(client, "/admin/users/root/deactivate", {}, form_page="/admin/users/root/deactivate")

    assert user_row(db, "root").active is True


def test_deactivation_asks_first_and_then_ends_the_users_session(db: Database, admin: str, app: Flask) -> None:
    with db.sessions() as session, session.begin():
        make_staff(session, "finance", username="payer")
    payer, root = app.test_client(), app.test_client()
    sign_in(payer, "payer")
    assert payer.get("/inbox").status_code == 200
    sign_in(root, admin)

    confirm = root.get("/admin/users/payer/deactivate")
    assert "Yes, deactivate payer" in confirm.text
    assert user_row(db, "payer").active is True  # asking changes nothing
    response = root.post("/admin/users/payer/deactivate", data={"csrf_token": csrf_token(root, "/admin/users/payer")})

    assert response.status_code == 302
    assert user_row(db, "payer").active is False
    assert payer.get("/inbox").status_code == 302  # signed out: to the sign-in page
    again = payer.post("/sign-in", data={"csrf_token": csrf_token(payer), "username": "payer", "password": PASSWORD})
    assert again.status_code == 401
    assert "This account has been deactivated" in again.text


def test_wrong_passwords_are_shown_and_the_slowdown_cleared(client: FlaskClient, db: Database, admin: str) -> None:
    with db.sessions() as session, session.begin():
        make_staff(session, "dopt", username="desk2")
    for _attempt in range(6):
        client.post("/sign-in", data={"csrf_token": csrf_token(client), "username": "desk2", "password": "wrong-one"})
    data = {"csrf_token": csrf_token(client), "username": "desk2", "password": PASSWORD}
    assert client.post("/sign-in", data=data).status_code == 429
    sign_in(client, admin)
    assert "Wrong passwords: 5" in client.get("/admin/users/desk2").text

    post_form(client, "/admin/users/desk2/unlock", {}, form_page="/admin/users/desk2")

    assert user_row(db, "desk2").failed_logins == 0
    sign_in(client, "desk2")


def test_admin_sets_a_new_password_that_follows_the_rule(client: FlaskClient, db: Database, admin: str) -> None:
    with db.sessions() as session, session.begin():
        make_staff(session, "dopt", username="desk3")
    sign_in(client, admin)
    short = post_form(client, "/admin/users/desk3/password", {"password": "short"}, form_page="/admin/users/desk3")
    assert short.status_code == 422
    assert field_error(short.text, "password") == "Use at least 8 characters."

    post_form(client, "/admin/users/desk3/password", {"password": "brand-new-pass"}, form_page="/admin/users/desk3")

    outsider = client.application.test_client()
    data = {"csrf_token": csrf_token(outsider), "username": "desk3", "password": "brand-new-pass"}
    assert outsider.post("/sign-in", data=data).status_code == 302
    with db.sessions() as session:
        entry = session.scalars(select(AuditEntry).where(AuditEntry.action == "password_set")).one()
        assert "brand-new-pass" not in str(entry.detail)


def test_a_cca_code_in_use_cannot_change_but_its_name_can(client: FlaskClient, db: Database, admin: str) -> None:
    with db.sessions() as session, session.begin():
        make_officer(session, cca="MH-GAD")
    sign_in(client, admin)
    page = client.get("/admin/ccas/MH-GAD").text
    assert "The code cannot change" in page

    renamed = {"code": "MH-GAD2", "name": "Maharashtra GAD", "approval_required": "y"}
    refused = post_form(client, "/admin/ccas/MH-GAD", renamed)
    assert refused.status_code == 422
    assert "cannot change" in field_error(refused.text, "code")

    post_form(client, "/admin/ccas/MH-GAD", dict(renamed, code="MH-GAD"))
    with db.sessions() as session:
        cca = session.get_one(CCA, "MH-GAD")
        assert (cca.name, cca.approval_required) == ("Maharashtra GAD", True)
    assert "Maharashtra GAD" in client.get("/admin/ccas").text


def test_a_new_cca_and_an_unused_code_change(client: FlaskClient, db: Database, admin: str) -> None:
    sign_in(client, admin)
    added = post_form(client, "/admin/ccas/new", {"code": "TN-PAR", "name": "Tamil Nadu P&AR"})
    assert added.status_code == 302

    post_form(client, "/admin/ccas/TN-PAR", {"code": "TN-PARD", "name": "Tamil Nadu P&AR"})

    with db.sessions() as session:
        assert session.get(CCA, "TN-PAR") is None
        assert session.get_one(CCA, "TN-PARD").approval_required is False
    audit = text_of(client.get("/admin/audit").text)
    assert "root added the authority" in audit and "Code TN-PAR" in audit and "Code TN-PARD" in audit


def test_a_cca_is_refused_for_a_user_who_is_not_a_cca_approver(client: FlaskClient, db: Database, admin: str) -> None:
    with db.sessions() as session, session.begin():
        make_staff(session, "finance", username="cashier")
    sign_in(client, admin)
    response = post_form(
        client, "/admin/users/cashier/roles", {"roles": ["finance"], "cca": "KA-DPAR"}, form_page="/admin/users/cashier"
    )

    assert response.status_code == 422
    assert "Only a CCA approver is bound to a CCA" in field_error(response.text, "cca")
    assert user_row(db, "cashier").cca_code is None
