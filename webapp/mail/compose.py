"""Composing one outbox row as an e-mail: plain text and HTML from the templates of
templates/mail/, in the recipient's language (Flask-Babel's force_locale), with an absolute
link (IGOT_BASE_URL) to the page where the person acts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, render_template
from flask_babel import force_locale, gettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.config import MailSettings
from engine.models import HumanTask, Notification, OutboxMail, User
from engine.services.password_reset import user_with_address
from webapp.ui.i18n import DEFAULT_LANGUAGE, FORMAT_LOCALES, data_text
from webapp.ui.notifications.texts import notification_texts


@dataclass(frozen=True)
class Mail:
    """An e-mail ready to send."""

    to: str
    subject: str
    text: str
    html: str
    language: str


def compose(session: Session, app: Flask, row: OutboxMail, settings: MailSettings) -> Mail | str:
    """The e-mail of `row`, or the status to record when there is none to send:
    "no_address" (the recipient has no address), "inactive" (the recipient's account was
    deactivated after the mail was queued) or "dropped" (a reset for an unknown address).

    Needs `app`'s application context (templates, the catalogue).
    """
    user = session.get(User, row.recipient_id) if row.recipient_id is not None else None
    if row.kind == "password_reset":
        user = user_with_address(session, row.address or "")
        if user is None:
            return "dropped"
    if user is not None and not user.active:
        return "inactive"
    address = user.mail_address if user is not None else None
    if user is None or not address:
        return "no_address"
    language = user.language if user.language in FORMAT_LOCALES else DEFAULT_LANGUAGE
    with force_locale(FORMAT_LOCALES[language]):
        subject, context = _content(session, app, row, user, settings)
        text = render_template(f"mail/{row.kind}.txt", **context)
        html = render_template(f"mail/{row.kind}.html", subject=subject, **context)
    return Mail(address, subject, text, html, language)


def _content(
    session: Session, app: Flask, row: OutboxMail, user: User, settings: MailSettings
) -> tuple[str, dict[str, Any]]:
    if row.kind == "notification":
        notification = session.get_one(Notification, row.notification_id)
        subject, body = notification_texts(notification)
        task = session.get(HumanTask, notification.task_id) if notification.task_id else None
        if task is not None:
            link = _link(app, settings, "ui.inbox.task", task_id=task.id)
        elif notification.application_id is not None:
            link = _link(app, settings, "ui.portal.application", application_id=notification.application_id)
        else:
            link = _link(app, settings, "ui.notifications.messages")
        task_title = data_text(task.title) if task is not None else None
        return subject, {"user": user, "body": body, "task_title": task_title, "link": link, **_footer(app, settings)}
    if row.kind == "digest":
        payload = row.payload
        notes = session.scalars(
            select(Notification).where(Notification.id.in_(payload.get("notifications", []))).order_by(Notification.id)
        ).all()
        endpoint = "ui.inbox.inbox" if payload.get("staff") else "ui.portal.applications"
        context = {
            "user": user,
            "count": int(payload.get("count", 0)),
            "overdue": int(payload.get("overdue", 0)),
            "oldest": datetime.fromisoformat(payload["oldest"]) if payload.get("oldest") else None,
            "tasks": [(data_text(item["title"]), int(item["count"])) for item in payload.get("tasks", [])],
            "messages": [notification_texts(note)[0] for note in notes],
            "link": _link(app, settings, endpoint),
            **_footer(app, settings),
        }
        return gettext("Your daily summary from iGOT MicroMasters"), context
    link = _link(app, settings, "ui.accounts.reset_password", token=str(row.payload.get("token", "")))
    return gettext("Choose a new password for iGOT MicroMasters"), {"user": user, "link": link}


def _footer(app: Flask, settings: MailSettings) -> dict[str, str]:
    return {"settings_link": _link(app, settings, "ui.notifications.messages")}


def _link(app: Flask, settings: MailSettings, endpoint: str, **values: Any) -> str:
    """An absolute URL on the site at IGOT_BASE_URL, built without a request."""
    parts = urlsplit(settings.base_url)
    adapter = app.url_map.bind(parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http")
    return adapter.build(endpoint, values, force_external=True)
