"""Scenarios kept in the database: seeded from processes/scenarios, added through the API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.rehearsal import ScenarioResult
from engine.bpmn.scenario_format import Scenario, read_scenario
from engine.errors import Invalid
from engine.models import ProcessScenario


def scenario_text(document: Any) -> str:
    """How a scenario is stored and shown: indented JSON, as readable as the file it came from."""
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def load_scenarios(session: Session, keys: Iterable[str]) -> list[Scenario | ScenarioResult]:
    """The stored scenarios of these processes, read; one that no longer reads is a failed result."""
    rows = session.scalars(
        select(ProcessScenario)
        .where(ProcessScenario.process_key.in_(set(keys)))
        .order_by(ProcessScenario.process_key, ProcessScenario.name)
    )
    found: list[Scenario | ScenarioResult] = []
    for row in rows:
        try:
            found.append(read_scenario(row.process_key, row.name, json.loads(row.document)))
        except (Invalid, ValueError) as error:
            reasons = "; ".join(f"{k}: {v}" for k, v in getattr(error, "fields", {}).items()) or str(error)
            found.append(ScenarioResult(row.process_key, row.name, False, message=f"it cannot be read: {reasons}"))
    return found


def save_scenario(
    session: Session, scenario: Scenario, document: Any, actor: str, now: datetime, seeded_sha256: str | None = None
) -> bool:
    """Store a scenario (already read and rehearsed) under its process and name; True when new.

    `seeded_sha256` is given when the scenario comes from a file of processes/scenarios.
    """
    row = session.scalars(
        select(ProcessScenario).where(
            ProcessScenario.process_key == scenario.process, ProcessScenario.name == scenario.name
        )
    ).one_or_none()
    created = row is None
    if row is None:
        row = ProcessScenario(process_key=scenario.process, name=scenario.name)
        session.add(row)
    row.document = scenario_text(document)
    row.updated_at = now
    row.updated_by = actor
    if seeded_sha256 is not None:
        row.seeded_sha256 = seeded_sha256
    session.flush()
    return created


def seed_scenarios(session: Session, directory: Path, actor: str, now: datetime) -> list[Scenario]:
    """Store every scenario file of `directory/<process key>/<name>.json` that is new, or that
    changed since it was last stored from its file (a scenario changed through the API is
    kept while its file stays the same).

    Returns the scenarios stored. Raises `Invalid` naming the file and the field for a file
    that is not a valid scenario (nothing is stored then: the caller's transaction rolls back).
    """
    stored: list[Scenario] = []
    if not directory.is_dir():
        return stored
    for path in sorted(directory.glob("*/*.json")):
        key, name = path.parent.name, path.stem
        content = path.read_bytes()
        digest = hashlib.sha256(content).hexdigest()
        try:
            document = json.loads(content.decode("utf-8"))
            scenario = read_scenario(key, name, document)
        except ValueError as error:
            raise Invalid(f"{path}: not valid JSON: {error}", {str(path): str(error)}) from error
        except Invalid as error:
            raise Invalid(f"{path}: {error.message}", {f"{path}: {k}": v for k, v in error.fields.items()}) from error
        row = session.scalars(
            select(ProcessScenario).where(ProcessScenario.process_key == key, ProcessScenario.name == name)
        ).one_or_none()
        if row is None or row.seeded_sha256 != digest:
            save_scenario(session, scenario, document, actor, now, seeded_sha256=digest)
            stored.append(scenario)
    return stored
