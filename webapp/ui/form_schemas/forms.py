"""The form editor's form: what a process owner may change in a form's JSON Schema (titles,
descriptions, options, bounds, required), read from the posted fields and applied to the schema.

Everything else of the schema (field names, types, patterns, widgets) is kept as it is: scripts
and rules read the field names and values, so they are not edited here.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext as _

MAX_TEXT = 2000
MAX_OPTIONS = 50


@dataclass
class PropertyEdit:
    """One field of the form as the editor shows it; `kind` says which bounds apply:
    choice (enum options), number (minimum, maximum), text (maximum length) or other."""

    name: str
    kind: str
    title: str = ""
    description: str = ""
    required: bool = False
    options: str = ""
    minimum: str = ""
    maximum: str = ""
    max_length: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    def input_id(self, part: str) -> str:
        return f"p-{self.name}-{part}"

    def input_name(self, part: str) -> str:
        return f"p.{self.name}.{part}"


@dataclass
class SchemaEdit:
    """The whole form as the editor shows it, with the deploy's comment."""

    title: str
    description: str
    properties: list[PropertyEdit]
    comment: str = ""
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def problems(self) -> list[tuple[str, str]]:
        """(input id, message) of every error, for the error summary."""
        found = [(f"form-{key}", message) for key, message in self.errors.items()]
        for prop in self.properties:
            found.extend((prop.input_id(part), message) for part, message in prop.errors.items())
        return found


def _kind(prop: Mapping[str, Any]) -> str:
    if "enum" in prop:
        return "choice" if prop.get("type") == "string" else "other"
    if prop.get("type") in ("number", "integer"):
        return "number"
    if prop.get("type") == "string" and prop.get("format") not in ("upload", "date"):
        return "text"
    return "other"


def _number_text(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    return str(int(value)) if float(value).is_integer() else str(value)


def _options_text(prop: Mapping[str, Any]) -> str:
    values = [str(value) for value in prop.get("enum", [])]
    labels = [str(label) for label in prop.get("enumNames", values)]
    return "\n".join(f"{value} = {label}" for value, label in zip(values, labels, strict=False))


def edit_of(schema: Mapping[str, Any]) -> SchemaEdit:
    """The editor's view of a schema as deployed."""
    required = set(schema.get("required", []))
    return SchemaEdit(
        title=str(schema.get("title", "")),
        description=str(schema.get("description", "")),
        properties=[
            PropertyEdit(
                name=name,
                kind=_kind(prop),
                title=str(prop.get("title", "")),
                description=str(prop.get("description", "")),
                required=name in required,
                options=_options_text(prop),
                minimum=_number_text(prop.get("minimum")),
                maximum=_number_text(prop.get("maximum")),
                max_length=_number_text(prop.get("maxLength")),
            )
            for name, prop in (schema.get("properties") or {}).items()
        ],
    )


def read_edit(schema: Mapping[str, Any], posted: Mapping[str, str]) -> SchemaEdit:
    """The editor's fields as posted (the schema's own fields only; anything else is ignored),
    each checked: texts not too long, a title for the form and each field, options as
    `value = label` lines, bounds as numbers."""
    edit = edit_of(schema)
    edit.title = _text(posted.get("form_title", ""), "title", edit.errors)
    edit.description = _text(posted.get("form_description", ""), "description", edit.errors)
    edit.comment = (posted.get("comment") or "").strip()
    for prop in edit.properties:
        prop.title = _text(posted.get(prop.input_name("title"), ""), "title", prop.errors)
        if not prop.title:
            prop.errors["title"] = _("Give the field a title: it is what people see beside the field.")
        prop.description = _text(posted.get(prop.input_name("description"), ""), "description", prop.errors)
        prop.required = posted.get(prop.input_name("required"), "") in ("yes", "on", "true")
        if prop.kind == "choice":
            prop.options = posted.get(prop.input_name("options"), "").replace("\r\n", "\n").strip()
            _options(prop.options, prop.errors)
        if prop.kind == "number":
            prop.minimum = posted.get(prop.input_name("minimum"), "").strip()
            prop.maximum = posted.get(prop.input_name("maximum"), "").strip()
            low, high = _number(prop.minimum, "minimum", prop.errors), _number(prop.maximum, "maximum", prop.errors)
            if low is not None and high is not None and low > high:
                prop.errors["maximum"] = _("The largest value must not be below the smallest.")
        if prop.kind == "text":
            prop.max_length = posted.get(prop.input_name("max_length"), "").strip()
            _whole(prop.max_length, "max_length", prop.errors)
    if not edit.title:
        edit.errors["title"] = _("Give the form a title.")
    return edit


def edited_schema(schema: Mapping[str, Any], edit: SchemaEdit) -> dict[str, Any]:
    """The schema with the edit applied (call only when the edit has no errors)."""
    result = copy.deepcopy(dict(schema))
    _set(result, "title", edit.title)
    _set(result, "description", edit.description)
    properties = result.get("properties") or {}
    for prop in edit.properties:
        target = properties[prop.name]
        _set(target, "title", prop.title)
        _set(target, "description", prop.description)
        if prop.kind == "choice":
            values, labels = _options(prop.options, {})
            target["enum"] = values
            target["enumNames"] = labels
        if prop.kind == "number":
            _set(target, "minimum", _number(prop.minimum, "minimum", {}))
            _set(target, "maximum", _number(prop.maximum, "maximum", {}))
        if prop.kind == "text":
            _set(target, "maxLength", _whole(prop.max_length, "max_length", {}))
    required = [name for name in properties if any(p.name == name and p.required for p in edit.properties)]
    _set(result, "required", required or None)
    return result


def _set(target: dict[str, Any], key: str, value: Any) -> None:
    if value is None or value == "":
        target.pop(key, None)
    else:
        target[key] = value


def _text(value: str, part: str, errors: dict[str, str]) -> str:
    text = value.replace("\r\n", "\n").strip()
    if len(text) > MAX_TEXT:
        errors[part] = _("At most %(count)d characters.", count=MAX_TEXT)
    return text


def _options(text: str, errors: dict[str, str]) -> tuple[list[str], list[str]]:
    values: list[str] = []
    labels: list[str] = []
    for number, line in enumerate((line.strip() for line in text.split("\n") if line.strip()), start=1):
        value, separator, label = line.partition("=")
        value, label = value.strip(), label.strip()
        if not separator or not value or not label:
            errors["options"] = _("Line %(line)d: write each option as “value = label”.", line=number)
            break
        if value in values:
            errors["options"] = _("Line %(line)d: the value “%(value)s” is given twice.", line=number, value=value)
            break
        values.append(value)
        labels.append(label)
    if "options" not in errors and not values:
        errors["options"] = _("Give at least one option.")
    if len(values) > MAX_OPTIONS:
        errors["options"] = _("At most %(count)d options.", count=MAX_OPTIONS)
    return values, labels


def _number(text: str, part: str, errors: dict[str, str]) -> float | int | None:
    if not text:
        return None
    try:
        value = float(text.replace(",", ""))
    except ValueError:
        errors[part] = _("Enter a number, or leave it empty.")
        return None
    if not math.isfinite(value):
        errors[part] = _("Enter a number, or leave it empty.")
        return None
    return int(value) if value.is_integer() else value


def _whole(text: str, part: str, errors: dict[str, str]) -> int | None:
    if not text:
        return None
    if not text.isascii() or not text.isdigit() or not 0 < int(text) <= 100_000:
        errors[part] = _("Enter a whole number from 1 to 100,000, or leave it empty.")
        return None
    return int(text)
