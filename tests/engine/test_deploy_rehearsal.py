"""Deploy refuses what cannot run as drawn: the graph rules and the scenarios, before anything is stored."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import PROJECT_ROOT, Settings
from engine.definitions import DeployResult, deploy
from engine.errors import DeployRefused
from engine.models import ProcessDefinition
from tests.engine.deletions import SHIPPED, deletable, without


def _deploy(db: Database, settings: Settings, xml: bytes) -> DeployResult:
    with db.sessions() as session, session.begin():
        return deploy(session, xml, "owner", settings.forms_dir)


def _refusal(db: Database, settings: Settings, xml: bytes) -> list[str]:
    with pytest.raises(DeployRefused) as caught:
        _deploy(db, settings, xml)
    return caught.value.details


def _versions(db: Database) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count(ProcessDefinition.id))) or 0)


def test_deleting_any_single_task_or_flow_of_a_shipped_process_is_refused(db: Database, settings: Settings) -> None:
    before = _versions(db)
    started = time.perf_counter()
    deployed, unnamed = [], []
    count = 0
    for key in SHIPPED:
        for element_id in deletable(key):
            count += 1
            try:
                _deploy(db, settings, without(key, element_id))
            except DeployRefused as refused:
                reasons = "\n".join(refused.details)
                if "scenario " not in reasons and "(every " not in reasons:
                    unnamed.append(f"{key} without {element_id}: {reasons}")
            else:
                deployed.append(f"{key} without {element_id}")
    elapsed = time.perf_counter() - started
    assert deployed == [] and unnamed == []
    assert count > 100 and _versions(db) == before
    print(f"{count} deletions refused in {elapsed:.2f} s")


def _shipped(key: str) -> str:
    return (PROJECT_ROOT / "processes" / f"{key}.bpmn").read_text(encoding="utf-8")


def _scenario_names(directory: Path, *keys: str) -> set[tuple[str, str]]:
    return {(key, path.stem) for key in keys for path in (directory / "scenarios" / key).glob("*.json")}


def test_deleting_record_rejection_is_refused_naming_what_it_cuts_off(db: Database, settings: Settings) -> None:
    details = "\n".join(_refusal(db, settings, without("cadre_approval", "record_rejection")))
    assert "nomination_rejected ('Nomination rejected'): cannot be reached from the start event" in details


def test_changed_condition_is_refused_by_the_scenario_it_breaks(db: Database, settings: Settings) -> None:
    changed = _shipped("cadre_approval").replace('decision == "reject"', 'decision == "rejected"')
    before = _versions(db)
    details = _refusal(db, settings, changed.encode())
    # A rejection now takes the default flow (return to the officer): the process does not end.
    assert (
        "scenario cadre_approval/rejected fails at the end (respond_clarification): the process has not ended"
        in "\n".join(details)
    )
    assert (
        "scenario enrollment/not_approved fails at the end (respond_clarification): "
        "the status is awaiting_clarification, the scenario expects not_approved" in "\n".join(details)
    )
    assert _versions(db) == before


def test_successful_deploy_lists_the_scenarios_it_rehearsed(db: Database, settings: Settings) -> None:
    changed = _shipped("cadre_approval").replace("Reminder: nomination of", "Reminder: the nomination of")
    result = _deploy(db, settings, changed.encode())
    assert (result.key, result.version, result.created) == ("cadre_approval", 2, True)
    rehearsed = {(scenario.process, scenario.name) for scenario in result.scenarios}
    assert rehearsed == _scenario_names(settings.processes_dir, "cadre_approval", "enrollment")
    assert all(scenario.passed for scenario in result.scenarios)


def test_unchanged_deploy_rehearses_nothing(db: Database, settings: Settings) -> None:
    result = _deploy(db, settings, _shipped("enrollment").encode())
    assert (result.version, result.created, result.scenarios) == (1, False, ())


def test_gateway_flow_without_condition_is_refused_naming_flow_and_rule(db: Database, settings: Settings) -> None:
    xml = _shipped("reimbursement").replace(' default="flow_claim_return"', "")
    details = "\n".join(_refusal(db, settings, xml.encode()))
    assert (
        "flow_claim_return ('Return'): leaves gateway gw_claim_decision ('Claim decision?') without a condition"
        in details
    )
