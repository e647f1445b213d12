"""The guards refuse one huge operation before it starts, and leave ordinary ones alone."""

from __future__ import annotations

import pytest

from engine import guards
from engine.sandbox import BudgetExceeded, SandboxError


def test_sorting_more_than_the_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(guards, "MAX_SORTED_ITEMS", 10)
    assert guards.guarded_sorted(range(10), reverse=True)[0] == 9
    with pytest.raises(BudgetExceeded, match="sorting 11 items"):
        guards.guarded_sorted(range(11))
    with pytest.raises(BudgetExceeded, match="sorting 11 items"):
        guards.guard_method(list(range(11)), "sort", list(range(11)).sort)()


def test_modular_power_with_huge_operands_is_refused() -> None:
    assert guards.guarded_pow(3, 10**50, 1000003) == pow(3, 10**50, 1000003)
    with pytest.raises(BudgetExceeded, match="would take too long"):
        guards.guarded_pow(3, 2**30000 + 1, 2**30000 + 7)


def test_to_bytes_of_a_huge_length_is_refused() -> None:
    assert guards.guard_method(1, "to_bytes", (1).to_bytes)(2, "big") == b"\x00\x01"
    with pytest.raises(BudgetExceeded, match="to_bytes"):
        guards.guard_method(1, "to_bytes", (1).to_bytes)(10**9, "big")


def test_translate_to_long_texts_is_refused() -> None:
    text = "a" * 10_000
    table = {ord("a"): "b" * 10_000}
    with pytest.raises(BudgetExceeded, match="translating"):
        guards.guard_method(text, "translate", text.translate)(table)
    assert guards.guard_method("ab", "translate", "ab".translate)({ord("a"): "xy"}) == "xyb"


def test_sum_of_lists_goes_through_the_guards() -> None:
    assert guards.guarded_sum([[1], [2, 3]], []) == [1, 2, 3]
    assert guards.guarded_sum([1.5, 2]) == 3.5
    with pytest.raises(BudgetExceeded, match="joining"):
        guards.guarded_sum([["x"] * 400_000] * 3, [])


def test_unicode_texts_count_four_bytes_a_character() -> None:
    assert guards.size_of("abc") == 3
    assert guards.size_of("अबक") == 12
    assert guards.size_of([1, 2]) == 16
    assert guards.size_of(7) == 0


def test_percent_formatting_of_text_is_refused_and_of_numbers_kept() -> None:
    assert guards.guarded_mod(17, 5) == 2
    with pytest.raises(SandboxError, match="f-string"):
        guards.guarded_mod("%s", "x")


def test_every_in_place_operator_but_matrix_is_guarded_or_plain() -> None:
    assert guards.inplace_operation("**=", 2, 10) == 1024
    assert guards.inplace_operation("<<=", 1, 3) == 8
    assert guards.inplace_operation("|=", 5, 2) == 7
    with pytest.raises(BudgetExceeded):
        guards.inplace_operation("*=", [0], 10**9)
    with pytest.raises(SandboxError, match="@="):
        guards.inplace_operation("@=", 1, 2)
