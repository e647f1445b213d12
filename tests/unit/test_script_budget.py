"""Scripts are bounded: refused at compile time where the source shows it, stopped within
the step's budget where only the data does."""

from __future__ import annotations

import time
from typing import Any

import pytest

from engine import budget
from engine.budget import step_budget
from engine.config import load_script_limits
from engine.sandbox import BudgetExceeded, SandboxedEnvironment, SandboxError, compile_expression, compile_script

LIMIT = 0.5


@pytest.fixture(autouse=True)
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGOT_SCRIPT_TIME_LIMIT", str(LIMIT))
    monkeypatch.setenv("IGOT_SCRIPT_MEMORY_LIMIT", "64")


SEEN_IN_THE_SOURCE = [
    ("x = 1\ny = 10 ** 10 ** 8", 2, "digits"),
    ('code = "ab".zfill(3 * 10 ** 9)', 1, "padding 'ab' to 3,000,000,000 characters"),
    ("cells = [0] * 10 ** 9", 1, "repeating [0] 1,000,000,000 times"),
    ("cells = [name] * 10 ** 9", 1, "repeating"),
    ('text = "a" * 10 ** 10', 1, "repeating 'a'"),
    ('text = "ab".center(10 ** 9, "*")', 1, "padding"),
    ('text = "a\\tb".expandtabs(10 ** 9)', 1, "tabs"),
    ("big = 1 << 10 ** 9", 1, "digits"),
    ("big = pow(10, 10 ** 8)", 1, "digits"),
    ('text = f"{name:>1000000000}"', 1, "width of 1,000,000,000"),
    ('text = "%s days" % days', 1, "use an f-string or +"),
    ('text = f"{days} days and %s" % hours', 1, "use an f-string or +"),
    ('text = "{} days".format(days)', 1, "use an f-string or +"),
    ('text = "{a}".format_map(data)', 1, "use an f-string or +"),
    ("total = sum(range(10 ** 9))", 1, "range() of more than"),
    ("x = 1\nratio = 1 / 0", 2, "always fails: division by zero"),
    ('label = "a" + 1', 1, "always fails"),
    ("print(name)", 1, "'print' is not available"),
    ("class Officer:\n    pass", 1, "classes are not available"),
    ("x = 1\nx @= 2", 2, "@="),
]


@pytest.mark.parametrize(("source", "line", "reason"), SEEN_IN_THE_SOURCE)
def test_what_the_source_shows_is_refused_at_compile_time_with_its_line(source: str, line: int, reason: str) -> None:
    with pytest.raises(SandboxError) as caught:
        compile_script(source)
    assert reason in str(caught.value)
    assert caught.value.line == line


@pytest.mark.parametrize("source", ['decision == "a" * 10 ** 10', "amount > 10 ** 10 ** 8", '"%d" % amount'])
def test_expression_that_the_source_shows_too_large_is_refused(source: str) -> None:
    with pytest.raises(SandboxError):
        compile_expression(source)


@pytest.mark.parametrize(
    "source",
    [
        'text = "ab" * 3 + "-" * 40',
        "big = 2 ** 1000 + (1 << 64) * 3",
        'text = f"{name!r:>12} {amount:08.2f}"',
        "cells = [0] * 1000",
        "pow = max\nx = pow(10, 10 ** 8)",
        'code = "7".zfill(6)',
    ],
)
def test_ordinary_code_compiles(source: str) -> None:
    compile_script(source)


def _run(script: str, data: dict[str, Any]) -> tuple[SandboxError, float]:
    started = time.monotonic()
    with pytest.raises(SandboxError) as caught:
        SandboxedEnvironment().execute(script, data)
    return caught.value, time.monotonic() - started


SEEN_ONLY_IN_THE_DATA = [
    ("total = 0\nfor a in range(n):\n    for b in range(n):\n        total += 1", {"n": 100000}, "longer than"),
    ("total = sum(1 for a in range(n) for b in range(n))", {"n": 100000}, "longer than"),
    ("cells = [a * b for a in range(n) for b in range(n)]", {"n": 100000}, "the step"),
    ("big = ten ** ten ** eight", {"ten": 10, "eight": 8}, "digits"),
    ("big = ten << ten ** 9", {"ten": 10}, "digits"),
    ("code = text.zfill(3 * ten ** 9)", {"text": "ab", "ten": 10}, "padding"),
    ("code = str.zfill(text, 3 * ten ** 9)", {"text": "ab", "ten": 10}, "padding"),
    ("cells = [0] * ten ** 9", {"ten": 10}, "repeating"),
    ("text = letter * ten ** 10", {"letter": "a", "ten": 10}, "repeating"),
    ("text = pad.join([letter] * 100000)", {"pad": "x" * 100000, "letter": "a"}, "joining"),
    ("text = word.replace(letter, word)", {"word": "a" * 100000, "letter": "a"}, "replacing"),
    ('text = f"{name:>{width}}"', {"name": "a", "width": 10**9}, "width"),
    ("text = pattern % n", {"pattern": "%d", "n": 1}, "use an f-string or +"),
    ("def deeper(k):\n    return deeper(k + 1)\nx = deeper(0)", {}, "too deeply"),
    ("def wide(k):\n    return 1 if k == 0 else wide(k - 1) + wide(k - 1)\nx = wide(n)", {"n": 60}, "longer than"),
    ("wide = lambda k: 1 if k == 0 else wide(k - 1) + wide(k - 1)\nx = wide(n)", {"n": 60}, "longer than"),
    ("kept = [letter * 1000000 for i in range(n)]", {"letter": "a", "n": 100000}, "memory"),
    ("raise MemoryError()", {}, "ran out of memory"),
    ("x = math.factorial(n)", {"n": 10**7}, "digits"),
]


@pytest.mark.parametrize(("script", "data", "reason"), SEEN_ONLY_IN_THE_DATA)
def test_runaway_script_fails_within_the_limit_plus_a_second(script: str, data: dict[str, Any], reason: str) -> None:
    error, elapsed = _run(script, data)
    assert reason in str(error), error
    assert elapsed < LIMIT + 1


def test_refusal_at_run_time_names_the_line() -> None:
    error, _elapsed = _run("x = 1\ny = 2\ncells = [0] * ten ** 9", {"ten": 10})
    assert isinstance(error, BudgetExceeded)
    assert error.line == 3 and "(line 3)" in str(error)


def test_a_script_that_catches_the_budget_error_still_fails() -> None:
    script = (
        "done = False\ntry:\n    for a in range(n):\n        for b in range(n):\n            pass\n"
        "except Exception:\n    done = True"
    )
    data: dict[str, Any] = {"n": 100000}
    error, elapsed = _run(script, data)
    assert isinstance(error, BudgetExceeded) and elapsed < LIMIT + 1
    assert "done" not in data


def test_slow_rounds_after_fast_ones_are_still_stopped_in_time() -> None:
    script = (
        "items = [(i * 7919) % 100003 for i in range(100000)]\n"
        "for i in range(100000):\n    pass\n"
        "for i in range(1000):\n    ordered = sorted(items)"
    )
    error, elapsed = _run(script, {})
    assert "longer than" in str(error) and elapsed < LIMIT + 1


def test_a_runaway_step_is_stopped_after_the_watchdog_went_idle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "IDLE_AFTER", 0.02)
    spin = "for a in range(n):\n    for b in range(n):\n        pass"
    for _round in range(2):
        error, elapsed = _run(spin, {"n": 100000})
        assert "longer than" in str(error) and elapsed < LIMIT + 1
        time.sleep(0.1)


def test_scripts_of_one_step_share_its_budget() -> None:
    environment = SandboxedEnvironment()
    with step_budget() as outer:
        with step_budget() as inner:
            assert inner is outer
        with pytest.raises(BudgetExceeded):
            environment.execute("for a in range(n):\n    for b in range(n):\n        pass", {"n": 100000})
        with pytest.raises(BudgetExceeded):
            environment.evaluate("[i for i in range(3)] == []", {})
    data: dict[str, Any] = {}
    environment.execute("cells = [i for i in range(3)]", data)
    assert data == {"cells": [0, 1, 2]}


def test_guarded_operations_give_the_same_results() -> None:
    data: dict[str, Any] = {"name": "Asha", "amount": 12.5, "n": 3}
    script = (
        'label = "Dear " + name + ", " + "-" * n\n'
        "big = 2 ** 100 + (1 << 70) * 3\n"
        'text = f"{name!r:>8}|{amount:07.2f}|{n}"\n'
        "total = 0\nfor i in range(n):\n    total += i ** 2\n"
        "total *= 2\n"
        "cells = [[0] * n for i in range(n)]\n"
        'padded = "7".zfill(4) + name.center(8, "*") + ",".join(["a", "b"])\n'
        "joined = sum([[1], [2]], [])\n"
        "ordered = sorted([3, 1, 2], reverse=True)\n"
        "exact = math.factorial(10) + math.comb(10, 3) + math.prod([2, 3, 4])\n"
        "first = [*cells[0], *[n]]\n"
        "merged = {**{'a': 1}, 'b': 2}\n"
        "packed = pow(3, 200, 7) + max(*[1, 5, 2])"
    )
    SandboxedEnvironment().execute(script, data)
    assert data["label"] == "Dear Asha, ---"
    assert data["big"] == 2**100 + (1 << 70) * 3
    assert data["text"] == "  'Asha'|0012.50|3"
    assert data["total"] == 10
    assert data["cells"] == [[0, 0, 0]] * 3
    assert data["padded"] == "0007**Asha**a,b"
    assert data["joined"] == [1, 2]
    assert data["ordered"] == [3, 2, 1]
    assert data["exact"] == 3628800 + 120 + 24
    assert data["first"] == [0, 0, 0, 3]
    assert data["merged"] == {"a": 1, "b": 2}
    assert data["packed"] == pow(3, 200, 7) + 5


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("IGOT_SCRIPT_TIME_LIMIT", "soon", "IGOT_SCRIPT_TIME_LIMIT must be a positive number"),
        ("IGOT_SCRIPT_TIME_LIMIT", "0", "IGOT_SCRIPT_TIME_LIMIT must be a positive number"),
        ("IGOT_SCRIPT_MEMORY_LIMIT", "-5", "IGOT_SCRIPT_MEMORY_LIMIT must be a positive number"),
        ("IGOT_SCRIPT_MEMORY_LIMIT", "inf", "IGOT_SCRIPT_MEMORY_LIMIT must be a positive number"),
    ],
)
def test_a_bad_limit_setting_is_named(monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValueError, match=message):
        load_script_limits()


def test_limits_come_from_the_environment_with_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_script_limits().time_limit == LIMIT
    assert load_script_limits().memory_limit == 64 * 1024 * 1024
    monkeypatch.delenv("IGOT_SCRIPT_TIME_LIMIT")
    monkeypatch.delenv("IGOT_SCRIPT_MEMORY_LIMIT")
    assert load_script_limits().time_limit == 2.0
    assert load_script_limits().memory_limit == 256 * 1024 * 1024
