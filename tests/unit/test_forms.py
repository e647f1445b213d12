"""The user-task forms in forms/ and the server-side validation of what people submit."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError

from engine.forms import (
    CERTIFICATE_REQUIRED,
    REMARKS_REQUIRED,
    REQUIRED,
    UNKNOWN_FIELD,
    FormNotFound,
    load_form,
    validate_form,
)

FORMS_DIR = Path(__file__).resolve().parents[2] / "forms"

# One complete, valid submission per form of API.md's table of user tasks.
VALID: dict[str, dict[str, Any]] = {
    "cca_approval": {"decision": "approve"},
    "respond_clarification": {"response": "I joined the service on 24-08-2015."},
    "dopt_confirmation": {"decision": "confirm"},
    "issue_coupon": {"coupon_code": "DEDP-2027-0001"},
    "report_result": {
        "final_grade": 72.5,
        "proctored_exam": "passed",
        "certificate_upload": "u-41",
    },
    "submit_claim": {
        "amount_paid_usd": 100,
        "payment_proof_upload": "u-42",
        "bank_account_number": "001234567890",
        "ifsc": "SBIN0001234",
        "declaration": True,
    },
    "verify_claim": {"decision": "approve"},
    "record_payment": {
        "sanction_number": "T-16017/42/2027-Trg",
        "paid_on": "2027-11-03",
        "amount_inr": 8350.0,
        "exchange_rate": 83.5,
        "payment_reference": "PFMS-99887766",
    },
}
FORM_NAMES = sorted(VALID)


def form(name: str) -> dict[str, Any]:
    return load_form(FORMS_DIR, f"{name}.schema.json")


def errors_for(name: str, context: dict[str, Any] | None = None, **changes: Any) -> dict[str, str]:
    """Errors for the valid submission of form `name`, with `changes` applied."""
    return validate_form(form(name), VALID[name] | changes, context=context)[1]


def claim_without(field: str) -> dict[str, Any]:
    return {key: value for key, value in VALID["submit_claim"].items() if key != field}


def properties_of(name: str) -> list[tuple[str, dict[str, Any]]]:
    return list(form(name)["properties"].items())


# The schema files


@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_is_a_valid_draft_2020_12_schema(name: str) -> None:
    schema = form(name)
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_has_a_title_and_description(name: str) -> None:
    schema = form(name)
    assert schema["title"] and schema["description"]


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_field_has_a_title_and_description(name: str) -> None:
    for field, prop in properties_of(name):
        assert prop.get("title") and prop.get("description"), field


@pytest.mark.parametrize("name", FORM_NAMES)
def test_form_forbids_unknown_fields(name: str) -> None:
    assert form(name)["additionalProperties"] is False


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_required_field_is_a_field_of_the_form(name: str) -> None:
    schema = form(name)
    required = set(schema.get("required", [])) | set(schema.get("else", {}).get("required", []))
    assert required and required <= set(schema["properties"])


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_text_field_has_a_maximum_length(name: str) -> None:
    for field, prop in properties_of(name):
        if prop["type"] == "string":
            assert "maxLength" in prop, field


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_choice_has_a_readable_label(name: str) -> None:
    for field, prop in properties_of(name):
        if "enum" in prop:
            assert len(prop["enumNames"]) == len(prop["enum"]), field


@pytest.mark.parametrize("name", FORM_NAMES)
def test_every_upload_field_accepts_pdf_png_and_jpeg(name: str) -> None:
    for field, prop in properties_of(name):
        if prop.get("format") == "upload":
            assert prop["x-accept"] == "application/pdf,image/png,image/jpeg", field


@pytest.mark.parametrize("name", FORM_NAMES)
def test_complete_valid_submission_has_no_errors(name: str) -> None:
    assert errors_for(name) == {}


# Loading


@pytest.mark.parametrize(
    "filename",
    [
        "../forms/cca_approval.schema.json",
        "/etc/passwd",
        "sub/cca_approval.schema.json",
        "..",
        ".hidden.schema.json",
        "cca_approval.json",
        "cca_approval.schema.json\x00",
    ],
)
def test_load_form_refuses_names_that_are_not_plain_form_names(filename: str) -> None:
    with pytest.raises(FormNotFound):
        load_form(FORMS_DIR, filename)


def test_load_form_refuses_a_form_that_does_not_exist() -> None:
    with pytest.raises(FormNotFound):
        load_form(FORMS_DIR, "no_such_task.schema.json")


def test_load_form_refuses_a_symlink_out_of_the_forms_folder(tmp_path: Path) -> None:
    outside = tmp_path / "outside.schema.json"
    outside.write_text('{"type": "object"}', encoding="utf-8")
    forms_dir = tmp_path / "forms"
    forms_dir.mkdir()
    (forms_dir / "sneaky.schema.json").symlink_to(outside)
    with pytest.raises(FormNotFound):
        load_form(forms_dir, "sneaky.schema.json")


def test_load_form_refuses_a_file_that_is_not_a_valid_schema(tmp_path: Path) -> None:
    (tmp_path / "broken.schema.json").write_text('{"type": "nope"}', encoding="utf-8")
    with pytest.raises(SchemaError):
        load_form(tmp_path, "broken.schema.json")


def test_load_form_picks_up_an_edited_form(tmp_path: Path) -> None:
    path = tmp_path / "edited.schema.json"
    path.write_text(json.dumps({"title": "Before"}), encoding="utf-8")
    load_form(tmp_path, "edited.schema.json")
    path.write_text(json.dumps({"title": "After"}), encoding="utf-8")
    os.utime(path, ns=(0, path.stat().st_mtime_ns + 1_000_000_000))
    assert load_form(tmp_path, "edited.schema.json")["title"] == "After"


def test_changing_a_loaded_form_does_not_change_the_next_load() -> None:
    form("cca_approval")["properties"].clear()
    assert "decision" in form("cca_approval")["properties"]


# Cross-field rules


@pytest.mark.parametrize("decision", ["reject", "return"])
def test_cca_reject_or_return_without_remarks_asks_for_remarks(decision: str) -> None:
    assert errors_for("cca_approval", decision=decision) == {"remarks": REMARKS_REQUIRED}


def test_blank_remarks_count_as_no_remarks() -> None:
    errors = errors_for("verify_claim", decision="return", remarks="   \n ")
    assert errors == {"remarks": REMARKS_REQUIRED}


def test_approval_needs_no_remarks() -> None:
    assert errors_for("verify_claim", decision="approve") == {}


def test_rejection_with_remarks_is_valid() -> None:
    errors = errors_for("cca_approval", decision="reject", remarks="Not of a Group A service.")
    assert errors == {}


def test_dopt_rejection_without_remarks_asks_for_remarks() -> None:
    assert errors_for("dopt_confirmation", decision="reject") == {"remarks": REMARKS_REQUIRED}


def test_certificate_upload_is_required_for_grade_50_with_exam_passed() -> None:
    errors = validate_form(form("report_result"), {"final_grade": 50, "proctored_exam": "passed"})[1]
    assert errors == {"certificate_upload": CERTIFICATE_REQUIRED}


def test_certificate_upload_is_not_required_for_grade_49_99() -> None:
    errors = validate_form(form("report_result"), {"final_grade": 49.99, "proctored_exam": "passed"})[1]
    assert errors == {}


@pytest.mark.parametrize("exam", ["failed", "absent"])
def test_certificate_upload_is_not_required_when_the_exam_was_not_passed(
    exam: str,
) -> None:
    errors = validate_form(form("report_result"), {"final_grade": 90, "proctored_exam": exam})[1]
    assert errors == {}


def test_claim_over_the_run_cap_names_the_cap() -> None:
    errors = errors_for("submit_claim", context={"reimbursement_cap_usd": 100}, amount_paid_usd=100.01)
    assert errors == {
        "amount_paid_usd": ("Enter an amount of at most USD 100.00, the reimbursement limit for this course run")
    }


def test_claim_up_to_a_raised_run_cap_of_175_is_valid() -> None:
    errors = errors_for("submit_claim", context={"reimbursement_cap_usd": 175}, amount_paid_usd=175)
    assert errors == {}


def test_claim_over_a_raised_run_cap_of_175_is_refused() -> None:
    errors = errors_for("submit_claim", context={"reimbursement_cap_usd": 175}, amount_paid_usd=175.01)
    assert "USD 175.00" in errors["amount_paid_usd"]


def test_claim_within_the_default_but_over_a_lowered_run_cap_is_refused() -> None:
    errors = errors_for("submit_claim", context={"reimbursement_cap_usd": 50}, amount_paid_usd=60)
    assert "USD 50.00" in errors["amount_paid_usd"]


def test_claim_over_the_default_cap_is_refused_without_a_run_cap() -> None:
    errors = errors_for("submit_claim", amount_paid_usd=100.01)
    assert errors == {"amount_paid_usd": "Enter a number more than 0 and at most 100"}


def test_claim_of_zero_is_refused_even_with_a_run_cap() -> None:
    errors = errors_for("submit_claim", context={"reimbursement_cap_usd": 175}, amount_paid_usd=0)
    assert errors == {"amount_paid_usd": "Enter a number more than 0"}


# Field by field


def test_every_bad_field_is_reported_at_once() -> None:
    errors = validate_form(
        form("submit_claim"),
        {
            "amount_paid_usd": -5,
            "payment_proof_upload": 17,
            "bank_account_number": "12-34",
            "ifsc": "SBIN1001234",
            "declaration": False,
        },
    )[1]
    assert list(errors) == [
        "amount_paid_usd",
        "payment_proof_upload",
        "bank_account_number",
        "ifsc",
        "declaration",
    ]


def test_every_missing_required_field_is_reported() -> None:
    errors = validate_form(form("record_payment"), {})[1]
    assert errors == dict.fromkeys(VALID["record_payment"], REQUIRED)


def test_unknown_field_is_reported() -> None:
    assert errors_for("cca_approval", approved_by="someone") == {"approved_by": UNKNOWN_FIELD}


@pytest.mark.parametrize("data", [[], "approve", 3, None])
def test_data_that_is_not_an_object_is_a_form_error(data: Any) -> None:
    errors = validate_form(form("cca_approval"), data)[1]
    assert list(errors) == ["_form"]


def test_choice_outside_the_list_names_the_choices() -> None:
    errors = errors_for("cca_approval", decision="Approve")
    assert errors == {"decision": "Choose one of: approve, reject, return"}


def test_dopt_cannot_return_an_application() -> None:
    errors = errors_for("dopt_confirmation", decision="return")
    assert errors == {"decision": "Choose one of: confirm, reject"}


def test_grade_above_100_is_refused() -> None:
    errors = errors_for("report_result", final_grade=100.5)
    assert errors == {"final_grade": "Enter a number between 0 and 100"}


def test_grade_given_as_text_is_refused() -> None:
    errors = errors_for("report_result", final_grade="72")
    assert errors == {"final_grade": "Enter a number between 0 and 100"}


def test_grade_given_as_true_is_refused() -> None:
    errors = errors_for("report_result", final_grade=True)
    assert errors == {"final_grade": "Enter a number between 0 and 100"}


def test_grade_that_is_not_a_number_is_refused() -> None:
    errors = errors_for("report_result", final_grade=float("nan"))
    assert errors == {"final_grade": "Enter a number between 0 and 100"}


def test_text_given_as_a_number_is_refused() -> None:
    errors = errors_for("respond_clarification", response=42)
    assert errors == {"response": "Enter text"}


def test_remarks_over_2000_characters_are_refused() -> None:
    errors = errors_for("cca_approval", decision="reject", remarks="x" * 2001)
    assert errors == {"remarks": "Use at most 2000 characters"}


def test_remarks_of_2000_characters_are_accepted() -> None:
    assert errors_for("cca_approval", decision="reject", remarks="x" * 2000) == {}


def test_30_february_is_not_a_date() -> None:
    errors = errors_for("record_payment", paid_on="2027-02-30")
    assert errors == {"paid_on": "Enter a real date as YYYY-MM-DD"}


@pytest.mark.parametrize("written", ["03-11-2027", "2027-11-3", "20271103", "2027/11/03"])
def test_dates_in_other_layouts_are_refused(written: str) -> None:
    assert "paid_on" in errors_for("record_payment", paid_on=written)


def test_29_february_of_a_leap_year_is_a_date() -> None:
    assert errors_for("record_payment", paid_on="2028-02-29") == {}


@pytest.mark.parametrize("ifsc", ["SBIN0001234", "HDFC0ABC123"])
def test_well_formed_ifsc_is_accepted(ifsc: str) -> None:
    assert errors_for("submit_claim", ifsc=ifsc) == {}


@pytest.mark.parametrize("ifsc", ["SBIN1001234", "SBI0001234", "SBIN00012345", "sbin1001234"])
def test_malformed_ifsc_is_refused_with_its_layout(ifsc: str) -> None:
    assert errors_for("submit_claim", ifsc=ifsc) == {
        "ifsc": "IFSC is 4 letters, 0, then 6 letters or digits (e.g. SBIN0001234)"
    }


@pytest.mark.parametrize("account", ["123456789", "123456789012345678"])
def test_account_number_of_9_to_18_digits_is_accepted(account: str) -> None:
    assert errors_for("submit_claim", bank_account_number=account) == {}


@pytest.mark.parametrize("account", ["12345678", "1234567890123456789", "12345678A", "1234-5678-9012"])
def test_account_number_outside_9_to_18_digits_is_refused(account: str) -> None:
    assert errors_for("submit_claim", bank_account_number=account) == {"bank_account_number": "Must be 9 to 18 digits"}


def test_coupon_code_with_other_characters_is_refused() -> None:
    errors = errors_for("issue_coupon", coupon_code="DEDP 2027")
    assert errors == {"coupon_code": "Use 4 to 64 letters, digits or hyphens"}


def test_unticked_declaration_is_refused() -> None:
    assert errors_for("submit_claim", declaration=False) == {"declaration": "Tick the box to confirm"}


def test_missing_declaration_is_required() -> None:
    errors = validate_form(form("submit_claim"), claim_without("declaration"))[1]
    assert errors == {"declaration": REQUIRED}


def test_required_field_of_only_spaces_is_reported_as_required() -> None:
    assert errors_for("respond_clarification", response="   ") == {"response": REQUIRED}


def test_null_optional_field_counts_as_not_given() -> None:
    assert errors_for("cca_approval", remarks=None) == {}


def test_cleaned_data_has_strings_stripped() -> None:
    cleaned = validate_form(form("submit_claim"), VALID["submit_claim"] | {"ifsc": "  SBIN0001234\n"})[0]
    assert cleaned["ifsc"] == "SBIN0001234"


def test_cleaned_data_has_every_field_with_none_for_those_not_given() -> None:
    cleaned = validate_form(form("cca_approval"), {"decision": "approve"})[0]
    assert cleaned == {"decision": "approve", "remarks": None}


# Tidying what people type, before the schema is checked (UI and API alike)


@pytest.mark.parametrize("typed", ["sbin0001234", " SbIn0001234 ", "sbin 000 1234"])
def test_an_ifsc_typed_in_lower_case_or_with_spaces_is_tidied_not_refused(typed: str) -> None:
    cleaned, errors = validate_form(form("submit_claim"), VALID["submit_claim"] | {"ifsc": typed})
    assert errors == {}
    assert cleaned["ifsc"] == "SBIN0001234"


@pytest.mark.parametrize("typed", ["1234 5678 9012", "1234  5678\t9012", " 123456789012 "])
def test_an_account_number_typed_in_groups_is_tidied_not_refused(typed: str) -> None:
    cleaned, errors = validate_form(form("submit_claim"), VALID["submit_claim"] | {"bank_account_number": typed})
    assert errors == {}
    assert cleaned["bank_account_number"] == "123456789012"


def test_tidying_applies_only_to_the_fields_that_ask_for_it() -> None:
    cleaned, _errors = validate_form(form("verify_claim"), {"decision": "return", "remarks": "see  the proof"})
    assert cleaned["remarks"] == "see  the proof"


# The claim form's "correct my result first"


def test_asking_to_correct_the_result_needs_nothing_else_of_the_claim_form() -> None:
    cleaned, errors = validate_form(form("submit_claim"), {"correct_result": True, "declaration": False})
    assert errors == {}
    assert cleaned["correct_result"] is True


def test_claiming_without_the_box_ticked_names_every_missing_field() -> None:
    errors = validate_form(form("submit_claim"), {"correct_result": False})[1]
    assert errors == {
        "amount_paid_usd": "This field is required",
        "payment_proof_upload": "This field is required",
        "bank_account_number": "This field is required",
        "ifsc": "This field is required",
        "declaration": "This field is required",
    }


def test_claiming_needs_the_declaration_ticked() -> None:
    assert errors_for("submit_claim", declaration=False) == {"declaration": "Tick the box to confirm"}


def test_a_pattern_that_backtracks_without_end_in_re_is_checked_at_once() -> None:
    """`^(a+)+$` against 40 `a`s and a `!` takes Python's re about 2**40 steps (and holds the
    GIL meanwhile, hence a child process); RE2 none."""
    import subprocess
    import sys

    program = (
        "from engine.forms import validate_form\n"
        "schema = {'type': 'object', 'properties': {'code': {'type': 'string', 'pattern': '^(a+)+$'}}}\n"
        "print(validate_form(schema, {'code': 'a' * 40 + '!'})[1], validate_form(schema, {'code': 'a' * 40})[1])\n"
    )
    try:
        run = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=10, check=True)
    except subprocess.TimeoutExpired:
        pytest.fail("the pattern check did not end within 10 s")
    assert run.stdout.strip() == "{'code': 'Not in the expected form'} {}"
