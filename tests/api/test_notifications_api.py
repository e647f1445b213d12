"""The notifications API: paged with `read`, marking read (one and all), the mail delivery choice."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select

from engine.bootstrap import Database
from engine.models import OutboxMail, User
from tests.api.conftest import Api, open_run, register


def _messages_for_approver(client: FlaskClient, staff: dict[str, Api], count: int) -> None:
    run = open_run(staff["dopt"])
    for _ in range(count):
        officer = register(client)
        assert officer.post("/applications", {"course_run_id": run["id"], "declaration": True}).status_code == 201


def test_notifications_are_paged_with_read_and_an_unread_count(client: FlaskClient, staff: dict[str, Api]) -> None:
    _messages_for_approver(client, staff, 3)
    cca = staff["cca"]
    first = cca.get("/notifications?per_page=2")
    assert first.status_code == 200
    assert first.headers["X-Total-Count"] == "3" and first.headers["X-Unread-Count"] == "3"
    assert 'rel="next"' in first.headers["Link"]
    assert [note["read"] for note in first.json] == [False, False]
    assert first.json[0]["subject"].startswith("Approval needed: ")
    second = cca.get("/notifications?page=2&per_page=2")
    assert len(second.json) == 1 and 'rel="prev"' in second.headers["Link"]
    assert cca.get("/notifications?per_page=501").status_code == 422


def test_marking_one_read_and_then_all(client: FlaskClient, staff: dict[str, Api]) -> None:
    _messages_for_approver(client, staff, 3)
    cca = staff["cca"]
    note = cca.get("/notifications").json[1]
    marked = cca.post(f"/notifications/{note['id']}/read")
    assert marked.status_code == 200 and marked.json["read"] is True and marked.json["read_at"]
    assert cca.get("/notifications").headers["X-Unread-Count"] == "2"
    assert staff["dopt"].post(f"/notifications/{note['id']}/read").status_code == 404
    assert cca.post("/notifications/read-all").json == {"marked": 2, "unread": 0}
    assert all(n["read"] for n in cca.get("/notifications").json)


def test_mail_delivery_is_immediate_or_daily(staff: dict[str, Api]) -> None:
    cca = staff["cca"]
    assert cca.get("/me").json["mail_delivery"] == "immediate"
    assert cca.patch("/me/notifications", {"delivery": "daily"}).json == {"delivery": "daily"}
    assert cca.get("/me").json["mail_delivery"] == "daily"
    refused = cca.patch("/me/notifications", {"delivery": "weekly"})
    assert refused.status_code == 422 and "delivery" in refused.json["error"]["fields"]


def test_mail_waiting_for_a_digest_is_sent_after_a_switch_back_to_immediate(
    client: FlaskClient, staff: dict[str, Api], db: Database
) -> None:
    cca = staff["cca"]
    cca.patch("/me/notifications", {"delivery": "daily"})
    _messages_for_approver(client, staff, 2)
    assert _statuses(db, "cca") == ["in_digest", "in_digest"]
    cca.patch("/me/notifications", {"delivery": "immediate"})
    assert _statuses(db, "cca") == ["pending", "pending"]


def _statuses(db: Database, username: str) -> list[str]:
    with db.sessions() as session:
        user_id = session.scalars(select(User.id).where(User.username == username)).one()
        return list(session.scalars(select(OutboxMail.status).where(OutboxMail.recipient_id == user_id)))
