"""Users, their roles, officer profiles and API tokens."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.db import Base
from engine.models.types import UTCDateTime, utcnow


class User(Base):
    """Anyone who signs in. Roles are rows of UserRole; cca_code binds a CCA approver.

    `language` is the person's choice of language for pages and mail ("en", "hi"), or None
    when they have not chosen. `email` is a staff member's address (an officer's is on the
    profile, `Officer.email`; see `mail_address`). `mail_delivery` says how notifications
    reach the person by mail: "immediate" (one mail each) or "daily" (one digest a day).
    An account an administrator deactivated (`active` false) cannot sign in, and its tokens
    and sessions are refused. `failed_logins` counts wrong passwords since the last right one
    (shown to administrators; sign-in is throttled, never locked); `locked_until` is only
    set on rows from before that.
    """

    __tablename__ = "users"
    # Sign-in, registration and password reset look people up case-insensitively.
    __table_args__ = (
        Index("ix_users_username_lower", text("lower(username)")),
        Index("ix_users_email_lower", text("lower(email)")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    cca_code: Mapped[str | None] = mapped_column(ForeignKey("ccas.code"), nullable=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    language: Mapped[str | None] = mapped_column(String(8), nullable=True)
    email: Mapped[str | None] = mapped_column(String(254), nullable=True, unique=True, index=True)
    mail_delivery: Mapped[str] = mapped_column(String(16), default="immediate", server_default="immediate")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # Every signed-in page cookie carries the value of its sign-in; signing out and a new
    # password move it on, so the cookies saved before are refused (webapp/ui/identity.py).
    session_generation: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    role_rows: Mapped[list[UserRole]] = relationship(
        lazy="selectin", cascade="all, delete-orphan", back_populates="user"
    )
    officer: Mapped[Officer | None] = relationship(lazy="selectin", back_populates="user", uselist=False)

    @property
    def roles(self) -> list[str]:
        """The role names this user holds, sorted."""
        return sorted(row.role for row in self.role_rows)

    def has_role(self, role: str) -> bool:
        """True when the user holds the role."""
        return any(row.role == role for row in self.role_rows)

    @property
    def mail_address(self) -> str | None:
        """Where mail to this person goes: the officer profile's address, else the user's, else None."""
        return self.officer.email if self.officer is not None else self.email


class UserRole(Base):
    """One role held by one user."""

    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(32))

    user: Mapped[User] = relationship(back_populates="role_rows")


class Officer(Base):
    """The profile of an officer who applies; the eligibility rules read it."""

    __tablename__ = "officers"
    # One edX account is one officer's, whatever its case (engine.services.people.edx_username_taken).
    __table_args__ = (
        Index("ix_officers_email_lower", text("lower(email)")),
        Index("uq_officers_edx_username", text("lower(edx_username)"), unique=True),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254), unique=True)
    mobile: Mapped[str] = mapped_column(String(20))
    service: Mapped[str] = mapped_column(String(16))
    cca_code: Mapped[str] = mapped_column(ForeignKey("ccas.code"), index=True)
    designation: Mapped[str] = mapped_column(String(200))
    date_of_joining: Mapped[date] = mapped_column(Date)
    date_of_birth: Mapped[date] = mapped_column(Date)
    edx_username: Mapped[str] = mapped_column(String(100))

    user: Mapped[User] = relationship(back_populates="officer")


class AuthToken(Base):
    """A bearer token; only its SHA-256 is stored, so a database leak leaks no token."""

    __tablename__ = "auth_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    user: Mapped[User] = relationship(lazy="joined")
