"""The approvers' daily digest: one mail a day per person who chose it, whatever workers run."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import OutboxMail, User
from engine.services.digest import INDIA, digest_day, queue_digests
from tests.engine.flow import Flow
from tests.factories import NOW
from tests.integration.smtp import Inbox, free_port, mail_settings, start_server, text_of
from webapp.mail.sender import Sender

NINE_IN_INDIA = datetime(2027, 1, 18, 9, 0, tzinfo=INDIA)


@pytest.fixture
def smtp() -> Iterator[tuple[int, Inbox]]:
    port = free_port()
    controller, inbox = start_server(port)
    yield port, inbox
    controller.stop()


def _daily(db: Database, username: str) -> None:
    with db.sessions() as session, session.begin():
        session.scalars(select(User).where(User.username == username)).one().mail_delivery = "daily"


def test_digest_day_starts_at_the_configured_hour_in_india() -> None:
    assert digest_day(NINE_IN_INDIA - timedelta(minutes=1), 9) is None
    assert digest_day(NINE_IN_INDIA, 9) == "2027-01-18"


def test_an_approver_on_daily_delivery_gets_one_summary_instead_of_a_mail_per_task(
    app: Flask, db: Database, settings: Settings, smtp: tuple[int, Inbox]
) -> None:
    port, inbox = smtp
    flow = Flow(db, settings)
    _daily(db, flow.cca_approver)
    for index in range(3):
        flow.apply(flow.officer(username=f"digest{index}"), NOW + timedelta(days=index))
    sender = Sender(app, db.sessions, mail_settings(port), clock=lambda: NINE_IN_INDIA)
    while sender.send_round():
        pass
    address = f"{flow.cca_approver}@staff.example.gov.in"
    assert inbox.to(address) == []  # the three requests wait for the digest
    assert queue_digests(db.sessions, NINE_IN_INDIA - timedelta(minutes=1), 9) == 0
    assert queue_digests(db.sessions, NINE_IN_INDIA, 9) == 1
    assert queue_digests(db.sessions, NINE_IN_INDIA + timedelta(hours=3), 9) == 0  # once a day
    while sender.send_round():
        pass
    [digest] = inbox.to(address)
    text = text_of(digest)
    assert digest["Subject"] == "Your daily summary from iGOT MicroMasters"
    assert "3 tasks wait for you." in text and "1 is overdue." in text  # the first waited 7+ days
    assert "Approve nomination: 3" in text
    assert "10-01-2027" in text  # the oldest, DD-MM-YYYY
    assert text.count("Approval needed: Officer digest") == 3
    assert f"{mail_settings(port).base_url}/inbox" in text


def test_two_workers_write_one_digest_per_person_and_day(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings)
    _daily(db, flow.cca_approver)
    _daily(db, flow.dopt)
    flow.apply(flow.officer())
    written: list[int] = []
    threads = [
        threading.Thread(target=lambda: written.append(queue_digests(db.sessions, NINE_IN_INDIA, 9))) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    with db.sessions() as session:
        keys = list(session.scalars(select(OutboxMail.dedupe_key).where(OutboxMail.kind == "digest")))
    assert sum(written) == len(keys) == 1  # DoPT has nothing waiting; the approver one digest
    assert keys[0].endswith(":2027-01-18")
