"""Setting up a database: schema, reference data, the processes of processes/."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import sessionmaker

from engine.config import Settings
from engine.db import make_engine, make_sessionmaker
from engine.definitions import DeployResult, deploy_directory
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
    """Upgrade the schema, load reference data, deploy processes/; safe to run again."""
    upgrade(database.engine)
    with database.sessions() as session, session.begin():
        load_reference_data(session)
        return deploy_directory(session, settings.processes_dir, "igot init", settings.forms_dir)
