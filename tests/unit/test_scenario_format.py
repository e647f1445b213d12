"""Scenario files: their shape is checked field by field, with a reason for each bad one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from engine.bpmn.scenario_format import TaskStep, TimerStep, read_scenario
from engine.config import PROJECT_ROOT
from engine.errors import Invalid

SCENARIOS = sorted((PROJECT_ROOT / "processes" / "scenarios").glob("*/*.json"))


def _valid() -> dict[str, Any]:
    return {
        "description": "The CCA approves.",
        "start": {"profile": "eligible_officer"},
        "steps": [{"task": "cca_approval", "role": "cca_approver", "data": {"decision": "approve"}}],
        "expect": {"ended": True, "tasks": ["cca_approval"]},
    }


def _fields(document: Any, name: str = "sample") -> dict[str, str]:
    with pytest.raises(Invalid) as caught:
        read_scenario("cadre_approval", name, document)
    return caught.value.fields


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_every_shipped_scenario_file_reads(path: Path) -> None:
    scenario = read_scenario(path.parent.name, path.stem, json.loads(path.read_text(encoding="utf-8")))
    assert scenario.description and scenario.expect.tasks is not None


def test_a_valid_scenario_reads_into_steps() -> None:
    document = _valid()
    document["steps"].append(
        {"timer": "approval_reminder", "at": "P7D", "expect": {"status": "awaiting_cadre_approval"}}
    )
    scenario = read_scenario("cadre_approval", "approved", document)
    assert scenario.steps[0] == TaskStep("cca_approval", "cca_approver", {"decision": "approve"})
    assert isinstance(scenario.steps[1], TimerStep) and scenario.steps[1].delay == {"days": 7}
    assert scenario.steps[1].expect_status == "awaiting_cadre_approval"
    assert scenario.start_at.isoformat() == "2027-01-10T15:30:00+05:30"


def test_start_data_changes_the_profile_key_by_key() -> None:
    document = _valid() | {"start": {"profile": "eligible_officer", "data": {"officer": {"service": "IPS"}}}}
    scenario = read_scenario("cadre_approval", "ips", document)
    assert scenario.start_data["officer"]["service"] == "IPS"
    assert scenario.start_data["officer"]["full_name"] == "Asha Verma"


def test_every_bad_field_is_named_with_its_reason() -> None:
    document = {
        "start": {"profile": "nobody", "at": "2027-01-10T10:00:00"},
        "coupons": ["", 5],
        "steps": [
            {"what": "nothing"},
            {"task": "cca_approval", "role": "janitor", "data": []},
            {"timer": "approval_reminder", "at": "seven days"},
            {"timer": "approval_reminder", "at": "P7X"},
        ],
        "expect": {"tasks": "cca_approval", "status": "happy", "notifications": [{"to": "mayor", "subject": "x"}]},
        "colour": "blue",
    }
    fields = _fields(document)
    assert fields.keys() == {
        "description",
        "colour",
        "start.profile",
        "start.at",
        "coupons[0]",
        "coupons[1]",
        "steps[0]",
        "steps[1].role",
        "steps[1].data",
        "steps[2].at",
        "steps[3].at",
        "expect.tasks",
        "expect.status",
        "expect.notifications[0].to",
    }
    assert fields["description"] == "required"
    assert fields["start.at"].startswith("must be a date-time with an offset")
    assert "ISO 8601 duration" in fields["steps[3].at"]
    assert fields["colour"].startswith("unknown field")


def test_missing_parts_are_required() -> None:
    assert _fields({}) == {"description": "required", "start": "required", "expect": "required"}
    step_fields = _fields(_valid() | {"steps": [{"task": "cca_approval"}, {"timer": "approval_reminder"}]})
    assert step_fields == {"steps[0].role": "required", "steps[0].data": "required", "steps[1].at": "required"}


def test_expectation_must_say_where_the_scenario_ends() -> None:
    assert "expect" in _fields(_valid() | {"expect": {"tasks": []}})


def test_bad_names_and_documents_that_are_no_object_are_refused() -> None:
    assert "name" in _fields(_valid(), name="../etc/passwd")
    assert _fields([1, 2])["scenario"] == "must be a JSON object"


def test_a_timer_duration_beyond_ten_years_is_refused_without_counting_it_out() -> None:
    document = _valid() | {"steps": [{"timer": "approval_reminder", "at": "P999999999Y"}]}
    assert "at most 10 years" in _fields(document)["steps[0].at"]
