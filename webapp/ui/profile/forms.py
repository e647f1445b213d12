"""The account forms: contact details, service details (the fields registration asks, checked
the same way) and a change of password."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import PasswordField
from wtforms.validators import EqualTo, InputRequired, Length

from engine.models import CCA
from engine.rules import SERVICES
from engine.services.people import MIN_PASSWORD_LENGTH
from webapp.ui.accounts.forms import RegistrationForm
from webapp.ui.forms import Form, iso_day
from webapp.ui.labels import service_name

REQUIRED = _l("Enter this.")


class ContactForm(Form):
    """How the programme reaches the officer; theirs to change at any time."""

    email = RegistrationForm.email
    mobile = RegistrationForm.mobile
    designation = RegistrationForm.designation
    edx_username = RegistrationForm.edx_username

    def body(self) -> dict[str, Any]:
        """What engine.services.profile.change_profile expects."""
        return {name: self[name].data for name in ("email", "mobile", "designation", "edx_username")}


class ServiceForm(Form):
    """Who the officer is in service terms: what the eligibility rules and the CCA read."""

    full_name = RegistrationForm.full_name
    service = RegistrationForm.service
    cca = RegistrationForm.cca
    date_of_joining = RegistrationForm.date_of_joining
    date_of_birth = RegistrationForm.date_of_birth

    def __init__(self, ccas: Iterable[CCA], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service.choices = [(code, service_name(code)) for code in SERVICES]
        self.cca.choices = [(cca.code, cca.name) for cca in ccas]

    def body(self) -> dict[str, Any]:
        """What engine.services.profile.change_profile expects (dates as ISO strings)."""
        return {
            "full_name": self.full_name.data,
            "service": self.service.data,
            "cca": self.cca.data,
            "date_of_joining": iso_day(self.date_of_joining.data),
            "date_of_birth": iso_day(self.date_of_birth.data),
        }


class OwnPasswordForm(Form):
    """A change of one's own password: the current one, and the new one twice."""

    current_password = PasswordField(
        _l("Current password"), [InputRequired(message=REQUIRED)], render_kw={"autocomplete": "current-password"}
    )
    new_password = PasswordField(
        _l("New password"),
        [InputRequired(message=REQUIRED), Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
        description=_l("At least 8 characters. Signing in elsewhere (and API tokens) will need it."),
        render_kw={"autocomplete": "new-password"},
    )
    new_password_again = PasswordField(
        _l("New password again"),
        [InputRequired(message=REQUIRED), EqualTo("new_password", message=_l("Type the same new password twice."))],
        render_kw={"autocomplete": "new-password"},
    )
