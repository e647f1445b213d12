"""What the HTTP benchmarks share: a database of their own, gunicorn, a light HTTP client,
seeding through the engine, and the percentile report.

The database: PostgreSQL when one answers at IGOT_BENCH_PG_URL (default: postgres on
127.0.0.1:5432), in a database `bench_<pid>` created here and dropped at the end; otherwise a
SQLite file in a temporary folder.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from engine.bootstrap import Database, init, open_database
from engine.config import PROJECT_ROOT, Settings

PASSWORD = "bench-password"  # noqa: S105 - every benchmark user's password
PG_URL = os.environ.get("IGOT_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def percentile(samples: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `samples` (fraction 0..1)."""
    ordered = sorted(samples)
    index = max(0, min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1))
    return ordered[index]


def report(name: str, samples_ms: list[float]) -> dict[str, float]:
    """Print median/p95/p99 of millisecond samples; returns them."""
    figures = {
        "p50": percentile(samples_ms, 0.50),
        "p95": percentile(samples_ms, 0.95),
        "p99": percentile(samples_ms, 0.99),
    }
    print(
        f"{name:<46} median {figures['p50']:7.2f} ms   p95 {figures['p95']:7.2f} ms   "
        f"p99 {figures['p99']:7.2f} ms   n={len(samples_ms)}",
        flush=True,
    )
    return figures


@contextlib.contextmanager
def bench_database() -> Iterator[tuple[str, Path]]:
    """(database URL, instance folder): a PostgreSQL database made for this run, or SQLite."""
    folder = Path(tempfile.mkdtemp(prefix="igot-bench-"))
    name = f"bench_{os.getpid()}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as error:
        print(f"PostgreSQL not reachable ({type(error).__name__}); using SQLite", flush=True)
        admin.dispose()
        yield f"sqlite:///{folder / 'bench.sqlite3'}", folder
        return
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url, folder
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def settings_for(url: str, folder: Path) -> Settings:
    """Settings on the benchmark's database, with the shipped processes and forms."""
    return Settings(url, folder, PROJECT_ROOT / "processes", PROJECT_ROOT / "forms", folder / "uploads")


def prepared_database(settings: Settings) -> Database:
    """The schema migrated, reference data seeded and the shipped processes deployed."""
    database = open_database(settings)
    init(settings, database)
    return database


def free_port() -> int:
    """A TCP port nobody listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(settings: Settings, workers: int) -> Iterator[int]:
    """Serve webapp under gunicorn (sync workers) on the settings' database; yields the port."""
    port = free_port()
    env = os.environ | {
        "IGOT_DATABASE_URL": settings.database_url,
        "IGOT_INSTANCE_PATH": str(settings.instance_path),
        "IGOT_SECRET_KEY": "bench-secret-key",
        # Every client of the benchmark comes from 127.0.0.1; the per-address limits of
        # webapp/core/throttle.py are for real addresses (the per-account ones stay).
        "IGOT_ACCOUNT_FORM_LIMIT": os.environ.get("IGOT_ACCOUNT_FORM_LIMIT", "100000 per minute"),
        "IGOT_SIGN_IN_LIMIT_ADDRESS": os.environ.get("IGOT_SIGN_IN_LIMIT_ADDRESS", "100000 per minute"),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "--workers",
        str(workers),
        "--worker-class",
        "sync",
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "120",
        "webapp:create_app()",
    ]
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT)  # noqa: S603
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            if process.poll() is not None:
                raise RuntimeError("gunicorn exited")
            time.sleep(0.1)
        # Every worker imports the application lazily on its first request: warm them up.
        client = Client(port)
        for _ in range(workers * 4):
            client.call("GET", "/api/v1/openapi.json")
        yield port
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()


class Client:
    """One keep-alive HTTP/1.1 connection (standard library: little CPU per call)."""

    def __init__(self, port: int, token: str | None = None) -> None:
        self.port = port
        self.token = token
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> tuple[int, Any, float]:
        """(status, parsed JSON or raw text, milliseconds)."""
        headers = {"Accept": "application/json"}
        if token or self.token:
            headers["Authorization"] = f"Bearer {token or self.token}"
        payload = None
        if body is not None:
            payload = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        started = time.perf_counter()
        for attempt in range(2):
            try:
                self.connection.request(method, path, body=payload, headers=headers)
                response = self.connection.getresponse()
                raw = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
                # gunicorn closed an idle keep-alive connection: reconnect once.
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
                if attempt:
                    raise
        elapsed = (time.perf_counter() - started) * 1000
        kind = response.getheader("Content-Type") or ""
        parsed: Any = json.loads(raw) if kind.startswith("application/json") and raw else raw.decode(errors="replace")
        return response.status, parsed, elapsed


@dataclass
class CourseDates:
    """A course run open for applications today (the server's clock is the real one)."""

    starts_on: str
    registration_closes_on: str
    ends_on: str

    @classmethod
    def open_now(cls) -> CourseDates:
        today = datetime.now(UTC).date()
        return cls(
            starts_on=(today + timedelta(days=60)).isoformat(),
            registration_closes_on=(today + timedelta(days=30)).isoformat(),
            ends_on=(today + timedelta(days=150)).isoformat(),
        )


def officer_body(username: str) -> dict[str, Any]:
    """A registration form of an eligible IAS officer of DOPT-IAS."""
    return {
        "username": username,
        "password": PASSWORD,
        "full_name": f"Bench Officer {username}",
        "email": f"{username}@example.gov.in",
        "mobile": "+919800000000",
        "service": "IAS",
        "cca": "DOPT-IAS",
        "designation": "Deputy Secretary",
        "date_of_joining": "2015-01-01",
        "date_of_birth": "1985-01-01",
        "edx_username": username,
    }


@contextlib.contextmanager
def one_password_hash() -> Iterator[None]:
    """Seeding many users: hash the one shared password once (a real scrypt hash, so sign-in works)."""
    from engine import passwords
    from engine.services import people

    stored = passwords.hash_password(PASSWORD)
    original = people.hash_password
    people.hash_password = lambda password: stored if password == PASSWORD else original(password)
    try:
        yield
    finally:
        people.hash_password = original


def today() -> date:
    """Today (UTC)."""
    return datetime.now(UTC).date()
