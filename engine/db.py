"""Database engine and sessions. One commit per request or job, at the outer edge."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, sessionmaker


class Base(DeclarativeBase):
    """Declarative base of every table."""


# Whether transactions begun in this context only read (SQLite: a deferred BEGIN).
_reading_only: ContextVar[bool] = ContextVar("igot_reading_only", default=False)


def set_reading_only(value: bool) -> None:
    """Mark (or unmark) the transactions begun from now on in this context as read-only work
    (see reading_only); for a web request, which sets it at its start."""
    _reading_only.set(value)


@contextmanager
def reading_only(value: bool = True) -> Iterator[None]:
    """Mark the transactions begun inside as read-only work, so that on SQLite they begin
    DEFERRED: in WAL mode such a transaction reads a snapshot and never waits for a writer
    (a page view is not held up by a step that runs its scripts). Writing inside one is
    still possible but may fail with SQLITE_BUSY when a writer got there first, so only
    wrap work that reads (GET requests). No effect on PostgreSQL."""
    token = _reading_only.set(value)
    try:
        yield
    finally:
        _reading_only.reset(token)


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
        # Writers take the write lock at once, so two steps never deadlock upgrading a read
        # lock; readers (see reading_only) do not queue behind them.
        connection.exec_driver_sql("BEGIN" if _reading_only.get() else "BEGIN IMMEDIATE")

    return engine


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine with `engine_options` (overridden by kwargs), prepared by `prepare_engine`."""
    return prepare_engine(create_engine(url, **{**engine_options(url), **kwargs}))


def make_sessionmaker(engine: Engine) -> sessionmaker[Any]:
    """Sessions that keep loaded objects usable after commit (views render after it)."""
    return sessionmaker(bind=engine, expire_on_commit=False)
