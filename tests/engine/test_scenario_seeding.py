"""igot init stores the scenarios of processes/scenarios and rehearses the new and changed ones."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from engine.bootstrap import Database, init
from engine.bpmn.profiles import PROFILES
from engine.config import Settings
from engine.errors import DeployRefused, Invalid
from engine.models import Application, FormSchema, ProcessInstance, ProcessScenario
from engine.runtime import state_json
from tests.engine.flow import Flow


def _shape(value: Any) -> Any:
    """The keys of nested objects, the types of everything else."""
    if isinstance(value, dict):
        return {key: _shape(item) for key, item in value.items()}
    return type(value).__name__


def test_profiles_have_the_shape_of_a_submitted_application(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings)
    application_id = flow.apply(flow.officer())
    with db.sessions() as session:
        instance_id = session.get_one(Application, application_id).instance_id
        state = json.loads(state_json(session.get_one(ProcessInstance, instance_id).state))
    submitted = state["tasks"][state["root"]]["data"]
    for profile in PROFILES.values():
        assert _shape(profile) == _shape(submitted)


def test_init_stores_every_shipped_scenario_and_binds_every_shipped_form(db: Database, settings: Settings) -> None:
    files = list((settings.processes_dir / "scenarios").glob("*/*.json"))
    with db.sessions() as session:
        assert session.scalar(select(func.count(ProcessScenario.id))) == len(files)
        assert session.scalar(select(func.count(FormSchema.sha256))) == len(list(settings.forms_dir.glob("*.json")))
    again = init(settings, db)
    assert [(r.key, r.created, r.scenarios) for r in again] == [
        (key, False, ()) for key in ("cadre_approval", "coupon_issue", "enrollment", "reimbursement")
    ]


def _copy_processes(settings: Settings, tmp_path: Path) -> Settings:
    target = tmp_path / "processes"
    shutil.copytree(settings.processes_dir, target)
    return replace(settings, processes_dir=target)


def test_init_rehearses_a_new_scenario_file_of_an_unchanged_process(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    copied = _copy_processes(settings, tmp_path)
    folder = copied.processes_dir / "scenarios" / "cadre_approval"
    document = json.loads((folder / "approved.json").read_text(encoding="utf-8"))
    document["expect"]["data"] = {"cadre_outcome": "rejected"}
    (folder / "approved_wrongly.json").write_text(json.dumps(document), encoding="utf-8")
    with pytest.raises(DeployRefused) as refused:
        init(copied, db)
    assert refused.value.details == [
        "scenario cadre_approval/approved_wrongly fails at the end (nomination_approved): "
        "cadre_outcome is 'approved', the scenario expects 'rejected'"
    ]
    with db.sessions() as session:
        assert session.scalar(select(ProcessScenario.id).where(ProcessScenario.name == "approved_wrongly")) is None

    document["expect"]["data"] = {"cadre_outcome": "approved"}
    (folder / "approved_wrongly.json").write_text(json.dumps(document), encoding="utf-8")
    init(copied, db)
    with db.sessions() as session:
        assert session.scalar(select(ProcessScenario.id).where(ProcessScenario.name == "approved_wrongly")) is not None


def test_init_refuses_a_scenario_file_that_does_not_read(db: Database, settings: Settings, tmp_path: Path) -> None:
    copied = _copy_processes(settings, tmp_path)
    (copied.processes_dir / "scenarios" / "enrollment" / "broken.json").write_text('{"steps": 3}', encoding="utf-8")
    with pytest.raises(Invalid) as refused:
        init(copied, db)
    assert any(key.endswith("broken.json: steps") for key in refused.value.fields)


def _stored_description(db: Database, name: str) -> str:
    with db.sessions() as session:
        row = session.scalars(select(ProcessScenario).where(ProcessScenario.name == name)).one()
        return str(json.loads(row.document)["description"])


def test_init_keeps_a_scenario_an_owner_changed_until_its_file_changes(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    with db.sessions() as session, session.begin():
        row = session.scalars(select(ProcessScenario).where(ProcessScenario.name == "approved")).one()
        document = json.loads(row.document) | {"description": "Changed by the process owner."}
        row.document = json.dumps(document)
    init(settings, db)
    assert _stored_description(db, "approved") == "Changed by the process owner."

    copied = _copy_processes(settings, tmp_path)
    path = copied.processes_dir / "scenarios" / "cadre_approval" / "approved.json"
    path.write_text(json.dumps(json.loads(path.read_text()) | {"description": "A new release."}), encoding="utf-8")
    init(copied, db)
    assert _stored_description(db, "approved") == "A new release."
