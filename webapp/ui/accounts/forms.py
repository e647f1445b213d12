"""The sign-in and registration forms: their fields and how a post becomes a service call."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from engine.models import CCA
from engine.rules import SERVICES
from engine.services.people import PROFILE_FIELDS
from webapp.ui.fields import Field, Option

SIGN_IN_FIELDS: tuple[Field, ...] = (
    Field("username", "Username", required=True, autocomplete="username"),
    Field("password", "Password", kind="password", required=True, autocomplete="current-password"),
)


def registration_fields(ccas: Iterable[CCA]) -> list[Field]:
    """The officer registration form; the CCA list comes from the database."""
    return [
        Field(
            "username",
            "Username",
            required=True,
            autocomplete="username",
            max_length=64,
            help="1 to 64 letters, digits, '.', '_' or '-'. You will sign in with it.",
        ),
        Field(
            "password",
            "Password",
            kind="password",
            required=True,
            autocomplete="new-password",
            help="At least 8 characters.",
        ),
        Field("full_name", "Full name", required=True, autocomplete="name", max_length=200),
        Field(
            "email",
            "E-mail address",
            kind="email",
            required=True,
            autocomplete="email",
            max_length=254,
            help="Your official e-mail address, such as name@gov.in.",
        ),
        Field(
            "mobile",
            "Mobile number",
            kind="tel",
            required=True,
            autocomplete="tel",
            max_length=20,
            help="10 to 15 digits, optionally starting with +.",
        ),
        Field(
            "service",
            "Service",
            kind="select",
            required=True,
            options=tuple(Option(code, f"{name} ({code})") for code, name in SERVICES.items()),
        ),
        Field(
            "cca",
            "Cadre controlling authority",
            kind="select",
            required=True,
            options=tuple(Option(cca.code, cca.name) for cca in ccas),
            help="The authority that controls your cadre; it is told of (or approves) your application.",
        ),
        Field("designation", "Designation", required=True, autocomplete="organization-title", max_length=200),
        Field(
            "date_of_joining",
            "Date of joining the service",
            kind="date",
            required=True,
            help="Eligibility starts two years after the end of the year you joined.",
        ),
        Field(
            "date_of_birth",
            "Date of birth",
            kind="date",
            required=True,
            autocomplete="bday",
            help="The upper age limit is 56 years on 1 July of the year the course starts.",
        ),
        Field(
            "edx_username",
            "edX username",
            required=True,
            max_length=100,
            help="The username of your account on edx.org, where the courses run.",
        ),
    ]


REGISTRATION_NAMES = ("username", "password", *PROFILE_FIELDS)


def registration_body(form: Mapping[str, str]) -> dict[str, Any]:
    """What engine.services.people.register_officer expects, from the posted strings."""
    return {name: form.get(name, "") for name in REGISTRATION_NAMES}


def entered_values(body: Mapping[str, Any]) -> dict[str, str]:
    """The values to show back after an error; a password is never sent back."""
    return {name: str(value) for name, value in body.items() if name != "password"}
