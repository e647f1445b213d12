"""Choosing a new password through a link sent by mail.

Asking for a link does the same work whatever address is typed: a reset row (token stored
as its SHA-256) and an outbox row are written for any well-formed address, and the sender
finds out later whether anyone has that address (and drops the mail when nobody has). So
the answer, its wording and its timing, says nothing about which addresses exist. The
link works once, for 30 minutes; the new password follows the registration rule through
`engine.services.auth.set_password`. At most MAX_PER_HOUR links per address per hour.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.errors import Invalid
from engine.i18n import N_
from engine.models import Officer, OutboxMail, PasswordReset, User
from engine.services.auth import set_password
from engine.services.people import staff_address

RESET_ANSWER = N_(
    "If an account has this e-mail address, a link to choose a new password is on its way. "
    "The link works once, for 30 minutes."
)
"""The one answer to a request for a link, whether anyone has the address or not."""

LINK_LIFETIME = timedelta(minutes=30)
MAX_PER_HOUR = 3


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def normalised_address(address: object) -> str:
    """The address trimmed and in lower case; Invalid (field `email`) when it is not one."""
    fields: dict[str, str] = {}
    value = staff_address(address, fields)
    if value is None:
        raise Invalid(N_("Enter your e-mail address"), {"email": N_("Enter an e-mail address such as name@gov.in")})
    return value


def request_reset(session: Session, address: object, now: datetime) -> None:
    """Write a reset link for `address` into the outbox (unless it already had MAX_PER_HOUR in the
    last hour). Raises Invalid only for text that is not an e-mail address. Flushes only."""
    wanted = normalised_address(address)
    recent = session.scalar(
        select(func.count(PasswordReset.id)).where(
            PasswordReset.address == wanted, PasswordReset.created_at > now - timedelta(hours=1)
        )
    )
    if (recent or 0) >= MAX_PER_HOUR:
        return
    token = secrets.token_urlsafe(32)
    session.add(
        PasswordReset(address=wanted, token_sha256=_digest(token), created_at=now, expires_at=now + LINK_LIFETIME)
    )
    session.add(
        OutboxMail(
            kind="password_reset",
            address=wanted,
            payload={"token": token},
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    session.flush()


def link_is_usable(session: Session, token: str, now: datetime) -> bool:
    """True when `token` is a reset link that has not been used or expired."""
    return _usable(session, token, now) is not None


def reset_password(session: Session, token: str, password: object, now: datetime) -> User:
    """Set the password of the person the link was sent to; the link (and every other link to
    the same address) is used up. Raises Invalid: `token` when the link is unknown, used or
    expired (or nobody has the address), `password` when the password breaks the rule."""
    reset = _usable(session, token, now)
    user = user_with_address(session, reset.address) if reset is not None else None
    if reset is None or user is None:
        raise Invalid(
            N_("This link cannot be used"),
            {"token": N_("The link has expired or has already been used; ask for a new one")},
        )
    set_password(session, user, password, now)
    session.execute(
        update(PasswordReset)
        .where(PasswordReset.address == reset.address, PasswordReset.used_at.is_(None))
        .values(used_at=now)
    )
    session.flush()
    return user


def _usable(session: Session, token: str, now: datetime) -> PasswordReset | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    reset = session.scalars(
        select(PasswordReset).where(PasswordReset.token_sha256 == _digest(token)).with_for_update()
    ).one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= now:
        return None
    return reset


def user_with_address(session: Session, address: str) -> User | None:
    """The user whose mail goes to `address`, compared without case: an officer's profile
    address first, then a staff user's address; None when nobody has it."""
    wanted = address.strip().lower()
    officer = session.scalars(select(Officer).where(func.lower(Officer.email) == wanted)).first()
    if officer is not None:
        return session.get(User, officer.user_id)
    return session.scalars(select(User).where(func.lower(User.email) == wanted)).first()
