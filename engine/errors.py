"""Exceptions services raise; the web layer maps each class to one HTTP answer."""

from __future__ import annotations

from typing import Any


class EngineError(Exception):
    """Base of every error a caller is expected to handle."""

    code = "error"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(EngineError):
    """The thing does not exist, or the caller may not see it (the same answer on purpose)."""

    code = "not_found"


class Forbidden(EngineError):
    """The caller is known and may see the thing, but may not do this to it."""

    code = "forbidden"


class Conflict(EngineError):
    """The state moved on: task already completed, claimed by another, stale, duplicate."""

    code = "conflict"


class Invalid(EngineError):
    """Well-formed input that breaks a rule; `fields` names every bad field."""

    code = "invalid"

    def __init__(self, message: str, fields: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.fields = fields or {}


class DeployRefused(EngineError):
    """A BPMN file that may not be deployed; `details` lists each reason with its element.

    When the refusal comes from the rehearsal, `scenarios` holds every scenario's result
    (engine.bpmn.rehearsal.ScenarioResult), passed and failed; otherwise it is empty.
    """

    code = "invalid_process"

    def __init__(self, message: str, details: list[str], scenarios: tuple[Any, ...] = ()) -> None:
        super().__init__(message)
        self.details = details
        self.scenarios = scenarios


class StepFailed(EngineError):
    """A step of a process failed (any exception from a script, an expression or the engine).

    Nothing of the step was kept. `element` is the BPMN id of the failing element where it
    is known; the layer that runs the step fills in the instance, the application and the
    action (a StepAction) so that the failure can be recorded as an incident and retried.
    """

    code = "step_failed"

    def __init__(self, message: str, element: str | None = None) -> None:
        super().__init__(message)
        self.element = element
        self.instance_id: int | None = None
        self.application_id: int | None = None
        self.action: Any = None


class Unauthorized(EngineError):
    """No credentials, or wrong ones; the same answer for an unknown user and a bad password."""

    code = "unauthorized"


class TooLarge(EngineError):
    """A body or file over its size limit."""

    code = "too_large"
