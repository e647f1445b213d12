"""Form fields as the templates draw them: one macro renders every field of every form.

A `Field` says what to draw (label, kind, help, options); `bind` adds what the person
entered and the error for it, so a form that failed shows the message beside each field
and keeps every value.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from wtforms import Field as FormField
from wtforms import Form

FORM_ERROR = "_form"


@dataclass(frozen=True)
class Option:
    """One choice of a radio group or a select."""

    value: str
    label: str


@dataclass(frozen=True)
class Field:
    """One form control.

    `kind` is one of: text, password, email, tel, textarea, number, date, radio, select,
    checkbox, file.
    """

    name: str
    label: str
    kind: str = "text"
    help: str = ""
    required: bool = False
    options: tuple[Option, ...] = ()
    autocomplete: str = ""
    accept: str = ""
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    value: str = ""
    error: str = ""
    attached_id: str = ""
    attached_name: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return f"field-{self.name}"

    @property
    def help_id(self) -> str:
        return f"{self.id}-help"

    @property
    def error_id(self) -> str:
        return f"{self.id}-error"

    @property
    def first_control_id(self) -> str:
        """Where an error summary link should land (the first radio of a group)."""
        return f"{self.id}-0" if self.kind == "radio" else self.id

    @property
    def described_by(self) -> str:
        """The ids of the help text and the error, for aria-describedby."""
        ids = [self.help_id] if self.help else []
        if self.error:
            ids.append(self.error_id)
        return " ".join(ids)


def bind(fields: Iterable[Field], values: Mapping[str, str], errors: Mapping[str, str]) -> list[Field]:
    """The fields with the entered values and the errors of the last submission."""
    return [replace(item, value=values.get(item.name, item.value), error=errors.get(item.name, "")) for item in fields]


def unplaced_errors(fields: Iterable[Field], errors: Mapping[str, str]) -> list[str]:
    """Errors that belong to no field of the form (the `_form` key, unknown names)."""
    names = {item.name for item in fields}
    return [message for key, message in errors.items() if key not in names]


# How a WTForms field type is drawn; hidden fields and the CSRF token are drawn by the template.
KINDS: dict[str, str] = {
    "StringField": "text",
    "DayField": "text",  # a date typed DD-MM-YYYY (webapp/ui/runs/forms.py)
    "PasswordField": "password",
    "EmailField": "email",
    "TelField": "tel",
    "TextAreaField": "textarea",
    "DateField": "date",
    "SelectField": "select",
    "RadioField": "radio",
    "BooleanField": "checkbox",
    "IntegerField": "number",
    "DecimalField": "number",
}


def form_fields(form: Form) -> list[Field]:
    """The visible fields of a WTForms form as the field macro draws them: label, help (the
    field's description), what was entered and the first error of each."""
    return [_from_wtforms(item) for item in form if item.type in KINDS]


def _from_wtforms(item: FormField) -> Field:
    attributes: dict[str, Any] = dict(item.render_kw or {})
    kind = KINDS[item.type]
    options: tuple[Option, ...] = ()
    if kind in ("select", "radio"):
        options = tuple(Option(str(value), str(label)) for value, label, *_rest in item.iter_choices())
    if kind == "checkbox":
        value = "true" if item.data else ""
    elif kind == "password":
        value = ""
    elif kind in ("select", "radio"):
        value = "" if item.data is None else str(item.data)
    else:
        value = str(item._value())
    return Field(
        name=item.name,
        label=str(item.label.text),
        kind=kind,
        help=str(item.description or ""),
        required=bool(item.flags.required),
        options=options,
        autocomplete=str(attributes.get("autocomplete", "")),
        max_length=attributes.get("maxlength"),
        value=value,
        error=str(item.errors[0]) if item.errors else "",
    )


def attach_errors(form: Form, errors: Mapping[str, str]) -> dict[str, str]:
    """Put the engine's field errors on the form's fields; return those that match no field."""
    unplaced: dict[str, str] = {}
    for name, message in errors.items():
        if name in form:
            form[name].errors = [message]
        else:
            unplaced[name] = message
    return unplaced
