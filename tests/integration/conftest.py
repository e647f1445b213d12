"""The web UI's app and client, with the clock pinned to the factories' NOW."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine.bootstrap import Database
from engine.config import Settings
from tests.factories import NOW
from webapp import create_app
from webapp.core.database import db as web_db


@pytest.fixture
def app(settings: Settings, db: Database) -> Iterator[Flask]:
    app = create_app(
        {
            "DATABASE_URL": settings.database_url,
            "INSTANCE_PATH": settings.instance_path,
            "TESTING": True,
            "IGOT_NOW": NOW,
        }
    )
    yield app
    with app.app_context():
        web_db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()
