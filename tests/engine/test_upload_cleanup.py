"""Uploads no application uses are removed a day after upload (rows and files); attached ones stay."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.models import Upload
from engine.services.uploads import remove_unattached_uploads
from tests.engine.flow import Flow, to_claim
from webapp.cli import main as igot


def _files(settings: Settings, *upload_ids: str) -> dict[str, Path]:
    settings.upload_dir.mkdir(parents=True, exist_ok=True)
    paths = {upload_id: settings.upload_dir / upload_id for upload_id in upload_ids}
    for path in paths.values():
        path.write_bytes(b"%PDF-1.4\n")
    return paths


def _rows(db: Database) -> dict[str, Upload]:
    with db.sessions() as session:
        return {upload.id: upload for upload in session.scalars(select(Upload))}


def test_the_timer_round_removes_unattached_uploads_and_keeps_attached_ones(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings)
    officer = flow.officer()
    to_claim(flow, officer, "COUPON-1")
    attached = set(_rows(db))
    assert len(attached) == 2  # the certificate and the proof of payment the claim names
    forgotten = flow.upload(officer)
    later = datetime.now(UTC) + timedelta(hours=25)
    recent = flow.upload(officer)
    with db.sessions() as session, session.begin():
        session.get_one(Upload, recent).created_at = later - timedelta(hours=1)
    paths = _files(settings, *attached, forgotten, recent)
    stray = _files(settings, "f" * 32)["f" * 32]
    os.utime(stray, (later.timestamp() - 2 * 86400,) * 2)

    env = {"IGOT_DATABASE_URL": settings.database_url, "IGOT_INSTANCE_PATH": str(settings.instance_path)}
    env["IGOT_UPLOAD_DIR"] = str(settings.upload_dir)
    result = CliRunner().invoke(igot, ["timers", "--now", later.isoformat()], env=env)

    assert result.exit_code == 0, result.output
    assert "2 unattached upload(s) removed" in result.output  # the forgotten one and the stray file
    rows = _rows(db)
    assert set(rows) == attached | {recent}
    assert all(rows[upload_id].attached_at == later for upload_id in attached)
    assert rows[recent].attached_at is None
    assert not paths[forgotten].exists() and not stray.exists()
    assert all(paths[upload_id].exists() for upload_id in (*attached, recent))
    # A second round finds nothing more to do.
    assert remove_unattached_uploads(db.sessions, settings.upload_dir, later) == 0


def test_igot_uploads_cleanup_removes_what_is_a_day_old(db: Database, settings: Settings) -> None:
    flow = Flow(db, settings)
    officer = flow.officer()
    old = flow.upload(officer)
    path = _files(settings, old)[old]
    env = {"IGOT_DATABASE_URL": settings.database_url, "IGOT_INSTANCE_PATH": str(settings.instance_path)}
    env["IGOT_UPLOAD_DIR"] = str(settings.upload_dir)

    too_soon = (datetime.now(UTC) + timedelta(hours=23)).isoformat()
    assert (
        "0 unattached upload(s) removed"
        in CliRunner().invoke(igot, ["uploads", "cleanup", "--now", too_soon], env=env).output
    )
    assert path.exists()

    a_day_on = (datetime.now(UTC) + timedelta(hours=24, minutes=1)).isoformat()
    result = CliRunner().invoke(igot, ["uploads", "cleanup", "--now", a_day_on], env=env)

    assert result.exit_code == 0 and "1 unattached upload(s) removed" in result.output
    assert not path.exists() and old not in _rows(db)
