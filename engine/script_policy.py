"""What is done to a script's source before it runs: budget ticks, guarded operators, and
the refusals deploy can already see.

RestrictedPython's RestrictingNodeTransformer rewrites attribute and item access into
guard calls; BudgetPolicy extends it so that

- every loop and comprehension round, function entry, call, subscript and `*value`
  first calls `_tick_()`, which keeps the step within its time and memory
  (engine.budget);
- `**`, `*`, `<<`, `+` and `%` become calls of the guards in engine.guards, which refuse
  a result too large before computing it; the in-place forms already go through
  `_inplacevar_` (engine.guards.inplace_operation);
- every `{value}` of an f-string goes through `_format_value_`, which bounds its width.

`check_constants` evaluates, through the same guards, the parts of a script that are
constant, so that deploy refuses `10 ** 10 ** 8`, `[0] * 10 ** 9`, `"ab".zfill(3 * 10 ** 9)`
or `1 / 0` with their line instead of leaving them to fail at run time.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from typing import Any, cast

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

from engine.guards import (
    PERCENT_FORMATTING,
    STATIC_VALUE_LIMIT,
    bounded_range,
    estimate_add,
    estimate_format_spec,
    estimate_lshift,
    estimate_modular_pow,
    estimate_mul,
    estimate_pow,
    method_estimate,
)
from engine.sandbox_errors import SandboxError

TICK = "_tick_"
FORMAT_VALUE = "_format_value_"
BINARY_GUARDS: dict[type[ast.operator], str] = {
    ast.Pow: "_pow_",
    ast.Mult: "_mul_",
    ast.LShift: "_lshift_",
    ast.Add: "_add_",
    ast.Mod: "_mod_",
}


def _tick_call(node: ast.stmt | ast.expr) -> ast.Call:
    call = ast.Call(func=ast.Name(TICK, ast.Load()), args=[], keywords=[])
    copy_locations(call, node)
    return call


def _after_tick(value: ast.expr) -> ast.BoolOp:
    # `_tick_() and value`: the tick returns True, so this is `value`, counted.
    ticked = ast.BoolOp(op=ast.And(), values=[_tick_call(value), value])
    copy_locations(ticked, value)
    return ticked


class BudgetPolicy(RestrictingNodeTransformer):
    """RestrictedPython's policy plus budget ticks and guarded operators (see the module)."""

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        """`a ** b` becomes `_pow_(a, b)`; likewise `*`, `<<`, `+` and `%`."""
        node = cast(ast.BinOp, super().visit_BinOp(node))
        guard = BINARY_GUARDS.get(type(node.op))
        if guard is None:
            return node
        call = ast.Call(func=ast.Name(guard, ast.Load()), args=[node.left, node.right], keywords=[])
        copy_locations(call, node)
        return call

    def visit_For(self, node: ast.For) -> Any:
        """Each round of a loop starts with a tick."""
        node = cast(ast.For, super().visit_For(node))
        tick = ast.Expr(value=_tick_call(node))
        copy_locations(tick, node)
        node.body.insert(0, tick)
        return node

    def visit_comprehension(self, node: ast.comprehension) -> Any:
        """Each round of a comprehension passes a tick first (`if _tick_()`)."""
        node = cast(ast.comprehension, super().visit_comprehension(node))
        node.ifs.insert(0, _tick_call(node.iter))
        return node

    def visit_FunctionDef(self, node: ast.FunctionDef) -> Any:
        """A function counts each call of itself, so deep or wide recursion is bounded."""
        node = cast(ast.FunctionDef, super().visit_FunctionDef(node))
        tick = ast.Expr(value=_tick_call(node))
        copy_locations(tick, node)
        node.body.insert(0, tick)
        return node

    def visit_Lambda(self, node: ast.Lambda) -> Any:
        """A lambda counts each call of itself."""
        node = cast(ast.Lambda, super().visit_Lambda(node))
        node.body = _after_tick(node.body)
        return node

    def visit_Call(self, node: ast.Call) -> Any:
        """Every call a script writes is counted before it runs."""
        visited = cast(ast.Call, super().visit_Call(node))
        visited.func = _after_tick(visited.func)
        return visited

    def visit_Subscript(self, node: ast.Subscript) -> Any:
        """Every subscript (a copy, when it is a slice) is counted."""
        visited = super().visit_Subscript(node)
        if isinstance(visited, ast.Call):
            visited.func = _after_tick(visited.func)
        return visited

    def visit_Starred(self, node: ast.Starred) -> Any:
        """`*value` in a list, tuple, set or call copies it: counted."""
        node = cast(ast.Starred, super().visit_Starred(node))
        if isinstance(node.ctx, ast.Load):
            node.value = _after_tick(node.value)
        return node

    def visit_Dict(self, node: ast.Dict) -> Any:
        """`**mapping` in a dict display copies it: counted."""
        node = cast(ast.Dict, super().visit_Dict(node))
        node.values = [
            _after_tick(value) if key is None else value for key, value in zip(node.keys, node.values, strict=True)
        ]
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        """`{value!r:>10}` becomes `{_format_value_(value, ord("r"), ">10")}`."""
        node = cast(ast.FormattedValue, super().visit_FormattedValue(node))
        spec: ast.expr = node.format_spec if node.format_spec is not None else ast.Constant("")
        call = ast.Call(
            func=ast.Name(FORMAT_VALUE, ast.Load()),
            args=[node.value, ast.Constant(node.conversion), spec],
            keywords=[],
        )
        copy_locations(call, node)
        copy_locations(spec, node)
        formatted = ast.FormattedValue(value=call, conversion=-1, format_spec=None)
        copy_locations(formatted, node)
        return formatted


# Deploy: constants ----------------------------------------------------------------------

_UNKNOWN: Any = object()

_ESTIMATES: dict[type[ast.operator], Callable[[Any, Any], int]] = {
    ast.Pow: estimate_pow,
    ast.Mult: estimate_mul,
    ast.LShift: estimate_lshift,
    ast.Add: estimate_add,
}
_OPERATIONS: dict[type[ast.operator], Callable[[Any, Any], Any]] = {
    ast.Pow: operator.pow,
    ast.Mult: operator.mul,
    ast.LShift: operator.lshift,
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv,
    ast.Mod: operator.mod,
    ast.RShift: operator.rshift,
    ast.BitOr: operator.or_,
    ast.BitAnd: operator.and_,
    ast.BitXor: operator.xor,
}
_UNARY: dict[type[ast.unaryop], Callable[[Any], Any]] = {
    ast.USub: operator.neg,
    ast.UAdd: operator.pos,
    ast.Invert: operator.invert,
    ast.Not: operator.not_,
}
_ALWAYS_FAILING = (ArithmeticError, TypeError, ValueError)


def check_constants(tree: ast.AST) -> None:
    """Refuse what the sandbox would refuse, or what always fails, where it is constant.

    Raises SandboxError with the line: a constant result too large for the guards, `%`
    formatting of a constant text, an f-string width too large, a range() beyond the
    limit, or a constant operation that always raises (`1 / 0`, `"a" + 1`).
    """
    _Constants(_rebound_names(tree)).check(tree)


def _rebound_names(tree: ast.AST) -> frozenset[str]:
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            names.add(node.id)
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return frozenset(names)


class _Constants:
    """Evaluates constant sub-expressions once each, through the guards' estimates."""

    def __init__(self, rebound: frozenset[str]) -> None:
        self.rebound = rebound
        self.values: dict[int, Any] = {}

    def check(self, tree: ast.AST) -> None:
        for node in ast.walk(tree):
            if isinstance(node, ast.expr):
                self.value(node)

    def value(self, node: ast.expr) -> Any:
        key = id(node)
        if key not in self.values:
            try:
                self.values[key] = self._compute(node)
            except SandboxError as error:
                error.line = error.line or getattr(node, "lineno", None)
                raise
            except _ALWAYS_FAILING as error:
                raise SandboxError(f"`{ast.unparse(node)}` always fails: {error}", node.lineno) from error
        return self.values[key]

    def _compute(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant):
            return node.value
        if isinstance(node, ast.List | ast.Tuple) and isinstance(node.ctx, ast.Load):
            items = [self.value(item) for item in node.elts]
            if any(item is _UNKNOWN for item in items):
                return _UNKNOWN
            return items if isinstance(node, ast.List) else tuple(items)
        if isinstance(node, ast.UnaryOp):
            operand = self.value(node.operand)
            return _UNKNOWN if operand is _UNKNOWN else _UNARY[type(node.op)](operand)
        if isinstance(node, ast.BinOp):
            return self._binary(node)
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.JoinedStr):
            parts = [self.value(part) for part in node.values]
            return "".join(parts) if all(isinstance(part, str) for part in parts) else _UNKNOWN
        if isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            spec = self.value(node.format_spec)
            if isinstance(spec, str):
                estimate_format_spec(spec)
        return _UNKNOWN

    def _binary(self, node: ast.BinOp) -> Any:
        left, right = self.value(node.left), self.value(node.right)
        if isinstance(node.op, ast.Mod) and (isinstance(left, str | bytes) or isinstance(node.left, ast.JoinedStr)):
            raise SandboxError(PERCENT_FORMATTING, node.lineno)
        if isinstance(node.op, ast.Mult) and (left is _UNKNOWN) != (right is _UNKNOWN):
            # `[x] * 10 ** 9`: the size is known even when the items are not.
            estimate_mul(_display_stand_in(node.left, left), _display_stand_in(node.right, right))
            return _UNKNOWN
        if left is _UNKNOWN or right is _UNKNOWN or type(node.op) not in _OPERATIONS:
            return _UNKNOWN
        estimate = _ESTIMATES.get(type(node.op))
        if estimate is not None and estimate(left, right) > STATIC_VALUE_LIMIT:
            return _UNKNOWN
        return _OPERATIONS[type(node.op)](left, right)

    def _call(self, node: ast.Call) -> Any:
        if any(isinstance(arg, ast.Starred) for arg in node.args) or any(kw.arg is None for kw in node.keywords):
            return _UNKNOWN
        args = [self.value(arg) for arg in node.args]
        keywords = {str(kw.arg): self.value(kw.value) for kw in node.keywords}
        if any(value is _UNKNOWN for value in (*args, *keywords.values())):
            return _UNKNOWN
        if isinstance(node.func, ast.Attribute):
            target = self.value(node.func.value)
            estimate = method_estimate(target, node.func.attr) if target is not _UNKNOWN else None
            if estimate is None or estimate(target, *args, **keywords) > STATIC_VALUE_LIMIT:
                return _UNKNOWN
            return getattr(target, node.func.attr)(*args, **keywords)
        if isinstance(node.func, ast.Name) and node.func.id not in self.rebound:
            if node.func.id == "range":
                return bounded_range(*args, **keywords)
            if node.func.id == "pow" and len(args) == 3:
                estimate_modular_pow(*args)
            elif node.func.id == "pow" and len(args) == 2 and estimate_pow(*args) <= STATIC_VALUE_LIMIT:
                return pow(*args)
        return _UNKNOWN


def _display_stand_in(node: ast.expr, value: Any) -> Any:
    if value is not _UNKNOWN or not isinstance(node, ast.List | ast.Tuple):
        return value
    if any(isinstance(item, ast.Starred) for item in node.elts):
        return _UNKNOWN
    items = [None] * len(node.elts)
    return items if isinstance(node, ast.List) else tuple(items)
