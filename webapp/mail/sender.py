"""Sending the outbox over SMTP (smtplib): `igot mail [--loop]`.

Each round claims a few due rows (engine/services/outbox.py), composes each in its
recipient's language, sends it, and records the outcome. A server that is down or answers
with a temporary error puts the row back with exponential back-off (30 s doubling to 1
hour), so mail is delayed and never lost; a permanent refusal (a 5xx answer) marks it
failed. Without IGOT_SMTP_HOST the mail is written to the log and recorded as logged.
"""

from __future__ import annotations

import logging
import smtplib
import socket
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import formatdate
from typing import Any

from flask import Flask
from sqlalchemy.orm import sessionmaker

from engine.config import MailSettings
from engine.models import OutboxMail
from engine.services.outbox import claim_mail, next_mail_at, record_outcome, record_retry, release_all
from webapp.mail.compose import Mail, compose

log = logging.getLogger(__name__)

SMTP_TIMEOUT = 20


def sender_name() -> str:
    """A name unique to this sender process (host, process, random), for its claims."""
    return f"{socket.gethostname()[:30]}-{uuid.uuid4().hex[:12]}"


class Sender:
    """One mail sender: a name for its claims, the Flask app (templates, catalogue), the
    database's session factory and the mail settings."""

    def __init__(
        self,
        app: Flask,
        make_session: sessionmaker[Any],
        settings: MailSettings,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.app = app
        self.make_session = make_session
        self.settings = settings
        self.clock = clock or (lambda: datetime.now(UTC))
        self.name = sender_name()

    def send_round(self) -> int:
        """Claim and send what is due now; return how many rows were handled (sent or otherwise
        settled; a row put back for a retry does not count)."""
        ids = claim_mail(self.make_session, self.name, self.clock())
        handled = 0
        connection: smtplib.SMTP | None = None
        try:
            for mail_id in ids:
                outcome, connection = self._send_one(mail_id, connection)
                handled += outcome
        finally:
            if connection is not None:
                _quit(connection)
        return handled

    def _send_one(self, mail_id: int, connection: smtplib.SMTP | None) -> tuple[int, smtplib.SMTP | None]:
        with self.app.app_context(), self.make_session() as session:
            row = session.get_one(OutboxMail, mail_id)
            mail = compose(session, self.app, row, self.settings)
            message_id = f"<igot-outbox-{row.id}-{int(row.created_at.timestamp())}@{_domain(self.settings)}>"
        now = self.clock()
        if isinstance(mail, str):
            record_outcome(self.make_session, mail_id, self.name, mail, now)
            log.info("mail %s not sent: %s", mail_id, mail)
            return 1, connection
        if not self.settings.smtp_host:
            log.info("mail %s (no SMTP server configured) to %s: %s\n%s", mail_id, mail.to, mail.subject, mail.text)
            record_outcome(self.make_session, mail_id, self.name, "logged", now)
            return 1, connection
        try:
            connection = connection or self._connect()
            connection.send_message(self._message(mail, message_id))
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as error:
            record_outcome(self.make_session, mail_id, self.name, "failed", now, _describe(error))
            log.warning("mail %s refused for good: %s", mail_id, _describe(error))
            return 1, connection
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500:
                record_outcome(self.make_session, mail_id, self.name, "failed", now, _describe(error))
                return 1, connection
            return self._retry(mail_id, error, now, connection)
        except (smtplib.SMTPException, OSError) as error:
            return self._retry(mail_id, error, now, connection)
        record_outcome(self.make_session, mail_id, self.name, "sent", self.clock())
        log.info("mail %s sent to %s: %s", mail_id, mail.to, mail.subject)
        return 1, connection

    def _retry(
        self, mail_id: int, error: BaseException, now: datetime, connection: smtplib.SMTP | None
    ) -> tuple[int, smtplib.SMTP | None]:
        record_retry(self.make_session, mail_id, self.name, _describe(error), now)
        log.warning("mail %s not sent, will try again: %s", mail_id, _describe(error))
        if connection is not None:
            _quit(connection)
        return 0, None

    def _connect(self) -> smtplib.SMTP:
        host = self.settings.smtp_host or "localhost"
        connection = smtplib.SMTP(host, self.settings.smtp_port, timeout=SMTP_TIMEOUT)
        if self.settings.starttls:
            connection.starttls()
        if self.settings.smtp_user and self.settings.smtp_password:
            connection.login(self.settings.smtp_user, self.settings.smtp_password)
        return connection

    def _message(self, mail: Mail, message_id: str) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.settings.mail_from
        message["To"] = mail.to
        message["Subject"] = mail.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = message_id
        message.set_content(mail.text)
        message.add_alternative(mail.html, subtype="html")
        message["Content-Language"] = mail.language  # after the content, which clears Content-* headers
        return message

    def run(self, poll: float, stop: Callable[[], bool] = lambda: False) -> None:
        """Send rounds until `stop()` is true: straight on while there is mail, else sleep until
        the next row falls due or `poll` seconds, whichever comes first."""
        try:
            while not stop():
                if self.send_round():
                    continue
                with self.make_session() as session:
                    due = next_mail_at(session)
                wait = poll if due is None else min(poll, max((due - self.clock()).total_seconds(), 0.2))
                time.sleep(wait)
        finally:
            release_all(self.make_session, self.name)


def _domain(settings: MailSettings) -> str:
    address = settings.mail_from.rsplit("<", 1)[-1].rstrip(">")
    return address.rpartition("@")[2] or "igot.invalid"


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


def _quit(connection: smtplib.SMTP) -> None:
    try:
        connection.quit()
    except (smtplib.SMTPException, OSError):
        connection.close()
