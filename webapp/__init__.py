"""The Flask application: API, inbox and portal over the engine."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from engine.config import load_settings


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the application; tests pass their own database URL and paths."""
    from webapp.core.errors import IgotFlask, log_to_gunicorn

    app = IgotFlask(__name__)
    config = test_config or {}
    settings = load_settings(config.get("DATABASE_URL"), config.get("INSTANCE_PATH"))
    app.config.update(
        SECRET_KEY=os.environ.get("IGOT_SECRET_KEY") or _instance_secret(settings.instance_path),
        MAX_CONTENT_LENGTH=6 * 1024 * 1024,
        IGOT_SETTINGS=settings,
    )
    app.config.update(config)

    from webapp.api import api
    from webapp.core import boundary, database, errors, throttle
    from webapp.ui import register_ui

    _trust_proxies(app, int(config.get("IGOT_TRUSTED_PROXIES", os.environ.get("IGOT_TRUSTED_PROXIES") or 0)))
    database.init_app(app, settings)
    errors.init_app(app)
    boundary.init_app(app)
    log_to_gunicorn()
    throttle.init_app(app)
    app.register_blueprint(api)
    register_ui(app, api)
    return app


def _trust_proxies(app: Flask, hops: int) -> None:
    """Behind `hops` proxies (IGOT_TRUSTED_PROXIES, default 0), take the client's address,
    scheme and host from the last `hops` entries of X-Forwarded-For/-Proto/-Host (werkzeug's
    ProxyFix); with 0 these headers are ignored, so no client can choose its own address.
    """
    if hops < 0:
        raise ValueError(f"IGOT_TRUSTED_PROXIES must be 0 or more, not {hops}")
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]


def _instance_secret(instance_path: Path) -> str:
    """A per-installation secret kept in the instance folder, made on first start."""
    path = instance_path / "secret_key"
    instance_path.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(secrets.token_hex(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()
