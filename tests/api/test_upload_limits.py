"""Uploads have limits: a quota per officer, a rate, and images of sane dimensions."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from PIL import Image

from engine.services.uploads import IMAGE_TOO_LARGE, IMAGE_UNREADABLE, QUOTA_FULL
from tests.api.conftest import PDF, register


def image_bytes(kind: str, size: tuple[int, int], mode: str = "RGB") -> bytes:
    """A real image of `size` pixels in `kind` ("PNG", "JPEG")."""
    out = io.BytesIO()
    Image.new(mode, size).save(out, kind)
    return out.getvalue()


def _send(client: FlaskClient, token: str, content: bytes, name: str = "file.pdf") -> Any:
    return client.post(
        "/api/v1/uploads", data={"file": (io.BytesIO(content), name)}, headers={"Authorization": f"Bearer {token}"}
    )


def _quota(app: Flask, **changes: int) -> None:
    app.config["IGOT_SETTINGS"] = dataclasses.replace(app.config["IGOT_SETTINGS"], **changes)


def test_an_officer_over_the_file_quota_is_refused_and_others_are_not(app: Flask, client: FlaskClient) -> None:
    _quota(app, upload_quota_files=2)
    officer, other = register(client), register(client)
    assert _send(client, officer.token, PDF).status_code == 201
    assert _send(client, officer.token, PDF).status_code == 201

    refused = _send(client, officer.token, PDF)

    assert refused.status_code == 422
    assert refused.json["error"]["fields"]["file"] == QUOTA_FULL
    assert _send(client, other.token, PDF).status_code == 201


def test_an_officer_over_the_size_quota_is_refused(app: Flask, client: FlaskClient) -> None:
    _quota(app, upload_quota_bytes=3 * len(PDF))
    officer = register(client)
    big = PDF + b"0" * len(PDF)  # twice the size of PDF
    assert _send(client, officer.token, big).status_code == 201
    assert _send(client, officer.token, big).json["error"]["fields"]["file"] == QUOTA_FULL
    assert _send(client, officer.token, PDF).status_code == 201  # exactly up to the quota


def test_uploads_too_fast_get_429_with_retry_after(app: Flask, client: FlaskClient) -> None:
    app.config["IGOT_UPLOAD_RATE_LIMIT"] = "3 per minute"
    officer, other = register(client), register(client)
    for _upload in range(3):
        assert _send(client, officer.token, PDF).status_code == 201

    refused = _send(client, officer.token, PDF)

    assert refused.status_code == 429
    wait = int(refused.headers["Retry-After"])
    assert 0 < wait <= 60
    assert refused.json["error"]["code"] == "too_many_requests"
    assert f"Try again in {wait} seconds" in refused.json["error"]["message"]
    assert _send(client, other.token, PDF).status_code == 201  # counted per user


def test_images_of_insane_dimensions_or_damaged_are_refused(client: FlaskClient) -> None:
    officer = register(client)
    assert _send(client, officer.token, image_bytes("PNG", (800, 600)), "scan.png").status_code == 201

    too_wide = _send(client, officer.token, image_bytes("PNG", (10_001, 1), "1"), "wide.png")
    bomb = _send(client, officer.token, image_bytes("PNG", (9_000, 9_000), "1"), "bomb.png")
    damaged = _send(client, officer.token, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "damaged.png")

    assert too_wide.status_code == bomb.status_code == damaged.status_code == 422
    assert too_wide.json["error"]["fields"]["file"] == bomb.json["error"]["fields"]["file"] == IMAGE_TOO_LARGE
    assert damaged.json["error"]["fields"]["file"] == IMAGE_UNREADABLE
