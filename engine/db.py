"""Database engine and sessions. One commit per request or job, at the outer edge."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every table."""


def engine_options(url: str) -> dict[str, Any]:
    """The `create_engine` keyword arguments for a database URL.

    SQLite waits up to 30 s for a lock and may be used from the web server's threads;
    PostgreSQL connections are checked before use (a restarted server leaves dead ones).
    """
    if url.startswith("sqlite"):
        return {"connect_args": {"timeout": 30, "check_same_thread": False}}
    return {"pool_pre_ping": True}


def prepare_engine(engine: Engine) -> Engine:
    """Give an SQLite engine WAL, foreign keys and BEGIN IMMEDIATE; other engines are left as they are.

    Call it before the engine's first connection: the settings are made when a connection
    opens. Returns the engine it was given.
    """
    if engine.dialect.name != "sqlite":
        return engine

    @event.listens_for(engine, "connect")
    def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own transaction handling would defer BEGIN; we emit it ourselves
        # so that a step's reads and writes form one transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _sqlite_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with `engine_options` (overridden by kwargs), prepared by `prepare_engine`."""
    return prepare_engine(create_engine(url, **{**engine_options(url), **kwargs}))


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    """Sessions that keep loaded objects usable after commit (views render after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
