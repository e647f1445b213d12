"""The web application's database: flask-sqlalchemy's request-scoped session over the engine's models.

flask-sqlalchemy opens one session per application context (so per request) and removes
it when the context ends; removing a session rolls back whatever was not committed. Views
call `commit()` once, at the outer edge; services only flush.

The extension is built with `metadata=Base.metadata` rather than `model_class=Base`: the
engine's models stay plain subclasses of engine.db.Base (the engine knows no Flask), and
the extension's metadata is theirs, so `db.metadata` lists every table. `model_class=Base`
would make flask-sqlalchemy build a second declarative class from Base's body, one no
model uses.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import Flask, current_app, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from engine.config import Settings
from engine.db import Base, engine_options, prepare_engine, set_reading_only
from engine.errors import Conflict
from engine.services.uploads import Quota

# Loaded objects stay usable after commit: views render after it.
db = SQLAlchemy(metadata=Base.metadata, session_options={"expire_on_commit": False}, add_models_to_shell=False)


def settings() -> Settings:
    """The engine settings the application was built with."""
    value: Settings = current_app.config["IGOT_SETTINGS"]
    return value


def upload_quota() -> Quota:
    """What one user may keep uploaded, from the settings (IGOT_UPLOAD_QUOTA_MB/_FILES)."""
    configured = settings()
    return Quota(configured.upload_quota_bytes, configured.upload_quota_files)


def session() -> Session:
    """The request's session (flask-sqlalchemy's `db.session`)."""
    return db.session()


def session_factory() -> sessionmaker[Any]:
    """Makes sessions of their own, for work that must outlive the request's rollback."""
    factory: sessionmaker[Any] = db.session.session_factory
    return factory


def commit() -> None:
    """Commit the request's work; a lost optimistic-lock race becomes a Conflict (409)."""
    try:
        db.session.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise Conflict("the application changed meanwhile; reload and try again") from error


def now() -> datetime:
    """The current time, aware, in UTC (tests may pin it with the IGOT_NOW config value)."""
    pinned = current_app.config.get("IGOT_NOW")
    if isinstance(pinned, datetime):
        return pinned
    return datetime.now(UTC)


def init_app(app: Flask, settings: Settings) -> None:
    """Bind the extension to the settings' database, with the engine's SQLite set-up (WAL, foreign
    keys, BEGIN IMMEDIATE, busy timeout) applied to the engine flask-sqlalchemy creates."""
    settings.instance_path.mkdir(parents=True, exist_ok=True)  # where SQLite's file lives by default
    app.config.setdefault("SQLALCHEMY_DATABASE_URI", settings.database_url)
    app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", engine_options(settings.database_url))
    db.init_app(app)
    with app.app_context():
        # flask-sqlalchemy creates the engine in init_app and connects on first use, so the
        # connection listeners are in place before any connection opens.
        prepare_engine(db.engine)

    @app.before_request
    def _transactions_of_this_request() -> None:
        # A request that only reads never waits behind a step that is writing (SQLite).
        set_reading_only(request.method in ("GET", "HEAD", "OPTIONS"))

    @app.teardown_request
    def _transactions_after_this_request(_error: BaseException | None) -> None:
        # What runs next in this thread (a test, a job) writes as usual.
        set_reading_only(False)
