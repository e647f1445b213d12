"""What the applications list shows for each application, loaded in two queries for the page."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.models import Application
from engine.services.queries import histories, open_tasks_of
from webapp.ui.labels import StatusWords, status_words


@dataclass(frozen=True)
class ApplicationRow:
    """An application with its status in words."""

    application: Application
    status: StatusWords


def application_rows(session: Session, applications: Sequence[Application]) -> list[ApplicationRow]:
    """The applications with their status told by their history (a claim returned, a result
    being corrected), with one query for the histories and one for the open tasks."""
    ids = [application.id for application in applications]
    entries, tasks = histories(session, ids), open_tasks_of(session, ids)
    return [
        ApplicationRow(a, status_words(a.status, entries[a.id], [task.name for task in tasks[a.id]]))
        for a in applications
    ]
