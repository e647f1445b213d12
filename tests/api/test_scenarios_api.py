"""Process owners read and add scenarios; a scenario is stored only once it passes, and deploys rehearse it."""

from __future__ import annotations

import json
from typing import Any

from engine.config import Settings
from tests.api.conftest import Api

BASE = "/process-definitions/cadre_approval/scenarios"


def _reminder_scenario() -> dict[str, Any]:
    return {
        "description": "The reminder tells the authority the nomination awaits its decision.",
        "start": {"profile": "eligible_officer"},
        "steps": [
            {"timer": "approval_reminder", "at": "P7D"},
            {"task": "cca_approval", "role": "cca_approver", "data": {"decision": "approve"}},
        ],
        "expect": {
            "ended": True,
            "tasks": ["cca_approval"],
            "notifications": [{"to": "cca_approver", "subject": "awaits your decision"}],
        },
    }


def test_owner_and_dopt_list_and_read_the_scenarios_of_a_process(staff: dict[str, Api], settings: Settings) -> None:
    files = sorted(path.stem for path in (settings.processes_dir / "scenarios" / "cadre_approval").glob("*.json"))
    for reader in (staff["owner"], staff["dopt"]):
        assert [row["name"] for row in reader.get(BASE).json] == files
    response = staff["dopt"].get(f"{BASE}/approved")
    assert response.status_code == 200
    shipped = settings.processes_dir / "scenarios" / "cadre_approval" / "approved.json"
    assert response.json == json.loads(shipped.read_text(encoding="utf-8"))
    assert staff["owner"].get(f"{BASE}/nothing_like_it").status_code == 404
    assert staff["owner"].get("/process-definitions/no_such_process/scenarios").status_code == 404


def test_owner_adds_a_scenario_that_passes_and_can_change_it(staff: dict[str, Api]) -> None:
    owner = staff["owner"]
    added = owner.put(f"{BASE}/reminder_words", _reminder_scenario())
    assert (added.status_code, added.json) == (
        201,
        {"name": "reminder_words", "process": "cadre_approval", "passed": True},
    )
    assert owner.get(f"{BASE}/reminder_words").json == _reminder_scenario()
    changed = _reminder_scenario() | {"description": "The reminder's words."}
    assert owner.put(f"{BASE}/reminder_words", changed).status_code == 200
    assert owner.get(f"{BASE}/reminder_words").json["description"] == "The reminder's words."


def test_scenario_of_a_bad_shape_is_refused_naming_each_field(staff: dict[str, Api]) -> None:
    bad = _reminder_scenario() | {
        "start": {"profile": "nobody"},
        "steps": [{"timer": "approval_reminder", "at": "soon"}],
    }
    response = staff["owner"].put(f"{BASE}/bad_shape", bad)
    assert response.status_code == 422
    assert response.json["error"]["fields"].keys() == {"start.profile", "steps[0].at"}
    assert staff["owner"].get(f"{BASE}/bad_shape").status_code == 404


def test_scenario_that_fails_on_the_newest_version_is_refused_and_not_stored(staff: dict[str, Api]) -> None:
    wrong = _reminder_scenario()
    wrong["steps"][0]["at"] = "P5D"
    response = staff["owner"].put(f"{BASE}/too_early", wrong)
    assert response.status_code == 422
    assert response.json["error"]["fields"] == {
        "steps[0].at": "timer approval_reminder did not fire at P5D (2027-01-15T15:30:00+05:30); "
        "it is due at 2027-01-17T10:00:00+00:00"
    }
    assert "cadre_approval version 1" in response.json["error"]["message"]
    assert staff["owner"].get(f"{BASE}/too_early").status_code == 404


def test_scenario_for_a_process_not_deployed_is_404(staff: dict[str, Api]) -> None:
    response = staff["owner"].put("/process-definitions/no_such_process/scenarios/x", _reminder_scenario())
    assert response.status_code == 404


def test_a_deploy_rehearses_the_scenarios_owners_added(staff: dict[str, Api], settings: Settings) -> None:
    owner = staff["owner"]
    assert owner.put(f"{BASE}/reminder_words", _reminder_scenario()).status_code == 201
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    reworded = xml.replace("awaits your decision", "is still open").encode()
    response = owner.send("POST", "/process-definitions", reworded, "application/xml")
    assert response.status_code == 422
    assert response.json["error"]["details"] == [
        "scenario cadre_approval/reminder_words fails at the end (nomination_approved): no message to cca_approver "
        "with 'awaits your decision' in its subject (in this order); messages sent: "
        "cca_approver: Approval needed: Asha Verma for The Challenges of Global Poverty; "
        "cca_approver: Reminder: nomination of Asha Verma is still open; "
        "officer: Nomination approved: The Challenges of Global Poverty"
    ]
