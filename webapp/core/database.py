"""One database session per request, committed once at the outer edge."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, current_app, g
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from engine.bootstrap import Database
from engine.config import Settings
from engine.errors import Conflict


def database() -> Database:
    """The application's database (engine and session factory)."""
    db: Database = current_app.extensions["igot_db"]
    return db


def settings() -> Settings:
    """The engine settings the application was built with."""
    value: Settings = current_app.config["IGOT_SETTINGS"]
    return value


def session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = database().sessions()
    db_session: Session = g.db_session
    return db_session


def commit() -> None:
    """Commit the request's work; a lost optimistic-lock race becomes a Conflict."""
    try:
        session().commit()
    except StaleDataError as error:
        session().rollback()
        raise Conflict("the application changed meanwhile; reload and try again") from error


def now() -> datetime:
    """The current time (tests may pin it with the IGOT_NOW config value)."""
    pinned = current_app.config.get("IGOT_NOW")
    if isinstance(pinned, datetime):
        return pinned
    return datetime.now(UTC)


def init_app(app: Flask) -> None:
    """Close (and roll back anything uncommitted) at the end of every request."""

    @app.teardown_appcontext
    def _close_session(_error: BaseException | None) -> None:
        db_session = g.pop("db_session", None)
        if db_session is not None:
            db_session.rollback()
            db_session.close()
