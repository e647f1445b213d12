"""The sign-in, registration and language forms (WTForms; Flask-WTF adds the CSRF token).

The forms check what a page can check (something entered, lengths, choices); the rules of
the programme stay in engine.services.people, whose errors are put beside the fields.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import EmailField, HiddenField, PasswordField, SelectField, StringField, TelField
from wtforms.validators import EqualTo, InputRequired, Length, Regexp

from engine.models import CCA
from engine.rules import SERVICES
from engine.services.people import MIN_PASSWORD_LENGTH
from webapp.ui.forms import DayField, Form, iso_day
from webapp.ui.labels import service_name

REQUIRED = _l("Enter this.")
CHOOSE = _l("Choose one.")


def _required(message: Any = REQUIRED) -> InputRequired:
    return InputRequired(message=message)


class SignInForm(Form):
    """Username and password; `next` is the page to go to afterwards."""

    next = HiddenField()
    username = StringField(_l("Username"), [_required()], render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), [_required()], render_kw={"autocomplete": "current-password"})


class RegistrationForm(Form):
    """An officer's registration; the CCA choices come from the database, through the constructor."""

    username = StringField(
        _l("Username"),
        [
            _required(),
            Length(max=64, message=_l("Use at most 64 characters.")),
            Regexp(r"^[A-Za-z0-9._-]+$", message=_l("Use letters, digits, '.', '_' or '-' only.")),
        ],
        description=_l("1 to 64 letters, digits, '.', '_' or '-'. You will sign in with it."),
        render_kw={"autocomplete": "username", "maxlength": 64},
    )
    password = PasswordField(
        _l("Password"),
        [_required(), Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    full_name = StringField(
        _l("Full name"),
        [_required(), Length(max=200, message=_l("Use at most 200 characters."))],
        render_kw={"autocomplete": "name", "maxlength": 200},
    )
    email = EmailField(
        _l("E-mail address"),
        [_required(), Length(max=254, message=_l("Use at most 254 characters."))],
        description=_l("Your official e-mail address, such as name@gov.in."),
        render_kw={"autocomplete": "email", "maxlength": 254},
    )
    mobile = TelField(
        _l("Mobile number"),
        [_required(), Length(max=20, message=_l("Use at most 20 characters."))],
        description=_l("10 to 15 digits, optionally starting with +."),
        render_kw={"autocomplete": "tel", "maxlength": 20},
    )
    service = SelectField(_l("Service"), [_required(CHOOSE)], validate_choice=False)
    cca = SelectField(
        _l("Cadre controlling authority"),
        [_required(CHOOSE)],
        validate_choice=False,
        description=_l("The authority that controls your cadre; it is told of (or approves) your application."),
    )
    designation = StringField(
        _l("Designation"),
        [_required(), Length(max=200, message=_l("Use at most 200 characters."))],
        render_kw={"autocomplete": "organization-title", "maxlength": 200},
    )
    date_of_joining = DayField(
        _l("Date of joining the service"),
        [_required()],
        description=_l("Eligibility starts two years after the end of the year you joined."),
    )
    date_of_birth = DayField(
        _l("Date of birth"),
        [_required()],
        description=_l("The upper age limit is 56 years on 1 July of the year the course starts."),
        render_kw={"autocomplete": "bday"},
    )
    edx_username = StringField(
        _l("edX username"),
        [_required(), Length(max=100, message=_l("Use at most 100 characters."))],
        description=_l("The username of your account on edx.org, where the courses run."),
        render_kw={"maxlength": 100},
    )

    def __init__(self, ccas: Iterable[CCA], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service.choices = [(code, service_name(code)) for code in SERVICES]
        self.cca.choices = [(cca.code, cca.name) for cca in ccas]

    def body(self) -> dict[str, Any]:
        """What engine.services.people.register_officer expects (dates as ISO strings)."""
        body: dict[str, Any] = {
            name: self[name].data for name in ("username", "password", "full_name", "email", "mobile")
        }
        body.update(
            service=self.service.data,
            cca=self.cca.data,
            designation=self.designation.data,
            date_of_joining=iso_day(self.date_of_joining.data),
            date_of_birth=iso_day(self.date_of_birth.data),
            edx_username=self.edx_username.data,
        )
        return body


class LanguageForm(Form):
    """The language switch: a button per language, and the page to return to."""

    next = HiddenField()


class ForgotPasswordForm(Form):
    """The e-mail address of the account whose password is forgotten."""

    email = EmailField(
        _l("E-mail address"),
        [_required(), Length(max=254, message=_l("Use at most 254 characters."))],
        render_kw={"autocomplete": "email", "maxlength": 254},
    )


class NewPasswordForm(Form):
    """A new password, typed twice."""

    password = PasswordField(
        _l("New password"),
        [_required(), Length(min=MIN_PASSWORD_LENGTH, message=_l("Use at least 8 characters."))],
        description=_l("At least 8 characters."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("New password again"),
        [_required(), EqualTo("password", message=_l("The two passwords differ."))],
        render_kw={"autocomplete": "new-password"},
    )
