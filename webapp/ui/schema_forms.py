"""Forms from the JSON Schema files in forms/: fields to draw, and posted strings made typed.

An HTML form posts strings; the schema says what each field holds. `typed_data` turns the
strings into numbers, booleans and None (for empty) before the engine validates them, so
the server-side check in engine.forms is the same one the API gets. A string that is not
a number is passed on unchanged: the engine then reports it with the field's own message.
Dates are typed as DD-MM-YYYY on pages and sent to the engine as ISO dates; a date typed
otherwise is reported here, in the page's terms.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from webapp.ui.fields import Field, Option
from webapp.ui.formatting import DAY_FORMAT
from webapp.ui.forms import read_day
from webapp.ui.i18n import data_text

CHECKED = ("true", "on", "yes", "1")


def schema_fields(schema: Mapping[str, Any]) -> list[Field]:
    """One Field per schema property, in the schema's order, its texts in the reader's
    language where the catalogue has them (engine.form_texts extracts them).

    A field is marked required when the schema requires it, or its `else` does (required
    unless the form's `if` holds: the claim form's fields, unless the officer asks to
    correct the result first).
    """
    required = set(schema.get("required", [])) | set((schema.get("else") or {}).get("required", []))
    return [_field(name, prop, name in required) for name, prop in (schema.get("properties") or {}).items()]


def _field(name: str, prop: Mapping[str, Any], required: bool) -> Field:
    kind = _kind(prop)
    options: tuple[Option, ...] = ()
    if "enum" in prop:
        names = prop.get("enumNames") or prop["enum"]
        options = tuple(
            Option(str(value), data_text(str(label))) for value, label in zip(prop["enum"], names, strict=False)
        )
    numeric = prop.get("type") in ("number", "integer")
    return Field(
        name=name,
        label=data_text(str(prop.get("title") or name)),
        kind=kind,
        help=data_text(str(prop.get("description") or "")),
        required=required,
        options=options,
        accept=str(prop.get("x-accept") or ""),
        # What is tidied (x-tidy) may be typed longer than it is kept: "sbin 000 1234".
        max_length=prop.get("maxLength") if kind in ("text", "textarea") and "x-tidy" not in prop else None,
        minimum=prop.get("minimum") if numeric else None,
        maximum=prop.get("maximum") if numeric else None,
        step="1" if prop.get("type") == "integer" else "any",
    )


def _kind(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "radio" if prop.get("x-widget") == "radio" else "select"
    kind = prop.get("type")
    if kind in ("number", "integer"):
        return "number"
    if kind == "boolean":
        return "checkbox"
    if prop.get("format") == "date":
        return "date"
    if prop.get("format") == "upload":
        return "file"
    return "textarea" if prop.get("x-widget") == "textarea" else "text"


def upload_names(schema: Mapping[str, Any]) -> list[str]:
    """The properties that hold an upload id (the view stores the file first)."""
    return [name for name, prop in (schema.get("properties") or {}).items() if prop.get("format") == "upload"]


@dataclass
class Posted:
    """A task form as posted: `data` for the engine, `entered` (the strings to show back),
    and `errors` this layer found itself (dates not typed as DD-MM-YYYY)."""

    data: dict[str, Any] = field(default_factory=dict)
    entered: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def typed_data(schema: Mapping[str, Any], form: Mapping[str, str]) -> Posted:
    """The schema-typed values of a posted task form, the strings entered, and date errors.

    Uploads are left out: their value is the id of the stored file, which the view adds.
    """
    posted = Posted()
    data, entered = posted.data, posted.entered
    for name, prop in (schema.get("properties") or {}).items():
        if prop.get("format") == "upload":
            continue
        if prop.get("type") == "boolean":
            checked = form.get(name, "").strip().lower() in CHECKED
            data[name] = checked
            entered[name] = "true" if checked else ""
            continue
        text = form.get(name, "")
        entered[name] = text
        if not text.strip():
            data[name] = None
        elif prop.get("type") in ("number", "integer"):
            data[name] = _number(text)
        elif prop.get("format") == "date":
            day, problem = read_day(text)
            data[name] = day.isoformat() if day else text
            if problem:
                posted.errors[name] = problem
        else:
            data[name] = text
    return posted


def entered_values(schema: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    """What a form shows for values the officer sent before (a task's prefill), as the
    fields hold them: dates as DD-MM-YYYY, 72.0 as 72, a tick as "true". Uploads are left
    out: the page shows the stored file beside its field instead."""
    shown: dict[str, str] = {}
    for name, prop in (schema.get("properties") or {}).items():
        value = values.get(name)
        if value is None or prop.get("format") == "upload":
            continue
        if isinstance(value, bool):
            shown[name] = "true" if value else ""
        elif isinstance(value, float) and value.is_integer():
            shown[name] = str(int(value))
        elif prop.get("format") == "date" and isinstance(value, str):
            try:
                shown[name] = date.fromisoformat(value).strftime(DAY_FORMAT)
            except ValueError:
                shown[name] = value
        else:
            shown[name] = str(value)
    return shown


def upload_values(schema: Mapping[str, Any], values: Mapping[str, Any]) -> dict[str, str]:
    """The upload ids among values sent before, by field (the page shows those files)."""
    return {name: str(values[name]) for name in upload_names(schema) if isinstance(values.get(name), str)}


def _number(text: str) -> Any:
    """A number from what people type ("8,300", " 72.5 "), or the text when it is none."""
    cleaned = text.strip().replace(",", "")
    try:
        return int(cleaned)
    except ValueError:
        pass
    try:
        return float(cleaned)
    except ValueError:
        return text
