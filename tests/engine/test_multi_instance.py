"""A multi-instance user task runs through the services: each instance is an inbox task named by
the task's BPMN id, and a loop back into it collects the new pass's decisions."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from engine.bootstrap import Database
from engine.config import Settings
from engine.definitions import deploy
from engine.models import Application, HumanTask, ProcessInstance, User
from engine.runtime import state_json
from engine.services.queries import list_tasks
from engine.services.tasks import complete_task
from engine.steps import start_process
from tests.engine.diagrams import multi_instance_review
from tests.factories import NOW, make_officer, make_run, make_staff


class Panel:
    """An application whose process is a deployed panel review, and the people who work it."""

    def __init__(self, db: Database, settings: Settings, xml: bytes) -> None:
        self.db, self.settings = db, settings
        with db.sessions() as session, session.begin():
            deploy(session, xml, "owner", settings.forms_dir)
            officer = make_officer(session)
            self.officer = officer.username
            self.reviewers = [make_staff(session, "cca_approver", officer.officer.cca_code).username for _ in "ab"]
            run = make_run(session)
            application = Application(
                officer_id=officer.id,
                officer=officer,
                course_run_id=run.id,
                course_run=run,
                course_code=run.course_code,
                cca_code=officer.officer.cca_code,
                status="awaiting_cadre_approval",
            )
            session.add(application)
            session.flush()
            start_process(session, application, "panel_review", {"reviewers": self.reviewers}, officer.username, NOW)
            self.application_id = application.id

    def inbox(self, username: str) -> list[tuple[str, str]]:
        with self.db.sessions() as session:
            user = session.scalars(select(User).where(User.username == username)).one()
            return [(task.name, task.title) for task in list_tasks(session, user, None, 50)]

    def complete(self, username: str, name: str, data: dict[str, Any]) -> None:
        with self.db.sessions() as session, session.begin():
            user = session.scalars(select(User).where(User.username == username)).one()
            task = next(task for task in list_tasks(session, user, None, 50) if task.name == name)
            complete_task(session, user, task.id, data, self.settings.forms_dir, NOW)

    def open_tasks(self) -> list[str]:
        with self.db.sessions() as session:
            query = select(HumanTask.name).where(
                HumanTask.application_id == self.application_id, HumanTask.state == "open"
            )
            return sorted(session.scalars(query))

    def instance(self) -> ProcessInstance:
        with self.db.sessions() as session:
            application = session.get_one(Application, self.application_id)
            return session.get_one(ProcessInstance, application.instance_id)


@pytest.mark.parametrize("cardinality", [None, "len(reviewers)"])
def test_parallel_review_by_two_reviewers_runs_with_tasks_named_by_bpmn_id(
    db: Database, settings: Settings, cardinality: str | None
) -> None:
    panel = Panel(db, settings, multi_instance_review(loop=False, cardinality=cardinality))
    assert panel.open_tasks() == ["review", "review"]
    first, second = panel.reviewers
    assert panel.inbox(first) == [("review", "Review nomination"), ("review", "Review nomination")]

    panel.complete(first, "review", {"decision": "approve"})
    assert panel.open_tasks() == ["review"]
    panel.complete(second, "review", {"decision": "approve"})

    assert panel.open_tasks() == []
    instance = panel.instance()
    assert instance.status == "completed"
    assert '"decisions": ["approve", "approve"]' in state_json(instance.state)


def test_loop_back_into_the_review_collects_the_second_pass_afresh(db: Database, settings: Settings) -> None:
    panel = Panel(db, settings, multi_instance_review(loop=True, cardinality="2"))
    first, second = panel.reviewers
    panel.complete(first, "review", {"decision": "return", "remarks": "Which batch?"})
    panel.complete(second, "review", {"decision": "approve"})
    assert panel.open_tasks() == ["respond_clarification"]

    panel.complete(panel.officer, "respond_clarification", {"response": "2015 batch"})
    assert panel.open_tasks() == ["review", "review"]
    panel.complete(second, "review", {"decision": "approve"})
    panel.complete(first, "review", {"decision": "approve"})

    instance = panel.instance()
    assert instance.status == "completed"
    assert '"decisions": ["approve", "approve"]' in state_json(instance.state)
