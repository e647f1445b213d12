"""The script sandbox: every script, gateway condition and timer expression runs here.

Process owners upload BPMN; without a sandbox that is the right to run any Python on
the server. Code is compiled with RestrictedPython (no imports, no names or attributes
starting with an underscore), checked once more for names we never hand out, and run
with safe builtins, attribute/item guards and only the helpers the engine injects.

Every run draws on the step's budget (engine.budget): the policy (engine.script_policy)
inserts ticks that stop a script once the step is over its wall time or memory, and
routes operators and methods that could run long in one C call through engine.guards.
What the sandbox would refuse and can be seen in the source is refused at compile time,
so that deploy names the element and the line.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import lru_cache
from types import CodeType, TracebackType
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
from RestrictedPython.transformer import IOPERATOR_TO_STR
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.budget import Budget, step_budget
from engine.guards import (
    FORMATTING_HINT,
    FORMATTING_METHODS,
    GUARDED_METHODS,
    INPLACE_OPERATORS,
    MAX_RANGE,
    bounded_range,
    formatted_value,
    guard_method,
    guarded_add,
    guarded_lshift,
    guarded_math,
    guarded_mod,
    guarded_mul,
    guarded_pow,
    guarded_sorted,
    guarded_sum,
    inplace_operation,
)
from engine.instructions import TemplateFailure
from engine.sandbox_errors import BudgetExceeded, SandboxError
from engine.script_policy import FORMAT_VALUE, TICK, BudgetPolicy, check_constants

__all__ = [
    "MAX_RANGE",
    "BudgetExceeded",
    "SandboxError",
    "SandboxedEnvironment",
    "compile_expression",
    "compile_script",
    "step_budget",
]

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
        "print",
        "printed",
    }
)

_EXTRA_BUILTINS: dict[str, Any] = {
    "dict": dict,
    "list": list,
    "enumerate": enumerate,
    "min": min,
    "max": max,
    "sum": guarded_sum,
    "any": any,
    "all": all,
    "sorted": guarded_sorted,
    "reversed": reversed,
    "map": map,
    "filter": filter,
    "round": round,
    "abs": abs,
    "set": set,
    "frozenset": frozenset,
    "math": guarded_math(),
    "pow": guarded_pow,
    "range": bounded_range,
}


def _safe_builtins() -> dict[str, Any]:
    builtins = dict(safe_builtins)
    builtins.update(_EXTRA_BUILTINS)
    for name in FORBIDDEN_NAMES:
        builtins.pop(name, None)
    builtins.pop("__import__", None)
    return builtins


_restricted_getattr: Callable[[Any, str], Any] = safer_getattr


def _guarded_getattr(target: Any, name: str) -> Any:
    if name in FORMATTING_METHODS and (isinstance(target, str) or target is str):
        raise SandboxError(f"string formatting methods (.{name}) are not allowed in scripts; {FORMATTING_HINT}")
    value = _restricted_getattr(target, name)
    return guard_method(target, name, value) if name in GUARDED_METHODS else value


def _apply(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    # RestrictedPython routes `f(*args, **kwargs)` here; the values are already guarded.
    return function(*args, **kwargs)


_BUILTINS = _safe_builtins()
_GUARDS: dict[str, Any] = {
    "_getattr_": _guarded_getattr,
    "_getitem_": default_guarded_getitem,
    "_getiter_": default_guarded_getiter,
    "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
    "_unpack_sequence_": guarded_unpack_sequence,
    "_write_": full_write_guard,
    "_inplacevar_": inplace_operation,
    "_apply_": _apply,
    "_pow_": guarded_pow,
    "_mul_": guarded_mul,
    "_lshift_": guarded_lshift,
    "_add_": guarded_add,
    "_mod_": guarded_mod,
    FORMAT_VALUE: formatted_value,
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
        if isinstance(node, ast.ClassDef):
            raise SandboxError("classes are not available in scripts; use dicts and functions", line)
        if isinstance(node, ast.AugAssign) and IOPERATOR_TO_STR[type(node.op)] not in INPLACE_OPERATORS:
            raise SandboxError(f"operator {IOPERATOR_TO_STR[type(node.op)]} is not allowed in scripts", line)
        if isinstance(node, ast.Name) and node.id in FORBIDDEN_NAMES:
            raise SandboxError(f"'{node.id}' is not available in scripts", line)
        if isinstance(node, ast.Attribute) and node.attr in FORMATTING_METHODS:
            raise SandboxError(
                f"string formatting methods (.{node.attr}) are not allowed in scripts; {FORMATTING_HINT}", line
            )
        if isinstance(node, ast.Name | ast.Attribute):
            name = node.id if isinstance(node, ast.Name) else node.attr
            if name.startswith("_"):
                raise SandboxError(f"names starting with '_' are not allowed: {name}", line)
    check_constants(tree)


@contextmanager
def _readable_refusal(kind: str) -> Iterator[None]:
    # A script nested thousands of levels deep exhausts the parser's or checker's stack.
    try:
        yield
    except (RecursionError, MemoryError) as error:
        raise SandboxError(f"the {kind} is nested too deeply to be checked") from error


@lru_cache(maxsize=2048)
def compile_script(source: str) -> CodeType:
    """Compile a script task, pre- or post-script under the sandbox (cached by text).

    Raises SandboxError, with the line where it can tell, for what the sandbox refuses.
    """
    with _readable_refusal("script"):
        _check_tree(source)
        result = compile_restricted_exec(source, filename="<script>", policy=BudgetPolicy)
    if result.errors or result.code is None:
        raise SandboxError("; ".join(result.errors) or "script does not compile")
    return result.code


@lru_cache(maxsize=2048)
def compile_expression(source: str) -> CodeType:
    """Compile a gateway condition, timer or loop expression under the sandbox (cached).

    Raises SandboxError, with the line where it can tell, for what the sandbox refuses.
    """
    with _readable_refusal("expression"):
        _check_tree(source)
        result = compile_restricted_eval(source.strip(), filename="<expression>", policy=BudgetPolicy)
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


def _script_line(traceback: TracebackType | None) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename in ("<script>", "<expression>"):
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line


def _readable(error: BaseException) -> SandboxError | None:
    """What a sandboxed run raised, as the step's failure names it; None keeps the error.

    RecursionError and MemoryError become BudgetExceeded; a SandboxError raised while the
    code ran gets the script's line where it happened.
    """
    line = _script_line(error.__traceback__)
    where = f" (line {line})" if line else ""
    if isinstance(error, RecursionError):
        return BudgetExceeded(f"functions of the script call themselves too deeply{where}", line)
    if isinstance(error, MemoryError):
        return BudgetExceeded(f"the script ran out of memory{where}", line)
    if isinstance(error, SandboxError) and error.line is None and line is not None:
        return type(error)(f"{error}{where}", line)
    return None


def _run_on(budget: Budget, run: Callable[[], Any]) -> Any:
    """Run sandboxed code on `budget`; what it exceeded fails the step even if the code caught it."""
    try:
        result = run()
    except (SandboxError, RecursionError, MemoryError) as error:
        readable = _readable(error)
        if readable is None:
            raise
        raise readable from error
    budget.ensure_within()
    return result


class SandboxedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]
    """A SpiffWorkflow script environment that runs code only through the sandbox.

    `helpers` are the only callables scripts see; they are rebound per step by the
    runtime so that side effects land in the step's own transaction. Code runs on the
    budget of the running step (engine.budget.step_budget), or on its own outside one.

    `template_failures` lists the user tasks of this step whose instructions template
    could not be rendered (engine.steps fills it; the task shows a placeholder instead).
    """

    def __init__(self, helpers: Mapping[str, Callable[..., Any]] | None = None) -> None:
        super().__init__({})
        self.helpers: dict[str, Callable[..., Any]] = dict(helpers or {})
        self.template_failures: list[TemplateFailure] = []

    def _globals(
        self, context: Mapping[str, Any], external: Mapping[str, Any] | None, budget: Budget
    ) -> dict[str, Any]:
        scope: dict[str, Any] = {"__builtins__": _BUILTINS, **_GUARDS, TICK: budget.tick}
        scope.update(context)
        scope.update(external or {})
        scope.update(self.helpers)
        return scope

    def evaluate(
        self, expression: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        """Evaluate a condition, timer or loop expression against the task data.

        Raises SandboxError for what the sandbox refuses, BudgetExceeded (a SandboxError)
        when the step's budget runs out.
        """
        code = compile_expression(expression)
        with step_budget() as budget:
            scope = self._globals(context, external_context, budget)
            return _run_on(budget, lambda: eval(code, scope))  # noqa: S307 - sandboxed code

    def execute(self, script: str, context: dict[str, Any], external_context: Mapping[str, Any] | None = None) -> bool:
        """Run a script; only new or changed plain data flows back into the task data.

        Raises SandboxError for what the sandbox refuses, BudgetExceeded (a SandboxError)
        when the step's budget runs out.
        """
        code = compile_script(script)
        with step_budget() as budget:
            scope = self._globals(context, external_context, budget)
            _run_on(budget, lambda: exec(code, scope))  # noqa: S102 - sandboxed code
        hidden = set(_GUARDS) | set(self.helpers) | set(external_context or {}) | {"__builtins__", TICK}
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
