"""A scenario a process owner adds is checked, rehearsed on the newest version, and rehearsed by later deploys."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import deploy
from engine.errors import DeployRefused, Invalid, NotFound
from engine.models import ProcessScenario
from engine.services.scenarios import put_scenario
from tests.factories import NOW, reminder_words_scenario


def _put(db: Database, settings: Settings, name: str, document: Any, key: str = "cadre_approval") -> bool:
    with db.sessions() as session, session.begin():
        created, _result = put_scenario(session, key, name, document, "owner", settings.forms_dir, NOW)
        return created


def _stored(db: Database, name: str) -> bool:
    with db.sessions() as session:
        return session.scalar(select(ProcessScenario.id).where(ProcessScenario.name == name)) is not None


def test_scenario_of_a_bad_shape_is_refused_naming_each_field(db: Database, settings: Settings) -> None:
    bad = reminder_words_scenario() | {
        "start": {"profile": "nobody"},
        "steps": [{"timer": "approval_reminder", "at": "soon"}],
    }
    with pytest.raises(Invalid) as refused:
        _put(db, settings, "bad_shape", bad)
    assert refused.value.fields.keys() == {"start.profile", "steps[0].at"}
    assert not _stored(db, "bad_shape")


def test_scenario_that_fails_on_the_newest_version_is_refused_naming_the_field(
    db: Database, settings: Settings
) -> None:
    wrong = reminder_words_scenario()
    wrong["steps"][0]["at"] = "P5D"
    with pytest.raises(Invalid) as refused:
        _put(db, settings, "too_early", wrong)
    assert refused.value.fields == {
        "steps[0].at": "timer approval_reminder did not fire at P5D (2027-01-15T15:30:00+05:30); "
        "it is due at 2027-01-17T10:00:00+00:00"
    }
    assert "cadre_approval version 1" in refused.value.message
    assert not _stored(db, "too_early")


def test_scenario_of_a_process_not_deployed_is_not_found(db: Database, settings: Settings) -> None:
    with pytest.raises(NotFound):
        _put(db, settings, "x", reminder_words_scenario(), key="no_such_process")


def test_a_deploy_rehearses_the_scenarios_owners_added(db: Database, settings: Settings) -> None:
    assert _put(db, settings, "reminder_words", reminder_words_scenario()) is True
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    reworded = xml.replace("awaits your decision", "is still open").encode()
    with pytest.raises(DeployRefused) as refused, db.sessions() as session, session.begin():
        deploy(session, reworded, "owner", settings.forms_dir)
    assert refused.value.details == [
        "scenario cadre_approval/reminder_words fails at the end (nomination_approved): no message to cca_approver "
        "with 'awaits your decision' in its subject (in this order); messages sent: "
        "cca_approver: Approval needed: Asha Verma for The Challenges of Global Poverty; "
        "cca_approver: Reminder: nomination of Asha Verma is still open; "
        "officer: Nomination approved: The Challenges of Global Poverty"
    ]


def test_a_stored_scenario_that_no_longer_reads_refuses_the_deploy(db: Database, settings: Settings) -> None:
    with db.sessions() as session, session.begin():
        row = session.scalars(select(ProcessScenario).where(ProcessScenario.name == "approved")).one()
        row.document = row.document.replace('"eligible_officer"', '"retired_profile"')
    xml = (settings.processes_dir / "cadre_approval.bpmn").read_text(encoding="utf-8")
    with pytest.raises(DeployRefused) as refused, db.sessions() as session, session.begin():
        deploy(session, xml.replace('"P7D"', '"P6D"').encode(), "owner", settings.forms_dir)
    assert refused.value.details == [
        "scenario cadre_approval/approved fails: it cannot be read: start.profile: must be one of: "
        "eligible_officer, ineligible_officer, officer_without_cca_approval"
    ]
