"""What the script sandbox raises; `engine.sandbox` re-exports both classes.

They live apart from the sandbox so that the budget and the guards, which the sandbox
itself imports, can raise them too.
"""

from __future__ import annotations


class SandboxError(Exception):
    """A script or expression the sandbox refuses, with the line where it can tell."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class BudgetExceeded(SandboxError):
    """A step's scripts went over their budget: wall time, memory, value size or recursion.

    The message names what was exceeded and the limit, e.g. "the step ran longer than its
    limit of 2 s". The runtime turns it into a failed step like any SandboxError.
    """
