"""The web application's database session: flask-sqlalchemy's, with the engine's SQLite set-up,
one commit per request, and a lost optimistic-lock race answered with 409."""

from __future__ import annotations

import sqlite3

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from engine.bootstrap import Database
from engine.models import CCA, ProcessInstance
from engine.services.applications import submit_application
from tests.factories import NOW, make_officer, make_run
from webapp.core.database import commit, session


def test_sqlite_engine_of_the_web_app_uses_wal_foreign_keys_and_begin_immediate(
    app: Flask, backend: str, db: Database
) -> None:
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    with app.app_context():
        assert session().execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session().execute(text("PRAGMA foreign_keys")).scalar() == 1
        # The request's transaction began with BEGIN IMMEDIATE: it holds the write lock at once.
        path = make_url(app.config["SQLALCHEMY_DATABASE_URI"]).database
        other = sqlite3.connect(str(path), timeout=0)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        finally:
            other.close()


def test_a_request_that_does_not_commit_leaves_nothing_behind(app: Flask, db: Database) -> None:
    def add_without_commit() -> str:
        session().add(CCA(code="UNSAVED", name="Never committed", approval_required=False))
        session().flush()
        return "flushed"

    def add_and_commit() -> str:
        session().add(CCA(code="SAVED", name="Committed once", approval_required=False))
        commit()
        return "committed"

    app.add_url_rule("/test/flush-only", view_func=add_without_commit)
    app.add_url_rule("/test/commit", view_func=add_and_commit)
    client = app.test_client()

    assert client.get("/test/flush-only").text == "flushed"
    assert client.get("/test/commit").text == "committed"

    with db.sessions() as check:
        codes = set(check.scalars(select(CCA.code).where(CCA.code.in_(["UNSAVED", "SAVED"]))))
    assert codes == {"SAVED"}


def test_a_lost_optimistic_lock_race_at_commit_is_a_409(app: Flask, db: Database) -> None:
    with db.sessions() as setup, setup.begin():
        officer = make_officer(setup)
        instance_id = submit_application(setup, officer, make_run(setup).id, True, NOW).instance_id

    def save_a_stale_instance() -> str:
        instance = session().get_one(ProcessInstance, instance_id)
        session().expunge(instance)
        session().rollback()
        with db.sessions() as other, other.begin():
            other.get_one(ProcessInstance, instance_id).status = "lapsed"
        session().add(instance)
        instance.status = "withdrawn"
        commit()
        return "saved"

    app.add_url_rule("/api/v1/test/stale", view_func=save_a_stale_instance)

    response = app.test_client().get("/api/v1/test/stale")

    assert response.status_code == 409
    assert response.json is not None and response.json["error"]["code"] == "conflict"
    with db.sessions() as check:
        assert check.get_one(ProcessInstance, instance_id).status == "lapsed"
