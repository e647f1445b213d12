"""Paged tables on pages: the page asked for in `?page=` and how many pages a total makes
(the links are drawn by the `pagination` macro of templates/macros/paging.html)."""

from __future__ import annotations

import math
from dataclasses import dataclass

from flask import request

PAGE_SIZE = 50
LAST_PAGE = 1_000_000


@dataclass(frozen=True)
class PageOf:
    """Page `number` (from 1) of a list of `size` rows a page; `pages` once the total is known."""

    number: int
    size: int = PAGE_SIZE
    total: int = 0

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.size), 1)

    def of(self, total: int) -> PageOf:
        """The same page, knowing the total number of rows."""
        return PageOf(self.number, self.size, total)


def requested_page() -> PageOf:
    """The page of the query string; anything but a whole number from 1 is page 1."""
    value = request.args.get("page", "")
    return PageOf(min(int(value), LAST_PAGE) if value.isdigit() and int(value) > 0 else 1)
