"""Audit entries about accounts and CCAs in words: what changed, from what, to what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask_babel import gettext as _

from engine.i18n import N_
from engine.models import AuditEntry
from webapp.ui.formatting import day, moment
from webapp.ui.i18n import engine_text
from webapp.ui.labels import role_name, service_name

ACTIONS: dict[str, str] = {
    "user_created": N_("created the user"),
    "user_changed": N_("changed the user"),
    "password_set": N_("set a new password for the user"),
    "user_unlocked": N_("cleared the sign-in slowdown of"),
    "cca_created": N_("added the authority"),
    "cca_changed": N_("changed the authority"),
    "contact_details_changed": N_("changed the contact details of"),
    "service_details_changed": N_("changed the service details of"),
    "password_changed": N_("changed the password of"),
}

FIELDS: dict[str, str] = {
    "roles": N_("Roles"),
    "cca": N_("Cadre controlling authority"),
    "active": N_("Status"),
    "locked_until": N_("Locked until"),
    "failed_sign_ins": N_("Wrong passwords since the last sign-in"),
    "code": N_("Code"),
    "name": N_("Name"),
    "approval_required": N_("Approval required"),
    "full_name": N_("Full name"),
    "email": N_("E-mail"),
    "mobile": N_("Mobile"),
    "designation": N_("Designation"),
    "edx_username": N_("edX username"),
    "service": N_("Service"),
    "date_of_joining": N_("Date of joining"),
    "date_of_birth": N_("Date of birth"),
}


@dataclass(frozen=True)
class Change:
    """One field of an entry: its name and the values before and after, in words."""

    field: str
    before: str
    after: str


def action_words(entry: AuditEntry) -> str:
    """What the entry's actor did, in the reader's language."""
    return engine_text(ACTIONS.get(entry.action) or entry.action.replace("_", " "))


def changes(entry: AuditEntry, cca_names: Mapping[str, str]) -> list[Change]:
    """The fields an entry changed, in the order they were recorded; `cca_names` names CCA codes."""
    detail: dict[str, Any] = entry.detail or {}
    before: dict[str, Any] = detail.get("before") or {}
    after: dict[str, Any] = detail.get("after") or {}
    names = list(dict.fromkeys([*before, *after]))
    return [
        Change(
            engine_text(FIELDS.get(name) or name.replace("_", " ").capitalize()),
            _value(name, before.get(name), name in before, cca_names),
            _value(name, after.get(name), name in after, cca_names),
        )
        for name in names
    ]


def _value(name: str, value: Any, given: bool, cca_names: Mapping[str, str]) -> str:
    if not given:
        return ""
    if value is None or value == "" or value == []:
        return str(_("none"))
    if name == "roles" and isinstance(value, list):
        return ", ".join(role_name(str(role)) for role in value)
    if name == "active":
        return str(_("active") if value else _("deactivated"))
    if name == "approval_required":
        return str(_("yes") if value else _("no"))
    if name == "cca":
        return cca_names.get(str(value), str(value))
    if name == "service":
        return service_name(str(value))
    if name in ("date_of_joining", "date_of_birth"):
        return day(str(value))
    if name == "locked_until":
        try:
            return moment(datetime.fromisoformat(str(value)))
        except ValueError:
            return str(value)
    if isinstance(value, date):
        return day(value)
    return str(value)
