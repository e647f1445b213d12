"""The notifications page: the unread count in the menu, marking read, the reader's language."""

from __future__ import annotations

import re

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import User
from tests.engine.flow import Flow, approve_and_confirm
from tests.integration.ui import csrf_token, sign_in


def _unread_in_menu(client: FlaskClient) -> int | None:
    match = re.search(r'class="badge badge--count">(\d+)<', client.get("/courses").text)
    return int(match.group(1)) if match else None


def test_unread_count_in_the_menu_falls_as_messages_are_marked_read(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    flow = Flow(db, settings)
    flow.add_coupons("CGP-2027-0009")
    officer = flow.officer(username="ravi")
    approve_and_confirm(flow, officer)
    sign_in(client, "ravi")
    assert _unread_in_menu(client) == 2  # approved, then the coupon
    page = client.get("/notifications").text
    first = re.search(r'action="/notifications/(\d+)/read"', page)
    assert first
    token = csrf_token(client, "/notifications")
    assert client.post(f"/notifications/{first.group(1)}/read", data={"csrf_token": token}).status_code == 302
    assert _unread_in_menu(client) == 1
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    assert _unread_in_menu(client) is None
    assert client.post("/notifications/read-all", data={}).status_code == 400  # no CSRF token


def test_hindi_speaking_officer_reads_the_coupon_message_in_hindi(
    client: FlaskClient, db: Database, settings: Settings
) -> None:
    flow = Flow(db, settings)
    flow.add_coupons("CGP-2027-0010")
    officer = flow.officer(username="meena")
    with db.sessions() as session, session.begin():
        session.scalars(select(User).where(User.username == "meena")).one().language = "hi"
    approve_and_confirm(flow, officer)
    sign_in(client, "meena")
    page = client.get("/notifications").text
    assert "The Challenges of Global Poverty हेतु आपका कूपन कोड" in page
    assert "आपका कूपन कोड CGP-2027-0010 है" in page
    assert "Your coupon code" not in page


def test_choosing_a_daily_summary_on_the_page(client: FlaskClient, db: Database, settings: Settings) -> None:
    flow = Flow(db, settings)
    sign_in(client, flow.cca_approver)
    token = csrf_token(client, "/notifications")
    response = client.post("/notifications/delivery", data={"csrf_token": token, "delivery": "daily"})
    assert response.status_code == 302
    with db.sessions() as session:
        user = session.scalars(select(User).where(User.username == flow.cca_approver)).one()
        assert user.mail_delivery == "daily"
    client.post("/notifications/delivery", data={"csrf_token": token, "delivery": "weekly"})
    with db.sessions() as session:
        assert session.scalars(select(User.mail_delivery).where(User.username == flow.cca_approver)).one() == "daily"
