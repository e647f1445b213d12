"""Regular expressions of form schemas, run by RE2 (google-re2) in time linear in the input.

JSON Schema's `pattern` is a regular expression that jsonschema runs with Python's `re`, a
backtracking engine: a pattern such as `^(a+)+$` checked against a few dozen `a`s and a `!`
takes longer than the universe has left, and holds a worker meanwhile. RE2 has no
backtracking (it refuses the constructs that need it: back-references, look-around), so
every check ends in time proportional to the text. Forms are checked with RE2 at run time
(engine.forms), and a deploy refuses a pattern RE2 cannot run (engine.form_versions), so what
was accepted at deploy is what runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache
from typing import Any

import re2
from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError

MAX_PATTERN = 1000
"""Characters a form's pattern may have."""

_OPTIONS = re2.Options()
_OPTIONS.log_errors = False  # a refused pattern is reported to the process owner, not to stderr


@lru_cache(maxsize=256)
def compiled(pattern: str) -> Any:
    """The RE2 program of `pattern` (cached); raises ValueError saying why RE2 cannot run it."""
    if len(pattern) > MAX_PATTERN:
        raise ValueError(f"longer than {MAX_PATTERN} characters")
    try:
        return re2.compile(pattern, _OPTIONS)
    except re2.error as error:
        reason = error.args[0].decode("utf-8", "replace") if error.args and isinstance(error.args[0], bytes) else error
        raise ValueError(
            f"{reason} (patterns are checked in bounded time, so back-references and look-around are not allowed)"
        ) from error


def pattern_problem(pattern: Any) -> str | None:
    """Why a form cannot use `pattern` (not a text, too long, or not runnable by RE2), or None."""
    if not isinstance(pattern, str):
        return "a pattern is a text"
    try:
        compiled(pattern)
    except ValueError as error:
        return str(error)
    return None


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[ValidationError]:
    """The `pattern` keyword as jsonschema's, with RE2's search (unanchored, as ECMA 262)."""
    if validator.is_type(instance, "string") and not compiled(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


FormValidator: Any = validators.extend(Draft202012Validator, {"pattern": _pattern})  # type: ignore[no-untyped-call]
"""Draft 2020-12 with `pattern` checked by RE2; `patternProperties` is refused at deploy."""
