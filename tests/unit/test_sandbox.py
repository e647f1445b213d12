"""The script sandbox refuses what could reach the server, before anything runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.sandbox import SandboxedEnvironment, SandboxError, compile_expression, compile_script

ESCAPES = [
    "import os",
    "from os import path",
    "__import__('os')",
    "open('/etc/passwd')",
    "().__class__.__bases__[0].__subclasses__()",
    "x = [].__class__",
    "eval('1')",
    "getattr(1, 'real')",
]


@pytest.mark.parametrize("source", ESCAPES)
def test_script_escape_is_refused_at_compile_time(source: str) -> None:
    with pytest.raises(SandboxError):
        compile_script(source)


@pytest.mark.parametrize(
    "source",
    ["__import__('os').system('true')", "open('/tmp/x')", "decision.__class__", "().__class__.__mro__"],
)
def test_expression_escape_is_refused_at_compile_time(source: str) -> None:
    with pytest.raises(SandboxError):
        compile_expression(source)


def test_refusal_names_the_line() -> None:
    with pytest.raises(SandboxError) as caught:
        compile_script("a = 1\nb = 2\nimport os")
    assert caught.value.line == 3


def test_refused_script_runs_no_statement_before_the_bad_one(tmp_path: Path) -> None:
    marker = tmp_path / "marker"
    data: dict[str, object] = {}
    environment = SandboxedEnvironment()
    with pytest.raises(SandboxError):
        environment.execute(f"ran = True\nopen({str(marker)!r}, 'w')", data)
    assert data == {}
    assert not marker.exists()


@pytest.mark.parametrize("source", ["leak = '{0.__class__}'.format(1)", "leak = '{a.real}'.format_map({'a': 1})"])
def test_str_format_attribute_walk_is_refused_before_anything_runs(source: str) -> None:
    with pytest.raises(SandboxError, match="use an f-string or"):
        SandboxedEnvironment().execute(source, {})


def test_script_sees_task_data_and_injected_helpers_only() -> None:
    environment = SandboxedEnvironment({"double": lambda x: x * 2})
    data: dict[str, object] = {"n": 4}
    environment.execute("result = double(n)\nitems = [i for i in range(3)]", data)
    assert data == {"n": 4, "result": 8, "items": [0, 1, 2]}


def test_helpers_do_not_leak_into_task_data() -> None:
    environment = SandboxedEnvironment({"double": lambda x: x * 2})
    data: dict[str, object] = {}
    environment.execute("y = 1", data)
    assert "double" not in data and "_getattr_" not in data


def test_script_may_delete_a_variable() -> None:
    data: dict[str, object] = {"tmp": 1, "keep": 2}
    SandboxedEnvironment().execute("del tmp", data)
    assert data == {"keep": 2}


def test_value_that_cannot_be_stored_is_refused() -> None:
    with pytest.raises(SandboxError, match="cannot be stored"):
        SandboxedEnvironment().execute("s = {1, 2}", {})


def test_condition_evaluates_against_task_data() -> None:
    assert SandboxedEnvironment().evaluate('decision == "approve"', {"decision": "approve"}) is True


def test_timer_expression_can_read_nested_data() -> None:
    data = {"course_run": {"result_due_at": "2027-06-16T00:00:00+05:30"}}
    assert SandboxedEnvironment().evaluate('course_run["result_due_at"]', data) == "2027-06-16T00:00:00+05:30"


def test_while_loops_are_refused_so_a_script_cannot_spin_forever() -> None:
    with pytest.raises(SandboxError, match="while loops"):
        compile_script("x = 0\nwhile True:\n    x += 1")


def test_huge_range_is_refused_at_run_time() -> None:
    with pytest.raises(SandboxError, match="range"):
        SandboxedEnvironment().execute("total = sum(range(10 ** 9))", {})


def test_short_range_still_works() -> None:
    data: dict[str, object] = {}
    SandboxedEnvironment().execute("total = sum(range(10))", data)
    assert data["total"] == 45
