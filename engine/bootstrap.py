"""Setting up a database: schema, reference data, the processes of processes/."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from engine.bpmn.scenario_store import seed_scenarios
from engine.config import Settings
from engine.db import make_engine, make_sessionmaker
from engine.definitions import DeployResult, deploy_directory, latest_definitions, rehearse_on_latest
from engine.errors import DeployRefused
from engine.schema import upgrade
from engine.services.reference import load_reference_data


@dataclass
class Database:
    """An engine and its session factory, opened once per process."""

    engine: Engine
    sessions: sessionmaker[Any]


def open_database(settings: Settings) -> Database:
    """Connect (creating the instance folder for SQLite)."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.database_url)
    return Database(engine, make_sessionmaker(engine))


def init(settings: Settings, database: Database) -> list[DeployResult]:
    """Upgrade the schema, load reference data, deploy processes/; safe to run again.

    The scenarios of processes/scenarios are stored first, so the deploy rehearses them;
    a new or changed scenario of a process that was not redeployed is rehearsed on its
    newest version. Raises DeployRefused (and keeps nothing) when a process or a scenario
    fails, and `Invalid` for a scenario file that does not read.
    """
    upgrade(database.engine)
    with database.sessions() as session, session.begin():
        load_reference_data(session)
        seeded = seed_scenarios(session, settings.processes_dir / "scenarios", "igot init", datetime.now(UTC))
        results = deploy_directory(session, settings.processes_dir, "igot init", settings.forms_dir)
        rehearsed = {(r.process, r.name) for result in results for r in result.scenarios}
        deployed = latest_definitions(session)
        pending = [s for s in seeded if (s.process, s.name) not in rehearsed and s.process in deployed]
        failed = [r.describe() for r in rehearse_on_latest(session, pending, settings.forms_dir) if not r.passed]
        if failed:
            raise DeployRefused(f"A scenario of processes/scenarios fails: {failed[0]}", failed)
        return results
