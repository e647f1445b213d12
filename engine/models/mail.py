"""Mail waiting to be sent (the outbox) and the links that let a person choose a new password."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db import Base
from engine.models.types import UTCDateTime, utcnow


class OutboxMail(Base):
    """One e-mail to send, written in the same transaction as what caused it.

    `kind` says what it carries: a notification (`notification_id`), a digest (`payload`:
    what waits for the recipient) or a password-reset link (`address` as typed, `payload`:
    the token until it is sent). The recipient's address and language are read when it is
    sent, so a corrected address still gets the mail. `status`:
    pending (to send), in_digest (the recipient takes a daily digest; it waits for the next
    one), digested (went out in a digest), sent, logged (no SMTP server configured: written
    to the log), no_address (the recipient has no address), inactive (the
    recipient's account was deactivated before it was sent), dropped (a reset for an address
    nobody has), failed (the server refused it for good; `last_error`).

    A sender claims a row by setting `claimed_by` and `claimed_until` (a lease); another
    sender takes it only once the lease has run out. `dedupe_key` makes a digest unique per
    person and day, whichever worker writes it.
    """

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), nullable=True)
    address: Mapped[str | None] = mapped_column(String(254), nullable=True)
    notification_id: Mapped[int | None] = mapped_column(ForeignKey("notifications.id"), nullable=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    dedupe_key: Mapped[str | None] = mapped_column(String(100), nullable=True, unique=True, index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class PasswordReset(Base):
    """A request to choose a new password, for the address typed (whether anyone has it or not).

    Only the token's SHA-256 is stored; the link works once (`used_at`) until `expires_at`.
    """

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    address: Mapped[str] = mapped_column(String(254), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
