"""Forms from the JSON Schema files in forms/: fields to draw, and posted strings made typed.

An HTML form posts strings; the schema says what each field holds. `typed_data` turns the
strings into numbers, booleans and None (for empty) before the engine validates them, so
the server-side check in engine.forms is the same one the API gets. A string that is not
a number is passed on unchanged: the engine then reports it with the field's own message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from webapp.ui.fields import Field, Option

CHECKED = ("true", "on", "yes", "1")


def schema_fields(schema: Mapping[str, Any]) -> list[Field]:
    """One Field per schema property, in the schema's order."""
    required = set(schema.get("required", []))
    return [_field(name, prop, name in required) for name, prop in (schema.get("properties") or {}).items()]


def _field(name: str, prop: Mapping[str, Any], required: bool) -> Field:
    kind = _kind(prop)
    options: tuple[Option, ...] = ()
    if "enum" in prop:
        names = prop.get("enumNames") or prop["enum"]
        options = tuple(Option(str(value), str(label)) for value, label in zip(prop["enum"], names, strict=False))
    numeric = prop.get("type") in ("number", "integer")
    return Field(
        name=name,
        label=str(prop.get("title") or name),
        kind=kind,
        help=str(prop.get("description") or ""),
        required=required,
        options=options,
        accept=str(prop.get("x-accept") or ""),
        max_length=prop.get("maxLength") if kind in ("text", "textarea") else None,
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


def typed_data(schema: Mapping[str, Any], form: Mapping[str, str]) -> tuple[dict[str, Any], dict[str, str]]:
    """`(data, entered)`: the schema-typed values, and the strings to show back on an error.

    Uploads are left out: their value is the id of the stored file, which the view adds.
    """
    data: dict[str, Any] = {}
    entered: dict[str, str] = {}
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
        else:
            data[name] = text
    return data, entered


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
