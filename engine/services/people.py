"""Users and officer profiles."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.errors import Conflict, Invalid
from engine.lanes import ROLES
from engine.models import CCA, Officer, User, UserRole
from engine.passwords import hash_password
from engine.rules import SERVICES

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def password_problem(password: Any) -> str | None:
    """Why a new password is not acceptable, or None when it is.

    The one rule for every way a password is chosen (registration, a new user, a change, a
    reset): a text of MIN_PASSWORD_LENGTH to MAX_PASSWORD_LENGTH characters.
    """
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters"
    return None


def create_user(
    session: Session,
    username: str,
    password: str,
    roles: list[str],
    cca_code: str | None = None,
    email: str | None = None,
) -> User:
    """Create a user with roles; a CCA approver must be bound to an existing CCA.

    `email` (optional) is where the user's notifications are mailed (an officer's address
    is on the officer profile instead); it must be a unique address. Raises Invalid naming
    each bad field, Conflict when the username or the address is taken.
    """
    fields: dict[str, str] = {}
    _check_username(username, fields)
    address = staff_address(email, fields)
    problem = password_problem(password)
    if problem:
        fields["password"] = problem
    if not isinstance(roles, list) or not roles or any(role not in ROLES for role in roles):
        fields["roles"] = "Give one or more of: " + ", ".join(ROLES)
    elif "cca_approver" in roles and not cca_code:
        fields["cca"] = "A CCA approver must be bound to a CCA"
    if cca_code is not None and session.get(CCA, cca_code) is None:
        fields["cca"] = f"No CCA with code {cca_code}"
    if fields:
        raise Invalid("The user cannot be created", fields)
    if session.scalars(select(User.id).where(func.lower(User.username) == username.lower())).first():
        raise Conflict(f"username {username} is taken")
    if address is not None and session.scalars(select(User.id).where(func.lower(User.email) == address)).first():
        raise Conflict("another user has this e-mail address")
    user = User(username=username, password_hash=hash_password(password), cca_code=cca_code, email=address)
    user.role_rows = [UserRole(role=role) for role in sorted(set(roles))]
    session.add(user)
    session.flush()
    return user


def staff_address(email: object, fields: dict[str, str]) -> str | None:
    """A staff user's e-mail address, trimmed and in lower case (None when not given); a bad one
    is named in `fields["email"]`."""
    if email is None or email == "":
        return None
    text = email.strip().lower() if isinstance(email, str) else ""
    local, _, domain = text.partition("@")
    if not local or "." not in domain or len(text) > 254 or any(ch.isspace() for ch in text):
        fields["email"] = "Enter an e-mail address such as name@gov.in"
        return None
    return text


def _check_username(username: Any, fields: dict[str, str]) -> None:
    if not isinstance(username, str) or not username or len(username) > 64:
        fields["username"] = "Choose a username of 1 to 64 characters"
    elif not all(ch.isalnum() or ch in "._-" for ch in username):
        fields["username"] = "Use letters, digits, '.', '_' or '-' only"


PROFILE_FIELDS = (
    "full_name",
    "email",
    "mobile",
    "service",
    "cca",
    "designation",
    "date_of_joining",
    "date_of_birth",
    "edx_username",
)


def register_officer(session: Session, body: dict[str, Any], today: date) -> User:
    """Create an officer user with the profile the eligibility rules read."""
    fields: dict[str, str] = {}
    unknown = set(body) - {"username", "password", *PROFILE_FIELDS}
    for name in sorted(unknown):
        fields[name] = "unknown field"
    _check_username(body.get("username"), fields)
    password = body.get("password")
    problem = password_problem(password)
    if problem:
        fields["password"] = problem
    profile = _profile(session, body, today, fields)
    if fields:
        raise Invalid("The registration has errors", fields)
    username = str(body["username"])
    if session.scalars(select(User.id).where(func.lower(User.username) == username.lower())).first():
        raise Conflict(f"username {username} is taken")
    if session.scalars(select(Officer.user_id).where(func.lower(Officer.email) == profile["email"].lower())).first():
        raise Conflict("an officer with this e-mail is already registered")
    user = User(username=username, password_hash=hash_password(str(password)))
    user.role_rows = [UserRole(role="officer")]
    user.officer = Officer(**profile)
    session.add(user)
    session.flush()
    return user


def _profile(session: Session, body: dict[str, Any], today: date, fields: dict[str, str]) -> dict[str, Any]:
    text_limits = {"full_name": 200, "email": 254, "mobile": 20, "designation": 200, "edx_username": 100}
    profile: dict[str, Any] = {}
    for name, limit in text_limits.items():
        value = body.get(name)
        if not isinstance(value, str) or not value.strip():
            fields[name] = "This field is required"
        elif len(value) > limit:
            fields[name] = f"At most {limit} characters"
        else:
            profile[name] = value.strip()
    email = profile.get("email", "")
    if email and ("@" not in email or email.startswith("@") or email.endswith("@")):
        fields["email"] = "Enter an e-mail address such as name@gov.in"
    mobile = profile.get("mobile", "")
    if mobile and not (mobile.lstrip("+").isdigit() and 10 <= len(mobile.lstrip("+")) <= 15):
        fields["mobile"] = "Enter 10 to 15 digits, optionally starting with +"
    service = body.get("service")
    if service not in SERVICES:
        fields["service"] = "Choose one of: " + ", ".join(SERVICES)
    else:
        profile["service"] = service
    cca = body.get("cca")
    if not isinstance(cca, str) or session.get(CCA, cca) is None:
        fields["cca"] = "Choose your cadre controlling authority from the list"
    else:
        profile["cca_code"] = cca
    for name in ("date_of_joining", "date_of_birth"):
        parsed = parse_date(body.get(name))
        if parsed is None:
            fields[name] = "Enter a date as YYYY-MM-DD"
        elif parsed > today:
            fields[name] = "The date cannot be in the future"
        else:
            profile[name] = parsed
    return profile


def parse_date(value: Any) -> date | None:
    """A YYYY-MM-DD string as a date, or None."""
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def officer_profile(user: User) -> dict[str, Any] | None:
    """The officer's profile as the API shows it."""
    officer = user.officer
    if officer is None:
        return None
    return {
        "full_name": officer.full_name,
        "email": officer.email,
        "mobile": officer.mobile,
        "service": officer.service,
        "cca": officer.cca_code,
        "designation": officer.designation,
        "date_of_joining": officer.date_of_joining.isoformat(),
        "date_of_birth": officer.date_of_birth.isoformat(),
        "edx_username": officer.edx_username,
    }
