"""The script sandbox: every script, gateway condition and timer expression runs here.

Process owners upload BPMN; without a sandbox that is the right to run any Python on
the server. Code is compiled with RestrictedPython (no imports, no names or attributes
starting with an underscore), checked once more for names we never hand out, and run
with safe builtins, attribute/item guards and only the helpers the engine injects.
"""

from __future__ import annotations

import ast
import json
import math
from collections.abc import Callable, Mapping
from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython.compile import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.Eval import default_guarded_getitem, default_guarded_getiter
from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
    safe_builtins,
    safer_getattr,
)
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

# Names a script may never mention, even though RestrictedPython would only fail at run
# time for most of them: refusing at deploy tells the process owner before anything runs.
FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "eval",
        "exec",
        "compile",
        "globals",
        "locals",
        "vars",
        "dir",
        "getattr",
        "setattr",
        "delattr",
        "input",
        "breakpoint",
        "help",
        "memoryview",
        "type",
        "super",
        "object",
        "classmethod",
        "staticmethod",
        "property",
        "exit",
        "quit",
    }
)

_EXTRA_BUILTINS: dict[str, Any] = {
    "dict": dict,
    "list": list,
    "enumerate": enumerate,
    "min": min,
    "max": max,
    "sum": sum,
    "any": any,
    "all": all,
    "sorted": sorted,
    "reversed": reversed,
    "map": map,
    "filter": filter,
    "round": round,
    "abs": abs,
    "set": set,
    "frozenset": frozenset,
    "math": math,
}


class SandboxError(Exception):
    """A script or expression the sandbox refuses, with the line where it can tell."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


def _inplacevar(op: str, x: Any, y: Any) -> Any:
    operations: dict[str, Callable[[Any, Any], Any]] = {
        "+=": lambda a, b: a + b,
        "-=": lambda a, b: a - b,
        "*=": lambda a, b: a * b,
        "/=": lambda a, b: a / b,
        "//=": lambda a, b: a // b,
        "%=": lambda a, b: a % b,
    }
    if op not in operations:
        raise SandboxError(f"operator {op} is not allowed in scripts")
    return operations[op](x, y)


MAX_RANGE = 100_000


def _bounded_range(*args: int) -> range:
    # A script must not tie up a worker: loops run over data or short ranges only.
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SandboxError(f"range() of more than {MAX_RANGE} numbers is not allowed in scripts")
    return numbers


def _safe_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_EXTRA_BUILTINS)
    builtins["range"] = _bounded_range
    for name in FORBIDDEN_NAMES:
        builtins.pop(name, None)
    builtins.pop("__import__", None)
    return builtins


_BUILTINS = _safe_builtins()
_GUARDS: dict[str, Any] = {
    "_getattr_": safer_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": _inplacevar,
}


def _check_tree(source: str) -> None:
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise SandboxError(f"syntax error: {error.msg}", error.lineno) from error
    for node in ast.walk(tree):
        line = getattr(node, "lineno", None)
        if isinstance(node, ast.Import | ast.ImportFrom):
            raise SandboxError("imports are not allowed in scripts", line)
        if isinstance(node, ast.While):
            raise SandboxError("while loops are not allowed in scripts; loop over a list instead", line)
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            raise SandboxError(f"'{node.id}' is not available in scripts", line)
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.startswith("_"):
                raise SandboxError(f"names starting with '_' are not allowed: {name}", line)


@lru_cache(maxsize=2048)
def compile_script(source: str) -> CodeType:
    """Compile a script task, pre- or post-script under the sandbox (cached by text)."""
    _check_tree(source)
    result = compile_restricted_exec(source, filename="<script>")
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "script does not compile")
    return result.code


@lru_cache(maxsize=2048)
def compile_expression(source: str) -> CodeType:
    """Compile a gateway condition or timer expression under the sandbox (cached)."""
    _check_tree(source)
    result = compile_restricted_eval(source.strip(), filename="<expression>")
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "expression does not compile")
    return result.code


def _json_friendly(name: str, value: Any) -> None:
    try:
        json.dumps(value)
    except (TypeError, ValueError) as error:
        raise SandboxError(
            f"variable '{name}' holds a {type(value).__name__}, which cannot be stored; "
            "use strings (ISO dates) and numbers"
        ) from error


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """A SpiffWorkflow script environment that runs code only through the sandbox.

    `helpers` are the only callables scripts see; they are rebound per step by the
    runtime so that side effects land in the step's own transaction.
    """

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__({})
        self.helpers: dict[str, Callable[..., Any]] = dict(helpers or {})

    def _globals(self, context: Mapping[str, Any], external: Mapping[str, Any] | None) -> dict[str, Any]:
        scope: dict[str, Any] = {"__builtins__": _BUILTINS, **_GUARDS}
        scope.update(context)
        scope.update(external or {})
        scope.update(self.helpers)
        return scope

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Evaluate a condition or timer expression against the task data."""
        code = compile_expression(expression)
        return eval(code, self._globals(context, external_context))  # noqa: S307 - sandboxed code

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        """Run a script; only new or changed plain data flows back into the task data."""
        code = compile_script(script)
        scope = self._globals(context, external_context)
        exec(code, scope)  # noqa: S102 - sandboxed code
        hidden = set(_GUARDS) | set(self.helpers) | set(external_context or {}) | {"__builtins__"}
        for name in list(context):
            if name not in scope:
                del context[name]
        for name, value in scope.items():
            if name in hidden or name.startswith("_") or callable(value):
                continue
            _json_friendly(name, value)
            context[name] = value
        return True

    def call_service(self, context: dict[str, Any], **kwargs: Any) -> Any:
        """Service tasks are not offered: nothing may call out of the sandbox."""
        raise SandboxError("service tasks are not supported")
