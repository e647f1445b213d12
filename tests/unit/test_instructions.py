"""Instruction templates render under the step's budget and a length cap; a failure is an
InstructionsFailed (the task then shows a placeholder), never an error page."""

from __future__ import annotations

import time
from typing import Any

import pytest
from jinja2.sandbox import SandboxedEnvironment

from engine.instructions import MAX_INSTRUCTIONS_LENGTH, InstructionsFailed, render_instructions
from engine.instructions_check import check_instructions

LIMIT = 0.5
DATA: dict[str, Any] = {"name": "Asha", "items": [1, 2, "<x>"], "zero": 0, "big": 10**9, "word": "ab" * 50_000}


@pytest.fixture(autouse=True)
def small_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IGOT_SCRIPT_TIME_LIMIT", str(LIMIT))
    monkeypatch.setenv("IGOT_SCRIPT_MEMORY_LIMIT", "16")


def test_instructions_render_escaped_as_before() -> None:
    template = (
        "Dear {{ name }}: {% for x in items %}{{ x }}{% if not loop.last %}, {% endif %}{% endfor %} {{ name ~ '!' }}"
    )
    assert render_instructions(template, DATA) == "Dear Asha: 1, 2, &lt;x&gt; Asha!"
    assert render_instructions("{{ items|join('; ') }} {{ name|center(8) }}", DATA) == "1; 2; &lt;x&gt;   Asha  "


SEEN_ONLY_IN_THE_DATA = [
    ("Hello\n{{ name / zero }}", "TypeError", 2),
    ("{{ big / zero }}", "division by zero", 1),
    ("{{ big + name }}", "TypeError", 1),
    ("{% macro again(x) %}{{ again(x) }}{% endmacro %}{{ again(1) }}", "calls itself too deeply", 1),
    ("{{ 'a' * big }}", "repeating 'a' 1,000,000,000 times", 1),
    ("{{ name.zfill(big) }}", "padding", 1),
    ("{{ name|center(big) }}", "padding", 1),
    ("{{ range(100000)|join(word) }}", "joining 100,000 items", 1),
    ("{{ word|replace('a', word) }}", "replacing", 1),
    ("{% set long = word ~ word ~ word %}{{ long|length }}", "joining texts with ~", 1),
    ("{% for a in range(100000) %}{% for b in range(100000) %}{% endfor %}{% endfor %}", "longer than", 1),
    ("{% for a in range(100000) %}x{% endfor %}", f"longer than {MAX_INSTRUCTIONS_LENGTH:,} characters", None),
    ("{{ nothing.attribute }}", "'nothing' is undefined", 1),
    ("{{ name % zero }}", "formatting", 1),
    ("{{ items|sum(start=[]) }}", "use join", 1),
]


@pytest.mark.parametrize(("template", "reason", "line"), SEEN_ONLY_IN_THE_DATA)
def test_failing_template_raises_a_readable_failure_within_the_limit(
    template: str, reason: str, line: int | None
) -> None:
    started = time.monotonic()
    with pytest.raises(InstructionsFailed) as caught:
        render_instructions(template, DATA)
    assert time.monotonic() - started < LIMIT + 1
    assert reason in str(caught.value)
    assert caught.value.line == line


SEEN_IN_THE_TEMPLATE = [
    ("Hello\n{{ 1/0 }}", "(line 2): this expression always fails: division by zero"),
    ("{{ 1 + 'a' }}", "always fails"),
    ("{{ 'a' * 200000000 }}", "repeating 'a' 200,000,000 times"),
    ("{{ 'ab'.zfill(3 * 10 ** 9) }}", "padding"),
    ("{{ 'ab'|center(10 ** 9) }}", "padding"),
    ("{{ '{}'.format(name) }}", "join text with ~"),
    ("{{ '%s'|format(name) }}", "join text with ~"),
    ("{{ '%s' % name }}", "join text with ~"),
    ("{% include 'other.html' %}", "cannot include"),
    ("{{ name|no_such_filter }}", "No filter named 'no_such_filter'"),
    ("{% if %}", "not a valid template"),
]


@pytest.mark.parametrize(("template", "reason"), SEEN_IN_THE_TEMPLATE)
def test_what_the_template_shows_is_refused_at_deploy_with_its_line(template: str, reason: str) -> None:
    problems = check_instructions(template)
    assert len(problems) == 1 and reason in problems[0] and "(line " in problems[0]


def test_ordinary_templates_pass_the_deploy_check() -> None:
    template = (
        "{{ name }} {{ 2 * 3 }} {{ 'ab' * 3 }} {{ items|join(', ') }} {% for x in items %}{{ x ~ '.' }}{% endfor %}"
    )
    assert check_instructions(template) == []
    assert render_instructions(template, DATA) == "Asha 6 ababab 1, 2, &lt;x&gt; 1.2.&lt;x&gt;."


SAME_AS_JINJA = [
    "{{ name ~ ' <' ~ items[2] ~ '>' }}",
    "{{ (name|e) ~ '<b>' }} {{ '<i>'|safe ~ name }}",
    "{% for x in items %}{{ loop.index }}/{{ loop.length }}:{{ x }}{% if loop.last %}.{% endif %}{% endfor %}",
    "{% for x in items if x is number %}{{ x * 2 }}{% else %}none{% endfor %}",
    "{% for k, v in {'a': 1, 'b': name}|dictsort %}{{ k ~ '=' ~ v }};{% endfor %}",
    "{% set parts = [] %}{% for x in items %}{% set _ = parts.append(x ~ '!') %}{% endfor %}{{ parts|join(', ') }}",
    "{% macro shout(text) %}{{ text|upper ~ '!' }}{% endmacro %}{{ shout(name) }} {{ name|center(10)|trim }}",
    "{% autoescape false %}{{ '<p>' ~ name }}{% endautoescape %}",
]


@pytest.mark.parametrize("template", SAME_AS_JINJA)
def test_instructions_render_exactly_as_jinja_would(template: str) -> None:
    plain = SandboxedEnvironment(autoescape=True).from_string(template).render(**DATA)
    assert render_instructions(template, DATA) == plain
