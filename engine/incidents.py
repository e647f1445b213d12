"""Incidents: steps that failed and were rolled back, kept for operators to look at."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import sessionmaker

from engine.models import Incident


def record_incident(
    make_session: sessionmaker[Any], instance_id: int | None, application_id: int | None, message: str, now: datetime
) -> None:
    """Write an incident in its own transaction, after the failed step was rolled back."""
    with make_session() as session, session.begin():
        session.add(Incident(at=now, instance_id=instance_id, application_id=application_id, message=message[:4000]))
