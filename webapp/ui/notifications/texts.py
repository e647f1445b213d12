"""A notification's subject and body in the reader's language (pages and mail alike)."""

from __future__ import annotations

from flask_babel import get_locale

from engine.models import Notification
from webapp.ui.i18n import render


def notification_texts(notification: Notification) -> tuple[str, str]:
    """(subject, body) in the current locale: the catalogue's translation of an engine message,
    the diagram's Hindi of a process message for a Hindi reader, else the English."""
    if notification.catalogue:
        return render(notification.catalogue["subject"]), render(notification.catalogue["body"])
    locale = get_locale()
    if locale is not None and locale.language == "hi" and notification.subject_hi and notification.body_hi:
        return notification.subject_hi, notification.body_hi
    return notification.subject, notification.body
