"""The daily digest: one mail a day to each person who chose it, listing what waits for them.

People who take many tasks (CCA approvers, DoPT, the course team, finance) may choose one
mail a day instead of one per message (`users.mail_delivery = "daily"`). Their
notifications' mail waits in the outbox (status in_digest); the timer worker's round, once
the configured hour has come in India (IGOT_DIGEST_HOUR), writes one digest per person for
the day: how many tasks wait for them, since when the oldest, how many are overdue, per
task, and the subjects of the messages since the last digest. The outbox's unique
`dedupe_key` ("digest:<user>:<day>") makes it once per person and day, however many
workers run the round.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from engine.access import workable_tasks
from engine.models import HumanTask, OutboxMail, User
from engine.notifications import DAILY

log = logging.getLogger(__name__)

INDIA = timezone(timedelta(hours=5, minutes=30))


def digest_day(now: datetime, hour: int) -> str | None:
    """The India date (YYYY-MM-DD) whose digest is due at `now` (aware), or None before `hour` India time."""
    local = now.astimezone(INDIA)
    return local.date().isoformat() if local.hour >= hour else None


def queue_digests(make_session: sessionmaker[Any], now: datetime, hour: int) -> int:
    """Write today's digest of every person who takes one and has something waiting, each in its
    own transaction; return how many were written (by this call)."""
    day = digest_day(now, hour)
    if day is None:
        return 0
    with make_session() as session:
        user_ids = list(
            session.scalars(select(User.id).where(User.mail_delivery == DAILY, User.active).order_by(User.id))
        )
    written = 0
    for user_id in user_ids:
        try:
            with make_session() as session, session.begin():
                written += queue_digest(session, user_id, day, now)
        except IntegrityError:
            continue  # another worker wrote this person's digest for the day first
    if written:
        log.info("%s daily digest(s) queued for %s", written, day)
    return written


def queue_digest(session: Session, user_id: int, day: str, now: datetime) -> bool:
    """Write the digest of one person for `day` unless it exists or nothing waits; True when written.

    Raises IntegrityError (at flush) when another transaction wrote the same digest meanwhile.
    """
    key = f"digest:{user_id}:{day}"
    if session.scalars(select(OutboxMail.id).where(OutboxMail.dedupe_key == key)).first() is not None:
        return False
    user = session.get(User, user_id)
    if user is None:
        return False
    open_tasks = select(HumanTask).where(HumanTask.state == "open", workable_tasks(user))
    count, oldest = session.execute(
        open_tasks.with_only_columns(func.count(HumanTask.id), func.min(HumanTask.created_at))
    ).one()
    overdue = session.scalar(open_tasks.where(HumanTask.due_at < now).with_only_columns(func.count(HumanTask.id)))
    by_title = session.execute(
        open_tasks.with_only_columns(HumanTask.title, func.count(HumanTask.id))
        .group_by(HumanTask.title)
        .order_by(HumanTask.title)
    ).all()
    waiting = session.scalars(
        select(OutboxMail)
        .where(OutboxMail.recipient_id == user_id, OutboxMail.status == "in_digest")
        .order_by(OutboxMail.id)
        .with_for_update()
    ).all()
    if not count and not waiting:
        return False
    for row in waiting:
        row.status = "digested"
    staff = any(role != "officer" for role in user.roles)
    payload = {
        "day": day,
        "count": int(count),
        "oldest": oldest.isoformat() if oldest is not None else None,
        "overdue": int(overdue or 0),
        "tasks": [{"title": title, "count": int(number)} for title, number in by_title],
        "notifications": [row.notification_id for row in waiting if row.notification_id is not None][:50],
        "staff": staff,
    }
    session.add(
        OutboxMail(
            kind="digest",
            recipient_id=user_id,
            payload=payload,
            dedupe_key=key,
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()
    return True
