"""Loading user-task forms (JSON Schema files in forms/) and validating what people submit.

Every completed task is validated here on the server, whatever the client: the API, the
server-rendered form, or a future mobile app. The schema says what each field may hold;
the few rules that tie fields together (remarks when rejecting, a certificate when it was
earned, the run's reimbursement cap) live in this module, next to the schema check, so
that one call gives an officer every problem with their form at once, in words they
understand.
"""

from __future__ import annotations

import copy
import json
import math
import re
from collections.abc import Iterator, Mapping
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import ValidationError

from engine.form_patterns import FormValidator
from engine.i18n import N_, Message
from engine.rules import check_certificate, check_paid_on, check_payment_amount

FORM_ERROR = "_form"
"""The errors key for problems that belong to no single field."""

REQUIRED = N_("This field is required")
UNKNOWN_FIELD = N_("Unknown field")
REMARKS_REQUIRED = N_("Give your remarks: they are required when you reject or return")
CERTIFICATE_REQUIRED = N_(
    "Upload your course certificate: a grade of 50 or more with the proctored exam passed earns one"
)
PAID_ON_IN_FUTURE = N_("The date of payment cannot be in the future (the date in India today)")
AMOUNT_DIFFERS_CONFIRM = N_(
    "The rupees differ by more than 2 per cent from the USD claimed × the exchange rate: correct the amount "
    "or the rate, or tick the confirmation to record the payment as it is"
)
AMOUNT_DIFFERS = N_("The rupees must be within 2 per cent of the USD claimed × the exchange rate")

CONFIRM_DIFFERENCE = "confirm_difference"
"""The field of a payment form with which a person confirms rupees more than 2 % off."""

_FORM_FILENAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*\.schema\.json")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

# Patterns mean nothing to an officer; each one used in forms/ gets a sentence instead.
_PATTERN_MESSAGES: Mapping[str, str] = {
    "^[0-9]{9,18}$": N_("Must be 9 to 18 digits"),
    "^[A-Z]{4}0[A-Z0-9]{6}$": N_("IFSC is 4 letters, 0, then 6 letters or digits (e.g. SBIN0001234)"),
    "^[A-Za-z0-9-]{4,64}$": N_("Use 4 to 64 letters, digits or hyphens"),
}

_DECISIONS_NEEDING_REMARKS = ("reject", "return")

_FORMAT_CHECKER = FormatChecker(formats=())


@_FORMAT_CHECKER.checks("date", raises=ValueError)
def _is_calendar_date(value: object) -> bool:
    """YYYY-MM-DD naming a day that exists (no 30 February, no 2027-2-3)."""
    if not isinstance(value, str):
        return True  # the `type` keyword reports non-strings
    if not _ISO_DATE.fullmatch(value):
        return False
    date.fromisoformat(value)
    return True


class FormNotFound(LookupError):
    """No form of that name in the forms folder, or a name that could reach outside it."""


def is_form_filename(filename: str) -> bool:
    """True for a plain form file name: letters, digits, `_`, `.`, `-`, ending in `.schema.json`."""
    return bool(_FORM_FILENAME.fullmatch(filename))


def load_form(forms_dir: Path, filename: str) -> dict[str, Any]:
    """Return the JSON Schema in `forms_dir/filename`, checked to be a valid schema.

    `filename` comes from BPMN files that process owners upload, so it must be a plain
    name ending in `.schema.json` that resolves inside `forms_dir` (no `../`, no absolute
    path, no symlink out). Parsed schemas are cached by file modification time, so an
    edited form is picked up without a restart; each caller gets its own copy, so no
    caller can change another's.

    Raises `FormNotFound` for a bad or missing name, and `jsonschema.SchemaError` for a
    file that is not a valid Draft 2020-12 schema.
    """
    if not is_form_filename(filename):
        raise FormNotFound(filename)
    directory = forms_dir.resolve()
    path = (directory / filename).resolve()
    if path.parent != directory or not path.is_file():
        raise FormNotFound(filename)
    status = path.stat()
    return copy.deepcopy(_read_form(path, status.st_mtime_ns, status.st_size))


@lru_cache(maxsize=128)
def _read_form(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    """Parse and check one schema file; the mtime and size only key the cache."""
    schema: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    return schema


def validate_form(
    schema: Mapping[str, Any],
    data: Any,
    *,
    context: Mapping[str, Any] | None = None,
) -> tuple[dict[str, Any], dict[str, str]]:
    """Check submitted form data; return `(cleaned_data, errors)`.

    `errors` maps every bad field to one message for the person filling the form (key
    `_form` for problems with no field); it is empty when the data is good. Every field is
    reported, not only the first, so a form is fixed in one round trip.

    Strings are stripped first, and blank strings and nulls count as not given, so a
    required field filled with spaces is "required", not accepted. A property may ask for
    more tidying with `x-tidy`, a list of `"no-spaces"` (every space removed: an account
    number typed in groups) and `"upper-case"` (an IFSC typed in lower case), applied
    before the schema is checked, so what people type in a natural way is taken rather
    than refused. `cleaned_data` holds every property of the schema, None where nothing
    was given.

    A schema may make fields required unless a condition holds, with `if` and `else`
    (the claim form: everything is required unless the officer ticks "correct my result");
    each field missing is named, as for the top-level `required`.

    `context` carries what the schema cannot know: `reimbursement_cap_usd`, the run's cap,
    replaces the schema's default maximum for `amount_paid_usd`; `today` (a date, the day
    in India) refuses a `paid_on` after it; `claimed_usd` (the USD amount of the claim
    being paid) requires `amount_inr` to be within 2 % of it x `exchange_rate`, unless the
    form has a `confirm_difference` box and it is ticked (engine.rules.check_payment_amount).
    """
    properties: Mapping[str, Any] = schema.get("properties", {})
    if not isinstance(data, Mapping):
        return (
            dict.fromkeys(properties),
            {FORM_ERROR: "Send the form's fields as a JSON object"},
        )
    submitted = _tidy(data, properties)
    context = context or {}
    cap = context.get("reimbursement_cap_usd")
    effective = _without_default_cap(schema) if cap is not None else schema

    errors: dict[str, str] = {}
    # RE2 runs the patterns (engine.form_patterns): no pattern can hold a worker.
    validator = FormValidator(effective, format_checker=_FORMAT_CHECKER)
    for error in validator.iter_errors(submitted):
        for field, message in _describe(error, effective, submitted):
            errors.setdefault(field, message)
    for field, message in _non_finite_numbers(submitted, properties):
        errors.setdefault(field, message)
    for field, message in _cross_field_errors(submitted, properties, errors, cap):
        errors.setdefault(field, message)
    for field, message in _payment_errors(submitted, properties, errors, context):
        errors.setdefault(field, message)

    cleaned = {name: submitted.get(name) for name in properties}
    return cleaned, _in_form_order(errors, properties)


TIDY_STEPS = ("no-spaces", "upper-case")
"""What `x-tidy` may ask for, in the order they apply."""


def _tidy(data: Mapping[Any, Any], properties: Mapping[str, Any]) -> dict[str, Any]:
    """Strip strings and apply each property's `x-tidy`; drop nulls and blank strings, which
    mean "not given" on a form."""
    tidy: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, str):
            value = _tidy_text(value.strip(), properties.get(str(key)))
        if value is None or value == "":
            continue
        tidy[str(key)] = value
    return tidy


def _tidy_text(value: str, prop: Any) -> str:
    steps = prop.get("x-tidy") if isinstance(prop, Mapping) else None
    if not isinstance(steps, list):
        return value
    if "no-spaces" in steps:
        value = "".join(value.split())
    if "upper-case" in steps:
        value = value.upper()
    return value


def _without_default_cap(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema with `amount_paid_usd`'s default maximum removed.

    The run's own cap is checked in `_cross_field_errors` instead, with a message that
    names it; keeping both would refuse amounts between USD 100 and a higher cap.
    """
    if "amount_paid_usd" not in schema.get("properties", {}):
        return schema
    effective = copy.deepcopy(dict(schema))
    effective["properties"]["amount_paid_usd"].pop("maximum", None)
    return effective


def _describe(
    error: ValidationError,
    schema: Mapping[str, Any],
    submitted: Mapping[str, Any],
) -> Iterator[tuple[str, str]]:
    """Turn one jsonschema error into (field, message) pairs an officer can act on.

    One `required` or `additionalProperties` error covers several fields; each of them
    gets its own entry.
    """
    properties: Mapping[str, Any] = schema.get("properties", {})
    if error.absolute_path:
        field = str(error.absolute_path[0])
        yield field, _field_message(properties.get(field, {}), str(error.validator))
    elif error.validator == "required":
        # The list of the schema (or of its `else`) that was not met.
        names = error.validator_value if isinstance(error.validator_value, list) else []
        for name in names:
            if name not in submitted:
                yield name, REQUIRED
    elif error.validator == "additionalProperties":
        for name in submitted:
            if name not in properties:
                yield name, UNKNOWN_FIELD
    else:
        yield FORM_ERROR, N_("These fields do not fit together; check the form")


def _field_message(prop: Mapping[str, Any], keyword: str) -> str:
    """The message for a bad value, from what the field accepts rather than which keyword
    failed: "Enter a number between 0 and 100" helps whether the value was -1 or "abc".
    """
    if prop.get("const") is True or keyword == "const":
        return N_("Tick the box to confirm")
    if "enum" in prop:
        return Message(
            N_("Choose one of: %(options)s"), {"options": ", ".join(str(option) for option in prop["enum"])}
        ).text()
    kind = prop.get("type")
    if kind in ("number", "integer"):
        return _range_message(prop)
    if kind == "string":
        if prop.get("format") == "date":
            return N_("Enter a real date as YYYY-MM-DD")
        if "pattern" in prop:
            return _PATTERN_MESSAGES.get(prop["pattern"], N_("Not in the expected form"))
        if keyword == "maxLength":
            return Message(N_("Use at most %(count)s characters"), {"count": prop["maxLength"]}).text()
        return N_("Enter text")
    if kind == "boolean":
        return N_("Choose yes or no")
    return N_("This value is not valid here")


def _range_message(prop: Mapping[str, Any]) -> str:
    low = prop.get("minimum")
    above = prop.get("exclusiveMinimum")
    high = prop.get("maximum")
    if low is not None and high is not None:
        return Message(
            N_("Enter a number between %(low)s and %(high)s"), {"low": _number(low), "high": _number(high)}
        ).text()
    if above is not None and high is not None:
        return Message(
            N_("Enter a number more than %(low)s and at most %(high)s"), {"low": _number(above), "high": _number(high)}
        ).text()
    if above is not None:
        return Message(N_("Enter a number more than %(low)s"), {"low": _number(above)}).text()
    if low is not None:
        return Message(N_("Enter a number of at least %(low)s"), {"low": _number(low)}).text()
    if high is not None:
        return Message(N_("Enter a number at most %(high)s"), {"high": _number(high)}).text()
    return N_("Enter a number")


def _non_finite_numbers(submitted: Mapping[str, Any], properties: Mapping[str, Any]) -> Iterator[tuple[str, str]]:
    """NaN and infinity pass JSON Schema's bounds (NaN compares false) but are no amount."""
    for name, value in submitted.items():
        if isinstance(value, float) and not math.isfinite(value) and name in properties:
            yield name, _range_message(properties[name])


def _cross_field_errors(
    submitted: Mapping[str, Any],
    properties: Mapping[str, Any],
    errors: Mapping[str, str],
    cap: Any,
) -> Iterator[tuple[str, str]]:
    """Rules that tie fields together, checked only on fields that are valid alone."""

    def usable(*names: str) -> bool:
        return all(name in properties and name not in errors for name in names)

    if (
        usable("decision", "remarks")
        and submitted.get("decision") in _DECISIONS_NEEDING_REMARKS
        and "remarks" not in submitted
    ):
        yield "remarks", REMARKS_REQUIRED

    if (
        usable("final_grade", "proctored_exam", "certificate_upload")
        and "final_grade" in submitted
        and "proctored_exam" in submitted
        and "certificate_upload" not in submitted
        and check_certificate(submitted["final_grade"], submitted["proctored_exam"])["passed"]
    ):
        yield "certificate_upload", CERTIFICATE_REQUIRED

    if (
        cap is not None
        and usable("amount_paid_usd")
        and "amount_paid_usd" in submitted
        and submitted["amount_paid_usd"] > cap
    ):
        yield "amount_paid_usd", _over_cap_message(cap)


def claim_context(task_data: Mapping[str, Any]) -> dict[str, Any]:
    """The `claimed_usd` context of `validate_form` from a task's data: the USD amount of the
    claim the task pays (its `amount_paid_usd`), when the data holds one."""
    claimed = task_data.get("amount_paid_usd")
    if isinstance(claimed, int | float) and not isinstance(claimed, bool):
        return {"claimed_usd": claimed}
    return {}


def _payment_errors(
    submitted: Mapping[str, Any],
    properties: Mapping[str, Any],
    errors: Mapping[str, str],
    context: Mapping[str, Any],
) -> Iterator[tuple[str, str]]:
    """A payment is not dated in the future, and its rupees match the claim (or are confirmed)."""

    def given(*names: str) -> bool:
        return all(name in properties and name not in errors and name in submitted for name in names)

    today = context.get("today")
    if isinstance(today, date) and given("paid_on") and not check_paid_on(submitted["paid_on"], today).passed:
        yield "paid_on", PAID_ON_IN_FUTURE

    claimed = context.get("claimed_usd")
    if not isinstance(claimed, int | float) or isinstance(claimed, bool) or not given("amount_inr", "exchange_rate"):
        return
    verdict = check_payment_amount(float(claimed), float(submitted["exchange_rate"]), float(submitted["amount_inr"]))
    if verdict.passed:
        return
    if CONFIRM_DIFFERENCE not in properties:
        yield "amount_inr", AMOUNT_DIFFERS
    elif submitted.get(CONFIRM_DIFFERENCE) is not True:
        yield "amount_inr", AMOUNT_DIFFERS_CONFIRM


def _over_cap_message(cap: Any) -> str:
    return Message(
        N_("Enter an amount of at most USD %(cap)s, the reimbursement limit for this course run"),
        {"cap": f"{cap:,.2f}"},
    ).text()


def _in_form_order(errors: Mapping[str, str], properties: Mapping[str, Any]) -> dict[str, str]:
    """Form-wide errors first, then fields in the form's order, then unknown fields."""
    rank = {FORM_ERROR: -1} | {name: index for index, name in enumerate(properties)}
    return dict(sorted(errors.items(), key=lambda item: rank.get(item[0], len(properties))))


def _number(value: float) -> str:
    """Bounds as people write them: 100, not 100.0 or 1e+02."""
    return format(value, ".15g")
