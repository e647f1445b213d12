"""Deploying BPMN: versions, and refusals that name the element and the reason."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import deploy
from engine.errors import DeployRefused
from engine.models import ProcessDefinition
from tests.engine.bpmn_samples import (
    call_process,
    gateway_process,
    script_process,
    timer_process,
    user_task_process,
)


def _deploy(db: Database, settings: Settings, xml: bytes) -> tuple[str, int, bool]:
    with db.sessions() as session, session.begin():
        result = deploy(session, xml, "tester", settings.forms_dir)
        return result.key, result.version, result.created


def _refusal(db: Database, settings: Settings, xml: bytes) -> str:
    with pytest.raises(DeployRefused) as caught:
        _deploy(db, settings, xml)
    return "\n".join(caught.value.details)


def _versions(db: Database, key: str) -> int:
    with db.sessions() as session:
        return int(session.scalar(select(func.count()).where(ProcessDefinition.key == key)) or 0)


def test_init_deployed_the_four_processes(db: Database) -> None:
    for key in ("enrollment", "cadre_approval", "coupon_issue", "reimbursement"):
        assert _versions(db, key) == 1


def test_new_file_is_version_1_and_a_change_is_version_2(db: Database, settings: Settings) -> None:
    assert _deploy(db, settings, script_process("x = 1")) == ("sample", 1, True)
    assert _deploy(db, settings, script_process("x = 2")) == ("sample", 2, True)


def test_unchanged_file_is_not_versioned_again(db: Database, settings: Settings) -> None:
    _deploy(db, settings, script_process("x = 1"))
    assert _deploy(db, settings, script_process("x = 1")) == ("sample", 1, False)
    assert _versions(db, "sample") == 1


@pytest.mark.parametrize(
    "script",
    ["import os", "__import__('os').system('touch /tmp/pwned')", "open('/etc/passwd').read()", "x = ().__class__"],
)
def test_script_task_escaping_the_sandbox_is_refused_with_its_element(
    db: Database, settings: Settings, script: str
) -> None:
    details = _refusal(db, settings, script_process(script))
    assert "the_script" in details and "sandbox" in details
    assert _versions(db, "sample") == 0


@pytest.mark.parametrize("condition", ["__import__('os').getcwd()", "open('/etc/passwd')", "x.__class__"])
def test_gateway_condition_escaping_the_sandbox_is_refused(db: Database, settings: Settings, condition: str) -> None:
    details = _refusal(db, settings, gateway_process(condition))
    assert "f2" in details and "sandbox" in details


@pytest.mark.parametrize("expression", ["__import__('os').getcwd()", "open('/etc/passwd')", "().__class__"])
def test_timer_expression_escaping_the_sandbox_is_refused(db: Database, settings: Settings, expression: str) -> None:
    details = _refusal(db, settings, timer_process(expression))
    assert "wait" in details and "sandbox" in details


def test_call_to_a_process_that_does_not_exist_is_refused(db: Database, settings: Settings) -> None:
    details = _refusal(db, settings, call_process("nowhere"))
    assert "nowhere" in details


def test_user_task_without_a_lane_is_refused(db: Database, settings: Settings) -> None:
    details = _refusal(db, settings, user_task_process(None, "cca_approval.schema.json"))
    assert "work: user task is not in a lane" in details


def test_user_task_with_a_missing_form_is_refused(db: Database, settings: Settings) -> None:
    details = _refusal(db, settings, user_task_process("DoPT", "nothing.schema.json"))
    assert "work: form 'nothing.schema.json' does not exist" in details


def test_user_task_in_a_lane_that_is_no_role_is_refused(db: Database, settings: Settings) -> None:
    details = _refusal(db, settings, user_task_process("Janitors", "cca_approval.schema.json"))
    assert "lane 'Janitors'" in details


def test_link_events_are_refused(db: Database, settings: Settings) -> None:
    link = (
        '<bpmn:intermediateThrowEvent id="jump"><bpmn:linkEventDefinition id="jump_def" name="L" />'
        "</bpmn:intermediateThrowEvent>"
    )
    details = _refusal(db, settings, script_process("x = 1", extra=link))
    assert "jump" in details and "link events" in details


def test_compensation_events_are_refused(db: Database, settings: Settings) -> None:
    comp = (
        '<bpmn:intermediateThrowEvent id="undo"><bpmn:compensateEventDefinition id="undo_def" />'
        "</bpmn:intermediateThrowEvent>"
    )
    details = _refusal(db, settings, script_process("x = 1", extra=comp))
    assert "undo" in details and "compensation" in details


@pytest.mark.parametrize(
    "xml",
    [
        b"not xml at all",
        b"<html></html>",
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>',
    ],
)
def test_what_is_not_bpmn_is_refused(db: Database, settings: Settings, xml: bytes) -> None:
    _refusal(db, settings, xml)
