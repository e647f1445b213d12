"""Which page of a list a request asks for, the same for the API and the pages (API.md):
`?page=` (from 1) and `?per_page=` (default 50, at most 500); a value that cannot be used is
Invalid (422) naming `page` or `per_page`, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from flask import request

from engine.errors import Invalid

T = TypeVar("T")
DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500


@dataclass(frozen=True)
class Page:
    """Which slice of a list the client asked for."""

    number: int
    size: int

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.number - 1) * self.size

    def of(self, items: Sequence[T]) -> list[T]:
        """This page of a list already in memory (short lists: scenarios, forms, report rows)."""
        return list(items[self.offset : self.offset + self.size])

    def last(self, total: int) -> int:
        """The number of the last page of a list of `total` items (1 for an empty list)."""
        return max((total + self.size - 1) // self.size, 1)


def requested_page(default_size: int = DEFAULT_PER_PAGE) -> Page:
    """The page the query string asks for; Invalid (422) naming `page` or `per_page` when it is not usable."""
    fields: dict[str, str] = {}
    number = _positive(request.args.get("page"), 1, "page", fields)
    size = _positive(request.args.get("per_page"), default_size, "per_page", fields)
    if "per_page" not in fields and size > MAX_PER_PAGE:
        fields["per_page"] = f"At most {MAX_PER_PAGE}"
    if fields:
        raise Invalid("The page asked for cannot be given", fields)
    return Page(number, size)


def _positive(text: str | None, default: int, name: str, fields: dict[str, str]) -> int:
    if text is None or text == "":
        return default
    if not text.isascii() or not text.isdigit() or len(text) > 9 or int(text) < 1:
        fields[name] = "A whole number from 1"
        return default
    return int(text)
