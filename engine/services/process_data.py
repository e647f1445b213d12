"""What a process holds: the data of an open task, or of an application where its process rests.

Pages that show one decision (a claim to verify, a payment to record) need facts that live
only in the process data: the grade reported, the amount claimed, the bank account. They are
read from the stored state, never written: the instance is loaded with an empty script
environment and thrown away. Lists read it for one page of rows at most; the inbox itself
never does (it reads the human-task table).
"""

from __future__ import annotations

import copy
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.bpmn.bundle import SpecBundle
from engine.definitions import bundle_by_ids
from engine.models import Application, HumanTask, ProcessInstance
from engine.runtime import current_data, load_workflow
from engine.sandbox import SandboxedEnvironment


def tasks_data(session: Session, tasks: list[HumanTask]) -> dict[str, dict[str, Any]]:
    """The data each task holds, by task id; {} for a task its instance no longer has.

    One query for the instances; each set of process versions is looked up once.
    """
    if not tasks:
        return {}
    instance_ids = {task.instance_id for task in tasks}
    instances = {
        instance.id: instance
        for instance in session.scalars(select(ProcessInstance).where(ProcessInstance.id.in_(instance_ids)))
    }
    bundles: dict[tuple[str, tuple[int, ...]], SpecBundle] = {}
    found: dict[str, dict[str, Any]] = {}
    for task in tasks:
        instance = instances.get(task.instance_id)
        found[task.id] = _task_data(_workflow(session, instance, bundles), task.id) if instance else {}
    return found


def task_data(session: Session, task: HumanTask) -> dict[str, Any]:
    """The data one task holds (a copy)."""
    return tasks_data(session, [task])[task.id]


def application_data(session: Session, application: Application) -> dict[str, Any]:
    """The data of the application's process where it rests (or where it ended); {} without one."""
    if application.instance_id is None:
        return {}
    instance = session.get(ProcessInstance, application.instance_id)
    if instance is None:
        return {}
    return copy.deepcopy(current_data(_workflow(session, instance, {})))


def _workflow(
    session: Session, instance: ProcessInstance, bundles: dict[tuple[str, tuple[int, ...]], SpecBundle]
) -> BpmnWorkflow:
    key = (instance.process_key, tuple(instance.bundle))
    if key not in bundles:
        bundles[key] = bundle_by_ids(session, instance.process_key, list(instance.bundle))
    return load_workflow(instance.state, bundles[key], SandboxedEnvironment({}))


def _task_data(workflow: BpmnWorkflow, task_id: str) -> dict[str, Any]:
    try:
        task = workflow.get_task_from_id(UUID(task_id))
    except (TaskNotFoundException, ValueError):
        return {}
    return copy.deepcopy(dict(task.data))
