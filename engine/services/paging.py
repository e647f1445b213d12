"""Lists cut into pages, as API.md asks: `page` from 1, `per_page` 50 by default and 500 at most.

A page always says how many items there are in all, so no list is ever cut silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from engine.errors import Invalid

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 500
# Beyond this a page number cannot name a row of any table we keep (and stays an integer the
# database takes); it is refused rather than sent to the database.
MAX_PAGE = 10_000_000

T = TypeVar("T")


@dataclass(frozen=True)
class PageRequest:
    """Which page of a list is asked for."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        """How many items come before this page."""
        return (self.page - 1) * self.per_page


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list, with the size of the whole list."""

    items: Sequence[T]
    total: int
    request: PageRequest

    @property
    def pages(self) -> int:
        """How many pages the list has (1 for an empty list)."""
        return max((self.total + self.request.per_page - 1) // self.request.per_page, 1)

    @property
    def has_next(self) -> bool:
        return self.request.page < self.pages

    @property
    def has_prev(self) -> bool:
        return self.request.page > 1


def page_request(page: Any = None, per_page: Any = None) -> PageRequest:
    """A PageRequest from query-string values (text or None).

    Raises Invalid naming `page` or `per_page` when a value is not a whole number in range
    (page 1 to MAX_PAGE, per_page 1 to MAX_PER_PAGE).
    """
    fields: dict[str, str] = {}
    number = _whole(page, 1, MAX_PAGE, "page", fields)
    size = _whole(per_page, DEFAULT_PER_PAGE, MAX_PER_PAGE, "per_page", fields)
    if fields:
        raise Invalid("The page asked for is not valid", fields)
    return PageRequest(number, size)


def _whole(value: Any, default: int, largest: int, name: str, fields: dict[str, str]) -> int:
    if value is None or value == "":
        return default
    text = str(value).strip()
    if not text.isdigit() or len(text) > 9 or not 1 <= int(text) <= largest:
        fields[name] = f"A whole number from 1 to {largest}"
        return default
    return int(text)


def paginate(session: Session, query: Select[Any], request: PageRequest) -> Page[Any]:
    """Run `query` (already ordered) for one page, and count its rows in all.

    The count runs on the query without its ordering, as a subquery, so joins and filters
    count exactly as they select.
    """
    counted = select(func.count()).select_from(query.order_by(None).subquery())
    total = int(session.scalar(counted) or 0)
    items = list(session.scalars(query.limit(request.per_page).offset(request.offset)))
    return Page(items, total, request)
