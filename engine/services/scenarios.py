"""Scenarios of a process, for process owners: list, read, add or change (rehearsed first)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.rehearsal import ScenarioResult
from engine.bpmn.scenario_format import read_scenario
from engine.bpmn.scenario_store import save_scenario
from engine.definitions import latest_definitions, rehearse_on_latest
from engine.errors import Invalid, NotFound
from engine.models import ProcessScenario


def list_scenarios(session: Session, key: str) -> list[ProcessScenario]:
    """The scenarios of a deployed process, by name; NotFound when the process is not deployed."""
    _require_deployed(session, key)
    return list(
        session.scalars(
            select(ProcessScenario).where(ProcessScenario.process_key == key).order_by(ProcessScenario.name)
        )
    )


def get_scenario(session: Session, key: str, name: str) -> ProcessScenario:
    """One scenario, or NotFound."""
    found = session.scalars(
        select(ProcessScenario).where(ProcessScenario.process_key == key, ProcessScenario.name == name)
    ).one_or_none()
    if found is None:
        raise NotFound(f"process '{key}' has no scenario '{name}'")
    return found


MAX_SCENARIO_BYTES = 256 * 1024
"""The largest scenario document a process owner may send (a shipped one is a few KB)."""


def put_scenario(
    session: Session, key: str, name: str, document: Any, actor: str, forms_dir: Path, now: datetime
) -> tuple[bool, ScenarioResult]:
    """Check a scenario's shape, rehearse it on the newest deployed version of `key` (with what
    that calls), and store it when it passes; returns (created, the passing result).

    Raises NotFound when `key` is not deployed, and `Invalid` naming each bad field: the
    shape's, or the field where the rehearsal failed (`steps[1].data`, `expect.status`).
    """
    version = _require_deployed(session, key)
    scenario = read_scenario(key, name, document)
    result = rehearse_on_latest(session, [scenario], forms_dir)[0]
    if not result.passed:
        raise Invalid(
            f"The scenario fails on {key} version {version}: {result.describe()}",
            {result.field or "scenario": str(result.message)},
        )
    return save_scenario(session, scenario, document, actor, now), result


def delete_scenario(session: Session, key: str, name: str) -> None:
    """Delete one scenario of `key`; NotFound when there is none of that name. Later deploys no
    longer rehearse it. A scenario shipped in processes/scenarios is stored again by the next
    `igot init` unless its file is removed too (engine.bpmn.scenario_store.seed_scenarios)."""
    session.delete(get_scenario(session, key, name))
    session.flush()


def _require_deployed(session: Session, key: str) -> int:
    latest = latest_definitions(session).get(key)
    if latest is None:
        raise NotFound(f"process '{key}' is not deployed")
    return latest.version
