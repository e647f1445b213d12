"""An officer's own account: contact details, service details and the password.

Contact details (e-mail, mobile, designation, edX username) are the officer's to change at
any time. Service details (name, service, CCA, dates of joining and birth) are what the
eligibility rules and the CCA read: the officer changes them only while no application of
theirs is under way, an administrator at any time (engine.access.can_change_service_details
says why). Every change is audited with the values before and after. Functions flush only.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.access import can_change_contact_details, can_change_service_details
from engine.errors import Conflict, Forbidden, Invalid
from engine.i18n import N_
from engine.models import Application, AuditEntry, Officer, User
from engine.passwords import verify_password
from engine.services.accounts import account_history, audit_account_change
from engine.services.auth import set_password
from engine.services.people import (
    CONTACT_FIELDS,
    EDX_USERNAME_TAKEN,
    SERVICE_FIELDS,
    edx_username_taken,
    email_taken,
    profile_values,
)
from engine.statuses import LIVE_STATUSES

NO_PROFILE = N_("Only officers have a profile to change")
NOT_YOURS = N_("You may change only your own profile")
SERVICE_LOCKED = N_(
    "An application of yours is under way, and its approvals rest on your service details. "
    "Change them once it has ended, or ask the administrator to correct them."
)
WRONG_CURRENT_PASSWORD = N_("This is not your current password")
SAME_PASSWORD = N_("Choose a password different from the current one")
EMAIL_TAKEN = N_("Another officer has registered this e-mail address")

# The column each profile field is stored in.
_COLUMNS = {"cca": "cca_code"}


def has_live_application(session: Session, officer: User) -> bool:
    """True while an application of the officer is under way (not in a final status)."""
    query = select(Application.id).where(Application.officer_id == officer.id, Application.status.in_(LIVE_STATUSES))
    return session.scalars(query.limit(1)).first() is not None


def change_profile(session: Session, actor: User, officer: User, body: Any, today: date, now: datetime) -> Officer:
    """Change the fields of `body` (any of engine.services.people.CONTACT_FIELDS and
    SERVICE_FIELDS) of the officer's profile, checked as registration checks them.

    `today` is the date in India (no date of joining or birth after it), `now` the moment
    (aware UTC) of the audit entries: one for contact details, one for service details,
    each with the fields that changed, before and after.

    Raises Forbidden (no profile, not allowed), Conflict (service details while an
    application is under way; an e-mail another officer has) and Invalid naming every bad
    or unknown field (an edX username another officer has among them).
    """
    profile = officer.officer
    if profile is None:
        raise Forbidden(NO_PROFILE)
    if not can_change_contact_details(actor, officer):
        raise Forbidden(NOT_YOURS)
    if not isinstance(body, Mapping):
        raise Invalid("Send a JSON object", {"_body": "expected a JSON object"})
    allowed = set(CONTACT_FIELDS) | set(SERVICE_FIELDS)
    fields = {name: "unknown field" for name in sorted(set(body) - allowed)}
    values = profile_values(session, dict(body), [name for name in body if name in allowed], today, fields)
    if "edx_username" in values and edx_username_taken(session, values["edx_username"], other_than=officer.id):
        fields["edx_username"] = EDX_USERNAME_TAKEN
    if fields:
        raise Invalid("The profile has errors", fields)
    service_changes = {name for name in body if name in SERVICE_FIELDS}
    if service_changes and _differs(profile, values, service_changes):
        if not can_change_service_details(actor, officer, has_live_application(session, officer)):
            raise Conflict(SERVICE_LOCKED)
    if "email" in values and email_taken(session, values["email"], other_than=officer.id):
        raise Conflict(EMAIL_TAKEN)
    for group, action in ((CONTACT_FIELDS, "contact_details_changed"), (SERVICE_FIELDS, "service_details_changed")):
        _apply(session, actor, officer, values, [name for name in group if name in body], action, now)
    return profile


def _differs(profile: Officer, values: Mapping[str, Any], names: set[str]) -> bool:
    return any(getattr(profile, _COLUMNS.get(name, name)) != values[_COLUMNS.get(name, name)] for name in names)


def _apply(
    session: Session,
    actor: User,
    officer: User,
    values: Mapping[str, Any],
    names: list[str],
    action: str,
    now: datetime,
) -> None:
    profile = officer.officer
    assert profile is not None
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for name in names:
        column = _COLUMNS.get(name, name)
        old, new = getattr(profile, column), values[column]
        if old != new:
            before[name], after[name] = _json(old), _json(new)
            setattr(profile, column, new)
    if after:
        session.flush()
        audit_account_change(session, actor, action, officer.username, now, before=before, after=after)


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def change_own_password(session: Session, user: User, current: Any, new: Any, now: datetime) -> None:
    """Change the user's password after checking the current one; audited, without passwords.

    The new password follows the registration rule (engine.services.auth.set_password,
    which also ends the user's API tokens). Raises Invalid naming `current_password` (wrong)
    or `new_password` (breaks the rule, or is the current one).
    """
    if not isinstance(current, str) or not verify_password(current, user.password_hash):
        raise Invalid("The password was not changed", {"current_password": WRONG_CURRENT_PASSWORD})
    if isinstance(new, str) and new == current:
        raise Invalid("The password was not changed", {"new_password": SAME_PASSWORD})
    try:
        set_password(session, user, new, now)
    except Invalid as error:
        raise Invalid("The password was not changed", {"new_password": error.fields["password"]}) from error
    audit_account_change(session, user, "password_changed", user.username, now)


def profile_history(session: Session, officer: User) -> list[AuditEntry]:
    """The latest changes to the officer's contact and service details, newest first."""
    return account_history(session, officer.username, ("contact_details_changed", "service_details_changed"))
