"""The mail outbox: claiming mail to send, and recording how each try went.

Several senders may run at once (`igot mail --loop` on several machines). A sender claims
a few due rows in one short transaction (on PostgreSQL `FOR UPDATE SKIP LOCKED`; SQLite
serialises writers), marking them with its name and a lease; it sends them, then records
each outcome only while it still holds the claim. A row whose lease has run out is due
again, so a sender that dies loses nothing. Delivery is at least once: a sender that dies
after the SMTP server accepted a message and before it recorded "sent" leaves the row to
be sent again when the lease ends; the message keeps its Message-ID, so the recipient's
mail system can recognise the repeat.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from engine.models import OutboxMail

LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)
BATCH = 10


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 30 s, doubling, at most 1 hour."""
    delay: timedelta = FIRST_RETRY * (2 ** min(max(attempts - 1, 0), 20))
    return min(delay, LONGEST_RETRY)


def _due(now: datetime) -> Any:
    return (
        (OutboxMail.status == "pending")
        & (OutboxMail.next_attempt_at <= now)
        & or_(OutboxMail.claimed_until.is_(None), OutboxMail.claimed_until < now)
    )


def claim_mail(make_session: sessionmaker[Any], sender: str, now: datetime, limit: int = BATCH) -> list[int]:
    """Claim up to `limit` due rows for `sender` (a name unique to this sender) until now + LEASE;
    return their ids, oldest first. Commits its own short transaction."""
    with make_session() as session, session.begin():
        rows = session.scalars(
            select(OutboxMail).where(_due(now)).order_by(OutboxMail.id).limit(limit).with_for_update(skip_locked=True)
        ).all()
        for row in rows:
            row.claimed_by, row.claimed_until = sender, now + LEASE
        return [row.id for row in rows]


def record_outcome(
    make_session: sessionmaker[Any],
    mail_id: int,
    sender: str,
    status: str,
    now: datetime,
    error: str | None = None,
) -> bool:
    """Record a final outcome (sent, logged, no_address, dropped, failed) of a claimed row; a
    reset link's token is erased from the row. Returns False when `sender` no longer held it."""
    with make_session() as session, session.begin():
        row = _held(session, mail_id, sender)
        if row is None:
            return False
        row.status, row.claimed_by, row.claimed_until, row.last_error = status, None, None, error
        row.attempts += 1
        if status in ("sent", "logged"):
            row.sent_at = now
        if "token" in row.payload:
            row.payload = {key: value for key, value in row.payload.items() if key != "token"}
        return True


def record_retry(make_session: sessionmaker[Any], mail_id: int, sender: str, error: str, now: datetime) -> bool:
    """Record a failed try of a claimed row: it is due again after `retry_delay`. Returns False
    when `sender` no longer held it."""
    with make_session() as session, session.begin():
        row = _held(session, mail_id, sender)
        if row is None:
            return False
        row.attempts += 1
        row.claimed_by, row.claimed_until, row.last_error = None, None, error[:2000]
        row.next_attempt_at = now + retry_delay(row.attempts)
        return True


def _held(session: Session, mail_id: int, sender: str) -> OutboxMail | None:
    return session.scalars(
        select(OutboxMail).where(OutboxMail.id == mail_id, OutboxMail.claimed_by == sender).with_for_update()
    ).one_or_none()


def next_mail_at(session: Session) -> datetime | None:
    """When the next pending row falls due (None when there is none)."""
    moment: datetime | None = session.scalar(
        select(func.min(OutboxMail.next_attempt_at)).where(OutboxMail.status == "pending")
    )
    return moment


def release_all(make_session: sessionmaker[Any], sender: str) -> None:
    """Give back every row `sender` still holds (it is stopping), so others need not wait for the lease."""
    with make_session() as session, session.begin():
        session.execute(
            update(OutboxMail)
            .where(OutboxMail.claimed_by == sender, OutboxMail.status == "pending")
            .values(claimed_by=None, claimed_until=None)
        )
