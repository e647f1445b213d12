"""Paging on the pages, with the API's semantics (webapp.core.paging): `?page=` from 1,
`?per_page=` default 50 at most 500, a value that cannot be used is a 422 saying why.

A view asks `requested_page()`, runs its query for that slice and its count, and passes
`Pager(page, total)` to the template, whose `pager` macro (macros/paging.html) says
"Page 2 of 7, 312 applications" with links to the pages before and after, the other
query arguments (the filters) kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for

from webapp.core.paging import DEFAULT_PER_PAGE, Page


@dataclass(frozen=True)
class Pager:
    """One page of a list on a page, and how many items the whole list has."""

    page: Page
    total: int

    @property
    def number(self) -> int:
        """This page's number (from 1)."""
        return self.page.number

    @property
    def pages(self) -> int:
        """How many pages the list has (1 when it is empty)."""
        return self.page.last(self.total)

    @property
    def has_previous(self) -> bool:
        return self.page.number > 1

    @property
    def has_next(self) -> bool:
        return self.page.offset + self.page.size < self.total

    def url(self, number: int) -> str:
        """This view with the same query arguments, at page `number`."""
        arguments: dict[str, Any] = dict(request.view_args or {})
        arguments.update((key, value) for key, value in request.args.items() if key not in ("page", "per_page"))
        if number > 1:
            arguments["page"] = str(number)
        if self.page.size != DEFAULT_PER_PAGE:
            arguments["per_page"] = str(self.page.size)
        endpoint = request.endpoint or ""
        return url_for(endpoint, **arguments)
