"""What a step does to a process instance, as data, so that a failed step can be kept and retried.

A step is an action applied to an instance (complete a user task, fire its due timers,
start it, cancel it) followed by the engine running to the next wait state. When the
step fails, the incident keeps the action as JSON; retrying rebuilds the action and
applies it again to the instance's state as it is then.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Protocol
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.exceptions import TaskNotFoundException
from SpiffWorkflow.task import TaskState

from engine.errors import Conflict
from engine.runtime import collapse_missed_cycles, task_name


class StepAction(Protocol):
    """An action a step applies before the engine runs on."""

    kind: ClassVar[str]

    def key(self) -> str:
        """What the action acts on; one open incident per application and key."""
        ...

    def apply(self, workflow: BpmnWorkflow) -> None:
        """Change the workflow (the engine then runs to the next wait state)."""
        ...

    def to_json(self) -> dict[str, Any]:
        """The action as plain JSON, for the incident."""
        ...


@dataclass(frozen=True)
class CompleteUserTask:
    """A person completes a READY user task with the cleaned form data."""

    task_id: str
    name: str
    data: dict[str, Any]
    actor: str
    kind: ClassVar[str] = "complete_task"

    def key(self) -> str:
        return f"{self.kind}:{self.task_id}"

    def apply(self, workflow: BpmnWorkflow) -> None:
        """Run the user task; Conflict when it is no longer READY (completed meanwhile, say)."""
        try:
            task = workflow.get_task_from_id(UUID(self.task_id))
        except (TaskNotFoundException, ValueError) as error:
            raise Conflict("the task is no longer part of the process") from error
        if not task.has_state(TaskState.READY) or task_name(task) != self.name:
            raise Conflict("the task is not ready")
        task.set_data(**self.data)
        task.run()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "task_id": self.task_id, "task": self.name, "data": self.data, "actor": self.actor}


@dataclass(frozen=True)
class FireTimers:
    """The timer worker fires the instance's due timers."""

    kind: ClassVar[str] = "fire_timers"

    def key(self) -> str:
        return self.kind

    def apply(self, workflow: BpmnWorkflow) -> None:
        """Let every waiting timer whose deadline has passed fire (by the engine clock); a cycle
        timer that missed several occurrences fires once for them (collapse_missed_cycles)."""
        collapse_missed_cycles(workflow)
        workflow.refresh_timers()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind}


@dataclass(frozen=True)
class StartProcess:
    """An application's process starts; its start data is built again from the application."""

    process: str
    actor: str
    kind: ClassVar[str] = "start_process"

    def key(self) -> str:
        return self.kind

    def apply(self, workflow: BpmnWorkflow) -> None:
        """Nothing to do: a new workflow starts by running."""

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "process": self.process, "actor": self.actor}


@dataclass(frozen=True)
class CancelProcess:
    """The officer withdraws: the instance is cancelled and its tasks close."""

    actor: str
    kind: ClassVar[str] = "cancel"

    def key(self) -> str:
        return self.kind

    def apply(self, workflow: BpmnWorkflow) -> None:
        """Cancel every unfinished task of the workflow."""
        workflow.cancel()

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "actor": self.actor}


def action_from_json(value: Any) -> StepAction | None:
    """The action an incident keeps, or None when it keeps none (or one this version cannot read)."""
    if not isinstance(value, dict):
        return None
    kind = value.get("kind")
    if kind == CompleteUserTask.kind:
        data = value.get("data")
        return CompleteUserTask(
            str(value.get("task_id")), str(value.get("task")), dict(data or {}), str(value.get("actor"))
        )
    if kind == FireTimers.kind:
        return FireTimers()
    if kind == StartProcess.kind:
        return StartProcess(str(value.get("process")), str(value.get("actor")))
    if kind == CancelProcess.kind:
        return CancelProcess(str(value.get("actor")))
    return None
