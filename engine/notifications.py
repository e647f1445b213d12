"""Writing what a step sends: one notification per person per event, each also an e-mail in the outbox.

A step's notices (engine/notices.py) and the user tasks it opened come here when the step
is saved, inside the step's transaction. One event makes one message: a task that opens
for the officer in the same step as a message to the officer (a CCA returns the
nomination: "clarification needed" and the task "respond to clarification") is that
message, linked to the task; a task that opens for the officer with no message of the
process gets the engine's own "Action needed" message, from the gettext catalogue.

Every notification is also a row of the mail outbox (engine/models/mail.py), sent later by
`igot mail`; a recipient who takes a daily digest gets it in the digest instead.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.i18n import N_, Message
from engine.models import Application, Course, HumanTask, Notification, OutboxMail, User, UserRole
from engine.notices import MAX_SUBJECT, Notice

DAILY = "daily"
IMMEDIATE = "immediate"
MAIL_DELIVERIES = (IMMEDIATE, DAILY)
"""How notifications reach a person by mail: one mail each, or one digest a day."""


def write_notifications(
    session: Session,
    application: Application,
    notices: Sequence[Notice],
    opened: Sequence[HumanTask],
    now: datetime,
) -> list[Notification]:
    """Write the notifications (and their outbox mail) of one step; return them.

    `notices` are what the step's scripts sent, in order; `opened` the inbox rows of the user
    tasks the step opened. The officer's tasks are paired with the officer's messages of
    the same step, last message with first task; a task left without a message gets
    "Action needed". A deactivated account gets neither notification nor mail. Flushes the session.
    """
    officer_tasks = [row for row in opened if row.role == "officer"]
    to_officer = [index for index, notice in enumerate(notices) if notice.to == "officer"]
    pairs = dict(zip(reversed(to_officer), officer_tasks, strict=False))
    written: list[Notification] = []
    for index, notice in enumerate(notices):
        task = pairs.get(index)
        for user in _recipients(session, application, notice.to):
            written.append(
                Notification(
                    recipient_id=user.id,
                    at=now,
                    subject=notice.subject,
                    body=notice.body,
                    subject_hi=notice.subject_hi,
                    body_hi=notice.body_hi,
                    application_id=application.id,
                    task_id=task.id if task is not None else None,
                )
            )
    if application.officer.active:
        for task in officer_tasks[len(pairs) :]:
            written.append(_action_needed(session, application, task, now))
    session.add_all(written)
    session.flush()
    recipients = {user.id: user for user in _users(session, {n.recipient_id for n in written})}
    for notification in written:
        queue_mail(session, recipients[notification.recipient_id], notification, now)
    return written


def queue_mail(session: Session, user: User, notification: Notification, now: datetime) -> OutboxMail:
    """Put a notification's e-mail in the outbox: to send, or to wait for the daily digest."""
    row = OutboxMail(
        kind="notification",
        recipient_id=user.id,
        notification_id=notification.id,
        payload={},
        status="in_digest" if user.mail_delivery == DAILY else "pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    session.add(row)
    return row


def _action_needed(session: Session, application: Application, task: HumanTask, now: datetime) -> Notification:
    course = session.get(Course, application.course_code)
    title = Message(task.title)
    subject = Message(N_("Action needed: %(task)s"), {"task": title})
    body = Message(
        N_("Your application for %(course)s waits for you: %(task)s. Open the task to continue."),
        {"course": course.title if course is not None else application.course_code, "task": title},
    )
    return Notification(
        recipient_id=application.officer_id,
        at=now,
        subject=subject.english()[:MAX_SUBJECT],
        body=body.english(),
        catalogue={"subject": subject.to_json(), "body": body.to_json()},
        application_id=application.id,
        task_id=task.id,
    )


def _recipients(session: Session, application: Application, to: str) -> list[User]:
    """Who receives a notice addressed to `to`; a deactivated account receives nothing."""
    if to == "officer":
        return [application.officer] if application.officer.active else []
    query = select(User).join(UserRole).where(UserRole.role == to, User.active).order_by(User.id)
    if to == "cca_approver":
        query = query.where(User.cca_code == application.cca_code)
    return list(session.scalars(query))


def _users(session: Session, ids: set[int]) -> list[User]:
    # The recipients are mostly already loaded (the applicant, the caller): no query for those.
    known = [session.identity_map.get(identity_key(User, user_id)) for user_id in ids]
    found = [user for user in known if isinstance(user, User)]
    missing = ids - {user.id for user in found}
    return found + (list(session.scalars(select(User).where(User.id.in_(missing)))) if missing else [])
