"""E-mail through the outbox, against a real SMTP server on localhost (aiosmtpd)."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Notification, OutboxMail, User
from engine.services.outbox import retry_delay
from tests.engine.flow import Flow, approve_and_confirm
from tests.factories import NOW
from tests.integration.smtp import Inbox, free_port, html_of, mail_settings, start_server, text_of
from webapp.mail.sender import Sender


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    port = free_port()
    controller, inbox = start_server(port)
    yield port, inbox
    controller.stop()


@pytest.fixture
def flow(db: Database, settings: Settings) -> Flow:
    flow = Flow(db, settings)
    flow.add_coupons("CGP-2027-0001")
    return flow


def _sender(app: Flask, db: Database, port: int, at: Any = NOW) -> Sender:
    return Sender(app, db.sessions, mail_settings(port), clock=lambda: at)


def _set_language(db: Database, username: str, language: str) -> None:
    with db.sessions() as session, session.begin():
        session.scalars(select(User).where(User.username == username)).one().language = language


def _drain(sender: Sender) -> None:
    while sender.send_round():
        pass


def test_coupon_mail_arrives_with_the_code_and_a_link_to_the_application(
    app: Flask, db: Database, flow: Flow, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    officer = flow.officer(username="kavya")
    application_id = approve_and_confirm(flow, officer)
    _drain(_sender(app, db, port))
    [mail] = [m for m in inbox.to("kavya@example.gov.in") if "coupon" in m["Subject"]]
    assert mail["Subject"] == "Your coupon code for The Challenges of Global Poverty"
    assert "CGP-2027-0001" in text_of(mail) and "CGP-2027-0001" in html_of(mail)
    assert f"https://igot.example.gov.in/applications/{application_id}" in text_of(mail)
    assert mail["Content-Language"] == "en"


def test_hindi_speaking_officers_coupon_mail_is_in_hindi(
    app: Flask, db: Database, flow: Flow, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    officer = flow.officer(username="sunita")
    _set_language(db, officer, "hi")
    approve_and_confirm(flow, officer)
    _drain(_sender(app, db, port))
    [mail] = [m for m in inbox.to("sunita@example.gov.in") if "कूपन" in m["Subject"]]
    assert mail["Subject"] == "The Challenges of Global Poverty हेतु आपका कूपन कोड"
    text = text_of(mail)
    assert "CGP-2027-0001" in text and "आपका कूपन कोड CGP-2027-0001 है" in text
    assert "साइट पर खोलें" in text and "Open it on the site" not in text
    html = html_of(mail)
    assert 'lang="hi"' in html and "आपका कूपन कोड CGP-2027-0001 है" in html and "Open it on the site" not in html
    assert mail["Content-Language"] == "hi"


def test_a_task_opened_for_the_officer_links_to_the_task(
    app: Flask, db: Database, flow: Flow, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    officer = flow.officer(username="arun")
    application_id = flow.apply(officer)
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "return", "remarks": "Why now?"})
    assert flow.notifications(officer) == ["Clarification needed: The Challenges of Global Poverty"]
    _drain(_sender(app, db, port))
    [mail] = inbox.to("arun@example.gov.in")
    with db.sessions() as session:
        task_id = session.scalars(select(Notification.task_id).where(Notification.subject.like("Clarif%"))).one()
    assert f"https://igot.example.gov.in/tasks/{task_id}" in text_of(mail)
    assert "Your task: Respond to clarification" in text_of(mail)


def test_mail_waits_while_the_server_is_down_and_arrives_once_when_it_is_up(
    app: Flask, db: Database, flow: Flow
) -> None:
    port = free_port()
    officer = flow.officer(username="nisha")
    approve_and_confirm(flow, officer)
    assert _sender(app, db, port).send_round() == 0  # nothing listens on the port
    with db.sessions() as session:
        rows = session.scalars(select(OutboxMail).where(OutboxMail.status == "pending")).all()
    assert rows and all(row.attempts == 1 and row.last_error for row in rows)
    assert all(row.next_attempt_at == NOW + retry_delay(1) for row in rows)
    assert _sender(app, db, port, NOW + timedelta(seconds=10)).send_round() == 0  # not due again yet
    controller, inbox = start_server(port)
    try:
        later = NOW + retry_delay(1) + timedelta(seconds=1)
        _drain(_sender(app, db, port, later))
        _drain(_sender(app, db, port, later + timedelta(hours=2)))
    finally:
        controller.stop()
    coupon = [m for m in inbox.to("nisha@example.gov.in") if "coupon" in m["Subject"]]
    assert len(coupon) == 1
    with db.sessions() as session:
        statuses = Counter(session.scalars(select(OutboxMail.status)))
    assert statuses["pending"] == 0 and statuses["sent"] == len(inbox.messages)


def test_two_senders_at_once_deliver_each_message_once(
    app: Flask, db: Database, flow: Flow, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    for index in range(12):
        flow.apply(flow.officer(username=f"pair{index}"))
    with db.sessions() as session:
        queued = session.scalar(select(func.count(OutboxMail.id)).where(OutboxMail.status == "pending"))
    assert queued and queued >= 12
    senders = [_sender(app, db, port), _sender(app, db, port)]
    errors: list[BaseException] = []

    def work(sender: Sender) -> None:
        try:
            _drain(sender)
        except BaseException as error:  # reported below: a thread's failure must fail the test
            errors.append(error)

    threads = [threading.Thread(target=work, args=(sender,)) for sender in senders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    ids = Counter(m["Message-ID"] for m in inbox.messages)
    assert len(ids) == queued and set(ids.values()) == {1}


def test_without_an_smtp_server_mail_is_logged_and_recorded(
    app: Flask, db: Database, flow: Flow, caplog: pytest.LogCaptureFixture
) -> None:
    officer = flow.officer(username="omar")
    approve_and_confirm(flow, officer)
    settings = mail_settings(1)
    sender = Sender(app, db.sessions, settings.__class__(**{**settings.__dict__, "smtp_host": None}), lambda: NOW)
    with caplog.at_level("INFO", logger="webapp.mail.sender"):
        _drain(sender)
    assert "CGP-2027-0001" in caplog.text
    with db.sessions() as session:
        assert set(session.scalars(select(OutboxMail.status))) == {"logged"}


def _deactivate(db: Database, username: str) -> None:
    with db.sessions() as session, session.begin():
        session.scalars(select(User).where(User.username == username)).one().active = False


def test_a_deactivated_account_gets_no_notification_and_its_waiting_mail_is_not_sent(
    app: Flask, db: Database, flow: Flow, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    _deactivate(db, flow.cca_approver)
    officer = flow.officer(username="meera")
    application_id = flow.apply(officer)
    assert flow.notifications(flow.cca_approver) == []
    flow.complete(flow.cca_approver, application_id, "cca_approval", {"decision": "return", "remarks": "Why now?"})
    assert flow.notifications(officer)
    _deactivate(db, officer)
    _drain(_sender(app, db, port))
    assert inbox.to("meera@example.gov.in") == []
    with db.sessions() as session:
        statuses = session.scalars(
            select(OutboxMail.status).join(User, User.id == OutboxMail.recipient_id).where(User.username == officer)
        ).all()
    assert statuses and set(statuses) == {"inactive"}
