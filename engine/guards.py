"""Guards for single operations that could run long or allocate much in one C call.

CPython switches threads and checks signals only between bytecodes: once
`10 ** 10 ** 8`, `"a" * 10 ** 10` or `"ab".zfill(3 * 10 ** 9)` has started, nothing
stops it. The script policy (engine.script_policy) and the instructions environment
(engine.instructions) route these operators, methods and builtins through the guards
below. Each guard first estimates the size of the result from its operands (an
`estimate_*` function, also used at deploy on constants) and refuses it before it is
computed when it is larger than one value may be; a large result that fits is charged to
the step's memory account (engine.budget).
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterable
from types import SimpleNamespace
from typing import Any

from engine.budget import current_budget, current_value_limit
from engine.sandbox_errors import BudgetExceeded, SandboxError

# Numbers of more bits than this are refused: dividing or printing one of this size takes
# milliseconds, a thousand times more takes seconds in one uninterruptible call.
MAX_INT_BITS = 100_000
MAX_INT_DIGITS = int(MAX_INT_BITS * math.log10(2))
# pow(a, b, m) costs about bits(b) * bits(m)^1.6; this bound keeps one call near 50 ms.
MAX_MODULAR_POW_WORK = 1 << 24
# Sorting is one C call; a million items take about a quarter of a second.
MAX_SORTED_ITEMS = 1_000_000
MAX_RANGE = 100_000
# Results at least this large are charged to the step's memory account.
CHARGE_FROM = 64 * 1024
# Constants larger than this are not computed at deploy; only their size is checked.
STATIC_VALUE_LIMIT = 64 * 1024
# Operands shorter than this together are never worth estimating.
_SHORT = 4096

FORMATTING_METHODS = frozenset({"format", "format_map"})
FORMATTING_HINT = "use an f-string or +"
PERCENT_FORMATTING = f"formatting text with % is not allowed in scripts; {FORMATTING_HINT}"

_TEXT = (str, bytes, bytearray)
_SEQUENCES = (str, bytes, bytearray, list, tuple)
_DIGIT_RUNS = re.compile(r"\d+")


def size_of(value: Any) -> int:
    """Estimated bytes of a text, bytes, list or tuple (its items not counted); 0 otherwise."""
    if isinstance(value, str):
        return len(value) if value.isascii() else 4 * len(value)
    if isinstance(value, _SEQUENCES):
        return len(value) if isinstance(value, bytes | bytearray) else 8 * len(value)
    return 0


def _amount(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):,.0f} MB"
    return f"{size / 1024:,.0f} KB"


def describe(value: Any) -> str:
    """A short readable rendering of an operand for a refusal message."""
    if isinstance(value, bool) or not isinstance(value, int | str | bytes | bytearray | list | tuple):
        return type(value).__name__
    if isinstance(value, int):
        return repr(value) if value.bit_length() <= 64 else f"a number of {int(value.bit_length() * 0.30103):,} digits"
    if isinstance(value, list | tuple):
        return f"a {type(value).__name__} of {len(value):,} items" if len(value) > 3 else repr(value)
    return repr(value) if len(value) <= 20 else f"a text of {len(value):,} characters"


def check_size(size: int, what: Callable[[], str]) -> int:
    """Refuse a value of about `size` bytes when it is larger than one value may be.

    `what` names the operation for the refusal; it is called only then.
    """
    if size > _SHORT:
        limit = current_value_limit()
        if size > limit:
            raise BudgetExceeded(
                f"{what()} would make a value of about {_amount(size)}; one value may take at most {_amount(limit)}"
            )
    return size


def check_bits(bits: float, what: Callable[[], str]) -> int:
    """Refuse a number of about `bits` bits when it is over MAX_INT_BITS; return its bytes."""
    if bits > MAX_INT_BITS:
        digits = f"about {bits * 0.30103:,.0f}" if bits < 10**15 else "more than 10^14"
        raise BudgetExceeded(
            f"{what()} would be a number of {digits} digits; numbers may have at most {MAX_INT_DIGITS:,}"
        )
    return int(bits) // 8


def _charge(size: int) -> None:
    if size >= CHARGE_FROM:
        budget = current_budget()
        if budget is not None:
            budget.charge(size)


def _tick() -> None:
    budget = current_budget()
    if budget is not None:
        budget.tick()


# Operators -----------------------------------------------------------------------------


def estimate_mul(left: Any, right: Any) -> int:
    """Bytes of `left * right`; raises BudgetExceeded when too large."""
    if isinstance(left, int) and isinstance(right, int):
        if left.bit_length() + right.bit_length() <= 64:
            return 0
        return check_bits(left.bit_length() + right.bit_length(), lambda: f"{describe(left)} * {describe(right)}")
    if isinstance(left, _SEQUENCES) and isinstance(right, int):
        return _estimate_repeat(left, right)
    if isinstance(left, int) and isinstance(right, _SEQUENCES):
        return _estimate_repeat(right, left)
    return 0


def _estimate_repeat(sequence: Any, times: int) -> int:
    if times <= 1 or not sequence:
        return 0
    return check_size(size_of(sequence) * times, lambda: f"repeating {describe(sequence)} {times:,} times")


def estimate_pow(base: Any, exponent: Any) -> int:
    """Bytes of `base ** exponent`; raises BudgetExceeded when too large."""
    if not (isinstance(base, int) and isinstance(exponent, int)) or exponent <= 1 or -1 <= base <= 1:
        return 0
    what = lambda: f"{describe(base)} ** {describe(exponent)}"  # noqa: E731 - named once, used twice
    if exponent.bit_length() > 62:
        return check_bits(math.inf, what)
    return check_bits(exponent * math.log2(abs(base)), what)


def estimate_modular_pow(base: Any, exponent: Any, modulus: Any) -> int:
    """Refuse `pow(base, exponent, modulus)` when it would take too long; it makes no large value."""
    if isinstance(exponent, int) and isinstance(modulus, int):
        if abs(exponent).bit_length() * abs(modulus).bit_length() > MAX_MODULAR_POW_WORK:
            raise BudgetExceeded(
                f"pow() with an exponent of {abs(exponent).bit_length():,} bits and a modulus of "
                f"{abs(modulus).bit_length():,} bits would take too long"
            )
    return 0


def estimate_lshift(value: Any, shift: Any) -> int:
    """Bytes of `value << shift`; raises BudgetExceeded when too large."""
    if isinstance(value, int) and isinstance(shift, int) and value and shift > 0:
        return check_bits(value.bit_length() + shift, lambda: f"{describe(value)} << {describe(shift)}")
    return 0


def estimate_add(left: Any, right: Any) -> int:
    """Bytes of `left + right` for texts and sequences; raises BudgetExceeded when too large."""
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES) and len(left) + len(right) > _SHORT:
        return check_size(size_of(left) + size_of(right), lambda: f"joining {describe(left)} and {describe(right)}")
    return 0


# The guards below are on the path of every `+`, `*`, `**` and `<<` a script runs: numbers
# and short operands return at once, and only a large result is charged to the budget.


def guarded_mul(left: Any, right: Any) -> Any:
    """`left * right`, refused when the result would be too large."""
    if type(left) is not float and type(right) is not float:
        size = estimate_mul(left, right)
        if size >= CHARGE_FROM:
            _charge(size)
    return left * right


def guarded_pow(base: Any, exp: Any, mod: Any = None) -> Any:
    """`base ** exp` and the builtin `pow`, refused when too large or too slow."""
    if mod is not None:
        estimate_modular_pow(base, exp, mod)
        return pow(base, exp, mod)
    _charge(estimate_pow(base, exp))
    return base**exp


def guarded_lshift(value: Any, shift: Any) -> Any:
    """`value << shift`, refused when the result would be too large."""
    _charge(estimate_lshift(value, shift))
    return value << shift


def guarded_add(left: Any, right: Any) -> Any:
    """`left + right`, refused when a joined text or sequence would be too large."""
    if isinstance(left, _SEQUENCES) and isinstance(right, _SEQUENCES) and len(left) + len(right) > _SHORT:
        _charge(estimate_add(left, right))
    return left + right


def guarded_mod(left: Any, right: Any) -> Any:
    """`left % right`; formatting text with % is refused (its widths and arguments are unbounded)."""
    if isinstance(left, _TEXT):
        raise SandboxError(PERCENT_FORMATTING)
    return left % right


_INPLACE: dict[str, Callable[[Any, Any], Any]] = {
    "+=": guarded_add,
    "-=": operator.sub,
    "*=": guarded_mul,
    "/=": operator.truediv,
    "//=": operator.floordiv,
    "%=": guarded_mod,
    "**=": guarded_pow,
    "<<=": guarded_lshift,
    ">>=": operator.rshift,
    "&=": operator.and_,
    "|=": operator.or_,
    "^=": operator.xor,
}
INPLACE_OPERATORS = frozenset(_INPLACE)


def inplace_operation(op: str, left: Any, right: Any) -> Any:
    """RestrictedPython's `_inplacevar_`: `x op= y` for a name, through the same guards."""
    operation = _INPLACE.get(op)
    if operation is None:
        raise SandboxError(f"operator {op} is not allowed in scripts")
    return operation(left, right)


# f-strings -----------------------------------------------------------------------------


def estimate_format_spec(spec: str) -> int:
    """Refuse a format specification whose width or precision is too large."""
    widest = max((int(run) if len(run) <= 18 else 10**18 for run in _DIGIT_RUNS.findall(spec)), default=0)
    check_size(widest, lambda: f"formatting to a width of {widest:,}")
    return 0


_CONVERSIONS: dict[int, Callable[[Any], str]] = {ord("s"): str, ord("r"): repr, ord("a"): ascii}


def formatted_value(value: Any, conversion: int, spec: str) -> str:
    """One `{value!conversion:spec}` of an f-string, refused when its width is too large."""
    estimate_format_spec(spec)
    convert = _CONVERSIONS.get(conversion)
    text = format(convert(value) if convert else value, spec)
    _charge(size_of(text))
    return text


# Methods -------------------------------------------------------------------------------


def _per_char(*texts: Any) -> int:
    return 1 if all(not isinstance(text, str) or text.isascii() for text in texts) else 4


def _estimate_padding(text: Any, width: Any = 0, fill: Any = " ", *_: Any) -> int:
    if not isinstance(width, int) or width <= len(text):
        return 0
    return check_size(width * _per_char(text, fill), lambda: f"padding {describe(text)} to {width:,} characters")


def _estimate_expandtabs(text: Any, tabsize: Any = 8, *_: Any, **__: Any) -> int:
    tabsize = __.get("tabsize", tabsize)
    if not isinstance(tabsize, int) or tabsize <= 1:
        return 0
    tabs = text.count("\t" if isinstance(text, str) else b"\t")
    return check_size((len(text) + tabs * tabsize) * _per_char(text), lambda: f"expanding the tabs of {describe(text)}")


def _estimate_replace(text: Any, old: Any = "", new: Any = "", count: Any = -1, *_: Any) -> int:
    same_kind = str if isinstance(text, str) else bytes | bytearray
    if not (isinstance(old, same_kind) and isinstance(new, same_kind)) or len(new) <= len(old):
        return 0
    occurrences = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        occurrences = min(occurrences, count)
    size = (len(text) + occurrences * (len(new) - len(old))) * _per_char(text, new)
    return check_size(size, lambda: f"replacing {describe(old)} by {describe(new)} in {describe(text)}")


def _estimate_join(separator: Any, items: Any = (), *_: Any) -> int:
    if not isinstance(items, list | tuple):
        return 0
    try:
        total = sum(map(len, items)) + len(separator) * max(len(items) - 1, 0)
    except TypeError:
        return 0
    if total <= _SHORT:
        return 0
    narrow = separator.isascii() and all(isinstance(item, _TEXT) and item.isascii() for item in items)
    return check_size(total * (1 if narrow else 4), lambda: f"joining {len(items):,} items with {describe(separator)}")


def _estimate_translate(text: Any, table: Any = None, *_: Any) -> int:
    if not isinstance(text, str):
        return 0
    values = table.values() if isinstance(table, dict) else table if isinstance(table, list | tuple) else ()
    longest = max((len(value) for value in values if isinstance(value, str)), default=1)
    if longest <= 1:
        return 0
    return check_size(len(text) * longest * 4, lambda: f"translating {describe(text)}")


def _estimate_to_bytes(number: Any, length: Any = 1, *_: Any, **keywords: Any) -> int:
    length = keywords.get("length", length)
    if isinstance(length, int) and length > _SHORT:
        return check_size(length, lambda: f"int.to_bytes({length:,})")
    return 0


def _estimate_sort(items: Any, *_: Any, **__: Any) -> int:
    if len(items) > MAX_SORTED_ITEMS:
        raise BudgetExceeded(f"sorting {len(items):,} items; at most {MAX_SORTED_ITEMS:,} may be sorted at once")
    return 0


_TEXT_METHODS: dict[str, Callable[..., int]] = {
    "zfill": _estimate_padding,
    "ljust": _estimate_padding,
    "rjust": _estimate_padding,
    "center": _estimate_padding,
    "expandtabs": _estimate_expandtabs,
    "replace": _estimate_replace,
    "join": _estimate_join,
    "translate": _estimate_translate,
}
_ESTIMATES: dict[tuple[type, str], Callable[..., int]] = {
    **{(str, name): estimate for name, estimate in _TEXT_METHODS.items()},
    **{(bytes, name): estimate for name, estimate in _TEXT_METHODS.items()},
    (int, "to_bytes"): _estimate_to_bytes,
    (list, "sort"): _estimate_sort,
}
GUARDED_METHODS = frozenset(name for _kind, name in _ESTIMATES)


def _kind(value: Any) -> type | None:
    for kind, types in ((str, str), (bytes, bytes | bytearray), (list, list), (int, int)):
        if isinstance(value, types):
            return kind
    return None


def method_estimate(target: Any, name: str) -> Callable[..., int] | None:
    """The size estimate for calling method `name` of `target` (a value), if it is guarded."""
    kind = _kind(target)
    return _ESTIMATES.get((kind, name)) if kind is not None else None


def guard_method(owner: Any, name: str, method: Any) -> Any:
    """`method` (the attribute `name` of `owner`) wrapped in its guard, or unchanged.

    `owner` may be a value (`"ab".zfill`) or a type (`str.zfill`, called with the value
    first). Join materialises its argument first, so that its size can be known.
    """
    if isinstance(owner, type):
        kind = next((kind for kind in (str, bytes, list, int) if issubclass(owner, kind)), None)
        estimate = _ESTIMATES.get((kind, name)) if kind is not None else None
        if estimate is None:
            return method

        def call_unbound(target: Any, *args: Any, **kwargs: Any) -> Any:
            if name == "join" and args:
                args = (list(args[0]), *args[1:])
            _charge(estimate(target, *args, **kwargs))
            return method(target, *args, **kwargs)

        return call_unbound
    bound_estimate = method_estimate(owner, name)
    if bound_estimate is None:
        return method
    guarded_estimate = bound_estimate

    def call(*args: Any, **kwargs: Any) -> Any:
        if name == "join" and args:
            args = (list(args[0]), *args[1:])
        _charge(guarded_estimate(owner, *args, **kwargs))
        return method(*args, **kwargs)

    return call


# Builtins ------------------------------------------------------------------------------


def bounded_range(*args: int) -> range:
    """`range`, refused beyond MAX_RANGE numbers: loops run over data or short ranges."""
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise SandboxError(f"range() of more than {MAX_RANGE} numbers is not allowed in scripts")
    return numbers


def guarded_sorted(iterable: Iterable[Any], /, *, key: Any = None, reverse: bool = False) -> list[Any]:
    """`sorted`, refused beyond MAX_SORTED_ITEMS items."""
    items = list(iterable)
    _estimate_sort(items)
    items.sort(key=key, reverse=reverse)
    return items


def guarded_sum(iterable: Iterable[Any], /, start: Any = 0) -> Any:
    """`sum`; summing lists or texts goes item by item so that the budget sees every step."""
    if isinstance(start, int | float | complex):
        return sum(iterable, start)
    total = start
    for item in iterable:
        _tick()
        total = guarded_add(total, item)
    return total


def _factorial(number: Any) -> Any:
    if isinstance(number, int) and number > 20:
        check_bits(number * number.bit_length(), lambda: f"factorial({describe(number)})")
    return math.factorial(number)


def _comb(total: Any, chosen: Any) -> Any:
    if isinstance(total, int) and isinstance(chosen, int) and 0 <= chosen <= total:
        check_bits(
            min(chosen, total - chosen) * total.bit_length(), lambda: f"comb({describe(total)}, {describe(chosen)})"
        )
    return math.comb(total, chosen)


def _perm(total: Any, chosen: Any = None) -> Any:
    count = total if chosen is None else chosen
    if isinstance(total, int) and isinstance(count, int) and 0 <= count <= total:
        check_bits(count * total.bit_length(), lambda: f"perm({describe(total)}, {describe(count)})")
    return math.perm(total, chosen)


def _lcm(*numbers: Any) -> Any:
    if all(isinstance(number, int) for number in numbers):
        check_bits(sum(number.bit_length() for number in numbers), lambda: "lcm() of these numbers")
    return math.lcm(*numbers)


def _prod(iterable: Iterable[Any], /, *, start: Any = 1) -> Any:
    total = start
    for item in iterable:
        _tick()
        total = guarded_mul(total, item)
    return total


def guarded_math() -> SimpleNamespace:
    """The `math` module as scripts see it: the functions whose result can grow are guarded."""
    functions = {name: getattr(math, name) for name in dir(math) if not name.startswith("_")}
    functions.update(factorial=_factorial, comb=_comb, perm=_perm, lcm=_lcm, prod=_prod)
    return SimpleNamespace(**functions)
