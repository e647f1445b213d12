"""A notification's subject and body in the reader's language (pages and mail alike), and the
unread count the menu shows on every page."""

from __future__ import annotations

from flask import g
from flask_babel import get_locale

from engine.models import Notification
from engine.services.notifications import unread_count
from webapp.core.database import session
from webapp.ui.i18n import render
from webapp.ui.identity import current_user


def notification_texts(notification: Notification) -> tuple[str, str]:
    """(subject, body) in the current locale: the catalogue's translation of an engine message,
    the diagram's Hindi of a process message for a Hindi reader, else the English."""
    if notification.catalogue:
        return render(notification.catalogue["subject"]), render(notification.catalogue["body"])
    locale = get_locale()
    if locale is not None and locale.language == "hi" and notification.subject_hi and notification.body_hi:
        return notification.subject_hi, notification.body_hi
    return notification.subject, notification.body


def unread_notifications() -> int:
    """How many of the signed-in user's messages are unread (0 when nobody is signed in); one
    indexed count per request."""
    if "unread_notifications" not in g:
        user = current_user()
        g.unread_notifications = unread_count(session(), user.id) if user is not None else 0
    count: int = g.unread_notifications
    return count
