"""Every setting the engine reads from the environment, in one documented place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Settings:
    """Where things live. Defaults give a zero-setup SQLite installation."""

    database_url: str
    instance_path: Path
    processes_dir: Path
    forms_dir: Path
    upload_dir: Path


def load_settings(database_url: str | None = None, instance_path: Path | None = None) -> Settings:
    """Read settings: explicit arguments first, then IGOT_* variables, then defaults."""
    instance = instance_path or Path(os.environ.get("IGOT_INSTANCE_PATH", PROJECT_ROOT / "instance"))
    url = database_url or os.environ.get("IGOT_DATABASE_URL") or f"sqlite:///{instance / 'igot.sqlite3'}"
    return Settings(
        database_url=url,
        instance_path=instance,
        processes_dir=Path(os.environ.get("IGOT_PROCESSES_DIR", PROJECT_ROOT / "processes")),
        forms_dir=Path(os.environ.get("IGOT_FORMS_DIR", PROJECT_ROOT / "forms")),
        upload_dir=Path(os.environ.get("IGOT_UPLOAD_DIR", instance / "uploads")),
    )
