"""Forgot password: a link by mail that works once for 30 minutes; the answer never tells whether
the address exists."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.errors import Invalid, Unauthorized
from engine.models import OutboxMail, PasswordReset
from engine.services.auth import authenticate
from engine.services.password_reset import MAX_PER_HOUR, request_reset, reset_password
from tests.factories import NOW, make_officer, make_staff
from tests.integration.smtp import Inbox, free_port, mail_settings, start_server, text_of
from tests.integration.ui import csrf_token
from webapp.mail.sender import Sender


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    port = free_port()
    controller, inbox = start_server(port)
    yield port, inbox
    controller.stop()


@pytest.fixture
def people(db: Database) -> None:
    with db.sessions() as session, session.begin():
        make_officer(session, username="leela", email="Leela.Menon@example.gov.in")
        make_staff(session, "dopt", username="desk")


def _ask(client: FlaskClient, address: str) -> tuple[int, str]:
    token = csrf_token(client, "/password/forgot")
    response = client.post("/password/forgot", data={"csrf_token": token, "email": address})
    answer = re.search(r'<p role="status">(.*?)</p>', response.text, re.S)
    assert answer, response.text
    return response.status_code, answer.group(1)


def _rows(db: Database) -> tuple[int, int]:
    with db.sessions() as session:
        resets = session.scalar(select(func.count(PasswordReset.id)))
        mails = session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.kind == "password_reset"))
        return int(resets or 0), int(mails or 0)


def _link(app: Flask, db: Database, port: int, inbox: Inbox, address: str) -> str:
    sender = Sender(app, db.sessions, mail_settings(port), clock=lambda: NOW)
    while sender.send_round():
        pass
    [mail] = inbox.to(address)
    match = re.search(r"https://igot\.example\.gov\.in(/password/reset/\S+)", text_of(mail))
    assert match, text_of(mail)
    return match.group(1)


def test_the_answer_and_the_work_are_the_same_for_a_known_and_an_unknown_address(
    client: FlaskClient, db: Database, people: None
) -> None:
    known = _ask(client, "leela.menon@example.gov.in")
    assert _rows(db) == (1, 1)
    unknown = _ask(client, "nobody@example.gov.in")
    assert _rows(db) == (2, 2)
    assert known == unknown
    assert known[0] == 200 and "a link to choose a new password is on its way" in known[1]


def test_the_link_arrives_by_mail_works_once_and_sets_a_password_by_the_registration_rule(
    app: Flask, client: FlaskClient, db: Database, people: None, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    _ask(client, "LEELA.MENON@example.gov.in")
    _ask(client, "nobody@example.gov.in")
    path = _link(app, db, port, inbox, "Leela.Menon@example.gov.in")
    assert len(inbox.messages) == 1  # nobody has the other address: its mail is dropped
    assert client.get(path).status_code == 200
    token = csrf_token(client, path)
    short = client.post(path, data={"csrf_token": token, "password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Use at least 8 characters" in short.text
    done = client.post(path, data={"csrf_token": token, "password": "a-new-secret", "confirm": "a-new-secret"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/sign-in")
    with db.sessions() as session, session.begin():
        assert authenticate(session, "leela", "a-new-secret", NOW).username == "leela"
        with pytest.raises(Unauthorized):
            authenticate(session, "leela", "secret-password", NOW)
    again = client.post(path, data={"csrf_token": token, "password": "another-one", "confirm": "another-one"})
    assert again.status_code == 404 and "has expired or has already been used" in again.text
    with db.sessions() as session:
        assert {row.status: "token" in row.payload for row in session.scalars(select(OutboxMail))} == {
            "sent": False,
            "dropped": False,
        }


def test_the_link_expires_after_30_minutes(
    app: Flask, client: FlaskClient, db: Database, people: None, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    _ask(client, "leela.menon@example.gov.in")
    path = _link(app, db, port, inbox, "Leela.Menon@example.gov.in")
    app.config["IGOT_NOW"] = NOW + timedelta(minutes=29)
    assert client.get(path).status_code == 200
    app.config["IGOT_NOW"] = NOW + timedelta(minutes=30)
    assert client.get(path).status_code == 404
    with db.sessions() as session, session.begin(), pytest.raises(Invalid):
        reset_password(session, path.rsplit("/", 1)[1], "a-new-secret", NOW + timedelta(minutes=31))


def test_links_are_limited_per_address_and_hour_and_need_an_address(db: Database, people: None) -> None:
    with db.sessions() as session, session.begin():
        for minute in range(MAX_PER_HOUR + 1):
            request_reset(session, "desk@staff.example.gov.in", NOW + timedelta(minutes=minute))
        request_reset(session, "desk@staff.example.gov.in", NOW + timedelta(minutes=61))
    assert _rows(db) == (MAX_PER_HOUR + 1, MAX_PER_HOUR + 1)
    with db.sessions() as session, session.begin(), pytest.raises(Invalid) as refused:
        request_reset(session, "not an address", NOW)
    assert "email" in refused.value.fields
