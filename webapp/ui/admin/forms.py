"""The administration forms (WTForms; Flask-WTF adds the CSRF token).

The forms check what a page can check (something entered, lengths, choices); the rules
(roles, CCAs, passwords, what an administrator may not do to their own account) stay in
engine.services.accounts, whose errors are put beside the fields.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, Regexp

from engine.lanes import ROLES
from engine.models import CCA
from engine.services.accounts import UserFilter
from engine.services.people import MIN_PASSWORD_LENGTH
from webapp.ui.forms import ChoicesField, Form
from webapp.ui.labels import role_name

REQUIRED = _l("Enter this.")
# Officers register themselves, with the profile the eligibility rules read.
STAFF_ROLES = tuple(role for role in ROLES if role != "officer")


def _role_choices(roles: Iterable[str]) -> list[tuple[str, str]]:
    return [(role, role_name(role)) for role in roles]


def _cca_choices(ccas: Iterable[CCA]) -> list[tuple[str, str]]:
    return [("", str(_l("None")))] + [(cca.code, cca.name) for cca in ccas]


class RolesForm(Form):
    """A user's roles and, for a CCA approver, the CCA whose nominations they decide."""

    roles = ChoicesField(
        _l("Roles"),
        [InputRequired(message=_l("Choose one or more roles."))],
        description=_l("What the user may do. A user may hold several roles."),
    )
    cca = SelectField(
        _l("Cadre controlling authority"),
        validate_choice=False,
        description=_l("Only for a CCA approver: the authority whose nominations they decide."),
    )

    def __init__(self, ccas: Iterable[CCA], roles: Iterable[str] = STAFF_ROLES, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.roles.choices = _role_choices(roles)
        self.cca.choices = _cca_choices(ccas)

    def changes(self) -> dict[str, Any]:
        """What engine.services.accounts.change_user expects."""
        return {"roles": list(self.roles.data or []), "cca": self.cca.data or None}


class NewUserForm(Form):
    """A new staff user: username and first password, roles and CCA."""

    username = StringField(
        _l("Username"),
        [
            InputRequired(message=REQUIRED),
            Length(max=64, message=_l("Use at most 64 characters.")),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '_' or '-' only.")),
        ],
        description=_l("1 to 64 letters, digits, '.', '_' or '-'. The user signs in with it."),
        render_kw={"autocomplete": "off", "maxlength": 64},
    )
    password = PasswordField(
        _l("First password"),
        [InputRequired(message=REQUIRED), Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
        description=_l(
            "At least 8 characters. Tell it to the user in person; they can change it on their account page."
        ),
        render_kw={"autocomplete": "new-password"},
    )
    roles = ChoicesField(
        _l("Roles"),
        [InputRequired(message=_l("Choose one or more roles."))],
        description=_l("What the user may do. A user may hold several roles."),
    )
    cca = SelectField(
        _l("Cadre controlling authority"),
        validate_choice=False,
        description=_l("Only for a CCA approver: the authority whose nominations they decide."),
    )
    email = EmailField(
        _l("E-mail address"),
        [Optional(), Length(max=254, message=_l("Use at most 254 characters."))],
        description=_l("Where the user's messages and daily digest are sent. Leave empty for none."),
        render_kw={"autocomplete": "off", "maxlength": 254},
    )

    def __init__(self, ccas: Iterable[CCA], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.roles.choices = _role_choices(STAFF_ROLES)
        self.cca.choices = _cca_choices(ccas)


class PasswordForm(Form):
    """A new password an administrator sets for a user."""

    password = PasswordField(
        _l("New password"),
        [InputRequired(message=REQUIRED), Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
        description=_l("At least 8 characters. The user's API tokens stop working."),
        render_kw={"autocomplete": "new-password"},
    )


class ConfirmForm(Form):
    """A confirmation (deactivate, reactivate, unlock): nothing but the CSRF token."""


class CcaForm(Form):
    """A cadre controlling authority: code, name, and whether it must approve nominations."""

    code = StringField(
        _l("Code"),
        [InputRequired(message=REQUIRED), Length(max=32, message=_l("Use at most 32 characters."))],
        description=_l("A short code, such as KA-DPAR. It cannot change once officers or approvers use it."),
        render_kw={"maxlength": 32, "autocomplete": "off"},
    )
    name = StringField(
        _l("Name"),
        [InputRequired(message=REQUIRED), Length(max=200, message=_l("Use at most 200 characters."))],
        description=_l("The authority's name as officers know it."),
        render_kw={"maxlength": 200},
    )
    approval_required = BooleanField(
        _l("Nominations need this authority's approval"),
        description=_l(
            "When not ticked, the authority is only told of each application. A change applies to "
            "applications submitted from now on."
        ),
    )

    def body(self) -> dict[str, Any]:
        """What engine.services.accounts.add_cca and change_cca expect."""
        return {"code": self.code.data, "name": self.name.data, "approval_required": bool(self.approval_required.data)}


@dataclass(frozen=True)
class UsersQuery:
    """The users list's search, filters and page, from the query string; bad values are ignored."""

    filters: UserFilter
    page: int

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query arguments of this view (for links), with some changed."""
        active = None if self.filters.active is None else ("true" if self.filters.active else "false")
        current: dict[str, Any] = {"q": self.filters.search, "role": self.filters.role, "active": active}
        current["page"] = self.page
        current.update(changes)
        return {key: value for key, value in current.items() if value not in (None, "") and (key, value) != ("page", 1)}


def users_query(args: Mapping[str, str]) -> UsersQuery:
    """The search (q), role, status (active: true or false) and page of the users list."""
    role = (args.get("role") or "").strip()
    active = args.get("active")
    page = (args.get("page") or "").strip()
    return UsersQuery(
        UserFilter(
            search=(args.get("q") or "").strip()[:100] or None,
            role=role if role in ROLES else None,
            active=None if active not in ("true", "false") else active == "true",
        ),
        int(page) if page.isdigit() and 0 < len(page) < 8 and int(page) > 0 else 1,
    )
