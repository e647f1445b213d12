"""Every setting the engine reads from the environment, in one documented place."""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


DEFAULT_UPLOAD_QUOTA_MB = 50
DEFAULT_UPLOAD_QUOTA_FILES = 100


@dataclass(frozen=True)
class Settings:
    """Where things live, and how much one officer may upload. Defaults give a zero-setup
    SQLite installation.

    `upload_quota_bytes` and `upload_quota_files` bound what one user keeps in uploads at
    once (IGOT_UPLOAD_QUOTA_MB, default 50 MB; IGOT_UPLOAD_QUOTA_FILES, default 100 files).
    """

    database_url: str
    instance_path: Path
    processes_dir: Path
    forms_dir: Path
    upload_dir: Path
    upload_quota_bytes: int = DEFAULT_UPLOAD_QUOTA_MB * 1024 * 1024
    upload_quota_files: int = DEFAULT_UPLOAD_QUOTA_FILES


def load_settings(database_url: str | None = None, instance_path: Path | None = None) -> Settings:
    """Read settings: explicit arguments first, then IGOT_* variables, then defaults.

    Raises ValueError naming the variable when IGOT_UPLOAD_QUOTA_MB or
    IGOT_UPLOAD_QUOTA_FILES is not a positive number.
    """
    instance = instance_path or Path(os.environ.get("IGOT_INSTANCE_PATH", PROJECT_ROOT / "instance"))
    url = database_url or os.environ.get("IGOT_DATABASE_URL") or f"sqlite:///{instance / 'igot.sqlite3'}"
    return Settings(
        database_url=url,
        instance_path=instance,
        processes_dir=Path(os.environ.get("IGOT_PROCESSES_DIR", PROJECT_ROOT / "processes")),
        forms_dir=Path(os.environ.get("IGOT_FORMS_DIR", PROJECT_ROOT / "forms")),
        upload_dir=Path(os.environ.get("IGOT_UPLOAD_DIR", instance / "uploads")),
        upload_quota_bytes=int(
            _positive("IGOT_UPLOAD_QUOTA_MB", os.environ.get("IGOT_UPLOAD_QUOTA_MB") or str(DEFAULT_UPLOAD_QUOTA_MB))
            * 1024
            * 1024
        ),
        upload_quota_files=int(
            _positive(
                "IGOT_UPLOAD_QUOTA_FILES", os.environ.get("IGOT_UPLOAD_QUOTA_FILES") or str(DEFAULT_UPLOAD_QUOTA_FILES)
            )
        ),
    )


@dataclass(frozen=True)
class ScriptLimits:
    """The budget of one step's scripts, expressions and instruction templates.

    `time_limit` is wall time in seconds from the start of the step; `memory_limit` is
    the growth of the process's resident memory during the step, in bytes.
    """

    time_limit: float
    memory_limit: int


DEFAULT_SCRIPT_TIME_LIMIT = 2.0
DEFAULT_SCRIPT_MEMORY_LIMIT_MB = 256


def load_script_limits() -> ScriptLimits:
    """Read IGOT_SCRIPT_TIME_LIMIT (seconds, a number > 0) and IGOT_SCRIPT_MEMORY_LIMIT (MB, > 0).

    Read at the start of every step, so tests and operators can change them per process.
    Raises ValueError naming the variable when a value is not a positive number.
    """
    return _script_limits(
        os.environ.get("IGOT_SCRIPT_TIME_LIMIT", str(DEFAULT_SCRIPT_TIME_LIMIT)),
        os.environ.get("IGOT_SCRIPT_MEMORY_LIMIT", str(DEFAULT_SCRIPT_MEMORY_LIMIT_MB)),
    )


@lru_cache(maxsize=8)
def _script_limits(time_text: str, memory_text: str) -> ScriptLimits:
    return ScriptLimits(
        time_limit=_positive("IGOT_SCRIPT_TIME_LIMIT", time_text),
        memory_limit=int(_positive("IGOT_SCRIPT_MEMORY_LIMIT", memory_text) * 1024 * 1024),
    )


def _positive(name: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not value > 0 or math.isinf(value):
        raise ValueError(f"{name} must be a positive number, not {text!r}")
    return value


@dataclass(frozen=True)
class MailSettings:
    """How mail leaves: an SMTP server, or (no host set) the log.

    IGOT_SMTP_HOST, IGOT_SMTP_PORT (default 25), IGOT_SMTP_USER and IGOT_SMTP_PASSWORD
    (both or neither), IGOT_SMTP_STARTTLS ("1"/"true"/"yes" to upgrade the connection),
    IGOT_MAIL_FROM (the From address), IGOT_BASE_URL (the site's address, for the links
    in mail), IGOT_DIGEST_HOUR (0 to 23: when the daily digests go out, India time).
    """

    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    starttls: bool
    mail_from: str
    base_url: str
    digest_hour: int


def load_mail_settings() -> MailSettings:
    """Read the mail settings from the environment (defaults: no SMTP server, so mail is logged)."""
    return MailSettings(
        smtp_host=os.environ.get("IGOT_SMTP_HOST") or None,
        smtp_port=int(os.environ.get("IGOT_SMTP_PORT") or 25),
        smtp_user=os.environ.get("IGOT_SMTP_USER") or None,
        smtp_password=os.environ.get("IGOT_SMTP_PASSWORD") or None,
        starttls=(os.environ.get("IGOT_SMTP_STARTTLS") or "").lower() in ("1", "true", "yes"),
        mail_from=os.environ.get("IGOT_MAIL_FROM") or "iGOT MicroMasters <no-reply@igot.example.gov.in>",
        base_url=(os.environ.get("IGOT_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        digest_hour=min(max(int(os.environ.get("IGOT_DIGEST_HOUR") or 9), 0), 23),
    )
