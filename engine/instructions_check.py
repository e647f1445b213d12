"""What deploy refuses in an instructions template, before any application meets it.

Syntax errors, unknown filters, text formatting, other templates, and constant
expressions that always fail or make a value too large are refused with their line;
what depends on the task data can only fail at run time (engine.instructions).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from jinja2 import TemplateSyntaxError, nodes

from engine.guards import (
    FORMATTING_METHODS,
    STATIC_VALUE_LIMIT,
    estimate_add,
    estimate_mul,
    estimate_pow,
    method_estimate,
)
from engine.instructions import FILTER_ESTIMATES, TEMPLATE_FORMATTING, compile_instructions, environment
from engine.sandbox_errors import SandboxError

_UNKNOWN: Any = object()
_ESTIMATES: dict[type[nodes.BinExpr], Callable[[Any, Any], int]] = {
    nodes.Mul: estimate_mul,
    nodes.Pow: estimate_pow,
    nodes.Add: estimate_add,
}
_OPERATIONS: dict[type[nodes.BinExpr], Callable[[Any, Any], Any]] = {
    nodes.Mul: operator.mul,
    nodes.Pow: operator.pow,
    nodes.Add: operator.add,
    nodes.Sub: operator.sub,
    nodes.Div: operator.truediv,
    nodes.FloorDiv: operator.floordiv,
    nodes.Mod: operator.mod,
}
_NOT_ALLOWED = {
    nodes.Include: "instructions cannot include other templates",
    nodes.Extends: "instructions cannot extend other templates",
    nodes.Import: "instructions cannot import other templates",
    nodes.FromImport: "instructions cannot import other templates",
}


def check_instructions(template: str) -> list[str]:
    """What deploy refuses in an instructions template, each reason with its line.

    Syntax errors, unknown filters, text formatting, other templates, and constant
    expressions that always fail or make a value too large (`{{ 1/0 }}`,
    `{{ 'a' * 200000000 }}`) are refused; what depends on the data fails at run time.
    """
    try:
        tree = environment.parse(template)
        problems = [f"instructions (line {line}): {message}" for line, message in _Constants().refusals(tree)]
        if not problems:
            compile_instructions(template)
    except TemplateSyntaxError as error:
        return [f"instructions (line {error.lineno}) are not a valid template: {error.message}"]
    except (RecursionError, MemoryError):
        return ["instructions are nested too deeply to be checked"]
    return problems


class _Constants:
    """Finds refusals in a parsed template, evaluating its constant parts once each."""

    def __init__(self) -> None:
        self.values: dict[int, Any] = {}
        self.found: list[tuple[int, str]] = []

    def refusals(self, tree: nodes.Template) -> list[tuple[int, str]]:
        for node in tree.find_all(nodes.Node):
            message = self._refusal(node)
            if message is not None:
                self.found.append((node.lineno, message))
            elif isinstance(node, nodes.Expr):
                self.value(node)
        return self.found

    @staticmethod
    def _refusal(node: nodes.Node) -> str | None:
        for kind, message in _NOT_ALLOWED.items():
            if isinstance(node, kind):
                return message
        if isinstance(node, nodes.Getattr) and node.attr in FORMATTING_METHODS:
            return TEMPLATE_FORMATTING
        if isinstance(node, nodes.Filter) and node.name == "format":
            return TEMPLATE_FORMATTING
        if isinstance(node, nodes.Mod) and isinstance(node.left, nodes.Const) and isinstance(node.left.value, str):
            return TEMPLATE_FORMATTING
        return None

    def value(self, node: nodes.Node) -> Any:
        """The constant value of `node`, or _UNKNOWN; a failure is recorded once, where it happens."""
        key = id(node)
        if key not in self.values:
            self.values[key] = _UNKNOWN
            try:
                self.values[key] = self._compute(node)
            except SandboxError as error:
                self.found.append((node.lineno, str(error)))
            except (ArithmeticError, TypeError, ValueError) as error:
                self.found.append((node.lineno, f"this expression always fails: {error}"))
        return self.values[key]

    def _compute(self, node: nodes.Node) -> Any:
        if isinstance(node, nodes.Const):
            return node.value
        if isinstance(node, nodes.List | nodes.Tuple):
            items = [self.value(item) for item in node.items]
            if any(item is _UNKNOWN for item in items):
                return _UNKNOWN
            return items if isinstance(node, nodes.List) else tuple(items)
        if isinstance(node, nodes.Neg | nodes.Pos):
            operand = self.value(node.node)
            return _UNKNOWN if operand is _UNKNOWN else (-operand if isinstance(node, nodes.Neg) else +operand)
        if isinstance(node, nodes.BinExpr) and type(node) in _OPERATIONS:
            left, right = self.value(node.left), self.value(node.right)
            if left is _UNKNOWN or right is _UNKNOWN:
                return _UNKNOWN
            estimate = _ESTIMATES.get(type(node))
            if estimate is not None and estimate(left, right) > STATIC_VALUE_LIMIT:
                return _UNKNOWN
            return _OPERATIONS[type(node)](left, right)
        if isinstance(node, nodes.Call) and isinstance(node.node, nodes.Getattr):
            return self._method(node, node.node)
        if isinstance(node, nodes.Filter) and node.name in ("center", "indent") and node.node is not None:
            target = self.value(node.node)
            args = [self.value(arg) for arg in node.args]
            if target is not _UNKNOWN and all(arg is not _UNKNOWN for arg in args) and not node.kwargs:
                FILTER_ESTIMATES[node.name](target, *args)
        return _UNKNOWN

    def _method(self, call: nodes.Call, method: nodes.Getattr) -> Any:
        target = self.value(method.node)
        args = [self.value(arg) for arg in call.args]
        if target is _UNKNOWN or call.kwargs or any(arg is _UNKNOWN for arg in args):
            return _UNKNOWN
        estimate = method_estimate(target, method.attr)
        if estimate is None or estimate(target, *args) > STATIC_VALUE_LIMIT:
            return _UNKNOWN
        return getattr(target, method.attr)(*args)
