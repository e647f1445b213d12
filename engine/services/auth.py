"""Signing in: password checks (no lock-out), and bearer tokens that expire and can be revoked."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.errors import Invalid, Unauthorized
from engine.i18n import N_
from engine.models import AuthToken, User
from engine.passwords import DUMMY_HASH, hash_password, verify_password
from engine.services.people import password_problem

TOKEN_LIFETIME = timedelta(hours=12)
BAD_CREDENTIALS = N_("Wrong username or password")
DEACTIVATED = N_("This account has been deactivated. Ask the administrator if you need it again.")


def authenticate(session: Session, username: object, password: object, now: datetime) -> User:
    """The user for these credentials, or Unauthorized.

    The username must match exactly (case included). A wrong password never locks the
    account (anyone could shut its owner out so): it adds one to `failed_logins`, which a
    right one sets back to 0; slowing repeated failures down is the caller's business (the
    web layer throttles per address and per account from an address). The answer is the
    same for an unknown user and a wrong password, so it tells an attacker nothing. A
    deactivated account is refused with DEACTIVATED, said only to someone who gave its
    right password. `now` (aware UTC) is kept for the callers' sake.
    """
    if not isinstance(username, str) or not isinstance(password, str) or len(password) > 1024:
        raise Unauthorized(BAD_CREDENTIALS)
    user = session.scalars(select(User).where(User.username == username)).first()
    if user is None:
        verify_password(password, DUMMY_HASH)
        raise Unauthorized(BAD_CREDENTIALS)
    if not verify_password(password, user.password_hash):
        user.failed_logins += 1
        raise Unauthorized(BAD_CREDENTIALS)
    if not user.active:
        raise Unauthorized(DEACTIVATED)
    user.failed_logins = 0
    user.locked_until = None
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def issue_token(session: Session, user: User, now: datetime) -> str:
    """A new bearer token for the user; only its digest is stored."""
    token = secrets.token_urlsafe(32)
    session.add(
        AuthToken(token_sha256=_digest(token), user_id=user.id, created_at=now, expires_at=now + TOKEN_LIFETIME)
    )
    session.flush()
    return token


def user_for_token(session: Session, token: str, now: datetime) -> User:
    """The user a live token belongs to, or Unauthorized (also when the account was deactivated)."""
    # One statement: the token, its user, the user's roles and officer profile (every request
    # reads them; their own selectin loads would be two more round trips).
    query = (
        select(AuthToken)
        .where(AuthToken.token_sha256 == _digest(token))
        .options(
            joinedload(AuthToken.user).joinedload(User.role_rows),
            joinedload(AuthToken.user).joinedload(User.officer),
        )
    )
    row = session.scalars(query).unique().one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= now or not row.user.active:
        raise Unauthorized("The token is unknown, expired or revoked; sign in again")
    return row.user


def revoke_token(session: Session, token: str, now: datetime) -> None:
    """Make a token unusable from now on."""
    row = session.scalars(select(AuthToken).where(AuthToken.token_sha256 == _digest(token))).first()
    if row is not None and row.revoked_at is None:
        row.revoked_at = now


def revoke_tokens(session: Session, user: User, now: datetime) -> int:
    """Revoke every live API token of the user at `now` (aware UTC); returns how many. Flushes."""
    live = select(AuthToken).where(AuthToken.user_id == user.id, AuthToken.revoked_at.is_(None))
    tokens = list(session.scalars(live))
    for token in tokens:
        token.revoked_at = now
    session.flush()
    return len(tokens)


def set_password(session: Session, user: User, password: object, now: datetime) -> None:
    """Give the user a new password and end every way they were signed in.

    The password follows the same rule as at registration (people.password_problem;
    Invalid names the field `password` otherwise). Every live API token of the user is
    revoked at `now` (aware UTC), and `session_generation` moves on so that every signed-in
    page cookie of the user is refused too: a stolen token or cookie stops working once the
    owner changes the password. Flushes only.
    """
    problem = password_problem(password)
    if problem:
        raise Invalid("The password cannot be used", {"password": problem})
    user.password_hash = hash_password(str(password))
    user.failed_logins = 0
    user.locked_until = None
    user.session_generation += 1
    revoke_tokens(session, user, now)
