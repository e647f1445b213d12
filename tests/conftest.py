"""Fixtures: a migrated database per test, on SQLite always and on PostgreSQL when
IGOT_TEST_DATABASE_URL is set (CI sets it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from engine.bootstrap import Database, init, open_database
from engine.config import PROJECT_ROOT, Settings
from engine.db import Base
from engine.schema import upgrade

PG_URL = os.environ.get("IGOT_TEST_DATABASE_URL")
BACKENDS = ["sqlite", "postgresql"]


def _settings(url: str, instance: Path) -> Settings:
    return Settings(
        database_url=url,
        instance_path=instance,
        processes_dir=PROJECT_ROOT / "processes",
        forms_dir=PROJECT_ROOT / "forms",
        upload_dir=instance / "uploads",
    )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, seeded SQLite file; each test gets a copy (much faster than migrating)."""
    folder = tmp_path_factory.mktemp("template")
    path = folder / "template.sqlite3"
    settings = _settings(f"sqlite:///{path}", folder)
    database = open_database(settings)
    init(settings, database)
    database.engine.dispose()
    return path


@pytest.fixture(scope="session")
def pg_migrated() -> str:
    """The PostgreSQL test database, migrated once per run."""
    if not PG_URL:
        pytest.skip("IGOT_TEST_DATABASE_URL is not set")
    settings = _settings(PG_URL, Path("/tmp"))
    database = open_database(settings)
    with database.engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    upgrade(database.engine)
    database.engine.dispose()
    return PG_URL


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which database a test runs on."""
    return str(request.param)


@pytest.fixture
def settings(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Settings:
    """Settings on a fresh database of the test's backend."""
    if backend == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        path = tmp_path / "igot.sqlite3"
        shutil.copy(template, path)
        return _settings(f"sqlite:///{path}", tmp_path)
    url = request.getfixturevalue("pg_migrated")
    return _settings(url, tmp_path)


@pytest.fixture
def db(settings: Settings, backend: str) -> Iterator[Database]:
    """A database ready to use: schema, reference data and processes deployed."""
    database = open_database(settings)
    if backend == "postgresql":
        _truncate(database)
        init(settings, database)
    yield database
    database.engine.dispose()


def _truncate(database: Database) -> None:
    names = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with database.engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
