"""A person's notifications: listing them, the unread count, marking them read, and how they
reach the person by mail (one each, or a daily digest)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import Invalid, NotFound
from engine.models import Notification, OutboxMail, User
from engine.notifications import IMMEDIATE, MAIL_DELIVERIES


def list_notifications(session: Session, user: User, limit: int = 50, offset: int = 0) -> list[Notification]:
    """The user's notifications, newest first, `limit` from `offset`."""
    query = (
        select(Notification)
        .where(Notification.recipient_id == user.id)
        .order_by(Notification.at.desc(), Notification.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(session.scalars(query))


def notifications_about(session: Session, user: User, application_id: int) -> list[Notification]:
    """The user's notifications about one application, newest first."""
    query = (
        select(Notification)
        .where(Notification.recipient_id == user.id, Notification.application_id == application_id)
        .order_by(Notification.at.desc(), Notification.id.desc())
    )
    return list(session.scalars(query))


def count_notifications(session: Session, user: User) -> int:
    """How many notifications the user has (for paging)."""
    return int(session.scalar(select(func.count(Notification.id)).where(Notification.recipient_id == user.id)) or 0)


def unread_count(session: Session, user_id: int) -> int:
    """How many of the user's notifications are unread: one indexed count (recipient, read_at)."""
    query = select(func.count(Notification.id)).where(
        Notification.recipient_id == user_id, Notification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


def mark_read(session: Session, user: User, notification_id: int, now: datetime) -> Notification:
    """Mark one of the user's notifications read at `now` (kept if it was already read).
    Raises NotFound when it is not the user's."""
    notification = session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        raise NotFound(f"notification {notification_id} not found")
    if notification.read_at is None:
        notification.read_at = now
    session.flush()
    return notification


def mark_all_read(session: Session, user: User, now: datetime) -> int:
    """Mark every unread notification of the user read at `now`; return how many were unread."""
    result = session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def set_mail_delivery(session: Session, user: User, delivery: object) -> None:
    """Choose how notifications reach the user by mail: "immediate" (one mail each) or "daily"
    (one digest a day). Mail waiting for a digest is sent one by one after a switch to
    immediate, so none is lost. Raises Invalid naming `delivery` for anything else."""
    if delivery not in MAIL_DELIVERIES:
        raise Invalid("Choose how mail reaches you", {"delivery": "Choose one of: " + ", ".join(MAIL_DELIVERIES)})
    user.mail_delivery = str(delivery)
    if delivery == IMMEDIATE:
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.recipient_id == user.id, OutboxMail.status == "in_digest")
            .values(status="pending")
            .execution_options(synchronize_session=False)
        )
    session.flush()
