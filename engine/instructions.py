"""Instructions for end users: process owners' Jinja templates, rendered under a budget.

`instructionsForEndUser` is a template that process owners write. It is rendered with
Jinja's SandboxedEnvironment, extended so that a template can neither block a step nor
make a huge text:

- it renders on the step's budget (engine.budget), the same wall time and memory as
  scripts: every call (macros included) and every round of a `{% for %}` loop ticks;
- `*`, `**` and `+` go through the guards of engine.guards, and so do `~` and the
  methods and filters that allocate by an argument (`zfill`, `center`, `indent`,
  `join`, `replace`, `batch`, ...); text formatting (`%`, `.format`, `|format`) is
  refused, as in scripts;
- the rendered text is at most MAX_INSTRUCTIONS_LENGTH characters.

A template that fails raises InstructionsFailed; the step shows INSTRUCTIONS_PLACEHOLDER
instead and records the failure (engine.steps). engine.instructions_check refuses at
deploy what can be seen in the template itself.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache, wraps
from types import TracebackType
from typing import Any, cast

from jinja2 import Template, TemplateSyntaxError, nodes, pass_eval_context
from jinja2.exceptions import SecurityError
from jinja2.filters import FILTERS
from jinja2.nodes import EvalContext
from jinja2.runtime import Context, markup_join, str_join
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from engine import amounts
from engine.budget import current_budget, step_budget
from engine.guards import (
    GUARDED_METHODS,
    check_size,
    describe,
    guard_method,
    guarded_add,
    guarded_mul,
    guarded_pow,
    method_estimate,
    size_of,
)
from engine.sandbox_errors import BudgetExceeded, SandboxError

MAX_INSTRUCTIONS_LENGTH = 20_000
HINDI_INSTRUCTIONS = "instructionsForEndUser_hi"
"""The user task property (spiffworkflow:property) that holds the instructions in Hindi: a
template like instructionsForEndUser, rendered the same way; pages in Hindi show it."""

MAX_JSON_INDENT = 16
INSTRUCTIONS_PLACEHOLDER = "The instructions for this task could not be shown. Open the application to see its details."
TEMPLATE_FORMATTING = "text formatting (%, .format, |format) is not allowed in instructions; join text with ~"


@dataclass(frozen=True)
class TemplateFailure:
    """A user task whose instructions could not be rendered during a step.

    `element` is the user task's BPMN id; `message` says why, with the template's line
    where it is known. The task itself shows INSTRUCTIONS_PLACEHOLDER.
    """

    element: str
    message: str


class InstructionsFailed(SandboxError):
    """An instructions template that failed to render; `line` is the template's line, if known."""


def _tick() -> None:
    budget = current_budget()
    if budget is not None:
        budget.tick()


def _refuse_text_formatting(left: Any, right: Any) -> Any:
    if isinstance(left, str | bytes):
        raise SecurityError(TEMPLATE_FORMATTING)
    return left % right


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "*": guarded_mul,
    "**": guarded_pow,
    "+": guarded_add,
    "%": _refuse_text_formatting,
}


class InstructionsEnvironment(SandboxedEnvironment):
    """Jinja's sandbox with the budget, the guards and the refusals of the module."""

    intercepted_binops = frozenset(_BINARY)

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        """`*`, `**`, `+` and `%` through the guards."""
        return _BINARY[operator](left, right)

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        """Every call a template makes (a macro, a method, a global) ticks first."""
        _tick()
        return super().call(__context, __obj, *args, **kwargs)

    def getattr(self, obj: Any, attribute: str) -> Any:
        """Attributes as Jinja's sandbox gives them, with allocating methods guarded."""
        value = super().getattr(obj, attribute)
        return guard_method(obj, attribute, value) if attribute in GUARDED_METHODS else value

    def getitem(self, obj: Any, argument: Any) -> Any:
        """Items as Jinja's sandbox gives them, with allocating methods guarded."""
        value = super().getitem(obj, argument)
        return (
            guard_method(obj, argument, value) if isinstance(argument, str) and argument in GUARDED_METHODS else value
        )

    def wrap_str_format(self, value: Any) -> None:
        """`.format` and `.format_map` of a text are refused, as in scripts."""
        if super().wrap_str_format(value) is not None:
            raise SecurityError(TEMPLATE_FORMATTING)


def _guarded_filter(name: str, estimate: Callable[..., int]) -> Callable[..., Any]:
    """Jinja's filter `name`, preceded by `estimate` on the same arguments."""
    original = FILTERS[name]

    @wraps(original)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        estimate(*args, **kwargs)
        return original(*args, **kwargs)

    return guarded


def _center(value: Any, width: Any = 80, **_: Any) -> int:
    text = str(value)
    estimate = method_estimate(text, "center")
    return estimate(text, width) if estimate is not None else 0


def _indent(s: Any, width: Any = 4, first: Any = False, blank: Any = False, **_: Any) -> int:
    text = str(s)
    step = len(width) if isinstance(width, str) else width if isinstance(width, int) else 0
    if step <= 1:
        return 0
    return check_size(len(text) + (text.count("\n") + 1) * step, lambda: f"indenting {describe(text)} by {step:,}")


def _replace(eval_ctx: Any, s: Any, old: Any = "", new: Any = "", count: Any = None, **_: Any) -> int:
    text = str(s)
    estimate = method_estimate(text, "replace")
    limit = count if isinstance(count, int) else -1
    return estimate(text, str(old), str(new), limit) if estimate is not None else 0


def _batch(value: Any, linecount: Any = 1, fill_with: Any = None, **_: Any) -> int:
    if fill_with is None or not isinstance(linecount, int):
        return 0
    return check_size(8 * linecount, lambda: f"batches of {linecount:,} items")


def _slice(value: Any, slices: Any = 1, fill_with: Any = None, **_: Any) -> int:
    if not isinstance(slices, int):
        return 0
    return check_size(56 * slices, lambda: f"{slices:,} slices")


def _wordwrap(environment: Any, s: Any, width: Any = 79, *_: Any, wrapstring: Any = None, **__: Any) -> int:
    text = str(s)
    separator = str(wrapstring) if wrapstring is not None else environment.newline_sequence
    if not isinstance(width, int) or width < 1 or len(separator) <= 1:
        return 0
    return check_size(len(text) + (len(text) // width + 1) * len(separator), lambda: f"wrapping {describe(text)}")


def _sum(environment: Any, iterable: Any, attribute: Any = None, start: Any = 0, **_: Any) -> int:
    if not isinstance(start, int | float):
        raise SecurityError("sum of lists or texts is not available in instructions; use join")
    return 0


def _tojson(eval_ctx: Any, value: Any, indent: Any = None, **_: Any) -> int:
    if isinstance(indent, int) and indent > MAX_JSON_INDENT:
        raise SecurityError(f"tojson indents by at most {MAX_JSON_INDENT}")
    return 0


def _format(*_: Any, **__: Any) -> int:
    raise SecurityError(TEMPLATE_FORMATTING)


@pass_eval_context
def _join(eval_ctx: EvalContext, value: Iterable[Any], d: Any = "", attribute: Any = None) -> Any:
    """Jinja's join, on a list whose size is known first."""
    items = list(value)
    separator = str(d)
    texts = [item for item in items if isinstance(item, str)] if attribute is None else []
    check_size(
        sum(map(size_of, texts)) + size_of(separator) * max(len(items) - 1, 0),
        lambda: f"joining {len(items):,} items with {describe(separator)}",
    )
    return FILTERS["join"](eval_ctx, items, d, attribute)


def _budgeted_loop(items: Iterable[Any]) -> Iterator[Any]:
    """Every `{% for %}` iterates through this filter: each round ticks."""
    for item in items:
        _tick()
        yield item


@pass_eval_context
def _budgeted_concat(eval_context: EvalContext, pieces: list[Any]) -> str:
    """Every `~` joins through this filter, exactly as Jinja would, once its size is known."""
    texts = [piece if isinstance(piece, str) else str(piece) for piece in pieces]
    check_size(sum(map(size_of, texts)), lambda: "joining texts with ~")
    return markup_join(texts) if eval_context.autoescape else str_join(texts)


FILTER_ESTIMATES: dict[str, Callable[..., int]] = {
    "center": _center,
    "indent": _indent,
    "replace": _replace,
    "batch": _batch,
    "slice": _slice,
    "wordwrap": _wordwrap,
    "sum": _sum,
    "tojson": _tojson,
    "format": _format,
}
LOOP_FILTER = "budgeted_loop"
CONCAT_FILTER = "budgeted_concat"

environment = InstructionsEnvironment(autoescape=True)
environment.filters.update({name: _guarded_filter(name, guard) for name, guard in FILTER_ESTIMATES.items()})
environment.filters.update({"join": _join, LOOP_FILTER: _budgeted_loop, CONCAT_FILTER: _budgeted_concat})
# Amounts in instructions read as everywhere else: `{{ amount_paid_usd | usd }}` is USD 100.00.
environment.filters.update(usd=amounts.usd, inr=amounts.inr)
# lipsum(n) writes n paragraphs in a Python loop; instructions have no use for it.
environment.globals.pop("lipsum", None)


class _Budgeting(NodeTransformer):
    """Routes every `{% for %}` and every `~` of a parsed template through the budget filters."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(cast(nodes.Expr, node.iter), LOOP_FILTER)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter(nodes.List(node.nodes, lineno=node.lineno), CONCAT_FILTER)


def _filter(node: nodes.Expr, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


@lru_cache(maxsize=256)
def compile_instructions(template: str) -> Template:
    """The template compiled for rendering (cached: the same few texts come back all day).

    Raises TemplateSyntaxError (or TemplateAssertionError, e.g. an unknown filter).
    """
    tree = _Budgeting().visit(environment.parse(template))
    tree.set_environment(environment)
    return environment.from_string(tree)


def render_instructions(template: str, data: Mapping[str, Any]) -> str:
    """Render an instructions template with the task data, on the running step's budget.

    Returns the text (HTML-escaped, at most MAX_INSTRUCTIONS_LENGTH characters). Raises
    InstructionsFailed, with a readable reason and the template's line where known, for
    every way a template can fail: syntax, an undefined name, a type error, division by
    zero, recursion, a refused operation, the budget or the length cap.
    """
    with step_budget() as budget:
        pieces: list[str] = []
        length = 0
        try:
            for piece in compile_instructions(template).generate(**data):
                length += len(piece)
                if length > MAX_INSTRUCTIONS_LENGTH:
                    raise InstructionsFailed(f"the instructions are longer than {MAX_INSTRUCTIONS_LENGTH:,} characters")
                pieces.append(piece)
            budget.ensure_within()
        except InstructionsFailed:
            raise
        except Exception as error:  # a template may fail in any way; the task must still open
            line = getattr(error, "lineno", None) or _template_line(error.__traceback__)
            where = f" (line {line})" if line else ""
            raise InstructionsFailed(f"{_reason(error)}{where}", line) from error
    return "".join(pieces)


def _reason(error: Exception) -> str:
    if isinstance(error, BudgetExceeded | SecurityError):
        return str(error)
    if isinstance(error, RecursionError):
        return "the template calls itself too deeply (a macro that never stops calling itself?)"
    if isinstance(error, MemoryError):
        return "the template ran out of memory"
    if isinstance(error, TemplateSyntaxError):
        return f"not a valid template: {error.message}"
    return f"{type(error).__name__}: {error}"


def _template_line(traceback: TracebackType | None) -> int | None:
    line = None
    while traceback is not None:
        if traceback.tb_frame.f_code.co_filename == "<template>":
            line = traceback.tb_lineno
        traceback = traceback.tb_next
    return line
